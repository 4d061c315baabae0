// Record trace: find a record by a business key and tell its story across systems.
import type { Db } from '../store/records';
import { RECORDS_BY_ENTITY } from '../store/resources';

interface Match {
  entity: string;
  id: string;
}

async function findMatches(db: Db, key: string): Promise<Match[]> {
  const found: Match[] = [];
  const add = (entity: string, ids: { id: string }[]) => {
    for (const r of ids) if (!found.some((m) => m.id === r.id)) found.push({ entity, id: r.id });
  };
  add('product', await db.selectFrom('products').select('id').where((eb) => eb.or([eb('sku', '=', key), eb('id', '=', key)])).execute());
  add('customer', await db.selectFrom('customers').select('id').where((eb) => eb.or([eb('number', '=', key), eb('id', '=', key)])).execute());
  add('order', await db.selectFrom('orders').select('id').where((eb) => eb.or([eb('number', '=', key), eb('id', '=', key)])).execute());
  add('contact', await db.selectFrom('contacts').select('id').where((eb) => eb.or([eb('email', '=', key), eb('id', '=', key)])).execute());
  if (key.includes('@')) {
    // Customer emails live in the document; a quoted match avoids partial hits.
    add('customer', await db.selectFrom('customers').select('id').where('data', 'like', `%${JSON.stringify(key)}%`).limit(20).execute());
  }
  const links = await db.selectFrom('links').select(['canonical_entity', 'canonical_id']).where('external_id', '=', key).execute();
  for (const l of links) add(l.canonical_entity, [{ id: l.canonical_id }]);
  return found;
}


/**
 * Everything Qiao knows about the records a key names: the record, its links, the events received
 * for it, the mapping versions applied and the values they changed, deliveries and dead letters.
 * @example await traceByKey(db, 'BOLT-M8')
 */
export async function traceByKey(db: Db, key: string) {
  const matches = await findMatches(db, key);
  const results = [];
  for (const m of matches) {
    const records = RECORDS_BY_ENTITY[m.entity as keyof typeof RECORDS_BY_ENTITY];
    const record = records ? (await (records.findBy as (d: Db, c: string, v: string[]) => Promise<unknown[]>)(db, 'id', [m.id]))[0] : undefined;
    const links = await db.selectFrom('links').selectAll().where('canonical_id', '=', m.id).execute();
    const ledger = await db.selectFrom('ledger').selectAll().where('canonical_id', '=', m.id).orderBy('id').execute();
    const inboxIds = ledger.map((l) => l.inbox_id).filter((id): id is number => id !== null);
    const externalKeys = links.map((l) => `${l.connector}|${l.entity}|${l.external_id}`);
    const events = [];
    for (const k of externalKeys) {
      const [connector, entity, externalId] = k.split('|') as [string, string, string];
      events.push(
        ...(await db.selectFrom('inbox').select(['id', 'connector', 'entity', 'event_key', 'external_id', 'source_time', 'status', 'mapping_version', 'received_at', 'applied_at']).where('connector', '=', connector).where('entity', '=', entity).where('external_id', '=', externalId).orderBy('id').execute()),
      );
    }
    for (const id of inboxIds) {
      if (!events.some((e) => Number(e.id) === id)) {
        events.push(...(await db.selectFrom('inbox').select(['id', 'connector', 'entity', 'event_key', 'external_id', 'source_time', 'status', 'mapping_version', 'received_at', 'applied_at']).where('id', '=', id).execute()));
      }
    }
    const deliveries = await db.selectFrom('outbox').selectAll().where('canonical_id', '=', m.id).orderBy('id').execute();
    const deadLetters = await db.selectFrom('dead_letters').selectAll().where((eb) => eb.or([eb('canonical_id', '=', m.id), ...(externalKeys.length ? [eb('external_id', 'in', links.map((l) => l.external_id))] : [])])).orderBy('id').execute();
    const provenance = await db.selectFrom('field_provenance').selectAll().where('record_id', '=', m.id).orderBy('field').execute();
    const audit = await db.selectFrom('audit_log').select(['id', 'at', 'actor', 'role', 'action']).where('entity_id', '=', m.id).orderBy('id').execute();
    results.push({
      entity: m.entity,
      id: m.id,
      record,
      provenance: provenance.map((p) => ({ field: p.field, source: p.source, sourceTime: p.source_time, mappingVersion: p.mapping_version })),
      links: links.map((l) => ({ connector: l.connector, entity: l.entity, externalId: l.external_id, mappingVersion: l.mapping_version, updatedAt: l.updated_at })),
      events: events.sort((a, b) => Number(a.id) - Number(b.id)).map((e) => ({ id: Number(e.id), connector: e.connector, entity: e.entity, eventKey: e.event_key, externalId: e.external_id, sourceTime: e.source_time, status: e.status, mappingVersion: e.mapping_version, receivedAt: e.received_at, appliedAt: e.applied_at })),
      changes: ledger.map((l) => ({ id: Number(l.id), at: l.at, connector: l.connector, externalId: l.external_id, mappingVersion: l.mapping_version, inboxId: l.inbox_id, changes: JSON.parse(l.changes) })),
      deliveries: deliveries.map((d) => ({ id: Number(d.id), connector: d.connector, entity: d.entity, operation: d.operation, status: d.status, externalId: d.external_id, error: d.error, mappingVersion: d.mapping_version, createdAt: d.created_at, doneAt: d.done_at })),
      deadLetters: deadLetters.map((d) => ({ id: Number(d.id), connector: d.connector, direction: d.direction, errorKind: d.error_kind, reason: d.reason, status: d.status, createdAt: d.created_at })),
      audit,
    });
  }
  return { key, matches: results };
}
