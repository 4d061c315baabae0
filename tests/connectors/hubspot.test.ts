// The HubSpot connector against msw fixtures: the exact date-versioned requests, change listing
// through records of the same millisecond, associations, 207 batches record by record, error kinds,
// rate-limit delays, webhook signatures (v3) and event parsing, SSRF and secret hygiene.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeCursor, Connector, EntitySink, EntitySource, SinkWrite, SourceRecord } from '../../connectors/contract';
import { ConnectorError } from '../../connectors/errors';
import { HubspotConfig, hubspot } from '../../connectors/hubspot/index';
import { failure } from '../support/connector-errors';
import { configTable } from './config-table';

const BASE = 'https://api.hubapi.com';
const TOKEN = 'pat-na1-0f1e2d3c-4b5a-6978-8877-665544332211';
const SECRET = '6f1c2b9e-8d7a-4c3b-9e0f-a1b2c3d4e5f6';
const OLD_SECRET = '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Headers;
  body: unknown;
}

type Answer = unknown | ((seen: Seen) => Response | unknown);

/** A HubSpot answering `METHOD /path` from a table; every request is kept, in order, for assertions. */
function hubspotApi(answers: Record<string, Answer>): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.all(`${BASE}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const text = await request.text();
      const entry: Seen = { method: request.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers, body: text ? JSON.parse(text) : undefined };
      seen.push(entry);
      const key = `${request.method} ${url.pathname}`;
      if (!(key in answers)) return HttpResponse.json({ status: 'error', message: `no fixture for ${key}`, category: 'OBJECT_NOT_FOUND' }, { status: 404 });
      const answer = answers[key];
      const result = typeof answer === 'function' ? answer(entry) : answer;
      return result instanceof Response ? result : HttpResponse.json(result);
    }),
  );
  return seen;
}

/** HubSpot's error body. */
function hubspotError(status: number, category: string, message: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Response {
  return HttpResponse.json({ status: 'error', message, correlationId: 'c0ffee00-1234-4321-abcd-0123456789ab', category, ...extra }, { status, headers });
}

function connect(overrides: Partial<HubspotConfig> = {}): Connector {
  return hubspot.create(HubspotConfig.parse({ accessToken: TOKEN, ...overrides }));
}

const source = (c: Connector, entity: string) => c.entities[entity]?.source as EntitySource;
const sink = (c: Connector, entity: string) => c.entities[entity]?.sink as EntitySink;

const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

function company(id: string, ms: number, properties: Record<string, string | null> = {}) {
  return { id, properties: { hs_object_id: id, name: `Company ${id}`, hs_lastmodifieddate: iso(ms), createdate: iso(T0 - 86_400_000), ...properties }, createdAt: iso(T0 - 86_400_000), updatedAt: iso(ms), archived: false };
}

describe('HubSpot connector (msw)', () => {
  it('declares itself as hubspot 0.1.0 with customer, contact, product and order, batches of 100, webhooks only with secrets', () => {
    const c = connect();
    expect(hubspot).toMatchObject({ name: 'hubspot', version: '0.1.0' });
    expect(Object.keys(c.entities).sort()).toEqual(['contact', 'customer', 'order', 'product']);
    for (const entity of ['contact', 'customer', 'order', 'product']) {
      expect(c.entities[entity]?.source).toBeDefined();
      expect(c.entities[entity]?.sink?.maxBatch).toBe(100);
    }
    expect(sink(c, 'customer').delete).toBeDefined();
    expect(sink(c, 'order').delete).toBeUndefined();
    expect(c.webhooks).toBeUndefined();
    expect(connect({ webhookClientSecrets: [SECRET] }).webhooks).toBeDefined();
  });

  it('the README documents every setting as the schema declares it', () => {
    const readme = fs.readFileSync(new URL('../../connectors/hubspot/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configTable(HubspotConfig));
  });

  it('config: defaults, and bad values refused naming the field', () => {
    const config = HubspotConfig.parse({ accessToken: TOKEN });
    expect(config).toMatchObject({ baseUrl: 'https://api.hubapi.com', apiVersion: '2026-09', pageSize: 100, wonStages: ['closedwon'], lostStages: ['closedlost'], idProperty: 'qiao_id', webhookToleranceSeconds: 300, currency: 'EUR' });
    const problems = (input: Record<string, unknown>) => HubspotConfig.safeParse({ accessToken: TOKEN, ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(problems({ apiVersion: 'v3' })).toEqual([expect.stringMatching(/^apiVersion: must be a HubSpot date version/)]);
    expect(problems({ pageSize: 201 })[0]).toMatch(/^pageSize: /);
    expect(problems({ wonStages: ['closedwon'], lostStages: ['closedwon'] })).toEqual(['lostStages: closedwon cannot be won and lost at once (also in wonStages)']);
    expect(problems({ idProperty: 'Qiao Id' })[0]).toMatch(/^idProperty: must be the internal name/);
    expect(problems({ colour: 'red' })[0]).toMatch(/colour/);
    expect(HubspotConfig.safeParse({}).error?.issues[0]?.path).toEqual(['accessToken']);
  });

  it('refuses a private base URL unless allowed (SSRF)', () => {
    const err = (() => {
      try {
        connect({ baseUrl: 'http://127.0.0.1:8091' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).kind).toBe('invalid');
    expect(() => connect({ baseUrl: 'http://127.0.0.1:8091', allowPrivateNetwork: true })).not.toThrow();
  });

  describe('check()', () => {
    it('reads the id property of companies with the bearer token, and passes when it is unique', async () => {
      const seen = hubspotApi({ 'GET /crm/properties/2026-09/companies/qiao_id': { name: 'qiao_id', type: 'string', hasUniqueValue: true } });
      await connect().check();
      expect(seen).toHaveLength(1);
      expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    });

    it('is an invalid-config error naming idProperty when the property is missing or not unique', async () => {
      hubspotApi({ 'GET /crm/properties/2026-03/companies/erp_key': () => hubspotError(404, 'OBJECT_NOT_FOUND', 'Unable to find property erp_key') });
      const missing = await failure(connect({ apiVersion: '2026-03', idProperty: 'erp_key' }).check());
      expect(missing).toMatchObject({ kind: 'invalid', field: 'idProperty' });
      expect(missing.message).toContain('erp_key');
      hubspotApi({ 'GET /crm/properties/2026-09/companies/qiao_id': { name: 'qiao_id', type: 'string', hasUniqueValue: false } });
      expect(await failure(connect().check())).toMatchObject({ kind: 'invalid', field: 'idProperty' });
    });

    it('is an auth error when HubSpot refuses the token, and the token never shows in the message', async () => {
      hubspotApi({ 'GET /crm/properties/2026-09/companies/qiao_id': () => hubspotError(401, 'INVALID_AUTHENTICATION', `Authentication credentials not found for ${TOKEN}`) });
      const err = await failure(connect().check());
      expect(err.kind).toBe('auth');
      expect(err.status).toBe(401);
      expect(err.message).toContain('INVALID_AUTHENTICATION');
      expect(err.message).not.toContain(TOKEN);
    });
  });

  describe('change listing', () => {
    it('searches companies by hs_lastmodifieddate ascending, without the legacy /crm/v3 path, and hands on properties with the id', async () => {
      const seen = hubspotApi({
        'POST /crm/objects/2026-09/companies/search': { total: 2, results: [company('2002', T0 + 5), company('2001', T0, { domain: 'acme.example' })] },
      });
      const page = await source(connect(), 'customer').listChanged(null, 50);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.path).toBe('/crm/objects/2026-09/companies/search');
      expect(seen[0]?.headers.get('content-type')).toBe('application/json');
      const body = seen[0]?.body as { properties: string[] };
      expect(body).toEqual({ filterGroups: [], sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }], properties: body.properties, limit: 50 });
      expect(body.properties).toEqual(expect.arrayContaining(['name', 'domain', 'website', 'phone', 'address', 'address2', 'city', 'zip', 'state', 'country', 'lifecyclestage', 'qiao_id', 'hs_lastmodifieddate', 'hs_object_id']));
      expect(page.records.map((r) => [r.externalId, r.sourceTime])).toEqual([
        ['2001', '2026-03-01T10:00:00.000Z'],
        ['2002', '2026-03-01T10:00:00.005Z'],
      ]);
      expect(page.records[0]?.data).toMatchObject({ id: '2001', name: 'Company 2001', domain: 'acme.example', hs_object_id: '2001' });
      expect(page).toMatchObject({ next: { sourceTime: '2026-03-01T10:00:00.005Z', externalId: '2002' }, more: false });
    });

    it('from a cursor: first the rest of its millisecond by id, then later milliseconds, in one page', async () => {
      const seen = hubspotApi({
        'POST /crm/objects/2026-03/companies/search': (s: Seen) => {
          const body = s.body as { sorts: { propertyName: string }[] };
          return body.sorts[0]?.propertyName === 'hs_object_id' ? { total: 1, results: [company('2009', T0)] } : { total: 1, results: [company('2003', T0 + 1)] };
        },
      });
      const page = await source(connect({ apiVersion: '2026-03' }), 'customer').listChanged({ sourceTime: iso(T0), externalId: '2005' }, 10);
      expect(seen.map((s) => s.body)).toEqual([
        {
          filterGroups: [
            {
              filters: [
                { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(T0) },
                { propertyName: 'hs_lastmodifieddate', operator: 'LTE', value: String(T0) },
                { propertyName: 'hs_object_id', operator: 'GT', value: '2005' },
              ],
            },
          ],
          sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
          properties: expect.any(Array),
          limit: 10,
        },
        { filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GT', value: String(T0) }] }], sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }], properties: expect.any(Array), limit: 9 },
      ]);
      expect(seen.every((s) => s.path === '/crm/objects/2026-03/companies/search')).toBe(true);
      expect(page.records.map((r) => r.externalId)).toEqual(['2009', '2003']);
      expect(page.more).toBe(false);
    });

    it('refuses a cursor that is no HubSpot position', async () => {
      hubspotApi({});
      expect(await failure(source(connect(), 'customer').listChanged({ sourceTime: 'yesterday', externalId: '1' }, 10))).toMatchObject({ kind: 'invalid' });
      expect(await failure(source(connect(), 'customer').listChanged({ sourceTime: iso(T0), externalId: 'abc' }, 10))).toMatchObject({ kind: 'invalid' });
    });

    describe('records changed in the same millisecond, across pages', () => {
      // 25 companies at T0, 3 at T0+1, 12 at T0+7 and 1 at T0+9: HubSpot's search sorts by one property
      // and returns records of one millisecond in no particular order (here: scrambled).
      const rows = [
        ...Array.from({ length: 25 }, (_, i) => ({ id: 3000 + i * 7, ms: T0 })),
        ...[9001, 9000, 9002].map((id) => ({ id, ms: T0 + 1 })),
        ...Array.from({ length: 12 }, (_, i) => ({ id: 5000 - i, ms: T0 + 7 })),
        { id: 100, ms: T0 + 9 },
      ];
      const scramble = (id: number) => Math.imul(id, 2654435761) >>> 0;

      /** HubSpot search over `rows`: the filters and the one sort the connector uses, `total`, `limit`. */
      function search(s: Seen) {
        const body = s.body as { filterGroups: { filters: { propertyName: string; operator: string; value: string }[] }[]; sorts: { propertyName: string }[]; limit: number; after?: string };
        expect(body.limit).toBeLessThanOrEqual(200);
        expect(body.after).toBeUndefined();
        const filters = body.filterGroups[0]?.filters ?? [];
        const match = rows.filter((r) =>
          filters.every((f) => {
            const v = f.propertyName === 'hs_object_id' ? r.id : r.ms;
            const x = Number(f.value);
            return f.operator === 'GT' ? v > x : f.operator === 'GTE' ? v >= x : f.operator === 'LTE' ? v <= x : false;
          }),
        );
        const byId = body.sorts[0]?.propertyName === 'hs_object_id';
        match.sort((a, b) => (byId ? a.id - b.id : a.ms - b.ms || scramble(a.id) - scramble(b.id)));
        return { total: match.length, results: match.slice(0, body.limit).map((r) => company(String(r.id), r.ms)), ...(match.length > body.limit ? { paging: { next: { after: String(body.limit) } } } : {}) };
      }

      async function drain(limit: number, pageSize = 100): Promise<{ records: SourceRecord[]; requests: number }> {
        const seen = hubspotApi({ 'POST /crm/objects/2026-09/companies/search': search });
        const src = source(connect({ pageSize }), 'customer');
        const records: SourceRecord[] = [];
        let cursor: ChangeCursor | null = null;
        for (let i = 0; i < 200; i++) {
          const page = await src.listChanged(cursor, limit);
          records.push(...page.records);
          cursor = page.next ?? cursor;
          if (!page.more) break;
        }
        return { records, requests: seen.length };
      }

      const expected = [...rows].sort((a, b) => a.ms - b.ms || a.id - b.id).map((r) => String(r.id));

      it.each([1, 2, 3, 7, 10, 24, 25, 26, 100])('with pages of %i, every record comes once, in (time, id) order', async (limit) => {
        const { records } = await drain(limit);
        expect(records.map((r) => r.externalId)).toEqual(expected);
      });

      it('pageSize caps the limit a caller asks for', async () => {
        const { records, requests } = await drain(1000, 10);
        expect(records.map((r) => r.externalId)).toEqual(expected);
        expect(requests).toBeGreaterThan(4);
      });
    });
  });

  describe('contacts and deals carry their associations', () => {
    const contact = (id: string, ms: number) => ({ id, properties: { hs_object_id: id, firstname: 'Anna', lastname: 'Schmidt', email: 'anna@acme.example', lastmodifieddate: iso(ms) }, updatedAt: iso(ms) });

    it('contacts: listed by lastmodifieddate; company_id is the primary company from one batch read of associations', async () => {
      const seen = hubspotApi({
        'POST /crm/objects/2026-09/contacts/search': { total: 2, results: [contact('1001', T0), contact('1002', T0 + 1)] },
        'POST /crm/associations/2026-09/contacts/companies/batch/read': {
          status: 'COMPLETE',
          results: [
            {
              from: { id: '1001' },
              to: [
                { toObjectId: 2001, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] },
                { toObjectId: 2002, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] },
              ],
            },
          ],
        },
      });
      const page = await source(connect(), 'contact').listChanged(null, 10);
      expect((seen[0]?.body as { sorts: unknown } | undefined)?.sorts).toEqual([{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }]);
      expect(seen[1]).toMatchObject({ path: '/crm/associations/2026-09/contacts/companies/batch/read', body: { inputs: [{ id: '1001' }, { id: '1002' }] } });
      expect(page.records.map((r) => [r.externalId, r.data.company_id])).toEqual([
        ['1001', '2002'],
        ['1002', null],
      ]);
    });

    it('follows paging.next.after of one record until all its associations are read', async () => {
      let call = 0;
      const seen = hubspotApi({
        'POST /crm/objects/2026-09/contacts/search': { total: 1, results: [contact('1001', T0)] },
        'POST /crm/associations/2026-09/contacts/companies/batch/read': () =>
          ++call === 1
            ? { results: [{ from: { id: '1001' }, to: [{ toObjectId: 2001, associationTypes: [{ typeId: 279 }] }], paging: { next: { after: 'MjAwMQ' } } }] }
            : { results: [{ from: { id: '1001' }, to: [{ toObjectId: 2002, associationTypes: [{ typeId: 1, label: 'Primary' }] }] }] },
      });
      const page = await source(connect(), 'contact').listChanged(null, 10);
      expect(seen[2]?.body).toEqual({ inputs: [{ id: '1001', after: 'MjAwMQ' }] });
      expect(page.records[0]?.data.company_id).toBe('2002');
    });

    function dealApi(deals: { id: string; stage: string; written?: string }[]) {
      return hubspotApi({
        'POST /crm/objects/2026-09/deals/search': {
          total: deals.length,
          results: deals.map((d, i) => ({ id: d.id, properties: { hs_object_id: d.id, dealname: `Deal ${d.id}`, dealstage: d.stage, deal_currency_code: 'EUR', qiao_order_status: d.written ?? null, hs_lastmodifieddate: iso(T0 + i) } })),
        },
        'POST /crm/associations/2026-09/deals/companies/batch/read': { status: 'COMPLETE', results: [{ from: { id: '3001' }, to: [{ toObjectId: 2001, associationTypes: [{ typeId: 5, label: 'Primary' }, { typeId: 341 }] }] }] },
        'POST /crm/associations/2026-09/deals/line_items/batch/read': {
          results: [
            {
              from: { id: '3001' },
              to: [
                { toObjectId: 5002, associationTypes: [{ typeId: 19 }] },
                { toObjectId: 5001, associationTypes: [{ typeId: 19 }] },
              ],
            },
          ],
          errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'No line_item is associated with deal 3002.', context: { fromObjectId: ['3002'] } }],
        },
        'POST /crm/objects/2026-09/line_items/batch/read': {
          status: 'COMPLETE',
          results: [
            { id: '5001', properties: { hs_object_id: '5001', hs_sku: 'NUT-M8', name: 'Nut M8', quantity: '100', price: '0.35', discount: null, hs_discount_percentage: '10', hs_position_on_quote: '1' } },
            { id: '5002', properties: { hs_object_id: '5002', hs_sku: 'BOLT-M8', name: 'Bolt M8', quantity: '500', price: '1.2', discount: null, hs_discount_percentage: null, hs_position_on_quote: '0' } },
          ],
        },
      });
    }

    it('deals: the primary company, the line items in quote order from one batch read, and the status from the stage', async () => {
      const seen = dealApi([
        { id: '3001', stage: 'closedwon' },
        { id: '3002', stage: 'appointmentscheduled' },
      ]);
      const page = await source(connect(), 'order').listChanged(null, 10);
      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
        'POST /crm/objects/2026-09/deals/search',
        'POST /crm/associations/2026-09/deals/companies/batch/read',
        'POST /crm/associations/2026-09/deals/line_items/batch/read',
        'POST /crm/objects/2026-09/line_items/batch/read',
      ]);
      expect(seen[3]?.body).toEqual({ inputs: [{ id: '5002' }, { id: '5001' }], properties: ['name', 'hs_sku', 'quantity', 'price', 'discount', 'hs_discount_percentage', 'hs_position_on_quote', 'hs_product_id'] });
      expect(page.records[0]?.data).toMatchObject({
        dealname: 'Deal 3001',
        company_id: '2001',
        qiao_status_in: 'confirmed',
        line_items: [
          { id: '5002', hs_sku: 'BOLT-M8', name: 'Bolt M8', quantity: '500', price: '1.2', discount: null, hs_discount_percentage: null },
          { id: '5001', hs_sku: 'NUT-M8', name: 'Nut M8', quantity: '100', price: '0.35', discount: null, hs_discount_percentage: '10' },
        ],
      });
      expect(page.records[1]?.data).toMatchObject({ company_id: null, line_items: [], qiao_status_in: 'draft' });
    });

    it('a won deal keeps the further status Qiao wrote; a lost one is cancelled; won and lost stages are configurable', async () => {
      dealApi([
        { id: '3001', stage: 'closedwon', written: 'shipped' },
        { id: '3002', stage: 'closedlost', written: 'confirmed' },
        { id: '3003', stage: 'signed' },
        { id: '3004', stage: 'closedwon', written: 'draft' },
      ]);
      const page = await source(connect({ wonStages: ['closedwon', 'signed'] }), 'order').listChanged(null, 10);
      expect(page.records.map((r) => r.data.qiao_status_in)).toEqual(['shipped', 'cancelled', 'confirmed', 'confirmed']);
    });
  });

  describe('get', () => {
    it('reads one record with the properties it lists, not archived', async () => {
      const seen = hubspotApi({ 'GET /crm/objects/2026-09/products/4001': { id: '4001', properties: { hs_object_id: '4001', name: 'Bolt', hs_sku: 'BOLT-M8', hs_lastmodifieddate: iso(T0) }, archived: false } });
      const record = await source(connect(), 'product').get('4001');
      expect(seen[0]?.query.archived).toBe('false');
      expect(seen[0]?.query.properties?.split(',')).toEqual(expect.arrayContaining(['name', 'hs_sku', 'price', 'qiao_stock_on_hand', 'qiao_stock_as_of', 'qiao_id', 'hs_lastmodifieddate']));
      expect(record).toEqual({ externalId: '4001', sourceTime: iso(T0), data: { id: '4001', hs_object_id: '4001', name: 'Bolt', hs_sku: 'BOLT-M8', hs_lastmodifieddate: iso(T0) } });
    });

    it('a record in the recycle bin is reported deleted; an unknown one is undefined; a non-HubSpot id asks nothing', async () => {
      const seen = hubspotApi({
        'GET /crm/objects/2026-09/companies/2001': (s: Seen) =>
          s.query.archived === 'true' ? { id: '2001', properties: { hs_object_id: '2001', name: 'Old', hs_lastmodifieddate: iso(T0) }, archived: true } : hubspotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.'),
        'GET /crm/objects/2026-09/companies/2002': () => hubspotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.'),
      });
      expect(await source(connect(), 'customer').get('2001')).toMatchObject({ externalId: '2001', deleted: true, data: { name: 'Old' } });
      expect(await source(connect(), 'customer').get('2002')).toBeUndefined();
      expect(seen).toHaveLength(4);
      expect(await source(connect(), 'customer').get('cus_1')).toBeUndefined();
      expect(seen).toHaveLength(4);
    });
  });

  describe('writes', () => {
    const create = (canonicalId: string, data: Record<string, unknown>): SinkWrite => ({ idempotencyKey: `k-${canonicalId}`, canonicalId, data, identity: { field: 'qiao_id', value: canonicalId } });
    const update = (externalId: string, data: Record<string, unknown>): SinkWrite => ({ idempotencyKey: `u-${externalId}`, canonicalId: `cus_${externalId}`, externalId, data });
    const upserted = (id: string, trace: string, key: string) => ({ id, properties: { hs_object_id: id, qiao_id: key }, objectWriteTraceId: trace, new: true });

    it('creates are one batch upsert by qiao_id, updates one batch update by id; null clears a property; one result per write, in order', async () => {
      const seen = hubspotApi({
        'POST /crm/objects/2026-09/companies/batch/upsert': { status: 'COMPLETE', results: [upserted('2011', '2', 'cus_b'), upserted('2010', '0', 'cus_a')] },
        'POST /crm/objects/2026-09/companies/batch/update': { status: 'COMPLETE', results: [{ id: '2001', properties: { hs_object_id: '2001' }, objectWriteTraceId: '1' }] },
      });
      const results = await sink(connect(), 'customer').upsert([
        create('cus_a', { name: 'Acme', qiao_id: 'cus_a', phone: '+49301234567' }),
        update('2001', { city: 'Paris', phone: null, undefinedStays: undefined }),
        create('cus_b', { name: 'Globex' }),
      ]);
      expect(seen.map((s) => [s.method, s.path, s.body])).toEqual([
        [
          'POST',
          '/crm/objects/2026-09/companies/batch/upsert',
          {
            inputs: [
              { idProperty: 'qiao_id', id: 'cus_a', properties: { name: 'Acme', phone: '+49301234567' }, objectWriteTraceId: '0' },
              { idProperty: 'qiao_id', id: 'cus_b', properties: { name: 'Globex' }, objectWriteTraceId: '2' },
            ],
          },
        ],
        ['POST', '/crm/objects/2026-09/companies/batch/update', { inputs: [{ id: '2001', properties: { city: 'Paris', phone: '' }, objectWriteTraceId: '1' }] }],
      ]);
      expect(results).toEqual([
        { ok: true, externalId: '2010' },
        { ok: true, externalId: '2001' },
        { ok: true, externalId: '2011' },
      ]);
    });

    it('a 207 answer gives each refused record its own error (kind, HubSpot property) and the others succeed', async () => {
      hubspotApi({
        'POST /crm/objects/2026-09/products/batch/upsert': () =>
          HttpResponse.json(
            {
              status: 'COMPLETE',
              results: [upserted('4010', '1', 'prd_b')],
              numErrors: 2,
              errors: [
                {
                  status: 'error',
                  category: 'VALIDATION_ERROR',
                  message: 'Property values were not valid: [{"isValid":false,"message":"abc was not a valid number.","error":"INVALID_FLOAT","name":"price"}]',
                  context: { objectWriteTraceId: ['0'] },
                },
                { status: 'error', category: 'CONFLICT', message: 'A product with qiao_id already exists', context: { objectWriteTraceId: ['2'] } },
              ],
            },
            { status: 207 },
          ),
      });
      const [bad, good, dup] = await sink(connect(), 'product').upsert([create('prd_a', { name: 'A', price: 'abc' }), create('prd_b', { name: 'B' }), create('prd_c', { name: 'C' })]);
      expect(good).toEqual({ ok: true, externalId: '4010' });
      expect(bad?.ok).toBe(false);
      if (bad?.ok === false) {
        expect(bad.error).toMatchObject({ kind: 'invalid', field: 'price' });
        expect(bad.error.message).toContain('price: abc was not a valid number.');
      }
      expect(dup?.ok === false && dup.error.kind).toBe('conflict');
    });

    it('a whole batch refused (400) is written again one record at a time, so only the bad record fails', async () => {
      const seen = hubspotApi({
        'POST /crm/objects/2026-09/companies/batch/update': (s: Seen) => {
          const inputs = (s.body as { inputs: { id: string; objectWriteTraceId: string }[] }).inputs;
          if (inputs.some((i) => i.id === '2002')) return hubspotError(400, 'VALIDATION_ERROR', 'Property values were not valid: [{"isValid":false,"message":"Property \\"colour\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"colour"}]');
          return { status: 'COMPLETE', results: inputs.map((i) => ({ id: i.id, properties: {}, objectWriteTraceId: i.objectWriteTraceId })) };
        },
      });
      const results = await sink(connect(), 'customer').upsert([update('2001', { name: 'A' }), update('2002', { colour: 'red' }), update('2003', { name: 'C' })]);
      expect(seen.map((s) => (s.body as { inputs: { id: string }[] }).inputs.map((i) => i.id))).toEqual([['2001', '2002', '2003'], ['2001'], ['2002'], ['2003']]);
      expect(results[0]).toEqual({ ok: true, externalId: '2001' });
      expect(results[1]?.ok === false && results[1].error).toMatchObject({ kind: 'invalid', field: 'colour', status: 400 });
      expect(results[2]).toEqual({ ok: true, externalId: '2003' });
    });

    it('a failure of the connection (429, 5xx, auth) fails the whole batch: upserts by qiao_id are safe to retry', async () => {
      hubspotApi({ 'POST /crm/objects/2026-09/companies/batch/upsert': () => hubspotError(503, 'INTERNAL_ERROR', 'Service Unavailable') });
      expect(await failure(sink(connect(), 'customer').upsert([create('cus_a', { name: 'A' })]))).toMatchObject({ kind: 'retryable', status: 503 });
    });

    it('refuses more than 100 writes, an object as a property value, and a write to a non-HubSpot id, without calling HubSpot', async () => {
      const seen = hubspotApi({});
      const many = Array.from({ length: 101 }, (_, i) => create(`cus_${i}`, { name: String(i) }));
      expect(await failure(sink(connect(), 'customer').upsert(many))).toMatchObject({ kind: 'invalid' });
      const [nested, notAnId] = await sink(connect(), 'customer').upsert([create('cus_x', { name: 'X', address: { street: 'Main' } }), update('cus_y', { name: 'Y' })]);
      expect(nested?.ok === false && nested.error).toMatchObject({ kind: 'invalid', field: 'address' });
      expect(notAnId?.ok === false && notAnId.error.kind).toBe('not_found');
      expect(seen).toHaveLength(0);
    });

    it('orders: Qiao writes status and promised date to a linked deal, and refuses to create deals', async () => {
      const seen = hubspotApi({ 'POST /crm/objects/2026-09/deals/batch/update': { status: 'COMPLETE', results: [{ id: '3001', properties: {}, objectWriteTraceId: '0' }] } });
      const [written, refused] = await sink(connect(), 'order').upsert([
        { idempotencyKey: 'o1', canonicalId: 'ord_1', externalId: '3001', data: { qiao_order_status: 'in_production', qiao_promised_date: '2026-12-01' } },
        { idempotencyKey: 'o2', canonicalId: 'ord_2', data: { qiao_order_status: 'confirmed' } },
      ]);
      expect(seen[0]?.body).toEqual({ inputs: [{ id: '3001', properties: { qiao_order_status: 'in_production', qiao_promised_date: '2026-12-01' }, objectWriteTraceId: '0' }] });
      expect(written).toEqual({ ok: true, externalId: '3001' });
      expect(refused?.ok === false && refused.error.kind).toBe('invalid');
      expect(seen).toHaveLength(1);
    });

    it('contacts: company_id is no property; after the write the company becomes the primary company (association type 1)', async () => {
      const seen = hubspotApi({
        'POST /crm/objects/2026-09/contacts/batch/upsert': { status: 'COMPLETE', results: [upserted('1010', '0', 'con_a'), upserted('1011', '1', 'con_b')] },
        'POST /crm/associations/2026-09/contacts/companies/batch/create': (s: Seen) => {
          const inputs = (s.body as { inputs: { to: { id: string } }[] }).inputs;
          if (inputs.some((i) => i.to.id === '2999')) return hubspotError(400, 'VALIDATION_ERROR', 'company 2999 does not exist');
          return { status: 'COMPLETE', results: [] };
        },
      });
      const results = await sink(connect(), 'contact').upsert([create('con_a', { firstname: 'Anna', company_id: '2001' }), create('con_b', { firstname: 'Bob', company_id: '2999' })]);
      expect((seen[0]?.body as { inputs: { properties: Record<string, unknown> }[] } | undefined)?.inputs.map((i) => i.properties)).toEqual([{ firstname: 'Anna' }, { firstname: 'Bob' }]);
      expect(seen[1]).toMatchObject({
        path: '/crm/associations/2026-09/contacts/companies/batch/create',
        body: {
          inputs: [
            { from: { id: '1010' }, to: { id: '2001' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] },
            { from: { id: '1011' }, to: { id: '2999' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] },
          ],
        },
      });
      expect(results[0]).toEqual({ ok: true, externalId: '1010' });
      expect(results[1]?.ok === false && results[1].error).toMatchObject({ kind: 'invalid', field: 'company_id' });
    });

    it('findByIdentity searches the property; two records with one value are a conflict', async () => {
      const seen = hubspotApi({ 'POST /crm/objects/2026-09/companies/search': (s: Seen) => ((s.body as { filterGroups: { filters: { value: string }[] }[] }).filterGroups[0]?.filters[0]?.value === 'cus_a' ? { total: 1, results: [company('2010', T0)] } : { total: 2, results: [company('2010', T0), company('2011', T0)] }) });
      expect(await sink(connect(), 'customer').findByIdentity('qiao_id', 'cus_a')).toBe('2010');
      expect(seen[0]?.body).toEqual({ filterGroups: [{ filters: [{ propertyName: 'qiao_id', operator: 'EQ', value: 'cus_a' }] }], properties: ['qiao_id'], limit: 2 });
      expect(await failure(sink(connect(), 'customer').findByIdentity('qiao_id', 'cus_dup'))).toMatchObject({ kind: 'conflict', field: 'qiao_id' });
    });

    it('delete archives the record (DELETE, HubSpot answers 204)', async () => {
      const seen = hubspotApi({ 'DELETE /crm/objects/2026-09/contacts/1001': () => new HttpResponse(null, { status: 204 }) });
      await sink(connect(), 'contact').delete?.('1001');
      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['DELETE /crm/objects/2026-09/contacts/1001']);
    });
  });

  describe('error kinds', () => {
    const list = (c = connect()) => source(c, 'customer').listChanged(null, 10);

    it.each([
      [401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.', 'auth'],
      [403, 'MISSING_SCOPES', 'This app hasn\'t been granted all required scopes to make this call.', 'auth'],
      [404, 'OBJECT_NOT_FOUND', 'resource not found', 'not_found'],
      [409, 'CONFLICT', 'Contact already exists. Existing ID: 1001', 'conflict'],
      [400, 'VALIDATION_ERROR', 'There was a problem with the request.', 'invalid'],
      [422, 'VALIDATION_ERROR', 'Unprocessable', 'invalid'],
      [500, 'INTERNAL_ERROR', 'internal error', 'retryable'],
      [502, 'INTERNAL_ERROR', 'Bad Gateway', 'retryable'],
      [503, 'INTERNAL_ERROR', 'Service Unavailable', 'retryable'],
    ])('HTTP %i (%s: %s) is %s, naming what HubSpot said and its correlation id', async (status, category, message, kind) => {
      hubspotApi({ 'POST /crm/objects/2026-09/companies/search': () => hubspotError(status, category, message) });
      const err = await failure(list());
      expect(err).toMatchObject({ kind, status });
      expect(err.message).toContain(message);
      expect(err.message).toContain(category);
      expect(err.message).toContain('c0ffee00-1234-4321-abcd-0123456789ab');
    });

    it('a validation error names the property HubSpot refused', async () => {
      hubspotApi({ 'POST /crm/objects/2026-09/companies/search': () => hubspotError(400, 'VALIDATION_ERROR', 'Property values were not valid: [{"isValid":false,"message":"Email address x@ is invalid","error":"INVALID_EMAIL","name":"email"}]') });
      const err = await failure(list());
      expect(err).toMatchObject({ kind: 'invalid', field: 'email' });
      expect(err.message).toContain('email: Email address x@ is invalid');
    });

    it.each([
      ['Retry-After when HubSpot sends one', { 'retry-after': '3', 'x-hubspot-ratelimit-interval-milliseconds': '10000' }, 'TEN_SECONDLY_ROLLING', 3_000],
      ['the rolling window otherwise', { 'x-hubspot-ratelimit-interval-milliseconds': '10000', 'x-hubspot-ratelimit-max': '190', 'x-hubspot-ratelimit-remaining': '0' }, 'TEN_SECONDLY_ROLLING', 10_000],
      ['one second for the per-second (search) limit', {}, 'SECONDLY', 1_000],
      ['an hour when the daily limit is spent', { 'x-hubspot-ratelimit-daily-remaining': '0' }, 'DAILY', 3_600_000],
    ])('429 is rate_limited and waits %s', async (_what, headers, policyName, delay) => {
      hubspotApi({ 'POST /crm/objects/2026-09/companies/search': () => hubspotError(429, 'RATE_LIMITS', 'You have reached your limit.', headers, { errorType: 'RATE_LIMIT', policyName }) });
      const err = await failure(list());
      expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: delay });
    });

    it('a network failure is retryable and the token never shows', async () => {
      server.use(http.all(`${BASE}/*`, () => HttpResponse.error()));
      const err = await failure(list());
      expect(err.kind).toBe('retryable');
      expect(err.message).not.toContain(TOKEN);
    });
  });
});

describe('HubSpot webhooks', () => {
  const URL_OF_QIAO = 'https://qiao.example/webhooks/hubspot?portal=62515%3A001';
  const NOW = new Date('2026-03-01T10:00:00.000Z');
  const receiver = (secrets = [SECRET, OLD_SECRET]) => connect({ webhookClientSecrets: secrets }).webhooks as NonNullable<Connector['webhooks']>;

  /** The v3 signature as HubSpot's documentation defines it, computed here independently. */
  function sign(secret: string, uri: string, body: string, timestamp: string): string {
    const decoded = uri.replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%3F/gi, '?').replace(/%40/gi, '@').replace(/%21/gi, '!').replace(/%24/gi, '$').replace(/%27/gi, "'").replace(/%28/gi, '(').replace(/%29/gi, ')').replace(/%2A/gi, '*').replace(/%2C/gi, ',').replace(/%3B/gi, ';');
    return createHmac('sha256', secret).update(`POST${decoded}${body}${timestamp}`).digest('base64');
  }

  const body = JSON.stringify([{ eventId: 100, subscriptionId: 2001, portalId: 62515, occurredAt: NOW.getTime() - 1000, subscriptionType: 'deal.propertyChange', attemptNumber: 0, objectId: 3001, propertyName: 'dealstage', propertyValue: 'closedwon', changeSource: 'CRM' }]);
  const request = (overrides: { secret?: string; timestamp?: number; body?: string; signedBody?: string; url?: string; signedUrl?: string } = {}) => {
    const timestamp = String(overrides.timestamp ?? NOW.getTime() - 2000);
    return {
      rawBody: overrides.body ?? body,
      url: overrides.url ?? URL_OF_QIAO,
      headers: { 'X-HubSpot-Signature-v3': sign(overrides.secret ?? SECRET, overrides.signedUrl ?? URL_OF_QIAO, overrides.signedBody ?? body, timestamp), 'X-HubSpot-Request-Timestamp': timestamp, 'content-type': 'application/json' },
    };
  };

  it('accepts a valid v3 signature over method, decoded URI, raw body and timestamp', () => {
    expect(() => receiver().verify(request(), NOW)).not.toThrow();
  });

  it('accepts a request signed with the old secret while it is rotated out', () => {
    expect(() => receiver().verify(request({ secret: OLD_SECRET }), NOW)).not.toThrow();
    expect(() => receiver([SECRET]).verify(request({ secret: OLD_SECRET }), NOW)).toThrow(ConnectorError);
  });

  it.each([
    ['a tampered body', { signedBody: '[]' }],
    ['another URL than Qiao\'s public one', { signedUrl: 'https://evil.example/webhooks/hubspot' }],
    ['an unknown secret', { secret: 'ffffffff-ffff-ffff-ffff-ffffffffffff' }],
    ['a timestamp older than 5 minutes', { timestamp: NOW.getTime() - 301_000 }],
    ['a timestamp more than 5 minutes ahead', { timestamp: NOW.getTime() + 301_000 }],
  ])('refuses %s as an auth error that does not show the secret', (_what, overrides) => {
    let err: unknown;
    try {
      receiver().verify(request(overrides), NOW);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).kind).toBe('auth');
    expect((err as ConnectorError).message).not.toContain(SECRET);
  });

  it('refuses a request without the signature headers, or with a timestamp that is no number', () => {
    const { headers, ...rest } = request();
    expect(() => receiver().verify({ ...rest, headers: {} }, NOW)).toThrow(/x-hubspot-request-timestamp/);
    expect(() => receiver().verify({ ...rest, headers: { ...headers, 'X-HubSpot-Request-Timestamp': 'yesterday' } }, NOW)).toThrow(ConnectorError);
  });

  it('parses events into changes of the right entity, keyed by event id, timed by occurredAt; deletions are deleted', () => {
    const events = receiver().parse(
      JSON.stringify([
        { eventId: 1, subscriptionType: 'company.propertyChange', objectId: 2001, occurredAt: 1772359200123, propertyName: 'name', propertyValue: 'Acme' },
        { eventId: 2, subscriptionType: 'contact.creation', objectId: 1001, occurredAt: 1772359200000 },
        { eventId: 3, subscriptionType: 'deal.propertyChange', objectId: 3001, occurredAt: 1772359200000 },
        { eventId: 4, subscriptionType: 'product.deletion', objectId: 4001, occurredAt: 1772359200000 },
        { eventId: 5, subscriptionType: 'contact.privacyDeletion', objectId: 1002, occurredAt: 1772359200000 },
        { eventId: 6, subscriptionType: 'ticket.creation', objectId: 7001, occurredAt: 1772359200000 },
        { eventId: 7, subscriptionType: 'line_item.propertyChange', objectId: 5001, occurredAt: 1772359200000 },
        { eventId: 8, subscriptionType: 'contact.associationChange', fromObjectId: 1001, toObjectId: 2001, associationType: 'CONTACT_TO_COMPANY', occurredAt: 1772359200000 },
        { eventId: 9, subscriptionType: 'object.propertyChange', objectTypeId: '0-3', objectId: 3002, occurredAt: 1772359200000 },
        { eventId: 10, subscriptionType: 'company.merge', objectId: 2001, primaryObjectId: 2001, mergedObjectIds: [2001, 2005], occurredAt: 1772359200000 },
        { eventId: 11, subscriptionType: 'deal.someFutureThing', objectId: 3003, occurredAt: 1772359200000 },
      ]),
    );
    expect(events).toEqual([
      { entity: 'customer', eventKey: 'hubspot:1', externalId: '2001', sourceTime: '2026-03-01T10:00:00.123Z' },
      { entity: 'contact', eventKey: 'hubspot:2', externalId: '1001', sourceTime: '2026-03-01T10:00:00.000Z' },
      { entity: 'order', eventKey: 'hubspot:3', externalId: '3001', sourceTime: '2026-03-01T10:00:00.000Z' },
      { entity: 'product', eventKey: 'hubspot:4', externalId: '4001', sourceTime: '2026-03-01T10:00:00.000Z', deleted: true },
      { entity: 'contact', eventKey: 'hubspot:5', externalId: '1002', sourceTime: '2026-03-01T10:00:00.000Z', deleted: true },
      { entity: 'contact', eventKey: 'hubspot:8', externalId: '1001', sourceTime: '2026-03-01T10:00:00.000Z' },
      { entity: 'order', eventKey: 'hubspot:9', externalId: '3002', sourceTime: '2026-03-01T10:00:00.000Z' },
      { entity: 'customer', eventKey: 'hubspot:10', externalId: '2001', sourceTime: '2026-03-01T10:00:00.000Z' },
      { entity: 'customer', eventKey: 'hubspot:10:merged:2005', externalId: '2005', sourceTime: '2026-03-01T10:00:00.000Z', deleted: true },
    ]);
    expect(events.some((e) => 'data' in e)).toBe(false);
  });

  it('a body that is not a JSON array, or an event without its id or time, is an invalid error naming the field', () => {
    expect(() => receiver().parse('{')).toThrow(/not JSON/);
    expect(() => receiver().parse('{"events":[]}')).toThrow(/array/);
    let err: unknown;
    try {
      receiver().parse(JSON.stringify([{ eventId: 1, subscriptionType: 'deal.creation', objectId: 3001 }]));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ kind: 'invalid', field: 'occurredAt' });
    expect(() => receiver().parse(JSON.stringify([{ eventId: 1, subscriptionType: 'deal.creation', objectId: 'abc', occurredAt: 1 }]))).toThrow(/\[0\]\.objectId/);
  });
});
