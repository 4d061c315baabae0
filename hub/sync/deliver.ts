// Deliver: drains the outbox of one target (connector, entity) in batches — maps canonical → external,
// writes through the target's batch API with deterministic idempotency keys, and links the results.
// Targets that take no idempotency key are protected by the effect ledger: a key is claimed before the
// call and confirmed after, and a claim without a confirmation is resolved by reading back.
import type { Kysely } from 'kysely';
import type { SinkWrite } from '../../connectors/contract';
import { ConnectorError } from '../../connectors/errors';
import { identityOf, type MappingDefinition, mapToExternal, referencedCanonicalIds } from '../../mappings/engine';
import { Problem } from '../problem';
import type { StoredMeta } from '../store/records';
import { RECORDS_BY_ENTITY } from '../store/resources';
import type { Database } from '../store/schema';
import { mapDefaults, REFERENCE_WAIT_MS, writtenProjection } from './apply';
import type { ConnectorPool } from './connectors';
import { contentHash } from './hash';
import { resolveMapping } from './mapping-versions';
import { lookupRefs } from './refs';


export interface DeliverOutcome {
  delivered: number;
  parked: number[];
  /** Rows a transient error left pending; the activity throws after recording them so Temporal retries. */
  retry: ConnectorError | undefined;
  remaining: boolean;
}

interface OutboxRow {
  id: number;
  canonical_id: string;
  operation: string;
  mapping_version: number | null;
  created_at: string;
}

