// The Salesforce connector against msw fixtures: the client credentials flow (exact form, token reuse,
// refresh before expiry and once on INVALID_SESSION_ID, a refused grant is `auth` without a loop), exact
// SOQL with the (SystemModstamp, Id) cursor and nextRecordsUrl paging, order lines, upserts by external
// id one by one and with sObject Collections, error kinds from Salesforce's errorCodes, the CDC relay's
// signatures and echo filter, SSRF and secret hygiene.
import fs from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Connector, SinkWrite, WebhookReceiver, WebhookRequest } from '../../connectors/contract';
import { ConnectorError } from '../../connectors/errors';
import { SalesforceConfig, salesforce } from '../../connectors/salesforce/index';
import { soqlString } from '../../connectors/salesforce/soql';
import { signSalesforceRelay } from '../../connectors/salesforce/webhooks';
import { failure } from '../support/connector-errors';
import { configTable } from './config-table';

const LOGIN = 'https://acme.my.salesforce.com';
// The token answer names the instance the API calls go to.
const INSTANCE = 'https://acme-api.my.salesforce.com';
const API = `${INSTANCE}/services/data/v67.0`;
const CLIENT_ID = '3MVG9qiaoTestConsumerKey';
const SECRET = 'sf-consumer-secret-5b8e1f0c9a7d';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

/** Field names of an object as describe answers them; SystemModstamp is a datetime. */
const DESCRIBE: Record<string, string[]> = {
  Account: ['Id', 'IsDeleted', 'SystemModstamp', 'Name', 'AccountNumber', 'Phone', 'BillingStreet', 'BillingCity', 'BillingPostalCode', 'BillingState', 'BillingCountry', 'BillingCountryCode', 'Qiao_Id__c'],
  Contact: ['Id', 'IsDeleted', 'SystemModstamp', 'AccountId', 'FirstName', 'LastName', 'Name', 'Title', 'Email', 'Phone', 'MobilePhone', 'Qiao_Id__c'],
  Product2: ['Id', 'IsDeleted', 'SystemModstamp', 'Name', 'ProductCode', 'Description', 'IsActive', 'Family', 'QuantityUnitOfMeasure', 'Qiao_Stock_On_Hand__c', 'Qiao_Stock_Available__c', 'Qiao_Stock_Incoming__c', 'Qiao_Stock_As_Of__c', 'Qiao_Id__c'],
  Order: ['Id', 'IsDeleted', 'SystemModstamp', 'AccountId', 'OrderNumber', 'Status', 'EffectiveDate', 'Description', 'TotalAmount', 'Qiao_Status__c', 'Qiao_Promised_Date__c', 'Qiao_Id__c'],
  OrderItem: ['Id', 'IsDeleted', 'SystemModstamp', 'OrderId', 'Product2Id', 'Quantity', 'UnitPrice', 'Description'],
  Opportunity: ['Id', 'IsDeleted', 'SystemModstamp', 'AccountId', 'Name', 'StageName', 'IsWon', 'IsClosed', 'CloseDate', 'Description', 'CurrencyIsoCode', 'Amount', 'Qiao_Status__c', 'Qiao_Promised_Date__c', 'Qiao_Id__c'],
  OpportunityLineItem: ['Id', 'IsDeleted', 'SystemModstamp', 'OpportunityId', 'Product2Id', 'ProductCode', 'Quantity', 'UnitPrice', 'Discount', 'Description'],
};

type Route = (req: Seen) => Response | undefined;

/**
 * A Salesforce org: the token endpoint (token n is `tok-<n>`), describe from DESCRIBE (or `describe`),
 * and `route` for everything else. Every request is kept.
 */
function org(route: Route = () => undefined, options: { token?: (form: URLSearchParams, n: number) => Response; describe?: Record<string, string[]> } = {}): { api: Seen[]; tokens: Seen[] } {
  const api: Seen[] = [];
  const tokens: Seen[] = [];
  server.use(
    http.post(`${LOGIN}/services/oauth2/token`, async ({ request }) => {
      const text = await request.text();
      tokens.push({ method: 'POST', url: new URL(request.url), headers: request.headers, body: text });
      const form = new URLSearchParams(text);
      if (options.token) return options.token(form, tokens.length);
      return HttpResponse.json({
        access_token: `tok-${tokens.length}`,
        instance_url: INSTANCE,
        id: `${LOGIN}/id/00D000000000001EAA/005000000000001AAA`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
        signature: 'c2lnbmF0dXJl',
      });
    }),
    http.all(`${INSTANCE}/services/data/*`, async ({ request }) => {
      const text = await request.text();
      const seen: Seen = { method: request.method, url: new URL(request.url), headers: request.headers, body: text ? JSON.parse(text) : undefined };
      api.push(seen);
      const describeMatch = /\/sobjects\/(\w+)\/describe$/.exec(seen.url.pathname);
      const fields = describeMatch ? (options.describe ?? DESCRIBE)[describeMatch[1] as string] : undefined;
      if (describeMatch && fields) {
        return HttpResponse.json({ name: describeMatch[1], fields: fields.map((name) => ({ name, type: /Modstamp|Date$|As_Of__c$/.test(name) ? (name.endsWith('Date') && name !== 'LastModifiedDate' ? 'date' : 'datetime') : 'string', createable: true, updateable: true, externalId: name === 'Qiao_Id__c' })) });
      }
      return route(seen) ?? HttpResponse.json([{ errorCode: 'NOT_FOUND', message: `no fixture for ${request.method} ${seen.url.pathname}` }], { status: 404 });
    }),
  );
  return { api, tokens };
}

/** A query answer: `records` with attributes, done unless a next URL is given. */
function page(type: string, records: Record<string, unknown>[], next?: string): Response {
  return HttpResponse.json({
    totalSize: records.length,
    done: next === undefined,
    ...(next ? { nextRecordsUrl: next } : {}),
    records: records.map((r) => ({ attributes: { type, url: `/services/data/v67.0/sobjects/${type}/${String(r.Id)}` }, ...r })),
  });
}

