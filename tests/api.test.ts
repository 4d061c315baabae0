// The CRM core HTTP API as a client sees it, on SQLite and PostgreSQL, with a real Temporal behind /ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_JSON } from '../hub/middleware';
import { createTestHub, type TestHub } from './support/hub';
import { DIALECTS } from './support/stores';

describe.each(DIALECTS)('CRM core API on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub(dialect);
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  async function createCustomer(name = 'Acme GmbH') {
    const res = await hub.call('sales', 'POST', '/v1/customers', { name, emails: ['info@acme.example'], phones: ['+4930123456'] });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; version: number };
  }

  it('health is up without a token; ready checks the database and Temporal', async () => {
    expect((await hub.call(null, 'GET', '/health')).status).toBe(200);
    const ready = await hub.call(null, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: [{ name: 'database', ok: true }, { name: 'temporal', ok: true }] });
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const doc = (await (await hub.call(null, 'GET', '/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/customers', '/v1/customers/{id}', '/v1/customers/bulk', '/v1/products/{sku}', '/v1/orders/{id}', '/v1/runs/{id}', '/v1/contacts']));
    expect(Object.keys(doc.paths['/v1/orders/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(doc.components.schemas.CustomerInput?.properties).toHaveProperty('phones');
    expect(doc.components.schemas.Problem).toBeDefined();
  });

  it('without a token the answer is 401 problem+json; an unknown route is a 404 problem', async () => {
    const res = await hub.call(null, 'GET', '/v1/customers');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe(PROBLEM_JSON);
    expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthenticated' });
    const missing = await hub.call('viewer', 'GET', '/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe(PROBLEM_JSON);
  });

  it('a write without the right role is 403 naming the roles that may; reads are open to every role', async () => {
    const viewer = await hub.call('viewer', 'POST', '/v1/customers', { name: 'Nope' });
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toMatchObject({ requiredRoles: ['admin', 'sales'] });
    expect((await hub.call('sales', 'POST', '/v1/products', { sku: 'NOPE', name: 'x' })).status).toBe(403);
    expect((await hub.call('finance', 'POST', '/v1/customers/bulk', { records: [{ name: 'x' }] })).status).toBe(403);
    expect((await hub.call('viewer', 'GET', '/v1/customers')).status).toBe(200);
  });

  it('invalid input is a 422 problem naming every offending field', async () => {
    const res = await hub.call('sales', 'POST', '/v1/customers', { name: 'X', phones: ['0301234'], creditLimit: { amount: 10.5, currency: 'EUR' }, colour: 'red' });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe(PROBLEM_JSON);
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field).sort()).toEqual(['colour', 'creditLimit.amount', 'phones[0]']);
    const malformed = await hub.call('sales', 'POST', '/v1/customers', '{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe(PROBLEM_JSON);
    const badQuery = await hub.call('viewer', 'GET', '/v1/customers?limit=100000');
    expect(badQuery.status).toBe(422);
    expect(((await badQuery.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('limit');
  });

  it('PATCH with a stale If-Match is 412 and changes nothing; the current ETag succeeds', async () => {
    const c = await createCustomer('Etag AG');
    const first = await hub.call('sales', 'PATCH', `/v1/customers/${c.id}`, { segment: 'smb' }, { 'if-match': '"1"' });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    const stale = await hub.call('sales', 'PATCH', `/v1/customers/${c.id}`, { segment: 'enterprise' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toBe(PROBLEM_JSON);
    const now = (await (await hub.call('viewer', 'GET', `/v1/customers/${c.id}`)).json()) as { segment: string; version: number };
    expect(now).toMatchObject({ segment: 'smb', version: 2 });
  });

  it('Idempotency-Key: the same key and body replay the first answer; another body is a 422', async () => {
    const body = { name: 'Once Only GmbH', number: `IDEM-${dialect}` };
    const key = { 'idempotency-key': `key-${dialect}-1` };
    const first = await hub.call('sales', 'POST', '/v1/customers', body, key);
    const second = await hub.call('sales', 'POST', '/v1/customers', body, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await second.json()).toEqual(await first.clone().json());
    const list = (await (await hub.call('viewer', 'GET', `/v1/customers?number=IDEM-${dialect}`)).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
    const other = await hub.call('sales', 'POST', '/v1/customers', { ...body, name: 'Different' }, key);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ title: 'Idempotency key reused' });
  });

  it('order status moves along the allowed transitions; an invalid one is 409 naming the allowed ones', async () => {
    const c = await createCustomer('Orders Inc');
    expect((await hub.call('admin', 'POST', '/v1/products', { sku: `ORD-${dialect}`, name: 'Widget', listPrice: { amount: 1200, currency: 'EUR' } })).status).toBe(201);
    const created = await hub.call('sales', 'POST', '/v1/orders', { customerId: c.id, currency: 'EUR', lines: [{ sku: `ORD-${dialect}`, quantity: '3', unitPrice: 1200, taxRateBasisPoints: 1900 }] });
    expect(created.status).toBe(201);
    const order = (await created.json()) as { id: string; status: string; totals: unknown };
    expect(order).toMatchObject({ status: 'draft', totals: { net: 3600, tax: 684, gross: 4284 } });
    const jump = await hub.call('sales', 'PATCH', `/v1/orders/${order.id}`, { status: 'paid' });
    expect(jump.status).toBe(409);
    expect(await jump.json()).toMatchObject({ from: 'draft', to: 'paid', allowed: ['confirmed', 'cancelled'] });
    for (const status of ['confirmed', 'in_production', 'shipped', 'invoiced', 'paid', 'closed']) {
      const res = await hub.call('finance', 'PATCH', `/v1/orders/${order.id}`, { status });
      expect(res.status, status).toBe(200);
    }
    const after = await hub.call('sales', 'PATCH', `/v1/orders/${order.id}`, { status: 'cancelled' });
    expect(after.status).toBe(409);
    expect(await after.json()).toMatchObject({ allowed: [] });
    expect((await hub.call('admin', 'DELETE', `/v1/orders/${order.id}`)).status).toBe(409);
  });

  it('an order line with an unknown SKU is a 422 naming the line', async () => {
    const c = await createCustomer('Typo Corp');
    const res = await hub.call('sales', 'POST', '/v1/orders', { customerId: c.id, currency: 'EUR', lines: [{ sku: 'NOT-THERE', quantity: '1', unitPrice: 1 }] });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ errors: [{ field: 'lines[0].sku' }] });
  });

  it('products are addressed by SKU with their stock per warehouse and its as-of time', async () => {
    const sku = `STK-${dialect}`;
    await hub.call('admin', 'POST', '/v1/products', { sku, name: 'Gear', stockLevels: [{ warehouse: 'WH1', onHand: '12', reserved: '2', asOf: '2026-11-26T09:00:00Z', source: 'odoo' }] });
    const res = await hub.call('sales', 'GET', `/v1/products/${sku}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sku, stockLevels: [{ warehouse: 'WH1', onHand: '12', available: '10', asOf: '2026-11-26T09:00:00Z', source: 'odoo' }] });
  });

  it('lists with a cursor and updatedSince, and contacts need an existing customer', async () => {
    const c = await createCustomer('Contacts Ltd');
    const bad = await hub.call('sales', 'POST', '/v1/contacts', { customerId: 'cus_00000000000000000000000000', name: 'Ghost' });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ errors: [{ field: 'customerId' }] });
    for (const name of ['Ann', 'Ben', 'Cy']) expect((await hub.call('sales', 'POST', '/v1/contacts', { customerId: c.id, name })).status).toBe(201);
    const page1 = (await (await hub.call('viewer', 'GET', `/v1/contacts?customerId=${c.id}&limit=2`)).json()) as { items: { name: string }[]; nextCursor: string };
    const page2 = (await (await hub.call('viewer', 'GET', `/v1/contacts?customerId=${c.id}&limit=2&cursor=${page1.nextCursor}`)).json()) as { items: { name: string }[]; nextCursor: null };
    expect([...page1.items, ...page2.items].map((x) => x.name)).toEqual(['Ann', 'Ben', 'Cy']);
    expect(page2.nextCursor).toBeNull();
    const future = (await (await hub.call('viewer', 'GET', '/v1/contacts?updatedSince=2999-01-01T00:00:00Z')).json()) as { items: unknown[] };
    expect(future.items).toEqual([]);
  });

  it('every write is in the audit log with who, what, before and after', async () => {
    const c = await createCustomer('Audited SA');
    await hub.call('sales', 'PATCH', `/v1/customers/${c.id}`, { status: 'inactive' });
    const rows = await hub.store.db.selectFrom('audit_log').selectAll().where('entity_id', '=', c.id).orderBy('id').execute();
    expect(rows.map((r) => [r.action, r.actor, r.role])).toEqual([
      ['create', 'sam', 'sales'],
      ['update', 'sam', 'sales'],
    ]);
    expect(JSON.parse(rows[1]?.before ?? '{}').status).toBe('active');
    expect(JSON.parse(rows[1]?.after ?? '{}').status).toBe('inactive');
  });
});
