
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { signTemplateWebhook } from '../../connectors/_template/webhooks';
import { startOdooSandbox } from '../sandboxes/odoo';
import { fmt, MEASURE_MS, printPhase, rps, runFixedRate, runPhase, sleep, startBenchQiao, WARMUP_MS } from './support';

const PRODUCTS = Number(process.argv[2] ?? 100_000);
const PHASES = new Set((process.argv[3] ?? 'webhooks,load').split(','));
/** Fixed rates the webhook latency is measured at, after the saturating run. */
const WEBHOOK_RATES = [1_000, 1_200];
const SECRET = 'whsec_bench_0123456789abcdef';
const ODOO_KEY = 'odoo-bench-key-0123456789';
const TIMEOUT_MS = 20 * 60_000;

/** Peak resident memory of a process (VmHWM), in MiB. */
function peakMemoryMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function main(): Promise<number> {
  console.log(`Qiao sync benchmark — node ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`);
  console.log(`webhooks: 32 clients, ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s; initial load: ${fmt(PRODUCTS)} products with stock`);
  const t0 = performance.now();
  const products = Array.from({ length: PRODUCTS }, (_, i) => ({ default_code: `P-${String(i).padStart(6, '0')}`, name: `Product ${i}`, list_price: 1 + (i % 100) / 4 }));
  const odoo = await startOdooSandbox({
    apiKey: ODOO_KEY,
    database: 'bench',
    login: 'admin',
    seed: { products, stock: products.map((p, i) => ({ sku: p.default_code, warehouse: 'WH', quantity: i % 500, reserved: i % 7 })) },
  });
  console.log(`sandbox seeded in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  const bench = await startBenchQiao('sync', { QIAO_BENCH_ODOO_KEY: ODOO_KEY }, TIMEOUT_MS);
  const { base, dataDir } = bench;
  const put = bench.putConnector;
  try {

    const baseline = await runPhase(base, () => ({ path: '/health' }));
    printPhase('a. GET /health (baseline)', baseline);

    const db = new SQLite(path.join(dataDir, 'qiao.db'), { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    if (PHASES.has('webhooks')) {
      await put('hooks', {
        type: 'template',
        config: { baseUrl: 'http://127.0.0.1:9/', apiToken: 'unused', webhookSecrets: [SECRET], allowPrivateNetwork: true },
        entities: { record: { direction: 'in', pollSeconds: 86_400 } },
      });
      let phase = 0;
      const signed = (client: number, seq: number) => {
        const id = `${phase}-${client}-${seq}`;
        const body = JSON.stringify({ events: [{ id: `evt-${id}`, type: 'record.updated', record: { id: `r-${id}`, updated_at: new Date().toISOString(), name: `Hook ${id}`, phone: '+4930123456' } }] });
        const at = Math.floor(Date.now() / 1000);
        return { path: '/webhooks/hooks', init: { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-template-timestamp': String(at), 'x-template-signature': signTemplateWebhook(SECRET, at, body) } } };
      };
      const drain = async () => {
        const drainStart = performance.now();
        while (count("select count(*) as n from inbox where status = 'pending'") > 0) await sleep(250);
        console.log(`   all ${fmt(count('select count(*) as n from inbox'))} events so far applied ${fmt((performance.now() - drainStart) / 1000, 1)} s after the load ended`);
      };
      const saturated = await runPhase(base, signed);
      printPhase('b. POST /webhooks (signed)', saturated, `   ${fmt(rps(saturated) / rps(baseline), 2)} × baseline; as fast as answered (32 clients)`);
      await drain();
      // The target is a latency at a rate: requests sent when due, latency counted from then.
      for (const rate of WEBHOOK_RATES) {
        phase++;
        const fixed = await runFixedRate(base, signed, rate);
        printPhase(`b${phase}. … at ${fmt(rate)}/s`, fixed, '   target ≥ 1,000 req/s with p99 ≤ 50 ms');
        await drain();
      }
    }
    if (!PHASES.has('load')) return 0;

    const loadStart = performance.now();
    await put('odoo', {
      type: 'odoo',
      config: { url: odoo.url, database: 'bench', apiKey: 'env:QIAO_BENCH_ODOO_KEY', allowPrivateNetwork: true, pageSize: 1000 },
      entities: { product: { direction: 'in', pollSeconds: 1 }, stock_level: { direction: 'in', pollSeconds: 1 } },
    });
    let last = '';
    for (;;) {
      const loaded = count('select count(*) as n from products');
      const stocked = count('select count(*) as n from stock_levels');
      const line = `   … ${fmt(loaded)} products, ${fmt(stocked)} stock levels`;
      if (line !== last && Math.round((performance.now() - loadStart) / 1000) % 10 === 0) console.log(line);
      last = line;
      if (loaded >= PRODUCTS && stocked >= PRODUCTS) break;
      await sleep(200);
    }
    const seconds = (performance.now() - loadStart) / 1000;
    console.log(`c. initial load ${fmt(PRODUCTS)} products with stock   ${fmt(PRODUCTS / seconds)} products/s   (${fmt(seconds, 1)} s; ${fmt((2 * PRODUCTS) / seconds)} source records/s)   target ≥ 2,000/s`);
    console.log(`   peak memory of the Qiao process (gateway + worker): ${fmt(peakMemoryMiB(bench.qiao.pid))} MiB`);
    db.close();
    return 0;
  } finally {
    await bench.stop();
    await odoo.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