function sfError(status: number, errorCode: string, message: string, fields?: string[], headers: Record<string, string> = {}): Response {
  return HttpResponse.json([{ message, errorCode, ...(fields ? { fields } : {}) }], { status, headers });
}

const isQuery = (req: Seen, kind: 'query' | 'queryAll' = 'query') => req.method === 'GET' && req.url.pathname === `/services/data/v67.0/${kind}`;
const soql = (req: Seen) => req.url.searchParams.get('q');

function connect(overrides: Partial<SalesforceConfig> = {}): Connector {
  return salesforce.create(SalesforceConfig.parse({ loginUrl: LOGIN, clientId: CLIENT_ID, clientSecret: SECRET, ...overrides }));
}

const ACME = '001J000001aBcDeIAK';
const GLOBEX = '001J000001aBcDfIAK';
const ACCOUNT_SELECT =
  'SELECT Id, IsDeleted, SystemModstamp, Name, AccountNumber, Phone, BillingStreet, BillingCity, BillingPostalCode, BillingState, BillingCountry, BillingCountryCode, Qiao_Id__c FROM Account';

describe('Salesforce connector: definition and config', () => {
  it('declares itself as salesforce 0.1.0 with four entities that batch 200 writes, and no webhooks without secrets', () => {
    const connector = connect();
    expect(salesforce).toMatchObject({ name: 'salesforce', version: '0.1.0' });
    expect(Object.keys(connector.entities).sort()).toEqual(['contact', 'customer', 'order', 'product']);
    for (const entity of Object.values(connector.entities)) expect(entity.sink?.maxBatch).toBe(200);
    expect(connector.entities.product?.sink?.delete).toBeDefined();
    expect(connector.entities.customer?.sink?.delete).toBeUndefined();
    expect(connector.webhooks).toBeUndefined();
  });

  it('the README documents every setting as the schema declares it', () => {
    const readme = fs.readFileSync(new URL('../../connectors/salesforce/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configTable(SalesforceConfig));
  });

  it('fills defaults and refuses bad settings naming the field', () => {
    const config = SalesforceConfig.parse({ loginUrl: LOGIN, clientId: CLIENT_ID, clientSecret: SECRET });
    expect(config).toMatchObject({ apiVersion: 'v67.0', externalIdField: 'Qiao_Id__c', orderModel: 'order', sessionSeconds: 7200, refreshMarginSeconds: 300, pageSize: 200 });
    const bad = (input: Record<string, unknown>) => SalesforceConfig.safeParse({ loginUrl: LOGIN, clientId: CLIENT_ID, clientSecret: SECRET, ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(bad({ apiVersion: 'v45.0' })).toEqual(['apiVersion: must be v46.0 or later (sObject Collections upsert)']);
    expect(bad({ apiVersion: '62' })?.[0]).toMatch(/^apiVersion: must look like v67.0/);
    expect(bad({ externalIdField: 'QiaoId' })?.[0]).toMatch(/^externalIdField: must be the API name of a custom field/);
    expect(bad({ sessionSeconds: 600, refreshMarginSeconds: 600 })).toEqual(['refreshMarginSeconds: must be shorter than sessionSeconds']);
    expect(bad({ orderModel: 'quote' })?.[0]).toMatch(/^orderModel:/);
    expect(bad({ clientSecret: undefined })?.[0]).toMatch(/^clientSecret:/);
    expect(bad({ extra: true })?.[0]).toMatch(/extra|Unrecognized/);
  });

  it('refuses a private login URL unless private networks are allowed', () => {
    expect(() => connect({ loginUrl: 'http://127.0.0.1:8443' })).toThrow(ConnectorError);
    expect(() => connect({ loginUrl: 'http://127.0.0.1:8443', allowPrivateNetwork: true })).not.toThrow();
  });
});

describe('Salesforce connector: OAuth 2.0 client credentials', () => {
  it('asks a token with the exact form, then calls the instance with the bearer token and Sforce-Call-Options', async () => {
    const { api, tokens } = org((req) => (req.url.pathname === '/services/data/v67.0/' ? HttpResponse.json({ sobjects: '/services/data/v67.0/sobjects' }) : undefined));
    await connect().check();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.url.href).toBe(`${LOGIN}/services/oauth2/token`);
    expect(tokens[0]?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokens[0]?.body as string))).toEqual({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET });
    expect(api.map((r) => `${r.method} ${r.url.href}`)).toEqual([`GET ${API}/`]);
    expect(api[0]?.headers.get('authorization')).toBe('Bearer tok-1');
    expect(api[0]?.headers.get('sforce-call-options')).toBe('client=qiao');
  });

  it('keeps one token for many calls, and asks one for concurrent first calls', async () => {
    const { tokens, api } = org((req) => (isQuery(req) ? page('Account', []) : undefined));
    const sink = connect().entities.customer?.sink;
    await Promise.all([sink?.findByIdentity('Qiao_Id__c', 'cus_1'), sink?.findByIdentity('Qiao_Id__c', 'cus_2')]);
    await sink?.findByIdentity('Qiao_Id__c', 'cus_3');
    expect(tokens).toHaveLength(1);
    expect(api.filter((r) => isQuery(r)).map((r) => r.headers.get('authorization'))).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1']);
  });

  it('asks a new token before the current one expires: issued_at + sessionSeconds - refreshMarginSeconds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const { tokens, api } = org((req) => (isQuery(req) ? page('Account', []) : undefined));
    const sink = connect({ sessionSeconds: 3600, refreshMarginSeconds: 300 }).entities.customer?.sink;
    await sink?.findByIdentity('Qiao_Id__c', 'cus_1');
    vi.setSystemTime(new Date('2026-03-01T10:54:59Z'));
    await sink?.findByIdentity('Qiao_Id__c', 'cus_1');
    expect(tokens).toHaveLength(1);
    vi.setSystemTime(new Date('2026-03-01T10:55:00Z'));
    await sink?.findByIdentity('Qiao_Id__c', 'cus_1');
    expect(tokens).toHaveLength(2);
    expect(api.filter((r) => isQuery(r)).map((r) => r.headers.get('authorization'))).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('a token answer with expires_in is trusted over sessionSeconds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const { tokens } = org((req) => (isQuery(req) ? page('Account', []) : undefined), {
      token: (_form, n) => HttpResponse.json({ access_token: `tok-${n}`, instance_url: INSTANCE, token_type: 'Bearer', issued_at: String(Date.now()), expires_in: 900 }),
    });
    const sink = connect().entities.customer?.sink;
    await sink?.findByIdentity('Qiao_Id__c', 'cus_1');
    vi.setSystemTime(new Date('2026-03-01T10:10:01Z'));
    await sink?.findByIdentity('Qiao_Id__c', 'cus_1');
    expect(tokens).toHaveLength(2);
  });

  it('on INVALID_SESSION_ID asks one new token and repeats the call once', async () => {
    const { tokens, api } = org((req) => {
      if (!isQuery(req)) return undefined;
      return req.headers.get('authorization') === 'Bearer tok-1' ? sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid') : page('Account', [{ Id: ACME }]);
    });
    expect(await connect().entities.customer?.sink?.findByIdentity('Qiao_Id__c', 'cus_1')).toBe(ACME);
    expect(tokens).toHaveLength(2);
    expect(api.map((r) => r.headers.get('authorization'))).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('a session refused with a new token too is `auth`, after exactly two tries', async () => {
    const { tokens, api } = org((req) => (isQuery(req) ? sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid') : undefined));
    const err = await failure(connect().entities.customer?.sink?.findByIdentity('Qiao_Id__c', 'cus_1') as Promise<unknown>);
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('INVALID_SESSION_ID');
    expect(err.message).toContain('also with a new access token');
    expect(tokens).toHaveLength(2);
    expect(api).toHaveLength(2);
  });

  it.each([
    ['a wrong secret', 'invalid_client', 'invalid client credentials'],
    ['an unknown app', 'invalid_client_id', 'client identifier invalid'],
    ['an app without a run-as user', 'invalid_grant', 'no client credentials user enabled'],
  ])('a refused token request (%s) is `auth`, asked once, with Salesforce reason and never the secret', async (_what, error, description) => {
    const { tokens, api } = org(undefined, { token: () => HttpResponse.json({ error, error_description: `${description} (${SECRET})` }, { status: 400 }) });
    const err = await failure(connect().check());
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(400);
    expect(err.message).toContain(`${error}: ${description}`);
    expect(err.message).not.toContain(SECRET);
    expect(tokens).toHaveLength(1);
    expect(api).toHaveLength(0);
  });

  it('a token endpoint failing with 5xx or a network error is retryable', async () => {
    org(undefined, { token: () => new HttpResponse('<html>Maintenance</html>', { status: 503, headers: { 'content-type': 'text/html' } }) });
    expect((await failure(connect().check())).kind).toBe('retryable');
    server.resetHandlers();
    server.use(http.post(`${LOGIN}/services/oauth2/token`, () => HttpResponse.error()));
    expect((await failure(connect().check())).kind).toBe('retryable');
  });

  it('refuses a private instance_url in the token answer unless private networks are allowed', async () => {
    org(undefined, { token: () => HttpResponse.json({ access_token: 'tok', instance_url: 'http://10.0.0.5', token_type: 'Bearer', issued_at: String(Date.now()) }) });
    const err = await failure(connect().check());
    expect(err.kind).toBe('invalid');
    expect(err.message).toContain('10.0.0.5');
  });
});

describe('Salesforce connector: change listing', () => {
  it('lists changed accounts with one exact queryAll, strictly after the (SystemModstamp, Id) cursor', async () => {
    const { api } = org((req) =>
      isQuery(req, 'queryAll')
        ? page('Account', [
            { Id: ACME, IsDeleted: false, SystemModstamp: '2026-03-01T09:30:00.000+0000', Name: 'Acme GmbH', BillingCountryCode: 'DE', Qiao_Id__c: null },
            { Id: GLOBEX, IsDeleted: true, SystemModstamp: '2026-03-01T10:30:05.000+0100', Name: 'Globex SA', BillingCountryCode: null, Qiao_Id__c: 'cus_2' },
          ])
        : undefined,
    );
    const result = await connect().entities.customer?.source?.listChanged({ sourceTime: '2026-03-01T09:00:00Z', externalId: '001J000001aAaAaIAK' }, 50);
    expect(api.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['GET /services/data/v67.0/sobjects/Account/describe', 'GET /services/data/v67.0/queryAll']);
    expect(soql(api[1] as Seen)).toBe(
      `${ACCOUNT_SELECT} WHERE SystemModstamp > 2026-03-01T09:00:00Z OR (SystemModstamp = 2026-03-01T09:00:00Z AND Id > '001J000001aAaAaIAK') ORDER BY SystemModstamp ASC, Id ASC LIMIT 51`,
    );
    expect(result).toEqual({
      records: [
        { externalId: ACME, sourceTime: '2026-03-01T09:30:00Z', data: { Id: ACME, IsDeleted: false, SystemModstamp: '2026-03-01T09:30:00Z', Name: 'Acme GmbH', BillingCountryCode: 'DE', Qiao_Id__c: null } },
        { externalId: GLOBEX, sourceTime: '2026-03-01T09:30:05Z', deleted: true, data: { Id: GLOBEX, IsDeleted: true, SystemModstamp: '2026-03-01T09:30:05Z', Name: 'Globex SA', BillingCountryCode: null, Qiao_Id__c: 'cus_2' } },
      ],
      next: { sourceTime: '2026-03-01T09:30:05Z', externalId: GLOBEX },
      more: false,
    });
  });

  it('asks only for fields the org has (no country picklists here) and caps the LIMIT at pageSize', async () => {
    const { api } = org((req) => (isQuery(req, 'queryAll') ? page('Account', []) : undefined), {
      describe: { Account: ['Id', 'IsDeleted', 'SystemModstamp', 'Name', 'Phone', 'BillingCountry'] },
    });
    expect(await connect({ pageSize: 25 }).entities.customer?.source?.listChanged(null, 100)).toEqual({ records: [], next: null, more: false });
    expect(soql(api[1] as Seen)).toBe('SELECT Id, IsDeleted, SystemModstamp, Name, Phone, BillingCountry FROM Account ORDER BY SystemModstamp ASC, Id ASC LIMIT 26');
  });

  it('follows nextRecordsUrl, and says `more` when the listing holds more than the page', async () => {
    const row = (n: number) => ({ Id: `001J000001aBcD${n}IAK`, IsDeleted: false, SystemModstamp: '2026-03-01T09:30:00.000+0000', Name: `Account ${n}` });
    const { api } = org((req) => {
      if (isQuery(req, 'queryAll')) return page('Account', [row(1), row(2)], '/services/data/v67.0/query/01gJ000000AbCdE-2');
      if (req.url.pathname === '/services/data/v67.0/query/01gJ000000AbCdE-2') return page('Account', [row(3)]);
      return undefined;
    });
    const result = await connect().entities.customer?.source?.listChanged(null, 2);
    expect(api.map((r) => r.url.pathname).slice(1)).toEqual(['/services/data/v67.0/queryAll', '/services/data/v67.0/query/01gJ000000AbCdE-2']);
    expect(result?.records.map((r) => r.data.Name)).toEqual(['Account 1', 'Account 2']);
    expect(result?.more).toBe(true);
    // Records changed in the same second are told apart by Id.
    expect(result?.next).toEqual({ sourceTime: '2026-03-01T09:30:00Z', externalId: '001J000001aBcD2IAK' });
  });

  it('refuses a nextRecordsUrl that leaves the data API, so the token goes nowhere else', async () => {
    org((req) => (isQuery(req, 'queryAll') ? page('Account', [{ Id: ACME, SystemModstamp: '2026-03-01T09:30:00.000+0000' }], 'https://evil.example/steal') : undefined));
    expect((await failure(connect().entities.customer?.source?.listChanged(null, 5) as Promise<unknown>)).message).toContain('nextRecordsUrl');
  });

  it('refuses a cursor whose id is not a Salesforce id (no SOQL injection)', async () => {
    org();
    const err = await failure(connect().entities.customer?.source?.listChanged({ sourceTime: '2026-03-01T09:00:00Z', externalId: "x' OR Name != '" }, 5) as Promise<unknown>);
    expect(err.kind).toBe('invalid');
  });

  it('lists orders with their lines: one OrderItem query for the page, ProductCode through Product2', async () => {
    const ORDER_1 = '801J0000000AbCdIAK';
    const ORDER_2 = '801J0000000AbCeIAK';
    const { api } = org((req) => {
      if (isQuery(req, 'queryAll')) {
        return page('Order', [
          { Id: ORDER_1, IsDeleted: false, SystemModstamp: '2026-03-01T10:00:00.000+0000', AccountId: ACME, OrderNumber: '00000100', Status: 'Activated', EffectiveDate: '2026-03-01' },
          { Id: ORDER_2, IsDeleted: false, SystemModstamp: '2026-03-01T10:00:01.000+0000', AccountId: GLOBEX, OrderNumber: '00000101', Status: 'Draft', EffectiveDate: '2026-03-01' },
        ]);
      }
      if (isQuery(req)) {
        return page('OrderItem', [
          { Id: '802J0000000AaAaIAK', OrderId: ORDER_1, Quantity: 100, UnitPrice: 1.2, Description: null, Product2: { attributes: { type: 'Product2', url: '/x' }, ProductCode: 'BOLT-M8' } },
          { Id: '802J0000000AaAbIAK', OrderId: ORDER_1, Quantity: 2.5, UnitPrice: 0.35, Description: 'Loose', Product2: null },
        ]);
      }
      return undefined;
    });
    const result = await connect().entities.order?.source?.listChanged(null, 10);
    expect(soql(api.find((r) => isQuery(r, 'queryAll')) as Seen)).toBe(
      'SELECT Id, IsDeleted, SystemModstamp, AccountId, OrderNumber, Status, EffectiveDate, Description, TotalAmount, Qiao_Status__c, Qiao_Promised_Date__c, Qiao_Id__c FROM Order ORDER BY SystemModstamp ASC, Id ASC LIMIT 11',
    );
    expect(soql(api.find((r) => isQuery(r)) as Seen)).toBe(
      `SELECT Id, OrderId, Quantity, UnitPrice, Description, Product2.ProductCode FROM OrderItem WHERE OrderId IN ('${ORDER_1}', '${ORDER_2}') ORDER BY OrderId, Id`,
    );
    expect(result?.records.map((r) => r.data.items)).toEqual([
      [
        { Id: '802J0000000AaAaIAK', Quantity: 100, UnitPrice: 1.2, Description: null, ProductCode: 'BOLT-M8' },
        { Id: '802J0000000AaAbIAK', Quantity: 2.5, UnitPrice: 0.35, Description: 'Loose', ProductCode: null },
      ],
      [],
    ]);
  });

  it('with orderModel opportunity, lists Opportunity with OpportunityLineItem (ProductCode and Discount on the line)', async () => {
    const OPP = '006J000000AbCdEIAK';
    const { api } = org((req) => {
      if (isQuery(req, 'queryAll')) return page('Opportunity', [{ Id: OPP, IsDeleted: false, SystemModstamp: '2026-03-03T10:00:00.000+0000', StageName: 'Closed Won', CurrencyIsoCode: 'JPY' }]);
      if (isQuery(req)) return page('OpportunityLineItem', [{ Id: '00kJ000000AbCdEIAK', OpportunityId: OPP, ProductCode: 'BOLT-M8', Quantity: 200, UnitPrice: 1500, Discount: 12.5, Description: null }]);
      return undefined;
    });
    const result = await connect({ orderModel: 'opportunity' }).entities.order?.source?.listChanged(null, 10);
    expect(soql(api.find((r) => isQuery(r, 'queryAll')) as Seen)).toMatch(/^SELECT Id, IsDeleted, SystemModstamp, AccountId, Name, StageName, .* FROM Opportunity ORDER BY/);
    expect(soql(api.find((r) => isQuery(r)) as Seen)).toBe(
      `SELECT Id, OpportunityId, Quantity, UnitPrice, Discount, Description, ProductCode FROM OpportunityLineItem WHERE OpportunityId IN ('${OPP}') ORDER BY OpportunityId, Id`,
    );
    expect(result?.records[0]?.data.items).toEqual([{ Id: '00kJ000000AbCdEIAK', ProductCode: 'BOLT-M8', Quantity: 200, UnitPrice: 1500, Discount: 12.5, Description: null }]);
  });

  it('gets one record by Id with the listing fields; a deleted or unknown one is undefined', async () => {
    const { api } = org((req) => {
      if (req.url.pathname === `/services/data/v67.0/sobjects/Account/${ACME}`) return HttpResponse.json({ attributes: { type: 'Account' }, Id: ACME, IsDeleted: false, SystemModstamp: '2026-03-01T09:30:00.000+0000', Name: 'Acme GmbH' });
      if (req.url.pathname === `/services/data/v67.0/sobjects/Account/${GLOBEX}`) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      return undefined;
    });
    const source = connect().entities.customer?.source;
    expect(await source?.get(ACME)).toEqual({ externalId: ACME, sourceTime: '2026-03-01T09:30:00Z', data: { Id: ACME, IsDeleted: false, SystemModstamp: '2026-03-01T09:30:00Z', Name: 'Acme GmbH' } });
    expect(api[1]?.url.searchParams.get('fields')).toBe(ACCOUNT_SELECT.replace('SELECT ', '').replace(' FROM Account', '').replaceAll(', ', ','));
    expect(await source?.get(GLOBEX)).toBeUndefined();
    const before = api.length;
    expect(await source?.get('../limits')).toBeUndefined();
    expect(api).toHaveLength(before);
  });
});

describe('Salesforce connector: writes', () => {
  const write = (canonicalId: string, data: Record<string, unknown>, externalId?: string): SinkWrite => ({
    idempotencyKey: `key-${canonicalId}`,
    canonicalId,
    data: externalId ? data : { ...data, Qiao_Id__c: canonicalId },
    ...(externalId ? { externalId } : { identity: { field: 'Qiao_Id__c', value: canonicalId } }),
  });

  it('creates one record by upsert on the external id: the value in the URL, not in the body', async () => {
    const { api } = org((req) => (req.method === 'PATCH' ? HttpResponse.json({ id: ACME, success: true, errors: [], created: true }, { status: 201 }) : undefined));
    const results = await connect().entities.customer?.sink?.upsert([write('cus_01j9z3k4m5n6p7q8r9s0t1v2w3', { Name: 'Acme GmbH', BillingCountryCode: 'DE' })]);
    expect(results).toEqual([{ ok: true, externalId: ACME }]);
    const patch = api.find((r) => r.method === 'PATCH') as Seen;
    expect(patch.url.pathname).toBe('/services/data/v67.0/sobjects/Account/Qiao_Id__c/cus_01j9z3k4m5n6p7q8r9s0t1v2w3');
    expect(patch.body).toEqual({ Name: 'Acme GmbH', BillingCountryCode: 'DE' });
    expect(patch.headers.get('sforce-call-options')).toBe('client=qiao');
    expect(patch.headers.get('content-type')).toBe('application/json');
  });

  it('an upsert matching an existing record (200) is a success; several matches (300) are a conflict', async () => {
    org((req) => {
      if (req.url.pathname.endsWith('/cus_1')) return HttpResponse.json({ id: ACME, success: true, errors: [], created: false });
      if (req.url.pathname.endsWith('/cus_2')) return HttpResponse.json([`/services/data/v67.0/sobjects/Account/${ACME}`, `/services/data/v67.0/sobjects/Account/${GLOBEX}`], { status: 300 });
      return undefined;
    });
    const sink = connect().entities.customer?.sink;
    expect(await sink?.upsert([write('cus_1', { Name: 'Acme' })])).toEqual([{ ok: true, externalId: ACME }]);
    const [conflict] = (await sink?.upsert([write('cus_2', { Name: 'Globex' })])) ?? [];
    expect(conflict?.ok).toBe(false);
    if (conflict?.ok === false) {
      expect(conflict.error.kind).toBe('conflict');
      expect(conflict.error.message).toContain(`${ACME}, ${GLOBEX}`);
    }
  });

  it('writes a batch with two sObject Collections calls: creates by external id, updates by Id; one result per write, in order', async () => {
    const { api } = org((req) => {
      if (req.method === 'PATCH' && req.url.pathname === '/services/data/v67.0/composite/sobjects/Account/Qiao_Id__c') {
        return HttpResponse.json([
          { id: '001J000001aBcDgIAK', success: true, errors: [], created: true },
          { id: null, success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] }] },
        ]);
      }
      if (req.method === 'PATCH' && req.url.pathname === '/services/data/v67.0/composite/sobjects') {
        return HttpResponse.json([
          { id: ACME, success: true, errors: [] },
          { id: GLOBEX, success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Phone must start with +', fields: ['Phone'] }] },
          { id: null, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] },
        ]);
      }
      return undefined;
    });
    const results = await connect().entities.customer?.sink?.upsert([
      write('cus_1', { Name: 'Acme', Phone: '+4930' }, ACME),
      write('cus_3', { Name: 'Initech' }),
      write('cus_2', { Phone: '030' }, GLOBEX),
      write('cus_4', { Name: null }),
      write('cus_5', { Phone: '+1' }, '001J000001aBcDzIAK'),
    ]);
    const creates = api.find((r) => r.url.pathname.endsWith('/Account/Qiao_Id__c')) as Seen;
    expect(creates.body).toEqual({
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, Name: 'Initech', Qiao_Id__c: 'cus_3' },
        { attributes: { type: 'Account' }, Name: null, Qiao_Id__c: 'cus_4' },
      ],
    });
    const updates = api.find((r) => r.url.pathname === '/services/data/v67.0/composite/sobjects') as Seen;
    expect(updates.body).toEqual({
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, id: ACME, Name: 'Acme', Phone: '+4930' },
        { attributes: { type: 'Account' }, id: GLOBEX, Phone: '030' },
        { attributes: { type: 'Account' }, id: '001J000001aBcDzIAK', Phone: '+1' },
      ],
    });
    expect(results?.map((r) => (r.ok ? r.externalId : `${r.error.kind}:${r.error.field}`))).toEqual([ACME, '001J000001aBcDgIAK', 'invalid:Phone', 'invalid:Name', 'not_found:undefined']);
    const refused = results?.[2];
    if (refused?.ok === false) expect(refused.error.message).toBe(`Salesforce update Account ${GLOBEX}: FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone must start with + (fields: Phone)`);
  });

  it('writes the mapping identity into the configured external id field', async () => {
    const { api } = org((req) => (req.method === 'PATCH' ? HttpResponse.json({ id: ACME, success: true, errors: [], created: true }, { status: 201 }) : undefined));
    await connect({ externalIdField: 'Hub_Key__c' }).entities.customer?.sink?.upsert([write('cus_1', { Name: 'Acme' })]);
    const patch = api.find((r) => r.method === 'PATCH') as Seen;
    expect(patch.url.pathname).toBe('/services/data/v67.0/sobjects/Account/Hub_Key__c/cus_1');
    expect(patch.body).toEqual({ Name: 'Acme' });
  });

  it('writes BillingCountryCode into BillingCountry in an org without country picklists', async () => {
    const { api } = org((req) => (req.method === 'PATCH' ? new HttpResponse(null, { status: 204 }) : undefined), {
      describe: { Account: ['Id', 'IsDeleted', 'SystemModstamp', 'Name', 'BillingCountry', 'Qiao_Id__c'] },
    });
    expect(await connect().entities.customer?.sink?.upsert([write('cus_1', { Name: 'Acme', BillingCountryCode: 'DE' }, ACME)])).toEqual([{ ok: true, externalId: ACME }]);
    const patch = api.find((r) => r.method === 'PATCH') as Seen;
    expect(patch.url.pathname).toBe(`/services/data/v67.0/sobjects/Account/${ACME}`);
    expect(patch.body).toEqual({ Name: 'Acme', BillingCountry: 'DE' });
  });

  it('a refused record is its own result; a refused connection (limit, 5xx, auth) throws for the batch', async () => {
    let answer: Response = sfError(400, 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Account Number is required for customers', ['AccountNumber']);
    org((req) => (req.method === 'PATCH' ? answer.clone() : undefined));
    const sink = connect().entities.customer?.sink;
    const [refused] = (await sink?.upsert([write('cus_1', { Name: 'Acme' })])) ?? [];
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid', status: 400, field: 'AccountNumber' } });
    answer = sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    const limited = await failure(sink?.upsert([write('cus_1', { Name: 'Acme' })]) as Promise<unknown>);
    expect(limited.kind).toBe('rate_limited');
    answer = sfError(503, 'SERVER_UNAVAILABLE', 'Server unavailable');
    expect((await failure(sink?.upsert([write('cus_1', { Name: 'Acme' })]) as Promise<unknown>)).kind).toBe('retryable');
  });

  it('refuses more than 200 writes before calling Salesforce', async () => {
    const { api } = org();
    const writes = Array.from({ length: 201 }, (_, i) => write(`cus_${i}`, { Name: `A${i}` }));
    expect((await failure(connect().entities.customer?.sink?.upsert(writes) as Promise<unknown>)).kind).toBe('invalid');
    expect(api).toHaveLength(0);
  });

  it('orders: Qiao updates the header by Id and never creates an order', async () => {
    const ORDER = '801J0000000AbCdIAK';
    const { api } = org((req) => (req.method === 'PATCH' ? new HttpResponse(null, { status: 204 }) : undefined));
    const results = await connect().entities.order?.sink?.upsert([
      { idempotencyKey: 'k1', canonicalId: 'ord_1', externalId: ORDER, data: { Qiao_Status__c: 'in_production', Qiao_Promised_Date__c: '2026-12-01' } },
      { idempotencyKey: 'k2', canonicalId: 'ord_2', data: { Qiao_Status__c: 'confirmed' } },
    ]);
    expect(results?.[0]).toEqual({ ok: true, externalId: ORDER });
    expect(results?.[1]).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(api.filter((r) => r.method === 'PATCH').map((r) => [r.url.pathname, r.body])).toEqual([[`/services/data/v67.0/sobjects/Order/${ORDER}`, { Qiao_Status__c: 'in_production', Qiao_Promised_Date__c: '2026-12-01' }]]);
  });

  it('deleting a product archives it (IsActive false)', async () => {
    const PRODUCT = '01tJ0000003AbCdIAK';
    const { api } = org((req) => (req.method === 'PATCH' ? new HttpResponse(null, { status: 204 }) : undefined));
    await connect().entities.product?.sink?.delete?.(PRODUCT);
    expect(api.map((r) => [r.method, r.url.pathname, r.body])).toEqual([['PATCH', `/services/data/v67.0/sobjects/Product2/${PRODUCT}`, { IsActive: false }]]);
  });

  it('finds a record by its identity with an escaped SOQL literal; two matches are a conflict', async () => {
    const { api } = org((req) => {
      if (!isQuery(req)) return undefined;
      return soql(req)?.includes("'cus_2'") ? page('Contact', [{ Id: '003J000000xYzAbIAC' }, { Id: '003J000000xYzAcIAC' }]) : page('Contact', [{ Id: '003J000000xYzAbIAC' }]);
    });
    const sink = connect().entities.contact?.sink;
    expect(await sink?.findByIdentity('Qiao_Id__c', "o'brien\\")).toBe('003J000000xYzAbIAC');
    expect(soql(api.find((r) => isQuery(r)) as Seen)).toBe("SELECT Id FROM Contact WHERE Qiao_Id__c = 'o\\'brien\\\\' LIMIT 2");
    expect((await failure(sink?.findByIdentity('Qiao_Id__c', 'cus_2') as Promise<unknown>)).kind).toBe('conflict');
    expect(soqlString('a\nb')).toBe("'a\\nb'");
  });
});

