// Orders end to end on a real Temporal dev server: a deal won in the HubSpot sandbox becomes one
// canonical order and one confirmed sales order in the Odoo sandbox, a production order for what stock
// lacks, and its status (and promised date) flows back to the deal — whatever duplicates, lost answers,
// outages and unknown SKUs happen on the way.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type HubspotSandbox, startHubspotSandbox } from '../ops/sandboxes/hubspot';
import type { OdooSandbox } from '../ops/sandboxes/odoo';
import { daysFromToday, disposeFlowHub, ERP_ENTITIES, flowOdooConnector, startFlowOdoo } from './support/flow';
import { createTestHub, eventually, type TestHub } from './support/hub';
import { type QiaoProcess, spawnQiao } from './support/processes';

const ODOO_KEY = 'flow-odoo-key-0123456789';
const HUBSPOT_TOKEN = 'pat-flow-0123456789abcdef';
process.env.QIAO_FLOW_ODOO_KEY = ODOO_KEY;
process.env.QIAO_FLOW_HUBSPOT_TOKEN = HUBSPOT_TOKEN;

interface Flow {
  odoo: OdooSandbox;
  hubspot: HubspotSandbox;
  hub: TestHub;
  /** The worker, when it runs as its own process (`qiao worker`) so a test can kill it. */
  worker?: QiaoProcess;
}

/** `qiao worker` in a process of its own, on the hub's task queue and database. */
function spawnWorker(hub: TestHub): QiaoProcess {
  return spawnQiao('worker', {
    ...hub.store.env,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    QIAO_TASK_QUEUE: hub.taskQueue,
    QIAO_FLOW_ODOO_KEY: ODOO_KEY,
    QIAO_FLOW_HUBSPOT_TOKEN: HUBSPOT_TOKEN,
  });
}

const open: Flow[] = [];
// Named apart from other suites' connectors: schedules and workflow ids are per connector name, and
// every suite shares one Temporal dev server.
const ERP = 'flow-odoo';
const CRM = 'flow-hubspot';
const ENTITIES = { [ERP]: ERP_ENTITIES, [CRM]: ['customer', 'product', 'order'] };

async function setup(options: { fetch?: typeof fetch; dialect?: 'sqlite' | 'postgres'; childWorker?: boolean } = {}): Promise<Flow> {
  const odoo = await startFlowOdoo(ODOO_KEY);
  const hubspot = await startHubspotSandbox({ accessToken: HUBSPOT_TOKEN, seed: { companies: [{ name: 'Northwind Traders', domain: 'northwind.example' }] } });
  const hub = await createTestHub(options.dialect ?? 'sqlite', { listen: true, fetch: options.fetch });
  const worker = options.childWorker ? spawnWorker(hub) : undefined;
  open.push({ odoo, hubspot, hub, worker });
  if (!worker) await hub.startWorker();
  const every = (direction: string) => ({ direction, pollSeconds: 1 });
  for (const [name, body] of [
    [ERP, flowOdooConnector(odoo, 'QIAO_FLOW_ODOO_KEY')],
    [
      CRM,
      {
        type: 'hubspot',
        config: { baseUrl: hubspot.url, accessToken: 'env:QIAO_FLOW_HUBSPOT_TOKEN', webhookClientSecrets: [hubspot.clientSecret], allowPrivateNetwork: true },
        entities: { customer: every('in'), product: every('out'), order: every('both') },
      },
    ],
  ] as const) {
    const res = await hub.call('admin', 'PUT', `/v1/connectors/${name}`, body);
    expect(res.status, await res.clone().text()).toBe(200);
  }
  // The ERP's products reach HubSpot (with stock), and the CRM's company reaches the ERP.
  await eventually(async () => (hubspot.records('products').length >= 2 ? true : undefined), 90_000, 'the products to be pushed to HubSpot');
  await eventually(async () => (odoo.records('res.partner', { domain: [['name', '=', 'Northwind Traders']] }).length === 1 ? true : undefined), 90_000, 'the company to reach Odoo');
  return { odoo, hubspot, hub, worker };
}

afterEach(async () => {
  for (const { odoo, hubspot, hub, worker } of open.splice(0)) {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await disposeFlowHub(hub, ENTITIES);
    await odoo.stop();
    await hubspot.stop();
  }
});

const props = (hubspot: HubspotSandbox, type: 'deals' | 'products', id: string) => (hubspot.record(type, id)?.properties ?? {}) as Record<string, string | null | undefined>;


