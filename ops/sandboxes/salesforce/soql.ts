// A small SOQL: `SELECT fields FROM Object [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n]`, with AND, OR,
// NOT, parentheses, = != <> < <= > >= LIKE IN / NOT IN, string, number, boolean, null, date and
// datetime literals, and one-level relationship fields (`Product2.ProductCode`). Anything else is
// Salesforce's MALFORMED_QUERY; unknown fields INVALID_FIELD; datetimes in quotes
// INVALID_QUERY_FILTER_OPERATOR, as a real org answers.
import { type FieldDef, normalizeId, type ObjectDef, SalesforceFault, type SandboxOrg, type SRecord } from './org';

type Literal = { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'boolean'; value: boolean } | { kind: 'null' } | { kind: 'date'; value: string } | { kind: 'datetime'; value: number };

export type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; operand: Condition }
  | { op: 'compare'; field: string; comparator: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like'; value: Literal }
  | { op: 'in'; field: string; negated: boolean; values: Literal[] };

export interface SoqlQuery {
  fields: string[];
  object: string;
  where?: Condition;
  orderBy: { field: string; descending: boolean; nullsLast: boolean }[];
  limit?: number;
  offset?: number;
}

interface Token {
  type: 'word' | 'string' | 'number' | 'datetime' | 'date' | 'op' | 'punct';
  text: string;
  at: number;
}

const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'in', 'like', 'order', 'by', 'asc', 'desc', 'nulls', 'first', 'last', 'limit', 'offset', 'true', 'false', 'null']);

