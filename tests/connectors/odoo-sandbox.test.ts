// The Odoo connector end to end against the Odoo sandbox, over JSON-2 (Odoo 19) and JSON-RPC (Odoo 17):
// create, read, update and list changes; archived records; stock summed per warehouse; fault hooks.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeCursor, Connector, EntitySource, SourceRecord } from '../../connectors/contract';
import { OdooConfig, odoo } from '../../connectors/odoo/index';
import { type OdooSandbox, startOdooSandbox } from '../../ops/sandboxes/odoo/index';
import { failure } from '../support/connector-errors';

const API_KEY = 'sandbox-key-5f2c9a0e7b14d6c3';

/** Every record after `cursor`, page by page; fails if a page repeats the loop endlessly. */
async function drain(source: EntitySource, cursor: ChangeCursor | null, limit: number): Promise<{ records: SourceRecord[]; cursor: ChangeCursor | null; pages: number }> {
  const records: SourceRecord[] = [];
  let pages = 0;
  for (;;) {
    const page = await source.listChanged(cursor, limit);
    pages++;
    records.push(...page.records);
    cursor = page.next ?? cursor;
    if (!page.more) return { records, cursor, pages };
    if (pages > 100) throw new Error('listChanged never ends');
  }
}


describe.each([
  { protocol: 'json2' as const, version: 19 as const },
  { protocol: 'jsonrpc' as const, version: 17 as const },
])('Odoo connector against the sandbox ($protocol, Odoo $version)', ({ protocol, version }) => {
  let sandbox: OdooSandbox;
  let connector: Connector;
  let ids: Awaited<ReturnType<OdooSandbox['seed']>>;

  beforeAll(async () => {
    sandbox = await startOdooSandbox({ apiKey: API_KEY, database: 'qiao_test', login: 'api@qiao.example', version });
    sandbox.setClock(new Date());
    ids = sandbox.seed({
      warehouses: [{ code: 'LY', name: 'Lyon' }],
      customers: [{ name: 'Acme GmbH', is_company: true, ref: 'C-1', email: 'info@acme.example', contacts: [{ name: 'Anna Schmidt', function: 'Buyer' }] }],
      products: [
        { default_code: 'BOLT-M8', name: 'Bolt M8', list_price: 1.2 },
        { default_code: 'NUT-M8', name: 'Nut M8', list_price: 0.35 },
      ],
    });
    connector = odoo.create(OdooConfig.parse({ url: sandbox.url, database: 'qiao_test', protocol, login: 'api@qiao.example', apiKey: API_KEY, allowPrivateNetwork: true, pageSize: 50 }));
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(() => {
    // Odoo's clock only moves forward, and past the settle window of what earlier tests wrote.
    later();
    sandbox.clearRequests();
  });

  /** Lets Odoo's clock run past the settle window, as time passes between polls. */
  function later() {
    sandbox.tick(3);
  }

  const source = (entity: string) => connector.entities[entity]?.source as EntitySource;
  const sink = (entity: string) => {
    const s = connector.entities[entity]?.sink;
    if (!s) throw new Error(`${entity} has no sink`);
    return s;
  };

  it('check() passes with the key and is an auth error once the key is replaced', async () => {
    await connector.check();
    sandbox.setApiKey('rotated-key');
    try {
      const fresh = odoo.create(OdooConfig.parse({ url: sandbox.url, database: 'qiao_test', protocol, login: 'api@qiao.example', apiKey: API_KEY, allowPrivateNetwork: true }));
      const err = await failure(fresh.check());
      expect(err.kind).toBe('auth');
      expect(err.message).not.toContain(API_KEY);
    } finally {
      sandbox.setApiKey(API_KEY);
    }
  });

  it('creates, reads, updates and lists a customer; archiving it reports it deleted', async () => {
    const { cursor: start } = await drain(source('customer'), null, 100);
    const [created] = await sink('customer').upsert([
      { idempotencyKey: 'k1', canonicalId: 'cus_1', data: { name: 'Globex SA', is_company: true, email: 'hello@globex.example', country_code: 'FR', phone: null }, identity: { field: 'ref', value: `G-${protocol}` } },
    ]);
    expect(created).toMatchObject({ ok: true });
    const id = created?.ok ? created.externalId : '';
    expect(await sink('customer').findByIdentity('ref', `G-${protocol}`)).toBe(id);

    const read = await source('customer').get(id);
    expect(read?.data).toMatchObject({ name: 'Globex SA', is_company: true, email: 'hello@globex.example', country_code: 'FR', country_id: [expect.any(Number), 'France'], phone: null, ref: `G-${protocol}`, customer_rank: 1, parent_id: null });
    expect(read?.sourceTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Object.keys(read?.data ?? {}).includes('mobile')).toBe(version < 19);

    later();
    expect(await sink('customer').upsert([{ idempotencyKey: 'k2', canonicalId: 'cus_1', externalId: id, data: { city: 'Paris' } }])).toEqual([{ ok: true, externalId: id }]);
    later();
    const changed = await drain(source('customer'), start, 100);
    expect(changed.records.filter((r) => r.externalId === id)).toHaveLength(1);
    expect(changed.records.find((r) => r.externalId === id)?.data).toMatchObject({ city: 'Paris', name: 'Globex SA' });

    await sink('customer').delete?.(id);
    later();
    const after = await drain(source('customer'), changed.cursor, 100);
    expect(after.records).toEqual([expect.objectContaining({ externalId: id, deleted: true })]);
    expect(await source('customer').get(id)).toMatchObject({ deleted: true });
  });

  it('contacts carry their company as [id, name] and their job title; customers and contacts do not overlap', async () => {
    const acme = ids.partners['Acme GmbH'] as number;
    const [created] = await sink('contact').upsert([{ idempotencyKey: 'c1', canonicalId: 'con_1', data: { name: 'Bob Stone', parent_id: acme, function: 'CFO', email: 'bob@acme.example' } }]);
    const id = created?.ok ? created.externalId : '';
    const contact = await source('contact').get(id);
    expect(contact?.data).toMatchObject({ name: 'Bob Stone', parent_id: [acme, 'Acme GmbH'], function: 'CFO', display_name: 'Acme GmbH, Bob Stone' });
    expect(await source('customer').get(id)).toBeUndefined();
    later();
    const contacts = (await drain(source('contact'), null, 100)).records.map((r) => r.data.name);
    const customers = (await drain(source('customer'), null, 100)).records.map((r) => r.data.name);
    expect(contacts).toEqual(expect.arrayContaining(['Anna Schmidt', 'Bob Stone']));
    expect(customers).toEqual(expect.arrayContaining(['Acme GmbH', 'Globex SA']));
    expect(customers.filter((n) => contacts.includes(n))).toEqual([]);
    // The own company and its users are partners without a parent, but neither customers nor contacts.
    for (const own of ['YourCompany', 'Mitchell Admin', 'OdooBot']) expect([...customers, ...contacts]).not.toContain(own);
  });

  it('products: create with a SKU, find it again by default_code, update the price', async () => {
    const sku = `GEAR-${protocol}`;
    const [created] = await sink('product').upsert([{ idempotencyKey: 'p1', canonicalId: 'prd_1', data: { name: 'Gear', list_price: 48.5, currency: 'EUR' }, identity: { field: 'default_code', value: sku } }]);
    const id = created?.ok ? created.externalId : '';
    expect(await sink('product').findByIdentity('default_code', sku)).toBe(id);
    await sink('product').upsert([{ idempotencyKey: 'p2', canonicalId: 'prd_1', externalId: id, data: { list_price: 52 } }]);
    expect((await source('product').get(id))?.data).toMatchObject({ default_code: sku, name: 'Gear', list_price: 52, uom_id: [1, 'Units'], currency: 'EUR', active: true });
  });

  it('one mapping serves every version: mobile is written where it exists, storable products either way', async () => {
    const [partner] = await sink('customer').upsert([{ idempotencyKey: 'v1', canonicalId: 'cus_v', data: { name: `Versions ${protocol}`, phone: '+49 30 1', mobile: '+49 170 1' } }]);
    expect(partner).toMatchObject({ ok: true });
    const partnerId = Number(partner?.ok ? partner.externalId : 0);
    const [stored] = sandbox.records('res.partner', { domain: [['id', '=', partnerId]] });
    expect(stored?.phone).toBe('+49 30 1');
    expect(stored?.mobile).toBe(version < 19 ? '+49 170 1' : undefined);

    const [product] = await sink('product').upsert([{ idempotencyKey: 'v2', canonicalId: 'prd_v', data: { name: 'Tracked', default_code: `TRK-${protocol}`, type: 'consu', is_storable: true } }]);
    const productId = product?.ok ? product.externalId : '';
    const [raw] = sandbox.records('product.product', { domain: [['id', '=', Number(productId)]], fields: version < 18 ? ['type'] : ['type', 'is_storable'] });
    expect(raw).toEqual(version < 18 ? { id: Number(productId), type: 'product' } : { id: Number(productId), type: 'consu', is_storable: true });
    expect((await source('product').get(productId))?.data).toMatchObject({ type: raw?.type, is_storable: true });
  });

  it('pages through many records written in the same second, each exactly once', async () => {
    const { cursor: start } = await drain(source('customer'), null, 100);
    sandbox.setClock('2030-01-01T12:00:00.250Z');
    const made = sandbox.create(
      'res.partner',
      Array.from({ length: 7 }, (_, i) => ({ name: `Tie ${protocol} ${i}`, is_company: true })),
    );
    // Two of them change again later in the same second: Odoo now sorts them after the others.
    sandbox.setClock('2030-01-01T12:00:00.750Z');
    sandbox.write('res.partner', [made[0] as number, made[3] as number], { city: 'Later' });
    sandbox.setClock('2030-01-01T12:00:01.500Z');
    // Not settled yet: the second may still receive changes.
    expect((await source('customer').listChanged(start, 10)).records).toEqual([]);
    sandbox.setClock('2030-01-01T12:00:05Z');
    for (const limit of [1, 2, 3, 5]) {
      const { records } = await drain(source('customer'), start, limit);
      expect(records.map((r) => Number(r.externalId))).toEqual(made);
      expect(new Set(records.map((r) => r.sourceTime))).toEqual(new Set(['2030-01-01T12:00:00Z']));
    }
  });

  it('stock levels are summed per product and warehouse over internal locations only', async () => {
    const bolt = ids.products['BOLT-M8'] as number;
    const nut = ids.products['NUT-M8'] as number;
    const wh = ids.warehouses.WH as number;
    const ly = ids.warehouses.LY as number;
    sandbox.setStock('BOLT-M8', 'WH', { quantity: 100.1, reserved: 10 });
    sandbox.setStock('BOLT-M8', 'WH', { quantity: 20.2, reserved: 0.5, location: 'Shelf 1' });
    sandbox.setStock('BOLT-M8', 'LY', { quantity: 7 });
    sandbox.setStock('NUT-M8', 'WH', { quantity: 1000, reserved: 250 });
    // Stock at a customer's is not in any warehouse.
    sandbox.setStock('BOLT-M8', 'WH', { quantity: -40, location: 'Partners/Customers' });
    sandbox.setIncoming('BOLT-M8', 'LY', 30);
    later();

    const { records, cursor } = await drain(source('stock_level'), null, 2);
    const byId = Object.fromEntries(records.map((r) => [r.externalId, r]));
    expect(Object.keys(byId).sort()).toEqual([`${bolt}:${ly}`, `${bolt}:${wh}`, `${nut}:${wh}`].sort());
    expect(byId[`${bolt}:${wh}`]?.data).toEqual({
      product_id: [bolt, '[BOLT-M8] Bolt M8'],
      default_code: 'BOLT-M8',
      warehouse_id: [wh, 'YourCompany'],
      warehouse_code: 'WH',
      quantity: '120.3',
      reserved_quantity: '10.5',
      incoming_qty: '0',
      write_date: byId[`${bolt}:${wh}`]?.sourceTime,
    });
    expect(byId[`${bolt}:${ly}`]?.data).toMatchObject({ warehouse_code: 'LY', quantity: '7', reserved_quantity: '0', incoming_qty: '30' });
    expect(await source('stock_level').get(`${nut}:${wh}`)).toMatchObject({ data: { quantity: '1000', reserved_quantity: '250' } });

    // One quant changes: only its (product, warehouse) comes back, summed again over all its quants.
    sandbox.setStock('BOLT-M8', 'WH', { quantity: 30, location: 'Shelf 1' });
    later();
    const next = await drain(source('stock_level'), cursor, 10);
    expect(next.records.map((r) => r.externalId)).toEqual([`${bolt}:${wh}`]);
    expect(next.records[0]?.data).toMatchObject({ quantity: '130.1', reserved_quantity: '10' });
  });

  it('a 503 from the server is retryable; a 429 is rate_limited with its Retry-After', async () => {
    sandbox.failNext(1, 503);
    expect((await failure(source('product').listChanged(null, 10))).kind).toBe('retryable');
    sandbox.failNext(1, 429, { retryAfterSeconds: 2 });
    const limited = await failure(source('product').listChanged(null, 10));
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
    await source('product').listChanged(null, 10);
  });

  it('records the sandbox refuses come back invalid one by one; the others are created', async () => {
    const remove = sandbox.rejectWhen('res.partner', (vals) => typeof vals.email === 'string' && !vals.email.includes('@'), 'Invalid email address');
    try {
      const results = await sink('customer').upsert([
        { idempotencyKey: 'r1', canonicalId: 'cus_r1', data: { name: `Ok ${protocol} 1`, email: 'a@x.example' } },
        { idempotencyKey: 'r2', canonicalId: 'cus_r2', data: { name: `Bad ${protocol}`, email: 'nope' } },
        { idempotencyKey: 'r3', canonicalId: 'cus_r3', data: { name: `Ok ${protocol} 2`, email: 'b@x.example' } },
        { idempotencyKey: 'r4', canonicalId: 'cus_r4', data: { name: '' } },
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true, false]);
      expect(results[1]).toMatchObject({ ok: false, error: { kind: 'invalid', message: expect.stringContaining('Invalid email address') } });
      expect(results[3]).toMatchObject({ ok: false, error: { kind: 'invalid', message: expect.stringContaining('Contacts require a name') } });
      const creates = sandbox.requests.filter((r) => r.model === 'res.partner' && r.method === 'create');
      expect(creates.map((r) => (r.args.vals_list as unknown[]).length)).toEqual([4, 1, 1, 1, 1]);
      expect(creates.map((r) => r.error ?? 'ok')).toEqual(['odoo.exceptions.ValidationError', 'ok', 'odoo.exceptions.ValidationError', 'ok', 'odoo.exceptions.ValidationError']);
      expect(sandbox.records('res.partner', { domain: [['name', 'like', `Ok ${protocol}`]] })).toHaveLength(2);
    } finally {
      remove();
    }
  });

  it('an update of a record deleted in Odoo is not_found for that record only', async () => {
    const [a, b] = sandbox.create('product.product', [{ name: 'Short-lived' }, { name: 'Survivor' }]);
    sandbox.raiseNext('odoo.exceptions.MissingError', 'Record does not exist or has been deleted.');
    const results = await sink('product').upsert([
      { idempotencyKey: 'm1', canonicalId: 'prd_m1', externalId: String(a), data: { name: 'Gone' } },
      { idempotencyKey: 'm2', canonicalId: 'prd_m2', externalId: String(b), data: { name: 'Survivor 2' } },
    ]);
    expect(results).toMatchObject([{ ok: false, error: { kind: 'not_found' } }, { ok: true, externalId: String(b) }]);
  });
});

describe('the Odoo sandbox itself', () => {
  let v17: OdooSandbox;
  let v19: OdooSandbox;
  beforeAll(async () => {
    const start = (version: 17 | 19) => startOdooSandbox({ apiKey: API_KEY, database: 'db', login: 'admin', version });
    [v17, v19] = await Promise.all([start(17), start(19)]);
  });
  afterAll(async () => {
    await Promise.all([v17?.stop(), v19?.stop()]);
  });

  async function json2(sandbox: OdooSandbox, path: string, body: unknown, key = API_KEY) {
    const res = await fetch(`${sandbox.url}/json/2/${path}`, { method: 'POST', headers: { authorization: `bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : await res.text() };
  }

  async function executeKw(sandbox: OdooSandbox, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
    const res = await fetch(`${sandbox.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'object', method: 'execute_kw', args: ['db', 2, API_KEY, model, method, args, kwargs] }, id: 1 }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { result?: unknown; error?: { code: number; data: { name: string; message: string } } };
  }

  it('JSON-2 exists from Odoo 19 only; a wrong key is a 401 with Odoo error body', async () => {
    expect((await json2(v17, 'res.partner/search_count', {})).status).toBe(404);
    expect(await json2(v19, 'res.partner/search_count', { domain: [['is_company', '=', true]] })).toEqual({ status: 200, body: 1 });
    expect(await json2(v19, 'res.partner/search_count', {}, 'wrong')).toMatchObject({ status: 401, body: { name: 'werkzeug.exceptions.Unauthorized', message: 'Invalid apikey' } });
    expect(await json2(v19, 'res.partner/search_read', { ids: [1] })).toMatchObject({ status: 422, body: { message: 'cannot call res.partner.search_read with ids' } });
    expect(await json2(v19, 'res.partner/search_read', { fields: ['mobile'] })).toMatchObject({ status: 500, body: { name: 'builtins.ValueError' } });
    expect(await json2(v19, 'res.partner/write', { ids: [999], vals: { name: 'x' } })).toMatchObject({ status: 404, body: { name: 'odoo.exceptions.MissingError' } });
  });

  it('write_date is stored to the millisecond and read to the second; Odoo 17 compares the stored value, 19 whole seconds', async () => {
    for (const sandbox of [v17, v19]) {
      sandbox.setClock('2031-05-05T08:00:00.400Z');
      const [id] = sandbox.create('res.partner', { name: `Stamp ${sandbox.version}` });
      const rows = sandbox.records('res.partner', { domain: [['id', '=', id]], fields: ['write_date'] });
      expect(rows).toEqual([{ id, write_date: '2031-05-05 08:00:00' }]);
      const equal = await executeKw(sandbox, 'res.partner', 'search', [[['id', '=', id], ['write_date', '=', '2031-05-05 08:00:00']]]);
      const after = await executeKw(sandbox, 'res.partner', 'search', [[['id', '=', id], ['write_date', '>', '2031-05-05 08:00:00']]]);
      expect([equal.result, after.result]).toEqual(sandbox.version === 17 ? [[], [id]] : [[id], []]);
    }
  });

  it('searches through its indexes answer exactly as a full scan: cursor pages inside and across seconds, ids, many2one lists', async () => {
    for (const sandbox of [v17, v19]) {
      const batch = (at: string, n: number) => {
        sandbox.setClock(at);
        return sandbox.create('res.partner', Array.from({ length: n }, (_, i) => ({ name: `Idx ${at} ${i}`, is_company: i % 3 === 0 })));
      };
      // One second holds two creates (different hidden milliseconds), the next one a third; a write moves records later.
      const early = batch('2032-01-01T10:00:00.700Z', 25);
      batch('2032-01-01T10:00:00.100Z', 25);
      batch('2032-01-01T10:00:01.050Z', 20);
      sandbox.setClock('2032-01-01T10:00:02.300Z');
      sandbox.write('res.partner', early.slice(0, 5), { phone: '+4930000' });
      const mine = [['name', '=like', 'Idx 2032-%']];
      const all = sandbox.records('res.partner', { domain: mine, fields: ['write_date'] });
      // The same order with a third key no index serves (ids are unique, so it never decides): a full scan and sort.
      const scan = (domain: unknown[], kwargs: { order: string; limit?: number; offset?: number }) => executeKw(sandbox, 'res.partner', 'search', [domain], { ...kwargs, order: `${kwargs.order}, name asc` });
      let compared = 0;
      for (const cursor of all) {
        const second = String(cursor.write_date);
        const next = new Date(Date.parse(`${second.replace(' ', 'T')}Z`) + 1000).toISOString().replace('T', ' ').slice(0, 19);
        const cursorDomain = [...mine, '|', ['write_date', '>=', next], '&', '&', ['write_date', '>=', second], ['write_date', '<', next], ['id', '>', cursor.id]];
        for (const kwargs of [{ order: 'write_date asc, id asc', limit: 7 }, { order: 'write_date asc, id asc', limit: 7, offset: 3 }, { order: 'id asc', limit: 4 }]) {
          const indexed = await executeKw(sandbox, 'res.partner', 'search', [cursorDomain], kwargs);
          const reference = await scan(cursorDomain, kwargs);
          expect(indexed.result).toEqual(reference.result);
          compared++;
        }
      }
      const sameSecond = [...mine, ['write_date', '>=', '2032-01-01 10:00:00'], ['write_date', '<', '2032-01-01 10:00:01'], ['id', '>', early[10]]];
      expect((await executeKw(sandbox, 'res.partner', 'search', [sameSecond], { order: 'id asc', limit: 5 })).result).toEqual((await scan(sameSecond, { order: 'id asc', limit: 5 })).result);
      // Under `|` with a FALSE_LEAF, no term bounds the search: the reference scans every record.
      const byIds = [['id', 'in', [early[3], early[0], 999_999]], ['is_company', '=', true]];
      const unbounded = ['|', [0, '=', 1], '&', ...byIds];
      expect((await executeKw(sandbox, 'res.partner', 'search', [byIds])).result).toEqual((await executeKw(sandbox, 'res.partner', 'search', [unbounded])).result);
      expect((await executeKw(sandbox, 'res.partner', 'search', [byIds])).result).toEqual([early[0], early[3]]);
      expect(compared).toBe(all.length * 3);
    }
    v17.setClock(null);
    v19.setClock(null);
  });

  it('equality searches stay exact as records are written, created, deleted and rolled back (indexes kept in place)', async () => {
    const search = async (domain: unknown[]) => (await executeKw(v19, 'res.partner', 'search', [domain], { context: { active_test: false } })).result as number[];
    // `=like` without wildcards means the same but no index serves it: the reference is a full scan.
    const reference = (ref: string) => search([['ref', '=like', ref]]);
    const ids = v19.create('res.partner', Array.from({ length: 30 }, (_, i) => ({ name: `Keep ${i}`, ref: `K-${i % 3}`, parent_id: false })));
    expect(await search([['ref', '=', 'K-1']])).toEqual(await reference('K-1'));
    v19.write('res.partner', ids.slice(0, 6), { ref: 'K-9' });
    v19.write('res.partner', [ids[7] as number], { parent_id: ids[8] });
    await executeKw(v19, 'res.partner', 'unlink', [[ids[9], ids[10]]]);
    const more = v19.create('res.partner', [{ name: 'Keep new', ref: 'K-1' }]);
    // A create list with one bad record is rolled back whole, indexes included.
    expect((await executeKw(v19, 'res.partner', 'create', [[{ name: 'Rolled back', ref: 'K-2' }, { ref: 'K-2' }]])).error).toBeDefined();
    for (const ref of ['K-0', 'K-1', 'K-2', 'K-9']) expect(await search([['ref', '=', ref]])).toEqual(await reference(ref));
    expect(await search([['ref', '=', 'K-1']])).toContain(more[0]);
    const byId = (list: number[]) => [...list].sort((a, b) => a - b);
    expect(byId(await search([['ref', 'in', ['K-9', 'K-2']]]))).toEqual(byId([...(await reference('K-9')), ...(await reference('K-2'))]));
    expect(await search([['parent_id', '=', ids[8]]])).toEqual([ids[7]]);
    expect(await search([['ref', '=', 'K-2'], ['name', '=', 'Rolled back']])).toEqual([]);
  });

  it('a create list is one transaction; errors come in a 200 envelope on JSON-RPC', async () => {
    const before = v17.records('product.product').length;
    const answer = await executeKw(v17, 'product.product', 'create', [[{ name: 'Fine' }, { default_code: 'NO-NAME' }]]);
    expect(answer.error).toMatchObject({ code: 200, data: { name: 'odoo.exceptions.ValidationError', message: expect.stringContaining('Field: Name (name)') } });
    expect(v17.records('product.product')).toHaveLength(before);
    expect((await executeKw(v17, 'product.product', 'create', [{ name: 'One dict' }])).result).toEqual(expect.any(Number));
    expect((await executeKw(v17, 'product.product', 'create', [[{ name: 'A list' }]])).result).toEqual([expect.any(Number)]);
    expect((await executeKw(v17, 'product.product', 'write', [[1], { type: 'combo' }])).error?.data).toMatchObject({ name: 'builtins.ValueError', message: "Wrong value for product.product.type: 'combo'" });
  });

  it('archived records are hidden unless active_test is false or the domain names active', async () => {
    const archived = (await executeKw(v17, 'res.partner', 'search', [[['name', '=', 'OdooBot']]])).result;
    const withTest = (await executeKw(v17, 'res.partner', 'search', [[['name', '=', 'OdooBot']]], { context: { active_test: false } })).result;
    const byDomain = (await executeKw(v17, 'res.partner', 'search', [[['active', '=', false]]])).result;
    expect([archived, withTest, byDomain]).toEqual([[], [2], [2]]);
  });
});
