// What a mapping version is, as data: a field table plus named functions. Built-in versions
// (`mappings/<connector>/<entity>.v<N>.ts`) and the versions users publish through the API, stored as
// JSON, are validated by this one schema, and every error names the offending field.
import { z } from 'zod';
import { CANONICAL_ENTITIES, resolveCanonicalPath } from './entities';
import { MAPPING_FUNCTIONS } from './functions';
import { parsePath, pathProblem } from './paths';
import { TRANSFORMS, type TransformRef } from './transforms';

const Name = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'must be lower-case letters, digits, _ . or -, starting with a letter (e.g. odoo, stock_level)');

const Path = z.string().max(200);

/** A transform as a rule names it: `{ "name": "e164", "defaultCountry": "49" }`; parameters sit beside the name. */
export const TransformReference = z
  .looseObject({ name: z.string().min(1).describe('A transform of the library (`listTransforms()`).') })
  .describe('A named transform and its parameters.');

export const FieldRule = z
  .strictObject({
    canonical: Path.describe('Canonical field as a dot path with indexes: `name`, `emails.0`, `addresses.0.city`, `listPrice`. Empty only for an out rule that writes a constant.'),
    external: Path.describe('External field as a dot path, e.g. `vat`, `parent_id`. Empty only for an in rule that writes a constant.'),
    direction: z.enum(['both', 'in', 'out']).describe('`in`: external → canonical only; `out`: canonical → external only; `both`.'),
    transform: z
      .union([TransformReference, z.array(TransformReference).min(1)])
      .optional()
      .describe('A transform, or a pipeline of them listed in the in direction (external → canonical); out runs the pipeline backwards. None: the value is copied.'),
    createOnly: z.boolean().optional().describe('Written out only when Qiao creates the external record, never on an update.'),
    required: z.boolean().optional().describe('Mapping in fails for a record that gives this canonical field no value.'),
    description: z.string().max(1000).optional(),
  })
  .describe('One row of the field table: canonical field ↔ external field, direction, transform.');

export const MappingDefinition = z
  .strictObject({
    connector: Name.describe('Connector type, e.g. `odoo`.'),
    entity: Name.describe('Entity of the connector, e.g. `customer`, `stock_level`.'),
    version: z.number().int().min(1).describe('Version number per (connector, entity); immutable once published.'),
    canonical: z.enum(CANONICAL_ENTITIES).describe('The canonical entity the mapping produces and consumes.'),
    description: z.string().max(2000).optional(),
    identity: z
      .strictObject({
        external: Path.min(1).describe('External field the target can be searched by, e.g. `ref`.'),
        canonical: Path.min(1).describe('Canonical field whose value Qiao writes there, e.g. `id`.'),
      })
      .optional()
      .describe('How a record Qiao wrote is found again when the answer to the write was lost.'),
    references: z
      .array(
        z.strictObject({
          external: Path.min(1).describe('External field holding the id of a linked record, e.g. `parent_id`.'),
          entity: Name.describe('The entity of the linked record, e.g. `customer`.'),
        }),
      )
      .optional()
      .describe('Ids of other records the engine looks up before mapping in and passes as `ctx.refs`.'),
    fields: z.array(FieldRule).min(1).describe('The field table.'),
    functions: z
      .array(z.string().min(1))
      .optional()
      .describe('Registered pure functions run after the table, in order (`MAPPING_FUNCTIONS`); only code can add one.'),
  })
  .superRefine((def, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const transformNames = [...TRANSFORMS.keys()].join(', ');
    const readIn = new Set<string>();
    const writtenOut = new Set<string>();

    def.fields.forEach((rule, i) => {
      const pipeline: TransformRef[] = rule.transform === undefined ? [] : Array.isArray(rule.transform) ? rule.transform : [rule.transform];
      const at = (j: number): (string | number)[] => (Array.isArray(rule.transform) ? ['fields', i, 'transform', j] : ['fields', i, 'transform']);
      let fills = false;
      pipeline.forEach((reference, j) => {
        const spec = TRANSFORMS.get(reference.name);
        if (!spec) {
          issue([...at(j), 'name'], `unknown transform "${reference.name}"; known: ${transformNames}`);
          return;
        }
        fills ||= spec.fills;
        const { name: _name, ...params } = reference;
        const parsed = spec.params.safeParse(params);
        if (!parsed.success) {
          for (const problem of parsed.error.issues) {
            if (problem.code === 'unrecognized_keys') {
              const known = spec.params instanceof z.ZodObject ? Object.keys(spec.params.shape) : [];
              for (const key of problem.keys) issue([...at(j), key], `${spec.name} has no parameter "${key}"; it takes: ${known.join(', ') || 'none'}`);
            } else {
              issue([...at(j), ...(problem.path as (string | number)[])], problem.message);
            }
          }
        }
        if (rule.direction !== 'in' && !spec.directions.includes('out')) issue([...at(j), 'name'], `${spec.name} works in only; make the rule's direction "in"`);
        if (spec.name === 'ref' && rule.direction !== 'out' && parsed.success) {
          const entity = (parsed.data as { entity: string }).entity;
          if (!(def.references ?? []).some((r) => r.external === rule.external && r.entity === entity)) {
            issue([...at(j), 'entity'], `reads ${entity} ids from "${rule.external}", which references does not list; add { "external": "${rule.external}", "entity": "${entity}" }`);
          }
        }
      });

      for (const side of ['canonical', 'external'] as const) {
        const problem = pathProblem(rule[side]);
        if (problem) issue(['fields', i, side], problem);
      }
      if (rule.canonical === '') {
        if (rule.direction !== 'out' || !fills) issue(['fields', i, 'canonical'], 'is empty: only an out rule with a constant or default may have no canonical field');
      } else {
        const resolved = resolveCanonicalPath(def.canonical, parsePath(rule.canonical));
        if ('problem' in resolved) issue(['fields', i, 'canonical'], `"${rule.canonical}" is not a field of ${def.canonical}: ${resolved.problem}`);
      }
      if (rule.external === '' && (rule.direction !== 'in' || !fills)) issue(['fields', i, 'external'], 'is empty: only an in rule with a constant or default may have no external field');
      if (rule.createOnly && rule.direction === 'in') issue(['fields', i, 'createOnly'], 'applies to rules that write out; this rule is "in"');
      if (rule.required && rule.direction === 'out') issue(['fields', i, 'required'], 'applies to rules that read in; this rule is "out"');
      if (rule.direction !== 'out') readIn.add(rule.external);
      if (rule.direction !== 'in') writtenOut.add(rule.external);
    });

    if (def.identity) {
      const resolved = resolveCanonicalPath(def.canonical, parsePath(def.identity.canonical));
      if ('problem' in resolved) issue(['identity', 'canonical'], `"${def.identity.canonical}" is not a field of ${def.canonical}: ${resolved.problem}`);
      if (!writtenOut.has(def.identity.external)) {
        issue(['identity', 'external'], `no rule writes "${def.identity.external}" out, so a record Qiao created could not be found by it`);
      }
    }
    (def.references ?? []).forEach((reference, k) => {
      const problem = pathProblem(reference.external);
      if (problem) issue(['references', k, 'external'], problem);
      else if (!readIn.has(reference.external)) issue(['references', k, 'external'], `no in rule reads "${reference.external}"`);
    });
    (def.functions ?? []).forEach((name, k) => {
      const fn = MAPPING_FUNCTIONS.get(name);
      if (!fn) {
        issue(
          ['functions', k],
          `unknown function "${name}"; known: ${[...MAPPING_FUNCTIONS.keys()].join(', ') || 'none'}. Functions are code: a version can only name registered ones`,
        );
      } else if (!fn.canonical.includes(def.canonical)) {
        issue(['functions', k], `${name} works on ${fn.canonical.join(', ')}, not ${def.canonical}`);
      }
    });
  })
  .describe('A version of a field mapping between one external entity of a connector and a canonical entity.');

