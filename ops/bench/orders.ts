
import os from 'node:os';
import { startHubspotSandbox } from '../sandboxes/hubspot';
import { startOdooSandbox } from '../sandboxes/odoo';
import { fmt, percentile, sleep, startBenchQiao } from './support';

const PRODUCTS = Number(process.argv[2] ?? 100_000);
const ORDERS = Number(process.argv[3] ?? 200);
const ODOO_KEY = 'odoo-bench-key-0123456789';
const HUBSPOT_TOKEN = 'pat-bench-0123456789abcdef';
const TIMEOUT_MS = 30 * 60_000;

async function main(): Promise<number> {
  console.log(`Qiao order-flow benchmark — node ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`);
  const storable = { type: 'consu', is_storable: true };
  const products = Array.from({ length: PRODUCTS }, (_, i) => ({ default_code: `P-${String(i).padStart(6, '0')}`, name: `Product ${i}`, list_price: 1 + (i % 100) / 4, ...storable }));
  const odoo = await startOdooSandbox({
    apiKey: ODOO_KEY,
    database: 'bench',
    login: 'admin',
    seed: { products, stock: products.map((p, i) => ({ sku: p.default_code, warehouse: 'WH', quantity: i % 500, reserved: i % 7 })) },
  });
  const hubspot = await startHubspotSandbox({ accessToken: HUBSPOT_TOKEN, seed: { companies: [{ name: 'Bench Buyer GmbH', domain: 'buyer.example' }] } });
  const bench = await startBenchQiao('orders', { QIAO_BENCH_ODOO_KEY: ODOO_KEY, QIAO_BENCH_HUBSPOT_TOKEN: HUBSPOT_TOKEN }, TIMEOUT_MS);
  const { base } = bench;
  const put = bench.putConnector;
  try {
    const every = (direction: string) => ({ direction, pollSeconds: 1 });

    // a. Stock push, end to end.
    const pushStart = performance.now();
    await put('hubspot', {
      type: 'hubspot',
      config: { baseUrl: hubspot.url, accessToken: 'env:QIAO_BENCH_HUBSPOT_TOKEN', webhookClientSecrets: [hubspot.clientSecret], allowPrivateNetwork: true },
      entities: { customer: every('in'), product: every('out'), order: every('both') },
    });
    await put('odoo', {
      type: 'odoo',
      config: { url: odoo.url, database: 'bench', apiKey: 'env:QIAO_BENCH_ODOO_KEY', allowPrivateNetwork: true, pageSize: 1000 },
      entities: { customer: every('both'), product: every('in'), stock_level: every('in'), order: every('both'), production_order: every('both') },
    });
    const withStock = () => hubspot.records('products').filter((p) => (p.properties as Record<string, unknown>).qiao_stock_as_of).length;
    for (let last = -1; ; ) {
      const n = withStock();
      if (n !== last && Math.round((performance.now() - pushStart) / 1000) % 10 === 0) console.log(`   … ${fmt(n)} HubSpot products with stock`);
      last = n;
      if (n >= PRODUCTS) break;
      await sleep(500);
    }
    const pushSeconds = (performance.now() - pushStart) / 1000;
    const batches = hubspot.requests.filter((r) => r.method === 'POST' && /\/products\/batch\/(upsert|update)$/.test(r.path));
    const largest = Math.max(0, ...batches.map((r) => (Array.isArray((r.body as { inputs?: unknown[] })?.inputs) ? (r.body as { inputs: unknown[] }).inputs.length : 0)));
    console.log(`a. stock of ${fmt(PRODUCTS)} products from Odoo onto HubSpot   ${fmt(PRODUCTS / pushSeconds)} products/s   (${fmt(pushSeconds, 1)} s end to end; ${fmt(batches.length)} batch calls, at most ${largest} records each)`);

    // a2. A stock change of one product in ten: only those reach HubSpot, in full batches.
    const changed = products.filter((_, i) => i % 10 === 0);
    const callsBefore = batches.length;
    const changeStart = performance.now();
    for (const [n, p] of changed.entries()) odoo.setStock(p.default_code, 'WH', { quantity: 1000 + n, reserved: 0 });
    const bySku = () => new Map(hubspot.records('products').map((r) => [(r.properties as Record<string, unknown>).hs_sku, (r.properties as Record<string, unknown>).qiao_stock_on_hand]));
    for (;;) {
      const now = bySku();
      if (changed.every((p, n) => String(now.get(p.default_code)) === String(1000 + n))) break;
      if (performance.now() - changeStart > 20 * 60_000) throw new Error('the stock change did not reach HubSpot within 20 minutes');
      await sleep(500);
    }
    const changeSeconds = (performance.now() - changeStart) / 1000;
    const changeCalls = hubspot.requests.filter((r) => r.method === 'POST' && /\/products\/batch\/(upsert|update)$/.test(r.path)).length - callsBefore;
    console.log(`a2. stock change of ${fmt(changed.length)} of the ${fmt(PRODUCTS)} products, Odoo → HubSpot   ${fmt(changed.length / changeSeconds)} products/s   (${fmt(changeSeconds, 1)} s end to end; ${fmt(changeCalls)} batch calls: only changed products are sent)`);

    // b. Order latency: wait for the company to be an Odoo partner, then win deals one by one.
    for (let i = 0; odoo.records('res.partner', { domain: [['name', '=', 'Bench Buyer GmbH']] }).length === 0; i++) {
      if (i > 600) throw new Error('the HubSpot company never reached Odoo');
      await sleep(100);
    }
    const latencies: number[] = [];
    const skus = ['P-000010', 'P-000020', 'P-000030'];
    for (let i = 0; i < ORDERS; i++) {
      const before = odoo.records('sale.order').length;
      const { dealId } = hubspot.createDeal({ company: 'Bench Buyer GmbH', dealname: `Bench deal ${i}`, lines: [{ sku: skus[i % skus.length] as string, quantity: 1 + (i % 3) }] });
      hubspot.winDeal(dealId);
      const events = hubspot.takeEvents().filter((e) => String(e.subscriptionType).startsWith('deal.'));
      const sent = performance.now();
      await hubspot.sendWebhooks(`${base}/webhooks/hubspot`, events);
      for (;;) {
        const orders = odoo.records('sale.order', { fields: ['state'] });
        if (orders.length > before && orders.some((o) => o.state === 'sale' && Number(o.id) > before)) break;
        if (performance.now() - sent > 120_000) throw new Error(`order ${i} did not reach Odoo within 2 minutes`);
        await sleep(5);
      }
      latencies.push(performance.now() - sent);
    }
    latencies.sort((a, b) => a - b);
    if (process.env.QIAO_BENCH_DECILES) console.log(`   deciles: ${[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((q) => fmt(percentile(latencies, q))).join(" ")} ms`);
    console.log(`b. won deal (signed webhook) → confirmed sales order in Odoo, ${ORDERS} orders one after another   p50 ${fmt(percentile(latencies, 0.5))} ms   p99 ${fmt(percentile(latencies, 0.99))} ms   max ${fmt(latencies.at(-1) ?? Number.NaN)} ms`);
    console.log(`   Odoo sales orders: ${fmt(odoo.records('sale.order').length)} for ${ORDERS} deals`);
    return 0;
  } finally {
    await bench.stop();
    await odoo.stop();
    await hubspot.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