describe('Salesforce connector: error kinds from Salesforce error bodies', () => {
  it.each([
    [403, 'REQUEST_LIMIT_EXCEEDED', 'rate_limited', 'TotalRequests Limit exceeded.'],
    [403, 'INSUFFICIENT_ACCESS', 'auth', 'insufficient access rights on object id'],
    [400, 'INVALID_FIELD', 'invalid', "No such column 'Qiao_Id__c' on entity 'Account'."],
    [400, 'MALFORMED_QUERY', 'invalid', 'unexpected token'],
    [404, 'NOT_FOUND', 'not_found', 'The requested resource does not exist'],
    [500, 'UNKNOWN_EXCEPTION', 'retryable', 'An unexpected error occurred.'],
    [503, 'SERVER_UNAVAILABLE', 'retryable', 'Server unavailable'],
  ])('HTTP %i %s is %s', async (status, code, kind, message) => {
    org((req) => (isQuery(req) ? sfError(status, code, message) : undefined));
    const err = await failure(connect().entities.customer?.sink?.findByIdentity('Qiao_Id__c', 'cus_1') as Promise<unknown>);
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.message).toContain(`${code}: ${message}`);
    if (code === 'INVALID_FIELD') expect(err.field).toBe('Qiao_Id__c');
  });

  it('a 429 with Retry-After is rate_limited after that many seconds', async () => {
    org((req) => (isQuery(req) ? new HttpResponse('Too Many Requests', { status: 429, headers: { 'retry-after': '7' } }) : undefined));
    const err = await failure(connect().entities.customer?.sink?.findByIdentity('Qiao_Id__c', 'cus_1') as Promise<unknown>);
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 });
  });

  it('check() fails with not_found for an API version the org does not have', async () => {
    org((req) => (req.url.pathname.startsWith('/services/data/v66.0') ? sfError(404, 'NOT_FOUND', 'The requested resource does not exist') : undefined));
    const err = await failure(connect({ apiVersion: 'v66.0' }).check());
    expect(err.kind).toBe('not_found');
    expect(err.message).toContain('API v66.0');
  });

  it('never puts the access token or the secret into a message, even when Salesforce echoes them', async () => {
    org((req) => (isQuery(req) ? sfError(400, 'MALFORMED_QUERY', `bad header Bearer tok-1 with ${SECRET}`) : undefined));
    const err = await failure(connect().entities.customer?.sink?.findByIdentity('Qiao_Id__c', 'cus_1') as Promise<unknown>);
    expect(err.message).not.toContain('tok-1');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).toContain('[redacted]');
  });
});

