// The gateway's Temporal client: starts workflows with deterministic ids.
import { Client, Connection, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { backfill, bulkUpsert } from '../workflows';
import { workflowIds } from '../workflows/ids';
import type { Workflows } from './env';

/** Least time between two wake-ups of one draining workflow. */
const WAKE_INTERVAL_MS = 100;
/** Retries of a failed wake-up (backoff from 1 s up to 30 s) before it is reported as failed. */
const WAKE_RETRIES = 6;

/**
 * Connects to Temporal and returns what the gateway needs of it.
 * @example const temporal = await connectWorkflows({ address: 'localhost:7233', namespace: 'default', taskQueue: 'qiao' })
 */
export async function connectWorkflows(options: { address: string; namespace: string; taskQueue: string }): Promise<Workflows & { close(): Promise<void> }> {
  const connection = await Connection.connect({ address: options.address });
  const client = new Client({ connection, namespace: options.namespace });

  // Draining workflows are woken with signalWithStart: it starts one, or tells the running one there is
  // more, so no wake-up is lost. A burst (many webhooks) is coalesced: at most one call per workflow
  // every WAKE_INTERVAL_MS, and always one after the last request (each signal costs Temporal a
  // workflow task; one per webhook halved the ingest rate).
  const waking = new Map<string, { again: boolean; done: Promise<void> }>();
  function wake(kind: 'applyInbox' | 'deliverOutbox', ref: { connector: string; entity: string }): Promise<void> {
    const workflowId = workflowIds[kind](ref);
    const inFlight = waking.get(workflowId);
    if (inFlight) {
      inFlight.again = true;
      return inFlight.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        let failures = 0;
        do {
          entry.again = false;
          try {
            await client.workflow.signalWithStart(kind, { workflowId, taskQueue: options.taskQueue, args: [ref], signal: 'more', signalArgs: [] });
            failures = 0;
          } catch (err) {
            // The rows are stored; only the wake-up failed (Temporal busy or restarting). Try again a few
            // times with backoff rather than leave them for the next request, which may never come.
            failures++;
            if (failures > WAKE_RETRIES) throw err;
            console.error(`[temporal] waking ${workflowId} failed (attempt ${failures} of ${WAKE_RETRIES + 1}), retrying:`, err instanceof Error ? err.message : err);
            entry.again = true;
            await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * 2 ** failures)).unref());
          }
          await new Promise((resolve) => setTimeout(resolve, WAKE_INTERVAL_MS));
        } while (entry.again);
      } finally {
        waking.delete(workflowId);
      }
    })();
    waking.set(workflowId, entry);
    return entry.done;
  }

  return {
    async startBulkUpsert(runId) {
      // The id is the run's: a second start of the same run is refused by Temporal, never run twice.
      await client.workflow.start<typeof bulkUpsert>('bulkUpsert', { workflowId: `bulk-upsert:${runId}`, taskQueue: options.taskQueue, args: [{ runId }] });
    },
    async ping() {
      await connection.workflowService.getSystemInfo({});
    },
    startSync(kind, ref) {
      if (kind === 'poll') {
        return client.workflow
          .start(kind, { workflowId: workflowIds[kind](ref), taskQueue: options.taskQueue, args: [ref] })
          .then(() => undefined)
          .catch((err: unknown) => {
            // Already polling: that run sees the changes.
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          });
      }
      return wake(kind, ref);
    },
    async startBackfill(ref, version) {
      const workflowId = workflowIds.backfill(ref, version);
      await client.workflow.start<typeof backfill>('backfill', { workflowId, taskQueue: options.taskQueue, args: [{ ...ref, version }] });
      return workflowId;
    },
    async ensureSchedule(ref, everySeconds) {
      const scheduleId = workflowIds.poll(ref);
      const spec = { intervals: [{ every: `${everySeconds}s` }] };
      try {
        await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec }));
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
        await client.schedule.create({
          scheduleId,
          spec,
          action: { type: 'startWorkflow', workflowType: 'poll', workflowId: scheduleId, taskQueue: options.taskQueue, args: [ref] },
          // A poll still running when the next is due: skip the next, never run two at once.
          policies: { overlap: ScheduleOverlapPolicy.SKIP },
        });
      }
    },
    async deleteSchedule(ref) {
      await client.schedule
        .getHandle(workflowIds.poll(ref))
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
    },
    close: () => connection.close(),
  };
}
