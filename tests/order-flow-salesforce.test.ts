// Orders end to end from Salesforce on a real Temporal dev server: an Order activated in the Salesforce
// sandbox, reported by a Change Data Capture relay (twice), becomes one confirmed sales order in the
// Odoo sandbox and one production order for what stock lacks, whatever Odoo's outage; the Order then
// shows the promised date and the status as the ERP moves it, and the relay's echoes of Qiao's own
// writes change nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { signSalesforceRelay } from '../connectors/salesforce/webhooks';
import type { OdooSandbox } from '../ops/sandboxes/odoo';
import { type ChangeEventMessage, type SalesforceSandbox, startSalesforceSandbox } from '../ops/sandboxes/salesforce';
import { daysFromToday, disposeFlowHub, ERP_ENTITIES, flowOdooConnector, startFlowOdoo } from './support/flow';
import { createTestHub, eventually, type TestHub } from './support/hub';

const ODOO_KEY = 'sfflow-odoo-key-0123456789';
const SF_CLIENT_ID = 'sfflow-consumer-key';
const SF_SECRET = 'sfflow-consumer-secret-0123456789';
const RELAY_SECRET = 'sfflow-relay-secret-0123456789';
process.env.QIAO_SFFLOW_ODOO_KEY = ODOO_KEY;
process.env.QIAO_SFFLOW_SF_SECRET = SF_SECRET;
process.env.QIAO_SFFLOW_RELAY_SECRET = RELAY_SECRET;

interface Flow {
  odoo: OdooSandbox;
  sf: SalesforceSandbox;
  hub: TestHub;
  /** Qiao's relay endpoint for the Salesforce connector. */
  webhook: string;
}

const open: Flow[] = [];
// Named apart from other suites' connectors: schedules and workflow ids are per connector name, and
// every suite shares one Temporal dev server.
const ERP = 'sfflow-odoo';
const CRM = 'sfflow-salesforce';
const ENTITIES = { [ERP]: ERP_ENTITIES, [CRM]: ['customer', 'product', 'order'] };
const ACCOUNT = 'Contoso Ltd';

async function setup(): Promise<Flow> {
  const odoo = await startFlowOdoo(ODOO_KEY);
  const sf = await startSalesforceSandbox({
    clientId: SF_CLIENT_ID,
    clientSecret: SF_SECRET,
    seed: { accounts: [{ Name: ACCOUNT, Phone: '+44 20 7946 0000', BillingCity: 'London', BillingCountryCode: 'GB' }] },
  });
  const hub = await createTestHub('sqlite', { listen: true });
  const flow = { odoo, sf, hub, webhook: `${hub.url}/webhooks/${CRM}` };
  open.push(flow);
  await hub.startWorker();
  const every = (direction: string, pollSeconds = 1) => ({ direction, pollSeconds });
  for (const [name, body] of [
    [ERP, flowOdooConnector(odoo, 'QIAO_SFFLOW_ODOO_KEY')],
    [
      CRM,
      {
        type: 'salesforce',
        config: { loginUrl: sf.url, clientId: SF_CLIENT_ID, clientSecret: 'env:QIAO_SFFLOW_SF_SECRET', webhookSecrets: ['env:QIAO_SFFLOW_RELAY_SECRET'], allowPrivateNetwork: true },
        // Orders polled once an hour only: within the test, the relay is what brings them in.
        entities: { customer: every('in'), product: every('out'), order: every('both', 3_600) },
      },
    ],
  ] as const) {
    const res = await hub.call('admin', 'PUT', `/v1/connectors/${name}`, body);
    expect(res.status, await res.clone().text()).toBe(200);
  }
  // The ERP's products reach Salesforce with their stock, and the CRM's account reaches the ERP.
  await eventually(async () => (sf.records('Product2').filter((p) => p.Qiao_Stock_On_Hand__c !== null && p.Qiao_Stock_On_Hand__c !== undefined).length === 2 ? true : undefined), 90_000, 'the products with stock in Salesforce');
  await eventually(async () => (odoo.records('res.partner', { domain: [['name', '=', ACCOUNT]] }).length === 1 ? true : undefined), 90_000, 'the account to reach Odoo');
  return flow;
}

