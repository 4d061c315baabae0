// One Salesforce object as a Qiao entity: changes listed by (SystemModstamp, Id) with queryAll (so
// deletions are seen), get by Id, and writes by upsert on the external id field (creates) or by Id
// (updates), one call per record or one sObject Collections call per batch.
import type { ChangePage, ChangeCursor, EntitySink, EntitySource, SinkResult, SinkWrite, SourceRecord } from '../contract';
import { ConnectorError } from '../errors';
import { type FieldInfo, isSalesforceId, parseSalesforceErrors, type SalesforceClient, type SaveResult, type SObjectRow, salesforceError } from './client';
import { fromSalesforceDatetime, soqlDatetime, soqlName, soqlString } from './soql';

/** The identity field the built-in mappings write; the connector writes its value to `externalIdField`. */
export const MAPPING_IDENTITY_FIELD = 'Qiao_Id__c';

/** sObject Collections take at most 200 records per call. */
export const MAX_BATCH = 200;

/** Read with every record, whatever the entity: the cursor and deletion come from them. */
const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp'] as const;

/** Lines read with each record of a header object (Order → OrderItem, Opportunity → OpportunityLineItem). */
export interface LineSpec {
  object: string;
  /** The line's lookup to its header, e.g. `OrderId`. */
  parentField: string;
  /** Line fields to read when the org has them; `ProductCode` is added from `productCode`. */
  fields: readonly string[];
  /** Where a line's product code is: `ProductCode` on the line, or `Product2.ProductCode` through the product. */
  productCode: 'ProductCode' | 'Product2.ProductCode';
}

/** How one object is synced. */
export interface SObjectEntitySpec {
  object: string;
  /** Fields to read, where the org has them (describe): the same list serves orgs with and without optional features. */
  fields: readonly string[];
  /** Why Qiao does not create records of this object; absent when it does. */
  noCreate?: string;
  /** `delete` writes these values (archive) instead; no `delete` without them. */
  archive?: Record<string, unknown>;
  lines?: LineSpec;
  /** Turns values to write into what this org takes (its describe at hand). */
  prepare?(data: Record<string, unknown>, fields: ReadonlyMap<string, FieldInfo>): Record<string, unknown>;
}

export interface SObjectEntityOptions {
  pageSize: number;
  externalIdField: string;
}

/** Failures that concern one record; anything else (auth, limits, 5xx) fails the whole batch. */
function concernsRecord(err: ConnectorError): boolean {
  return err.kind === 'invalid' || err.kind === 'not_found' || err.kind === 'conflict';
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A row as the connector hands it on: no `attributes`, datetimes as ISO 8601 UTC, a relationship
 * (`Product2: { ProductCode }`) without its attributes.
 */
function normalizeRow(row: SObjectRow, fields: ReadonlyMap<string, FieldInfo>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === 'attributes') continue;
    if (typeof value === 'string' && fields.get(key)?.type === 'datetime') data[key] = fromSalesforceDatetime(value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) data[key] = normalizeRow(value as SObjectRow, new Map());
    else data[key] = value;
  }
  return data;
}

/**
 * The object as a source and a sink.
 * @example const { source, sink } = sobjectEntity(client, { object: 'Account', fields: ['Name'] }, { pageSize: 200, externalIdField: 'Qiao_Id__c' })
 */
