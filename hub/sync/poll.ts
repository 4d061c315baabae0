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
