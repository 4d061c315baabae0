// The Odoo connector against msw fixtures: exact requests on JSON-2 and JSON-RPC, paging through ties
// on write_date, Odoo's value quirks, error kinds, per-record results, SSRF and secret hygiene.
import fs from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeCursor, ChangePage, Connector, SourceRecord } from '../../connectors/contract';
import { ConnectorError } from '../../connectors/errors';
import { CUSTOMER_DOMAIN } from '../../connectors/odoo/customer';
import { OdooConfig, odoo } from '../../connectors/odoo/index';
import { fromOdooDatetime, normalizeRow, sumQuantities, toOdooDatetime, toOdooVals } from '../../connectors/odoo/values';
import { evaluate, parseDomain, parseOdooDatetime } from '../../ops/sandboxes/odoo/domain';
import { configTable } from './config-table';
import { failure } from '../support/connector-errors';

const URL = 'https://acme.odoo.example';
const KEY = 'f00dfeed0123456789abcdef0123456789abcdef';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Seen {
  path: string;
  headers: Headers;
  body: Record<string, unknown>;
}

type Answer = unknown | ((body: Record<string, unknown>) => Response | unknown);

/** A JSON-2 Odoo answering `model/method` from a table; every request is kept for assertions. */
function json2(answers: Record<string, Answer>): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.post(`${URL}/json/2/:model/:method`, async ({ request, params }) => {
      const body = (await request.json()) as Record<string, unknown>;
      const key = `${params.model}/${params.method}`;
      seen.push({ path: new globalThis.URL(request.url).pathname, headers: request.headers, body });
      if (!(key in answers)) return HttpResponse.json({ name: 'werkzeug.exceptions.NotFound', message: `no fixture for ${key}` }, { status: 404 });
      const answer = answers[key];
      const result = typeof answer === 'function' ? answer(body) : answer;
      return result instanceof Response ? result : HttpResponse.json(result);
    }),
  );
  return seen;
}

/** An Odoo error answer on JSON-2: `{name, message, arguments, context, debug}` with a status. */
function odooError(status: number, name: string, message: string, headers: Record<string, string> = {}): Response {
  return HttpResponse.json({ name, message, arguments: [message], context: {}, debug: `Traceback...\n${name}: ${message}` }, { status, headers });
}

/** A `fields_get(attributes=['type'])` answer. */
function fieldsGet(types: Record<string, string>) {
  return Object.fromEntries(Object.entries({ id: 'integer', display_name: 'char', write_date: 'datetime', ...types }).map(([name, type]) => [name, { type }]));
}

const PARTNER_FIELDS = fieldsGet({
  name: 'char',
  is_company: 'boolean',
  parent_id: 'many2one',
  email: 'char',
  phone: 'char',
  vat: 'char',
  ref: 'char',
  street: 'char',
  street2: 'char',
  city: 'char',
  zip: 'char',
  country_id: 'many2one',
  country_code: 'char',
  lang: 'selection',
  website: 'char',
  active: 'boolean',
  customer_rank: 'integer',
  function: 'char',
  type: 'selection',
});

/** The own company (partner 900) and an employee (partner 901): never customers nor contacts. */
const OWN_PARTNERS = {
  'res.company/search_read': [{ id: 1, partner_id: [900, 'YourCompany'] }],
  'res.users/search_read': [{ id: 2, partner_id: [901, 'Mitchell Admin'] }],
};

function connect(overrides: Partial<OdooConfig> = {}): Connector {
  return odoo.create(OdooConfig.parse({ url: URL, database: 'acme', apiKey: KEY, ...overrides }));
}


