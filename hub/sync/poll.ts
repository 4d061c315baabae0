// Polling: a page of changes from a connector's source into the inbox, and the cursor that only moves
// after that page is applied.
import type { Kysely } from 'kysely';
import type { ChangeCursor, ChangeEvent } from '../../connectors/contract';
import type { Database } from '../store/schema';
import type { ConnectorPool } from './connectors';

/** Appends change events to the inbox; a second event with the same (connector, eventKey) is ignored. */
export async function appendToInbox(db: Kysely<Database>, connector: string, events: readonly ChangeEvent[]): Promise<number> {
  const now = new Date().toISOString();
  let appended = 0;
  for (let i = 0; i < events.length; i += 200) {
    const rows = events.slice(i, i + 200).map((e) => ({
      connector,
      entity: e.entity,
      event_key: e.eventKey,
      external_id: e.externalId,
      // One format for every source, so source times compare as strings (provenance, cursors of the ledger).
      source_time: new Date(e.sourceTime).toISOString(),
      payload: e.data ? JSON.stringify(e.data) : null,
      deleted: e.deleted ? 1 : 0,
      status: 'pending',
      mapping_version: null,
      received_at: now,
      applied_at: null,
    }));
    const result = await db.insertInto('inbox').values(rows).onConflict((oc) => oc.columns(['connector', 'event_key']).doNothing()).executeTakeFirst();
    appended += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return appended;
}

interface PendingAppend {
  connector: string;
  events: readonly ChangeEvent[];
  resolve(appended: number): void;
  reject(err: unknown): void;
}

const appendQueues = new WeakMap<Kysely<Database>, { queue: PendingAppend[]; flushing: boolean }>();

/**
 * appendToInbox for concurrent callers (the webhook endpoint): the appends that arrive while the
 * store is busy are written together in one transaction once it is free ("group commit"), and each
 * caller's promise settles after that commit. A commit costs about as much as ten inserts here, and
 * on SQLite every other write waits for it. If the shared transaction fails, each append is retried
 * alone, so one caller's error is not another's.
 * @example const accepted = await appendToInboxGrouped(store.db, 'hubspot', events)
 */
export function appendToInboxGrouped(db: Kysely<Database>, connector: string, events: readonly ChangeEvent[]): Promise<number> {
  let state = appendQueues.get(db);
  if (!state) {
    state = { queue: [], flushing: false };
    appendQueues.set(db, state);
  }
  const group = state;
  const pending = new Promise<number>((resolve, reject) => group.queue.push({ connector, events, resolve, reject }));
  if (!group.flushing) {
    group.flushing = true;
    // After this turn's I/O callbacks: the requests that arrived together are written together.
    setImmediate(() => void flushAppends(db, group));
  }
  return pending;
}

async function flushAppends(db: Kysely<Database>, group: { queue: PendingAppend[]; flushing: boolean }): Promise<void> {
  for (;;) {
    // Checked and cleared in one synchronous step: an append queued later schedules its own flush.
    if (group.queue.length === 0) {
      group.flushing = false;
      return;
    }
    let batch: PendingAppend[] = [];
    try {
      const counts = await db.transaction().execute(async (trx) => {
        // Taken once the connection is ours: what arrived while waiting for it joins this commit.
        batch = group.queue;
        group.queue = [];
        const out: number[] = [];
        for (const append of batch) out.push(await appendToInbox(trx, append.connector, append.events));
        return out;
      });
      for (const [i, append] of batch.entries()) append.resolve(counts[i] ?? 0);
    } catch {
      if (batch.length === 0) {
        // The transaction did not even start: these appends try alone (and fail alone).
        batch = group.queue;
        group.queue = [];
      }
      for (const append of batch) await appendToInbox(db, append.connector, append.events).then(append.resolve, append.reject);
    }
  }
}

export async function loadCursor(db: Kysely<Database>, connector: string, entity: string): Promise<ChangeCursor | null> {
  const row = await db.selectFrom('cursors').select('cursor').where('connector', '=', connector).where('entity', '=', entity).executeTakeFirst();
  return row?.cursor ? (JSON.parse(row.cursor) as ChangeCursor) : null;
}

/** How many polls the zero-rows expectation looks back on, and how many rows a poll counts as "many". */
const RECENT_POLLS = 10;
const MANY = 10;

/**
 * Stores the cursor after its page was applied, and the poll's row count. A poll that returns zero rows
 * where each of the last ten returned many is a warning, not a silent success.
 */
export async function saveCursor(db: Kysely<Database>, connector: string, entity: string, cursor: ChangeCursor | null, received: number): Promise<{ warning?: string }> {
  const row = await db.selectFrom('cursors').select(['recent_counts', 'cursor']).where('connector', '=', connector).where('entity', '=', entity).executeTakeFirst();
  const recent = row ? (JSON.parse(row.recent_counts) as number[]) : [];
  const warning =
    received === 0 && recent.length >= RECENT_POLLS && recent.every((n) => n >= MANY)
      ? `expectation not met: ${connector} ${entity} returned no records, where each of the last ${RECENT_POLLS} polls returned ${Math.min(...recent)} or more`
      : undefined;
  const counts = JSON.stringify([...recent, received].slice(-RECENT_POLLS));
  const value = cursor ? JSON.stringify(cursor) : (row?.cursor ?? null);
  const now = new Date().toISOString();
  await db
    .insertInto('cursors')
    .values({ connector, entity, cursor: value, recent_counts: counts, updated_at: now })
    .onConflict((oc) => oc.columns(['connector', 'entity']).doUpdateSet({ cursor: value, recent_counts: counts, updated_at: now }))
    .execute();
  return { warning };
}

/** Reads one page of changes after `cursor` and appends it to the inbox. The cursor is not moved here. */
export async function pollPage(db: Kysely<Database>, pool: ConnectorPool, connectorName: string, entity: string, cursor: ChangeCursor | null, limit: number) {
  const connector = await pool.get(db, connectorName);
  const source = connector.instance.entities[entity]?.source;
  if (!source) return { received: 0, appended: 0, next: cursor, more: false };
  const page = await source.listChanged(cursor, limit);
  const events: ChangeEvent[] = page.records.map((r) => ({
    entity,
    // The same record at the same source time is the same change, however often it is polled.
    eventKey: `poll:${entity}:${r.externalId}:${r.sourceTime}`,
    externalId: r.externalId,
    sourceTime: r.sourceTime,
    data: r.data,
    deleted: r.deleted,
  }));
  const appended = await appendToInbox(db, connectorName, events);
  return { received: page.records.length, appended, next: page.next ?? cursor, more: page.more };
}
