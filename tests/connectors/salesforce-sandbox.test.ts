// The Salesforce connector end to end against the Salesforce sandbox, with the v1 mappings: tokens
// (refused, expired, revoked), change listing through ties and nextRecordsUrl batches, upserts by
// external id (idempotent, per-record refusals, 300), orders with lines and the status write-back,
// stock on products, request limits and faults, and Change Data Capture relayed and echo-filtered.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeCursor, ChangeEvent, Connector, EntitySink, EntitySource, SourceRecord } from '../../connectors/contract';
import { SalesforceConfig, salesforce } from '../../connectors/salesforce/index';
import { identityOf, mapToCanonical, mapToExternal } from '../../mappings/engine';
import { salesforceContactV1 } from '../../mappings/salesforce/contact.v1';
import { salesforceCustomerV1 } from '../../mappings/salesforce/customer.v1';
import { salesforceOrderV1 } from '../../mappings/salesforce/order.v1';
import { salesforceProductV1 } from '../../mappings/salesforce/product.v1';
import { type SalesforceSandbox, startSalesforceSandbox } from '../../ops/sandboxes/salesforce/index';
import { failure } from '../support/connector-errors';

const CLIENT_ID = '3MVG9sandboxConsumerKey';
const SECRET = 'sandbox-secret-7c1d9e2f4a6b';
const RELAY_SECRET = 'relay-secret-0123456789abcdef';

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
    if (pages > 100) throw new Error('listChanged never ends');
  }
}

