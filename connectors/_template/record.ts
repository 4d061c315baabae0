// The `record` entity: a source (changes by updated_at, ties broken by id) and a sink (create with an
// idempotency key, update by PATCH, one result per write). Copying: one such file per entity.
import type { ChangePage, EntitySink, EntitySource, SinkResult, SourceRecord } from '../contract';
import { ConnectorError } from '../errors';
import type { ApiRecord, TemplateClient } from './client';

/** Most writes one upsert carries. The API has no batch endpoint here: one call per write. */
const MAX_BATCH = 50;

function toSourceRecord(record: ApiRecord): SourceRecord {
  const source: SourceRecord = { externalId: record.id, sourceTime: record.updated_at, data: record };
  if (record.deleted) source.deleted = true;
  return source;
}

/** Failures that concern one record; anything else (auth, 429, 5xx) fails the whole batch. */
function concernsRecord(err: ConnectorError): boolean {
  return err.kind === 'invalid' || err.kind === 'not_found' || err.kind === 'conflict';
}

/**
 * The record entity over the API.
 * @example const { source, sink } = recordEntity(createTemplateClient(config), config.pageSize)
 */
export function recordEntity(api: TemplateClient, pageSize: number): { source: EntitySource; sink: EntitySink } {
  const source: EntitySource = {
    async listChanged(cursor, limit): Promise<ChangePage> {
      const page = await api.listRecords({ updatedAfter: cursor?.sourceTime, afterId: cursor?.externalId, limit: Math.min(limit, pageSize) });
      const records = page.data.map(toSourceRecord);
      const last = records[records.length - 1];
      return { records, next: last ? { sourceTime: last.sourceTime, externalId: last.externalId } : null, more: page.has_more };
    },
    async get(externalId) {
      try {
        return toSourceRecord(await api.getRecord(externalId));
      } catch (err) {
        if (err instanceof ConnectorError && err.kind === 'not_found') return undefined;
        throw err;
      }
    },
  };

  const sink: EntitySink = {
    maxBatch: MAX_BATCH,
    async upsert(writes) {
      if (writes.length > MAX_BATCH) throw new ConnectorError('invalid', `an upsert carries at most ${MAX_BATCH} writes, got ${writes.length}`);
      const results: SinkResult[] = [];
      // Creates carry the write's idempotency key and updates are PATCHes, so a batch that throws
      // half way can be retried whole without creating anything twice.
      for (const write of writes) {
        try {
          const saved = write.externalId ? await api.updateRecord(write.externalId, write.data) : await api.createRecord(write.data, write.idempotencyKey);
          results.push({ ok: true, externalId: saved.id });
        } catch (err) {
          if (!(err instanceof ConnectorError) || !concernsRecord(err)) throw err;
          results.push({ ok: false, error: err });
        }
      }
      return results;
    },
    async findByIdentity(field, value) {
      const found = await api.findRecords(field, value);
      if (found.length > 1) throw new ConnectorError('conflict', `several records have ${field} = ${JSON.stringify(value)}`, { field });
      return found[0]?.id;
    },
    async delete(externalId) {
      await api.deleteRecord(externalId);
    },
  };

  return { source, sink };
}
