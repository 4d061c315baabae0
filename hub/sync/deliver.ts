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

/** Links a written record and marks its outbox row done. */
async function confirm(db: Kysely<Database>, connector: string, entity: string, row: OutboxRow, externalId: string, writtenHash: string, version: number, canonicalEntity: string): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('links')
    .values({ connector, entity, external_id: externalId, canonical_entity: canonicalEntity, canonical_id: row.canonical_id, last_written_hash: writtenHash, last_seen_hash: null, mapping_version: version, updated_at: now })
    .onConflict((oc) => oc.columns(['connector', 'entity', 'external_id']).doUpdateSet({ canonical_id: row.canonical_id, last_written_hash: writtenHash, mapping_version: version, updated_at: now }))
    .execute();
  await db.updateTable('outbox').set({ status: 'done', external_id: externalId, done_at: now }).where('id', '=', row.id).execute();
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
  if (!sink) {
    await db.transaction().execute(async (trx) => {
      for (const row of rows) outcome.parked.push(await parkOut(trx, connectorName, entity, row, 'invalid', `${connectorName} cannot write ${entity} records`, defaultVersion));
    });
    return outcome;
  }

  // Everything the batch needs is read in a few queries, not a few per row: its mappings, links,
  // records, the references they carry, and the effect ledger.
  const mappings = new Map<number, MappingDefinition>();
  for (const version of new Set(rows.map((r) => r.mapping_version ?? defaultVersion))) mappings.set(version, await resolveMapping(db, connector.type, entity, version));
  const defOf = (row: OutboxRow) => mappings.get(row.mapping_version ?? defaultVersion) as MappingDefinition;
  const ids = [...new Set(rows.map((r) => r.canonical_id))];
  const links = new Map(
    (await db.selectFrom('links').select(['canonical_id', 'external_id', 'last_written_hash']).where('connector', '=', connectorName).where('entity', '=', entity).where('canonical_id', 'in', ids).execute()).map((l) => [l.canonical_id, l]),
  );
  const records = new Map<string, StoredMeta & Record<string, unknown>>();
  for (const canonical of new Set([...mappings.values()].map((d) => d.canonical))) {
    const store = RECORDS_BY_ENTITY[canonical as keyof typeof RECORDS_BY_ENTITY];
    if (!store) throw new Problem(409, 'Not deliverable', `mapping ${connector.type} ${entity} maps ${canonical}, which Qiao does not write out`);
    const wantedIds = [...new Set(rows.filter((r) => r.operation !== 'delete' && defOf(r).canonical === canonical).map((r) => r.canonical_id))];
    for (const record of await (store.findBy as (d: unknown, c: string, v: string[]) => Promise<(StoredMeta & Record<string, unknown>)[]>)(db, 'id', wantedIds)) records.set(record.id as string, record);
  }
  const wantedRefs = rows.flatMap((row) => {
    const record = records.get(row.canonical_id);
    return record ? referencedCanonicalIds(defOf(row), record) : [];
  });
  const refs = await lookupRefs(db, connectorName, 'out', wantedRefs.map((r) => ({ entity: r.entity, id: r.canonicalId })));

  // What to record about each row; written in one transaction before the call (with the claims).
  const now = new Date().toISOString();
  const settled: { id: number; status: string; error: string | null; externalId: string | null }[] = [];
  const waiting: { id: number; error: string }[] = [];
  const confirmedBefore: { row: OutboxRow; externalId: string; hash: string; version: number; canonicalEntity: string }[] = [];
  const refused: { row: OutboxRow; reason: string; version: number; externalId?: string }[] = [];
  const claims: string[] = [];
  const writes: { row: OutboxRow; write: SinkWrite; key: string; hash: string; version: number; canonicalEntity: string }[] = [];
  const prepared: { row: OutboxRow; def: MappingDefinition; version: number; link: { external_id: string; last_written_hash: string | null } | undefined; record: StoredMeta & Record<string, unknown>; value: Record<string, unknown>; key: string; hash: string }[] = [];
  for (const row of rows) {
    const version = row.mapping_version ?? defaultVersion;
    const def = defOf(row);
    const link = links.get(row.canonical_id);
    if (row.operation === 'delete') {
      if (link && sink.delete) {
        await sink.delete(link.external_id);
        await db.updateTable('outbox').set({ status: 'done', external_id: link.external_id, done_at: new Date().toISOString() }).where('id', '=', row.id).execute();
      } else {
        // Recorded where the target cannot delete: visible in the trace, nothing lost.
        settled.push({ id: row.id, status: 'recorded', error: link ? `${connectorName} cannot delete ${entity} records` : 'never delivered', externalId: null });
      }
      outcome.delivered++;
      continue;
    }
    if (!link && sink.updatesOnly) {
      // Not this system's record, and it takes none from elsewhere: nothing to do, and nothing lost.
      settled.push({ id: row.id, status: 'recorded', error: `not linked to ${connectorName}, which takes updates only: ${sink.updatesOnly}`, externalId: null });
      outcome.delivered++;
      continue;
    }
    const record = records.get(row.canonical_id);
    if (!record) {
      settled.push({ id: row.id, status: 'recorded', error: 'the record was deleted before delivery', externalId: null });
      continue;
    }
    const missing = referencedCanonicalIds(def, record).filter((r) => !refs[r.entity]?.[r.canonicalId]);
    if (missing.length && Date.now() - Date.parse(row.created_at) < REFERENCE_WAIT_MS) {
      // The record it refers to (an order's customer) is not in the target yet: its own delivery is
      // usually moments away. The row stays pending and the activity retries with backoff.
      const what = missing.map((r) => `${r.entity} ${r.canonicalId}`).join(', ');
      waiting.push({ id: row.id, error: `waiting for ${what} to be in ${connectorName}` });
      outcome.retry ??= new ConnectorError('retryable', `${entity} ${row.canonical_id} waits for ${what} to be in ${connectorName}`);
      continue;
    }
    const mapped = mapToExternal(def, record, { refs, defaults: mapDefaults(connector.config), creating: !link });
    if (mapped.errors.length) {
      refused.push({ row, reason: `mapping v${version}: ${mapped.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, version, externalId: link?.external_id });
      continue;
    }
    const hash = contentHash(writtenProjection(def, mapped.value));
    if (link?.last_written_hash === hash) {
      // What the target would get is what it has (the change was to fields this target does not
      // take, e.g. a product's name where only stock is pushed): no call.
      settled.push({ id: row.id, status: 'done', error: 'unchanged for this target', externalId: link.external_id });
      outcome.delivered++;
      continue;
    }
    // Two rows about one record (a race of enqueues): one write per record and batch; the other row
    // stays pending and finds the target up to date next time.
    if (prepared.some((p) => p.row.canonical_id === row.canonical_id)) {
      outcome.remaining = true;
      continue;
    }
    prepared.push({ row, def, version, link, record, value: mapped.value, hash, key: contentHash([row.canonical_id, 'upsert', mapped.value, version]) });
  }
  const effects = new Map<string, { status: string; external_id: string | null }>();
  const keys = prepared.map((p) => p.key);
  for (let i = 0; i < keys.length; i += 500) {
    for (const e of await db.selectFrom('effects').select(['key', 'status', 'external_id']).where('key', 'in', keys.slice(i, i + 500)).execute()) effects.set(e.key, e);
  }
  for (const p of prepared) {
    const canonicalEntity = p.def.canonical;
    const effect = effects.get(p.key);
    if (effect?.status === 'confirmed' && effect.external_id) {
      confirmedBefore.push({ row: p.row, externalId: effect.external_id, hash: p.hash, version: p.version, canonicalEntity });
      outcome.delivered++;
      continue;
    }
    const identity = identityOf(p.def, p.record);
    let externalId = p.link?.external_id;
    let data = p.value;
    if (effect && !externalId && identity?.value) {
      // Claimed before, never confirmed: the call may have succeeded, or stopped halfway (an order
      // created but not confirmed). Read back; when found, the write goes on as an update of it.
      externalId = await sink.findByIdentity(identity.field, identity.value);
      if (externalId) {
        const update = mapToExternal(p.def, p.record, { refs, defaults: mapDefaults(connector.config), creating: false });
        if (!update.errors.length) data = update.value;
      }
    }
    if (!effect) claims.push(p.key);
    writes.push({ row: p.row, key: p.key, hash: p.hash, version: p.version, canonicalEntity, write: { idempotencyKey: p.key, canonicalId: p.row.canonical_id, externalId, data, identity } });
  }

  await db.transaction().execute(async (trx) => {
    for (const s of settled) await trx.updateTable('outbox').set({ status: s.status, error: s.error, external_id: s.externalId, done_at: now }).where('id', '=', s.id).execute();
    for (const w of waiting) await trx.updateTable('outbox').set((eb) => ({ attempts: eb('attempts', '+', 1), error: w.error })).where('id', '=', w.id).execute();
    for (const r of refused) outcome.parked.push(await parkOut(trx, connectorName, entity, r.row, 'invalid', r.reason, r.version, r.externalId));
    for (const c of confirmedBefore) await confirm(trx, connectorName, entity, c.row, c.externalId, c.hash, c.version, c.canonicalEntity);
    const claimed = claims.map((key) => ({ key, connector: connectorName, operation: `${entity}.upsert`, status: 'claimed', external_id: null, claimed_at: now, confirmed_at: null }));
    for (let i = 0; i < claimed.length; i += 100) await trx.insertInto('effects').values(claimed.slice(i, i + 100)).execute();
  });
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
  if (results.length !== writes.length) throw new Error(`${connectorName} answered ${results.length} results for ${writes.length} writes`);
  await db.transaction().execute(async (trx) => {
    const at = new Date().toISOString();
    for (const [i, w] of writes.entries()) {
      const result = results[i] as (typeof results)[number];
      if (result.ok) {
        await trx.updateTable('effects').set({ status: 'confirmed', external_id: result.externalId, confirmed_at: at }).where('key', '=', w.key).execute();
        await confirm(trx, connectorName, entity, w.row, result.externalId, w.hash, w.version, w.canonicalEntity);
        outcome.delivered++;
      } else if (result.error.retryable) {
        await trx.updateTable('outbox').set((eb) => ({ attempts: eb('attempts', '+', 1), error: result.error.message })).where('id', '=', w.row.id).execute();
        outcome.retry ??= result.error;
      } else {
        // The target refused this record for good: free the claim so a replay can write it again.
        await trx.deleteFrom('effects').where('key', '=', w.key).execute();
        outcome.parked.push(await parkOut(trx, connectorName, entity, w.row, result.error.kind, result.error.message, w.version, w.write.externalId));
      }
    }
  });
  return outcome;
}
