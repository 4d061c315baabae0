// A source and a sink over one Odoo model: changes listed by (write_date, id) without losing or
// repeating records changed in the same second, archived records reported as deleted, creates
// batched with a one-by-one fallback that finds the records Odoo refuses.
import type { ChangeCursor, ChangePage, EntitySink, EntitySource, SinkResult, SinkWrite, SourceRecord } from '../contract';
import { ConnectorError } from '../errors';
import type { OdooCallArgs, OdooClient } from './client';
import { type FieldTypes, fromOdooDatetime, nextOdooSecond, normalizeRow, type OdooRow, toOdooDatetime, toOdooVals } from './values';

/** An Odoo domain in prefix notation: `[['is_company', '=', true], '|', [...], [...]]`. */
export type Domain = unknown[];

/** Most writes one `upsert` carries: one create call holds them all. */
export const MAX_BATCH = 100;

/** Archived records are changes too: every read sees them. */
const WITH_ARCHIVED = { active_test: false } as const;

/** What makes a model an entity: which of its records, which fields, and how writes are prepared. */
export interface ModelEntity {
  model: string;
  /** The records of the model this entity covers; ANDed with every search. */
  domain: Domain;
  /** More terms known only by asking Odoo (e.g. not the own company's partners), ANDed with `domain`. */
  scope?(): Promise<Domain>;
  /** Fields to read; those the server lacks (older Odoo versions) are left out. */
  fields: readonly string[];
  /** Adds values to every record read, e.g. the company currency. */
  decorate?(data: Record<string, unknown>): Record<string, unknown>;
  /** Values every create starts from, e.g. `customer_rank: 1`. */
  createDefaults?: Record<string, unknown>;
  /** Turns a write's data into Odoo vals; throws ConnectorError('invalid') for a record it cannot write. */
  prepare?(vals: Record<string, unknown>, write: SinkWrite): Promise<Record<string, unknown>>;
  /**
   * Fields that come and go between Odoo versions (`mobile` left res.partner in 19): written only
   * where the server has them, so one mapping serves every version. Any other unknown field is
   * Odoo's ValueError, which catches a mapping's typo.
   */
  optionalFields?: readonly string[];
}

/** The full domain of an entity: its fixed terms and those asked of Odoo. */
async function domainOf(entity: ModelEntity): Promise<Domain> {
  return entity.scope ? [...entity.domain, ...(await entity.scope())] : entity.domain;
}

/** Parses an Odoo id given as a string; undefined when it is not one. */
export function odooId(externalId: string): number | undefined {
  return /^[1-9]\d*$/.test(externalId) ? Number(externalId) : undefined;
}

/** The fields of `wanted` the server has, always with `id` and `write_date`. */
export async function existingFields(client: OdooClient, model: string, wanted: readonly string[]): Promise<{ fields: string[]; types: FieldTypes }> {
  const types = await client.fieldTypes(model);
  const fields = [...new Set(['id', 'write_date', ...wanted])].filter((f) => f === 'id' || f in types);
  return { fields, types };
}

/**
 * Records strictly after `cursor` in (write_date second, id) order.
 *
 * Odoo stores `write_date` to the microsecond (PostgreSQL NOW()) but reads it back to the second,
 * and the two disagree: `write_date = '10:00:00'` misses a record written at 10:00:00.4 while
 * `write_date > '10:00:00'` still finds it (odoo/odoo#24102; Odoo 19 compares whole seconds), and
 * `order=write_date` sorts one second's records by their hidden microseconds, not by id. So the
 * cursor domain uses ranges of whole seconds, and a page returns only the seconds it holds
 * completely; a second with more records than the page is paged through by id.
 *
 * A second is only handed out once it is `settleSeconds` old by Odoo's clock (the answer's `Date`
 * header): a record changed later in the cursor's own second, with a lower id, would be lost.
 */
