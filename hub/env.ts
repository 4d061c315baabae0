// What every request handler can reach: the store, the workflow starter, the caller.
import type { Role } from '../mappings/canonical';
import type { TokenTable } from './auth';
import type { Store } from './store/db';
import type { Actor } from './store/records';

/** The gateway's handle on Temporal: start workflows, check the connection. */
export interface EntityRef {
  connector: string;
  entity: string;
}

export interface Workflows {
  startBulkUpsert(runId: string): Promise<void>;
  ping(): Promise<void>;
  /** Starts applyInbox / deliverOutbox / poll for a connector entity unless one is running already. */
  startSync(kind: 'applyInbox' | 'deliverOutbox' | 'poll', ref: EntityRef): Promise<void>;
  /** Starts a backfill (re-apply) with a mapping version; returns the workflow id. */
  startBackfill(ref: EntityRef, version: number): Promise<string>;
  /** Creates or updates the Temporal Schedule that polls a connector entity. */
  ensureSchedule(ref: EntityRef, everySeconds: number): Promise<void>;
  deleteSchedule(ref: EntityRef): Promise<void>;
}

export interface AppDeps {
  store: Store;
  workflows: Workflows;
  tokens: TokenTable;
  /** Records per bulk page (QIAO_BULK_PAGE_SIZE). */
  bulkPageSize?: number;
  /** Live connector instances; a fresh pool when omitted. */
  connectors?: import('./sync/connectors').ConnectorPool;
  /** Qiao's public base URL, as providers call it (webhook signatures cover it). */
  publicUrl?: string;
}

export type ResolvedDeps = AppDeps & Required<Pick<AppDeps, 'connectors' | 'publicUrl'>>;

export interface AppEnv {
  Variables: { actor: Actor & { role: Role }; deps: ResolvedDeps };
}
