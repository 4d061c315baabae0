// Runs a mapping version: external record → partial canonical record and back, plus the helpers the
// engine needs around it (ids to look up first, the identity to search by, field-level diffs).
// Pure and synchronous: safe in workflow code. A definition is compiled once (paths parsed, transforms
// resolved) and the compiled form is cached per definition object.
import type { z } from 'zod';
import { type MapContext, type MappingError, type MapResult, type OutContext, TransformError } from './context';
import { type MappingDefinition, isValidatedDefinition, parseMappingDefinition } from './definition';
import { CANONICAL_SCHEMAS } from './entities';
import { getMappingFunction, type MappingFunction } from './functions';
import { compileGetter, compileSetter, type Getter, parsePath, type Segment, type Setter } from './paths';
import { compileTransform, showValue, type TransformRef } from './transforms';

export type { MapContext, MappingError, MapResult, OutContext };

/** An id the engine must look up before mapping in: `ctx.refs[entity][externalId]`. */
export interface ExternalReference {
  entity: string;
  externalId: string;
}

/** An id the engine must look up before mapping out: `ctx.refs[entity][canonicalId]`. */
export interface CanonicalReference {
  entity: string;
  canonicalId: string;
}

/** One changed field of a record, for previews and the ledger. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** A mapping version ready to run many records. */
export interface CompiledMapping {
  readonly definition: MappingDefinition;
  toCanonical(external: Readonly<Record<string, unknown>>, ctx: MapContext): MapResult;
  toExternal(canonical: Readonly<Record<string, unknown>>, ctx: OutContext): MapResult;
  /**
   * What the mapping writes: top-level canonical fields when mapping in, top-level external fields
   * when mapping out. An owned field missing from a result means "the source has no value".
   */
  readonly owned: { readonly canonical: readonly string[]; readonly external: readonly string[] };
  referencedIds(external: Readonly<Record<string, unknown>>): ExternalReference[];
  referencedCanonicalIds(canonical: Readonly<Record<string, unknown>>): CanonicalReference[];
  identity(canonical: Readonly<Record<string, unknown>>): { field: string; value: string } | undefined;
}

interface Step<C> {
  fn: (value: unknown, ctx: C) => unknown;
  handlesEmpty: boolean;
}

interface Rule<C> {
  canonical: string;
  external: string;
  read: Getter;
  write: Setter;
  steps: Step<C>[];
}

interface InRule extends Rule<MapContext> {
  /** Reads the canonical field the rule writes. */
  current: Getter;
  /** For a rule inside a list element (`addresses.0.city`): reads that element. */
  element?: Getter;
}

interface OutRule extends Rule<OutContext> {
  createOnly: boolean;
  refEntity?: string;
}

/** The in-paths as a tree, to turn index-built lists into dense arrays (`phones.1` alone → `phones[0]`). */
interface PathNode {
  children: Map<string, PathNode>;
  /** The node of the list's elements when this node is a list. */
  element?: PathNode;
  hasLists: boolean;
  /** The children that hold lists, as an array for the per-record walk. */
  withLists: [string, PathNode][];
}

const EMPTY: readonly never[] = [];

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === '';
}

function run<C>(steps: readonly Step<C>[], value: unknown, ctx: C): unknown {
  let v = value;
  for (const step of steps) {
    if ((v === undefined || v === null) && !step.handlesEmpty) continue;
    v = step.fn(v, ctx);
  }
  return v;
}

function addPath(root: PathNode, segments: readonly Segment[]): void {
  let node = root;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      node.element ??= { children: new Map(), hasLists: false, withLists: [] };
      node = node.element;
    } else {
      let next = node.children.get(segment);
      if (!next) {
        next = { children: new Map(), hasLists: false, withLists: [] };
        node.children.set(segment, next);
      }
      node = next;
    }
  }
}

function markLists(node: PathNode): boolean {
  let has = node.element !== undefined;
  for (const child of node.children.values()) has = markLists(child) || has;
  if (node.element) markLists(node.element);
  node.hasLists = has;
  node.withLists = [...node.children].filter(([, child]) => child.hasLists);
  return has;
}

