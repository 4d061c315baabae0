// A source and a sink over one HubSpot object type. Changes are listed by (last-modified ms, id)
// although HubSpot's search sorts by one property only; creates are upserts by Qiao's unique id
// property, updates go by record id, and a 207 answer gives each write its own result.
import type { ChangeCursor, ChangePage, EntitySink, EntitySource, SinkResult, SinkWrite, SourceRecord } from '../contract';
import { ConnectorError } from '../errors';
import { type BatchAnswer, type BatchWriteInput, BATCH_LIMIT, type HubspotClient, type HubspotObject, kindOfCategory, propertyOf, readableMessage, type SearchFilter } from './client';

/** What makes an object type an entity: which properties, what else a record carries, how writes go. */
export interface ObjectEntitySpec {
  /** HubSpot object type in paths: `companies`, `contacts`, `products`, `deals`. */
  objectType: string;
  /** The last-modified datetime property: `lastmodifieddate` on contacts, `hs_lastmodifieddate` elsewhere. */
  modifiedProperty: string;
  /** Properties to read. */
  properties: readonly string[];
  /** The unique property that holds Qiao's id (`idProperty` of the config). */
  idProperty: string;
  /** Data that lives outside the record's properties (associated records), for a page of records, by record id. */
  enrich?(records: readonly HubspotObject[]): Promise<Map<string, Record<string, unknown>>>;
  /** Keys of a write's data that are no HubSpot properties; `afterWrite` gets them. */
  extraKeys?: readonly string[];
  /** Why Qiao does not create records of this type; absent: creates are upserts by `idProperty`. */
  noCreates?: string;
  /** Runs after the records were written (e.g. associations); returns the failures, by index in `written`. */
  afterWrite?(written: readonly { externalId: string; write: SinkWrite; extras: Record<string, unknown> }[]): Promise<Map<number, ConnectorError>>;
  /** Whether `delete` archives records (HubSpot's recycle bin). */
  archivable: boolean;
}

const HUBSPOT_ID = /^[1-9]\d{0,19}$/;

/** Orders HubSpot ids (decimal text of up to 20 digits) numerically. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A HubSpot datetime value (ISO text or epoch milliseconds) as epoch milliseconds. */
export function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function cursorPosition(cursor: ChangeCursor): { ms: number; id: string } {
  const ms = timeOf(cursor.sourceTime);
  if (ms === undefined) throw new ConnectorError('invalid', `cursor sourceTime ${JSON.stringify(cursor.sourceTime)} is not an ISO time`);
  if (!HUBSPOT_ID.test(cursor.externalId)) throw new ConnectorError('invalid', `cursor externalId ${JSON.stringify(cursor.externalId)} is not a HubSpot record id`);
  return { ms, id: cursor.externalId };
}

/** Failures that concern one record; the others concern the connection and fail the batch. */
function concernsRecord(err: ConnectorError): boolean {
  return err.kind === 'invalid' || err.kind === 'not_found' || err.kind === 'conflict';
}

/**
 * The source and sink of an object type.
 * @example const { source, sink } = createObjectEntity(api, { objectType: 'companies', modifiedProperty: 'hs_lastmodifieddate', properties: ['name'], idProperty: 'qiao_id', archivable: true }, { pageSize: 100 })
 */
