// bulkUpsert: applies the stored pages of a bulk request, then records the run's outcome.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from './activities';

// Retries are declared here, once. A killed worker stops heartbeating; after 10 s the page loop is
// retried on another (or the restarted) worker and resumes from its last heartbeat.
const { applyBulkRun, finishBulkRun } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export interface BulkUpsertInput {
  runId: string;
}

export async function bulkUpsert(input: BulkUpsertInput): Promise<{ status: string }> {
  try {
    await applyBulkRun(input.runId);
  } catch (err) {
    const reason = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    return finishBulkRun(input.runId, `the run stopped after retries: ${reason}`);
  }
  return finishBulkRun(input.runId);
}
