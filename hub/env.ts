// What every request handler can reach: the store, the workflow starter, the caller.
import type { Role } from '../mappings/canonical';
import type { TokenTable } from './auth';
import type { Store } from './store/db';
import type { Actor } from './store/records';

/** The gateway's handle on Temporal: start workflows, check the connection. */
export interface Workflows {
  startBulkUpsert(runId: string): Promise<void>;
  ping(): Promise<void>;
}

export interface AppDeps {
  store: Store;
  workflows: Workflows;
  tokens: TokenTable;
  /** Records per bulk page (QIAO_BULK_PAGE_SIZE). */
  bulkPageSize?: number;
}

export interface AppEnv {
  Variables: { actor: Actor & { role: Role }; deps: AppDeps };
}
