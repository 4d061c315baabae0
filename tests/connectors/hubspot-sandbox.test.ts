// The HubSpot connector end to end against the HubSpot sandbox: creates by qiao_id that survive
// retries, reads with associations, change listing through hundreds of records of one millisecond,
// 207 batches, deals as orders with their progress written back, stock on products, faults and
// rate limits, and webhooks signed by the sandbox and verified by the connector.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeCursor, Connector, EntitySink, EntitySource, SourceRecord, WebhookRequest } from '../../connectors/contract';
import { HubspotConfig, hubspot } from '../../connectors/hubspot/index';
import { getBuiltInMapping, mapToCanonical } from '../../mappings/engine';
import { type HubspotSandbox, type SeededIds, startHubspotSandbox } from '../../ops/sandboxes/hubspot/index';
import { bulkProducts } from '../../ops/sandboxes/hubspot/seed';
import { failure } from '../support/connector-errors';

const TOKEN = 'pat-na1-sandbox-7f3e2a91-c4b5-4d6e-8f70-112233445566';
const SECRET = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** Every record after `cursor`, page by page; fails if the listing never ends. */
async function drain(source: EntitySource, cursor: ChangeCursor | null, limit: number): Promise<{ records: SourceRecord[]; cursor: ChangeCursor | null; pages: number }> {
  const records: SourceRecord[] = [];
  let pages = 0;
  for (;;) {
    const page = await source.listChanged(cursor, limit);
    pages++;
    records.push(...page.records);
    cursor = page.next ?? cursor;
    if (!page.more) return { records, cursor, pages };
    if (pages > 500) throw new Error('listChanged never ends');
  }
}

