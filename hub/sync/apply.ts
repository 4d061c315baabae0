// Apply: drains the inbox of one (connector, entity) in batches — maps each external record with a
// pinned mapping version, merges it into the canonical store by field ownership, writes the ledger,
// the link and the outbox intents for the other subscribed systems.
import type { Insertable, Kysely } from 'kysely';
import type { z } from 'zod';
import {
  ContactInput,
  ContactPatch,
  CustomerInput,
  CustomerPatch,
  ERP_SOURCES,
  mayWrite,
  newCanonicalId,
  ORDER_EDITABLE_STATUSES,
  type OrderLine,
  OrderInput,
  OrderPatch,
  OrderStatus,
  orderStatusPath,
  ProductInput,
  ProductionOrderInput,
  ProductionOrderPatch,
  ProductPatch,
  type Provenance,
} from '../../mappings/canonical';
import { diffFields, type MappingDefinition, mapToCanonical, ownedFields, referencedIds } from '../../mappings/engine';
import { fieldErrors, Problem } from '../problem';
import { type Actor, appendAudit, contentOf, type Db, type StoredMeta } from '../store/records';
import { RECORDS_BY_ENTITY } from '../store/resources';
import type { Database, LedgerTable } from '../store/schema';
import type { ApplyResult } from '../../workflows/activities';
import type { ConnectorPool } from './connectors';
import { contentHash, textHash } from './hash';
import { resolveMapping } from './mapping-versions';
import { type ProvenanceRow, provenanceOf, saveProvenance } from './provenance';
import { lookupRefs } from './refs';
import { recordConflict } from './conflicts';
import { enqueueDeliveries } from './outbox';

type Doc = StoredMeta & Record<string, unknown>;

interface CanonicalTarget {
  /** The canonical entity records of this kind are stored as. */
  entity: 'customer' | 'contact' | 'product' | 'order' | 'production_order';
  records: {
    findBy(db: Db, column: string, values: readonly string[]): Promise<unknown[]>;
    insertMany(db: Db, r: never[]): Promise<void>;
    replace(db: Db, b: never, a: never): Promise<void>;
    spec: {
      idPrefix: string;
      create(db: Db, input: never, meta: StoredMeta): Promise<unknown>;
      patch(db: Db, before: never, patch: never, now: string): Promise<unknown>;
      settle?(db: Db, before: never, after: never, ctx: { actor: Actor; now: string; queued?: string[] }): Promise<unknown>;
    };
  };
  input: z.ZodType;
  patch: z.ZodType;
  /** Canonical fields that identify a record without a link (business keys). */
  keys: Record<string, string>;
}

const TARGETS: Record<string, CanonicalTarget> = {
  customer: { entity: 'customer', records: RECORDS_BY_ENTITY.customer as never, input: CustomerInput, patch: CustomerPatch, keys: { id: 'id', number: 'number' } },
  contact: { entity: 'contact', records: RECORDS_BY_ENTITY.contact as never, input: ContactInput, patch: ContactPatch, keys: { id: 'id' } },
  product: { entity: 'product', records: RECORDS_BY_ENTITY.product as never, input: ProductInput, patch: ProductPatch, keys: { id: 'id', sku: 'sku' } },
  // A stock level is part of a product: it is merged into `stockLevels` of the product with its SKU.
  stock_level: { entity: 'product', records: RECORDS_BY_ENTITY.product as never, input: ProductInput, patch: ProductPatch, keys: { sku: 'sku' } },
  // A system may report an order in any status (an ERP order made there may already be shipped).
  order: { entity: 'order', records: RECORDS_BY_ENTITY.order as never, input: OrderInput.extend({ status: OrderStatus }), patch: OrderPatch, keys: { id: 'id', number: 'number' } },
  production_order: { entity: 'production_order', records: RECORDS_BY_ENTITY.production_order as never, input: ProductionOrderInput, patch: ProductionOrderPatch, keys: { id: 'id' } },
};