async function parkOut(db: Kysely<Database>, connector: string, entity: string, row: OutboxRow, kind: string, reason: string, version: number, externalId?: string): Promise<number> {
  const now = new Date().toISOString();
  const inserted = await db
    .insertInto('dead_letters')
    .values({ connector, entity, direction: 'out', ref_id: row.id, canonical_id: row.canonical_id, external_id: externalId ?? null, error_kind: kind, reason, mapping_version: version, status: 'open', created_at: now, replayed_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('outbox').set({ status: 'dead', error: reason, done_at: now }).where('id', '=', row.id).execute();
  return Number(inserted.id);
}

async function linkWritten(db: Kysely<Database>, connector: string, entity: string, canonicalEntity: string, canonicalId: string, externalId: string, writtenHash: string, version: number): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('links')
    .values({ connector, entity, external_id: externalId, canonical_entity: canonicalEntity, canonical_id: canonicalId, last_written_hash: writtenHash, last_seen_hash: null, mapping_version: version, updated_at: now })
    .onConflict((oc) => oc.columns(['connector', 'entity', 'external_id']).doUpdateSet({ canonical_id: canonicalId, last_written_hash: writtenHash, mapping_version: version, updated_at: now }))
    .execute();
}

/** Delivers up to one sink batch of pending outbox rows for a target connector entity. */
export async function deliverOutboxBatch(db: Kysely<Database>, pool: ConnectorPool, connectorName: string, entity: string, defaultVersion: number): Promise<DeliverOutcome> {
  const connector = await pool.get(db, connectorName);
  const sink = connector.instance.entities[entity]?.sink;
  const outcome: DeliverOutcome = { delivered: 0, parked: [], retry: undefined, remaining: false };
  const pending = (await db
    .selectFrom('outbox')
    .select(['id', 'canonical_id', 'operation', 'mapping_version', 'created_at'])
    .where('connector', '=', connectorName)
    .where('entity', '=', entity)
    .where('status', '=', 'pending')
    .orderBy('id')
    .limit((sink?.maxBatch ?? 100) + 1)
    .execute()) as OutboxRow[];
  const rows = pending.slice(0, sink?.maxBatch ?? 100);
  outcome.remaining = pending.length > rows.length;
  if (!rows.length) return outcome;
  const now = () => new Date().toISOString();
  if (!sink) {
    for (const row of rows) outcome.parked.push(await parkOut(db, connectorName, entity, row, 'invalid', `${connectorName} cannot write ${entity} records`, defaultVersion));
    return outcome;
  }

  const mappings = new Map<number, MappingDefinition>();
  const writes: { row: OutboxRow; write: SinkWrite; key: string; hash: string; version: number; canonicalEntity: string }[] = [];
  for (const row of rows) {
    const version = row.mapping_version ?? defaultVersion;
    let def = mappings.get(version);
    if (!def) {
      def = await resolveMapping(db, connector.type, entity, version);
      mappings.set(version, def);
    }
    const canonicalEntity = def.canonical as keyof typeof RECORDS_BY_ENTITY;
    const records = RECORDS_BY_ENTITY[canonicalEntity];
    if (!records) throw new Problem(409, 'Not deliverable', `mapping ${connector.type} ${entity} maps ${def.canonical}, which Qiao does not write out`);
    const link = await db.selectFrom('links').select(['external_id', 'last_written_hash']).where('connector', '=', connectorName).where('entity', '=', entity).where('canonical_id', '=', row.canonical_id).executeTakeFirst();

    if (row.operation === 'delete') {
      if (link && sink.delete) {
        await sink.delete(link.external_id);
        await db.updateTable('outbox').set({ status: 'done', external_id: link.external_id, done_at: now() }).where('id', '=', row.id).execute();
      } else {
        // Recorded where the target cannot delete: visible in the trace, nothing lost.
        await db.updateTable('outbox').set({ status: 'recorded', error: link ? `${connectorName} cannot delete ${entity} records` : 'never delivered', done_at: now() }).where('id', '=', row.id).execute();
      }
      outcome.delivered++;
      continue;
    }

    if (!link && sink.updatesOnly) {
      // Not this system's record, and it takes none from elsewhere: nothing to do, and nothing lost.
      await db.updateTable('outbox').set({ status: 'recorded', error: `not linked to ${connectorName}, which takes updates only: ${sink.updatesOnly}`, done_at: now() }).where('id', '=', row.id).execute();
      outcome.delivered++;
      continue;
    }
    const record = (await (records.findBy as (d: unknown, c: string, v: string[]) => Promise<(StoredMeta & Record<string, unknown>)[]>)(db, 'id', [row.canonical_id]))[0];
    if (!record) {
      await db.updateTable('outbox').set({ status: 'recorded', error: 'the record was deleted before delivery', done_at: now() }).where('id', '=', row.id).execute();
      continue;
    }
    // Reverse references (canonical id → external id), looked up before mapping.
    const wanted = referencedCanonicalIds(def, record);
    const refs = await lookupRefs(db, connectorName, 'out', wanted.map((r) => ({ entity: r.entity, id: r.canonicalId })));
    const missing = wanted.filter((r) => !refs[r.entity]?.[r.canonicalId]);
    if (missing.length && Date.now() - Date.parse(row.created_at) < REFERENCE_WAIT_MS) {
      // The record it refers to (an order's customer) is not in the target yet: its own delivery is
      // usually moments away. The row stays pending and the activity retries with backoff.
      const what = missing.map((r) => `${r.entity} ${r.canonicalId}`).join(', ');
      await db.updateTable('outbox').set((eb) => ({ attempts: eb('attempts', '+', 1), error: `waiting for ${what} to be in ${connectorName}` })).where('id', '=', row.id).execute();
      outcome.retry ??= new ConnectorError('retryable', `${entity} ${row.canonical_id} waits for ${what} to be in ${connectorName}`);
      continue;
    }
    const mapped = mapToExternal(def, record, { refs, defaults: mapDefaults(connector.config), creating: !link });
    if (mapped.errors.length) {
      outcome.parked.push(await parkOut(db, connectorName, entity, row, 'invalid', `mapping v${version}: ${mapped.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, version, link?.external_id));
      continue;
    }
    const identity = identityOf(def, record);
    const key = contentHash([row.canonical_id, 'upsert', mapped.value, version]);
    const hash = contentHash(writtenProjection(def, mapped.value));
    if (link?.last_written_hash === hash) {
      // What the target would get is what it has (the change was to fields this target does not
      // take, e.g. a product's name where only stock is pushed): no call.
      await db.updateTable('outbox').set({ status: 'done', external_id: link.external_id, error: 'unchanged for this target', done_at: now() }).where('id', '=', row.id).execute();
      outcome.delivered++;
      continue;
    }
    const effect = await db.selectFrom('effects').selectAll().where('key', '=', key).executeTakeFirst();
    if (effect?.status === 'confirmed' && effect.external_id) {
      await linkWritten(db, connectorName, entity, canonicalEntity, row.canonical_id, effect.external_id, hash, version);
      await db.updateTable('outbox').set({ status: 'done', external_id: effect.external_id, done_at: now() }).where('id', '=', row.id).execute();
      outcome.delivered++;
      continue;
    }
    let externalId = link?.external_id;
    let data = mapped.value;
    if (effect && !externalId && identity?.value) {
      // Claimed before, never confirmed: the call may have succeeded, or stopped halfway (an order
      // created but not confirmed). Read back; when found, the write goes on as an update of it.
      externalId = await sink.findByIdentity(identity.field, identity.value);
      if (externalId) {
        const update = mapToExternal(def, record, { refs, defaults: mapDefaults(connector.config), creating: false });
        if (!update.errors.length) data = update.value;
      }
    }
    if (!effect) {
      await db.insertInto('effects').values({ key, connector: connectorName, operation: `${entity}.upsert`, status: 'claimed', external_id: null, claimed_at: now(), confirmed_at: null }).execute();
    }
    writes.push({ row, key, hash, version, canonicalEntity, write: { idempotencyKey: key, canonicalId: row.canonical_id, externalId, data, identity } });
  }
  if (!writes.length) return outcome;

  let results: Awaited<ReturnType<typeof sink.upsert>>;
  try {
    results = await sink.upsert(writes.map((w) => w.write));
  } catch (err) {
    if (err instanceof ConnectorError) {
      await db.updateTable('outbox').set((eb) => ({ attempts: eb('attempts', '+', 1), error: err.message })).where('id', 'in', writes.map((w) => w.row.id)).execute();
      outcome.retry = err;
      return outcome;
    }
    throw err;
  }
  for (const [i, w] of writes.entries()) {
    const result = results[i];
    if (!result) throw new Error(`${connectorName} answered ${results.length} results for ${writes.length} writes`);
    if (result.ok) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('effects').set({ status: 'confirmed', external_id: result.externalId, confirmed_at: now() }).where('key', '=', w.key).execute();
        await linkWritten(trx as unknown as Kysely<Database>, connectorName, entity, w.canonicalEntity, w.row.canonical_id, result.externalId, w.hash, w.version);
        await trx.updateTable('outbox').set({ status: 'done', external_id: result.externalId, done_at: now() }).where('id', '=', w.row.id).execute();
      });
      outcome.delivered++;
    } else if (result.error.retryable) {
      await db.updateTable('outbox').set((eb) => ({ attempts: eb('attempts', '+', 1), error: result.error.message })).where('id', '=', w.row.id).execute();
      outcome.retry ??= result.error;
    } else {
      // The target refused this record for good: free the claim so a replay can write it again.
      await db.deleteFrom('effects').where('key', '=', w.key).execute();
      outcome.parked.push(await parkOut(db, connectorName, entity, w.row, result.error.kind, result.error.message, w.version, w.write.externalId));
    }
  }
  return outcome;
}
