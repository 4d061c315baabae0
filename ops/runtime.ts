// Runs Qiao: `start` (gateway + worker + embedded Temporal), or `gateway` / `worker` alone for scale-out.
import path from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApp } from '../hub/app';
import { loadTokens } from '../hub/auth';
import type { Config } from '../hub/config';
import { configureAtp } from '../hub/store/atp';
import { openStore, type Store } from '../hub/store/db';
import { createBulkRunStore } from '../hub/store/bulk';
import { createConnectorPool } from '../hub/sync/connectors';
import { createSyncEngine } from '../hub/sync/engine';
import '../hub/sync/connector-types';
import { connectWorkflows } from '../hub/temporal';
import { createWorker } from '../workflows/worker';
import { type DevServer, findTemporalCli, startDevServer } from './temporal-cli';

export type Mode = 'start' | 'gateway' | 'worker';

export interface Running {
  /** Where the gateway listens, when this process runs one. */
  url?: string;
  temporalAddress: string;
  /** Stops everything in order: HTTP, worker (lets a running page commit), Temporal, database. */
  stop(): Promise<void>;
}

const say = (msg: string) => console.log(`[qiao] ${msg}`);

let runtimeInstalled = false;

/**
 * Starts the parts of Qiao that `mode` asks for, in this process.
 * @example const qiao = await runQiao('start', loadConfig(process.env)); ...; await qiao.stop()
 */
export async function runQiao(mode: Mode, config: Config): Promise<Running> {
  if (!runtimeInstalled) {
    // Only warnings from the Temporal SDK; must happen before the first connection.
    Runtime.install({ logger: new DefaultLogger(config.QIAO_LOG_LEVEL === 'debug' ? 'INFO' : 'WARN') });
    runtimeInstalled = true;
  }
  configureAtp({ deliveryDays: config.QIAO_DELIVERY_DAYS, productionLeadDays: config.QIAO_PRODUCTION_LEAD_DAYS });
  const stops: (() => Promise<void>)[] = [];
  const stopping = new AbortController();
  const stopAll = async () => {
    // First tell long activities to end at their next safe point, then stop the parts in reverse order.
    stopping.abort();
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        console.error('[qiao] while stopping:', err);
      }
    }
  };

  try {
    let temporalAddress = config.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      if (mode !== 'start') throw new Error(`qiao ${mode} runs against an existing Temporal cluster: set TEMPORAL_ADDRESS (host:port). Use \`qiao start\` for the embedded default.`);
      const cli = findTemporalCli();
      const dbFile = path.resolve(config.QIAO_DATA_DIR, 'temporal.db');
      const logFile = path.resolve(config.QIAO_DATA_DIR, 'temporal.log');
      say(`starting Temporal dev server ${cli.version} (${dbFile}, log ${logFile})`);
      const server: DevServer = await startDevServer({ cli, port: config.QIAO_TEMPORAL_PORT, uiPort: config.QIAO_TEMPORAL_UI_PORT, dbFile, logFile });
      stops.push(() => server.stop());
      temporalAddress = server.address;
      say(`Temporal at ${temporalAddress}, web UI at http://127.0.0.1:${config.QIAO_TEMPORAL_UI_PORT}`);
    }

    const store: Store = await openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.sqlitePath });
    const connectors = createConnectorPool();
    stops.push(() => store.close());
    say(`database: ${store.dialect === 'sqlite' ? config.sqlitePath : 'PostgreSQL (DATABASE_URL)'}`);

    if (mode === 'start' || mode === 'worker') {
      const connection = await NativeConnection.connect({ address: temporalAddress });
      stops.push(() => connection.close());
      const worker = await createWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.QIAO_TASK_QUEUE,
        deps: { bulkRuns: createBulkRunStore(store.db), sync: createSyncEngine(store.db, connectors), stopping: stopping.signal },
      });
      const running = worker.run();
      running.catch((err: unknown) => console.error('[qiao] worker stopped with an error:', err));
      stops.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
      });
      say(`worker polling task queue ${config.QIAO_TASK_QUEUE}`);
    }

    let url: string | undefined;
    if (mode === 'start' || mode === 'gateway') {
      const workflows = await connectWorkflows({ address: temporalAddress, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.QIAO_TASK_QUEUE });
      stops.push(() => workflows.close());
      const tokens = loadTokens(config, { createIfMissing: true });
      if (tokens.created) say(`no API tokens were configured: created an admin token in ${tokens.file}:\n\n    ${tokens.created.token}\n`);
      const app = createApp({ store, workflows, tokens: tokens.table, bulkPageSize: config.QIAO_BULK_PAGE_SIZE, connectors, publicUrl: config.QIAO_PUBLIC_URL ?? `http://${config.QIAO_HOST}:${config.QIAO_PORT}` });
      const server: ServerType = await new Promise((resolve) => {
        const s = serve({ fetch: app.fetch, hostname: config.QIAO_HOST, port: config.QIAO_PORT }, () => resolve(s));
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.QIAO_PORT;
      url = `http://${config.QIAO_HOST}:${port}`;
      stops.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            // Idle keep-alive connections would hold close() open.
            (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      );
      say(`gateway at ${url} (OpenAPI at ${url}/openapi.json)`);
    }

    return { url, temporalAddress, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
