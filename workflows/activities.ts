// Activities: a factory over injected dependencies, so workflows import only its type.
import { ApplicationFailure, Context } from '@temporalio/activity';

/** What the bulk-upsert activities need from the store (implemented by hub/store/bulk.ts). */
export interface BulkRunStore {
  pageCount(runId: string): Promise<number>;
  /** Applies one page in one transaction; a page already applied is skipped. */
  applyPage(runId: string, page: number): Promise<{ applied: boolean }>;
  finish(runId: string, error?: string): Promise<{ status: string }>;
}

export interface ActivityDeps {
  bulkRuns: BulkRunStore;
  /** Aborted when the process is stopping: long activities end at their next safe point. */
  stopping?: AbortSignal;
}

/**
 * Creates the activities over their dependencies.
 * @example Worker.create({ activities: createActivities({ bulkRuns: createBulkRunStore(db) }), ... })
 */
export function createActivities(deps: ActivityDeps) {
  return {
    /**
     * Applies every page of a bulk run, heartbeating after each. After a crash the retry starts at
     * the page after the last heartbeat; a page committed but not yet heartbeated is skipped by the store.
     */
    async applyBulkRun(runId: string): Promise<{ pages: number; applied: number }> {
      const ctx = Context.current();
      const resumeAt = (ctx.info.heartbeatDetails as { nextPage?: number } | undefined)?.nextPage ?? 0;
      const pages = await deps.bulkRuns.pageCount(runId);
      let applied = 0;
      for (let page = resumeAt; page < pages; page++) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        if (deps.stopping?.aborted) {
          // Retryable: the next attempt, on this worker after a restart or on another, resumes here.
          throw ApplicationFailure.retryable(`worker stopping; run ${runId} resumes at page ${page} of ${pages}`, 'WorkerStopping');
        }
        if ((await deps.bulkRuns.applyPage(runId, page)).applied) applied++;
        ctx.heartbeat({ nextPage: page + 1 });
        // Let queued requests at the store go first: its SQLite lock is not fair, and back-to-back pages
        // would otherwise starve the gateway's writes for the whole run.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { pages, applied };
    },

    async finishBulkRun(runId: string, error?: string): Promise<{ status: string }> {
      return deps.bulkRuns.finish(runId, error);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
