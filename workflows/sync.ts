// Sync workflows: poll (scheduled per connector entity), applyInbox (after webhooks), deliverOutbox
// (per target), backfill (re-apply a mapping version). Ids are deterministic, so a double start is a no-op.
import {
  ApplicationFailure,
  ActivityFailure,
  continueAsNew,
  defineSignal,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from './activities';

// Retries declared once for every sync activity. Non-retryable kinds (auth, invalid, not_found) fail at
// once; rate limits wait what the provider asked (nextRetryDelay). The activities heartbeat every few
// seconds while they run, so an attempt whose worker died is retried after 15 s, not 5 minutes.
const act = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

import { type EntityRef, POLL_PAGE, workflowIds } from './ids';

export type { EntityRef };

/** "More work was queued": sent with signalWithStart, so a run about to finish takes it too. */
export const moreSignal = defineSignal('more');

/** Rows per apply transaction: a poll page in large batches; webhooks start small (see `drain`). */
const POLL_APPLY_BATCH = { first: 500, max: 500 };
const WEBHOOK_APPLY_BATCH = { first: 50, max: 500 };

function reasonOf(err: unknown): string {
  return err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
}

/**
 * Starts deliverOutbox for every target with pending rows; one already running is left alone (rows
 * it misses as it ends are kicked by the next poll). Targets are kicked together: each start waits
 * for Temporal's answer, and a sales order for the ERP should not wait behind the CRM's write-back.
 */
async function kickDeliveries(): Promise<void> {
  const targets = await act.pendingDeliveries();
  if (patched('parallel-kicks')) {
    await Promise.all(targets.map(kick));
    return;
  }
  for (const target of targets) await kick(target);
}

async function kick(target: EntityRef): Promise<void> {
  try {
    await startChild(deliverOutbox, { workflowId: workflowIds.deliverOutbox(target), args: [target], parentClosePolicy: ParentClosePolicy.ABANDON });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * Drains the inbox of one connector entity with a pinned mapping version. Batches start at `batch.first`
 * rows and double, up to `batch.max`, while a backlog remains: short transactions while the inbox is
 * quiet (the gateway's inserts wait less), large ones to catch up with a burst.
 */
async function drain(ref: EntityRef, version: number, totals: { processed: number; changed: number; parked: number[] }, batch: { first: number; max: number }): Promise<void> {
  for (let size = batch.first; ; size = Math.min(size * 2, batch.max)) {
    const result = await act.applyInbox(ref.connector, ref.entity, version, size);
    totals.processed += result.applied + result.parked.length;
    totals.changed += result.changed;
    totals.parked.push(...result.parked);
    if (!result.remaining) return;
  }
}

/**
 * One poll of a connector entity: pages of changes into the inbox, each applied before the cursor
 * moves past it; then deliveries. Ends with a run: succeeded, partially_succeeded (parked records) or failed.
 */
export async function poll(ref: EntityRef): Promise<{ runId: string }> {
  const startedAt = new Date().toISOString();
  const totals = { processed: 0, changed: 0, parked: [] as number[] };
  const warnings: string[] = [];
  let pages = 0;
  try {
    const version = await act.currentMappingVersion(ref.connector, ref.entity);
    // Records that waited for a referenced record (a contact for its customer) get another try.
    if (patched('requeue-waiting')) await act.requeueWaiting(ref.connector, ref.entity);
    if (patched('poll-pages')) {
      // Many pages per activity (see pollPages); the workflow only adds up what each one did.
      let received = 0;
      for (;;) {
        const step = await act.pollPages(ref.connector, ref.entity, version, received);
        pages += step.pages;
        received += step.received;
        totals.processed += step.processed;
        totals.changed += step.changed;
        totals.parked.push(...step.parked);
        if (step.warning) warnings.push(step.warning);
        if (!step.more) break;
        if (workflowInfo().continueAsNewSuggested) {
          await act.recordRun({ kind: 'poll', ...ref, startedAt, pages, ...totals, warnings });
          return continueAsNew<typeof poll>(ref);
        }
      }
      await kickDeliveries();
      return { runId: await act.recordRun({ kind: 'poll', ...ref, startedAt, pages, ...totals, warnings }) };
    }
    let cursor = await act.loadCursor(ref.connector, ref.entity);
    let received = 0;
    for (;;) {
      const page = await act.pollPage(ref.connector, ref.entity, cursor, POLL_PAGE);
      pages++;
      received += page.received;
      await drain(ref, version, totals, POLL_APPLY_BATCH);
      cursor = page.next;
      if (!page.more) break;
      await act.saveCursor(ref.connector, ref.entity, cursor, page.received);
      if (workflowInfo().continueAsNewSuggested) {
        await act.recordRun({ kind: 'poll', ...ref, startedAt, pages, ...totals, warnings });
        return continueAsNew<typeof poll>(ref);
      }
    }
    const saved = await act.saveCursor(ref.connector, ref.entity, cursor, received);
    if (saved.warning) warnings.push(saved.warning);
    await kickDeliveries();
  } catch (err) {
    const runId = await act.recordRun({ kind: 'poll', ...ref, startedAt, pages, ...totals, warnings, error: reasonOf(err) });
    throw ApplicationFailure.nonRetryable(`poll ${ref.connector} ${ref.entity} failed (run ${runId}): ${reasonOf(err)}`);
  }
  return { runId: await act.recordRun({ kind: 'poll', ...ref, startedAt, pages, ...totals, warnings }) };
}

/** Applies what webhooks appended, until the inbox of this connector entity is empty. */
export async function applyInbox(ref: EntityRef): Promise<{ runId: string }> {
  let more = false;
  setHandler(moreSignal, () => {
    more = true;
  });
  const startedAt = new Date().toISOString();
  const totals = { processed: 0, changed: 0, parked: [] as number[] };
  const version = await act.currentMappingVersion(ref.connector, ref.entity);
  if (patched('requeue-waiting')) await act.requeueWaiting(ref.connector, ref.entity);
  do {
    more = false;
    await drain(ref, version, totals, WEBHOOK_APPLY_BATCH);
    if (workflowInfo().continueAsNewSuggested) {
      await act.recordRun({ kind: 'apply', ...ref, startedAt, pages: 1, ...totals, warnings: [] });
      return continueAsNew<typeof applyInbox>(ref);
    }
  } while (more || (await act.pendingInbox(ref.connector, ref.entity)));
  await kickDeliveries();
  const runId = await act.recordRun({ kind: 'apply', ...ref, startedAt, pages: 1, ...totals, warnings: [] });
  // A webhook that came in while the last steps ran signalled this run: a new one applies it.
  if (more && patched('recheck-more')) return continueAsNew<typeof applyInbox>(ref);
  return { runId };
}

/** Writes pending outbox rows to one target connector entity until none are left. */
export async function deliverOutbox(ref: EntityRef): Promise<{ runId: string }> {
  let more = false;
  setHandler(moreSignal, () => {
    more = true;
  });
  const startedAt = new Date().toISOString();
  const version = await act.currentMappingVersion(ref.connector, ref.entity);
  let processed = 0;
  let pages = 0;
  const parked: number[] = [];
  try {
    for (;;) {
      more = false;
      const result = await act.deliverOutbox(ref.connector, ref.entity, version);
      pages++;
      processed += result.delivered + result.parked.length;
      parked.push(...result.parked);
      if (!result.remaining && !more) break;
    }
  } catch (err) {
    const runId = await act.recordRun({ kind: 'deliver', ...ref, startedAt, pages, processed, changed: processed - parked.length, parked, warnings: [], error: reasonOf(err) });
    throw ApplicationFailure.nonRetryable(`deliver ${ref.connector} ${ref.entity} failed (run ${runId}): ${reasonOf(err)}`);
  }
  const runId = await act.recordRun({ kind: 'deliver', ...ref, startedAt, pages, processed, changed: processed - parked.length, parked, warnings: [] });
  // Rows queued while the run was being recorded signalled it: a new run delivers them.
  if (more && patched('recheck-more')) return continueAsNew<typeof deliverOutbox>(ref);
  return { runId };
}

/** Re-maps every stored source record of a connector entity with `version`, writing only what changes. */
export async function backfill(ref: EntityRef & { version: number }): Promise<{ runId: string }> {
  const startedAt = new Date().toISOString();
  let after: string | null = null;
  let processed = 0;
  let changed = 0;
  let pages = 0;
  const parked: number[] = [];
  do {
    const page: { applied: number; changed: number; parked: number[]; next: string | null } = await act.reapplyPage(ref.connector, ref.entity, ref.version, after, 200);
    pages++;
    processed += page.applied + page.parked.length;
    changed += page.changed;
    parked.push(...page.parked);
    after = page.next;
  } while (after !== null);
  await kickDeliveries();
  return { runId: await act.recordRun({ kind: 'backfill', connector: ref.connector, entity: ref.entity, startedAt, pages, processed, changed, parked, warnings: [] }) };
}