describe('Odoo connector over JSON-2 (msw)', () => {
  it('declares itself as odoo 0.1.0 with its six entities and no webhooks', () => {
    const connector = connect();
    expect(odoo).toMatchObject({ name: 'odoo', version: '0.1.0' });
    expect(Object.keys(connector.entities).sort()).toEqual(['contact', 'customer', 'order', 'product', 'production_order', 'stock_level']);
    expect(connector.entities.stock_level?.sink).toBeUndefined();
    expect(connector.entities.customer?.sink?.maxBatch).toBe(100);
    expect(connector.webhooks).toBeUndefined();
  });

  it('the README documents every setting as the schema declares it', () => {
    const readme = fs.readFileSync(new globalThis.URL('../../connectors/odoo/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configTable(OdooConfig));
  });

  it('posts to /json/2/<model>/<method> with the bearer key, X-Odoo-Database and a JSON body', async () => {
    const seen = json2({ 'res.users/context_get': { lang: 'en_US', tz: 'Europe/Brussels', uid: 2 } });
    await connect().check();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.path).toBe('/json/2/res.users/context_get');
    expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(seen[0]?.headers.get('x-odoo-database')).toBe('acme');
    expect(seen[0]?.headers.get('content-type')).toBe('application/json');
    expect(seen[0]?.body).toEqual({});
  });

  it('check() is an auth error when Odoo refuses the key', async () => {
    json2({ 'res.users/context_get': () => odooError(401, 'werkzeug.exceptions.Unauthorized', 'Invalid apikey') });
    const err = await failure(connect().check());
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('Invalid apikey');
  });

  it('lists changed customers with one exact search_read, reading only fields the server has', async () => {
    const seen = json2({
      ...OWN_PARTNERS,
      'res.partner/fields_get': PARTNER_FIELDS,
      'res.partner/search_read': [
        { id: 7, name: 'Acme GmbH', is_company: true, parent_id: false, email: false, phone: '+49 30 1234567', country_id: [57, 'Germany'], country_code: 'DE', active: true, customer_rank: 2, write_date: '2026-03-01 09:30:00' },
        { id: 9, name: 'Old Corp', is_company: true, parent_id: false, email: 'old@corp.example', phone: false, country_id: false, country_code: false, active: false, customer_rank: 0, write_date: '2026-03-01 09:30:05' },
      ],
    });
    const page = await connect().entities.customer?.source?.listChanged({ sourceTime: '2026-03-01T09:00:00Z', externalId: '5' }, 50);

    expect(seen.map((s) => s.path)).toEqual(['/json/2/res.partner/fields_get', '/json/2/res.company/search_read', '/json/2/res.users/search_read', '/json/2/res.partner/search_read']);
    expect(seen[0]?.body).toEqual({ attributes: ['type'] });
    expect(seen[1]?.body).toEqual({ domain: [], fields: ['partner_id'], context: { active_test: false } });
    expect(seen[2]?.body).toEqual({ domain: [['share', '=', false]], fields: ['partner_id'], context: { active_test: false } });
    const read = seen[3]?.body as { fields: string[] };
    expect(read).toEqual({
      domain: [
        ...CUSTOMER_DOMAIN,
        ['id', 'not in', [900, 901]],
        '|',
        ['write_date', '>=', '2026-03-01 09:00:01'],
        '&',
        '&',
        ['write_date', '>=', '2026-03-01 09:00:00'],
        ['write_date', '<', '2026-03-01 09:00:01'],
        ['id', '>', 5],
      ],
      fields: read.fields,
      order: 'write_date asc, id asc',
      limit: 51,
      context: { active_test: false },
    });
    // `mobile` is not on this server (Odoo 19+): it is not asked for.
    expect(read.fields).not.toContain('mobile');
    expect(read.fields).toEqual(expect.arrayContaining(['id', 'write_date', 'name', 'email', 'phone', 'vat', 'ref', 'street', 'street2', 'city', 'zip', 'country_id', 'country_code', 'active', 'is_company', 'customer_rank']));

    expect(page).toEqual({
      records: [
        {
          externalId: '7',
          sourceTime: '2026-03-01T09:30:00Z',
          data: { id: 7, name: 'Acme GmbH', is_company: true, parent_id: null, email: null, phone: '+49 30 1234567', country_id: [57, 'Germany'], country_code: 'DE', active: true, customer_rank: 2, write_date: '2026-03-01T09:30:00Z' },
        },
        {
          externalId: '9',
          sourceTime: '2026-03-01T09:30:05Z',
          deleted: true,
          data: { id: 9, name: 'Old Corp', is_company: true, parent_id: null, email: 'old@corp.example', phone: null, country_id: null, country_code: null, active: false, customer_rank: 0, write_date: '2026-03-01T09:30:05Z' },
        },
      ],
      next: { sourceTime: '2026-03-01T09:30:05Z', externalId: '9' },
      more: false,
    });
  });

  it('asks fields_get and the own partners once, for customers and contacts alike', async () => {
    const seen = json2({ ...OWN_PARTNERS, 'res.partner/fields_get': PARTNER_FIELDS, 'res.partner/search_read': [] });
    const connector = connect();
    await connector.entities.customer?.source?.listChanged(null, 10);
    await connector.entities.contact?.source?.listChanged(null, 10);
    await connector.entities.customer?.source?.listChanged(null, 10);
    expect(seen.filter((s) => s.path.endsWith('/fields_get'))).toHaveLength(1);
    expect(seen.filter((s) => s.path === '/json/2/res.users/search_read')).toHaveLength(1);
    // Contacts leave out employees and everyone under the own company.
    expect(seen.filter((s) => s.path === '/json/2/res.partner/search_read')[1]?.body.domain).toEqual([
      ['is_company', '=', false],
      ['parent_id', '!=', false],
      ['id', 'not in', [901]],
      ['parent_id', 'not in', [900]],
    ]);
  });

  describe('paging through records changed in the same second', () => {
    /**
     * Partners whose write_date Odoo keeps to the millisecond but reads to the second: `ms` is the
     * hidden stored time, which is also what `order=write_date` sorts by.
     */
    const at = (s: string) => Date.parse(`2026-03-01T${s}Z`);
    const rows = [
      { id: 1, ms: at('10:00:00.900') },
      { id: 2, ms: at('10:00:00.100') },
      { id: 3, ms: at('10:00:00.500') },
      { id: 4, ms: at('10:00:01.000') },
      { id: 5, ms: at('10:00:00.200') },
      { id: 6, ms: at('10:00:02.300') },
      { id: 7, ms: at('10:00:02.300') },
    ];
    const second = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

    /** search_read over `rows` as Odoo 19 answers it (whole-second datetime comparisons). */
    function searchRead(body: Record<string, unknown>) {
      const tree = parseDomain(body.domain);
      const match = rows.filter((r) =>
        evaluate(tree, {
          wholeSeconds: true,
          resolve: (path) => {
            if (path === 'write_date') return { type: 'datetime', value: r.ms };
            if (path === 'id') return { type: 'integer', value: r.id };
            if (path === 'is_company') return { type: 'boolean', value: true };
            if (path === 'parent_id') return { type: 'many2one', value: null };
            return { type: 'many2one', value: null };
          },
        }),
      );
      const byStoredTime = body.order === 'write_date asc, id asc';
      match.sort((a, b) => (byStoredTime ? a.ms - b.ms || a.id - b.id : a.id - b.id));
      return match.slice(0, Number(body.limit)).map((r) => ({ id: r.id, name: `P${r.id}`, write_date: second(r.ms), active: true }));
    }

    async function drain(limit: number): Promise<{ records: SourceRecord[]; requests: number }> {
      const seen = json2({ ...OWN_PARTNERS, 'res.partner/fields_get': PARTNER_FIELDS, 'res.partner/search_read': searchRead });
      const source = connect().entities.customer?.source;
      const records: SourceRecord[] = [];
      let cursor: ChangeCursor | null = null;
      for (let i = 0; i < 20; i++) {
        const page: ChangePage | undefined = await source?.listChanged(cursor, limit);
        records.push(...(page?.records ?? []));
        cursor = page?.next ?? cursor;
        if (!page?.more) break;
      }
      return { records, requests: seen.length };
    }

    it.each([1, 2, 3, 4, 10])('with pages of %i, every record comes once, in (second, id) order', async (limit) => {
      const { records } = await drain(limit);
      expect(records.map((r) => r.externalId)).toEqual(['1', '2', '3', '5', '4', '6', '7']);
      expect(records.map((r) => r.sourceTime)).toEqual(['2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z', '2026-03-01T10:00:01Z', '2026-03-01T10:00:02Z', '2026-03-01T10:00:02Z']);
    });

    it('a second with more records than the page is paged by id within that second', async () => {
      const seen = json2({ ...OWN_PARTNERS, 'res.partner/fields_get': PARTNER_FIELDS, 'res.partner/search_read': searchRead });
      const page = await connect().entities.customer?.source?.listChanged({ sourceTime: '2026-03-01T10:00:00Z', externalId: '1' }, 2);
      expect(page?.records.map((r) => r.externalId)).toEqual(['2', '3']);
      expect(page?.next).toEqual({ sourceTime: '2026-03-01T10:00:00Z', externalId: '3' });
      expect(page?.more).toBe(true);
      expect(seen[4]?.body).toMatchObject({
        domain: [...CUSTOMER_DOMAIN, ['id', 'not in', [900, 901]], ['write_date', '>=', '2026-03-01 10:00:00'], ['write_date', '<', '2026-03-01 10:00:01'], ['id', '>', 1]],
        order: 'id asc',
        limit: 2,
      });
      expect(parseOdooDatetime('2026-03-01 10:00:00')).toBe(Date.parse('2026-03-01T10:00:00Z'));
    });
  });

  it("holds back changes younger than settleSeconds by Odoo's clock, so a second still being written is not cut", async () => {
    const rows = [
      { id: 4, name: 'Old', active: true, write_date: '2026-03-01 09:59:58' },
      { id: 2, name: 'Fresh', active: true, write_date: '2026-03-01 10:00:00' },
    ];
    const answer = (date: string) => HttpResponse.json(rows, { headers: { date } });
    let date = 'Sun, 01 Mar 2026 10:00:01 GMT';
    json2({ ...OWN_PARTNERS, 'res.partner/fields_get': PARTNER_FIELDS, 'res.partner/search_read': () => answer(date) });
    const source = connect({ settleSeconds: 2 }).entities.customer?.source;
    const early = await source?.listChanged(null, 10);
    expect(early?.records.map((r) => r.externalId)).toEqual(['4']);
    expect(early).toMatchObject({ next: { sourceTime: '2026-03-01T09:59:58Z', externalId: '4' }, more: false });
    date = 'Sun, 01 Mar 2026 10:00:02 GMT';
    expect((await source?.listChanged(null, 10))?.records.map((r) => r.externalId)).toEqual(['4', '2']);
  });

  it('products keep list_price as Odoo gives it, uom as [id, name], and carry the company currency', async () => {
    json2({
      'product.product/fields_get': fieldsGet({ default_code: 'char', name: 'char', list_price: 'float', uom_id: 'many2one', type: 'selection', is_storable: 'boolean', barcode: 'char', active: 'boolean' }),
      'product.product/search_read': [{ id: 3, default_code: 'BOLT-M8', name: 'Bolt M8', list_price: 1.2, uom_id: [1, 'Units'], type: 'consu', is_storable: true, barcode: false, active: true, write_date: '2026-03-01 08:00:00' }],
    });
    const page = await connect({ currency: 'CHF' }).entities.product?.source?.listChanged(null, 10);
    expect(page?.records[0]?.data).toEqual({ id: 3, default_code: 'BOLT-M8', name: 'Bolt M8', list_price: 1.2, uom_id: [1, 'Units'], type: 'consu', is_storable: true, barcode: null, active: true, write_date: '2026-03-01T08:00:00Z', currency: 'CHF' });
  });

  it.each([
    [401, 'werkzeug.exceptions.Unauthorized', 'Invalid apikey', 'auth'],
    [403, 'odoo.exceptions.AccessError', 'You are not allowed to access Contact (res.partner) records.', 'auth'],
    [404, 'odoo.exceptions.MissingError', 'Record does not exist or has been deleted.', 'not_found'],
    [422, 'odoo.exceptions.ValidationError', 'Contacts require a name', 'invalid'],
    [500, 'builtins.ValueError', "Invalid field 'colour' on model 'res.partner'", 'invalid'],
    [500, 'builtins.Exception', 'internal server error', 'retryable'],
    [502, 'werkzeug.exceptions.BadGateway', 'Bad Gateway', 'retryable'],
    [503, 'werkzeug.exceptions.ServiceUnavailable', 'Service Unavailable', 'retryable'],
  ])('HTTP %i (%s: %s) is a %s error naming what Odoo said', async (status, name, message, kind) => {
    json2({ 'res.partner/write': () => odooError(status, name, message) });
    const err = await failure(connect().entities.customer?.sink?.delete?.('7') as Promise<void>);
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.message).toContain(message);
    expect(err.message).toContain('res.partner.write');
  });

  it('a ValueError names the field Odoo refused', async () => {
    json2({ 'res.partner/write': () => odooError(500, 'builtins.ValueError', "Invalid field 'colour' on model 'res.partner'") });
    const err = await failure(connect().entities.customer?.sink?.delete?.('7') as Promise<void>);
    expect(err.field).toBe('colour');
  });

  it('HTTP 429 is rate_limited and honours Retry-After', async () => {
    json2({ 'res.users/context_get': () => odooError(429, 'werkzeug.exceptions.TooManyRequests', 'Too Many Requests', { 'retry-after': '7' }) });
    const err = await failure(connect().check());
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(7000);
  });

  it('a 200 answer that is not JSON (a login page) is retried, not taken as data', async () => {
    server.use(http.post(`${URL}/json/2/:model/:method`, () => new HttpResponse('<html>Odoo login</html>', { headers: { 'content-type': 'text/html' } })));
    const err = await failure(connect().check());
    expect(err.kind).toBe('retryable');
  });

  it('a batch upsert reports the record Odoo refuses without failing the others', async () => {
    const bad = (vals: Record<string, unknown>) => vals.email === 'not-an-email';
    const seen = json2({
      'res.country/search': [57],
      'res.partner/create': (body: Record<string, unknown>) => {
        const list = body.vals_list as Record<string, unknown>[];
        if (list.some(bad)) return odooError(422, 'odoo.exceptions.ValidationError', 'Invalid email address "not-an-email"');
        return list.map((_, i) => 41 + i + (list.length === 1 && list[0]?.name === 'Good Two' ? 1 : 0));
      },
      'res.partner/write': true,
    });
    const results = await connect().entities.customer?.sink?.upsert([
      { idempotencyKey: 'k1', canonicalId: 'cus_1', data: { name: 'Good One', email: 'one@example.com', country_code: 'DE', vat: null }, identity: { field: 'ref', value: 'C-1' } },
      { idempotencyKey: 'k2', canonicalId: 'cus_2', data: { name: 'Bad', email: 'not-an-email' } },
      { idempotencyKey: 'k3', canonicalId: 'cus_3', externalId: '7', data: { name: 'Renamed', parent_id: [1, 'YourCompany'] } },
      { idempotencyKey: 'k4', canonicalId: 'cus_4', data: { name: 'Good Two' } },
    ]);
    expect(results).toMatchObject([
      { ok: true, externalId: '41' },
      { ok: false, error: { kind: 'invalid' } },
      { ok: true, externalId: '7' },
      { ok: true, externalId: '42' },
    ]);
    const failed = results?.[1];
    expect(failed?.ok === false && failed.error.message).toContain('Invalid email address');
    const calls = seen.map((s) => [s.path, s.body]);
    expect(calls).toEqual([
      ['/json/2/res.country/search', { domain: [['code', '=', 'DE']], limit: 1 }],
      [
        '/json/2/res.partner/create',
        {
          vals_list: [
            { customer_rank: 1, name: 'Good One', email: 'one@example.com', country_id: 57, vat: false, ref: 'C-1' },
            { customer_rank: 1, name: 'Bad', email: 'not-an-email' },
            { customer_rank: 1, name: 'Good Two' },
          ],
        },
      ],
      ['/json/2/res.partner/create', { vals_list: [{ customer_rank: 1, name: 'Good One', email: 'one@example.com', country_id: 57, vat: false, ref: 'C-1' }] }],
      ['/json/2/res.partner/create', { vals_list: [{ customer_rank: 1, name: 'Bad', email: 'not-an-email' }] }],
      ['/json/2/res.partner/create', { vals_list: [{ customer_rank: 1, name: 'Good Two' }] }],
      ['/json/2/res.partner/write', { ids: [7], vals: { name: 'Renamed', parent_id: 1 } }],
    ]);
  });

  it('a batch that fails before anything is written throws, so it can be retried whole', async () => {
    json2({ 'product.product/create': () => odooError(503, 'werkzeug.exceptions.ServiceUnavailable', 'Service Unavailable') });
    const err = await failure(connect().entities.product?.sink?.upsert([{ idempotencyKey: 'k', canonicalId: 'prd_1', data: { name: 'Bolt', default_code: 'B1' } }]) as Promise<unknown>);
    expect(err.kind).toBe('retryable');
  });

  it('once something is written, a connection failure is reported on the writes it stopped', async () => {
    let writes = 0;
    json2({ 'product.product/write': () => (++writes === 1 ? true : odooError(503, 'werkzeug.exceptions.ServiceUnavailable', 'Service Unavailable')) });
    const results = await connect().entities.product?.sink?.upsert([
      { idempotencyKey: 'a', canonicalId: 'prd_a', externalId: '1', data: { name: 'A' } },
      { idempotencyKey: 'b', canonicalId: 'prd_b', externalId: '2', data: { name: 'B' } },
      { idempotencyKey: 'c', canonicalId: 'prd_c', externalId: '3', data: { name: 'C' } },
    ]);
    expect(results).toMatchObject([{ ok: true, externalId: '1' }, { ok: false, error: { kind: 'retryable' } }, { ok: false, error: { kind: 'retryable' } }]);
    expect(writes).toBe(2);
  });

  it('a contact needs its company; a product price must be in the company currency', async () => {
    const contact = await connect().entities.contact?.sink?.upsert([{ idempotencyKey: 'k', canonicalId: 'con_1', data: { name: 'Anna' } }]);
    expect(contact?.[0]).toMatchObject({ ok: false, error: { kind: 'invalid', field: 'parent_id' } });
    const product = await connect().entities.product?.sink?.upsert([{ idempotencyKey: 'k', canonicalId: 'prd_1', data: { name: 'Bolt', list_price: 1.2, currency: 'USD' } }]);
    expect(product?.[0]).toMatchObject({ ok: false, error: { kind: 'invalid', field: 'currency' } });
  });

  it('findByIdentity searches the identity field among the entity records, archived included', async () => {
    const seen = json2({ 'product.product/search': (body: Record<string, unknown>) => (JSON.stringify(body.domain).includes('DUP') ? [3, 4] : [3]) });
    const sink = connect().entities.product?.sink;
    expect(await sink?.findByIdentity('default_code', 'BOLT-M8')).toBe('3');
    expect(seen[0]?.body).toEqual({ domain: [['default_code', '=', 'BOLT-M8']], order: 'id asc', limit: 2, context: { active_test: false } });
    const err = await failure(sink?.findByIdentity('default_code', 'DUP') as Promise<unknown>);
    expect(err.kind).toBe('conflict');
  });

  it('delete archives the record (write active=false)', async () => {
    const seen = json2({ 'res.partner/write': true });
    await connect().entities.contact?.sink?.delete?.('12');
    expect(seen[0]).toMatchObject({ path: '/json/2/res.partner/write', body: { ids: [12], vals: { active: false } } });
  });
});