export function createObjectEntity(api: HubspotClient, spec: ObjectEntitySpec, options: { pageSize: number }): { source: EntitySource; sink: EntitySink } {
  const type = spec.objectType;
  const modified = spec.modifiedProperty;
  const properties = [...new Set([...spec.properties, spec.idProperty, modified, 'hs_object_id'])];
  const msOf = (o: HubspotObject) => timeOf(o.properties[modified]) ?? timeOf(o.updatedAt) ?? 0;
  const byTimeThenId = (a: HubspotObject, b: HubspotObject) => msOf(a) - msOf(b) || compareIds(a.id, b.id);
  const hasMore = (page: { total: number; results: unknown[]; paging?: { next?: unknown } }) => page.paging?.next !== undefined || page.total > page.results.length;

  /** Records of exactly millisecond `ms` with an id above `afterId`, by id: how ties are paged. */
  async function sameMillisecond(ms: number, afterId: string, n: number): Promise<{ rows: HubspotObject[]; more: boolean }> {
    const filters: SearchFilter[] = [
      { propertyName: modified, operator: 'GTE', value: String(ms) },
      { propertyName: modified, operator: 'LTE', value: String(ms) },
      { propertyName: 'hs_object_id', operator: 'GT', value: afterId },
    ];
    const page = await api.search(type, { filterGroups: [{ filters }], sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], properties, limit: n });
    const rows = page.results.filter((r) => msOf(r) === ms && compareIds(r.id, afterId) > 0).sort(byTimeThenId);
    return { rows, more: hasMore(page) };
  }

  /**
   * Records changed after millisecond `ms` (all when undefined), oldest first. Search sorts by time
   * only, so when more follow, the records of the page's last millisecond are dropped (some of that
   * millisecond may be on the next page) and read again from the cursor; a page that is all one
   * millisecond is read by id instead.
   */
  async function laterMilliseconds(ms: number | undefined, n: number): Promise<{ rows: HubspotObject[]; more: boolean }> {
    const filterGroups = ms === undefined ? [] : [{ filters: [{ propertyName: modified, operator: 'GT' as const, value: String(ms) }] }];
    const page = await api.search(type, { filterGroups, sorts: [{ propertyName: modified, direction: 'ASCENDING' }], properties, limit: n });
    const rows = [...page.results].sort(byTimeThenId);
    if (!hasMore(page) || rows.length === 0) return { rows, more: hasMore(page) && rows.length > 0 };
    const last = msOf(rows[rows.length - 1] as HubspotObject);
    const complete = rows.filter((r) => msOf(r) < last);
    if (complete.length > 0) return { rows: complete, more: true };
    const same = await sameMillisecond(last, '0', n);
    return { rows: same.rows, more: true };
  }

  async function toRecords(rows: readonly HubspotObject[]): Promise<SourceRecord[]> {
    const extras = spec.enrich && rows.length > 0 ? await spec.enrich(rows) : undefined;
    return rows.map((row) => {
      const record: SourceRecord = {
        externalId: row.id,
        sourceTime: new Date(msOf(row)).toISOString(),
        data: { ...row.properties, id: row.id, ...extras?.get(row.id) },
      };
      if (row.archived) record.deleted = true;
      return record;
    });
  }

  const source: EntitySource = {
    async listChanged(cursor, limit): Promise<ChangePage> {
      const n = Math.max(1, Math.min(limit, options.pageSize));
      let rows: HubspotObject[];
      let more: boolean;
      if (cursor) {
        const at = cursorPosition(cursor);
        const same = await sameMillisecond(at.ms, at.id, n);
        rows = same.rows;
        more = true;
        // The cursor's millisecond is done: fill the page with later ones.
        if (!same.more && rows.length < n) {
          const later = await laterMilliseconds(at.ms, n - rows.length);
          rows = [...rows, ...later.rows];
          more = later.more;
        }
      } else {
        ({ rows, more } = await laterMilliseconds(undefined, n));
      }
      const records = await toRecords(rows);
      const last = records[records.length - 1];
      return { records, next: last ? { sourceTime: last.sourceTime, externalId: last.externalId } : null, more: more && records.length > 0 };
    },
    async get(externalId) {
      if (!HUBSPOT_ID.test(externalId)) return undefined;
      const live = await api.getObject(type, externalId, properties);
      // A record in the recycle bin is only found by asking for archived ones: report it deleted.
      const archived = live ? undefined : await api.getObject(type, externalId, properties, { archived: true });
      const found = live ?? (archived ? { ...archived, archived: true } : undefined);
      if (!found) return undefined;
      const [record] = await toRecords([found]);
      return record;
    },
  };

  const sink: EntitySink = {
    maxBatch: BATCH_LIMIT,
    updatesOnly: spec.noCreates,
    async upsert(writes) {
      if (writes.length > BATCH_LIMIT) throw new ConnectorError('invalid', `an upsert carries at most ${BATCH_LIMIT} writes to HubSpot ${type}, got ${writes.length}`);
      const results: (SinkResult | undefined)[] = writes.map(() => undefined);
      const extras: Record<string, unknown>[] = writes.map(() => ({}));
      const creates: { index: number; input: BatchWriteInput }[] = [];
      const updates: { index: number; input: BatchWriteInput }[] = [];
      const keys = new Set<string>();

      for (const [index, write] of writes.entries()) {
        const prepared = prepare(write);
        if ('error' in prepared) {
          results[index] = { ok: false, error: prepared.error };
          continue;
        }
        extras[index] = prepared.extras;
        const objectWriteTraceId = String(index);
        if (write.externalId !== undefined) {
          if (!HUBSPOT_ID.test(write.externalId)) results[index] = { ok: false, error: new ConnectorError('not_found', `${JSON.stringify(write.externalId)} is not a HubSpot ${type} id`) };
          else updates.push({ index, input: { id: write.externalId, properties: prepared.properties, objectWriteTraceId } });
          continue;
        }
        if (spec.noCreates) {
          results[index] = { ok: false, error: new ConnectorError('invalid', spec.noCreates) };
          continue;
        }
        const key = prepared.key;
        // HubSpot refuses a whole batch that names one id twice; the second write waits for the next batch.
        if (keys.has(key)) {
          results[index] = { ok: false, error: new ConnectorError('conflict', `${spec.idProperty} ${JSON.stringify(key)} is written twice in one batch`, { field: spec.idProperty }) };
          continue;
        }
        keys.add(key);
        creates.push({ index, input: { idProperty: spec.idProperty, id: key, properties: prepared.properties, objectWriteTraceId } });
      }

      await writeBatch('upsert', creates, results);
      await writeBatch('update', updates, results);

      if (spec.afterWrite) {
        const written = writes.flatMap((write, index) => {
          const result = results[index];
          return result?.ok ? [{ index, externalId: result.externalId, write, extras: extras[index] as Record<string, unknown> }] : [];
        });
        if (written.length > 0) {
          const failures = await spec.afterWrite(written);
          for (const [k, error] of failures) {
            const entry = written[k];
            if (entry) results[entry.index] = { ok: false, error };
          }
        }
      }
      return results.map((r) => r ?? { ok: false, error: new ConnectorError('retryable', `HubSpot's answer did not mention this ${type} record`) });
    },
    async findByIdentity(field, value) {
      const page = await api.search(type, { filterGroups: [{ filters: [{ propertyName: field, operator: 'EQ', value }] }], properties: [field], limit: 2 });
      if (page.results.length > 1 || page.total > 1) {
        throw new ConnectorError('conflict', `several HubSpot ${type} have ${field} = ${JSON.stringify(value)} (ids ${page.results.map((r) => r.id).join(', ')}); make ${field} unique`, { field });
      }
      return page.results[0]?.id;
    },
  };
  if (spec.archivable) {
    sink.delete = async (externalId) => {
      if (!HUBSPOT_ID.test(externalId)) throw new ConnectorError('not_found', `${JSON.stringify(externalId)} is not a HubSpot ${type} id`);
      await api.archive(type, externalId);
    };
  }

  /** A write's data as HubSpot properties: `null` clears a property (HubSpot's empty text), extras set apart. */
  function prepare(write: SinkWrite): { properties: Record<string, unknown>; extras: Record<string, unknown>; key: string } | { error: ConnectorError } {
    const props: Record<string, unknown> = {};
    const extra: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(write.data)) {
      if (value === undefined || name === 'id') continue;
      if (spec.extraKeys?.includes(name)) {
        extra[name] = value;
        continue;
      }
      if (value !== null && typeof value === 'object') {
        return { error: new ConnectorError('invalid', `HubSpot property ${name} holds text, a number or a boolean, not ${Array.isArray(value) ? 'a list' : 'an object'}`, { field: name }) };
      }
      props[name] = value === null ? '' : value;
    }
    const own = props[spec.idProperty];
    delete props[spec.idProperty];
    const key =
      typeof own === 'string' && own !== '' ? own : typeof own === 'number' ? String(own) : write.identity?.field === spec.idProperty ? write.identity.value : write.canonicalId;
    return { properties: props, extras: extra, key };
  }

  /** One batch call; a refused batch (one bad record fails it) is written again one record at a time. */
  async function writeBatch(kind: 'upsert' | 'update', entries: { index: number; input: BatchWriteInput }[], results: (SinkResult | undefined)[]): Promise<void> {
    if (entries.length === 0) return;
    let answer: BatchAnswer;
    try {
      answer = kind === 'upsert' ? await api.batchUpsert(type, entries.map((e) => e.input)) : await api.batchUpdate(type, entries.map((e) => e.input));
    } catch (err) {
      // Auth, 429, 5xx: the whole batch is retried; upserts by the id property and updates by id are idempotent.
      if (!(err instanceof ConnectorError) || !concernsRecord(err)) throw err;
      if (entries.length === 1) {
        results[(entries[0] as { index: number }).index] = { ok: false, error: err };
        return;
      }
      for (const entry of entries) await writeBatch(kind, [entry], results);
      return;
    }
    settle(kind, entries, answer, results);
  }

  /** Gives each write of a batch its result: by the trace id HubSpot echoes, else by the id it was written under. */
  function settle(kind: 'upsert' | 'update', entries: { index: number; input: BatchWriteInput }[], answer: BatchAnswer, results: (SinkResult | undefined)[]): void {
    const byTrace = new Map(entries.map((e) => [e.input.objectWriteTraceId, e]));
    const byId = new Map(entries.map((e) => [e.input.id, e]));
    for (const row of answer.results ?? []) {
      const entry = (row.objectWriteTraceId !== undefined ? byTrace.get(row.objectWriteTraceId) : undefined) ?? byId.get(kind === 'upsert' ? String(row.properties?.[spec.idProperty] ?? '') : row.id);
      if (entry) results[entry.index] = { ok: true, externalId: String(row.id) };
    }
    const unattributed: ConnectorError[] = [];
    for (const problem of answer.errors ?? []) {
      const error = new ConnectorError(kindOfCategory(problem.category), `HubSpot refused the ${type} record: ${problem.category ?? 'error'}: ${readableMessage(problem.message ?? 'no message')}`, { status: 207, field: propertyOf(problem) });
      const traces = problem.context?.objectWriteTraceId ?? [];
      const ids = problem.context?.ids ?? problem.context?.id ?? [];
      const targets = [...traces.map((t) => byTrace.get(t)), ...ids.map((id) => byId.get(id))].filter((e) => e !== undefined);
      if (targets.length === 0) unattributed.push(error);
      for (const entry of targets) results[entry.index] = { ok: false, error };
    }
    // An error HubSpot did not tie to a record belongs to one of those it did not answer for.
    const first = unattributed[0];
    if (first) for (const entry of entries) results[entry.index] ??= { ok: false, error: first };
  }

  return { source, sink };
}

/**
 * The id of the associated record with the primary association type (or the label `Primary`), else
 * the first one; null when there is none.
 * @example primaryAssociation(companiesOfDeal, 5) // '8124'
 */
export function primaryAssociation(associated: readonly { toObjectId: string; associationTypes: { typeId?: number; label?: string | null }[] }[] | undefined, primaryTypeId: number): string | null {
  if (!associated || associated.length === 0) return null;
  const primary = associated.find((a) => a.associationTypes.some((t) => t.typeId === primaryTypeId || t.label === 'Primary'));
  return (primary ?? associated[0])?.toObjectId ?? null;
}
