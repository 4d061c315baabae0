// Apply: drains the inbox of one (connector, entity) in batches — maps each external record with a
// pinned mapping version, merges it into the canonical store by field ownership, writes the ledger,
// the link and the outbox intents for the other subscribed systems.
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import {
  ContactInput,
  ContactPatch,
  CustomerInput,
  CustomerPatch,
  mayWrite,
  newCanonicalId,
  ProductInput,
  ProductPatch,
  type Provenance,
} from '../../mappings/canonical';
import { diffFields, type MappingDefinition, mapToCanonical, ownedFields, referencedIds } from '../../mappings/engine';
import { fieldErrors, Problem } from '../problem';
import { type Actor, appendAudit, contentOf, type Db, type StoredMeta } from '../store/records';
import { contacts, customers, products } from '../store/resources';
import type { Database } from '../store/schema';
import type { ApplyResult } from '../../workflows/activities';
import type { ConnectorPool } from './connectors';
import { contentHash } from './hash';
import { resolveMapping } from './mapping-versions';
import { loadProvenance, saveProvenance } from './provenance';
import { lookupRefs } from './refs';
import { enqueueDeliveries } from './outbox';

type Doc = StoredMeta & Record<string, unknown>;

interface CanonicalTarget {
  /** The canonical entity records of this kind are stored as. */
  entity: 'customer' | 'contact' | 'product';
  records: { findBy(db: Db, column: string, values: readonly string[]): Promise<unknown[]>; insertMany(db: Db, r: never[]): Promise<void>; replace(db: Db, b: never, a: never): Promise<void>; spec: { idPrefix: string; create(db: Db, input: never, meta: StoredMeta): Promise<unknown>; patch(db: Db, before: never, patch: never, now: string): Promise<unknown> } };
  input: z.ZodType;
  patch: z.ZodType;
  /** Canonical fields that identify a record without a link (business keys). */
  keys: Record<string, string>;
}

const TARGETS: Record<string, CanonicalTarget> = {
  customer: { entity: 'customer', records: customers as never, input: CustomerInput, patch: CustomerPatch, keys: { id: 'id', number: 'number' } },
  contact: { entity: 'contact', records: contacts as never, input: ContactInput, patch: ContactPatch, keys: { id: 'id' } },
  product: { entity: 'product', records: products as never, input: ProductInput, patch: ProductPatch, keys: { id: 'id', sku: 'sku' } },
  // A stock level is part of a product: it is merged into `stockLevels` of the product with its SKU.
  stock_level: { entity: 'product', records: products as never, input: ProductInput, patch: ProductPatch, keys: { sku: 'sku' } },
};

export interface InboxRow {
  id: number;
  external_id: string;
  source_time: string;
  payload: string | null;
  deleted: number;
  mapping_version: number | null;
}

/** What one apply batch did; the activity adds whether rows remain. */
export type ApplyOutcome = Omit<ApplyResult, 'remaining'>;

/** Defaults a mapping may fall back to, from the connector's config (e.g. the company currency). */
export function mapDefaults(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(['currency', 'country'].filter((k) => typeof config[k] === 'string').map((k) => [k, config[k] as string]));
}

/** The external fields a mapping writes, for the echo guard: what we wrote, projected on what came back. */
export function writtenProjection(def: MappingDefinition, data: Record<string, unknown>): Record<string, unknown> {
  const keys = new Set(ownedFields(def).external.map((f) => f.split('.')[0] as string));
  return Object.fromEntries([...keys].sort().map((k) => [k, data[k] === false ? null : (data[k] ?? null)]));
}

