// Shared by the benchmarks: Qiao as a child process on fresh state, and load generators (closed loop,
// and open loop at a fixed rate) with latency percentiles. Everything on 127.0.0.1; every phase stops by itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../temporal-cli';

export const CLIENTS = 32;
export const WARMUP_MS = 2_000;
export const MEASURE_MS = 10_000;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface QiaoProcess {
  /** pid of the Qiao node process (the Temporal dev server is its child). */
  pid: number | undefined;
  /** The gateway URL, once the child has printed it. */
  gateway: Promise<string>;
  stop(): Promise<void>;
}

/** Runs `qiao start` as a child on fresh state and loopback ports; its output goes to our stderr. */
export function spawnQiao(dataDir: string, token: string, ports: { gateway: number; temporal: number; temporalUi: number }, extraEnv: Record<string, string> = {}): QiaoProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    QIAO_DATA_DIR: dataDir,
    QIAO_HOST: '127.0.0.1',
    QIAO_PORT: String(ports.gateway),
    QIAO_TEMPORAL_PORT: String(ports.temporal),
    QIAO_TEMPORAL_UI_PORT: String(ports.temporalUi),
    QIAO_API_TOKENS: `${token}:admin:bench`,
    ...extraEnv,
  };
  // The embedded default: no external database or Temporal, and no tokens but the bench's.
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'QIAO_API_TOKENS_FILE']) delete env[name];
  // Its own process group, so that if SIGTERM is not enough the Temporal dev server it started goes with it.
  // QIAO_BENCH_PROFILE=<dir>: a V8 CPU profile of the Qiao process, written there when it stops.
  const profile = process.env.QIAO_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.QIAO_BENCH_PROFILE}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', 'ops/cli.ts', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));

  const gateway = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`qiao start printed no "gateway at http://" within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`qiao start exited (${how}) before its gateway was up`));
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      readline.createInterface({ input: stream }).on('line', (line) => {
        process.stderr.write(`  qiao | ${line}\n`);
        const url = /gateway at (http:\/\/\S+)/.exec(line)?.[1];
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      });
    }
  });
  gateway.catch(() => undefined);

  return {
    pid: child.pid,
    gateway,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
      if (!stopped) {
        console.error(`qiao did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killing its process group ${child.pid}`);
        process.kill(-child.pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

export interface PhaseResult {
  /** Requests started after the warm-up. */
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Every non-2xx answer or failed request, warm-up included, by status or error. */
  errors: Map<string, number>;
  total: number;
  /** The first few error answers, body included. */
  examples: string[];
}

export type Call = (client: number, seq: number) => { path: string; init?: RequestInit };

export const percentile = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

/** Latencies and errors of one phase as its requests complete. */
function recorder(measureFrom: number) {
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  const examples: string[] = [];
  let lastDone = measureFrom;
  let total = 0;
  return {
    /** Sends one request; its latency counts from `since` (the start, or when it was due). */
    async send(base: string, request: { path: string; init?: RequestInit }, since: number): Promise<void> {
      let error: string | undefined;
      let detail = '';
      try {
        const res = await fetch(`${base}${request.path}`, request.init);
        const body = await res.text();
        if (!res.ok) {
          error = `HTTP ${res.status}`;
          detail = body;
        }
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
        error = `${err instanceof Error ? err.message : String(err)}${cause}`;
      }
      const done = performance.now();
      total++;
      if (error) {
        errors.set(error, (errors.get(error) ?? 0) + 1);
        if (examples.length < 3) examples.push(`${request.init?.method ?? 'GET'} ${request.path} → ${error} ${detail.slice(0, 600)}`);
      }
      if (since >= measureFrom) {
        latencies.push(done - since);
        lastDone = Math.max(lastDone, done);
      }
    },
    result(): PhaseResult {
      latencies.sort((a, b) => a - b);
      return { requests: latencies.length, seconds: (lastDone - measureFrom) / 1000, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), errors, total, examples };
    },
  };
}

/** Runs CLIENTS loops of `call` for the warm-up plus the measured window (closed loop: as fast as answered). */
export async function runPhase(base: string, call: Call): Promise<PhaseResult> {
  const measureFrom = performance.now() + WARMUP_MS;
  const end = measureFrom + MEASURE_MS;
  const rec = recorder(measureFrom);
  const client = async (id: number) => {
    for (let seq = 0; performance.now() < end; seq++) await rec.send(base, call(id, seq), performance.now());
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  return rec.result();
}

/**
 * Sends `perSecond` requests a second for the warm-up plus the measured window, each when it is due
 * whether or not earlier ones were answered (open loop), and counts each latency from when it was due:
 * a stall shows in every request it delays, not only in the one it caught.
 */
export async function runFixedRate(base: string, call: Call, perSecond: number): Promise<PhaseResult> {
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const count = Math.round(((WARMUP_MS + MEASURE_MS) / 1000) * perSecond);
  const rec = recorder(measureFrom);
  const inFlight: Promise<void>[] = [];
  for (let seq = 0; seq < count; ) {
    const now = performance.now();
    for (; seq < count && start + (seq * 1000) / perSecond <= now; seq++) inFlight.push(rec.send(base, call(0, seq), start + (seq * 1000) / perSecond));
    await sleep(1);
  }
  await Promise.all(inFlight);
  return rec.result();
}

export const rps = (r: PhaseResult) => r.requests / r.seconds;

export function printPhase(label: string, r: PhaseResult, extra = ''): void {
  const errorCount = [...r.errors.values()].reduce((a, b) => a + b, 0);
  const byKind = [...r.errors].map(([kind, n]) => `${kind} ×${fmt(n)}`).join(', ');
  console.log(
    `${label.padEnd(28)} ${fmt(rps(r)).padStart(7)} req/s   p50 ${fmt(r.p50, 2).padStart(7)} ms   p99 ${fmt(r.p99, 2).padStart(7)} ms   errors ${fmt(errorCount)} of ${fmt(r.total)}${byKind ? ` (${byKind})` : ''}${extra}`,
  );
  for (const example of r.examples) console.log(`    e.g. ${example}`);
}

export interface BenchQiao {
  qiao: QiaoProcess;
  dataDir: string;
  /** The gateway URL. */
  base: string;
  /** `PUT /v1/connectors/<name>` with the bench's admin token; throws unless 200. */
  putConnector(name: string, body: object): Promise<void>;
  /** Stops Qiao and removes its data directory (kept, and named, with QIAO_BENCH_KEEP=1). */
  stop(): Promise<void>;
}

/**
 * `qiao start` on fresh state in a temporary directory, free loopback ports and its own admin token;
 * stopped (and the benchmark ended with exit code 2) if the benchmark runs past `timeoutMs`.
 * @example const bench = await startBenchQiao('orders', { QIAO_BENCH_ODOO_KEY: key }, 30 * 60_000); try { ... } finally { await bench.stop() }
 */
export async function startBenchQiao(name: string, extraEnv: Record<string, string>, timeoutMs: number): Promise<BenchQiao> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `qiao-bench-${name}-`));
  const token = randomBytes(24).toString('hex');
  const qiao = spawnQiao(dataDir, token, { gateway: await freePort(), temporal: await freePort(), temporalUi: await freePort() }, extraEnv);
  const deadline = setTimeout(() => {
    console.error('benchmark ran past its time limit; stopping');
    void qiao.stop().then(() => process.exit(2));
  }, timeoutMs);
  const stop = async () => {
    clearTimeout(deadline);
    await qiao.stop();
    if (process.env.QIAO_BENCH_KEEP) console.log(`data kept in ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let base: string;
  try {
    base = await qiao.gateway;
  } catch (err) {
    await stop();
    throw err;
  }
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    qiao,
    dataDir,
    base,
    async putConnector(connector, body) {
      const res = await fetch(`${base}/v1/connectors/${connector}`, { method: 'PUT', headers, body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`PUT /v1/connectors/${connector}: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}