function densify(value: unknown, node: PathNode): unknown {
  if (node.element) {
    if (!Array.isArray(value)) return value;
    const element = node.element;
    let dense = value;
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined || value[i] === null) {
        dense = value.filter((item) => item !== undefined && item !== null);
        break;
      }
    }
    if (element.hasLists) for (let i = 0; i < dense.length; i++) dense[i] = densify(dense[i], element);
    return dense;
  }
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  for (const [key, child] of node.withLists) if (record[key] !== undefined) record[key] = densify(record[key], child);
  return value;
}

/** The zod message for a missing value says "received undefined"; say what it means. */
function issueMessage(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is required, but the source gives it no value' : issue.message;
}

function compile(def: MappingDefinition): CompiledMapping {
  const inRules: InRule[] = [];
  const outRules: OutRule[] = [];
  const tree: PathNode = { children: new Map(), hasLists: false, withLists: [] };
  const ownedCanonical = new Set<string>();
  const ownedExternal = new Set<string>();
  /** Canonical path → the external fields that feed it, for error messages. */
  const sources = new Map<string, string[]>();
  const required: { field: string; read: Getter; external: string; readExternal: Getter }[] = [];

  for (const rule of def.fields) {
    const pipeline: TransformRef[] = rule.transform === undefined ? [] : Array.isArray(rule.transform) ? rule.transform : [rule.transform];
    const transforms = pipeline.map(compileTransform);
    const canonicalSegments = parsePath(rule.canonical);
    const externalSegments = parsePath(rule.external);
    if (rule.direction !== 'out') {
      const lastIndex = canonicalSegments.findLastIndex((s, i) => typeof s === 'number' && i < canonicalSegments.length - 1);
      inRules.push({
        canonical: rule.canonical,
        external: rule.external,
        read: compileGetter(externalSegments),
        write: compileSetter(canonicalSegments),
        current: compileGetter(canonicalSegments),
        steps: transforms.map((t) => ({ fn: t.in as Step<MapContext>['fn'], handlesEmpty: t.handlesEmpty })),
        element: lastIndex >= 0 ? compileGetter(canonicalSegments.slice(0, lastIndex + 1)) : undefined,
      });
      addPath(tree, canonicalSegments);
      ownedCanonical.add(String(canonicalSegments[0]));
      sources.set(rule.canonical, [...(sources.get(rule.canonical) ?? []), rule.external || '(constant)']);
      if (rule.required && !required.some((r) => r.field === rule.canonical)) {
        required.push({ field: rule.canonical, read: compileGetter(canonicalSegments), external: rule.external, readExternal: compileGetter(externalSegments) });
      }
    }
    if (rule.direction !== 'in') {
      const refStep = pipeline.find((t) => t.name === 'ref');
      outRules.push({
        canonical: rule.canonical,
        external: rule.external,
        read: compileGetter(canonicalSegments),
        write: compileSetter(externalSegments),
        steps: [...transforms].reverse().map((t) => ({ fn: t.out as Step<OutContext>['fn'], handlesEmpty: t.handlesEmpty })),
        createOnly: rule.createOnly === true,
        refEntity: refStep ? String(refStep.entity) : undefined,
      });
      ownedExternal.add(String(externalSegments[0]));
    }
  }
  markLists(tree);
  const listRoots = [...tree.children].filter(([, node]) => node.element).map(([key]) => key);
  const structured = tree.hasLists;

  const functions: MappingFunction[] = (def.functions ?? []).map(getMappingFunction);
  for (const fn of functions) {
    if (fn.in) for (const field of fn.writes.canonical) ownedCanonical.add(field);
    if (fn.out) for (const field of fn.writes.external) ownedExternal.add(field);
  }
  const inFunctions = functions.filter((f) => f.in);
  const outFunctions = functions.filter((f) => f.out);

  // Checked against the canonical schema of exactly the fields this mapping owns.
  const mask = Object.fromEntries([...ownedCanonical].map((k) => [k, true as const]));
  const validator = CANONICAL_SCHEMAS[def.canonical].pick(mask as never).partial();

  const sourceOf = (path: readonly PropertyKey[]): string | undefined => {
    for (let n = path.length; n > 0; n--) {
      const found = sources.get(path.slice(0, n).join('.'));
      if (found) return found.join(' / ');
    }
    return undefined;
  };

  const references = (def.references ?? []).map((r) => ({ entity: r.entity, read: compileGetter(parsePath(r.external)) }));
  const refRules = outRules.filter((r) => r.refEntity);
  const identity = def.identity;
  const readIdentity = identity ? compileGetter(parsePath(identity.canonical)) : undefined;

  function applyIn(rule: InRule, raw: unknown, value: Record<string, unknown>, ctx: MapContext, errors: MappingError[]): void {
    let v: unknown;
    try {
      v = run(rule.steps, raw, ctx);
    } catch (err) {
      if (!(err instanceof TransformError)) throw err;
      errors.push({ field: rule.canonical, external: rule.external, message: `from ${rule.external || 'a constant'}: ${err.message}` });
      return;
    }
    // No value never overwrites: of several rules for one field, the last one with a value wins.
    if (v !== undefined && v !== null) rule.write(value, v);
  }

  return {
    definition: def,
    owned: { canonical: [...ownedCanonical], external: [...ownedExternal] },

    toCanonical(external, ctx) {
      const value: Record<string, unknown> = {};
      const errors: MappingError[] = [];
      let deferred: InRule[] | undefined;
      for (const rule of inRules) {
        const raw = rule.read(external);
        if (isBlank(raw)) {
          // A constant or default alone never creates a list element: `addresses.0.kind` waits until
          // another rule has made `addresses.0`, so a partner without any address gets none.
          if (rule.element && rule.element(value) === undefined) {
            deferred ??= [];
            deferred.push(rule);
            continue;
          }
          // A rule whose source has no value only fills: it never replaces what an earlier rule set.
          if (rule.current(value) !== undefined) continue;
        }
        applyIn(rule, raw, value, ctx, errors);
      }
      if (deferred) {
        for (const rule of deferred) if (rule.element?.(value) !== undefined && rule.current(value) === undefined) applyIn(rule, rule.read(external), value, ctx, errors);
      }
      if (structured) densify(value, tree);
      for (const key of listRoots) value[key] ??= [];
      for (const fn of inFunctions) {
        try {
          const found = fn.in?.(external, value, ctx);
          if (found) errors.push(...found);
        } catch (err) {
          if (!(err instanceof TransformError)) throw err;
          errors.push({ field: fn.writes.canonical.join(', '), message: `${fn.name}: ${err.message}` });
        }
      }
      for (const rule of required) {
        if (rule.read(value) === undefined && !errors.some((e) => e.field === rule.field)) {
          errors.push({ field: rule.field, external: rule.external, message: `from ${rule.external}: is required, but the source has ${showValue(rule.readExternal(external))}` });
        }
      }
      const checked = ctx.validate === false ? undefined : validator.safeParse(value);
      if (checked && !checked.success) {
        for (const issue of checked.error.issues) {
          const field = issue.path.join('.');
          if (errors.some((e) => e.field === field)) continue;
          const from = sourceOf(issue.path);
          errors.push({ field, ...(from ? { external: from } : {}), message: `${from ? `from ${from}: ` : ''}${issueMessage(issue)}` });
        }
      }
      return { value, errors };
    },

    toExternal(canonical, ctx) {
      const value: Record<string, unknown> = {};
      const errors: MappingError[] = [];
      for (const rule of outRules) {
        if (rule.createOnly && !ctx.creating) continue;
        let v: unknown;
        try {
          v = run(rule.steps, rule.read(canonical), ctx);
        } catch (err) {
          if (!(err instanceof TransformError)) throw err;
          errors.push({ field: rule.canonical, external: rule.external, message: `to ${rule.external}: ${err.message}` });
          continue;
        }
        if (v !== undefined) rule.write(value, v);
      }
      for (const fn of outFunctions) {
        try {
          const found = fn.out?.(canonical, value, ctx);
          if (found) errors.push(...found);
        } catch (err) {
          if (!(err instanceof TransformError)) throw err;
          errors.push({ field: fn.writes.canonical.join(', '), external: fn.writes.external.join(', '), message: `${fn.name}: ${err.message}` });
        }
      }
      return { value, errors };
    },

    referencedIds(external) {
      if (!references.length) return [];
      const found: ExternalReference[] = [];
      for (const reference of references) {
        const raw = reference.read(external);
        const id = Array.isArray(raw) ? raw[0] : raw;
        if ((typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id !== '')) {
          const externalId = String(id);
          if (!found.some((f) => f.entity === reference.entity && f.externalId === externalId)) found.push({ entity: reference.entity, externalId });
        }
      }
      return found;
    },

    referencedCanonicalIds(canonical) {
      if (!refRules.length) return [];
      const found: CanonicalReference[] = [];
      for (const rule of refRules) {
        const id = rule.read(canonical);
        const entity = rule.refEntity as string;
        if (typeof id === 'string' && id !== '' && !found.some((f) => f.entity === entity && f.canonicalId === id)) found.push({ entity, canonicalId: id });
      }
      return found;
    },

    identity(canonical) {
      if (!identity || !readIdentity) return undefined;
      const v = readIdentity(canonical);
      return typeof v === 'string' || typeof v === 'number' ? (String(v) === '' ? undefined : { field: identity.external, value: String(v) }) : undefined;
    },
  };
}