describe('Odoo connector over JSON-RPC (msw)', () => {
  const rpcConfig = { protocol: 'jsonrpc' as const, login: 'api@acme.example' };

  /** A JSON-RPC Odoo: authenticate answers `uid`; execute_kw answers from the table by model/method. */
  function jsonrpc(uid: number | false, answers: Record<string, Answer>): Record<string, unknown>[] {
    const seen: Record<string, unknown>[] = [];
    server.use(
      http.post(`${URL}/jsonrpc`, async ({ request }) => {
        const body = (await request.json()) as { id: number; params: { service: string; method: string; args: unknown[] } };
        seen.push(body);
        const { service, method, args } = body.params;
        if (service === 'common' && method === 'authenticate') return HttpResponse.json({ jsonrpc: '2.0', id: body.id, result: uid });
        const key = `${args[3]}/${args[4]}`;
        const answer = answers[key];
        const result = typeof answer === 'function' ? answer(body) : answer;
        return result instanceof Response ? result : HttpResponse.json({ jsonrpc: '2.0', id: body.id, result });
      }),
    );
    return seen;
  }

  function rpcError(name: string, message: string, code = 200): Response {
    return HttpResponse.json({ jsonrpc: '2.0', id: 1, error: { code, message: 'Odoo Server Error', data: { name, debug: 'Traceback...', message, arguments: [message], context: {} } } });
  }

  it('authenticates once, then calls execute_kw with db, uid, key, model, method, args and kwargs', async () => {
    const seen = jsonrpc(2, { 'res.users/context_get': { uid: 2 }, 'res.partner/write': true });
    const connector = connect(rpcConfig);
    await connector.check();
    await connector.entities.customer?.sink?.delete?.('7');
    expect(seen).toEqual([
      { jsonrpc: '2.0', method: 'call', params: { service: 'common', method: 'authenticate', args: ['acme', 'api@acme.example', KEY, {}] }, id: 1 },
      { jsonrpc: '2.0', method: 'call', params: { service: 'object', method: 'execute_kw', args: ['acme', 2, KEY, 'res.users', 'context_get', [], {}] }, id: 2 },
      { jsonrpc: '2.0', method: 'call', params: { service: 'object', method: 'execute_kw', args: ['acme', 2, KEY, 'res.partner', 'write', [[7]], { vals: { active: false } }] }, id: 3 },
    ]);
  });

  it('creates pass vals_list positionally (Odoo 17 reads args[0]) and search_read by keyword with the context', async () => {
    const seen = jsonrpc(2, {
      'product.product/create': [11, 12],
      'product.product/fields_get': fieldsGet({ default_code: 'char', name: 'char', active: 'boolean' }),
      'product.product/search_read': [],
    });
    const connector = connect(rpcConfig);
    const results = await connector.entities.product?.sink?.upsert([
      { idempotencyKey: 'a', canonicalId: 'prd_a', data: { name: 'A', default_code: 'A1' } },
      { idempotencyKey: 'b', canonicalId: 'prd_b', data: { name: 'B', default_code: 'B1' } },
    ]);
    expect(results).toEqual([
      { ok: true, externalId: '11' },
      { ok: true, externalId: '12' },
    ]);
    await connector.entities.product?.source?.listChanged(null, 5);
    const args = seen.slice(1).map((s) => (s.params as { args: unknown[] }).args.slice(3));
    expect(args[0]).toEqual(['product.product', 'create', [[{ name: 'A', default_code: 'A1' }, { name: 'B', default_code: 'B1' }]], {}]);
    expect(args[1]).toEqual(['product.product', 'fields_get', [], { attributes: ['type'] }]);
    expect(args[2]).toEqual(['product.product', 'search_read', [], { domain: [], fields: ['id', 'write_date', 'default_code', 'name', 'display_name', 'active'], order: 'write_date asc, id asc', limit: 6, context: { active_test: false } }]);
  });

  it.each([
    ['odoo.exceptions.AccessDenied', 'Access Denied', 'auth'],
    ['odoo.exceptions.AccessError', 'You are not allowed to modify Contact (res.partner) records.', 'auth'],
    ['odoo.exceptions.ValidationError', 'Contacts require a name', 'invalid'],
    ['odoo.exceptions.UserError', 'You cannot archive a contact linked to an active user.', 'invalid'],
    ['builtins.ValueError', "Invalid field 'colour' on model 'res.partner'", 'invalid'],
    ['odoo.exceptions.MissingError', 'Record does not exist or has been deleted.', 'not_found'],
    ['psycopg2.errors.SerializationFailure', 'could not serialize access due to concurrent update', 'retryable'],
  ])('an HTTP 200 envelope with %s (%s) is a %s error', async (name, message, kind) => {
    jsonrpc(2, { 'res.partner/write': () => rpcError(name, message) });
    const err = await failure(connect(rpcConfig).entities.customer?.sink?.delete?.('7') as Promise<void>);
    expect(err.kind).toBe(kind);
    expect(err.message).toContain(message);
    expect(err.status).toBeUndefined();
  });

  it('an expired session (code 100) is an auth error', async () => {
    jsonrpc(2, { 'res.users/context_get': () => rpcError('odoo.http.SessionExpiredException', 'Session expired', 100) });
    expect((await failure(connect(rpcConfig).check())).kind).toBe('auth');
  });

  it('a refused login (authenticate answers false) is an auth error, asked again next time', async () => {
    const seen = jsonrpc(false, {});
    const connector = connect(rpcConfig);
    const err = await failure(connector.check());
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('api@acme.example');
    await failure(connector.check());
    expect(seen).toHaveLength(2);
  });

  it('per-record validation errors arrive in the envelope too', async () => {
    jsonrpc(2, {
      'res.partner/create': (body: { params: { args: unknown[] } }) => {
        const list = (body.params.args[5] as unknown[][])[0] as Record<string, unknown>[];
        return list.some((v) => v.name === 'Bad') ? rpcError('odoo.exceptions.ValidationError', 'Invalid email') : list.map((_, i) => 100 + i);
      },
    });
    const results = await connect(rpcConfig).entities.customer?.sink?.upsert([
      { idempotencyKey: 'a', canonicalId: 'cus_a', data: { name: 'Bad' } },
      { idempotencyKey: 'b', canonicalId: 'cus_b', data: { name: 'Good' } },
    ]);
    expect(results).toMatchObject([{ ok: false, error: { kind: 'invalid' } }, { ok: true, externalId: '100' }]);
  });

  it('JSON-RPC needs a database and a login', () => {
    const parsed = OdooConfig.safeParse({ url: URL, apiKey: KEY, protocol: 'jsonrpc' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['database', 'login']);
  });
});

describe("Odoo's value quirks", () => {
  it('datetimes: Odoo UTC without zone ↔ ISO UTC, to the second', () => {
    expect(fromOdooDatetime('2026-03-01 09:30:00')).toBe('2026-03-01T09:30:00Z');
    expect(toOdooDatetime('2026-03-01T10:30:00.999+01:00')).toBe('2026-03-01 09:30:00');
    expect(() => fromOdooDatetime('2026-03-01T09:30:00Z')).toThrow();
  });

  it('false is null except in booleans; many2one pairs are kept on read and written as ids', () => {
    expect(normalizeRow({ email: false, is_company: false, parent_id: false, country_id: [57, 'Germany'], write_date: '2026-03-01 09:30:00' }, { email: 'char', is_company: 'boolean', parent_id: 'many2one', country_id: 'many2one', write_date: 'datetime' })).toEqual({
      email: null,
      is_company: false,
      parent_id: null,
      country_id: [57, 'Germany'],
      write_date: '2026-03-01T09:30:00Z',
    });
    expect(toOdooVals({ email: null, parent_id: [7, 'Acme'], name: 'x', phone: undefined, tag_ids: [1, 2] })).toEqual({ email: false, parent_id: 7, name: 'x', tag_ids: [1, 2] });
  });

  it('quantities are summed exactly as decimal strings', () => {
    expect(sumQuantities([0.1, 0.2])).toBe('0.3');
    expect(sumQuantities([100.1, 20.2, false])).toBe('120.3');
    expect(sumQuantities([-40, 5.5])).toBe('-34.5');
    expect(sumQuantities([])).toBe('0');
  });
});

describe('Odoo connector safety', () => {
  it.each(['http://127.0.0.1:8069', 'http://localhost:8069', 'http://10.0.0.5', 'http://[::1]:8069', 'http://169.254.169.254'])('refuses %s unless private networks are allowed', (url) => {
    const err = (() => {
      try {
        connect({ url });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).kind).toBe('invalid');
    expect(() => connect({ url, allowPrivateNetwork: true })).not.toThrow();
  });

  it('never puts the API key in an error message, even when Odoo echoes it', async () => {
    const errors: ConnectorError[] = [];
    // JSON-2: a proxy echoing the Authorization header back.
    server.use(http.post(`${URL}/json/2/:model/:method`, ({ request }) => odooError(401, 'werkzeug.exceptions.Unauthorized', `Invalid apikey ${request.headers.get('authorization')}`)));
    errors.push(await failure(connect().check()));
    server.use(http.post(`${URL}/json/2/:model/:method`, ({ request }) => new HttpResponse(`bad gateway for ${request.headers.get('authorization')}`, { status: 502, headers: { 'content-type': 'text/plain' } })));
    errors.push(await failure(connect().check()));
    server.use(http.post(`${URL}/json/2/:model/:method`, () => HttpResponse.error()));
    errors.push(await failure(connect().check()));
    // JSON-RPC: the key travels in the body; an error that quotes the arguments.
    server.use(
      http.post(`${URL}/jsonrpc`, async ({ request }) => {
        const body = (await request.json()) as { id: number; params: { method: string; args: unknown[] } };
        if (body.params.method === 'authenticate') return HttpResponse.json({ jsonrpc: '2.0', id: body.id, result: 2 });
        return HttpResponse.json({ jsonrpc: '2.0', id: body.id, error: { code: 200, message: 'Odoo Server Error', data: { name: 'builtins.TypeError', message: `bad args ${JSON.stringify(body.params.args)}` } } });
      }),
    );
    errors.push(await failure(connect({ protocol: 'jsonrpc', login: 'api' }).check()));
    server.use(http.post(`${URL}/jsonrpc`, () => HttpResponse.json({ jsonrpc: '2.0', id: 1, result: false })));
    errors.push(await failure(connect({ protocol: 'jsonrpc', login: 'api' }).check()));

    expect(errors.map((e) => e.kind)).toEqual(['auth', 'retryable', 'retryable', 'retryable', 'auth']);
    for (const err of errors) {
      expect(err.message).not.toContain(KEY);
      expect(String(err.cause ?? '')).not.toContain(KEY);
      expect(JSON.stringify(err)).not.toContain(KEY);
    }
    expect(errors[0]?.message).toContain('[redacted]');
  });
});