/** Order lines as a system states them: what two systems must agree on, amounts left out. */
function lineTerms(lines: readonly Partial<OrderLine>[]): string {
  const quantity = (q: unknown) => String(q ?? '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return JSON.stringify(lines.map((l) => [l.sku, quantity(l.quantity), l.unitPrice ?? 0, l.discountBasisPoints ?? 0, l.taxRateBasisPoints ?? 0]));
}

/**
 * Order rules that field ownership alone cannot express, applied to a patch before it is checked:
 * - number and currency are the ones the order was made with;
 * - a status only moves forward: a report of an earlier status (a CRM still saying "won" after the ERP
 *   shipped) is ignored, and a later one walks the statuses in between (returned as `steps`);
 * - lines belong to the CRM while the order is a draft; once it is confirmed, only the ERP may change
 *   them (while they are still editable). A CRM's different lines then go to the conflict inbox, and the
 *   patch goes on without them.
 */
async function orderRules(
  trx: Db,
  before: Doc,
  patch: Record<string, unknown>,
  source: { connector: string; type: string; entity: string; externalId: string; sourceTime: string },
  known: Map<string, Provenance> | undefined,
  now: string,
): Promise<{ steps: OrderStatus[] }> {
  let steps: OrderStatus[] = [];
  // Set once, when the order is made: another system's own number (the ERP's S00042) stays its own.
  delete patch.number;
  delete patch.currency;
  const from = before.status as OrderStatus;
  const to = patch.status as OrderStatus | undefined;
  if (to && to !== from) {
    const path = orderStatusPath(from, to);
    if (path) steps = path.slice(0, -1);
    else if (orderStatusPath(to, from)) delete patch.status;
  }
  // The same lines again are no change (and no attempt to edit the lines of a shipped order).
  if (patch.lines && lineTerms(patch.lines as OrderLine[]) === lineTerms(before.lines as OrderLine[])) delete patch.lines;
  if (patch.lines) {
    const erp = (ERP_SOURCES as readonly string[]).includes(source.type);
    if (from !== 'draft' && !(erp && ORDER_EDITABLE_STATUSES.includes(from))) {
      await recordConflict(
        trx,
        {
          entity: 'order',
          recordId: before.id,
          field: 'lines',
          current: { value: before.lines, source: known?.get('lines')?.source, sourceTime: known?.get('lines')?.sourceTime },
          proposed: { value: patch.lines, source: source.type, sourceTime: source.sourceTime },
          connector: source.connector,
          connectorEntity: source.entity,
          externalId: source.externalId,
          reason: `${source.connector} changed the lines of order ${String(before.number)}, which is ${from}: after confirmation only the ERP may change lines`,
        },
        now,
      );
      delete patch.lines;
    }
  }
  return { steps };
}

export interface InboxRow {
  id: number;
  external_id: string;
  source_time: string;
  payload: string | null;
  deleted: number;
  mapping_version: number | null;
  received_at?: string;
}

/**
 * How long a record may wait for a record it refers to (a contact for its customer) before it is parked.
 * Until then it is retried at each run of its entity: the order in which entities sync does not matter.
 */
export const REFERENCE_WAIT_MS = 60 * 60 * 1000;

/** What one apply batch did; the activity adds whether rows remain. */
export type ApplyOutcome = Omit<ApplyResult, 'remaining'>;

/** Defaults a mapping may fall back to, from the connector's config (e.g. the company currency). */
export function mapDefaults(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(['currency', 'country'].filter((k) => typeof config[k] === 'string').map((k) => [k, config[k] as string]));
}

/**
 * The external fields a mapping writes on every update, for the echo guard (what we wrote, projected on
 * what came back) and to skip a write that would change nothing. Fields written only on create (an
 * identity like Odoo's `ref`) are left out: an update never sends them.
 */
export function writtenProjection(def: MappingDefinition, data: Record<string, unknown>): Record<string, unknown> {
  const createOnly = new Set(def.fields.filter((f) => f.createOnly).map((f) => f.external.split('.')[0] as string));
  const keys = new Set(ownedFields(def).external.map((f) => f.split('.')[0] as string).filter((k) => !createOnly.has(k)));
  return Object.fromEntries([...keys].sort().map((k) => [k, data[k] === false ? null : (data[k] ?? null)]));
}

/**
 * Canonical fields fed only by external fields Qiao writes to this target (`writtenProjection`): in a
 * report whose written fields are what Qiao last wrote there, these are Qiao's own values coming
 * back (the echo); every other field of the same report is the target's news.
 * @example echoedFields(hubspotOrderV1) // Set { 'promisedDate' }: a deal's qiao_promised_date is ours
 */
function echoedFields(def: MappingDefinition): Set<string> {
  const known = echoed.get(def);
  if (known) return known;
  const written = new Set(Object.keys(writtenProjection(def, {})));
  const fromWritten = new Set<string>();
  const fromOther = new Set<string>();
  for (const rule of def.fields) {
    if (rule.direction === 'out') continue;
    (written.has(rule.external.split('.')[0] as string) ? fromWritten : fromOther).add(rule.canonical.split('.')[0] as string);
  }
  const fields = new Set([...fromWritten].filter((f) => !fromOther.has(f)));
  echoed.set(def, fields);
  return fields;
}
const echoed = new WeakMap<MappingDefinition, Set<string>>();

async function park(db: Db, row: InboxRow, connector: string, entity: string, kind: string, reason: string, version: number): Promise<number> {
  const inserted = await db
    .insertInto('dead_letters')
    .values({ connector, entity, direction: 'in', ref_id: row.id, canonical_id: null, external_id: row.external_id, error_kind: kind, reason, mapping_version: version, status: 'open', created_at: new Date().toISOString(), replayed_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('inbox').set({ status: 'dead', applied_at: new Date().toISOString() }).where('id', '=', row.id).execute();
  return Number(inserted.id);
}

/** Splits a list for `IN (...)` queries that stay under the databases' parameter limits. */
function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Applies the given inbox rows of one connector entity in one transaction. Reads are made per batch
 * (links, records, provenance) and writes are gathered and made in bulk at the end, so a page of a
 * thousand records costs a few dozen statements, not a dozen per record.
 * `force` (re-apply with a new mapping version) skips the claim and the echo guard.
 */
export async function applyRows(
  db: Kysely<Database>,
  connector: { name: string; type: string; config?: Record<string, unknown> },
  entity: string,
  defaultVersion: number,
  rows: InboxRow[],
  options: { force?: boolean } = {},
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { applied: 0, changed: 0, unchanged: 0, echoes: 0, parked: [] };
  const actor: Actor = { name: `connector:${connector.name}`, role: 'system' };
  // Resolved before the transaction: on SQLite the transaction holds the only connection.
  const mappings = new Map<number, MappingDefinition>();
  for (const version of new Set(rows.map((r) => r.mapping_version ?? defaultVersion))) {
    mappings.set(version, await resolveMapping(db, connector.type, entity, version));
  }
  const mappingFor = (version: number) => mappings.get(version) as MappingDefinition;
  const defaults = mapDefaults(connector.config ?? {});

  await db.transaction().execute(async (trx) => {
    // Claim the rows: of two appliers racing for them (a webhook run and a poll), one wins each row.
    let claimed = rows;
    if (!options.force) {
      const won = new Set<number>();
      for (const ids of chunks(rows.map((r) => r.id))) {
        const got = await trx.updateTable('inbox').set({ status: 'applying' }).where('id', 'in', ids).where('status', '=', 'pending').returning('id').execute();
        for (const g of got) won.add(Number(g.id));
      }
      claimed = rows.filter((r) => won.has(r.id));
    }
    if (!claimed.length) return;

    const links = new Map<string, { canonical_id: string; canonical_entity: string; last_written_hash: string | null; last_seen_hash: string | null }>();
    for (const ids of chunks([...new Set(claimed.map((r) => r.external_id))])) {
      const found = await trx.selectFrom('links').select(['external_id', 'canonical_id', 'canonical_entity', 'last_written_hash', 'last_seen_hash']).where('connector', '=', connector.name).where('entity', '=', entity).where('external_id', 'in', ids).execute();
      for (const l of found) links.set(l.external_id, l);
    }

    // Map every row first (pure), with the ids the mappings need looked up beforehand.
    type Prepared = { row: InboxRow; version: number; def: MappingDefinition; data: Record<string, unknown>; incoming?: Record<string, unknown> };
    const prepared: Prepared[] = [];
    const wantedRefs: { entity: string; id: string }[] = [];
    for (const row of claimed) {
      const version = row.mapping_version ?? defaultVersion;
      const def = mappingFor(version);
      const data = JSON.parse(row.payload ?? '{}') as Record<string, unknown>;
      prepared.push({ row, version, def, data });
      if (!row.deleted) for (const r of referencedIds(def, data)) wantedRefs.push({ entity: r.entity, id: r.externalId });
    }
    const refs = await lookupRefs(trx, connector.name, 'in', wantedRefs);

    // The canonical records these rows touch: by link, else by the business keys the mappings produced.
    const target = TARGETS[mappingFor(defaultVersion).canonical];
    if (!target) throw new Error(`mapping ${connector.type} ${entity} targets unknown canonical entity ${mappingFor(defaultVersion).canonical}`);
    for (const p of prepared) {
      if (p.row.deleted) continue;
      const missing = referencedIds(p.def, p.data).filter((r) => !refs[r.entity]?.[r.externalId]);
      if (!options.force && missing.length && Date.now() - Date.parse(p.row.received_at ?? new Date().toISOString()) < REFERENCE_WAIT_MS) {
        await trx.updateTable('inbox').set({ status: 'waiting' }).where('id', '=', p.row.id).execute();
        continue;
      }
      const mapped = mapToCanonical(p.def, p.data, { refs, defaults });
      if (mapped.errors.length) {
        outcome.parked.push(await park(trx, p.row, connector.name, entity, 'invalid', `mapping v${p.version}: ${mapped.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, p.version));
        continue;
      }
      p.incoming = mapped.value;
    }
    /** Records of this batch by id, and their ids by business key; kept current as rows change them. */
    const state = new Map<string, { original?: Doc; current: Doc }>();
    const byKey = new Map<string, string>();
    const remember = (doc: Doc) => {
      for (const [field, column] of Object.entries(target.keys)) if (typeof doc[field] === 'string') byKey.set(`${column}:${doc[field]}`, doc.id);
    };
    const load = async (column: string, values: string[]) => {
      for (const vs of chunks([...new Set(values)].filter(Boolean))) {
        for (const doc of (await target.records.findBy(trx, column, vs)) as Doc[]) {
          if (!state.has(doc.id)) state.set(doc.id, { original: doc, current: doc });
          remember(doc);
        }
      }
    };
    await load('id', [...links.values()].map((l) => l.canonical_id));
    for (const [field, column] of Object.entries(target.keys)) {
      await load(column, prepared.map((p) => p.incoming?.[field]).filter((v): v is string => typeof v === 'string'));
    }
    const provenance = new Map<string, Map<string, Provenance>>();
    for (const ids of chunks([...state.keys()])) {
      const found = await trx.selectFrom('field_provenance').select(['record_id', 'field', 'source', 'source_time']).where('entity', '=', target.entity).where('record_id', 'in', ids).execute();
      for (const r of found) {
        if (!provenance.has(r.record_id)) provenance.set(r.record_id, new Map());
        provenance.get(r.record_id)?.set(r.field, { source: r.source, sourceTime: r.source_time });
      }
    }

    const now = new Date().toISOString();
    const statuses = new Map<string, { ids: number[]; version: number }[]>();
    const setStatus = (status: string, id: number, version: number) => {
      const list = statuses.get(status) ?? [];
      list.push({ ids: [id], version });
      statuses.set(status, list);
    };
    const ledger: Insertable<LedgerTable>[] = [];
    const linkRows: { connector: string; entity: string; external_id: string; canonical_entity: string; canonical_id: string; last_written_hash: null; last_seen_hash: string; mapping_version: number; updated_at: string }[] = [];
    const provenanceRows = new Map<string, ProvenanceRow>();
    /** Records Qiao completed beyond what the source sent (see `settle`): delivered back to the source too. */
    const completed = new Set<string>();
    const audit: Parameters<typeof appendAudit>[1] = [];

    for (const p of prepared) {
      const { row, version, def, data } = p;
      const link = links.get(row.external_id);
      if (row.deleted) {
        // Recorded, not propagated: the canonical record stays; the ledger says the source deleted it.
        if (link) ledger.push({ canonical_entity: link.canonical_entity, canonical_id: link.canonical_id, connector: connector.name, entity, external_id: row.external_id, inbox_id: row.id, mapping_version: version, before_hash: null, after_hash: 'deleted', changes: JSON.stringify([{ field: '$deleted', before: false, after: true }]), at: now });
        setStatus('applied', row.id, version);
        outcome.applied++;
        continue;
      }
      if (!p.incoming) continue;
      // Echoes. When the fields Qiao writes here are what it last wrote, they are its own coming back.
      // The rest of the report (what the mapping makes of the fields Qiao does not write) is compared
      // with the last report applied: unchanged, the report is an echo; changed (a rep edited the
      // order's description), it is applied without Qiao's own fields. Where Qiao made the record, its
      // first report sets that baseline.
      const ours = echoedFields(def);
      const seen = contentHash(Object.fromEntries(Object.entries(p.incoming).filter(([k]) => !ours.has(k))));
      const ownWrite = !options.force && !!link?.last_written_hash && contentHash(writtenProjection(def, data)) === link.last_written_hash;
      if (link && ownWrite && (link.last_seen_hash === null || link.last_seen_hash === seen)) {
        if (link.last_seen_hash === null) linkRows.push({ connector: connector.name, entity, external_id: row.external_id, canonical_entity: link.canonical_entity, canonical_id: link.canonical_id, last_written_hash: null, last_seen_hash: seen, mapping_version: version, updated_at: now });
        setStatus('echo', row.id, version);
        outcome.echoes++;
        continue;
      }
      let incoming = { ...p.incoming };
      const skipped = ownWrite ? ours : new Set<string>();
      for (const field of skipped) delete incoming[field];
      let beforeId = link ? link.canonical_id : undefined;
      if (!beforeId || !state.has(beforeId)) {
        beforeId = undefined;
        for (const [field, column] of Object.entries(target.keys)) {
          const value = incoming[field];
          if (typeof value === 'string' && byKey.has(`${column}:${value}`)) {
            beforeId = byKey.get(`${column}:${value}`);
            break;
          }
        }
      }
      const entry = beforeId ? state.get(beforeId) : undefined;
      const before = entry?.current;

      let fields: string[];
      if (def.canonical === 'stock_level') {
        const { sku, name, ...level } = incoming as { sku: string; name?: string; warehouse: string };
        incoming = before ? { stockLevels: [level] } : { sku, name: name ?? sku, stockLevels: [level] };
        fields = [`stockLevels.${level.warehouse}`];
      } else {
        // Every field the mapping owns: one missing from the mapped value was emptied at the source.
        const owned = ownedFields(def).canonical.map((f) => f.split('.')[0] as string);
        fields = [...new Set([...owned, ...Object.keys(incoming)])].filter((f) => f !== 'id' && !skipped.has(f));
        delete incoming.id;
      }
      const source: Provenance = { source: connector.type, sourceTime: row.source_time };
      const known = before ? provenance.get(before.id) : undefined;
      const allowed = fields.filter((f) => mayWrite(target.entity, f, source, known?.get(f)));
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
          const patch = Object.fromEntries(Object.entries(incoming).filter(([k]) => (k === 'stockLevels' ? allowed.length > 0 : allowed.includes(k))));
          const { steps } =
            target.entity === 'order'
              ? await orderRules(trx, before, patch, { connector: connector.name, type: connector.type, entity, externalId: row.external_id, sourceTime: row.source_time }, known, now)
              : { steps: [] };
          const parsed = target.patch.safeParse(patch);
          if (!parsed.success) {
            const errors = fieldErrors(parsed.error);
            outcome.parked.push(await park(trx, row, connector.name, entity, 'invalid', `the change would not be valid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, version));
            continue;
          }
          let from = before;
          for (const status of steps) from = (await target.records.spec.patch(trx, from as never, { status } as never, now)) as Doc;
          after = (await target.records.spec.patch(trx, from as never, parsed.data as never, now)) as Doc;
          // A patch never erases by omission; a field the source emptied is cleared here, to its default.
          const shape = (target.input as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
          for (const field of allowed) {
            if (field in incoming || !(field in after) || !shape[field]) continue;
            const empty = shape[field].safeParse(undefined);
            if (empty.success && empty.data !== undefined) after[field] = empty.data;
            else delete after[field];
          }
        }
        // The same completion as an API write (an order that became confirmed is planned).
        const settle = target.records.spec.settle;
        if (settle) {
          const settled = (await settle(trx, before as never, after as never, { actor, now })) as Doc;
          // Qiao added to what the source said (a promised date): the source is told too.
          if (contentOf(settled) !== contentOf(after)) completed.add(String(settled.id ?? after.id));
          after = settled;
        }
      } catch (err) {
        if (!(err instanceof Problem)) throw err;
        outcome.parked.push(await park(trx, row, connector.name, entity, err.status === 404 ? 'not_found' : 'invalid', err.message, version));
        continue;
      }

      // Serialised once: the change test, both hashes and the diff read these.
      const beforeText = before ? contentOf(before) : undefined;
      const afterText = contentOf(after);
      const changed = beforeText !== afterText;
      if (changed) {
        if (before && entry) {
          after = { ...after, id: before.id, createdAt: before.createdAt, version: (entry.original?.version ?? 0) + 1, updatedAt: now };
          entry.current = after;
        } else {
          state.set(after.id, { current: after });
          remember(after);
          // A later row of this batch about the same external record (a creation and a change
          // webhook together) finds the record just made, even without a business key to match.
          if (!link) links.set(row.external_id, { canonical_id: after.id, canonical_entity: target.entity, last_written_hash: null, last_seen_hash: null });
        }
        for (const p of provenanceOf(target.entity, after.id, before ? allowed : fields, connector.type, row.source_time, version)) provenanceRows.set(`${p.record_id}|${p.field}`, p);
        audit.push({ actor, action: before ? 'update' : 'create', entity: target.entity, entityId: after.id, before, after, at: now });
        outcome.changed++;
      } else {
        outcome.unchanged++;
      }
      ledger.push({
        canonical_entity: target.entity,
        canonical_id: after.id,
        connector: connector.name,
        entity,
        external_id: row.external_id,
        inbox_id: row.id,
        mapping_version: version,
        before_hash: beforeText === undefined ? null : textHash(beforeText),
        after_hash: textHash(afterText),
        changes: JSON.stringify(diffFields(beforeText === undefined ? {} : JSON.parse(beforeText), JSON.parse(afterText))),
        at: now,
      });
      if (def.canonical !== 'stock_level') {
        linkRows.push({ connector: connector.name, entity, external_id: row.external_id, canonical_entity: target.entity, canonical_id: after.id, last_written_hash: null, last_seen_hash: seen, mapping_version: version, updated_at: now });
      }
      setStatus('applied', row.id, version);
      outcome.applied++;
    }

    // The writes, in bulk.
    const inserts = [...state.values()].filter((e) => !e.original).map((e) => e.current);
    await target.records.insertMany(trx, inserts as never[]);
    for (const e of state.values()) if (e.original && e.current !== e.original) await target.records.replace(trx, e.original as never, e.current as never);
    await saveProvenance(trx, [...provenanceRows.values()]);
    await appendAudit(trx, audit);
    for (const rowsChunk of chunks(ledger, 200)) await trx.insertInto('ledger').values(rowsChunk).execute();
    const lastLink = new Map(linkRows.map((l) => [l.external_id, l]));
    for (const rowsChunk of chunks([...lastLink.values()], 200)) {
      await trx
        .insertInto('links')
        .values(rowsChunk)
        .onConflict((oc) =>
          oc.columns(['connector', 'entity', 'external_id']).doUpdateSet((eb) => ({ canonical_id: eb.ref('excluded.canonical_id'), last_seen_hash: eb.ref('excluded.last_seen_hash'), mapping_version: eb.ref('excluded.mapping_version'), updated_at: eb.ref('excluded.updated_at') })),
        )
        .execute();
    }
    for (const [status, list] of statuses) {
      const byVersion = new Map<number, number[]>();
      for (const { ids, version } of list) byVersion.set(version, [...(byVersion.get(version) ?? []), ...ids]);
      for (const [version, ids] of byVersion) {
        for (const idChunk of chunks(ids)) await trx.updateTable('inbox').set({ status, applied_at: now, mapping_version: version }).where('id', 'in', idChunk).execute();
      }
    }
    const changedIds = [...state.values()].filter((e) => e.current !== e.original).map((e) => e.current.id);
    await enqueueDeliveries(trx, target.entity, changedIds.filter((id) => !completed.has(id)), 'upsert', connector.name);
    await enqueueDeliveries(trx, target.entity, changedIds.filter((id) => completed.has(id)), 'upsert');
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

/** Puts the records that wait for a reference back in line; a run calls it once, before it drains. */
export async function requeueWaiting(db: Kysely<Database>, connector: string, entity: string): Promise<number> {
  const result = await db.updateTable('inbox').set({ status: 'pending' }).where('connector', '=', connector).where('entity', '=', entity).where('status', '=', 'waiting').executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Applies up to `limit` pending inbox rows of one connector entity, oldest first, in transactions of
 * at most `transactionRows`. The gateway's inbox inserts share the store's one writer and wait for a
 * running transaction: short ones keep a webhook's answer fast while a backlog is applied; large ones
 * are cheaper per row for a poll, where nobody waits. Queued requests go first between transactions.
 */
export async function applyInboxBatch(
  db: Kysely<Database>,
  pool: ConnectorPool,
  connectorName: string,
  entity: string,
  version: number,
  limit: number,
  transactionRows = limit,
): Promise<ApplyOutcome & { remaining: boolean }> {
  const connector = await pool.get(db, connectorName);
  const rows = (await db
    .selectFrom('inbox')
    .select(['id', 'external_id', 'source_time', 'payload', 'deleted', 'mapping_version', 'received_at'])
    .where('connector', '=', connectorName)
    .where('entity', '=', entity)
    .where('status', '=', 'pending')
    .orderBy('id')
    .limit(limit + 1)
    .execute()) as InboxRow[];
  const batch = rows.slice(0, limit);
  await fillPayloads(db, pool, connectorName, entity, batch);
  const total: ApplyOutcome = { applied: 0, changed: 0, unchanged: 0, echoes: 0, parked: [] };
  for (let i = 0; i < batch.length; i += transactionRows) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const outcome = await applyRows(db, { name: connector.name, type: connector.type, config: connector.config }, entity, version, batch.slice(i, i + transactionRows));
    total.applied += outcome.applied;
    total.changed += outcome.changed;
    total.unchanged += outcome.unchanged;
    total.echoes += outcome.echoes;
    total.parked.push(...outcome.parked);
  }
  return { ...total, remaining: rows.length > limit };
}