const compiled = new WeakMap<object, CompiledMapping>();

/**
 * The runnable form of a mapping version, compiled once and cached per definition object. A definition
 * that did not come from `parseMappingDefinition`/`defineMapping` is validated first (and refused
 * loudly when invalid).
 * @example const customers = compileMapping(getBuiltInMapping('odoo', 'customer')); customers.toCanonical(row, ctx)
 */
export function compileMapping(def: MappingDefinition): CompiledMapping {
  let found = compiled.get(def);
  if (!found) {
    found = compile(isValidatedDefinition(def) ? def : parseMappingDefinition(def));
    compiled.set(def, found);
  }
  return found;
}

/**
 * Maps an external record to a PARTIAL canonical record: only the fields the mapping owns (`both`/`in`
 * rules and the functions). Errors name the canonical field and the external one; fields that mapped
 * are in `value` even when others failed, and the engine decides what to do with such a record.
 * @example mapToCanonical(def, { name: 'Acme', phone: '030 123456', vat: false }, { refs: {}, defaults: {} })
 */
export function mapToCanonical(def: MappingDefinition, external: Readonly<Record<string, unknown>>, ctx: MapContext): MapResult {
  return compileMapping(def).toCanonical(external, ctx);
}

/**
 * Maps a canonical record to the external record to write: `both`/`out` rules, `createOnly` ones only
 * when `ctx.creating`. `ctx.refs` maps canonical ids to external ids here.
 */
