// Odoo domains and orders, evaluated in memory the way Odoo's SQL would: prefix `&`/`|`/`!`,
// implicit AND, NULL semantics, `like` patterns, dotted paths through many2one fields.

/** A value as a domain compares it: many2one as its id, datetimes as epoch milliseconds, `null` for empty. */
export type Comparable = string | number | boolean | null;

/** The ids an x2many field holds (one2many, many2many), as a domain compares them. */
export type RelatedIds = readonly number[];

/** How the sandbox resolves a field path on a record; supplied by the store. */
export interface FieldResolver {
  /** Type of the last field of the path, and the value to compare; throws ValueError for an unknown field. */
  resolve(path: string): { type: string; value: Comparable | RelatedIds; display?: string };
  /** Whole-second datetime comparisons (Odoo 19) instead of raw stored values (Odoo 17/18). */
  wholeSeconds: boolean;
}

type Leaf = [string, string, unknown];
type Node = { and: [Node, Node] } | { or: [Node, Node] } | { not: Node } | { leaf: Leaf } | { constant: boolean };

export class DomainError extends Error {}

/** Parses prefix notation into a tree; consecutive terms are ANDed. */
export function parseDomain(domain: unknown): Node {
  if (!Array.isArray(domain)) throw new DomainError(`Invalid domain: ${JSON.stringify(domain)}`);
  const terms: unknown[] = domain;
  let i = 0;
  function term(): Node {
    if (i >= terms.length) throw new DomainError(`Invalid domain: an operator lacks operands in ${JSON.stringify(terms)}`);
    const token = terms[i++];
    if (token === '&' || token === '|') {
      const left = term();
      const right = term();
      return token === '&' ? { and: [left, right] } : { or: [left, right] };
    }
    if (token === '!') return { not: term() };
    if (Array.isArray(token) && token.length === 3) {
      // Odoo's TRUE_LEAF and FALSE_LEAF.
      if (token[0] === 1 && token[1] === '=' && token[2] === 1) return { constant: true };
      if (token[0] === 0 && token[1] === '=' && token[2] === 1) return { constant: false };
      if (typeof token[0] !== 'string' || typeof token[1] !== 'string') throw new DomainError(`Invalid leaf ${JSON.stringify(token)}`);
      return { leaf: token as Leaf };
    }
    throw new DomainError(`Invalid domain term ${JSON.stringify(token)}`);
  }
  let node: Node = { constant: true };
  let first = true;
  while (i < terms.length) {
    const next = term();
    node = first ? next : { and: [node, next] };
    first = false;
  }
  return node;
}

/** The leaves every match must satisfy: those joined to the root by `&` only (for index lookups). */
export function conjuncts(node: Node): Leaf[] {
  if ('leaf' in node) return [node.leaf];
  if ('and' in node) return [...conjuncts(node.and[0]), ...conjuncts(node.and[1])];
  return [];
}

/** A lower bound on (field, id): undefined parts are unbounded. */
export interface TupleBound {
  value?: number | string;
  id?: number;
}

function maxOf<T extends number | string>(a: T | undefined, b: T | undefined): T | undefined {
  return a === undefined ? b : b === undefined ? a : a > b ? a : b;
}

/** Lexicographic order of two bounds, unbounded parts lowest. */
function below(a: TupleBound, b: TupleBound): boolean {
  if (a.value !== b.value) return a.value === undefined || (b.value !== undefined && a.value < b.value);
  return a.id !== b.id && (a.id === undefined || (b.id !== undefined && a.id < b.id));
}

/**
 * The lowest (path, id) pair a match can have, in that order, from `>`/`>=` terms: terms under `&`
 * bound each part (the larger bound wins), an `|` is bounded by the lower of its two sides. So a
 * cursor domain `write_date >= s+1 OR (write_date in [s, s+1) AND id > n)` starts at (s, n). `key`
 * turns an operand of `path` into a comparable value, or undefined when it cannot.
 */
