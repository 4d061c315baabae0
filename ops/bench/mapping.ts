// Benchmark of the mapping engine: maps 200,000 Odoo partners to canonical customers and back in one
// process with the built-in odoo/customer v1 (in: with and without the canonical schema check), and
// compares with a hand-written copy of the same fields. Target: ≥ 100,000 records/s each way.
// Run: node --import tsx ops/bench/mapping.ts [records]
import { getBuiltInMapping, type MapContext, mapToCanonical, mapToExternal } from '../../mappings/engine';

const RECORDS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;
const TARGET = 100_000;
const CANONICAL_ID = 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Deterministic pseudo-random numbers (mulberry32), so every run maps the same records. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Odoo partners as the connector hands them over: `false` for empty fields, phones as people type them. */
function partners(n: number): Record<string, unknown>[] {
  const next = random(42);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const phoneFormats = [(d: string) => `+49 30 ${d}`, (d: string) => `030 ${d}`, (d: string) => `0049 (30) ${d}`, (d: string) => `+49 (0)30 ${d}`, () => false];
  return Array.from({ length: n }, (_, i) => {
    const digits = String(1_000_000 + Math.floor(next() * 8_999_999));
    const hasAddress = next() < 0.9;
    return {
      id: i + 1,
      name: ` Company ${i} GmbH `,
      is_company: next() < 0.8,
      vat: next() < 0.6 ? `DE${String(100_000_000 + i)}` : false,
      email: next() < 0.85 ? `Info${i}@Example.DE` : false,
      phone: pick(phoneFormats)(digits),
      mobile: next() < 0.4 ? `0151 ${digits}` : false,
      street: hasAddress ? `Hauptstraße ${i % 200}` : false,
      street2: hasAddress && next() < 0.2 ? 'Hinterhaus' : false,
      city: hasAddress ? pick(['Berlin', 'München', 'Hamburg', 'Köln']) : false,
      zip: hasAddress ? String(10_000 + (i % 89_999)) : false,
      country_code: hasAddress ? pick(['DE', 'DE', 'DE', 'AT', 'FR']) : false,
      active: next() < 0.95,
      ref: false,
      write_date: '2026-11-26 09:00:00',
    };
  });
}

const ctx: MapContext = { refs: {}, defaults: { currency: 'EUR', country: 'DE' } };

/** The baseline: a direct copy of the same fields, without normalising, checking or transforms. */
function copyIn(r: Record<string, unknown>): Record<string, unknown> {
  const phones: unknown[] = [];
  if (r.phone) phones.push(r.phone);
  if (r.mobile) phones.push(r.mobile);
  return {
    name: r.name,
    kind: r.is_company ? 'company' : 'person',
    taxId: r.vat || undefined,
    emails: r.email ? [r.email] : [],
    phones,
    addresses: r.street || r.city ? [{ kind: 'billing', street: r.street2 ? `${r.street}\n${r.street2}` : r.street, city: r.city, postalCode: r.zip, country: r.country_code }] : [],
    status: r.active ? 'active' : 'inactive',
  };
}

function copyOut(c: Record<string, unknown>): Record<string, unknown> {
  const emails = c.emails as string[];
  const phones = c.phones as string[];
  const address = (c.addresses as Record<string, unknown>[])[0];
  return {
    name: c.name,
    is_company: c.kind === 'company',
    vat: c.taxId ?? false,
    email: emails[0] ?? false,
    phone: phones[0] ?? false,
    mobile: phones[1] ?? false,
    street: address?.street ?? false,
    street2: false,
    city: address?.city ?? false,
    zip: address?.postalCode ?? false,
    country_code: address?.country ?? false,
    active: c.status === 'active',
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Runs `fn` over every input ROUNDS times and returns the median records per second. Results are
 * consumed and dropped as the engine does with a page of records, not kept for the whole run.
 */
function measure<I>(inputs: readonly I[], fn: (input: I) => unknown): number {
  const rates: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < inputs.length; i++) if (fn(inputs[i] as I)) sink++;
    rates.push(inputs.length / ((performance.now() - start) / 1000));
  }
  if (sink !== inputs.length * ROUNDS) throw new Error('a mapping returned nothing');
  return median(rates);
}

function main(): void {
  const def = getBuiltInMapping('odoo', 'customer', 1);
  const records = partners(RECORDS);
  console.log(`mapping benchmark: ${fmt(RECORDS)} Odoo partners, odoo/customer v${def.version}, median of ${ROUNDS} rounds, Node ${process.version}`);

  // Check the mapping once, untimed: every record maps without errors, both ways.
  const canonical = records.map((r) => {
    const mapped = mapToCanonical(def, r, ctx);
    if (mapped.errors.length) throw new Error(`record ${r.id} does not map in: ${JSON.stringify(mapped.errors)}`);
    return { id: CANONICAL_ID, ...mapped.value };
  });
  for (const c of canonical) {
    const mapped = mapToExternal(def, c, { ...ctx, creating: false });
    if (mapped.errors.length) throw new Error(`a record does not map out: ${JSON.stringify(mapped.errors)}`);
  }
  const baseCanonical = records.map(copyIn);
  const outCtx = { ...ctx, creating: false };

  const inRate = measure(records, (r) => mapToCanonical(def, r, ctx));
  const unchecked = { ...ctx, validate: false };
  const inUncheckedRate = measure(records, (r) => mapToCanonical(def, r, unchecked));
  const outRate = measure(canonical, (c) => mapToExternal(def, c, outCtx));
  const baseIn = measure(records, copyIn);
  const baseOut = measure(baseCanonical, copyOut);

  const row = (label: string, rate: number, base: number) =>
    console.log(`  ${label.padEnd(22)} ${fmt(rate).padStart(11)} records/s   baseline copy ${fmt(base).padStart(11)} records/s   ${(base / rate).toFixed(1)}x the cost   ${rate >= TARGET ? 'ok' : 'BELOW TARGET'}`);
  row('in  (Odoo → canonical)', inRate, baseIn);
  row('in, validate: false', inUncheckedRate, baseIn);
  row('out (canonical → Odoo)', outRate, baseOut);
  console.log(`  target: ≥ ${fmt(TARGET)} records/s each way; every record mapped without errors both ways`);
}

main();
