// Benchmark of the CRM core: starts Qiao on its embedded default and prints the throughput and latency of /health, customer reads and writes, and bulk upserts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../temporal-cli';
import { CLIENTS, fmt, MEASURE_MS, printPhase, rps, runPhase, sleep, spawnQiao, WARMUP_MS } from './support';

const SEED_CUSTOMERS = 1_000;
const BULK_REQUESTS = 10;
const BULK_RECORDS_PER_REQUEST = 10_000;
const POLL_MS = 200;
const OVERALL_TIMEOUT_MS = 10 * 60_000;
const TARGETS = 'target: ≥ 2,000 GET/s with p99 < 25 ms; ≥ 5,000 records/s bulk';
const FINISHED_STATUSES = new Set(['succeeded', 'partially_succeeded', 'failed']);


/** Creates `count` customers with CLIENTS concurrent POSTs and returns their ids; any error aborts. */
async function seedCustomers(base: string, headers: Record<string, string>, tag: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const body = JSON.stringify({ name: `Seed ${i}`, number: `S-${tag}-${i}`, emails: [`s${i}@example.com`], phones: ['+4915112345678'] });
      const res = await fetch(`${base}/v1/customers`, { method: 'POST', headers, body });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`seeding: POST /v1/customers answered ${res.status}: ${text}`);
      ids.push((JSON.parse(text) as { id: string }).id);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  return ids;
}

interface RunOutcome {
  status: string;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  error: string | null;
}

/** Sends the chunks to the bulk endpoint one after another, then polls their runs until all finished. */
async function bulkUpsert(base: string, headers: Record<string, string>, chunks: object[][]): Promise<string> {
  const records = chunks.reduce((n, c) => n + c.length, 0);
  const t0 = performance.now();
  const runIds: string[] = [];
  for (const chunk of chunks) {
    const res = await fetch(`${base}/v1/customers/bulk`, { method: 'POST', headers, body: JSON.stringify({ records: chunk }) });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`POST /v1/customers/bulk answered ${res.status}: ${text}`);
    runIds.push((JSON.parse(text) as { runId: string }).runId);
  }
  const accepted = performance.now();
  const runs = new Map<string, RunOutcome>();
  while (runs.size < runIds.length) {
    await sleep(POLL_MS);
    for (const id of runIds) {
      if (runs.has(id)) continue;
      const res = await fetch(`${base}/v1/runs/${id}`, { headers });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET /v1/runs/${id} answered ${res.status}: ${text}`);
      const run = JSON.parse(text) as RunOutcome;
      if (FINISHED_STATUSES.has(run.status)) runs.set(id, run);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const outcomes = [...runs.values()];
  const statuses = new Map<string, number>();
  for (const run of outcomes) statuses.set(run.status, (statuses.get(run.status) ?? 0) + 1);
  const sum = (field: 'created' | 'updated' | 'unchanged' | 'rejected') => fmt(outcomes.reduce((n, r) => n + r[field], 0));
  const runErrors = outcomes.flatMap((r) => (r.error ? [`\n    run error: ${r.error}`] : []));
  return (
    `${fmt(records / seconds).padStart(7)} records/s   ${fmt(records)} records in ${fmt(seconds, 1)} s (${chunks.length} POSTs accepted in ${fmt((accepted - t0) / 1000, 1)} s)\n` +
    `    statuses: ${[...statuses].map(([s, n]) => `${s} ×${n}`).join(', ')}; created ${sum('created')}, updated ${sum('updated')}, unchanged ${sum('unchanged')}, rejected ${sum('rejected')}${runErrors.join('')}`
  );
}

async function bench(base: string, token: string): Promise<void> {
  const auth = { authorization: `Bearer ${token}` };
  const jsonAuth = { ...auth, 'content-type': 'application/json' };
  const tag = randomBytes(4).toString('hex');

  const health = await runPhase(base, () => ({ path: '/health' }));
  printPhase('a. GET /health (baseline)', health);

  const ids = await seedCustomers(base, jsonAuth, tag, SEED_CUSTOMERS);
  const read = await runPhase(base, (client, seq) => ({ path: `/v1/customers/${ids[(client * 7919 + seq) % ids.length]}`, init: { headers: auth } }));
  printPhase('b. GET /v1/customers/{id}', read, `   ${fmt(rps(read) / rps(health), 2)} × /health`);

  const write = await runPhase(base, (client, seq) => {
    const n = client * 1_000_000 + seq;
    const body = JSON.stringify({ name: `Bench ${n}`, number: `B-${tag}-${client}-${seq}`, emails: [`b${n}@example.com`], phones: ['+4915112345678'] });
    return { path: '/v1/customers', init: { method: 'POST', headers: jsonAuth, body } };
  });
  printPhase('c. POST /v1/customers', write, `   ${fmt(rps(write) / rps(health), 2)} × /health`);

  const chunks = Array.from({ length: BULK_REQUESTS }, (_, r) =>
    Array.from({ length: BULK_RECORDS_PER_REQUEST }, (_, i) => {
      const n = r * BULK_RECORDS_PER_REQUEST + i;
      return { number: `BULK-${tag}-${n}`, name: `Bulk ${n}` };
    }),
  );
  console.log(`d. bulk upsert, new           ${await bulkUpsert(base, jsonAuth, chunks)}`);
  console.log(`e. bulk upsert, same again    ${await bulkUpsert(base, jsonAuth, chunks)}`);
}

async function main(): Promise<number> {
  console.log(`Qiao CRM core benchmark — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString()}`);
  console.log(`${CLIENTS} concurrent clients over 127.0.0.1; each load phase: ${WARMUP_MS / 1000} s warm-up, then ${MEASURE_MS / 1000} s measured; bulk: ${BULK_REQUESTS} × ${fmt(BULK_RECORDS_PER_REQUEST)} customers`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-bench-'));
  const token = randomBytes(24).toString('base64url');
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [gateway = 0, temporal = 0, temporalUi = 0] = ports;
  const qiao = spawnQiao(dataDir, token, { gateway, temporal, temporalUi });

  let timer: NodeJS.Timeout | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the benchmark did not finish within ${OVERALL_TIMEOUT_MS / 60_000} min`)), OVERALL_TIMEOUT_MS);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => reject(new Error(`interrupted by ${signal}`)));
  });
  try {
    await Promise.race([qiao.gateway.then((base) => bench(base, token)), interrupted]);
    console.log(TARGETS);
    return 0;
  } catch (err) {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await qiao.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
