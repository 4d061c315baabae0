// The HubSpot sandbox's account in memory: records with HubSpot's property rules (types, options,
// unique values, read-only and required properties), the last-modified index searches use, search
// itself (filter groups, one sort, `after` paging, the 10,000 cap), batch writes and associations.
import { randomUUID } from 'node:crypto';
import {
  ASSOCIATION_KINDS,
  type AssociationKind,
  DEFAULT_PROPERTIES,
  modifiedProperty,
  OBJECT_TYPE_IDS,
  OBJECT_TYPES,
  type ObjectType,
  PROPERTIES,
  type PropertyDef,
  SINGULAR,
} from './schema';

/** A failure HubSpot answers with an HTTP status and `{status: 'error', message, correlationId, category, ...}`. */
export class HubspotError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly extra: { context?: Record<string, unknown>; errors?: Record<string, unknown>[]; subCategory?: string } = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { status: 'error', message: this.message, correlationId: randomUUID(), category: this.category, ...this.extra };
  }
}

/** Why one record of a write was refused. */
export interface RecordProblem {
  category: string;
  message: string;
  /** HubSpot's error code (`PROPERTY_DOESNT_EXIST`, `INVALID_EMAIL`, ...). */
  code: string;
  propertyName?: string;
}

/** A record: property values as HubSpot keeps them (text), times as epoch milliseconds. */
export interface Rec {
  type: ObjectType;
  id: number;
  values: Record<string, string>;
  created: number;
  modified: number;
  archived: boolean;
  archivedAt?: number;
}

/** A rule a test installs to refuse some writes, as HubSpot validation would. */
export interface Rejection {
  type: ObjectType;
  predicate(properties: Record<string, unknown>, write: { operation: 'create' | 'update'; id?: string }): boolean;
  message: string;
  property?: string;
}

/** A change as a HubSpot webhook reports it (before it is sent). */
export interface JournalEvent {
  subscriptionType: string;
  objectId: number;
  occurredAt: number;
  propertyName?: string;
  propertyValue?: string;
  changeFlag?: string;
}

type Json = Record<string, unknown>;

/** A record's place in the last-modified index, as it was when indexed. */
interface IndexEntry {
  rec: Rec;
  m: number;
}

class ObjectTable {
  readonly live = new Map<number, Rec>();
  readonly archived = new Map<number, Rec>();
  /** Every live record by (modified, id); entries of records changed since are stale and skipped. */
  entries: IndexEntry[] = [];
  stale = 0;
  /** Unique property → value (lower-cased) → record. */
  readonly unique = new Map<string, Map<string, Rec>>();
  nextId: number;

  constructor(firstId: number) {
    this.nextId = firstId;
  }
}

const FIRST_IDS: Record<ObjectType, number> = { contacts: 1_001, companies: 2_001, deals: 3_001, products: 4_001, line_items: 5_001 };

const isStale = (e: IndexEntry, table: ObjectTable) => e.rec.archived || e.rec.modified !== e.m || table.live.get(e.rec.id) !== e.rec;
const before = (a: { m: number; id: number }, b: { m: number; id: number }) => a.m < b.m || (a.m === b.m && a.id < b.id);

/** Spreads records of one millisecond over a fixed but arbitrary order: HubSpot does not sort ties by id. */
const scramble = (id: number) => Math.imul(id, 2654435761) >>> 0;

function propertyError(problems: { name: string; error: string; message: string }[]): string {
  return `Property values were not valid: ${JSON.stringify(problems.map((p) => ({ isValid: false, message: p.message, error: p.error, name: p.name, localizedErrorMessage: p.message })))}`;
}