/** Wins a new deal and delivers its webhooks `times` times (the same events: HubSpot retrying). */
async function winDeal(flow: Flow, lines: { sku: string; quantity: number }[], times = 1): Promise<string> {
  const { dealId } = flow.hubspot.createDeal({ company: 'Northwind Traders', dealname: `Deal ${Date.now()}`, lines });
  flow.hubspot.winDeal(dealId);
  const events = flow.hubspot.takeEvents();
  for (let i = 0; i < times; i++) {
    const answers = await flow.hubspot.sendWebhooks(`${flow.hub.url}/webhooks/${CRM}`, events);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
  }
  return dealId;
}

describe('a won deal through the ERP and back', () => {
  it('one sales order and one production order for the shortfall, whatever the duplicates and the outage; the deal follows the order to paid', async () => {
    const flow = await setup();
    const { odoo, hubspot, hub } = flow;
    const gear = hubspot.records('products').find((p) => (p.properties as Record<string, unknown>).hs_sku === 'GEAR-40');
    expect(gear?.properties).toMatchObject({ qiao_stock_on_hand: '12', qiao_stock_available: '10' });

    // (c) Odoo answers 503 to the next calls, then recovers.
    odoo.failNext(3, 503);
    // (a) The same webhooks three times.
    const dealId = await winDeal(flow, [{ sku: 'GEAR-40', quantity: 25 }, { sku: 'BOLT-M8', quantity: 100 }], 3);

    const [sale] = await eventually(async () => {
      const orders = odoo.records('sale.order', { fields: ['name', 'state', 'client_order_ref', 'order_line'] });
      return orders.length > 0 && orders[0]?.state === 'sale' ? orders : undefined;
    }, 90_000, 'a confirmed sales order in Odoo');
    const productions = await eventually(async () => {
      const mos = odoo.records('mrp.production', { fields: ['product_id', 'product_qty', 'state', 'origin'] });
      return mos.length > 0 ? mos : undefined;
    }, 90_000, 'a production order in Odoo');
    expect(productions).toHaveLength(1);
    expect(productions[0]).toMatchObject({ product_qty: 15 });

    // The deal shows the promised date (production lead time) and the order's status as it moves.
    await eventually(async () => (props(hubspot, 'deals', dealId).qiao_promised_date === daysFromToday(10) ? true : undefined), 90_000, 'the promised date on the deal');
    await eventually(async () => (props(hubspot, 'deals', dealId).qiao_order_status === 'in_production' ? true : undefined), 90_000, 'in_production on the deal');
    odoo.finishProduction(productions[0]?.id as number);
    odoo.shipOrder(sale?.id as number);
    await eventually(async () => (props(hubspot, 'deals', dealId).qiao_order_status === 'shipped' ? true : undefined), 90_000, 'shipped on the deal');
    odoo.invoiceOrder(sale?.id as number, { paid: true });
    await eventually(async () => (props(hubspot, 'deals', dealId).qiao_order_status === 'paid' ? true : undefined), 90_000, 'paid on the deal');

    // Exactly one of each, after all of that.
    expect(odoo.records('sale.order')).toHaveLength(1);
    expect(odoo.records('mrp.production')).toHaveLength(1);
    expect(odoo.requests.filter((r) => r.model === 'sale.order' && r.method === 'create')).toHaveLength(1);
    const orders = (await (await hub.call('sales', 'GET', '/v1/orders')).json()) as { items: { status: string; promisedDate: string }[] };
    expect(orders.items).toEqual([expect.objectContaining({ status: 'paid', promisedDate: daysFromToday(10) })]);
  }, 300_000);

  it('(b) a sales order Odoo accepted but whose answer was lost is found again, never made twice', async () => {
    let lost = 0;
    const loseFirstOrderAnswer: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/json/2/sale.order/create') && lost === 0) {
        lost++;
        throw new TypeError('fetch failed: the connection closed before the answer arrived');
      }
      return res;
    };
    const flow = await setup({ fetch: loseFirstOrderAnswer });
    await winDeal(flow, [{ sku: 'BOLT-M8', quantity: 10 }]);
    // The delivery is retried: the order is found by its client_order_ref and confirmed, not made again.
    await eventually(async () => (flow.odoo.records('sale.order', { fields: ['state'] }).some((o) => o.state === 'sale') ? true : undefined), 90_000, 'the sales order to be confirmed');
    expect(lost).toBe(1);
    const linked = await flow.hub.store.db.selectFrom('links').selectAll().where('connector', '=', ERP).where('entity', '=', 'order').execute();
    expect(linked).toHaveLength(1);
    expect(flow.odoo.records('sale.order', { fields: ['state'] })).toEqual([{ id: Number(linked[0]?.external_id), state: 'sale' }]);
    expect(flow.odoo.requests.filter((r) => r.model === 'sale.order' && r.method === 'create')).toHaveLength(1);
    expect(flow.odoo.records('mrp.production')).toEqual([]);
  });

  it('(b) the worker process killed after Odoo accepted the sales order, before the link was saved: one order, confirmed', async () => {
    // PostgreSQL: the worker process and this test's gateway share the store.
    const flow = await setup({ dialect: 'postgres', childWorker: true });
    const { child, exited } = flow.worker as QiaoProcess;
    // Odoo carries out the create; the worker dies (SIGKILL: no cleanup, no answer read) right then.
    flow.odoo.loseNextAnswers(1, { model: 'sale.order', method: 'create', onLost: () => child.kill('SIGKILL') });
    const dealId = await winDeal(flow, [{ sku: 'BOLT-M8', quantity: 10 }]);
    expect((await exited).signal).toBe('SIGKILL');
    expect(flow.odoo.records('sale.order', { fields: ['state'] })).toEqual([{ id: expect.any(Number), state: 'draft' }]);
    expect(await flow.hub.store.db.selectFrom('links').selectAll().where('connector', '=', ERP).where('entity', '=', 'order').execute()).toEqual([]);

    // Another worker takes over: Temporal retries the attempt once its heartbeats stop, the effect
    // ledger's claim makes the retry read back, and the order found is confirmed, not made again.
    await flow.hub.startWorker();
    await eventually(async () => (flow.odoo.records('sale.order', { fields: ['state'] }).some((o) => o.state === 'sale') ? true : undefined), 90_000, 'the sales order to be confirmed');
    await eventually(async () => (props(flow.hubspot, 'deals', dealId).qiao_order_status === 'confirmed' ? true : undefined), 90_000, 'confirmed on the deal');
    const linked = await flow.hub.store.db.selectFrom('links').selectAll().where('connector', '=', ERP).where('entity', '=', 'order').execute();
    expect(linked).toHaveLength(1);
    expect(flow.odoo.records('sale.order', { fields: ['state'] })).toEqual([{ id: Number(linked[0]?.external_id), state: 'sale' }]);
    expect(flow.odoo.requests.filter((r) => r.model === 'sale.order' && r.method === 'create')).toHaveLength(1);
  }, 240_000);

  it('(d) a line with an SKU nobody knows is parked with the reason, and replayed once the ERP has the product', async () => {
    const flow = await setup();
    flow.hubspot.create('products', { name: 'Widget 9', hs_sku: 'WIDGET-9', price: '12.5' });
    await winDeal(flow, [{ sku: 'WIDGET-9', quantity: 4 }]);
    const letter = await eventually(
      () => flow.hub.store.db.selectFrom('dead_letters').selectAll().where('connector', '=', CRM).where('entity', '=', 'order').executeTakeFirst(),
      90_000,
      'the order to be parked',
    );
    expect(letter.reason).toContain('WIDGET-9');
    expect(flow.odoo.records('sale.order')).toEqual([]);

    flow.odoo.create('product.product', { default_code: 'WIDGET-9', name: 'Widget 9', list_price: 12.5, type: 'consu', is_storable: true });
    flow.odoo.setStock('WIDGET-9', 'WH', { quantity: 10 });
    // With its stock: planned before its stock level arrives, the order would get a production order.
    await eventually(async () => {
      const res = await flow.hub.call('viewer', 'GET', '/v1/products/WIDGET-9');
      return res.status === 200 && ((await res.json()) as { stockLevels: { onHand: string }[] }).stockLevels[0]?.onHand === '10' ? true : undefined;
    }, 90_000, 'the product and its stock to arrive from Odoo');
    // Every parked report of the deal (the webhook's events and the poll's) is replayed, as IT would.
    const replay = await flow.hub.call('admin', 'POST', '/v1/dead-letters/replay', { connector: CRM, entity: 'order' });
    expect(replay.status, await replay.clone().text()).toBeLessThan(300);
    await eventually(async () => ((await (await flow.hub.call('viewer', 'GET', '/v1/orders')).json()) as { items: unknown[] }).items[0], 90_000, 'the replayed order in Qiao');
    const [sale] = await eventually(async () => {
      const orders = flow.odoo.records('sale.order', { fields: ['state'] });
      return orders.length ? orders : undefined;
    }, 90_000, 'the replayed order in Odoo');
    expect(sale).toMatchObject({ state: 'sale' });
    expect(flow.odoo.records('mrp.production')).toEqual([]);
  }, 240_000);
});