export function lowerBoundOf(node: Node, path: string, key: (operand: unknown) => number | string | undefined): TupleBound {
  if ('leaf' in node) {
    const [p, operator, operand] = node.leaf;
    if (operator !== '>' && operator !== '>=') return {};
    if (p === path) return { value: key(operand) };
    return p === 'id' && typeof operand === 'number' ? { id: operand } : {};
  }
  if ('and' in node) {
    const a = lowerBoundOf(node.and[0], path, key);
    const b = lowerBoundOf(node.and[1], path, key);
    return { value: maxOf(a.value, b.value), id: maxOf(a.id, b.id) };
  }
  if ('or' in node) {
    const a = lowerBoundOf(node.or[0], path, key);
    const b = lowerBoundOf(node.or[1], path, key);
    return below(a, b) ? a : b;
  }
  return {};
}

/** Every field path a domain names (to know whether it mentions `active`). */
export function domainPaths(domain: unknown): string[] {
  if (!Array.isArray(domain)) return [];
  return domain.flatMap((t) => (Array.isArray(t) && typeof t[0] === 'string' ? [t[0]] : []));
}

const inSets = new WeakMap<unknown[], { values: Set<unknown>; nullish: boolean }>();

/** The values of an `in` operand as a Set, built once per operand array. */
function inSet(operand: unknown[]): { values: Set<unknown>; nullish: boolean } {
  let cached = inSets.get(operand);
  if (!cached) {
    cached = { values: new Set(operand), nullish: operand.some((v) => v === false || v === null) };
    inSets.set(operand, cached);
  }
  return cached;
}

export function evaluate(node: Node, record: FieldResolver): boolean {
  if ('constant' in node) return node.constant;
  if ('and' in node) return evaluate(node.and[0], record) && evaluate(node.and[1], record);
  if ('or' in node) return evaluate(node.or[0], record) || evaluate(node.or[1], record);
  if ('not' in node) return !evaluate(node.not, record);
  return matchLeaf(node.leaf, record);
}

const ODOO_DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?/;

/** An Odoo datetime string ("2026-01-01 10:00:00", UTC) as epoch ms. */
export function parseOdooDatetime(value: string): number {
  const match = ODOO_DATETIME.exec(value);
  if (!match) throw new DomainError(`Invalid datetime ${JSON.stringify(value)}`);
  const time = match[2] ?? '00:00:00';
  return Date.parse(`${match[1]}T${time.length === 5 ? `${time}:00` : time}Z`);
}

function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

const datetimeOperands = new Map<string, number>();

/** One datetime operand as epoch ms, parsed once per distinct string (a search evaluates it per record). */
function datetimeMs(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  let ms = datetimeOperands.get(v);
  if (ms === undefined) {
    ms = parseOdooDatetime(v);
    if (datetimeOperands.size > 10_000) datetimeOperands.clear();
    datetimeOperands.set(v, ms);
  }
  return ms;
}

// No closures on the per-record path: under tsx every function created is named at run time, which
// cost more than the comparison itself.
function datetimeOperand(value: unknown): unknown {
  return Array.isArray(value) ? value.map(datetimeMs) : datetimeMs(value);
}

function someEquals(operand: unknown[], stored: unknown, type: string, isNull: boolean): boolean {
  for (const v of operand) if (equalsStored(v, stored, type, isNull)) return true;
  return false;
}

function equalsStored(v: unknown, stored: unknown, type: string, isNull: boolean): boolean {
  if (v === false || v === null) return type === 'boolean' ? !stored : isNull;
  if (type === 'boolean') return Boolean(stored) === Boolean(v);
  return !isNull && stored === v;
}

/**
 * A term on an x2many field, as Odoo's SQL `EXISTS` subqueries answer it: `= false` is "no records",
 * `!= false` "some", `=`/`in` "holds one of these ids", `!=`/`not in` "holds none of them".
 */