function problem(code: string, name: string, message: string, category = 'VALIDATION_ERROR'): RecordProblem {
  return { category, code, propertyName: name, message: category === 'VALIDATION_ERROR' ? propertyError([{ name, error: code, message }]) : message };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A filter value or stored value as something comparable, by property type. */
function comparable(def: PropertyDef, value: unknown): number | string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  switch (def.type) {
    case 'number': {
      const n = Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'datetime': {
      const ms = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : Date.parse(String(value));
      return Number.isNaN(ms) ? undefined : ms;
    }
    case 'date': {
      if (typeof value === 'number' || /^\d+$/.test(String(value))) return new Date(Number(value)).toISOString().slice(0, 10);
      return String(value);
    }
    default:
      return String(value).toLowerCase();
  }
}

interface Filter {
  def: PropertyDef;
  operator: string;
  value?: number | string;
  high?: number | string;
  values?: (number | string | undefined)[];
  token?: string;
}

/**
 * The account's data and HubSpot's rules over it.
 * @example const store = new HubspotStore(() => Date.now()); const rec = store.create('companies', { name: 'Acme' })
 */
export class HubspotStore {
  readonly tables: Record<ObjectType, ObjectTable>;
  /** `from/to` → from id → to id → association type ids. */
  private readonly links = new Map<string, Map<number, Map<number, Set<number>>>>();
  readonly rejections: Rejection[] = [];
  /** Changes not yet taken by `takeEvents`; only recorded while `journaling`. */
  readonly journal: JournalEvent[] = [];
  journaling = true;
  /** Associations of one record per `batch/read` page. */
  associationPageSize = 500;

  constructor(readonly now: () => number) {
    this.tables = Object.fromEntries(OBJECT_TYPES.map((t) => [t, new ObjectTable(FIRST_IDS[t])])) as Record<ObjectType, ObjectTable>;
  }

  /** The object type a path names: `companies`, `company`, or the type id `0-2`. */
  static objectType(name: string): ObjectType | undefined {
    const lower = name.toLowerCase();
    for (const type of OBJECT_TYPES) if (lower === type || lower === SINGULAR[type] || lower === OBJECT_TYPE_IDS[type]) return type;
    return undefined;
  }

  property(type: ObjectType, name: string): PropertyDef | undefined {
    return PROPERTIES[type].get(name);
  }

  // ------------------------------------------------------------------------------------------ records

  get(type: ObjectType, id: number | string): Rec | undefined {
    return this.tables[type].live.get(Number(id));
  }

  getArchived(type: ObjectType, id: number | string): Rec | undefined {
    return this.tables[type].archived.get(Number(id));
  }

  byUnique(type: ObjectType, property: string, value: string): Rec | undefined {
    return this.tables[type].unique.get(property)?.get(value.toLowerCase());
  }

  /** A record as the API shows it, with the asked properties (unknown ones left out), or the defaults. */
  output(rec: Rec, properties?: readonly string[] | null, extra: Json = {}): Json {
    const modified = modifiedProperty(rec.type);
    const names = properties && properties.length > 0 ? [...new Set([...properties.filter((p) => PROPERTIES[rec.type].has(p)), 'hs_object_id', 'createdate', modified])] : DEFAULT_PROPERTIES[rec.type];
    const values: Record<string, string | null> = {};
    for (const name of names) values[name] = this.value(rec, name) ?? null;
    const out: Json = { id: String(rec.id), properties: values, createdAt: new Date(rec.created).toISOString(), updatedAt: new Date(rec.modified).toISOString(), archived: rec.archived, ...extra };
    if (rec.archivedAt !== undefined) out.archivedAt = new Date(rec.archivedAt).toISOString();
    return out;
  }

  /** The value of a property as text, as HubSpot returns it. */
  value(rec: Rec, name: string): string | undefined {
    if (name === 'hs_object_id') return String(rec.id);
    if (name === 'createdate') return new Date(rec.created).toISOString();
    if (name === modifiedProperty(rec.type)) return new Date(rec.modified).toISOString();
    return rec.values[name];
  }

  /**
   * Checks a write's properties as HubSpot does and converts them to stored text (`null`: clear).
   * Returns the first problem found, or the values.
   */
  check(type: ObjectType, properties: unknown, write: { operation: 'create' | 'update'; rec?: Rec; id?: string }): { values: Record<string, string | null> } | { problem: RecordProblem } {
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return { problem: problem('INVALID_INPUT', 'properties', 'properties must be an object', 'VALIDATION_ERROR') };
    const input = properties as Record<string, unknown>;
    const values: Record<string, string | null> = {};
    for (const [name, raw] of Object.entries(input)) {
      const def = PROPERTIES[type].get(name);
      if (!def) return { problem: problem('PROPERTY_DOESNT_EXIST', name, `Property "${name}" does not exist`) };
      if (def.readOnly) return { problem: problem('READ_ONLY_VALUE', name, `${name} is a read only property; its value cannot be set.`) };
      const converted = this.convert(def, raw);
      if ('problem' in converted) return converted;
      values[name] = converted.value;
    }
    if (write.operation === 'create') {
      for (const def of PROPERTIES[type].values()) {
        if (def.default !== undefined && (values[def.name] === undefined || values[def.name] === null)) values[def.name] = def.default;
        if (def.required && (values[def.name] === undefined || values[def.name] === null)) return { problem: problem('REQUIRED_FIELD', def.name, `${def.name} is required`) };
      }
    }
    for (const rule of this.rejections) {
      if (rule.type === type && rule.predicate(input, { operation: write.operation, id: write.id ?? (write.rec ? String(write.rec.id) : undefined) })) {
        const name = rule.property ?? Object.keys(input)[0] ?? 'properties';
        return { problem: problem('INVALID_VALUE', name, rule.message) };
      }
    }
    for (const [name, value] of Object.entries(values)) {
      if (value === null || !PROPERTIES[type].get(name)?.hasUniqueValue) continue;
      const holder = this.byUnique(type, name, value);
      if (holder && holder !== write.rec) {
        const what = SINGULAR[type];
        const message = type === 'contacts' && name === 'email' ? `Contact already exists. Existing ID: ${holder.id}` : `A ${what} with ${name} ${JSON.stringify(value)} already exists. Existing ID: ${holder.id}`;
        return { problem: { category: 'CONFLICT', code: 'DUPLICATE_VALUE', propertyName: name, message } };
      }
    }
    return { values };
  }

  private convert(def: PropertyDef, raw: unknown): { value: string | null } | { problem: RecordProblem } {
    if (raw === null || raw === '') return { value: null };
    const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
    if (typeof raw === 'object') return { problem: problem('INVALID_STRING', def.name, `${shown} is not a valid value for ${def.name}`) };
    switch (def.type) {
      case 'number': {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
        if (!Number.isFinite(n)) return { problem: problem('INVALID_FLOAT', def.name, `${shown} was not a valid number.`) };
        return { value: String(n) };
      }
      case 'bool':
        if (raw === true || raw === 'true') return { value: 'true' };
        if (raw === false || raw === 'false') return { value: 'false' };
        return { problem: problem('INVALID_BOOLEAN', def.name, `${shown} is not a valid boolean; use true or false.`) };
      case 'datetime': {
        const ms = typeof raw === 'number' ? raw : /^\d+$/.test(String(raw)) ? Number(raw) : /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(String(raw)) ? Date.parse(String(raw)) : Number.NaN;
        if (!Number.isFinite(ms)) return { problem: problem('INVALID_DATETIME', def.name, `${shown} is not a valid datetime; use epoch milliseconds or ISO 8601.`) };
        return { value: new Date(ms).toISOString() };
      }
      case 'date': {
        const text = String(raw);
        const day = ISO_DATE.exec(text);
        if (day) {
          const d = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
          if (d.toISOString().slice(0, 10) === text) return { value: text };
        } else if (/^\d+$/.test(text) && Number(text) % 86_400_000 === 0) {
          return { value: new Date(Number(text)).toISOString().slice(0, 10) };
        }
        return { problem: problem('INVALID_DATE', def.name, `${shown} is not a valid date; a date is YYYY-MM-DD or midnight UTC in epoch milliseconds.`) };
      }
      case 'enumeration': {
        const text = String(raw);
        if (def.options && !def.options.includes(text)) return { problem: problem('INVALID_OPTION', def.name, `${text} was not one of the allowed options: [${def.options.join(', ')}]`) };
        return { value: text };
      }
      default: {
        const text = String(raw);
        if (def.email && !EMAIL.test(text)) return { problem: problem('INVALID_EMAIL', def.name, `Email address ${text} is invalid`) };
        return { value: text };
      }
    }
  }

  /** Creates a record from checked values. */
  insert(type: ObjectType, values: Record<string, string | null>, at = this.now()): Rec {
    const table = this.tables[type];
    const rec: Rec = { type, id: table.nextId++, values: {}, created: at, modified: at, archived: false };
    for (const [name, value] of Object.entries(values)) if (value !== null) rec.values[name] = value;
    table.live.set(rec.id, rec);
    this.indexUnique(table, rec, {}, rec.values);
    this.indexModified(table, rec);
    if (type === 'line_items') this.computeLineAmount(rec);
    this.record({ subscriptionType: `${SINGULAR[type]}.creation`, objectId: rec.id, occurredAt: at, changeFlag: 'NEW' });
    return rec;
  }

  /** Writes checked values; the last-modified time moves only when a value changed. Returns the names changed. */
  apply(rec: Rec, values: Record<string, string | null>): string[] {
    const table = this.tables[rec.type];
    const old = { ...rec.values };
    const changed: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      if ((rec.values[name] ?? null) === value) continue;
      if (value === null) delete rec.values[name];
      else rec.values[name] = value;
      changed.push(name);
    }
    if (rec.type === 'line_items' && changed.some((n) => ['quantity', 'price', 'discount', 'hs_discount_percentage'].includes(n))) this.computeLineAmount(rec);
    if (changed.length === 0) return changed;
    this.indexUnique(table, rec, old, rec.values);
    this.touch(rec);
    for (const name of changed) this.record({ subscriptionType: `${SINGULAR[rec.type]}.propertyChange`, objectId: rec.id, occurredAt: rec.modified, propertyName: name, propertyValue: rec.values[name] ?? '' });
    return changed;
  }

  /** Moves a record's last-modified time to now. */
  touch(rec: Rec): void {
    const at = this.now();
    if (at === rec.modified) return;
    rec.modified = at;
    const table = this.tables[rec.type];
    table.stale++;
    this.indexModified(table, rec);
  }

  /** Moves a record to the recycle bin: gone from searches, reads and unique values. */
  archive(type: ObjectType, id: number): boolean {
    const table = this.tables[type];
    const rec = table.live.get(id);
    if (!rec) return false;
    table.live.delete(id);
    rec.archived = true;
    rec.archivedAt = this.now();
    table.archived.set(id, rec);
    table.stale++;
    this.indexUnique(table, rec, rec.values, {});
    this.record({ subscriptionType: `${SINGULAR[type]}.deletion`, objectId: id, occurredAt: rec.archivedAt });
    return true;
  }

  private computeLineAmount(rec: Rec): void {
    const q = Number(rec.values.quantity ?? 0);
    const p = Number(rec.values.price ?? 0);
    const pct = Number(rec.values.hs_discount_percentage ?? 0);
    const off = Number(rec.values.discount ?? 0);
    const amount = rec.values.hs_discount_percentage !== undefined ? q * p * (1 - pct / 100) : q * (p - off);
    rec.values.amount = String(Math.round(amount * 100) / 100);
  }

  private record(event: JournalEvent): void {
    if (!this.journaling) return;
    this.journal.push(event);
    // A demo left running must not grow without bound (trimmed in steps, not on every change).
    if (this.journal.length > 12_000) this.journal.splice(0, this.journal.length - 10_000);
  }

  private indexUnique(table: ObjectTable, rec: Rec, from: Record<string, string>, to: Record<string, string>): void {
    for (const def of PROPERTIES[rec.type].values()) {
      if (!def.hasUniqueValue) continue;
      const a = from[def.name];
      const b = to[def.name];
      if (a === b && from !== to) continue;
      let index = table.unique.get(def.name);
      if (!index) {
        index = new Map();
        table.unique.set(def.name, index);
      }
      if (a !== undefined && index.get(a.toLowerCase()) === rec) index.delete(a.toLowerCase());
      if (b !== undefined) index.set(b.toLowerCase(), rec);
    }
  }

  /** Files a record under its current (modified, id); almost always at the end, so it stays cheap for 100,000 records. */
  private indexModified(table: ObjectTable, rec: Rec): void {
    const entry: IndexEntry = { rec, m: rec.modified };
    const entries = table.entries;
    const last = entries[entries.length - 1];
    if (!last || !before({ m: entry.m, id: rec.id }, { m: last.m, id: last.rec.id })) entries.push(entry);
    else entries.splice(this.lowerBound(entries, entry.m, rec.id), 0, entry);
    if (table.stale > 1_000 && table.stale > table.live.size) {
      table.entries = entries.filter((e) => !isStale(e, table));
      table.stale = 0;
    }
  }

  /** The first index whose (m, id) is not below (m, id). */
  private lowerBound(entries: IndexEntry[], m: number, id: number): number {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = entries[mid] as IndexEntry;
      if (before({ m: e.m, id: e.rec.id }, { m, id })) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // ------------------------------------------------------------------------------------------- search

  /** `POST /crm/objects/<v>/<type>/search`. */
  search(type: ObjectType, body: Json): Json {
    const table = this.tables[type];
    const limit = body.limit === undefined ? 10 : body.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 200) throw new HubspotError(400, 'VALIDATION_ERROR', `limit must be an integer between 1 and 200, got ${JSON.stringify(limit)}`);
    const afterText = body.after === undefined || body.after === null || body.after === '' ? '0' : String(body.after);
    if (!/^\d+$/.test(afterText)) throw new HubspotError(400, 'VALIDATION_ERROR', `after must be a paging cursor from a previous answer, got ${JSON.stringify(body.after)}`);
    const after = Number(afterText);
    if (after + limit > 10_000) {
      throw new HubspotError(400, 'VALIDATION_ERROR', 'The search endpoints return at most 10,000 results for a query (after + limit must not exceed 10000); narrow the query, e.g. by the last modified date.');
    }
    const groups = this.compileGroups(type, body.filterGroups);
    const sorts = Array.isArray(body.sorts) ? body.sorts : [];
    if (sorts.length > 1) throw new HubspotError(400, 'VALIDATION_ERROR', 'Only one sort is allowed per search.');
    const sort = sorts[0] === undefined ? undefined : this.compileSort(type, sorts[0]);
    const properties = Array.isArray(body.properties) ? body.properties.filter((p): p is string => typeof p === 'string') : [];

    const matches = this.matching(type, table, groups);
    const modified = modifiedProperty(type);
    let ordered: Rec[];
    let window: Rec[];
    if (!sort || sort.name === 'hs_object_id') {
      ordered = matches.sort((a, b) => (sort?.descending ? b.id - a.id : a.id - b.id));
      window = ordered.slice(after, after + limit);
    } else if (sort.name === modified || sort.name === 'createdate') {
      const key = sort.name === modified ? (r: Rec) => r.modified : (r: Rec) => r.created;
      ordered = sort.name === modified && groups.length <= 1 ? matches : matches.sort((a, b) => key(a) - key(b) || a.id - b.id);
      if (sort.descending) ordered.reverse();
      window = this.windowWithTies(ordered, after, limit, key, sort.descending);
    } else {
      const def = this.property(type, sort.name) as PropertyDef;
      const sign = sort.descending ? -1 : 1;
      ordered = matches.sort((a, b) => {
        const x = comparable(def, this.value(a, sort.name));
        const y = comparable(def, this.value(b, sort.name));
        // Records without a value come last either way.
        if (x === undefined || y === undefined) return x === y ? a.id - b.id : x === undefined ? 1 : -1;
        return x < y ? -sign : x > y ? sign : a.id - b.id;
      });
      window = ordered.slice(after, after + limit);
    }
    const total = ordered.length;
    const answer: Json = { total, results: window.map((r) => this.output(r, properties.length > 0 ? properties : [...DEFAULT_PROPERTIES[type]])) };
    if (after + limit < total) answer.paging = { next: { after: String(after + limit), link: `?after=${after + limit}` } };
    return answer;
  }

  /**
   * The page [after, after+limit) of records ordered by a time, where records of the same
   * millisecond come in an arbitrary (but fixed) order, as HubSpot's index returns them.
   */
  private windowWithTies(ordered: Rec[], after: number, limit: number, key: (r: Rec) => number, descending?: boolean): Rec[] {
    const end = Math.min(after + limit, ordered.length);
    if (after >= end) return [];
    let from = after;
    const first = key(ordered[after] as Rec);
    while (from > 0 && key(ordered[from - 1] as Rec) === first) from--;
    let to = end;
    const last = key(ordered[end - 1] as Rec);
    while (to < ordered.length && key(ordered[to] as Rec) === last) to++;
    const sign = descending ? -1 : 1;
    const run = ordered.slice(from, to).sort((a, b) => sign * (key(a) - key(b)) || scramble(a.id) - scramble(b.id) || a.id - b.id);
    return run.slice(after - from, end - from);
  }

  private compileSort(type: ObjectType, raw: unknown): { name: string; descending: boolean } {
    let name: unknown;
    let direction: unknown = 'ASCENDING';
    if (typeof raw === 'string') {
      name = raw.replace(/^-/, '');
      direction = raw.startsWith('-') ? 'DESCENDING' : 'ASCENDING';
    } else if (typeof raw === 'object' && raw !== null) {
      ({ propertyName: name, direction = 'ASCENDING' } = raw as Json);
    }
    if (typeof name !== 'string' || !this.property(type, name)) throw new HubspotError(400, 'VALIDATION_ERROR', `Cannot sort by ${JSON.stringify(name)}: no such ${SINGULAR[type]} property.`);
    if (direction !== 'ASCENDING' && direction !== 'DESCENDING') throw new HubspotError(400, 'VALIDATION_ERROR', `Sort direction must be ASCENDING or DESCENDING, got ${JSON.stringify(direction)}`);
    return { name, descending: direction === 'DESCENDING' };
  }

  private compileGroups(type: ObjectType, raw: unknown): Filter[][] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw new HubspotError(400, 'VALIDATION_ERROR', 'filterGroups must be a list');
    if (raw.length > 5) throw new HubspotError(400, 'VALIDATION_ERROR', `A search takes at most 5 filterGroups, got ${raw.length}`);
    let count = 0;
    const groups = raw.map((group, g) => {
      const filters = (group as Json)?.filters;
      if (!Array.isArray(filters)) throw new HubspotError(400, 'VALIDATION_ERROR', `filterGroups[${g}].filters must be a list`);
      if (filters.length > 6) throw new HubspotError(400, 'VALIDATION_ERROR', `A filter group takes at most 6 filters, got ${filters.length}`);
      count += filters.length;
      return filters.map((f, i) => this.compileFilter(type, f as Json, `filterGroups[${g}].filters[${i}]`));
    });
    if (count > 18) throw new HubspotError(400, 'VALIDATION_ERROR', `A search takes at most 18 filters in all, got ${count}`);
    return groups.filter((g) => g.length > 0);
  }

  private compileFilter(type: ObjectType, raw: Json, where: string): Filter {
    const name = raw.propertyName;
    const def = typeof name === 'string' ? this.property(type, name) : undefined;
    if (!def) throw new HubspotError(400, 'VALIDATION_ERROR', `${where}: there is no ${SINGULAR[type]} property ${JSON.stringify(name)}`, { context: { propertyName: [String(name)] } });
    const operator = String(raw.operator ?? 'EQ');
    const filter: Filter = { def, operator };
    switch (operator) {
      case 'EQ':
      case 'NEQ':
      case 'LT':
      case 'LTE':
      case 'GT':
      case 'GTE':
        filter.value = comparable(def, raw.value);
        if (filter.value === undefined) throw new HubspotError(400, 'VALIDATION_ERROR', `${where}: ${operator} needs a value`);
        break;
      case 'BETWEEN':
        filter.value = comparable(def, raw.value);
        filter.high = comparable(def, raw.highValue);
        if (filter.value === undefined || filter.high === undefined) throw new HubspotError(400, 'VALIDATION_ERROR', `${where}: BETWEEN needs value and highValue`);
        break;
      case 'IN':
      case 'NOT_IN':
        if (!Array.isArray(raw.values)) throw new HubspotError(400, 'VALIDATION_ERROR', `${where}: ${operator} needs values`);
        filter.values = raw.values.map((v) => comparable(def, v));
        break;
      case 'CONTAINS_TOKEN':
      case 'NOT_CONTAINS_TOKEN':
        filter.token = String(raw.value ?? '')
          .replace(/\*/g, '')
          .toLowerCase();
        break;
      case 'HAS_PROPERTY':
      case 'NOT_HAS_PROPERTY':
        break;
      default:
        throw new HubspotError(400, 'VALIDATION_ERROR', `${where}: unknown operator ${JSON.stringify(operator)}`);
    }
    return filter;
  }

  private passes(rec: Rec, filter: Filter): boolean {
    const raw = filter.def.name === modifiedProperty(rec.type) ? rec.modified : filter.def.name === 'createdate' ? rec.created : this.value(rec, filter.def.name);
    const v = comparable(filter.def, raw);
    switch (filter.operator) {
      case 'HAS_PROPERTY':
        return v !== undefined;
      case 'NOT_HAS_PROPERTY':
        return v === undefined;
      case 'NEQ':
        return v !== filter.value;
      case 'NOT_IN':
        return !filter.values?.includes(v);
      case 'NOT_CONTAINS_TOKEN':
        return v === undefined || !String(v).includes(filter.token ?? '');
    }
    if (v === undefined) return false;
    const value = filter.value as number | string;
    switch (filter.operator) {
      case 'EQ':
        return v === value;
      case 'LT':
        return v < value;
      case 'LTE':
        return v <= value;
      case 'GT':
        return v > value;
      case 'GTE':
        return v >= value;
      case 'BETWEEN':
        return v >= value && v <= (filter.high as number | string);
      case 'IN':
        return filter.values?.includes(v) ?? false;
      case 'CONTAINS_TOKEN':
        return String(v).includes(filter.token ?? '');
      default:
        return false;
    }
  }

  /** Records matching any group (all filters of a group), by (modified, id); indexes narrow the scan. */
  private matching(type: ObjectType, table: ObjectTable, groups: Filter[][]): Rec[] {
    if (groups.length === 0) return this.scan(table, 0, table.entries.length, []);
    if (groups.length === 1) return this.matchGroup(type, table, groups[0] as Filter[]);
    const seen = new Map<number, Rec>();
    for (const group of groups) for (const rec of this.matchGroup(type, table, group)) seen.set(rec.id, rec);
    return [...seen.values()].sort((a, b) => a.modified - b.modified || a.id - b.id);
  }

  private matchGroup(type: ObjectType, table: ObjectTable, filters: Filter[]): Rec[] {
    // A unique value (or the record id) names one record at most.
    for (const f of filters) {
      if (f.operator !== 'EQ') continue;
      let rec: Rec | undefined;
      if (f.def.name === 'hs_object_id') rec = table.live.get(Number(f.value));
      else if (f.def.hasUniqueValue) rec = table.unique.get(f.def.name)?.get(String(f.value));
      else continue;
      return rec && filters.every((g) => this.passes(rec, g)) ? [rec] : [];
    }
    // Bounds on the last-modified time are a range of the index.
    const modified = modifiedProperty(type);
    let low = Number.NEGATIVE_INFINITY;
    let high = Number.POSITIVE_INFINITY;
    const rest: Filter[] = [];
    for (const f of filters) {
      if (f.def.name !== modified || typeof f.value !== 'number') {
        rest.push(f);
        continue;
      }
      if (f.operator === 'GT') low = Math.max(low, f.value + 1);
      else if (f.operator === 'GTE' || f.operator === 'BETWEEN') low = Math.max(low, f.value);
      else if (f.operator === 'EQ') [low, high] = [Math.max(low, f.value), Math.min(high, f.value)];
      else if (f.operator === 'LT') high = Math.min(high, f.value - 1);
      else if (f.operator === 'LTE') high = Math.min(high, f.value);
      else rest.push(f);
      if (f.operator === 'BETWEEN' && typeof f.high === 'number') high = Math.min(high, f.high);
    }
    const from = low === Number.NEGATIVE_INFINITY ? 0 : this.lowerBound(table.entries, low, Number.NEGATIVE_INFINITY);
    const to = high === Number.POSITIVE_INFINITY ? table.entries.length : this.lowerBound(table.entries, high + 1, Number.NEGATIVE_INFINITY);
    return this.scan(table, from, to, rest);
  }

  private scan(table: ObjectTable, from: number, to: number, filters: Filter[]): Rec[] {
    const out: Rec[] = [];
    const entries = table.entries;
    for (let i = from; i < to; i++) {
      const e = entries[i] as IndexEntry;
      if (isStale(e, table)) continue;
      let ok = true;
      for (const f of filters) {
        if (!this.passes(e.rec, f)) {
          ok = false;
          break;
        }
      }
      if (ok) out.push(e.rec);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------- associations

  kinds(from: ObjectType, to: ObjectType): readonly AssociationKind[] | undefined {
    return ASSOCIATION_KINDS[`${from}/${to}`];
  }

  /** Associates two records with a type (and the unlabeled default, which every association has). */
  associate(from: ObjectType, fromId: number, to: ObjectType, toId: number, typeId?: number): void {
    const kinds = this.kinds(from, to);
    if (!kinds) throw new HubspotError(400, 'VALIDATION_ERROR', `${from} cannot be associated with ${to}`);
    const kind = typeId === undefined ? kinds[0] : kinds.find((k) => k.typeId === typeId);
    if (!kind) throw new HubspotError(400, 'VALIDATION_ERROR', `association type ${typeId} does not exist from ${from} to ${to}; known: ${kinds.map((k) => k.typeId).join(', ')}`);
    const fromRec = this.get(from, fromId);
    const toRec = this.get(to, toId);
    if (!fromRec || !toRec) throw new HubspotError(404, 'OBJECT_NOT_FOUND', `${fromRec ? SINGULAR[to] : SINGULAR[from]} ${fromRec ? toId : fromId} does not exist`);
    const dflt = kinds[0] as AssociationKind;
    for (const k of kind === dflt ? [dflt] : [dflt, kind]) {
      if (k.single) for (const [other, types] of this.linksOf(from, to, fromId)) if (other !== toId && types.delete(k.typeId)) this.linksOf(to, from, other).get(fromId)?.delete(k.reverse);
      this.add(from, to, fromId, toId, k.typeId);
      this.add(to, from, toId, fromId, k.reverse);
    }
    // HubSpot keeps a contact's primary company in a property too, which makes it a change of the contact.
    if (from === 'contacts' && to === 'companies' && kind.single) this.apply(fromRec, { associatedcompanyid: String(toId) });
  }

  private add(from: ObjectType, to: ObjectType, fromId: number, toId: number, typeId: number): void {
    const links = this.linksOf(from, to, fromId);
    let types = links.get(toId);
    if (!types) {
      types = new Set();
      links.set(toId, types);
    }
    types.add(typeId);
  }

  private linksOf(from: ObjectType, to: ObjectType, fromId: number): Map<number, Set<number>> {
    const key = `${from}/${to}`;
    let byFrom = this.links.get(key);
    if (!byFrom) {
      byFrom = new Map();
      this.links.set(key, byFrom);
    }
    let links = byFrom.get(fromId);
    if (!links) {
      links = new Map();
      byFrom.set(fromId, links);
    }
    return links;
  }

  /** The live records associated with one record, by id, with their association types. */
  associated(from: ObjectType, fromId: number, to: ObjectType): { toObjectId: number; associationTypes: Json[] }[] {
    const kinds = this.kinds(from, to) ?? [];
    const links = this.links.get(`${from}/${to}`)?.get(fromId);
    if (!links) return [];
    return [...links]
      .filter(([toId, types]) => types.size > 0 && this.get(to, toId))
      .sort(([a], [b]) => a - b)
      .map(([toId, types]) => ({
        toObjectId: toId,
        associationTypes: [...types].sort((a, b) => a - b).map((typeId) => ({ category: 'HUBSPOT_DEFINED', typeId, label: kinds.find((k) => k.typeId === typeId)?.label ?? null })),
      }));
  }
}