describe('Salesforce Change Data Capture relay', () => {
  const OLD = 'relay-secret-old-0123456789';
  const NEW = 'relay-secret-new-9876543210';
  const now = new Date('2026-03-01T10:00:00Z');
  const ts = Math.floor(now.getTime() / 1000);
  const url = 'https://qiao.example.com/webhooks/salesforce';

  const header = (over: Record<string, unknown>) => ({
    ChangeEventHeader: {
      entityName: 'Account',
      recordIds: [ACME],
      changeType: 'UPDATE',
      changedFields: ['Phone', 'LastModifiedDate'],
      changeOrigin: 'com/salesforce/api/soap/67.0;client=SfdcInternalAPI/',
      transactionKey: '0002e1e4-8f5a-4b0f-9c1e-3a4d5e6f7a8b',
      sequenceNumber: 1,
      commitTimestamp: Date.parse('2026-03-01T09:59:58Z'),
      commitNumber: 10_234,
      commitUser: '005J0000000AbCdIAK',
      ...over,
    },
    Phone: '+49 30 111',
  });
  const body = JSON.stringify({ events: [header({})] });

  function receiver(secrets: string[], orderModel: 'order' | 'opportunity' = 'order'): WebhookReceiver {
    const webhooks = connect({ webhookSecrets: secrets, orderModel }).webhooks;
    if (!webhooks) throw new Error('no webhooks');
    return webhooks;
  }

  function request(rawBody: string, signature: string, timestamp: number = ts): WebhookRequest {
    return { rawBody, url, headers: { 'X-Qiao-Relay-Timestamp': String(timestamp), 'X-Qiao-Relay-Signature': signature } };
  }

  function refusal(webhooks: WebhookReceiver, req: WebhookRequest): ConnectorError {
    try {
      webhooks.verify(req, now);
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).kind).toBe('auth');
      return err as ConnectorError;
    }
    throw new Error('the relay post was accepted');
  }

  it('accepts a valid signature and turns events into changes without data, keyed by transaction, sequence and record', () => {
    const webhooks = receiver([NEW]);
    expect(() => webhooks.verify(request(body, signSalesforceRelay(NEW, ts, body)), now)).not.toThrow();
    expect(webhooks.parse(body)).toEqual([{ entity: 'customer', eventKey: `0002e1e4-8f5a-4b0f-9c1e-3a4d5e6f7a8b:1:${ACME}`, externalId: ACME, sourceTime: '2026-03-01T09:59:58.000Z' }]);
  });

  it('maps objects to entities, marks deletions, splits merged record ids, and drops lines, unknown objects and wildcards', () => {
    const raw = JSON.stringify({
      events: [
        header({ entityName: 'Contact', recordIds: ['003J000000xYzAbIAC'], changeType: 'DELETE', sequenceNumber: 1 }),
        header({ entityName: 'Product2', recordIds: ['01tJ0000003AbCdIAK', '01tJ0000003AbCeIAK'], changeType: 'GAP_UPDATE', sequenceNumber: 2 }),
        header({ entityName: 'Order', recordIds: ['801J0000000AbCdIAK'], changeType: 'CREATE', sequenceNumber: 3 }),
        header({ entityName: 'OrderItem', recordIds: ['802J0000000AaAaIAK'], changeType: 'CREATE', sequenceNumber: 4 }),
        header({ entityName: 'Lead', recordIds: ['00QJ000000AbCdEIAK'], sequenceNumber: 5 }),
        header({ entityName: 'Account', recordIds: ['001*'], sequenceNumber: 6 }),
        header({ entityName: 'Account', changeType: 'GAP_OVERFLOW', recordIds: [], sequenceNumber: 7 }),
        header({ entityName: 'Account', changeType: 'UNDELETE', sequenceNumber: 8 }),
      ],
    });
    expect(receiver([NEW]).parse(raw).map((e) => `${e.entity} ${e.externalId} ${e.deleted ? 'deleted' : 'changed'} ${e.eventKey.split(':')[1]}`)).toEqual([
      'contact 003J000000xYzAbIAC deleted 1',
      'product 01tJ0000003AbCdIAK changed 2',
      'product 01tJ0000003AbCeIAK changed 2',
      'order 801J0000000AbCdIAK changed 3',
      `customer ${ACME} changed 8`,
    ]);
    // With orderModel opportunity, Opportunity is the order and Order is not.
    const opp = JSON.stringify({ events: [header({ entityName: 'Opportunity', recordIds: ['006J000000AbCdEIAK'] }), header({ entityName: 'Order', recordIds: ['801J0000000AbCdIAK'], sequenceNumber: 2 })] });
    expect(receiver([NEW], 'opportunity').parse(opp).map((e) => `${e.entity} ${e.externalId}`)).toEqual(['order 006J000000AbCdEIAK']);
  });

  it("drops the echoes of Qiao's own writes (changeOrigin client=qiao) and keeps everyone else's", () => {
    const raw = JSON.stringify({
      events: [
        header({ changeOrigin: 'com/salesforce/api/rest/67.0;client=qiao', sequenceNumber: 1 }),
        header({ changeOrigin: 'com/salesforce/api/rest/67.0;client=qiao-staging', sequenceNumber: 2 }),
        header({ changeOrigin: '', sequenceNumber: 3 }),
        header({ changeOrigin: 'com/salesforce/api/rest/67.0', sequenceNumber: 4 }),
      ],
    });
    expect(receiver([NEW]).parse(raw).map((e) => e.eventKey.split(':')[1])).toEqual(['2', '3', '4']);
  });

  it('refuses a tampered body, a tampered timestamp, a wrong and a missing signature', () => {
    const webhooks = receiver([NEW]);
    const signature = signSalesforceRelay(NEW, ts, body);
    refusal(webhooks, request(body.replace('+49 30 111', '+49 30 112'), signature));
    refusal(webhooks, request(body, signature, ts - 1));
    refusal(webhooks, request(body, `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`));
    refusal(webhooks, request(body, 'v1=short'));
    refusal(webhooks, { rawBody: body, url, headers: {} });
  });

  it('refuses a stale or future timestamp even when correctly signed', () => {
    const webhooks = receiver([NEW]);
    for (const t of [ts - 301, ts + 301]) expect(refusal(webhooks, request(body, signSalesforceRelay(NEW, t, body), t)).message).toMatch(/300 s/);
    expect(() => webhooks.verify(request(body, signSalesforceRelay(NEW, ts - 300, body), ts - 300), now)).not.toThrow();
  });

  it('during a rotation accepts both secrets; after it, only the new one', () => {
    const rotating = receiver([NEW, OLD]);
    expect(() => rotating.verify(request(body, signSalesforceRelay(OLD, ts, body)), now)).not.toThrow();
    expect(() => rotating.verify(request(body, `${signSalesforceRelay(OLD, ts, body)}, ${signSalesforceRelay(NEW, ts, body)}`), now)).not.toThrow();
    refusal(receiver([NEW]), request(body, signSalesforceRelay(OLD, ts, body)));
  });

  it('refuses a body that is not the relay shape, naming what is wrong', () => {
    const webhooks = receiver([NEW]);
    expect(() => webhooks.parse('not json')).toThrow(ConnectorError);
    const err = (() => {
      try {
        webhooks.parse(JSON.stringify({ events: [{ ChangeEventHeader: { entityName: 'Account', recordIds: [ACME] } }] }));
      } catch (e) {
        return e as ConnectorError;
      }
      throw new Error('parsed');
    })();
    expect(err.kind).toBe('invalid');
    expect(err.message).toContain('events.0.ChangeEventHeader');
  });
});
