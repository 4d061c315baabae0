// The store on SQLite and PostgreSQL alike: versions, audit, pagination, references.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerInput, OrderInput, ProductInput } from '../mappings/canonical';
import { Problem } from '../hub/problem';
import type { Actor } from '../hub/store/records';
import { customers, orders, products } from '../hub/store/resources';
import { DIALECTS, freshStore, type TestStore } from './support/stores';

const ada: Actor = { name: 'ada', role: 'admin' };

describe.each(DIALECTS)('store on %s', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await freshStore(dialect);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('creates, reads back and bumps the version on a change, with an audit entry per write', async () => {
    const created = await customers.create(store.db, CustomerInput.parse({ name: 'Acme', number: 'S-1' }), ada);
    expect(created.version).toBe(1);
    const read = await customers.get(store.db, created.id);
    expect(read).toEqual(created);
    const changed = await customers.update(store.db, created.id, { segment: 'smb' }, '"1"', ada);
    expect(changed.version).toBe(2);
    expect(changed.segment).toBe('smb');
    const audit = await store.db.selectFrom('audit_log').selectAll().where('entity_id', '=', created.id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['create', 'update']);
    expect(JSON.parse(audit[1]?.before ?? '{}').segment).toBeUndefined();
    expect(JSON.parse(audit[1]?.after ?? '{}').segment).toBe('smb');
    expect(audit[1]?.actor).toBe('ada');
  });

  it('refuses a write against a stale version and keeps what is stored', async () => {
    const c = await customers.create(store.db, CustomerInput.parse({ name: 'Stale Ltd' }), ada);
    await customers.update(store.db, c.id, { name: 'Fresh Ltd' }, '"1"', ada);
    await expect(customers.update(store.db, c.id, { name: 'Lost Update' }, '"1"', ada)).rejects.toMatchObject({ status: 412 });
    expect((await customers.get(store.db, c.id))?.name).toBe('Fresh Ltd');
  });

  it('an unchanged patch writes nothing and keeps the version', async () => {
    const c = await customers.create(store.db, CustomerInput.parse({ name: 'Same' }), ada);
    const again = await customers.update(store.db, c.id, { name: 'Same' }, undefined, ada);
    expect(again.version).toBe(1);
  });

  it('pages through records by cursor and filters by updatedSince', async () => {
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await customers.create(store.db, CustomerInput.parse({ name: `Page ${i}` }), ada)).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await customers.list(store.db, { limit: 3, cursor, updatedSince: since });
      seen.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(made);
  });

  it('keeps stock per warehouse and computes available when the source omits it', async () => {
    const p = await products.create(
      store.db,
      ProductInput.parse({ sku: `S-${dialect}`, name: 'Screw', stockLevels: [{ warehouse: 'B', onHand: '10', reserved: '2.5', asOf: '2026-11-26T08:00:00Z', source: 'odoo' }] }),
      ada,
    );
    expect(p.stockLevels[0]?.available).toBe('7.5');
    const patched = await products.update(store.db, p.sku, { stockLevels: [{ warehouse: 'A', onHand: '1', reserved: '0', incoming: '4', asOf: '2026-11-26T09:00:00Z', source: 'odoo' }] }, undefined, ada);
    expect(patched.stockLevels.map((l) => [l.warehouse, l.onHand])).toEqual([
      ['A', '1'],
      ['B', '10'],
    ]);
    expect((await products.get(store.db, p.sku))?.stockLevels).toEqual(patched.stockLevels);
  });

  it('orders compute totals, refuse unknown SKUs and invalid transitions', async () => {
    const c = await customers.create(store.db, CustomerInput.parse({ name: 'Buyer' }), ada);
    await products.create(store.db, ProductInput.parse({ sku: `O-${dialect}`, name: 'Nut' }), ada);
    const o = await orders.create(
      store.db,
      OrderInput.parse({ customerId: c.id, currency: 'EUR', lines: [{ sku: `O-${dialect}`, quantity: '2', unitPrice: 1050, taxRateBasisPoints: 1900 }] }),
      ada,
    );
    expect(o.totals).toEqual({ net: 2100, tax: 399, gross: 2499 });
    expect(o.number).toMatch(/^SO-/);
    const bad = await orders
      .create(store.db, OrderInput.parse({ customerId: c.id, currency: 'EUR', lines: [{ sku: 'NOPE', quantity: '1', unitPrice: 1 }] }), ada)
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Problem);
    expect((bad as Problem).extensions.errors).toEqual([{ field: 'lines[0].sku', message: 'no product with SKU NOPE' }]);
    await expect(orders.update(store.db, o.id, { status: 'shipped' }, undefined, ada)).rejects.toMatchObject({ status: 409, extensions: { allowed: ['confirmed', 'cancelled'] } });
    expect((await orders.update(store.db, o.id, { status: 'confirmed' }, undefined, ada)).status).toBe('confirmed');
    await expect(customers.remove(store.db, c.id, undefined, ada)).rejects.toMatchObject({ status: 409 });
    expect(await customers.get(store.db, c.id)).toBeDefined();
  });

  it('a duplicate business key is a 409 naming the field', async () => {
    await customers.create(store.db, CustomerInput.parse({ name: 'One', number: 'DUP-1' }), ada);
    await expect(customers.create(store.db, CustomerInput.parse({ name: 'Two', number: 'DUP-1' }), ada)).rejects.toMatchObject({
      status: 409,
      extensions: { errors: [{ field: 'number' }] },
    });
  });
});