export function mapToExternal(def: MappingDefinition, canonical: Readonly<Record<string, unknown>>, ctx: OutContext): MapResult {
  return compileMapping(def).toExternal(canonical, ctx);
}

/** External ids of linked records (the `references` of the definition) the engine looks up before mapping in. */
export function referencedIds(def: MappingDefinition, external: Readonly<Record<string, unknown>>): ExternalReference[] {
  return compileMapping(def).referencedIds(external);
}

/** Canonical ids of linked records (rules with a `ref` transform) the engine looks up before mapping out. */
export function referencedCanonicalIds(def: MappingDefinition, canonical: Readonly<Record<string, unknown>>): CanonicalReference[] {
  return compileMapping(def).referencedCanonicalIds(canonical);
}

/** The `SinkWrite.identity` of a canonical record: the external field and the value Qiao wrote there. */
export function identityOf(def: MappingDefinition, canonical: Readonly<Record<string, unknown>>): { field: string; value: string } | undefined {
  return compileMapping(def).identity(canonical);
}

/** Top-level fields a mapping writes on each side (see `CompiledMapping.owned`). */
export function ownedFields(def: MappingDefinition): { readonly canonical: readonly string[]; readonly external: readonly string[] } {
  return compileMapping(def).owned;
}

function isContainer(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function walk(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
  if (before === after) return;
  const a = isContainer(before);
  const b = isContainer(after);
  if ((a || b) && (a || before === undefined) && (b || after === undefined)) {
    const keys = new Set<string>([...Object.keys(a ? before : EMPTY), ...Object.keys(b ? after : EMPTY)]);
    for (const key of keys) walk(path ? `${path}.${key}` : key, a ? before[key] : undefined, b ? after[key] : undefined, out);
    return;
  }
  if (!a && !b && Object.is(before, after)) return;
  out.push({ field: path, before, after });
}

/**
 * Field-level differences of two records, by dot path down to the leaves (`addresses.0.city`), in the
 * order the fields appear. A list or object that is empty on one side and missing on the other is no
 * change.
 * @example diffFields({ name: 'Acme', phones: ['+491'] }, { name: 'Acme AG', phones: [] }) // [{ field: 'name', ... }, { field: 'phones.0', before: '+491', after: undefined }]
 */
export function diffFields(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  walk('', before, after, out);
  return out;
}