afterEach(async () => {
  for (const { odoo, sf, hub } of open.splice(0)) {
    await disposeFlowHub(hub, ENTITIES);
    await odoo.stop();
    await sf.stop();
  }
});

/** Posts change events as the relay does (signed, `{"events": [...]}`), e.g. again after a lost answer. */
async function relay(flow: Flow, events: ChangeEventMessage[]): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify({ events });
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(flow.webhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-qiao-relay-timestamp': String(timestamp), 'x-qiao-relay-signature': signSalesforceRelay(RELAY_SECRET, timestamp, body) },
    body,
  });
  return { status: res.status, body: await res.json() };
}

/** An Order made and activated in Lightning, with its lines; returns its id and the change events it caused. */
function activateOrder(flow: Flow, lines: { sku: string; quantity: number; unitPrice: number }[]): { orderId: string; events: ChangeEventMessage[] } {
  const mark = flow.sf.changeEvents.length;
  const accountId = flow.sf.records('Account').find((a) => a.Name === ACCOUNT)?.Id as string;
  const orderId = flow.sf.insert('Order', { AccountId: accountId, EffectiveDate: daysFromToday(0), Status: 'Draft', Description: 'Gears and bolts' });
  for (const line of lines) flow.sf.addLine(orderId, { productCode: line.sku, quantity: line.quantity, unitPrice: line.unitPrice });
  flow.sf.activateOrder(orderId);
  return { orderId, events: flow.sf.changeEvents.slice(mark) };
}

const isOurs = (e: ChangeEventMessage) => /;client=qiao$/.test(e.ChangeEventHeader.changeOrigin ?? '');
const order = (flow: Flow, id: string): Record<string, unknown> => flow.sf.record('Order', id) ?? {};

/** An Order stock covers, activated and relayed, until Qiao has written back its status and promised date. */
async function confirmSmallOrder(flow: Flow): Promise<{ orderId: string; events: ChangeEventMessage[] }> {
  expect((await flow.sf.sendChangeEvents(flow.webhook, { secret: RELAY_SECRET })).statuses.every((s) => s === 202)).toBe(true);
  const activated = activateOrder(flow, [{ sku: 'BOLT-M8', quantity: 10, unitPrice: 1.2 }]);
  expect(await relay(flow, activated.events)).toMatchObject({ status: 202, body: { accepted: activated.events.filter((e) => e.ChangeEventHeader.entityName === 'Order').length } });
  // Enough stock: confirmed, promised for the delivery days.
  await eventually(
    async () => (order(flow, activated.orderId).Qiao_Status__c === 'confirmed' && order(flow, activated.orderId).Qiao_Promised_Date__c === daysFromToday(2) ? true : undefined),
    90_000,
    'the status and promised date on the Order',
  );
  // The sales order is another delivery, independent of the write-back: it may come a moment later.
  await eventually(async () => (flow.odoo.records('sale.order', { fields: ['state'] }).some((o) => o.state === 'sale') ? true : undefined), 90_000, 'the confirmed sales order in Odoo');
  expect(flow.odoo.records('sale.order', { fields: ['state'] })).toEqual([expect.objectContaining({ state: 'sale' })]);
  return activated;
}

