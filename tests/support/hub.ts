// A gateway and an in-process worker over a fresh store, talking to the suite's Temporal dev server.
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createApp } from '../../hub/app';
import { type TokenEntry, tokenTable } from '../../hub/auth';
import { createBulkRunStore } from '../../hub/store/bulk';
import { type ConnectorPool, createConnectorPool } from '../../hub/sync/connectors';
import { createSyncEngine } from '../../hub/sync/engine';
import '../../hub/sync/connector-types';
import { connectWorkflows } from '../../hub/temporal';
import { workflowIds } from '../../workflows/ids';
import { createWorker } from '../../workflows/worker';
import { freePort } from '../../ops/temporal-cli';
import { freshStore, type TestDialect, type TestStore } from './stores';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Installed already by an earlier test file in this process.
}

export const TOKENS: Record<'admin' | 'sales' | 'finance' | 'viewer', TokenEntry> = {
  admin: { token: 'admin-token-0123456789', role: 'admin', name: 'ada' },
  sales: { token: 'sales-token-0123456789', role: 'sales', name: 'sam' },
  finance: { token: 'finance-token-0123456789', role: 'finance', name: 'fin' },
  viewer: { token: 'viewer-token-0123456789', role: 'viewer', name: 'vic' },
};

export interface TestHub {
  store: TestStore;
  /** The gateway's URL on 127.0.0.1, when created with `listen` (webhooks from a sandbox need one). */
  url?: string;
  workflows: Awaited<ReturnType<typeof connectWorkflows>>;
  taskQueue: string;
  /** Calls the gateway in process with a role's token; JSON bodies are serialised. */
  call(role: keyof typeof TOKENS | null, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  startWorker(): Promise<void>;
  dispose(): Promise<void>;
}

export async function createTestHub(dialect: TestDialect, options: { bulkPageSize?: number; fetch?: typeof fetch; publicUrl?: string; listen?: boolean } = {}): Promise<TestHub> {
  const store = await freshStore(dialect);
  // Listening: the public URL (what webhook signatures cover) is the real one.
  const port = options.listen ? await freePort() : undefined;
  const url = port ? `http://127.0.0.1:${port}` : undefined;
  const address = inject('temporalAddress');
  const taskQueue = `test-${dialect}-${Math.random().toString(36).slice(2, 10)}`;
  const workflows = await connectWorkflows({ address, namespace: 'default', taskQueue });
  const connectors: ConnectorPool = createConnectorPool({ fetch: options.fetch });
  const app = createApp({ store, workflows, tokens: tokenTable(Object.values(TOKENS)), bulkPageSize: options.bulkPageSize, connectors, publicUrl: url ?? options.publicUrl });
  const server = port ? serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }) : undefined;
  let worker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
  return {
    store,
    url,
    workflows,
    taskQueue,
    call(role, method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (role) (init.headers as Record<string, string>).authorization = `Bearer ${TOKENS[role].token}`;
      if (body !== undefined) {
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
      }
      return Promise.resolve(app.request(path, init));
    },
    async startWorker() {
      const connection = await NativeConnection.connect({ address });
      const w = await createWorker({
        connection,
        namespace: 'default',
        taskQueue,
        deps: { bulkRuns: createBulkRunStore(store.db), sync: createSyncEngine(store.db, connectors) },
        workflowBundle: { codePath: inject('workflowBundlePath') },
      });
      worker = { worker: w, running: w.run(), connection };
    },
    async dispose() {
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
      // Workflows this hub left running (a delivery in retry backoff) would keep their ids, which are
      // per connector name, so the next hub's wake-ups would signal them on a queue nobody polls.
      const connection = await Connection.connect({ address });
      try {
        const client = new Client({ connection, namespace: 'default' });
        for await (const execution of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
          await client.workflow.getHandle(execution.workflowId, execution.runId).terminate('test hub disposed').catch(() => undefined);
        }
        // The list lags behind (visibility is eventually consistent): a delivery started a moment
        // ago is not in it yet. The sync workflows of this hub's connectors are known by id.
        const rows = await store.db.selectFrom('connectors').select(['name', 'entities']).execute();
        for (const { name, entities } of rows) {
          for (const entity of Object.keys(JSON.parse(entities) as object)) {
            for (const id of [workflowIds.poll, workflowIds.applyInbox, workflowIds.deliverOutbox].map((f) => f({ connector: name, entity }))) {
              const handle = client.workflow.getHandle(id);
              const running = await handle.describe().catch(() => undefined);
              if (running?.status.name === 'RUNNING' && running.taskQueue === taskQueue) await handle.terminate('test hub disposed').catch(() => undefined);
            }
          }
        }
      } finally {
        await connection.close();
      }
      if (worker) {
        worker.worker.shutdown();
        await worker.running;
        await worker.connection.close();
      }
      await workflows.close();
      await store.dispose();
    },
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