function malformed(soql: string, at: number, found: string): SalesforceFault {
  const row = soql.slice(0, at).split('\n').length;
  return new SalesforceFault('MALFORMED_QUERY', `\n${soql}\n${' '.repeat(Math.max(0, at))}^\nERROR at Row:${row}:Column:${at + 1}\nunexpected token: '${found}'`);
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  const patterns: [Token['type'], RegExp][] = [
    ['datetime', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/],
    ['date', /^\d{4}-\d{2}-\d{2}(?![\dT])/],
    ['number', /^-?\d+(\.\d+)?(?![\w.])/],
    ['word', /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?/],
    ['op', /^(<=|>=|!=|<>|=|<|>)/],
    ['punct', /^[(),]/],
  ];
  let i = 0;
  while (i < soql.length) {
    const rest = soql.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if (rest[0] === "'") {
      let value = '';
      let j = 1;
      for (; j < rest.length && rest[j] !== "'"; j++) {
        if (rest[j] === '\\') {
          const next = rest[++j] ?? '';
          value += ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
        } else value += rest[j];
      }
      if (j >= rest.length) throw malformed(soql, i, rest.slice(0, 20));
      tokens.push({ type: 'string', text: value, at: i });
      i += j + 1;
      continue;
    }
    let matched = false;
    for (const [type, pattern] of patterns) {
      const m = pattern.exec(rest);
      if (m) {
        tokens.push({ type, text: m[0], at: i });
        i += m[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) throw malformed(soql, i, rest[0] as string);
  }
  return tokens;
}

/**
 * Parses the grammar above.
 * @example parseSoql("SELECT Id FROM Account WHERE Name = 'Acme' ORDER BY Id LIMIT 5")
 */
export function parseSoql(soql: string): SoqlQuery {
  const tokens = tokenize(soql);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (word: string, t = peek()) => t?.type === 'word' && t.text.toLowerCase() === word;
  const fail = (t = peek()): never => {
    throw t ? malformed(soql, t.at, t.text) : malformed(soql, soql.length, '<EOF>');
  };
  const expectWord = (word: string) => {
    if (!isWord(word)) fail();
    pos++;
  };
  const fieldName = (): string => {
    const t = peek();
    if (t?.type !== 'word' || KEYWORDS.has(t.text.toLowerCase())) return fail();
    pos++;
    return t.text;
  };
  const literal = (): Literal => {
    const t = peek();
    if (!t) return fail();
    pos++;
    if (t.type === 'string') return { kind: 'string', value: t.text };
    if (t.type === 'number') return { kind: 'number', value: Number(t.text) };
    if (t.type === 'date') return { kind: 'date', value: t.text };
    if (t.type === 'datetime') return { kind: 'datetime', value: Date.parse(t.text) };
    if (isWord('true', t) || isWord('false', t)) return { kind: 'boolean', value: t.text.toLowerCase() === 'true' };
    if (isWord('null', t)) return { kind: 'null' };
    pos--;
    return fail();
  };

  function primary(): Condition {
    if (peek()?.text === '(') {
      pos++;
      const inner = or();
      if (peek()?.text !== ')') fail();
      pos++;
      return inner;
    }
    if (isWord('not')) {
      pos++;
      return { op: 'not', operand: primary() };
    }
    const field = fieldName();
    const t = peek();
    if (isWord('not') && isWord('in', tokens[pos + 1])) {
      pos += 2;
      return { op: 'in', field, negated: true, values: list() };
    }
    if (isWord('in')) {
      pos++;
      return { op: 'in', field, negated: false, values: list() };
    }
    if (isWord('like')) {
      pos++;
      return { op: 'compare', field, comparator: 'like', value: literal() };
    }
    if (t?.type !== 'op') return fail();
    pos++;
    const comparator = t.text === '<>' ? '!=' : (t.text as '=' | '!=' | '<' | '<=' | '>' | '>=');
    return { op: 'compare', field, comparator, value: literal() };
  }
  function list(): Literal[] {
    if (peek()?.text !== '(') fail();
    pos++;
    const values = [literal()];
    while (peek()?.text === ',') {
      pos++;
      values.push(literal());
    }
    if (peek()?.text !== ')') fail();
    pos++;
    return values;
  }
  function and(): Condition {
    let left = primary();
    while (isWord('and')) {
      pos++;
      left = { op: 'and', left, right: primary() };
    }
    return left;
  }
  function or(): Condition {
    let left = and();
    while (isWord('or')) {
      pos++;
      left = { op: 'or', left, right: and() };
    }
    return left;
  }
  const count = (): number => {
    const t = peek();
    if (t?.type !== 'number' || !/^\d+$/.test(t.text)) return fail();
    pos++;
    return Number(t.text);
  };

  expectWord('select');
  const fields = [fieldName()];
  while (peek()?.text === ',') {
    pos++;
    fields.push(fieldName());
  }
  expectWord('from');
  // `FROM Order` is fine: after FROM a keyword is an object name.
  const objectToken = peek();
  if (objectToken?.type !== 'word' || objectToken.text.includes('.')) fail();
  pos++;
  const object = (objectToken as Token).text;
  const query: SoqlQuery = { fields, object, orderBy: [] };
  if (isWord('where')) {
    pos++;
    query.where = or();
  }
  if (isWord('order')) {
    pos++;
    expectWord('by');
    do {
      if (peek()?.text === ',') pos++;
      const field = fieldName();
      let descending = false;
      if (isWord('asc') || isWord('desc')) descending = (tokens[pos++] as Token).text.toLowerCase() === 'desc';
      // Salesforce sorts nulls first unless told otherwise, either direction.
      let nullsLast = false;
      if (isWord('nulls')) {
        pos++;
        if (!isWord('first') && !isWord('last')) fail();
        nullsLast = (tokens[pos++] as Token).text.toLowerCase() === 'last';
      }
      query.orderBy.push({ field, descending, nullsLast });
    } while (peek()?.text === ',');
  }
  if (isWord('limit')) {
    pos++;
    query.limit = count();
  }
  if (isWord('offset')) {
    pos++;
    query.offset = count();
  }
  if (pos < tokens.length) fail();
  return query;
}

/** A field path of a query resolved against the schema: the field, and the relationship it goes through. */
interface Resolved {
  path: string;
  field: FieldDef;
  /** For `Product2.ProductCode`: the reference field (`Product2Id`) and the related object. */
  via?: { reference: FieldDef; object: ObjectDef };
}

function invalidField(name: string, def: ObjectDef): SalesforceFault {
  return new SalesforceFault(
    'INVALID_FIELD',
    `No such column '${name}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

function resolve(org: SandboxOrg, def: ObjectDef, path: string): Resolved {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) {
    const field = org.findField(def, head);
    if (!field) throw invalidField(head, def);
    return { path: field.name, field };
  }
  const reference = [...def.fields.values()].find((f) => f.relationshipName?.toLowerCase() === head.toLowerCase());
  if (!reference?.referenceTo) throw new SalesforceFault('INVALID_FIELD', `Didn't understand relationship '${head}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`);
  const object = org.object(reference.referenceTo);
  const field = org.findField(object, tail);
  if (!field) throw invalidField(tail, object);
  return { path: `${reference.relationshipName}.${field.name}`, field, via: { reference, object } };
}

function fieldValue(org: SandboxOrg, record: SRecord, r: Resolved): unknown {
  if (!r.via) return record[r.field.name];
  const related = org.byId(record[r.via.reference.name])?.record;
  return related ? related[r.field.name] : null;
}

/** The comparable form of a value of a field: epoch ms for datetimes, lower case for text, the 15-char id for ids. */
function comparable(field: FieldDef, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (field.type === 'datetime') return Date.parse(String(value));
  if (field.type === 'id' || field.type === 'reference') return String(value).slice(0, 15);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value).toLowerCase();
}

function literalFor(r: Resolved, literal: Literal): string | number | boolean | null {
  const { field } = r;
  const filterType = (expected: string) =>
    new SalesforceFault('INVALID_QUERY_FILTER_OPERATOR', `value of filter criterion for field '${r.path}' must be of type ${expected} and should not be enclosed in quotes`);
  if (literal.kind === 'null') return null;
  if (field.type === 'datetime') {
    if (literal.kind !== 'datetime') throw filterType('dateTime');
    return literal.value;
  }
  if (field.type === 'date') {
    if (literal.kind !== 'date') throw filterType('date');
    return literal.value;
  }
  if (field.type === 'boolean') {
    if (literal.kind !== 'boolean') throw filterType('boolean');
    return literal.value;
  }
  if (field.type === 'double' || field.type === 'currency' || field.type === 'percent') {
    if (literal.kind !== 'number') throw filterType('double');
    return literal.value;
  }
  if (literal.kind !== 'string') throw new SalesforceFault('INVALID_QUERY_FILTER_OPERATOR', `value of filter criterion for field '${r.path}' must be of type string and should be enclosed in quotes`);
  if (field.type === 'id' || field.type === 'reference') {
    const id = normalizeId(literal.value);
    if (!id) throw new SalesforceFault('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${literal.value}`);
    return id.slice(0, 15);
  }
  return literal.value.toLowerCase();
}

function compare(a: string | number | boolean | null, b: string | number | boolean | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function likeToRegExp(pattern: string): RegExp {
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${source}$`, 'is');
}

/**
 * Runs a parsed query over the org: the matching records (deleted ones only with `all`), ordered and
 * cut, as `{ record, values }` with the selected paths resolved.
 */
export function runSoql(org: SandboxOrg, query: SoqlQuery, options: { all: boolean }): { def: ObjectDef; fields: Resolved[]; rows: SRecord[] } {
  const def = org.object(query.object);
  const fields = query.fields.map((f) => resolve(org, def, f));
  const cache = new Map<string, Resolved>();
  const resolved = (path: string) => {
    let r = cache.get(path);
    if (!r) {
      r = resolve(org, def, path);
      cache.set(path, r);
    }
    return r;
  };
  function test(record: SRecord, c: Condition): boolean {
    switch (c.op) {
      case 'and':
        return test(record, c.left) && test(record, c.right);
      case 'or':
        return test(record, c.left) || test(record, c.right);
      case 'not':
        return !test(record, c.operand);
      case 'in': {
        const r = resolved(c.field);
        const value = comparable(r.field, fieldValue(org, record, r));
        const found = c.values.some((v) => compare(value, literalFor(r, v)) === 0);
        return c.negated ? !found && value !== null : found;
      }
      default: {
        const r = resolved(c.field);
        const value = comparable(r.field, fieldValue(org, record, r));
        if (c.comparator === 'like') {
          if (c.value.kind !== 'string') throw new SalesforceFault('INVALID_QUERY_FILTER_OPERATOR', `invalid operator on field '${r.path}': LIKE takes a string`);
          return value !== null && likeToRegExp(c.value.value).test(String(value));
        }
        const expected = literalFor(r, c.value);
        if (expected === null || value === null) {
          if (c.comparator === '=') return value === expected;
          if (c.comparator === '!=') return value !== expected;
          return false;
        }
        const order = compare(value, expected);
        return { '=': order === 0, '!=': order !== 0, '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0 }[c.comparator];
      }
    }
  }
  // Validate the WHERE fields even when the table is empty, as Salesforce compiles the query first.
  const walk = (c: Condition | undefined): void => {
    if (!c) return;
    switch (c.op) {
      case 'and':
      case 'or':
        walk(c.left);
        walk(c.right);
        return;
      case 'not':
        walk(c.operand);
        return;
      case 'in':
        for (const v of c.values) literalFor(resolved(c.field), v);
        return;
      default:
        if (c.comparator !== 'like') literalFor(resolved(c.field), c.value);
    }
  };
  walk(query.where);
  const order = query.orderBy.map((o) => ({ ...o, r: resolved(o.field) }));

  let rows = [...org.table(def.name).values()].filter((r) => (options.all || r.IsDeleted !== true) && (!query.where || test(r, query.where)));
  if (order.length) {
    rows.sort((a, b) => {
      for (const o of order) {
        const va = comparable(o.r.field, fieldValue(org, a, o.r));
        const vb = comparable(o.r.field, fieldValue(org, b, o.r));
        if (va === vb) continue;
        if (va === null || vb === null) return (va === null) === o.nullsLast ? 1 : -1;
        const c = compare(va, vb);
        if (c !== 0) return o.descending ? -c : c;
      }
      return 0;
    });
  }
  if (query.offset) rows = rows.slice(query.offset);
  if (query.limit !== undefined) rows = rows.slice(0, query.limit);
  return { def, fields, rows };
}

/** A record as the REST API shows it: `attributes`, the selected fields, relationships as nested records. */
export function formatRow(org: SandboxOrg, apiVersion: string, def: ObjectDef, record: SRecord, fields: readonly Resolved[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: def.name, url: `/services/data/${apiVersion}/sobjects/${def.name}/${record.Id}` } };
  for (const r of fields) {
    if (!r.via) {
      out[r.field.name] = formatValue(r.field, record[r.field.name]);
      continue;
    }
    const key = r.via.reference.relationshipName as string;
    const related = org.byId(record[r.via.reference.name])?.record;
    if (!related) {
      out[key] = null;
      continue;
    }
    const nested = (out[key] as Record<string, unknown> | undefined) ?? { attributes: { type: r.via.object.name, url: `/services/data/${apiVersion}/sobjects/${r.via.object.name}/${related.Id}` } };
    nested[r.field.name] = formatValue(r.field, related[r.field.name]);
    out[key] = nested;
  }
  return out;
}

export function formatValue(field: FieldDef, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (field.type === 'datetime') return `${new Date(String(value)).toISOString().slice(0, 23)}+0000`;
  return value;
}

export type { Resolved };
