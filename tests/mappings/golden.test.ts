// Golden fixtures: every built-in mapping version maps its recorded records exactly as recorded, both
// ways where it writes out. A version without fixtures, or fixtures without a version, fail.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listBuiltInMappings, type MappingError, mapToCanonical, mapToExternal } from '../../mappings/engine';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
const MIN_FIXTURES = 3;

/** A golden file: `in` mapped with `context` gives `out` (and exactly `errors`). `direction: "out"` maps canonical → external. */
const Fixture = z
  .strictObject({
    description: z.string().min(1),
    direction: z.enum(['in', 'out']).default('in'),
    in: z.record(z.string(), z.unknown()),
    context: z.strictObject({
      refs: z.record(z.string(), z.record(z.string(), z.string())),
      defaults: z.record(z.string(), z.string()),
      creating: z.boolean().optional(),
    }),
    out: z.record(z.string(), z.unknown()),
    errors: z.array(z.strictObject({ field: z.string(), external: z.string().optional() })).default([]),
  })
  .refine((f) => f.direction === 'in' || f.context.creating !== undefined, { message: 'an out fixture says whether the record is being created', path: ['context', 'creating'] });

function folderOf(connector: string, entity: string, version: number): string {
  return path.join(GOLDEN, connector, `${entity}.v${version}`);
}

function fixturesIn(folder: string): { file: string; fixture: z.output<typeof Fixture> }[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, fixture: Fixture.parse(JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8'))) }));
}

const byField = (errors: readonly { field: string; external?: string }[]) =>
  errors.map((e) => ({ field: e.field, external: e.external })).sort((a, b) => `${a.field} ${a.external}`.localeCompare(`${b.field} ${b.external}`));

const versions = listBuiltInMappings();

describe.each(versions.map((v) => [`${v.connector}/${v.entity} v${v.version}`, v] as const))('%s', (_label, built) => {
  const folder = folderOf(built.connector, built.entity, built.version);
  const fixtures = fixturesIn(folder);
  const writesOut = built.definition.fields.some((f) => f.direction !== 'in');

  it(`has at least ${MIN_FIXTURES} golden fixtures, and one each way when it writes out`, () => {
    expect(fixtures.length, `no golden fixtures in ${path.relative(process.cwd(), folder)}`).toBeGreaterThanOrEqual(MIN_FIXTURES);
    expect(fixtures.some((f) => f.fixture.direction === 'in')).toBe(true);
    expect(fixtures.some((f) => f.fixture.direction === 'out')).toBe(writesOut);
  });

  it.each(fixtures.map((f) => [f.file, f.fixture] as const))('%s', (_file, fixture) => {
    const { creating, ...ctx } = fixture.context;
    const result =
      fixture.direction === 'in' ? mapToCanonical(built.definition, fixture.in, ctx) : mapToExternal(built.definition, fixture.in, { ...ctx, creating: creating ?? false });
    expect(result.value).toEqual(fixture.out);
    // JSON round trip: what a workflow or the ledger stores is exactly the value.
    expect(JSON.parse(JSON.stringify(result.value))).toEqual(result.value);
    expect(byField(result.errors)).toEqual(byField(fixture.errors));
    for (const error of result.errors as MappingError[]) expect(error.message.length).toBeGreaterThan(0);
  });
});

it('every golden folder belongs to a built-in mapping version', () => {
  const known = new Set(versions.map((v) => folderOf(v.connector, v.entity, v.version)));
  const folders = fs.readdirSync(GOLDEN).flatMap((connector) => fs.readdirSync(path.join(GOLDEN, connector)).map((entity) => path.join(GOLDEN, connector, entity)));
  expect(folders.filter((f) => !known.has(f))).toEqual([]);
});