export async function readChanged(
  client: OdooClient,
  query: { model: string; domain: Domain; fields: string[]; cursor: ChangeCursor | null; limit: number; settleSeconds: number; context?: Record<string, unknown> },
): Promise<{ rows: OdooRow[]; more: boolean }> {
  const { model, domain, fields, cursor, limit, context } = query;
  const after = cursor ? cursorPosition(cursor) : undefined;
  const afterDomain: Domain = after
    ? ['|', ['write_date', '>=', nextOdooSecond(after.second)], '&', '&', ['write_date', '>=', after.second], ['write_date', '<', nextOdooSecond(after.second)], ['id', '>', after.id]]
    : [];
  const args: OdooCallArgs = { domain: [...domain, ...afterDomain], fields, order: 'write_date asc, id asc', limit: limit + 1 };
  if (context) args.context = context;
  const { result: rows, serverTime } = await client.callAt<OdooRow[]>(model, 'search_read', args);
  const settledUntil = serverTime === undefined ? undefined : toOdooDatetime(new Date(serverTime - query.settleSeconds * 1000).toISOString());
  const settled = (second: unknown) => settledUntil === undefined || String(second) <= settledUntil;

  let page = rows;
  let more = rows.length > limit;
  if (more) {
    const lastSecond = rows[rows.length - 1]?.write_date;
    page = rows.filter((r) => r.write_date !== lastSecond);
    if (page.length === 0) {
      // Every row is in one second, with more to come: page through that second by id.
      const second = String(lastSecond);
      if (!settled(second)) return { rows: [], more: false };
      const fromId = after && after.second === second ? after.id : 0;
      const sameSecond: OdooCallArgs = {
        domain: [...domain, ['write_date', '>=', second], ['write_date', '<', nextOdooSecond(second)], ['id', '>', fromId]],
        fields,
        order: 'id asc',
        limit,
      };
      if (context) sameSecond.context = context;
      return { rows: await client.call<OdooRow[]>(model, 'search_read', sameSecond), more: true };
    }
  }
  const ready = page.filter((r) => settled(r.write_date));
  // What is held back comes last; the next poll picks it up.
  if (ready.length < page.length) more = false;
  return { rows: ready.sort(bySecondThenId), more };
}

function cursorPosition(cursor: ChangeCursor): { second: string; id: number } {
  const id = odooId(cursor.externalId);
  if (id === undefined) throw new ConnectorError('invalid', `cursor externalId ${JSON.stringify(cursor.externalId)} is not an Odoo id`);
  return { second: toOdooDatetime(cursor.sourceTime), id };
}

function bySecondThenId(a: OdooRow, b: OdooRow): number {
  const sa = String(a.write_date);
  const sb = String(b.write_date);
  return sa < sb ? -1 : sa > sb ? 1 : a.id - b.id;
}

/** The cursor just after a row. */
export function cursorAfter(row: OdooRow): ChangeCursor {
  return { sourceTime: fromOdooDatetime(String(row.write_date)), externalId: String(row.id) };
}

/**
 * The source of an entity: changed records oldest first, archived ones with `deleted: true`.
 * @example const source = createModelSource(client, { model: 'res.partner', domain: [['parent_id', '=', false]], fields: ['name'] }, { pageSize: 200, settleSeconds: 2 })
 */
export function createModelSource(client: OdooClient, entity: ModelEntity, options: { pageSize: number; settleSeconds: number }): EntitySource {
  function toRecord(row: OdooRow, types: FieldTypes): SourceRecord {
    const normalized = normalizeRow(row, types);
    const data = entity.decorate ? entity.decorate(normalized) : normalized;
    const record: SourceRecord = { externalId: String(row.id), sourceTime: fromOdooDatetime(String(row.write_date)), data };
    if (row.active === false) record.deleted = true;
    return record;
  }

  return {
    async listChanged(cursor, limit): Promise<ChangePage> {
      const { fields, types } = await existingFields(client, entity.model, entity.fields);
      const { rows, more } = await readChanged(client, { model: entity.model, domain: await domainOf(entity), fields, cursor, limit: Math.min(limit, options.pageSize), settleSeconds: options.settleSeconds, context: WITH_ARCHIVED });
      const last = rows[rows.length - 1];
      return { records: rows.map((r) => toRecord(r, types)), next: last ? cursorAfter(last) : null, more };
    },
    async get(externalId) {
      const id = odooId(externalId);
      if (id === undefined) return undefined;
      const { fields, types } = await existingFields(client, entity.model, entity.fields);
      const rows = await client.call<OdooRow[]>(entity.model, 'search_read', { domain: [...(await domainOf(entity)), ['id', '=', id]], fields, limit: 1, context: WITH_ARCHIVED });
      return rows[0] ? toRecord(rows[0], types) : undefined;
    },
  };
}

/** Failures that concern one record; the others concern the connection and stop the batch. */
function concernsRecord(err: ConnectorError): boolean {
  return err.kind === 'invalid' || err.kind === 'not_found' || err.kind === 'conflict';
}

/**
 * The sink of an entity: creates in one `create` call (a list of vals), updates with one `write`
 * each (Odoo writes the same vals to every id of a call), deletes by archiving.
 *
 * A failure before anything was written throws (the whole batch can be retried). Once something
 * was written, every write gets its own result: the record's own failure, or the connection
 * failure that stopped the batch for the writes not attempted.
 * @example const sink = createModelSink(client, { model: 'product.product', domain: [], fields: [] })
 */
