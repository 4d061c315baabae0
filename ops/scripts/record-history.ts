// Records a fresh bulkUpsert history into tests/histories/, for the replay test. Run it when a
// workflow change is deliberate (behind patched()), and commit the new file next to the old ones:
//   node --import tsx ops/scripts/record-history.ts tests/histories/bulk-upsert.json
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createBulkRun, createBulkRunStore } from '../../hub/store/bulk';
import { openStore } from '../../hub/store/db';
import { createWorker } from '../../workflows/worker';
import { findTemporalCli, freePort, startDevServer } from '../temporal-cli';

async function main(out: string): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-history-'));
  const server = await startDevServer({ cli: findTemporalCli(), port: await freePort(), logFile: path.join(dir, 'temporal.log') });
  const store = await openStore({ sqlitePath: path.join(dir, 'qiao.db') });
  try {
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const worker = await createWorker({ connection: nativeConnection, namespace: 'default', taskQueue: 'history', deps: { bulkRuns: createBulkRunStore(store.db) } });
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const records = [{ number: 'H-1', name: 'History One' }, { number: 'H-2', name: '' }, { number: 'H-3', name: 'History Three' }];
    const runId = await createBulkRun(store.db, 'customer', records, { name: 'history', role: 'admin' }, 2);
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('bulkUpsert', { workflowId: `bulk-upsert:${runId}`, taskQueue: 'history', args: [{ runId }] });
      console.log('outcome:', await handle.result());
      const history = await handle.fetchHistory();
      fs.writeFileSync(out, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
    });
    await connection.close();
    await nativeConnection.close();
    console.log(`wrote ${out}`);
  } finally {
    await store.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? 'tests/histories/bulk-upsert.json').catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
