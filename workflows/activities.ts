// Activities: a factory over injected dependencies, so workflows import only its type.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ChangeCursor } from '../connectors/contract';
import { ConnectorError } from '../connectors/errors';
import { POLL_PAGE } from './ids';

/** What the bulk-upsert activities need from the store (implemented by hub/store/bulk.ts). */
export interface BulkRunStore {
  pageCount(runId: string): Promise<number>;
  /** Applies one page in one transaction; a page already applied is skipped. */
  applyPage(runId: string, page: number): Promise<{ applied: boolean }>;
  finish(runId: string, error?: string): Promise<{ status: string }>;
}

export interface ApplyResult {
  applied: number;
  changed: number;
  unchanged: number;
  echoes: number;
  /** Dead-letter ids of records that could not be applied. */
  parked: number[];
  remaining: boolean;
}

/** What one `pollPages` activity did; `more` means its time budget ended before the source did. */
export interface PollPagesResult {
  pages: number;
  received: number;
  processed: number;
  changed: number;
  parked: number[];
  more: boolean;
  warning?: string;
}

/** Rows per apply transaction of a poll page: large, nobody waits on a poll. */
const POLL_APPLY_BATCH = 500;
/**
 * Rows per apply transaction after webhooks: the gateway's inbox inserts wait for a running one, and
 * a webhook's p99 is about this long (50 rows ≈ 10 ms here; 500 rows gave a p99 near 100 ms).
 */
const WEBHOOK_TRANSACTION_ROWS = 50;
/** How long one `pollPages` activity keeps paging before it hands back to the workflow. */
const POLL_BUDGET_MS = 20_000;
/** How often a running sync activity tells Temporal its worker is alive (see `classified`). */
export const ALIVE_HEARTBEAT_MS = 3_000;
/** How long one `deliverOutbox` activity keeps delivering batches before it hands back. */
const DELIVER_BUDGET_MS = 20_000;

export interface SyncRunRecord {
  kind: 'poll' | 'apply' | 'deliver' | 'backfill';
  connector: string;
  entity: string;
  startedAt: string;
  pages: number;
  processed: number;
  changed: number;
  parked: number[];
  warnings: string[];
  error?: string;
}

/** What the sync activities need (implemented by hub/sync/engine.ts). */
export interface SyncEngine {
  currentMappingVersion(connector: string, entity: string): Promise<number>;
  loadCursor(connector: string, entity: string): Promise<ChangeCursor | null>;
  pollPage(connector: string, entity: string, cursor: ChangeCursor | null, limit: number): Promise<{ received: number; appended: number; next: ChangeCursor | null; more: boolean }>;
  saveCursor(connector: string, entity: string, cursor: ChangeCursor | null, received: number): Promise<{ warning?: string }>;
  /** Applies up to `limit` pending rows, in transactions of `transactionRows` (default: all in one). */
  applyInbox(connector: string, entity: string, version: number, limit: number, transactionRows?: number): Promise<ApplyResult>;
  /** Puts records waiting for a referenced record back in line; returns how many. */
  requeueWaiting(connector: string, entity: string): Promise<number>;
  deliverOutbox(connector: string, entity: string, version: number): Promise<{ delivered: number; parked: number[]; retry: ConnectorError | undefined; remaining: boolean }>;
  pendingDeliveries(): Promise<{ connector: string; entity: string }[]>;
  pendingInbox(connector: string, entity: string): Promise<boolean>;
  reapplyPage(connector: string, entity: string, version: number, after: string | null, limit: number): Promise<{ applied: number; changed: number; parked: number[]; next: string | null }>;
  recordRun(run: SyncRunRecord): Promise<string>;
}

/**
 * Turns a ConnectorError into the Temporal failure its kind calls for: auth, invalid and not_found
 * fail for good; rate_limited waits as long as the provider asked; the rest retry with backoff.
 */
function classified<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    // "Still alive" heartbeats: when this worker dies mid-activity (killed, out of memory), Temporal
    // notices within the heartbeat timeout the workflows declare and retries elsewhere, instead of
    // waiting out the whole start-to-close timeout.
    const ctx = Context.current();
    const alive = setInterval(() => ctx.heartbeat(), ALIVE_HEARTBEAT_MS);
    try {
      return await fn(...args);
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      if (!err.retryable) throw ApplicationFailure.nonRetryable(err.message, `ConnectorError.${err.kind}`);
      throw ApplicationFailure.create({
        message: err.message,
        type: `ConnectorError.${err.kind}`,
        nextRetryDelay: err.kind === 'rate_limited' && err.retryAfterMs ? err.retryAfterMs : undefined,
      });
    } finally {
      clearInterval(alive);
    }
  };
}

export interface ActivityDeps {
  bulkRuns: BulkRunStore;
  sync?: SyncEngine;
  /** Aborted when the process is stopping: long activities end at their next safe point. */
  stopping?: AbortSignal;
}