export function sobjectEntity(client: SalesforceClient, spec: SObjectEntitySpec, options: SObjectEntityOptions): { source: EntitySource; sink: EntitySink } {
  const { object } = spec;
  const externalIdField = options.externalIdField;

  /** The fields to SELECT: the system fields, then the wanted ones this org has. */
  async function selectFields(): Promise<{ names: string[]; described: ReadonlyMap<string, FieldInfo> }> {
    const described = await client.describe(object);
    const wanted = [...SYSTEM_FIELDS, ...spec.fields, externalIdField];
    return { names: [...new Set(wanted.filter((f) => described.has(f)))], described };
  }

  async function lineFields(lines: LineSpec): Promise<string[]> {
    const described = await client.describe(lines.object);
    const names = ['Id', lines.parentField, ...lines.fields].filter((f) => described.has(f));
    return [...new Set([...names, lines.productCode])];
  }

  /** The lines of the given headers, as `items: [{ Id, ProductCode, Quantity, UnitPrice, ... }]`, by header id. */
  async function linesOf(ids: readonly string[]): Promise<Map<string, Record<string, unknown>[]>> {
    const byParent = new Map<string, Record<string, unknown>[]>(ids.map((id) => [id, []]));
    const lines = spec.lines;
    if (!lines || ids.length === 0) return byParent;
    const fields = await lineFields(lines);
    // 200 ids keep the query well under the URL length Salesforce takes.
    for (const part of chunk(ids, 200)) {
      const soql = `SELECT ${fields.join(', ')} FROM ${lines.object} WHERE ${lines.parentField} IN (${part.map(soqlString).join(', ')}) ORDER BY ${lines.parentField}, Id`;
      for (const row of await client.query(soql)) {
        const { attributes: _a, Product2: product, [lines.parentField]: parent, ...rest } = row;
        const item: Record<string, unknown> = { ...rest };
        if (lines.productCode === 'Product2.ProductCode') item.ProductCode = (product as { ProductCode?: unknown } | null | undefined)?.ProductCode ?? null;
        byParent.get(String(parent))?.push(item);
      }
    }
    return byParent;
  }

  async function toRecords(rows: SObjectRow[], described: ReadonlyMap<string, FieldInfo>): Promise<SourceRecord[]> {
    const items = await linesOf(rows.filter((r) => r.IsDeleted !== true).map((r) => String(r.Id)));
    return rows.map((row) => {
      const data = normalizeRow(row, described);
      if (spec.lines) data.items = items.get(String(row.Id)) ?? [];
      const record: SourceRecord = { externalId: String(row.Id), sourceTime: fromSalesforceDatetime(String(row.SystemModstamp)), data };
      if (row.IsDeleted === true) record.deleted = true;
      return record;
    });
  }

  function cursorCondition(cursor: ChangeCursor): string {
    if (!isSalesforceId(cursor.externalId)) throw new ConnectorError('invalid', `cursor externalId ${JSON.stringify(cursor.externalId).slice(0, 40)} is not a Salesforce id`);
    const at = soqlDatetime(cursor.sourceTime);
    return ` WHERE SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > ${soqlString(cursor.externalId)})`;
  }

  const source: EntitySource = {
    async listChanged(cursor, limit): Promise<ChangePage> {
      const { names, described } = await selectFields();
      const n = Math.max(1, Math.min(limit, options.pageSize));
      // SystemModstamp changes with every change, system ones included (roll-ups of lines); Id breaks
      // ties between records changed in the same second. queryAll also returns deleted records.
      const soql = `SELECT ${names.join(', ')} FROM ${object}${cursor ? cursorCondition(cursor) : ''} ORDER BY SystemModstamp ASC, Id ASC LIMIT ${n + 1}`;
      const rows = await client.query(soql, { all: true, max: n + 1 });
      const page = rows.slice(0, n);
      const records = await toRecords(page, described);
      const last = records[records.length - 1];
      return { records, next: last ? { sourceTime: last.sourceTime, externalId: last.externalId } : null, more: rows.length > n };
    },
    async get(externalId) {
      if (!isSalesforceId(externalId)) return undefined;
      const { names, described } = await selectFields();
      let row: SObjectRow;
      try {
        row = (await client.call<SObjectRow>('GET', `sobjects/${object}/${externalId}`, { query: { fields: names.join(',') } }, `get ${object}`)).body;
      } catch (err) {
        // A deleted record (even one in the recycle bin) answers 404.
        if (err instanceof ConnectorError && err.kind === 'not_found') return undefined;
        throw err;
      }
      const [record] = await toRecords([row], described);
      return record;
    },
  };

  /** The values to send: no undefined, no Id, the mapping's identity field under the configured external id field. */
  function valuesOf(write: SinkWrite, described: ReadonlyMap<string, FieldInfo>): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(write.data)) {
      if (value === undefined || key === 'Id' || key === 'id' || key === 'attributes') continue;
      data[key] = value;
    }
    if (externalIdField !== MAPPING_IDENTITY_FIELD && MAPPING_IDENTITY_FIELD in data) {
      data[externalIdField] = data[MAPPING_IDENTITY_FIELD];
      delete data[MAPPING_IDENTITY_FIELD];
    }
    return spec.prepare ? spec.prepare(data, described) : data;
  }

  /** The external id a create is upserted by: the identity's value when it is Qiao's id field, else the canonical id. */
  function externalIdOf(write: SinkWrite): string {
    const field = write.identity?.field;
    return write.identity && (field === externalIdField || field === MAPPING_IDENTITY_FIELD) ? write.identity.value : write.canonicalId;
  }

  function resultOf(result: SaveResult | undefined, what: string): SinkResult {
    if (!result) return { ok: false, error: new ConnectorError('retryable', `Salesforce ${what}: the answer has fewer results than records sent`) };
    if (result.success && typeof result.id === 'string') return { ok: true, externalId: result.id };
    const errors = parseSalesforceErrors(result.errors);
    return { ok: false, error: salesforceError(errors.length ? errors : [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'not saved, no reason given' }], what) };
  }

  async function findId(field: string, value: string): Promise<string | undefined> {
    const rows = await client.query(`SELECT Id FROM ${object} WHERE ${soqlName(field)} = ${soqlString(value)} LIMIT 2`);
    if (rows.length > 1) throw new ConnectorError('conflict', `several ${object} records have ${field} = ${JSON.stringify(value)}: ${rows.map((r) => r.Id).join(', ')}`, { field });
    return rows[0]?.Id;
  }

  /** PATCH sobjects/<Object>/<field>/<value>: 201 created, 200 (204 before v46) updated, 300 several matches. */
  async function upsertOne(value: string, data: Record<string, unknown>): Promise<SinkResult> {
    const { [externalIdField]: _inUrl, ...body } = data;
    const what = `upsert ${object} ${externalIdField}=${value}`;
    try {
      const res = await client.call<{ id?: string } | string[] | string>('PATCH', `sobjects/${object}/${externalIdField}/${encodeURIComponent(value)}`, { body }, what);
      if (res.status === 300) {
        const urls = Array.isArray(res.body) ? res.body.map(String) : [];
        return { ok: false, error: new ConnectorError('conflict', `Salesforce ${what}: several records match (${urls.map((u) => u.split('/').pop()).join(', ')})`, { status: 300, field: externalIdField }) };
      }
      const id = typeof res.body === 'object' && !Array.isArray(res.body) ? res.body.id : undefined;
      const found = id ?? (await findId(externalIdField, value));
      if (!found) return { ok: false, error: new ConnectorError('retryable', `Salesforce ${what}: HTTP ${res.status} without the record id, and no record has that ${externalIdField}`) };
      return { ok: true, externalId: found };
    } catch (err) {
      if (err instanceof ConnectorError && concernsRecord(err)) return { ok: false, error: err };
      throw err;
    }
  }

  async function updateOne(id: string, data: Record<string, unknown>): Promise<SinkResult> {
    try {
      await client.call('PATCH', `sobjects/${object}/${id}`, { body: data }, `update ${object} ${id}`);
      return { ok: true, externalId: id };
    } catch (err) {
      if (err instanceof ConnectorError && concernsRecord(err)) return { ok: false, error: err };
      throw err;
    }
  }

  const sink: EntitySink = {
    maxBatch: MAX_BATCH,
    updatesOnly: spec.noCreate,
    async upsert(writes) {
      if (writes.length > MAX_BATCH) throw new ConnectorError('invalid', `a Salesforce upsert carries at most ${MAX_BATCH} writes, got ${writes.length}`);
      const described = await client.describe(object);
      const results: SinkResult[] = new Array(writes.length);
      const creates: { index: number; value: string; data: Record<string, unknown> }[] = [];
      const updates: { index: number; id: string; data: Record<string, unknown> }[] = [];
      writes.forEach((write, index) => {
        const data = valuesOf(write, described);
        if (write.externalId !== undefined) {
          if (isSalesforceId(write.externalId)) updates.push({ index, id: write.externalId, data });
          else results[index] = { ok: false, error: new ConnectorError('invalid', `${JSON.stringify(write.externalId).slice(0, 40)} is not a Salesforce ${object} id`) };
        } else if (spec.noCreate) {
          results[index] = { ok: false, error: new ConnectorError('invalid', spec.noCreate) };
        } else {
          const value = externalIdOf(write);
          creates.push({ index, value, data: { ...data, [externalIdField]: value } });
        }
      });

      // Creates go by the external id, so a batch retried after a lost answer updates what it created.
      if (creates.length === 1) {
        const only = creates[0] as (typeof creates)[number];
        results[only.index] = await upsertOne(only.value, only.data);
      } else if (creates.length > 1) {
        const what = `upsert ${object} by ${externalIdField}`;
        const res = await client.call<SaveResult[]>('PATCH', `composite/sobjects/${object}/${externalIdField}`, { body: { allOrNone: false, records: creates.map((c) => ({ attributes: { type: object }, ...c.data })) } }, what);
        const answers = Array.isArray(res.body) ? res.body : [];
        creates.forEach((c, i) => {
          results[c.index] = resultOf(answers[i], `${what} (${c.value})`);
        });
      }
      // Updates go by record id: a record made in Salesforce has no external id to upsert by.
      if (updates.length === 1) {
        const only = updates[0] as (typeof updates)[number];
        results[only.index] = await updateOne(only.id, only.data);
      } else if (updates.length > 1) {
        const what = `update ${object}`;
        const res = await client.call<SaveResult[]>('PATCH', 'composite/sobjects', { body: { allOrNone: false, records: updates.map((u) => ({ attributes: { type: object }, id: u.id, ...u.data })) } }, what);
        const answers = Array.isArray(res.body) ? res.body : [];
        updates.forEach((u, i) => {
          results[u.index] = resultOf(answers[i], `${what} ${u.id}`);
        });
      }
      return results;
    },
    async findByIdentity(field, value) {
      return findId(field === MAPPING_IDENTITY_FIELD ? externalIdField : field, value);
    },
  };
  const archive = spec.archive;
  if (archive) {
    sink.delete = async (externalId) => {
      if (!isSalesforceId(externalId)) throw new ConnectorError('invalid', `${JSON.stringify(externalId).slice(0, 40)} is not a Salesforce ${object} id`);
      await client.call('PATCH', `sobjects/${object}/${externalId}`, { body: archive }, `archive ${object} ${externalId}`);
    };
  }
  return { source, sink };
}