export function createModelSink(client: OdooClient, entity: ModelEntity): EntitySink {
  async function valsOf(write: SinkWrite): Promise<Record<string, unknown>> {
    let vals = toOdooVals(write.data);
    if (!write.externalId) {
      vals = { ...entity.createDefaults, ...vals };
      // The identity goes with the record, so findByIdentity finds it if the answer is lost.
      if (write.identity && vals[write.identity.field] === undefined) vals[write.identity.field] = write.identity.value;
    }
    if (entity.prepare) vals = await entity.prepare(vals, write);
    if (entity.optionalFields?.some((f) => f in vals)) {
      const types = await client.fieldTypes(entity.model);
      for (const field of entity.optionalFields) if (!(field in types)) delete vals[field];
    }
    return vals;
  }

  return {
    maxBatch: MAX_BATCH,
    async upsert(writes) {
      if (writes.length > MAX_BATCH) throw new ConnectorError('invalid', `an upsert carries at most ${MAX_BATCH} writes to ${entity.model}, got ${writes.length}`);
      const results: (SinkResult | undefined)[] = writes.map(() => undefined);
      const vals: Record<string, unknown>[] = [];
      for (const [i, write] of writes.entries()) {
        try {
          vals[i] = await valsOf(write);
        } catch (err) {
          if (!(err instanceof ConnectorError) || !concernsRecord(err)) throw err;
          results[i] = { ok: false, error: err };
        }
      }
      let wrote = false;
      let stoppedBy: ConnectorError | undefined;

      /** Runs one record's write, turning its failure into that record's result. */
      async function settle(i: number, run: () => Promise<string>): Promise<void> {
        if (stoppedBy) {
          results[i] = { ok: false, error: stoppedBy };
          return;
        }
        try {
          results[i] = { ok: true, externalId: await run() };
          wrote = true;
        } catch (err) {
          if (!(err instanceof ConnectorError)) throw err;
          if (!concernsRecord(err)) {
            if (!wrote) throw err;
            stoppedBy = err;
          }
          results[i] = { ok: false, error: err };
        }
      }

      const creates = writes.flatMap((w, i) => (!w.externalId && !results[i] ? [i] : []));
      if (creates.length > 0) {
        try {
          const ids = await client.call<number[]>(entity.model, 'create', { vals_list: creates.map((i) => vals[i]) });
          creates.forEach((i, k) => {
            results[i] = { ok: true, externalId: String(ids[k]) };
          });
          wrote = true;
        } catch (err) {
          if (!(err instanceof ConnectorError) || err.kind !== 'invalid') throw err;
          if (creates.length === 1) {
            results[creates[0] as number] = { ok: false, error: err };
          } else {
            // One refused record fails the whole call (one transaction): create one by one to find it.
            for (const i of creates) {
              await settle(i, async () => String((await client.call<number[]>(entity.model, 'create', { vals_list: [vals[i]] }))[0]));
            }
          }
        }
      }
      for (const [i, write] of writes.entries()) {
        if (!write.externalId || results[i]) continue;
        const externalId = write.externalId;
        const id = odooId(externalId);
        if (id === undefined) {
          results[i] = { ok: false, error: new ConnectorError('invalid', `${JSON.stringify(externalId)} is not an Odoo id`) };
          continue;
        }
        await settle(i, async () => {
          await client.call(entity.model, 'write', { ids: [id], vals: vals[i] });
          return externalId;
        });
      }
      return results as SinkResult[];
    },
    async findByIdentity(field, value) {
      const ids = await client.call<number[]>(entity.model, 'search', { domain: [...(await domainOf(entity)), [field, '=', value]], order: 'id asc', limit: 2, context: WITH_ARCHIVED });
      if (ids.length > 1) throw new ConnectorError('conflict', `several ${entity.model} records have ${field} = ${JSON.stringify(value)} (ids ${ids.join(', ')}); make ${field} unique in Odoo`, { field });
      return ids[0] === undefined ? undefined : String(ids[0]);
    },
    async delete(externalId) {
      const id = odooId(externalId);
      if (id === undefined) throw new ConnectorError('not_found', `${JSON.stringify(externalId)} is not an Odoo id`);
      // Odoo records are archived, never deleted: links, orders and invoices keep pointing at them.
      await client.call(entity.model, 'write', { ids: [id], vals: { active: false } });
    },
  };
}
