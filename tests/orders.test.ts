// Orders across systems, in the engine: a confirmed order is planned against stock (production orders
// for what is missing, a promised date); statuses only move forward; lines a CRM changes after the ERP
// confirmed the order go to the conflict inbox, where someone chooses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerInput } from '../mappings/canonical';
import type { MappingDefinition } from '../mappings/engine';
import { applyRows, type InboxRow } from '../hub/sync/apply';
import { customers } from '../hub/store/resources';
import { appendToInbox } from '../hub/sync/poll';
import { createTestHub, type TestHub } from './support/hub';
import { DIALECTS } from './support/stores';

const VERSION = 50;

/** A user mapping for an order feed, stored like one published through the API. */
function orderMapping(connector: string): MappingDefinition {
  return {
    connector,
    entity: 'order',
    version: VERSION,
    canonical: 'order',
    references: [{ external: 'customer_id', entity: 'customer' }],
    fields: [
      { canonical: 'customerId', external: 'customer_id', direction: 'in', transform: { name: 'ref', entity: 'customer' }, required: true },
      { canonical: 'number', external: 'number', direction: 'in' },
      { canonical: 'currency', external: 'currency', direction: 'in' },
      { canonical: 'status', external: 'status', direction: 'in' },
      { canonical: 'lines', external: 'lines', direction: 'in' },
    ],
  } as MappingDefinition;
}

const daysFromToday = (days: number) => {
  const at = new Date();
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
};

