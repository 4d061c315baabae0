// Outbox intents: every change to a canonical record is queued for each system subscribed to it.
import type { Db } from '../store/records';

/** Connectors (by name) that receive `entity` records. */
async function subscribers(db: Db, entity: string, except?: string): Promise<string[]> {
  const rows = await db.selectFrom('connectors').select(['name', 'entities']).where('enabled', '=', 1).execute();
  return rows
    .filter((r) => r.name !== except)
    .filter((r) => {
      const settings = (JSON.parse(r.entities) as Record<string, { direction?: string }>)[entity];
      return settings !== undefined && settings.direction !== 'in';
    })
    .map((r) => r.name);
}

/** A (connector, entity) a delivery was queued for: what to wake. */
export interface Queued {
  connector: string;
  entity: string;
}

/**
 * Queues a delivery of a record to every subscriber but `except` (the system the change came from).
 * A record already waiting for a target is not queued twice: delivery reads its latest state.
 * Returns the targets queued for, to wake them.
 */
export async function enqueueDeliveries(db: Db, entity: string, canonicalIds: readonly string[], operation: 'upsert' | 'delete', except?: string): Promise<Queued[]> {
  if (canonicalIds.length === 0) return [];
  const targets = await subscribers(db, entity, except);
  const now = new Date().toISOString();
  for (const connector of targets) {
    const waiting = new Set(
      (
        await db
          .selectFrom('outbox')
          .select('canonical_id')
          .where('connector', '=', connector)
          .where('entity', '=', entity)
          .where('status', '=', 'pending')
          .where('operation', '=', operation)
          .where('canonical_id', 'in', canonicalIds)
          .execute()
      ).map((r) => r.canonical_id),
    );
    const rows = canonicalIds
      .filter((id) => !waiting.has(id))
      .map((id) => ({ connector, entity, canonical_id: id, operation, status: 'pending', mapping_version: null, external_id: null, error: null, created_at: now, done_at: null }));
    for (let i = 0; i < rows.length; i += 500) await db.insertInto('outbox').values(rows.slice(i, i + 500)).execute();
  }
  return targets.map((connector) => ({ connector, entity }));
}