async function park(db: Db, row: InboxRow, connector: string, entity: string, kind: string, reason: string, version: number): Promise<number> {
  const inserted = await db
    .insertInto('dead_letters')
    .values({ connector, entity, direction: 'in', ref_id: row.id, canonical_id: null, external_id: row.external_id, error_kind: kind, reason, mapping_version: version, status: 'open', created_at: new Date().toISOString(), replayed_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('inbox').set({ status: 'dead', applied_at: new Date().toISOString() }).where('id', '=', row.id).execute();
  return Number(inserted.id);
}

/**
 * Applies the given inbox rows of one connector entity in one transaction.
 * `force` (re-apply with a new mapping version) skips the echo guard.
 */
export async function applyRows(
  db: Kysely<Database>,
  connector: { name: string; type: string; config?: Record<string, unknown> },
  entity: string,
  defaultVersion: number,
  rows: InboxRow[],
  options: { force?: boolean } = {},
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { applied: 0, changed: 0, unchanged: 0, echoes: 0, parked: [], deliveries: [] };
  const actor: Actor = { name: `connector:${connector.name}`, role: 'system' };
  // Resolved before the transaction: on SQLite the transaction holds the only connection.
  const mappings = new Map<number, MappingDefinition>();
  for (const version of new Set(rows.map((r) => r.mapping_version ?? defaultVersion))) {
    mappings.set(version, await resolveMapping(db, connector.type, entity, version));
  }
  const mappingFor = (version: number) => mappings.get(version) as MappingDefinition;
  await db.transaction().execute(async (trx) => {
    const changedIds = new Map<string, Set<string>>();
    for (const row of rows) {
      if (!options.force) {
        // Claim the row: of two appliers racing for it (a webhook run and a poll), one wins.
        const claimed = await trx.updateTable('inbox').set({ status: 'applying' }).where('id', '=', row.id).where('status', '=', 'pending').executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 0) continue;
      }
      const version = row.mapping_version ?? defaultVersion;
      const def = mappingFor(version);
      const target = TARGETS[def.canonical];
      if (!target) throw new Error(`mapping ${connector.type} ${entity} v${version} targets unknown canonical entity ${def.canonical}`);
      const now = new Date().toISOString();
      const link = await trx.selectFrom('links').selectAll().where('connector', '=', connector.name).where('entity', '=', entity).where('external_id', '=', row.external_id).executeTakeFirst();

      if (row.deleted) {
        // Recorded, not propagated: the canonical record stays; the ledger says the source deleted it.
        if (link) {
          await trx
            .insertInto('ledger')
            .values({ canonical_entity: link.canonical_entity, canonical_id: link.canonical_id, connector: connector.name, entity, external_id: row.external_id, inbox_id: row.id, mapping_version: version, before_hash: null, after_hash: 'deleted', changes: JSON.stringify([{ field: '$deleted', before: false, after: true }]), at: now })
            .execute();
        }
        await trx.updateTable('inbox').set({ status: 'applied', applied_at: now, mapping_version: version }).where('id', '=', row.id).execute();
        outcome.applied++;
        continue;
      }

      const data = JSON.parse(row.payload ?? '{}') as Record<string, unknown>;
      if (!options.force && link?.last_written_hash && contentHash(writtenProjection(def, data)) === link.last_written_hash) {
        await trx.updateTable('inbox').set({ status: 'echo', applied_at: now, mapping_version: version }).where('id', '=', row.id).execute();
        outcome.echoes++;
        continue;
      }

      // Ids the mapping needs are looked up before it runs.
      const refs = await lookupRefs(trx, connector.name, 'in', referencedIds(def, data).map((r) => ({ entity: r.entity, id: r.externalId })));
      const mapped = mapToCanonical(def, data, { refs, defaults: mapDefaults(connector.config ?? {}) });
      if (mapped.errors.length) {
        outcome.parked.push(await park(trx, row, connector.name, entity, 'invalid', `mapping v${version}: ${mapped.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, version));
        continue;
      }

      // The canonical record: by link, else by a business key the mapping produced.
      let before: Doc | undefined;
      if (link) before = (await target.records.findBy(trx, 'id', [link.canonical_id]))[0] as Doc | undefined;
      if (!before) {
        for (const [field, column] of Object.entries(target.keys)) {
          const value = mapped.value[field];
          if (typeof value === 'string' && value) {
            before = (await target.records.findBy(trx, column, [value]))[0] as Doc | undefined;
            if (before) break;
          }
        }
      }

      let incoming = mapped.value;
      let fields: string[];
      if (def.canonical === 'stock_level') {
        const { sku, name, ...level } = incoming as { sku: string; name?: string; warehouse: string };
        incoming = before ? { stockLevels: [level] } : { sku, name: name ?? sku, stockLevels: [level] };
        fields = [`stockLevels.${level.warehouse}`];
      } else {
        // Every field the mapping owns: one missing from the mapped value was emptied at the source.
        const owned = ownedFields(def).canonical.map((f) => f.split('.')[0] as string);
        fields = [...new Set([...owned, ...Object.keys(incoming)])].filter((f) => f !== 'id');
        delete (incoming as Record<string, unknown>).id;
      }
      const source: Provenance = { source: connector.type, sourceTime: row.source_time };
      const provenance = before ? await loadProvenance(trx, target.entity, before.id) : new Map<string, Provenance>();
      const allowed = fields.filter((f) => mayWrite(target.entity, f, source, provenance.get(f)));
      let after: Doc;
      try {
        if (!before) {
          const parsed = target.input.safeParse(incoming);
          if (!parsed.success) {
            const errors = fieldErrors(parsed.error);
            outcome.parked.push(await park(trx, row, connector.name, entity, 'invalid', `the record would not be valid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, version));
            continue;
          }
          after = (await target.records.spec.create(trx, parsed.data as never, { id: newCanonicalId(target.records.spec.idPrefix), version: 1, createdAt: now, updatedAt: now })) as Doc;
        } else {
          const patch = Object.fromEntries(
            Object.entries(incoming).filter(([k]) => (k === 'stockLevels' ? allowed.length > 0 : allowed.includes(k))),
          );
          const parsed = target.patch.safeParse(patch);
          if (!parsed.success) {
            const errors = fieldErrors(parsed.error);
            outcome.parked.push(await park(trx, row, connector.name, entity, 'invalid', `the change would not be valid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, version));
            continue;
          }
          after = (await target.records.spec.patch(trx, before as never, parsed.data as never, now)) as Doc;
          // A patch never erases by omission; a field the source emptied is cleared here, to its default.
          const shape = (target.input as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
          for (const field of allowed) {
            if (field in incoming || !(field in after) || !shape[field]) continue;
            const empty = shape[field].safeParse(undefined);
            if (empty.success && empty.data !== undefined) after[field] = empty.data;
            else delete after[field];
          }
        }
      } catch (err) {
        if (!(err instanceof Problem)) throw err;
        outcome.parked.push(await park(trx, row, connector.name, entity, err.status === 404 ? 'not_found' : 'invalid', err.message, version));
        continue;
      }

      const changed = !before || contentOf(after) !== contentOf(before);
      if (changed) {
        if (before) {
          after = { ...after, id: before.id, createdAt: before.createdAt, version: before.version + 1, updatedAt: now };
          await target.records.replace(trx, before as never, after as never);
        } else {
          await target.records.insertMany(trx, [after as never]);
        }
        await saveProvenance(trx, target.entity, after.id, before ? allowed : fields, connector.type, row.source_time, version);
        await appendAudit(trx, [{ actor, action: before ? 'update' : 'create', entity: target.entity, entityId: after.id, before, after, at: now }]);
        if (!changedIds.has(target.entity)) changedIds.set(target.entity, new Set());
        changedIds.get(target.entity)?.add(after.id);
        outcome.changed++;
      } else {
        outcome.unchanged++;
      }
      const strip = (d: Doc | undefined) => (d ? (JSON.parse(contentOf(d)) as Record<string, unknown>) : {});
      await trx
        .insertInto('ledger')
        .values({
          canonical_entity: target.entity,
          canonical_id: after.id,
          connector: connector.name,
          entity,
          external_id: row.external_id,
          inbox_id: row.id,
          mapping_version: version,
          before_hash: before ? contentHash(JSON.parse(contentOf(before))) : null,
          after_hash: contentHash(JSON.parse(contentOf(after))),
          changes: JSON.stringify(diffFields(strip(before), strip(after))),
          at: now,
        })
        .execute();
      if (def.canonical !== 'stock_level') {
        await trx
          .insertInto('links')
          .values({ connector: connector.name, entity, external_id: row.external_id, canonical_entity: target.entity, canonical_id: after.id, last_written_hash: null, last_seen_hash: contentHash(writtenProjection(def, data)), mapping_version: version, updated_at: now })
          .onConflict((oc) => oc.columns(['connector', 'entity', 'external_id']).doUpdateSet({ canonical_id: after.id, last_seen_hash: contentHash(writtenProjection(def, data)), mapping_version: version, updated_at: now }))
          .execute();
      }
      await trx.updateTable('inbox').set({ status: 'applied', applied_at: now, mapping_version: version }).where('id', '=', row.id).execute();
      outcome.applied++;
    }
    for (const [canonicalEntity, ids] of changedIds) {
      const targets = await enqueueDeliveries(trx, canonicalEntity, [...ids], 'upsert', connector.name);
      outcome.deliveries.push(...targets.map((t) => `${t}/${canonicalEntity}`));
    }
  });
  return outcome;
}

/** Fetches the payloads webhooks did not carry, so the transaction that applies does no I/O. */
async function fillPayloads(db: Kysely<Database>, pool: ConnectorPool, connectorName: string, entity: string, rows: InboxRow[]): Promise<void> {
  const missing = rows.filter((r) => r.payload === null && !r.deleted);
  if (!missing.length) return;
  const connector = await pool.get(db, connectorName);
  const source = connector.instance.entities[entity]?.source;
  if (!source) throw new Problem(409, 'No source', `${connectorName} ${entity} events carry no data and the connector cannot fetch records`);
  for (const row of missing) {
    const record = await source.get(row.external_id);
    row.payload = record ? JSON.stringify(record.data) : null;
    if (!record) row.deleted = 1;
    await db.updateTable('inbox').set({ payload: row.payload, deleted: row.deleted }).where('id', '=', row.id).execute();
  }
}

/** Applies up to `limit` pending inbox rows of one connector entity, oldest first. */
export async function applyInboxBatch(db: Kysely<Database>, pool: ConnectorPool, connectorName: string, entity: string, version: number, limit = 1000): Promise<ApplyOutcome & { remaining: boolean }> {
  const connector = await pool.get(db, connectorName);
  const rows = (await db
    .selectFrom('inbox')
    .select(['id', 'external_id', 'source_time', 'payload', 'deleted', 'mapping_version'])
    .where('connector', '=', connectorName)
    .where('entity', '=', entity)
    .where('status', '=', 'pending')
    .orderBy('id')
    .limit(limit + 1)
    .execute()) as InboxRow[];
  const batch = rows.slice(0, limit);
  await fillPayloads(db, pool, connectorName, entity, batch);
  const outcome = await applyRows(db, { name: connector.name, type: connector.type, config: connector.config }, entity, version, batch);
  return { ...outcome, remaining: rows.length > limit };
}