describe('HubSpot connector against the sandbox', () => {
  let hub: HubspotSandbox;
  let connector: Connector;
  let ids: SeededIds;

  beforeAll(async () => {
    hub = await startHubspotSandbox({ accessToken: TOKEN, clientSecret: SECRET });
    ids = hub.seed({
      companies: [{ name: 'Acme GmbH', domain: 'acme.example', city: 'Berlin', country: 'Germany', contacts: [{ firstname: 'Anna', lastname: 'Schmidt', email: 'anna@acme.example' }] }],
      products: [
        { name: 'Bolt M8', hs_sku: 'BOLT-M8', price: 1.2 },
        { name: 'Nut M8', hs_sku: 'NUT-M8', price: 0.35 },
      ],
    });
    connector = hubspot.create(HubspotConfig.parse({ baseUrl: hub.url, accessToken: TOKEN, allowPrivateNetwork: true, webhookClientSecrets: [SECRET], pageSize: 50 }));
    // HubSpot's clock, frozen: everything written until the next tick has the same millisecond.
    hub.setClock(new Date());
  });
  afterAll(async () => {
    await hub?.stop();
  });
  beforeEach(() => {
    // HubSpot's clock only moves forward, past what earlier tests wrote.
    hub.tick(1);
  });
  afterEach(() => {
    hub.setRateLimit(null);
    hub.clearRequests();
  });

  const source = (entity: string) => connector.entities[entity]?.source as EntitySource;
  const sink = (entity: string) => connector.entities[entity]?.sink as EntitySink;

  it('check() passes; a replaced token is an auth error that does not show it; a missing id property is named', async () => {
    await connector.check();
    hub.setAccessToken('pat-rotated');
    try {
      const err = await failure(connector.check());
      expect(err).toMatchObject({ kind: 'auth', status: 401 });
      expect(err.message).not.toContain(TOKEN);
    } finally {
      hub.setAccessToken(TOKEN);
    }
    const other = hubspot.create(HubspotConfig.parse({ baseUrl: hub.url, accessToken: TOKEN, allowPrivateNetwork: true, idProperty: 'erp_key' }));
    expect(await failure(other.check())).toMatchObject({ kind: 'invalid', field: 'idProperty' });
  });

  it('speaks only the date-versioned paths; the sandbox refuses legacy /crm/v3 paths and never logs the token', async () => {
    await drain(source('contact'), null, 10);
    await drain(source('customer'), null, 10);
    expect(hub.requests.length).toBeGreaterThan(2);
    for (const r of hub.requests) expect(r.path).toMatch(/^\/crm\/(objects|associations|properties)\/2026-09\//);
    const legacy = await fetch(`${hub.url}/crm/v3/objects/companies?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(legacy.status).toBe(404);
    expect(await legacy.json()).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    expect(JSON.stringify(hub.requests)).not.toContain(TOKEN);
  });

  it('creates a company by qiao_id once, even when the batch is retried; reads, updates, lists and archives it', async () => {
    const { cursor: start } = await drain(source('customer'), null, 100);
    const write = { idempotencyKey: 'k1', canonicalId: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3', data: { name: 'Globex SA', city: 'Lyon', qiao_id: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3' }, identity: { field: 'qiao_id', value: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3' } };
    const [created] = await sink('customer').upsert([write]);
    expect(created).toMatchObject({ ok: true });
    const id = created?.ok ? created.externalId : '';
    // The answer was lost: the same batch again finds the same company instead of making a second one.
    expect(await sink('customer').upsert([write])).toEqual([{ ok: true, externalId: id }]);
    expect(hub.records('companies').filter((c) => (c.properties as Record<string, unknown>).name === 'Globex SA')).toHaveLength(1);
    expect(await sink('customer').findByIdentity('qiao_id', 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3')).toBe(id);

    const read = await source('customer').get(id);
    expect(read?.data).toMatchObject({ id, name: 'Globex SA', city: 'Lyon', qiao_id: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3', hs_object_id: id });
    expect(read?.sourceTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    hub.tick(0.01);
    expect(await sink('customer').upsert([{ idempotencyKey: 'k2', canonicalId: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3', externalId: id, data: { city: 'Paris', phone: null } }])).toEqual([{ ok: true, externalId: id }]);
    const changed = await drain(source('customer'), start, 100);
    expect(changed.records.filter((r) => r.externalId === id)).toHaveLength(1);
    expect(changed.records.find((r) => r.externalId === id)?.data).toMatchObject({ city: 'Paris', name: 'Globex SA' });

    await sink('customer').delete?.(id);
    expect(await source('customer').get(id)).toMatchObject({ externalId: id, deleted: true });
    expect((await drain(source('customer'), null, 100)).records.map((r) => r.externalId)).not.toContain(id);
  });

  it('contacts carry their primary company; writing company_id makes that company the primary one', async () => {
    const anna = await source('contact').get(ids.contacts['anna@acme.example'] as string);
    expect(anna?.data).toMatchObject({ firstname: 'Anna', company_id: ids.companies['Acme GmbH'] });

    const other = hub.create('companies', { name: 'Initech' });
    const [written] = await sink('contact').upsert([{ idempotencyKey: 'c1', canonicalId: 'con_1', data: { firstname: 'Bob', lastname: 'Stone', email: 'bob@initech.example', company_id: other }, identity: { field: 'qiao_id', value: 'con_1' } }]);
    const bob = written?.ok ? written.externalId : '';
    expect(hub.associations('contacts', bob, 'companies')).toEqual([other]);
    expect((await source('contact').get(bob))?.data).toMatchObject({ firstname: 'Bob', company_id: other, qiao_id: 'con_1' });
    expect(hub.record('contacts', bob)?.properties).toMatchObject({ associatedcompanyid: other });

    // A second company as primary: the contact keeps the first as a plain association.
    const acme = ids.companies['Acme GmbH'] as string;
    await sink('contact').upsert([{ idempotencyKey: 'c2', canonicalId: 'con_1', externalId: bob, data: { company_id: acme } }]);
    expect((await source('contact').get(bob))?.data.company_id).toBe(acme);
    expect(hub.associations('contacts', bob, 'companies').sort()).toEqual([other, acme].sort());

    const [dup] = await sink('contact').upsert([{ idempotencyKey: 'c3', canonicalId: 'con_2', data: { firstname: 'Anna', email: 'ANNA@acme.example' }, identity: { field: 'qiao_id', value: 'con_2' } }]);
    expect(dup?.ok === false && dup.error.kind).toBe('conflict');
  });

  it('lists hundreds of records changed in one millisecond, each once and in (time, id) order, whatever the page size', async () => {
    const { cursor: start } = await drain(source('product'), null, 200);
    hub.tick(0.001);
    const made: string[] = [];
    for (let i = 0; i < 230; i++) made.push(hub.create('products', { name: `Tie ${i}`, hs_sku: `TIE-${String(i).padStart(3, '0')}` }));
    hub.tick(0.001);
    for (let i = 0; i < 4; i++) made.push(hub.create('products', { name: `Next ${i}`, hs_sku: `NEXT-${i}` }));
    hub.tick(1);
    // An update moves a tied record to a later millisecond: it comes last, once.
    hub.update('products', made[5] as string, { price: 9.99 });
    const expected = [...made.slice(0, 5), ...made.slice(6), made[5] as string];

    for (const limit of [7, 50, 200]) {
      hub.clearRequests();
      const listed = await drain(source('product'), start, limit);
      expect(listed.records.map((r) => r.externalId)).toEqual(expected);
      const searches = hub.requests.filter((r) => r.operation === 'search').map((r) => r.body as { limit: number; after?: string });
      expect(searches.every((b) => b.limit <= 200 && b.after === undefined)).toBe(true);
    }
    expect(hub.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('a batch with refused records answers 207: each refused write names HubSpot property, the others are written', async () => {
    const remove = hub.rejectWhen('products', (p) => Number(p.price) > 1_000, 'price above the list price limit', 'price');
    try {
      const results = await sink('product').upsert([
        { idempotencyKey: 'p1', canonicalId: 'prd_ok', data: { name: 'Washer', hs_sku: 'WASHER', price: 0.05 }, identity: { field: 'qiao_id', value: 'prd_ok' } },
        { idempotencyKey: 'p2', canonicalId: 'prd_colour', data: { name: 'Red washer', colour: 'red' }, identity: { field: 'qiao_id', value: 'prd_colour' } },
        { idempotencyKey: 'p3', canonicalId: 'prd_gold', data: { name: 'Gold washer', price: 5_000 }, identity: { field: 'qiao_id', value: 'prd_gold' } },
        { idempotencyKey: 'p4', canonicalId: 'prd_noname', data: { hs_sku: 'NONAME' }, identity: { field: 'qiao_id', value: 'prd_noname' } },
      ]);
      expect(results[0]).toMatchObject({ ok: true });
      expect(results.slice(1).map((r) => (r.ok ? 'ok' : `${r.error.kind}:${r.error.field}`))).toEqual(['invalid:colour', 'invalid:price', 'invalid:name']);
      expect(hub.requests.find((r) => r.operation === 'batch/upsert')?.status).toBe(207);
      const names = hub.records('products').map((p) => (p.properties as Record<string, unknown>).name);
      expect(names).toContain('Washer');
      expect(names).not.toContain('Red washer');
      expect(names).not.toContain('Gold washer');
    } finally {
      remove();
    }
  });

  it('deals are orders: company, line items and status from the stage; Qiao writes progress back and reads it again; it never creates deals', async () => {
    const { cursor: start } = await drain(source('order'), null, 100);
    const { dealId, lineItemIds } = hub.createDeal({ company: 'Acme GmbH', dealname: 'Acme – bolts', lines: [{ sku: 'BOLT-M8', quantity: 500 }, { sku: 'NUT-M8', quantity: 250, price: '0.3', discountPercentage: 10 }] });
    let listed = await drain(source('order'), start, 100);
    expect(listed.records.map((r) => r.externalId)).toEqual([dealId]);
    expect(listed.records[0]?.data).toMatchObject({
      dealname: 'Acme – bolts',
      company_id: ids.companies['Acme GmbH'],
      qiao_status_in: 'draft',
      line_items: [
        { id: lineItemIds[0], hs_sku: 'BOLT-M8', name: 'Bolt M8', quantity: '500', price: '1.2' },
        { id: lineItemIds[1], hs_sku: 'NUT-M8', name: 'Nut M8', quantity: '250', price: '0.3', hs_discount_percentage: '10' },
      ],
    });

    hub.tick(0.01);
    hub.winDeal(dealId);
    listed = await drain(source('order'), listed.cursor, 100);
    const won = listed.records[0];
    expect(won?.data.qiao_status_in).toBe('confirmed');
    const mapped = mapToCanonical(getBuiltInMapping('hubspot', 'order', 1), won?.data ?? {}, { refs: { customer: { [ids.companies['Acme GmbH'] as string]: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3' } }, defaults: { currency: 'EUR' } });
    expect(mapped.errors).toEqual([]);
    expect(mapped.value).toMatchObject({
      customerId: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3',
      currency: 'EUR',
      status: 'confirmed',
      lines: [
        { sku: 'BOLT-M8', quantity: '500', unitPrice: 120, discountBasisPoints: 0 },
        { sku: 'NUT-M8', quantity: '250', unitPrice: 30, discountBasisPoints: 1000 },
      ],
    });

    hub.tick(0.01);
    const [progress, created, wrongOption] = await sink('order').upsert([
      { idempotencyKey: 'o1', canonicalId: 'ord_1', externalId: dealId, data: { qiao_order_status: 'in_production', qiao_promised_date: '2026-12-01' } },
      { idempotencyKey: 'o2', canonicalId: 'ord_2', data: { qiao_order_status: 'confirmed' } },
      { idempotencyKey: 'o3', canonicalId: 'ord_3', externalId: dealId, data: { qiao_order_status: 'lost' } },
    ]);
    expect(progress).toEqual({ ok: true, externalId: dealId });
    expect(created?.ok === false && created.error.kind).toBe('invalid');
    expect(wrongOption?.ok === false && wrongOption.error).toMatchObject({ kind: 'invalid', field: 'qiao_order_status' });
    const again = await source('order').get(dealId);
    expect(again?.data).toMatchObject({ dealstage: 'closedwon', qiao_order_status: 'in_production', qiao_promised_date: '2026-12-01', qiao_status_in: 'in_production' });
    expect(hub.records('deals')).toHaveLength(1);
  });

  it('stock pushed onto products is what the product record then holds', async () => {
    const bolt = ids.products['BOLT-M8'] as string;
    const [result] = await sink('product').upsert([
      { idempotencyKey: 's1', canonicalId: 'prd_bolt', externalId: bolt, data: { qiao_stock_on_hand: '620', qiao_stock_available: '600', qiao_stock_incoming: '0', qiao_stock_as_of: '2026-03-01T10:00:00.250Z' } },
    ]);
    expect(result).toEqual({ ok: true, externalId: bolt });
    expect(hub.record('products', bolt)?.properties).toMatchObject({ qiao_stock_on_hand: '620', qiao_stock_available: '600', qiao_stock_incoming: '0', qiao_stock_as_of: '2026-03-01T10:00:00.250Z' });
  });

  it('faults and rate limits: 503 is retryable, 429 is rate_limited with the delay from HubSpot headers', async () => {
    hub.failNext(1, 503);
    expect(await failure(source('customer').listChanged(null, 10))).toMatchObject({ kind: 'retryable', status: 503 });
    hub.failNext(1, 429);
    expect(await failure(source('customer').listChanged(null, 10))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 10_000 });
    await source('customer').listChanged(null, 10);

    hub.setRateLimit({ max: 2, intervalMs: 60_000 });
    await source('product').get(ids.products['BOLT-M8'] as string);
    await source('product').get(ids.products['NUT-M8'] as string);
    const limited = await failure(source('product').get(ids.products['NUT-M8'] as string));
    expect(limited).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 60_000 });
    expect(limited.message).toContain('ten_secondly_rolling');
  });

  it('the sandbox keeps HubSpot limits: 10,000 results per search, 200 per page, 100 inputs per batch, known properties only', async () => {
    const post = (path: string, body: unknown) => fetch(`${hub.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const capped = await post('/crm/objects/2026-09/products/search', { filterGroups: [], limit: 100, after: '9950' });
    expect(capped.status).toBe(400);
    expect(await capped.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: expect.stringContaining('10,000') });
    expect((await post('/crm/objects/2026-09/products/search', { filterGroups: [], limit: 201 })).status).toBe(400);
    expect((await post('/crm/objects/2026-09/products/search', { filterGroups: [{ filters: [{ propertyName: 'colour', operator: 'EQ', value: 'red' }] }] })).status).toBe(400);
    const inputs = Array.from({ length: 101 }, (_, i) => ({ idProperty: 'qiao_id', id: `x${i}`, properties: { name: 'x' } }));
    expect((await post('/crm/objects/2026-09/products/batch/upsert', { inputs })).status).toBe(400);
    expect((await post('/crm/objects/2026-09/products/batch/upsert', { inputs: [{ idProperty: 'hs_sku', id: 'BOLT-M8', properties: {} }] })).status).toBe(400);
  });

  it('webhooks: changes made in HubSpot reach Qiao signed (v3) and verified by the connector; another secret is refused', async () => {
    const received: WebhookRequest[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ rawBody: Buffer.concat(chunks).toString('utf8'), headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), url: '' });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      // Qiao's public URL as configured, with a percent-encoded query (HubSpot signs it decoded).
      const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot?via=sandbox%3Atest`;
      hub.takeEvents();
      const acme = ids.companies['Acme GmbH'] as string;
      hub.update('companies', acme, { phone: '+49 30 1234567' });
      const { dealId } = hub.createDeal({ company: acme, lines: [{ sku: 'BOLT-M8', quantity: 1 }] });
      hub.winDeal(dealId);
      hub.archive('products', ids.products['NUT-M8'] as string);
      const events = hub.takeEvents();
      expect((await hub.sendWebhooks(target, events, { batchSize: 3 })).map((a) => a.status).every((s) => s === 204)).toBe(true);
      expect(received.length).toBe(Math.ceil(events.length / 3));

      const webhooks = connector.webhooks as NonNullable<Connector['webhooks']>;
      const changes = received.flatMap((r) => {
        webhooks.verify({ ...r, url: target }, new Date());
        return webhooks.parse(r.rawBody);
      });
      expect(changes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ entity: 'customer', externalId: acme }),
          expect.objectContaining({ entity: 'order', externalId: dealId }),
          expect.objectContaining({ entity: 'product', externalId: ids.products['NUT-M8'], deleted: true }),
        ]),
      );
      expect(new Set(changes.map((c) => c.eventKey)).size).toBe(changes.length);

      received.length = 0;
      await hub.sendWebhooks(target, [{ subscriptionType: 'company.propertyChange', objectId: acme, propertyName: 'name', propertyValue: 'Acme' }], { secret: 'ffffffff-0000-4000-8000-ffffffffffff' });
      expect(() => webhooks.verify({ ...(received[0] as WebhookRequest), url: target }, new Date())).toThrow(/none of the configured client secrets/);
      await expect(hub.sendWebhooks('http://198.51.100.7/webhooks', [])).rejects.toThrow(/loopback/);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('with 20,000 products, a stock push of 300 in batches of 100 lists exactly those 300 as changed', async () => {
    const seeded = hub.seed({ products: bulkProducts(20_000, 'BULK-') });
    const { cursor: start } = await drain(source('product'), null, 200);
    hub.tick(0.01);
    const pushed = Object.values(seeded.products).slice(1_000, 1_300);
    for (let i = 0; i < pushed.length; i += 100) {
      const writes = pushed.slice(i, i + 100).map((id) => ({ idempotencyKey: `st-${id}`, canonicalId: `prd_${id}`, externalId: id, data: { qiao_stock_on_hand: '7', qiao_stock_available: '5', qiao_stock_incoming: '2', qiao_stock_as_of: '2026-03-01T10:00:00.000Z' } }));
      const results = await sink('product').upsert(writes);
      expect(results.every((r) => r.ok)).toBe(true);
    }
    const changed = await drain(source('product'), start, 200);
    expect(changed.records.map((r) => r.externalId).sort()).toEqual([...pushed].sort());
    expect(changed.records.every((r) => r.data.qiao_stock_on_hand === '7')).toBe(true);
  });
});