function matchRelated(ids: RelatedIds, [path, operator, value]: Leaf): boolean {
  const empty = value === false || value === null;
  const wanted: unknown[] = empty ? [] : Array.isArray(value) ? value : [value];
  let holds = false;
  for (const v of wanted) {
    if (typeof v !== 'number') throw new DomainError(`Invalid value ${JSON.stringify(value)} for the x2many field in ${JSON.stringify([path, operator, value])}`);
    if (ids.includes(v)) holds = true;
  }
  switch (operator) {
    case '=':
    case 'in':
      return empty ? ids.length === 0 : holds;
    case '!=':
    case '<>':
    case 'not in':
      return empty ? ids.length > 0 : !holds;
    default:
      throw new DomainError(`Invalid operator ${JSON.stringify(operator)} for an x2many field in ${JSON.stringify([path, operator, value])}`);
  }
}

function matchLeaf([path, operator, value]: Leaf, record: FieldResolver): boolean {
  const { type, value: resolved, display } = record.resolve(path);
  if (type === 'one2many' || type === 'many2many') return matchRelated(Array.isArray(resolved) ? resolved : [], [path, operator, value]);
  const raw = resolved as Comparable;
  let stored: Comparable = raw;
  let operand: unknown = value;
  // A many2one compared with text is compared by display name, as Odoo's name_search does.
  const byName = type === 'many2one' && (typeof value === 'string' || (Array.isArray(value) && value.some((v) => typeof v === 'string')));
  if (byName) stored = raw === null ? null : (display ?? null);
  if (type === 'datetime') {
    if (typeof stored === 'number' && record.wholeSeconds) stored = Math.floor(stored / 1000) * 1000;
    operand = datetimeOperand(value);
  }
  const isNull = stored === null || (type !== 'boolean' && stored === false);
  switch (operator) {
    case '=':
      return equalsStored(operand, stored, type, isNull);
    case '!=':
    case '<>':
      return !equalsStored(operand, stored, type, isNull);
    case 'in':
    case 'not in': {
      if (!Array.isArray(operand)) throw new DomainError(`The domain term ${JSON.stringify([path, operator, value])} should have a list value.`);
      const set = inSet(operand);
      // A Set for plain values: `product_id in [1000 ids]` over 100,000 quants stays linear.
      const found = type !== 'boolean' && !set.nullish ? !isNull && set.values.has(stored) : someEquals(operand, stored, type, isNull);
      return operator === 'in' ? found : !found;
    }
    case '>':
    case '>=':
    case '<':
    case '<=': {
      if (isNull || operand === false || operand === null) return false;
      const a = stored as number | string;
      const b = operand as number | string;
      return operator === '>' ? a > b : operator === '>=' ? a >= b : operator === '<' ? a < b : a <= b;
    }
    case 'like':
    case 'ilike':
    case 'not like':
    case 'not ilike':
    case '=like':
    case '=ilike': {
      const negated = operator.startsWith('not');
      if (isNull) return negated;
      const exact = operator.startsWith('=');
      const pattern = exact ? String(operand) : `%${String(operand)}%`;
      const found = likeToRegExp(pattern, operator.includes('ilike')).test(String(stored));
      return negated ? !found : found;
    }
    default:
      throw new DomainError(`Invalid operator ${JSON.stringify(operator)} in ${JSON.stringify([path, operator, value])}`);
  }
}

/** Parses `"write_date asc, id desc"`. */
export function parseOrder(order: string): { field: string; descending: boolean }[] {
  return order
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?$/i.exec(part);
      if (!match) throw new DomainError(`Invalid "order" specified (${order}).`);
      return { field: match[1] as string, descending: (match[2] ?? 'asc').toLowerCase() === 'desc' };
    });
}

/** Compares two sort keys like PostgreSQL: NULLs last ascending, first descending. */
export function compareKeys(a: Comparable, b: Comparable, descending: boolean): number {
  const aNull = a === null;
  const bNull = b === null;
  if (aNull || bNull) return aNull === bNull ? 0 : aNull !== descending ? 1 : -1;
  const result = a < b ? -1 : a > b ? 1 : 0;
  return descending ? -result : result;
}
