// Records fresh workflow histories into tests/histories/, one per workflow type, for the replay test.
// Run it when a workflow change is deliberate (behind patched()), and commit the new files:
//   node --import tsx ops/scripts/record-history.ts [tests/histories]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { CustomerInput } from '../../mappings/canonical';
import { createBulkRun, createBulkRunStore } from '../../hub/store/bulk';
import { openStore } from '../../hub/store/db';
import { customers } from '../../hub/store/resources';
import { createConnectorPool } from '../../hub/sync/connectors';
import { createSyncEngine } from '../../hub/sync/engine';
import { appendToInbox } from '../../hub/sync/poll';
import '../../hub/sync/connector-types';
import { createWorker } from '../../workflows/worker';
import { startOdooSandbox } from '../sandboxes/odoo';
import { findTemporalCli, freePort, startDevServer } from '../temporal-cli';

const KEY = 'history-odoo-key-0123456789';

async function main(outDir: string): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-history-'));
  const server = await startDevServer({ cli: findTemporalCli(), port: await freePort(), logFile: path.join(dir, 'temporal.log') });
  const store = await openStore({ sqlitePath: path.join(dir, 'qiao.db') });
  const odoo = await startOdooSandbox({ apiKey: KEY, database: 'h', login: 'admin', seed: { customers: [{ name: 'History GmbH', is_company: true, email: 'info@history.example' }] } });
  process.env.QIAO_HISTORY_ODOO_KEY = KEY;
  try {
    await store.db
      .insertInto('connectors')
      .values({
        name: 'odoo',
        type: 'odoo',
        config: JSON.stringify({ url: odoo.url, database: 'h', apiKey: 'env:QIAO_HISTORY_ODOO_KEY', allowPrivateNetwork: true, settleSeconds: 0 }),
        entities: JSON.stringify({ customer: { direction: 'both', pollSeconds: 60 } }),
        enabled: 1,
        health: null,
        updated_at: new Date().toISOString(),
      })
      .execute();
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue: 'history',
      deps: { bulkRuns: createBulkRunStore(store.db), sync: createSyncEngine(store.db, createConnectorPool()) },
    });
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const ref = { connector: 'odoo', entity: 'customer' };
    const record = async (name: string, type: string, args: unknown[]) => {
      const handle = await client.workflow.start(type, { workflowId: `history-${name}`, taskQueue: 'history', args });
      console.log(`${name}:`, JSON.stringify(await handle.result()));
      fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 2)}\n`);
    };
    await worker.runUntil(async () => {
      const runId = await createBulkRun(store.db, 'customer', [{ number: 'H-1', name: 'History One' }, { number: 'H-2', name: '' }, { number: 'H-3', name: 'History Three' }], { name: 'history', role: 'admin' }, 2);
      await record('bulk-upsert', 'bulkUpsert', [{ runId }]);
      await record('poll', 'poll', [ref]);
      await appendToInbox(store.db, 'odoo', [{ entity: 'customer', eventKey: 'history-1', externalId: '9001', sourceTime: new Date().toISOString(), data: { id: 9001, name: 'Webhook History AG', is_company: true, active: true } }]);
      await record('apply-inbox', 'applyInbox', [ref]);
      await customers.create(store.db, CustomerInput.parse({ name: 'Outbound History KG' }), { name: 'history', role: 'admin' });
      await record('deliver-outbox', 'deliverOutbox', [ref]);
      await record('backfill', 'backfill', [{ ...ref, version: 1 }]);
    });
    await connection.close();
    await nativeConnection.close();
    console.log(`wrote histories to ${outDir}`);
  } finally {
    await odoo.stop();
    await store.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? 'tests/histories').catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
