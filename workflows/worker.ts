// The Temporal worker: runs Qiao's workflows and activities on one task queue.
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from './activities';

/** Path of the workflow entry file, bundled by the worker at start. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./index.ts', import.meta.url));

/**
 * Creates a worker over its dependencies; call `run()` and later `shutdown()`.
 * @example const worker = await createWorker({ connection, namespace: 'default', taskQueue: 'qiao', deps: { bulkRuns } })
 */
export async function createWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (from bundleWorkflowCode); the worker bundles WORKFLOWS_PATH itself when omitted. */
  workflowBundle?: { codePath: string };
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    // On stop, a running activity gets 2 s, then is cancelled: the bulk loop stops at the next page
    // boundary (each page is one transaction) and the run resumes from its heartbeat after a restart.
    shutdownGraceTime: '2 seconds',
    // Heartbeats leave every 3 s (the SDK would hold them for up to 80 % of the 15 s heartbeat
    // timeout, leaving a loaded machine 3 s of margin before Temporal takes a live worker for dead).
    maxHeartbeatThrottleInterval: '3 seconds',
  });
}