/**
 * Creates the activities over their dependencies.
 * @example Worker.create({ activities: createActivities({ bulkRuns: createBulkRunStore(db) }), ... })
 */
export function createActivities(deps: ActivityDeps) {
  const sync = () => {
    if (!deps.sync) throw ApplicationFailure.nonRetryable('this worker was started without the sync engine');
    return deps.sync;
  };
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

    /**
     * Polls pages of a connector entity and applies each before its cursor is saved, for up to
     * POLL_BUDGET_MS: one activity for many pages, so a large first load is not paced by a round trip
     * through Temporal per page. The next page is read while the current one is applied. A retry starts
     * from the stored cursor; pages read twice are deduplicated by the inbox. `receivedBefore` is what
     * earlier activities of the same poll received, for the zero-rows check of the last save.
     */
    pollPages: classified(async (connector: string, entity: string, version: number, receivedBefore: number): Promise<PollPagesResult> => {
      const engine = sync();
      const started = performance.now();
      const result: PollPagesResult = { pages: 0, received: 0, processed: 0, changed: 0, parked: [], more: false };
      let page = await engine.pollPage(connector, entity, await engine.loadCursor(connector, entity), POLL_PAGE);
      for (;;) {
        result.pages++;
        result.received += page.received;
        const next = page.more ? engine.pollPage(connector, entity, page.next, POLL_PAGE) : undefined;
        // Keep a rejected read-ahead from being reported as unhandled while the apply runs; it is awaited below.
        next?.catch(() => undefined);
        for (let remaining = true; remaining; ) {
          const applied = await engine.applyInbox(connector, entity, version, POLL_APPLY_BATCH);
          result.processed += applied.applied + applied.parked.length;
          result.changed += applied.changed;
          result.parked.push(...applied.parked);
          remaining = applied.remaining;
        }
        if (!next) {
          const saved = await engine.saveCursor(connector, entity, page.next, receivedBefore + result.received);
          if (saved.warning) result.warning = saved.warning;
          return result;
        }
        await engine.saveCursor(connector, entity, page.next, page.received);
        Context.current().heartbeat({ pages: result.pages });
        if (performance.now() - started > POLL_BUDGET_MS || deps.stopping?.aborted) {
          // The page read ahead is in the inbox; the next activity reads it again from the saved cursor.
          await next;
          result.more = true;
          return result;
        }
        page = await next;
      }
    }),

    currentMappingVersion: classified((connector: string, entity: string) => sync().currentMappingVersion(connector, entity)),
    loadCursor: classified((connector: string, entity: string) => sync().loadCursor(connector, entity)),
    pollPage: classified((connector: string, entity: string, cursor: ChangeCursor | null, limit: number) => sync().pollPage(connector, entity, cursor, limit)),
    saveCursor: classified((connector: string, entity: string, cursor: ChangeCursor | null, received: number) => sync().saveCursor(connector, entity, cursor, received)),
    /** Applies rows webhooks appended (the poll workflow of old histories calls it too), in short transactions. */
    applyInbox: classified((connector: string, entity: string, version: number, limit: number) => sync().applyInbox(connector, entity, version, limit, WEBHOOK_TRANSACTION_ROWS)),
    requeueWaiting: classified((connector: string, entity: string) => sync().requeueWaiting(connector, entity)),
    pendingDeliveries: classified(() => sync().pendingDeliveries()),
    pendingInbox: classified((connector: string, entity: string) => sync().pendingInbox(connector, entity)),
    reapplyPage: classified((connector: string, entity: string, version: number, after: string | null, limit: number) => sync().reapplyPage(connector, entity, version, after, limit)),
    recordRun: classified((run: SyncRunRecord) => sync().recordRun(run)),

    /**
     * Delivers batches to one target for up to DELIVER_BUDGET_MS: one activity for many batches, so a
     * large push (stock for 100,000 products) is not paced by a round trip through Temporal per batch
     * (~60 ms each, against ~25 ms for the batch itself). A batch with rows a transient error left
     * pending ends the loop: thrown (Temporal retries with backoff) when it is the first, otherwise
     * reported with `remaining`, so the next activity meets it first and throws.
     */
    deliverOutbox: classified(async (connector: string, entity: string, version: number) => {
      const engine = sync();
      const started = performance.now();
      const total = { delivered: 0, parked: [] as number[], remaining: false };
      for (let batches = 0; ; batches++) {
        const { retry, ...outcome } = await engine.deliverOutbox(connector, entity, version);
        if (retry && batches === 0) throw retry;
        total.delivered += outcome.delivered;
        total.parked.push(...outcome.parked);
        total.remaining = outcome.remaining || retry !== undefined;
        if (retry || !outcome.remaining) return total;
        Context.current().heartbeat({ delivered: total.delivered });
        if (performance.now() - started > DELIVER_BUDGET_MS || deps.stopping?.aborted) return total;
      }
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
