// The gateway's Temporal client: starts workflows with deterministic ids.
import { Client, Connection } from '@temporalio/client';
import type { bulkUpsert } from '../workflows';
import type { Workflows } from './env';

/**
 * Connects to Temporal and returns what the gateway needs of it.
 * @example const temporal = await connectWorkflows({ address: 'localhost:7233', namespace: 'default', taskQueue: 'qiao' })
 */
export async function connectWorkflows(options: { address: string; namespace: string; taskQueue: string }): Promise<Workflows & { close(): Promise<void> }> {
  const connection = await Connection.connect({ address: options.address });
  const client = new Client({ connection, namespace: options.namespace });
  return {
    async startBulkUpsert(runId) {
      // The id is the run's: a second start of the same run is refused by Temporal, never run twice.
      await client.workflow.start<typeof bulkUpsert>('bulkUpsert', { workflowId: `bulk-upsert:${runId}`, taskQueue: options.taskQueue, args: [{ runId }] });
    },
    async ping() {
      await connection.workflowService.getSystemInfo({}, );
    },
    close: () => connection.close(),
  };
}