/** A relay endpoint as Qiao's gateway has it: verify the raw body, parse, answer 202 (401 when refused). */
async function startRelayReceiver(connector: () => Connector): Promise<{ url: string; events: ChangeEvent[]; refused: number; stop(): Promise<void> }> {
  const state = { events: [] as ChangeEvent[], refused: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const webhooks = connector().webhooks;
      try {
        webhooks?.verify({ rawBody, headers, url: 'https://qiao.example/webhooks/salesforce' }, new Date());
        state.events.push(...(webhooks?.parse(rawBody) ?? []));
        res.writeHead(202).end();
      } catch {
        state.refused++;
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/salesforce`,
    get events() {
      return state.events;
    },
    get refused() {
      return state.refused;
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

const ctx = { refs: {}, defaults: { currency: 'EUR' } };

describe('Salesforce connector against the sandbox', () => {
  let sandbox: SalesforceSandbox;
  let connector: Connector;
  let relay: Awaited<ReturnType<typeof startRelayReceiver>>;
  let ids: ReturnType<SalesforceSandbox['seed']>;
  const config = (overrides: Partial<SalesforceConfig> = {}) =>
    SalesforceConfig.parse({ loginUrl: sandbox.url, clientId: CLIENT_ID, clientSecret: SECRET, allowPrivateNetwork: true, pageSize: 50, webhookSecrets: [RELAY_SECRET], ...overrides });

  beforeAll(async () => {
    // Batches of 3 records, so every listing of more than 3 follows nextRecordsUrl.
    sandbox = await startSalesforceSandbox({ clientId: CLIENT_ID, clientSecret: SECRET, queryBatchSize: 3 });
    ids = sandbox.seed({
      accounts: [
        { Name: 'Acme GmbH', AccountNumber: 'C-1001', Phone: '+49 30 1234567', BillingStreet: 'Hauptstraße 1', BillingCity: 'Berlin', BillingPostalCode: '10115', BillingCountryCode: 'DE', contacts: [{ FirstName: 'Anna', LastName: 'Schmidt', Title: 'Buyer', MobilePhone: '0151 12345678' }] },
        { Name: 'Globex SA', BillingCity: 'Paris', BillingCountryCode: 'FR' },
      ],
      products: [
        { ProductCode: 'BOLT-M8', Name: 'Bolt M8' },
        { ProductCode: 'NUT-M8', Name: 'Nut M8' },
      ],
      orders: [
        { account: 'Acme GmbH', activated: true, lines: [{ productCode: 'BOLT-M8', quantity: 100, unitPrice: 1.2 }, { productCode: 'NUT-M8', quantity: 2.5, unitPrice: 0.35, description: 'Loose' }] },
        { account: 'Globex SA', lines: [{ productCode: 'BOLT-M8', quantity: 10, unitPrice: 1.25 }] },
      ],
      opportunities: [{ account: 'Globex SA', name: 'Globex - gears', lines: [{ productCode: 'NUT-M8', quantity: 40, unitPrice: 0.5, discount: 12.5 }] }],
    });
    connector = salesforce.create(config());
    relay = await startRelayReceiver(() => connector);
  });
  afterAll(async () => {
    await relay?.stop();
    await sandbox?.stop();
  });
  beforeEach(() => {
    // SystemModstamp moves on between tests, as time passes between polls.
    sandbox.tick(2);
    sandbox.clearRequests();
  });

  const source = (entity: string) => connector.entities[entity]?.source as EntitySource;
  const sink = (entity: string) => connector.entities[entity]?.sink as EntitySink;

  it('check() gets a token and passes; a rotated secret is `auth`, one token request, no secret in the message', async () => {
    await connector.check();
    expect(sandbox.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /services/oauth2/token 200', 'GET /services/data/v67.0/ 200']);
    sandbox.clearRequests();
    sandbox.setClientSecret('rotated-secret');
    try {
      const err = await failure(salesforce.create(config()).check());
      expect(err.kind).toBe('auth');
      expect(err.message).toContain('invalid_client: invalid client credentials');
      expect(err.message).not.toContain(SECRET);
      expect(sandbox.requests.map((r) => `${r.path} ${r.status} ${r.error}`)).toEqual(['/services/oauth2/token 400 invalid_client']);
      expect(JSON.stringify(sandbox.requests)).not.toContain(SECRET);
    } finally {
      sandbox.setClientSecret(SECRET);
    }
  });

  it('an expired session is refreshed once and the call repeated; a revoked app is `auth` until it is unblocked', async () => {
    await connector.check();
    sandbox.expireTokens();
    sandbox.clearRequests();
    await connector.check();
    expect(sandbox.requests.map((r) => `${r.path} ${r.status}${r.error ? ` ${r.error}` : ''}`)).toEqual([
      '/services/data/v67.0/ 401 INVALID_SESSION_ID',
      '/services/oauth2/token 200',
      '/services/data/v67.0/ 200',
    ]);
    sandbox.revokeTokens({ blockApp: true });
    sandbox.clearRequests();
    const err = await failure(connector.check());
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('invalid_grant');
    // One refused call, one token request: no loop.
    expect(sandbox.requests.map((r) => `${r.path} ${r.status}`)).toEqual(['/services/data/v67.0/ 401', '/services/oauth2/token 400']);
    sandbox.revokeTokens({ blockApp: false });
    await connector.check();
  });

  it('a token older than the session timeout (sandbox clock) is refused and replaced', async () => {
    await connector.check();
    sandbox.tick(7_201);
    sandbox.clearRequests();
    await connector.check();
    expect(sandbox.requests.map((r) => r.status)).toEqual([401, 200, 200]);
  });

  it('lists every account once through nextRecordsUrl batches, mapped by customer v1', async () => {
    const { records } = await drain(source('customer'), null, 50);
    expect(records.map((r) => r.data.Name)).toEqual(expect.arrayContaining(['Acme GmbH', 'Globex SA']));
    expect(new Set(records.map((r) => r.externalId)).size).toBe(records.length);
    const acme = records.find((r) => r.externalId === ids.accounts['Acme GmbH']) as SourceRecord;
    expect(mapToCanonical(salesforceCustomerV1, acme.data, ctx)).toEqual({
      value: { name: 'Acme GmbH', number: 'C-1001', phones: ['+49301234567'], addresses: [{ street: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE', kind: 'billing' }] },
      errors: [],
    });
    expect(acme.sourceTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('pages through records changed in the same second without losing or repeating one', async () => {
    const { cursor: start } = await drain(source('customer'), null, 50);
    // Later than anything stamped so far (earlier tests moved the org's clock on).
    sandbox.setClock(new Date(sandbox.org.clock() + 60_000));
    try {
      for (let i = 1; i <= 7; i++) sandbox.insert('Account', { Name: `Tie ${i}` });
      sandbox.clearRequests();
      const { records, pages } = await drain(source('customer'), start, 2);
      expect(records.map((r) => r.data.Name)).toEqual(['Tie 1', 'Tie 2', 'Tie 3', 'Tie 4', 'Tie 5', 'Tie 6', 'Tie 7']);
      expect(new Set(records.map((r) => r.sourceTime)).size).toBe(1);
      expect(pages).toBe(4);
      // Each page is one queryAll with the (SystemModstamp, Id) condition.
      expect(sandbox.requests.filter((r) => r.path.endsWith('/queryAll')).map((r) => r.query.q?.includes('OR (SystemModstamp = '))).toEqual([true, true, true, true]);
    } finally {
      sandbox.setClock(null);
    }
  });

  it('creates a customer from the mapping by external id; a lost answer retried updates the same record', async () => {
    const customer = { id: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3', kind: 'company', name: 'Initech Ltd', number: 'C-2002', emails: [], phones: ['+442071234567'], addresses: [{ kind: 'billing', city: 'London', country: 'GB' }], status: 'active', externalRefs: [] };
    const mapped = mapToExternal(salesforceCustomerV1, customer, { ...ctx, creating: true });
    expect(mapped.errors).toEqual([]);
    const write = { idempotencyKey: 'k1', canonicalId: customer.id, data: mapped.value, identity: identityOf(salesforceCustomerV1, customer) };
    const [first] = await sink('customer').upsert([write]);
    const [again] = await sink('customer').upsert([write]);
    expect(first).toMatchObject({ ok: true });
    expect(again).toEqual(first);
    const id = first?.ok ? first.externalId : '';
    expect(sandbox.records('Account').filter((a) => a.Qiao_Id__c === customer.id)).toHaveLength(1);
    expect(await sink('customer').findByIdentity('Qiao_Id__c', customer.id)).toBe(id);
    expect(sandbox.requests.filter((r) => r.method === 'PATCH').map((r) => `${r.path} ${r.status} ${r.callOptions}`)).toEqual([
      `/services/data/v67.0/sobjects/Account/Qiao_Id__c/${customer.id} 201 client=qiao`,
      `/services/data/v67.0/sobjects/Account/Qiao_Id__c/${customer.id} 200 client=qiao`,
    ]);
    const read = await source('customer').get(id);
    expect(mapToCanonical(salesforceCustomerV1, read?.data ?? {}, ctx).value).toEqual({ name: 'Initech Ltd', number: 'C-2002', phones: ['+442071234567'], addresses: [{ city: 'London', country: 'GB', kind: 'billing' }] });
  });

  it('writes a batch with sObject Collections: a validation rule refuses one record, naming its field; the others are written', async () => {
    const remove = sandbox.addValidationRule({ object: 'Account', when: (r) => r.BillingCountryCode === 'US' && !r.BillingState, message: 'US accounts need a state', field: 'BillingState' });
    try {
      const globex = ids.accounts['Globex SA'] as string;
      const results = await sink('customer').upsert([
        { idempotencyKey: 'b1', canonicalId: 'cus_b1', data: { Name: 'Batch One', Qiao_Id__c: 'cus_b1' }, identity: { field: 'Qiao_Id__c', value: 'cus_b1' } },
        { idempotencyKey: 'b2', canonicalId: 'cus_b2', data: { Name: 'Batch Two', BillingCountryCode: 'US', Qiao_Id__c: 'cus_b2' }, identity: { field: 'Qiao_Id__c', value: 'cus_b2' } },
        { idempotencyKey: 'b3', canonicalId: 'cus_b3', externalId: globex, data: { Phone: '+33 1 23 45 67 89' } },
        { idempotencyKey: 'b4', canonicalId: 'cus_b4', externalId: globex, data: { Name: 'x'.repeat(300) } },
      ]);
      expect(results.map((r) => (r.ok ? 'ok' : `${r.error.kind} ${r.error.field}`))).toEqual(['ok', 'invalid BillingState', 'ok', 'invalid Name']);
      if (!results[1]?.ok) expect(results[1]?.error.message).toContain('FIELD_CUSTOM_VALIDATION_EXCEPTION: US accounts need a state');
      expect(sandbox.record('Account', globex)?.Phone).toBe('+33 1 23 45 67 89');
      expect(sandbox.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual(['/services/data/v67.0/composite/sobjects/Account/Qiao_Id__c', '/services/data/v67.0/composite/sobjects']);
    } finally {
      remove();
    }
  });

  it('a deleted account is listed as deleted and `get` no longer finds it', async () => {
    const { cursor } = await drain(source('customer'), null, 50);
    const id = sandbox.insert('Account', { Name: 'Short-lived' });
    sandbox.tick(1);
    sandbox.remove('Account', id);
    const { records } = await drain(source('customer'), cursor, 50);
    expect(records.filter((r) => r.externalId === id)).toEqual([expect.objectContaining({ externalId: id, deleted: true })]);
    expect(await source('customer').get(id)).toBeUndefined();
  });

  it('contacts carry their account, and the name goes out as FirstName and LastName', async () => {
    const acme = ids.accounts['Acme GmbH'] as string;
    const anna = (await source('contact').get(ids.contacts['Anna Schmidt'] as string))?.data ?? {};
    expect(mapToCanonical(salesforceContactV1, anna, { refs: { customer: { [acme]: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3' } }, defaults: {} })).toEqual({
      value: { customerId: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3', name: 'Anna Schmidt', title: 'Buyer', phone: '+4915112345678' },
      errors: [],
    });
    const contact = { id: 'con_01j9z3k4m5n6p7q8r9s0t1v2w5', customerId: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3', name: 'Jonas Weber', email: 'jonas@acme.example', externalRefs: [] };
    const mapped = mapToExternal(salesforceContactV1, contact, { refs: { customer: { 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3': acme } }, defaults: {}, creating: true });
    const [created] = await sink('contact').upsert([{ idempotencyKey: 'c1', canonicalId: contact.id, data: mapped.value, identity: identityOf(salesforceContactV1, contact) }]);
    const record = sandbox.record('Contact', created?.ok ? created.externalId : '');
    expect(record).toMatchObject({ FirstName: 'Jonas', LastName: 'Weber', Name: 'Jonas Weber', AccountId: acme, Email: 'jonas@acme.example', Qiao_Id__c: contact.id });
  });

  it('lists orders with their lines; activating one or adding a line lists it again, confirmed, with all lines', async () => {
    const { records, cursor } = await drain(source('order'), null, 50);
    const [activated, draft] = ids.orders as [string, string];
    const refs = { customer: { [ids.accounts['Acme GmbH'] as string]: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3', [ids.accounts['Globex SA'] as string]: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w4' } };
    const first = records.find((r) => r.externalId === activated) as SourceRecord;
    expect(mapToCanonical(salesforceOrderV1, first.data, { refs, defaults: { currency: 'EUR' } })).toEqual({
      value: {
        customerId: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3',
        number: '00000100',
        currency: 'EUR',
        status: 'confirmed',
        lines: [
          { sku: 'BOLT-M8', quantity: '100', unitPrice: 120, discountBasisPoints: 0, taxRateBasisPoints: 0 },
          { sku: 'NUT-M8', quantity: '2.5', unitPrice: 35, description: 'Loose', discountBasisPoints: 0, taxRateBasisPoints: 0 },
        ],
      },
      errors: [],
    });
    expect(mapToCanonical(salesforceOrderV1, (records.find((r) => r.externalId === draft) as SourceRecord).data, { refs, defaults: { currency: 'EUR' } }).value.status).toBe('draft');

    sandbox.addLine(draft, { productCode: 'NUT-M8', quantity: 20, unitPrice: 0.3 });
    sandbox.tick(1);
    sandbox.activateOrder(draft);
    const again = await drain(source('order'), cursor, 50);
    expect(again.records.map((r) => r.externalId)).toEqual([draft]);
    const mapped = mapToCanonical(salesforceOrderV1, again.records[0]?.data ?? {}, { refs, defaults: { currency: 'EUR' } }).value;
    expect(mapped).toMatchObject({ status: 'confirmed', lines: [{ sku: 'BOLT-M8', quantity: '10', unitPrice: 125 }, { sku: 'NUT-M8', quantity: '20', unitPrice: 30 }] });
  });

  it('writes Qiao status and promised date back onto an order, and refuses to create one', async () => {
    const order = ids.orders[0] as string;
    const canonical = { customerId: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3', currency: 'EUR', status: 'shipped', promisedDate: '2026-12-01', lines: [] };
    const { value } = mapToExternal(salesforceOrderV1, canonical, { ...ctx, creating: false });
    const results = await sink('order').upsert([
      { idempotencyKey: 'o1', canonicalId: 'ord_1', externalId: order, data: value },
      { idempotencyKey: 'o2', canonicalId: 'ord_2', data: value },
    ]);
    expect(results[0]).toEqual({ ok: true, externalId: order });
    expect(results[1]).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(sandbox.record('Order', order)).toMatchObject({ Qiao_Status__c: 'shipped', Qiao_Promised_Date__c: '2026-12-01', Status: 'Activated' });
    // Read back, the later status Qiao wrote wins over Salesforce's "Activated".
    const read = await source('order').get(order);
    expect(mapToCanonical(salesforceOrderV1, read?.data ?? {}, { refs: { customer: { [ids.accounts['Acme GmbH'] as string]: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3' } }, defaults: { currency: 'EUR' } }).value).toMatchObject({
      status: 'shipped',
      promisedDate: '2026-12-01',
    });
  });

  it('with orderModel opportunity: lines with discount, and Closed Won is confirmed', async () => {
    const opportunities = salesforce.create(config({ orderModel: 'opportunity' }));
    const opp = ids.opportunities[0] as string;
    sandbox.winOpportunity(opp);
    const record = await opportunities.entities.order?.source?.get(opp);
    const mapped = mapToCanonical(salesforceOrderV1, record?.data ?? {}, { refs: { customer: { [ids.accounts['Globex SA'] as string]: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w4' } }, defaults: { currency: 'EUR' } });
    expect(mapped).toEqual({
      value: { customerId: 'cus_01j9z3k4m5n6p7q8r9s0t1v2w4', currency: 'EUR', status: 'confirmed', lines: [{ sku: 'NUT-M8', quantity: '40', unitPrice: 50, discountBasisPoints: 1250, taxRateBasisPoints: 0 }] },
      errors: [],
    });
  });

  it('writes stock onto a product with its as-of time, and archives a product on delete', async () => {
    const product = { id: 'prd_01j9z3k4m5n6p7q8r9s0t1v2w7', sku: 'BOLT-M8', name: 'Bolt M8', unitOfMeasure: 'unit', status: 'active', externalRefs: [], stockLevels: [{ warehouse: 'WH', onHand: '500', reserved: '20', available: '480', incoming: '100', asOf: '2026-03-01T09:00:00.000Z', source: 'odoo' }] };
    const bolt = ids.products['BOLT-M8'] as string;
    const { value } = mapToExternal(salesforceProductV1, product, { ...ctx, creating: false });
    expect(await sink('product').upsert([{ idempotencyKey: 'p1', canonicalId: product.id, externalId: bolt, data: value }])).toEqual([{ ok: true, externalId: bolt }]);
    expect(sandbox.record('Product2', bolt)).toMatchObject({ Qiao_Stock_On_Hand__c: 500, Qiao_Stock_Available__c: 480, Qiao_Stock_Incoming__c: 100, Qiao_Stock_As_Of__c: '2026-03-01T09:00:00.000Z', Qiao_Id__c: product.id });
    const read = await source('product').get(bolt);
    expect(read?.data).toMatchObject({ ProductCode: 'BOLT-M8', Qiao_Stock_On_Hand__c: 500, Qiao_Stock_As_Of__c: '2026-03-01T09:00:00Z' });
    await sink('product').delete?.(ids.products['NUT-M8'] as string);
    expect(sandbox.record('Product2', ids.products['NUT-M8'] as string)?.IsActive).toBe(false);
  });

  it('the API request limit is `rate_limited`; a 503 from the front door is `retryable`', async () => {
    await connector.check();
    sandbox.setRequestLimit(0);
    try {
      const err = await failure(source('customer').listChanged(null, 5));
      expect(err.kind).toBe('rate_limited');
      expect(err.message).toContain('REQUEST_LIMIT_EXCEEDED');
    } finally {
      sandbox.setRequestLimit(100_000);
    }
    sandbox.failNext(1, 503);
    expect((await failure(source('customer').listChanged(null, 5))).kind).toBe('retryable');
    expect((await source('customer').listChanged(null, 5)).records.length).toBeGreaterThan(0);
  });

  it('relays change events signed: changes made in Salesforce arrive, the echoes of Qiao writes are dropped', async () => {
    sandbox.clearChangeEvents();
    const acme = ids.accounts['Acme GmbH'] as string;
    sandbox.update('Account', acme, { Phone: '+49 30 7654321' });
    await sink('customer').upsert([{ idempotencyKey: 'e1', canonicalId: 'cus_e1', externalId: acme, data: { AccountNumber: 'C-1001-A' } }]);
    const contact = sandbox.insert('Contact', { AccountId: acme, LastName: 'Neu' });
    sandbox.remove('Contact', contact);
    expect(sandbox.changeEvents.map((e) => e.ChangeEventHeader.changeOrigin)).toEqual([
      'com/salesforce/api/soap/67.0;client=SfdcInternalAPI/',
      'com/salesforce/api/rest/67.0;client=qiao',
      'com/salesforce/api/soap/67.0;client=SfdcInternalAPI/',
      'com/salesforce/api/soap/67.0;client=SfdcInternalAPI/',
    ]);
    const before = relay.events.length;
    // A relay with the wrong secret is refused; nothing counts as sent.
    expect(await sandbox.sendChangeEvents(relay.url, { secret: 'not-the-relay-secret-000' })).toEqual({ sent: 0, statuses: [401] });
    expect(await sandbox.sendChangeEvents(relay.url, { secret: RELAY_SECRET, batchSize: 3 })).toEqual({ sent: 4, statuses: [202, 202] });
    expect(relay.events.slice(before).map((e) => `${e.entity} ${e.externalId} ${e.deleted ? 'deleted' : 'changed'}`)).toEqual([`customer ${acme} changed`, `contact ${contact} changed`, `contact ${contact} deleted`]);
    expect(await sandbox.sendChangeEvents(relay.url, { secret: RELAY_SECRET })).toEqual({ sent: 0, statuses: [] });
    await expect(sandbox.sendChangeEvents('http://192.0.2.1/relay', { secret: RELAY_SECRET })).rejects.toThrow(/this machine only/);
  });
});

describe('Salesforce sandbox specifics', () => {
  let sandbox: SalesforceSandbox;
  let token: string;
  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ clientId: CLIENT_ID, clientSecret: SECRET, uniqueExternalId: false, countryPicklists: false });
    const res = await fetch(`${sandbox.url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET }) });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function soql(q: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${sandbox.url}/services/data/v67.0/query?${new URLSearchParams({ q })}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  }

  it('answers SOQL outside its grammar, unknown fields and quoted datetimes as Salesforce does', async () => {
    expect(await soql('SELECT Name FROM Account GROUP BY Name')).toMatchObject({ status: 400, body: [{ errorCode: 'MALFORMED_QUERY' }] });
    expect(await soql('SELECT Nope__c FROM Account')).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD', message: expect.stringContaining("No such column 'Nope__c' on entity 'Account'") }] });
    expect(await soql("SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01T00:00:00Z'")).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_QUERY_FILTER_OPERATOR' }] });
    expect(await soql('SELECT Id FROM Widget__c')).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_TYPE' }] });
    expect(await soql("SELECT Id, Name FROM Account WHERE Name = 'nobody' ORDER BY Name DESC NULLS LAST LIMIT 5")).toMatchObject({ status: 200, body: { totalSize: 0, done: true, records: [] } });
  });

  it('sObject Collections: at most 200 records, and allOrNone rolls every record back when one fails', async () => {
    const collection = (body: unknown) =>
      fetch(`${sandbox.url}/services/data/v67.0/composite/sobjects/Account/Qiao_Id__c`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const records = (n: number) => Array.from({ length: n }, (_, i) => ({ attributes: { type: 'Account' }, Name: `Bulk ${i}`, Qiao_Id__c: `cus_bulk_${i}` }));
    const tooMany = await collection({ allOrNone: false, records: records(201) });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject([{ errorCode: 'EXCEEDED_ID_LIMIT' }]);
    const rolledBack = await collection({ allOrNone: true, records: [...records(2), { attributes: { type: 'Account' }, Name: null, Qiao_Id__c: 'cus_bulk_x' }] });
    expect(rolledBack.status).toBe(200);
    expect(await rolledBack.json()).toEqual([
      { id: null, success: false, errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })] },
      { id: null, success: false, errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })] },
      { id: null, success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] }] },
    ]);
    expect(sandbox.records('Account').filter((a) => String(a.Qiao_Id__c).startsWith('cus_bulk_'))).toEqual([]);
    const typeError = await collection({ records: [{ attributes: { type: 'Account' }, Name: 'x', Qiao_Id__c: 'cus_t', AccountNumber: { nested: true } }] });
    expect(typeError.status).toBe(400);
    expect(await typeError.json()).toMatchObject([{ errorCode: 'JSON_PARSER_ERROR' }]);
  });

  it('an upsert on an external id two records share answers 300, which the connector reports as a conflict', async () => {
    sandbox.insert('Account', { Name: 'Twin A', Qiao_Id__c: 'cus_twin' });
    sandbox.insert('Account', { Name: 'Twin B', Qiao_Id__c: 'cus_twin' });
    const connector = salesforce.create(SalesforceConfig.parse({ loginUrl: sandbox.url, clientId: CLIENT_ID, clientSecret: SECRET, allowPrivateNetwork: true }));
    const [result] = (await connector.entities.customer?.sink?.upsert([{ idempotencyKey: 't', canonicalId: 'cus_twin', data: { Name: 'Twin', Qiao_Id__c: 'cus_twin' }, identity: { field: 'Qiao_Id__c', value: 'cus_twin' } }])) ?? [];
    expect(result).toMatchObject({ ok: false, error: { kind: 'conflict', status: 300 } });
    expect((await failure(connector.entities.customer?.sink?.findByIdentity('Qiao_Id__c', 'cus_twin') as Promise<unknown>)).kind).toBe('conflict');
    // Without country picklists the code lands in BillingCountry.
    const [created] = (await connector.entities.customer?.sink?.upsert([{ idempotencyKey: 'u', canonicalId: 'cus_uk', data: { Name: 'UK Ltd', BillingCountryCode: 'GB', Qiao_Id__c: 'cus_uk' }, identity: { field: 'Qiao_Id__c', value: 'cus_uk' } }])) ?? [];
    expect(sandbox.record('Account', created?.ok ? created.externalId : '')).toMatchObject({ BillingCountry: 'GB' });
  });
});
