// The conflict inbox: a disagreement field ownership cannot settle (an order line changed in a CRM
// after the ERP confirmed the order) is kept with both values until someone chooses; never overwritten.
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { OrderPatch } from '../../mappings/canonical';
import { Problem } from '../problem';
import type { Actor, Db } from '../store/records';
import type { Queued } from './outbox';
import { RECORDS_BY_ENTITY } from '../store/resources';
import type { Database } from '../store/schema';

export interface ConflictProposal {
  entity: string;
  recordId: string;
  field: string;
  current: { value: unknown; source?: string; sourceTime?: string };
  proposed: { value: unknown; source: string; sourceTime: string };
  connector: string;
  connectorEntity: string;
  externalId?: string;
  reason: string;
}

/** Files a conflict, unless the same proposal for the same field is already open. Returns its id. */
export async function recordConflict(db: Db, c: ConflictProposal, now: string): Promise<number> {
  const proposed = JSON.stringify(c.proposed.value);
  const open = await db
    .selectFrom('conflicts')
    .select('id')
    .where('entity', '=', c.entity)
    .where('record_id', '=', c.recordId)
    .where('field', '=', c.field)
    .where('proposed_source', '=', c.proposed.source)
    .where('proposed_value', '=', proposed)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (open) return Number(open.id);
  const row = await db
    .insertInto('conflicts')
    .values({
      entity: c.entity,
      record_id: c.recordId,
      field: c.field,
      current_value: JSON.stringify(c.current.value ?? null),
      current_source: c.current.source ?? null,
      current_source_time: c.current.sourceTime ?? null,
      proposed_value: proposed,
      proposed_source: c.proposed.source,
      proposed_source_time: c.proposed.sourceTime,
      connector: c.connector,
      connector_entity: c.connectorEntity,
      external_id: c.externalId ?? null,
      reason: c.reason,
      status: 'open',
      resolution: null,
      resolved_by: null,
      resolved_at: null,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

type ConflictRow = Awaited<ReturnType<typeof loadConflict>>;

/** How a chosen proposal is checked before it is written (defaults filled in), per entity with conflicts. */
const PATCHES: Readonly<Record<string, z.ZodType>> = { order: OrderPatch };

async function loadConflict(db: Db, id: number) {
  const row = await db.selectFrom('conflicts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new Problem(404, 'Not found', `no conflict ${id}`);
  return row;
}

/** A conflict as the API shows it. */
export function presentConflict(row: ConflictRow) {
  return {
    id: Number(row.id),
    entity: row.entity,
    recordId: row.record_id,
    field: row.field,
    current: { value: JSON.parse(row.current_value) as unknown, source: row.current_source, sourceTime: row.current_source_time },
    proposed: { value: JSON.parse(row.proposed_value) as unknown, source: row.proposed_source, sourceTime: row.proposed_source_time },
    connector: row.connector,
    connectorEntity: row.connector_entity,
    externalId: row.external_id,
    reason: row.reason,
    status: row.status,
    resolution: row.resolution,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    createdAt: row.created_at,
  };
}

export async function listConflicts(db: Db, filter: { status?: string; entity?: string; recordId?: string; limit: number }) {
  let query = db.selectFrom('conflicts').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.entity) query = query.where('entity', '=', filter.entity);
  if (filter.recordId) query = query.where('record_id', '=', filter.recordId);
  return (await query.execute()).map(presentConflict);
}

/**
 * Settles a conflict. `proposed`: the proposed value is written to the record as `actor` (the record's
 * own rules apply: a line change on a shipped order is still refused), and delivered to every system.
 * `current`: the record stays; it is sent again to the system that proposed the change, so that system
 * shows the value Qiao kept. Returns the connectors a delivery was queued for.
 */
export async function resolveConflict(db: Kysely<Database>, id: number, choice: 'current' | 'proposed', actor: Actor): Promise<{ conflict: ReturnType<typeof presentConflict>; queued: Queued[] }> {
  const row = await loadConflict(db, id);
  if (row.status !== 'open') throw new Problem(409, 'Already resolved', `conflict ${id} was resolved (${row.resolution}) by ${row.resolved_by} at ${row.resolved_at}`);
  const records = RECORDS_BY_ENTITY[row.entity as keyof typeof RECORDS_BY_ENTITY];
  if (!records) throw new Problem(409, 'Unknown entity', `conflict ${id} is about ${row.entity}, which Qiao does not store`);
  const queued: Queued[] = [];
  const now = new Date().toISOString();
  if (choice === 'proposed') {
    const targets: Queued[] = [];
    const schema = PATCHES[row.entity];
    if (!schema) throw new Problem(409, 'Cannot apply', `conflicts about ${row.entity} can only be settled by keeping the current value`);
    const parsed = schema.safeParse({ [row.field]: JSON.parse(row.proposed_value) });
    if (!parsed.success) throw new Problem(422, 'Invalid proposal', `the proposed ${row.field} is not valid any more: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    await (records.update as (db: unknown, key: string, patch: unknown, ifMatch: undefined, actor: Actor, queued: Queued[]) => Promise<unknown>)(
      db,
      row.record_id,
      parsed.data,
      undefined,
      actor,
      targets,
    );
    queued.push(...targets);
  } else {
    await db
      .insertInto('outbox')
      .values({ connector: row.connector, entity: row.connector_entity, canonical_id: row.record_id, operation: 'upsert', status: 'pending', mapping_version: null, external_id: null, error: null, created_at: now, done_at: null })
      .execute();
    queued.push({ connector: row.connector, entity: row.connector_entity });
  }
  await db.updateTable('conflicts').set({ status: 'resolved', resolution: choice, resolved_by: actor.name, resolved_at: now }).where('id', '=', id).execute();
  return { conflict: presentConflict(await loadConflict(db, id)), queued };
}