describe.each(DIALECTS)('orders on %s', (dialect) => {
  let hub: TestHub;
  let customerId: string;
  let clock = Date.parse('2026-11-01T10:00:00Z');

  beforeAll(async () => {
    hub = await createTestHub(dialect);
    const customer = await hub.call('sales', 'POST', '/v1/customers', { name: 'Planned GmbH' });
    customerId = ((await customer.json()) as { id: string }).id;
    // SHORT: 4 available (5 on hand, 1 reserved); PLENTY: 100.
    for (const [sku, onHand, reserved] of [['SHORT', '5', '1'], ['PLENTY', '100', '0']] as const) {
      const res = await hub.call('admin', 'POST', '/v1/products', { sku, name: sku, stockLevels: [{ warehouse: 'WH', onHand, reserved, asOf: '2026-11-01T09:00:00Z', source: 'odoo' }] });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const db = hub.store.db;
    const now = new Date().toISOString();
    for (const [name, type] of [['crm', 'template'], ['erp', 'odoo']] as const) {
      await db
        .insertInto('mapping_versions')
        .values({ connector: type, entity: 'order', version: VERSION, definition: JSON.stringify(orderMapping(type)), status: 'published', created_by: 'test', created_at: now, published_at: now })
        .execute();
      // v51: the same without a number, like a CRM whose deals have none (Qiao numbers the order).
      const unnumbered = { ...orderMapping(type), version: VERSION + 1, fields: orderMapping(type).fields.filter((f) => f.canonical !== 'number') };
      await db
        .insertInto('mapping_versions')
        .values({ connector: type, entity: 'order', version: VERSION + 1, definition: JSON.stringify(unnumbered), status: 'published', created_by: 'test', created_at: now, published_at: now })
        .execute();
      await db
        .insertInto('links')
        .values({ connector: name, entity: 'customer', external_id: 'C-1', canonical_entity: 'customer', canonical_id: customerId, last_written_hash: null, last_seen_hash: null, mapping_version: 1, updated_at: now })
        .execute();
    }
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  /** One order report from a system, applied like the engine applies an inbox row. */
  async function report(name: 'crm' | 'erp', externalId: string, order: { number: string; status: string; lines: unknown[] }) {
    clock += 60_000;
    const sourceTime = new Date(clock).toISOString();
    await appendToInbox(hub.store.db, name, [{ entity: 'order', eventKey: `${name}:${externalId}:${sourceTime}`, externalId, sourceTime, data: { customer_id: 'C-1', currency: 'EUR', ...order } }]);
    const rows = (await hub.store.db
      .selectFrom('inbox')
      .select(['id', 'external_id', 'source_time', 'payload', 'deleted', 'mapping_version', 'received_at'])
      .where('connector', '=', name)
      .where('status', '=', 'pending')
      .execute()) as InboxRow[];
    return applyRows(hub.store.db, { name, type: name === 'crm' ? 'template' : 'odoo' }, 'order', VERSION, rows);
  }

  async function order(number: string) {
    const res = await hub.call('sales', 'GET', `/v1/orders?number=${number}`);
    const [found] = ((await res.json()) as { items: { id: string; status: string; promisedDate?: string; lines: { sku: string; quantity: string }[] }[] }).items;
    if (!found) throw new Error(`no order ${number}`);
    return found;
  }

  async function productionOrders(orderId: string) {
    const res = await hub.call('sales', 'GET', `/v1/production-orders?orderId=${orderId}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: { sku: string; quantity: string; status: string; plannedEnd: string }[] }).items;
  }

  it('an order confirmed through the API gets one production order for what stock lacks, and the production lead time as its promised date', async () => {
    const res = await hub.call('sales', 'POST', '/v1/orders', {
      customerId,
      currency: 'EUR',
      status: 'confirmed',
      lines: [
        { sku: 'SHORT', quantity: '10', unitPrice: 500 },
        { sku: 'PLENTY', quantity: '3', unitPrice: 100 },
      ],
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; promisedDate: string };
    expect(created.promisedDate).toBe(daysFromToday(10));
    expect(await productionOrders(created.id)).toEqual([expect.objectContaining({ sku: 'SHORT', quantity: '6', status: 'confirmed', plannedEnd: daysFromToday(10) })]);
  });

  it('a draft is planned when it is confirmed, once: stock covers it, so no production and the delivery days', async () => {
    const draft = (await (await hub.call('sales', 'POST', '/v1/orders', { customerId, currency: 'EUR', lines: [{ sku: 'PLENTY', quantity: '1.5', unitPrice: 100 }] })).json()) as { id: string; promisedDate?: string };
    expect(draft.promisedDate).toBeUndefined();
    const confirmed = (await (await hub.call('sales', 'PATCH', `/v1/orders/${draft.id}`, { status: 'confirmed' })).json()) as { promisedDate: string };
    expect(confirmed.promisedDate).toBe(daysFromToday(2));
    await hub.call('sales', 'PATCH', `/v1/orders/${draft.id}`, { notes: 'call before delivery' });
    expect(await productionOrders(draft.id)).toEqual([]);
    // The queue for the ERP holds production orders only for planned shortfalls.
    const queued = await hub.store.db.selectFrom('production_orders').select('sku').execute();
    expect(queued.map((r) => r.sku)).toEqual(['SHORT']);
  });

  it('statuses only move forward: a later ERP status passes through the ones between, an earlier CRM report is ignored, not parked', async () => {
    await report('crm', 'D-1', { number: 'D-1', status: 'confirmed', lines: [{ sku: 'PLENTY', quantity: '2', unitPrice: 500 }] });
    const confirmed = await order('D-1');
    expect(confirmed.status).toBe('confirmed');
    // 2 of the 100 available: no production.
    expect(await productionOrders(confirmed.id)).toEqual([]);

    const outcome = await report('erp', 'S-1', { number: 'D-1', status: 'invoiced', lines: [{ sku: 'PLENTY', quantity: '2', unitPrice: 500 }] });
    expect(outcome).toMatchObject({ applied: 1, parked: [] });
    expect((await order('D-1')).status).toBe('invoiced');
    const audit = await hub.store.db.selectFrom('audit_log').select('after').where('entity', '=', 'order').where('entity_id', '=', confirmed.id).orderBy('id').execute();
    expect(audit.map((a) => (JSON.parse(a.after ?? '{}') as { status: string }).status)).toEqual(['confirmed', 'invoiced']);

    const stale = await report('crm', 'D-1', { number: 'D-1', status: 'confirmed', lines: [{ sku: 'PLENTY', quantity: '2', unitPrice: 500 }] });
    expect(stale.parked).toEqual([]);
    expect((await order('D-1')).status).toBe('invoiced');
  });

  it('lines a CRM changes after confirmation wait in the conflict inbox with both values; choosing the proposal writes it', async () => {
    await report('crm', 'D-2', { number: 'D-2', status: 'confirmed', lines: [{ sku: 'PLENTY', quantity: '1', unitPrice: 100 }] });
    const edited = [{ sku: 'PLENTY', quantity: '5', unitPrice: 100 }];
    await report('crm', 'D-2', { number: 'D-2', status: 'confirmed', lines: edited });
    await report('crm', 'D-2', { number: 'D-2', status: 'confirmed', lines: edited });
    const stored = await order('D-2');
    expect(stored.lines.map((l) => l.quantity)).toEqual(['1']);

    const open = (await (await hub.call('sales', 'GET', '/v1/conflicts')).json()) as { items: { id: number; recordId: string; field: string; current: { value: { quantity: string }[] }; proposed: { value: unknown; source: string }; connector: string }[] };
    const mine = open.items.filter((c) => c.recordId === stored.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ field: 'lines', proposed: { value: edited, source: 'template' }, connector: 'crm' });
    expect(mine[0]?.current.value.map((l) => l.quantity)).toEqual(['1']);

    expect((await hub.call('viewer', 'POST', `/v1/conflicts/${mine[0]?.id}/resolve`, { choice: 'proposed' })).status).toBe(403);
    const resolved = await hub.call('sales', 'POST', `/v1/conflicts/${mine[0]?.id}/resolve`, { choice: 'proposed' });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ status: 'resolved', resolution: 'proposed', resolvedBy: 'sam' });
    expect((await order('D-2')).lines.map((l) => l.quantity)).toEqual(['5']);
    expect((await hub.call('sales', 'POST', `/v1/conflicts/${mine[0]?.id}/resolve`, { choice: 'current' })).status).toBe(409);
  });

  it('two reports of one new record in the same batch (a creation and a change) make one record, even without a number', async () => {
    const at = (s: number) => new Date(clock + s * 1000).toISOString();
    clock += 60_000;
    const data = { customer_id: 'C-1', currency: 'EUR', lines: [{ sku: 'PLENTY', quantity: '1', unitPrice: 100 }] };
    await appendToInbox(hub.store.db, 'crm', [
      { entity: 'order', eventKey: 'crm:deal-9:created', externalId: 'deal-9', sourceTime: at(1), data: { ...data, status: 'draft' } },
      { entity: 'order', eventKey: 'crm:deal-9:won', externalId: 'deal-9', sourceTime: at(2), data: { ...data, status: 'confirmed' } },
    ]);
    const rows = (await hub.store.db.selectFrom('inbox').select(['id', 'external_id', 'source_time', 'payload', 'deleted', 'mapping_version', 'received_at']).where('status', '=', 'pending').execute()) as InboxRow[];
    expect(rows).toHaveLength(2);
    const outcome = await applyRows(hub.store.db, { name: 'crm', type: 'template' }, 'order', VERSION + 1, rows);
    expect(outcome).toMatchObject({ applied: 2, parked: [] });
    const linked = await hub.store.db.selectFrom('links').select('canonical_id').where('connector', '=', 'crm').where('external_id', '=', 'deal-9').execute();
    expect(linked).toHaveLength(1);
    const made = await hub.store.db.selectFrom('orders').select(['id', 'status']).where('id', '=', linked[0]?.canonical_id as string).execute();
    expect(made).toEqual([{ id: linked[0]?.canonical_id, status: 'confirmed' }]);
    const audits = await hub.store.db.selectFrom('audit_log').select('action').where('entity', '=', 'order').where('entity_id', '=', linked[0]?.canonical_id as string).execute();
    expect(audits.map((a) => a.action)).toEqual(['create', 'update']);
  });

  it('a write made without asking what it queued still queues its deliveries (store API, and planning from a sync)', async () => {
    const now = new Date().toISOString();
    await hub.store.db
      .insertInto('connectors')
      .values({ name: 'listener', type: 'template', config: '{}', entities: JSON.stringify({ customer: { direction: 'out' }, production_order: { direction: 'out' } }), enabled: 1, health: null, updated_at: now })
      .execute();
    const made = await customers.create(hub.store.db, CustomerInput.parse({ name: 'Quiet Queue GmbH' }), { name: 'test', role: 'admin' });
    const queued = await hub.store.db.selectFrom('outbox').select(['connector', 'entity']).where('canonical_id', '=', made.id).execute();
    expect(queued).toEqual([{ connector: 'listener', entity: 'customer' }]);
    await report('crm', 'D-9', { number: 'D-9', status: 'confirmed', lines: [{ sku: 'SHORT', quantity: '50', unitPrice: 500 }] });
    const [planned] = await productionOrders((await order('D-9')).id);
    const forProduction = await hub.store.db.selectFrom('outbox').select(['connector', 'entity']).where('entity', '=', 'production_order').execute();
    expect(planned).toMatchObject({ sku: 'SHORT' });
    expect(forProduction).toContainEqual({ connector: 'listener', entity: 'production_order' });
    await hub.store.db.deleteFrom('connectors').where('name', '=', 'listener').execute();
  });

  it('keeping the current lines sends them back to the CRM that proposed others; the ERP may change lines while they are editable', async () => {
    await report('crm', 'D-3', { number: 'D-3', status: 'confirmed', lines: [{ sku: 'PLENTY', quantity: '2', unitPrice: 100 }] });
    await report('crm', 'D-3', { number: 'D-3', status: 'confirmed', lines: [{ sku: 'PLENTY', quantity: '7', unitPrice: 100 }] });
    const stored = await order('D-3');
    const { items } = (await (await hub.call('sales', 'GET', `/v1/conflicts?recordId=${stored.id}`)).json()) as { items: { id: number }[] };
    expect(items).toHaveLength(1);
    await hub.call('sales', 'POST', `/v1/conflicts/${items[0]?.id}/resolve`, { choice: 'current' });
    const back = await hub.store.db.selectFrom('outbox').select(['connector', 'entity', 'status']).where('canonical_id', '=', stored.id).execute();
    expect(back).toContainEqual({ connector: 'crm', entity: 'order', status: 'pending' });
    expect((await order('D-3')).lines.map((l) => l.quantity)).toEqual(['2']);

    await report('erp', 'S-3', { number: 'D-3', status: 'confirmed', lines: [{ sku: 'PLENTY', quantity: '3', unitPrice: 100 }] });
    expect((await order('D-3')).lines.map((l) => l.quantity)).toEqual(['3']);
    expect(((await (await hub.call('sales', 'GET', `/v1/conflicts?recordId=${stored.id}`)).json()) as { items: unknown[] }).items).toEqual([]);
  });
  it('stock promised to a confirmed order is not promised again, until the ERP\'s figures are newer than the promise', async () => {
    const stock = (onHand: string, reserved: string, asOf: string) => ({ stockLevels: [{ warehouse: 'WH', onHand, reserved, asOf, source: 'odoo' }] });
    expect((await hub.call('admin', 'POST', '/v1/products', { sku: 'TIGHT', name: 'Tight', ...stock('10', '0', '2026-11-01T09:00:00Z') })).status).toBe(201);
    const confirm = async (quantity: string) => {
      const res = await hub.call('sales', 'POST', '/v1/orders', { customerId, currency: 'EUR', status: 'confirmed', lines: [{ sku: 'TIGHT', quantity, unitPrice: 100 }] });
      expect(res.status, await res.clone().text()).toBe(201);
      const { id } = (await res.json()) as { id: string };
      return (await productionOrders(id)).map((p) => p.quantity);
    };
    // 10 available: the first order takes 6 of them; the second gets the 4 left and 2 made.
    expect(await confirm('6')).toEqual([]);
    expect(await confirm('6')).toEqual(['2']);
    // The ERP's next report carries both reservations (and a receipt of 10): only its figures count now.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await hub.call('admin', 'PATCH', '/v1/products/TIGHT', stock('20', '10', new Date().toISOString()))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await confirm('8')).toEqual([]);
    expect(await confirm('3')).toEqual(['1']);

    // An order the ERP itself confirmed is reserved in its own figures: it promises nothing more.
    await hub.store.db
      .insertInto('connectors')
      .values({ name: 'erp', type: 'odoo', config: '{}', entities: JSON.stringify({ stock_level: { direction: 'in' }, order: { direction: 'both' } }), enabled: 0, health: null, updated_at: new Date().toISOString() })
      .execute();
    await report('erp', 'S-9', { number: 'S-9', status: 'confirmed', lines: [{ sku: 'PLENTY', quantity: '5', unitPrice: 100 }] });
    const fromErp = await order('S-9');
    expect(await hub.store.db.selectFrom('stock_promises').selectAll().where('order_id', '=', fromErp.id).execute()).toEqual([]);
  });
});