export type MappingDefinition = z.output<typeof MappingDefinition>;
export type MappingDefinitionInput = z.input<typeof MappingDefinition>;
export type FieldRule = z.output<typeof FieldRule>;

/**
 * A zod issue path as the API shows it.
 * @example formatIssuePath(['fields', 3, 'transform', 'name']) // 'fields[3].transform.name'
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out ? `.${String(segment)}` : String(segment);
  return out;
}

/** Every problem of an invalid definition, by field. */
export function definitionErrors(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: formatIssuePath([...issue.path, key]), message: 'is not a known key here' }))
      : [{ field: formatIssuePath(issue.path), message: issue.message }],
  );
}

/** An invalid mapping definition; `errors` names each offending field. */
export class MappingDefinitionError extends Error {
  override name = 'MappingDefinitionError';
  constructor(
    readonly errors: { field: string; message: string }[],
    what = 'mapping definition',
  ) {
    super(`invalid ${what}: ${errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')}`);
  }
}

const validated = new WeakSet<object>();

/** Whether a definition object came out of `parseMappingDefinition` or `defineMapping`. */
export function isValidatedDefinition(def: object): boolean {
  return validated.has(def);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Validates a definition (e.g. JSON from the database) and returns it frozen; throws a
 * MappingDefinitionError naming every offending field.
 * @example parseMappingDefinition(JSON.parse(row.definition))
 */
export function parseMappingDefinition(input: unknown): MappingDefinition {
  const parsed = MappingDefinition.safeParse(input);
  if (!parsed.success) {
    const head = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
    throw new MappingDefinitionError(definitionErrors(parsed.error), `mapping definition ${String(head.connector)}/${String(head.entity)} v${String(head.version)}`);
  }
  validated.add(parsed.data);
  return deepFreeze(parsed.data);
}

/**
 * Declares a built-in mapping version: validated when its module loads (a broken built-in fails
 * loudly at start-up, never mid-run) and frozen, because a published version never changes.
 */
export function defineMapping(input: MappingDefinitionInput): MappingDefinition {
  return parseMappingDefinition(input);
}