describe('an Order activated in Salesforce through the ERP and back', () => {
  it('one sales order and one production order for the shortfall, whatever the duplicate relay posts and the outage; the Order follows the ERP to paid', async () => {
    const flow = await setup();
    const { odoo, sf, hub } = flow;
    // Stock as the ERP has it, with its "as of" time: 12 on hand, 2 of them reserved.
    const gear = sf.records('Product2').find((p) => p.ProductCode === 'GEAR-40');
    expect(gear).toMatchObject({ Name: 'Gear 40 teeth', IsActive: true, Qiao_Stock_On_Hand__c: 12, Qiao_Stock_Available__c: 10, Qiao_Stock_Incoming__c: 0, Qiao_Stock_As_Of__c: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(sf.records('Product2').find((p) => p.ProductCode === 'BOLT-M8')).toMatchObject({ Qiao_Stock_On_Hand__c: 500, Qiao_Stock_Available__c: 500 });
    // What the relay had so far (the account's creation, the echoes of Qiao's product writes) is delivered.
    const earlier = await sf.sendChangeEvents(flow.webhook, { secret: RELAY_SECRET });
    expect(earlier.statuses.every((s) => s === 202)).toBe(true);

    // Odoo answers 503 to the next calls, then recovers.
    odoo.failNext(3, 503);
    const { orderId, events } = activateOrder(flow, [
      { sku: 'GEAR-40', quantity: 25, unitPrice: 48.5 },
      { sku: 'BOLT-M8', quantity: 100, unitPrice: 1.2 },
    ]);
    // The same relay post twice (the relay did not see the first answer): the second adds nothing.
    const orderChanges = events.filter((e) => e.ChangeEventHeader.entityName === 'Order').length;
    expect(orderChanges).toBeGreaterThanOrEqual(2);
    expect(await relay(flow, events)).toEqual({ status: 202, body: { accepted: orderChanges, duplicates: 0 } });
    expect(await relay(flow, events)).toEqual({ status: 202, body: { accepted: 0, duplicates: orderChanges } });

    const [sale] = await eventually(async () => {
      const orders = odoo.records('sale.order', { fields: ['name', 'state', 'partner_id', 'order_line'] });
      return orders.length > 0 && orders[0]?.state === 'sale' ? orders : undefined;
    }, 90_000, 'a confirmed sales order in Odoo');
    const lines = odoo.records('sale.order.line', { fields: ['product_uom_qty', 'price_unit'], domain: [['order_id', '=', sale?.id]] });
    expect(lines.map((l) => [l.product_uom_qty, l.price_unit]).sort()).toEqual([[100, 1.2], [25, 48.5]]);
    const productions = await eventually(async () => {
      const mos = odoo.records('mrp.production', { fields: ['product_id', 'product_qty', 'state'] });
      return mos.length > 0 ? mos : undefined;
    }, 90_000, 'a production order in Odoo');
    expect(productions).toHaveLength(1);
    expect(productions[0]).toMatchObject({ product_qty: 15 });

    // The Order shows the promised date (production lead time) and the status as it moves.
    await eventually(async () => (order(flow, orderId).Qiao_Promised_Date__c === daysFromToday(10) ? true : undefined), 90_000, 'the promised date on the Order');
    await eventually(async () => (order(flow, orderId).Qiao_Status__c === 'in_production' ? true : undefined), 90_000, 'in_production on the Order');
    odoo.finishProduction(productions[0]?.id as number);
    odoo.shipOrder(sale?.id as number);
    await eventually(async () => (order(flow, orderId).Qiao_Status__c === 'shipped' ? true : undefined), 90_000, 'shipped on the Order');
    odoo.invoiceOrder(sale?.id as number, { paid: true });
    await eventually(async () => (order(flow, orderId).Qiao_Status__c === 'paid' ? true : undefined), 90_000, 'paid on the Order');
    // Salesforce's own status is left as sales set it.
    expect(order(flow, orderId)).toMatchObject({ Status: 'Activated', Qiao_Promised_Date__c: daysFromToday(10) });

    // Exactly one of each, after all of that.
    expect(odoo.records('sale.order')).toHaveLength(1);
    expect(odoo.records('mrp.production')).toHaveLength(1);
    expect(odoo.requests.filter((r) => r.model === 'sale.order' && r.method === 'create')).toHaveLength(1);
    const orders = (await (await hub.call('sales', 'GET', '/v1/orders')).json()) as { items: { status: string; promisedDate: string; number: string }[] };
    expect(orders.items).toEqual([expect.objectContaining({ status: 'paid', promisedDate: daysFromToday(10), number: order(flow, orderId).OrderNumber })]);
    // Odoo's outage happened (and was ridden out).
    expect(odoo.requests.filter((r) => r.status === 503)).toHaveLength(3);
    // Qiao only updated the Order's header, by Id, with its own two fields; it never created an order.
    const orderWrites = sf.requests.filter((r) => r.method !== 'GET' && (r.path.includes('/Order') || JSON.stringify(r.body ?? null).includes('"type":"Order"')));
    expect(orderWrites.length).toBeGreaterThan(0);
    for (const write of orderWrites) {
      expect(`${write.method} ${write.path} ${write.callOptions}`).toBe(`PATCH /services/data/v67.0/sobjects/Order/${orderId} client=qiao`);
      expect(Object.keys(write.body as object).every((field) => ['Qiao_Status__c', 'Qiao_Promised_Date__c'].includes(field))).toBe(true);
    }
  }, 300_000);

  it("the relay's echoes of Qiao's own writes (client=qiao) are dropped: nothing enters the inbox, no second order", async () => {
    const flow = await setup();
    const { odoo, sf, hub } = flow;
    const { orderId, events } = await confirmSmallOrder(flow);

    // Every change since is Qiao's own write (the Order's status and promised date, stock on products),
    // and Salesforce says so in changeOrigin.
    const echoes = sf.changeEvents.slice(sf.changeEvents.indexOf(events.at(-1) as ChangeEventMessage) + 1);
    expect(echoes.every(isOurs)).toBe(true);
    expect(echoes.some((e) => e.ChangeEventHeader.entityName === 'Order' && e.ChangeEventHeader.recordIds.includes(orderId) && e.ChangeEventHeader.changedFields.includes('Qiao_Status__c'))).toBe(true);
    const inbox = () => hub.store.db.selectFrom('inbox').select(['id']).where('connector', '=', CRM).execute();
    const inboxBefore = (await inbox()).length;

    // Relayed: taken (202), and neither kept nor counted as duplicates: dropped as Qiao's own.
    expect(await relay(flow, echoes)).toEqual({ status: 202, body: { accepted: 0, duplicates: 0 } });
    expect(await inbox()).toHaveLength(inboxBefore);
    expect(odoo.records('sale.order')).toHaveLength(1);
    expect(odoo.requests.filter((r) => r.model === 'sale.order' && r.method === 'create')).toHaveLength(1);
    expect(((await (await hub.call('sales', 'GET', '/v1/orders')).json()) as { items: unknown[] }).items).toHaveLength(1);
  }, 240_000);

  it("a sales rep's edit of the Order after Qiao's write-back reaches Qiao: only Qiao's own changes are echoes", async () => {
    const flow = await setup();
    const { sf, hub } = flow;
    const { orderId } = await confirmSmallOrder(flow);
    // Made at once: its relay post may reach the apply that took the activation while it records its
    // run, and must be applied all the same (the run signalled then starts a new one).
    const mark = sf.changeEvents.length;
    sf.update('Order', orderId, { Description: 'Gears and bolts, deliver to gate 2' });
    expect(await relay(flow, sf.changeEvents.slice(mark))).toEqual({ status: 202, body: { accepted: 1, duplicates: 0 } });
    const orders = await eventually(async () => {
      const body = (await (await hub.call('sales', 'GET', '/v1/orders')).json()) as { items: { notes?: string; status: string }[] };
      return body.items[0]?.notes === 'Gears and bolts, deliver to gate 2' ? body.items : undefined;
    }, 90_000, "the rep's new description as the order's notes in Qiao");
    expect(orders).toEqual([expect.objectContaining({ status: 'confirmed' })]);
  }, 240_000);
});
