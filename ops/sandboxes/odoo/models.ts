// The sandbox's in-memory Odoo database: the models the connector uses, with Odoo's field types,
// defaults, `false` for empty, many2one as [id, name], write_date to the millisecond (read back to
// the second), archived records, and Odoo's exceptions.
import { type Comparable, compareKeys, conjuncts, DomainError, domainPaths, evaluate, lowerBoundOf, type FieldResolver, parseDomain, parseOdooDatetime, parseOrder, type RelatedIds } from './domain';

export type OdooVersion = 17 | 18 | 19;
export type Vals = Record<string, unknown>;
/** A record as stored: many2one as an id or false, datetimes as epoch ms; x2many fields are not stored (read through their inverse). */
export type Stored = { id: number } & Record<string, unknown>;

/** An Odoo exception, by its Python class name (`odoo.exceptions.ValidationError`). */
export class OdooException extends Error {
  constructor(
    readonly exception: string,
    message: string,
  ) {
    super(message);
  }
}

export const odooErrors = {
  validation: (message: string) => new OdooException('odoo.exceptions.ValidationError', message),
  user: (message: string) => new OdooException('odoo.exceptions.UserError', message),
  access: (message: string) => new OdooException('odoo.exceptions.AccessError', message),
  denied: (message = 'Access Denied') => new OdooException('odoo.exceptions.AccessDenied', message),
  missing: (model: string, ids: number[]) => new OdooException('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${model}(${ids.join(', ')},), User: 2)`),
  value: (message: string) => new OdooException('builtins.ValueError', message),
  type: (message: string) => new OdooException('builtins.TypeError', message),
  index: (message: string) => new OdooException('builtins.IndexError', message),
};

type FieldType = 'integer' | 'char' | 'text' | 'html' | 'boolean' | 'float' | 'many2one' | 'one2many' | 'many2many' | 'selection' | 'datetime';

export interface Env {
  db: OdooDb;
  context: Record<string, unknown>;
}

export interface FieldSpec {
  type: FieldType;
  string: string;
  relation?: string;
  /** A one2many's many2one on the related model; writes to the one2many take Odoo's x2many commands. */
  inverse?: string;
  required?: boolean;
  selection?: [string, string][];
  default?: unknown;
  /** Not stored: computed on read and search; writes to it are ignored (except a one2many's commands). */
  compute?: (record: Stored, env: Env) => unknown;
}

export interface ModelSpec {
  name: string;
  description: string;
  order: string;
  fields: Record<string, FieldSpec>;
  displayName(record: Stored, env: Env): string;
  /** Python constraints, checked after a create or write; throw a ValidationError. */
  check?(record: Stored, env: Env): void;
  /** Defaults Odoo's `create` override fills in (a sequence name, a line's price): vals in, vals out. */
  prepare?(vals: Vals, env: Env): Vals;
  /** Runs after a create (every field, `id` included) or a write (the fields written): recomputations, and touching what depends on them. */
  changed?(record: Stored, fields: ReadonlySet<string>, env: Env): void;
  /** Runs before records are deleted; throws a UserError to refuse. */
  beforeUnlink?(records: Stored[], env: Env): void;
  /** Records of other models deleted with these (their many2one is `ondelete='cascade'`): [model, field]. */
  cascade?: [string, string][];
  /** Public record methods (`action_confirm`, ...), called with the records of the ids. */
  methods?: Record<string, (records: Stored[], env: Env) => unknown>;
}

const ACTIVE: FieldSpec = { type: 'boolean', string: 'Active', default: true };

function related(env: Env, model: string, id: unknown): Stored | undefined {
  return typeof id === 'number' ? env.db.table(model).get(id) : undefined;
}

function partnerModel(version: OdooVersion): ModelSpec {
  const fields: Record<string, FieldSpec> = {
    name: { type: 'char', string: 'Name' },
    is_company: { type: 'boolean', string: 'Is a Company', default: false },
    parent_id: { type: 'many2one', string: 'Related Company', relation: 'res.partner' },
    type: {
      type: 'selection',
      string: 'Address Type',
      default: 'contact',
      selection: [
        ['contact', 'Contact'],
        ['invoice', 'Invoice Address'],
        ['delivery', 'Delivery Address'],
        ['other', 'Other Address'],
      ],
    },
    function: { type: 'char', string: 'Job Position' },
    email: { type: 'char', string: 'Email' },
    phone: { type: 'char', string: 'Phone' },
    vat: { type: 'char', string: 'Tax ID' },
    ref: { type: 'char', string: 'Reference' },
    website: { type: 'char', string: 'Website Link' },
    street: { type: 'char', string: 'Street' },
    street2: { type: 'char', string: 'Street2' },
    city: { type: 'char', string: 'City' },
    zip: { type: 'char', string: 'Zip' },
    country_id: { type: 'many2one', string: 'Country', relation: 'res.country' },
    country_code: { type: 'char', string: 'Country Code', compute: (r, env) => related(env, 'res.country', r.country_id)?.code ?? false },
    lang: { type: 'char', string: 'Language', default: 'en_US' },
    active: ACTIVE,
    customer_rank: { type: 'integer', string: 'Customer Rank', default: 0 },
    supplier_rank: { type: 'integer', string: 'Supplier Rank', default: 0 },
  };
  // Odoo 19 dropped `mobile` from res.partner (odoo/odoo#189739, saas-18.2).
  if (version <= 18) fields.mobile = { type: 'char', string: 'Mobile' };
  return {
    name: 'res.partner',
    description: 'Contact',
    order: 'display_name asc, id desc',
    fields,
    displayName(r, env) {
      const parent = related(env, 'res.partner', r.parent_id);
      const name = typeof r.name === 'string' ? r.name : '';
      return parent && typeof parent.name === 'string' ? `${parent.name}, ${name}` : name;
    },
    check(r, env) {
      if (!r.name && r.type === 'contact') throw odooErrors.validation('Contacts require a name');
      const seen = new Set<number>([r.id]);
      for (let parent = related(env, 'res.partner', r.parent_id); parent; parent = related(env, 'res.partner', parent.parent_id)) {
        if (seen.has(parent.id)) throw odooErrors.validation('You cannot create recursive Partner hierarchies.');
        seen.add(parent.id);
      }
    },
  };
}

function productModel(version: OdooVersion): ModelSpec {
  const types: [string, string][] = version === 17 ? [['consu', 'Consumable'], ['service', 'Service'], ['product', 'Storable Product']] : [['consu', 'Goods'], ['service', 'Service'], ['combo', 'Combo']];
  const fields: Record<string, FieldSpec> = {
    name: { type: 'char', string: 'Name', required: true },
    default_code: { type: 'char', string: 'Internal Reference' },
    barcode: { type: 'char', string: 'Barcode' },
    list_price: { type: 'float', string: 'Sales Price', default: 1.0 },
    standard_price: { type: 'float', string: 'Cost', default: 0 },
    uom_id: { type: 'many2one', string: 'Unit', relation: 'uom.uom', required: true, default: 1 },
    type: { type: 'selection', string: 'Product Type', selection: types, default: 'consu', required: true },
    sale_ok: { type: 'boolean', string: 'Can be Sold', default: true },
    active: ACTIVE,
    qty_available: { type: 'float', string: 'Quantity On Hand', compute: (r, env) => env.db.onHand(r.id, warehouseOf(env)) },
    incoming_qty: { type: 'float', string: 'Incoming', compute: (r, env) => env.db.incomingQty(r.id, warehouseOf(env)) },
  };
  if (version >= 18) fields.is_storable = { type: 'boolean', string: 'Track Inventory', default: false };
  return {
    name: 'product.product',
    description: 'Product Variant',
    order: 'default_code asc, name asc, id asc',
    fields,
    displayName: (r) => (r.default_code ? `[${r.default_code}] ${r.name}` : String(r.name)),
  };
}

/** The warehouse a stock figure is asked for, from the `warehouse_id` context key (Odoo 17+). */
function warehouseOf(env: Env): number | undefined {
  const value = env.context.warehouse_id;
  return typeof value === 'number' ? value : undefined;
}

const STATIC_MODELS: ModelSpec[] = [
  {
    name: 'res.country',
    description: 'Country',
    order: 'name asc',
    fields: { name: { type: 'char', string: 'Country Name', required: true }, code: { type: 'char', string: 'Country Code' } },
    displayName: (r) => String(r.name),
  },
  {
    name: 'uom.uom',
    description: 'Product Unit of Measure',
    order: 'name asc',
    fields: { name: { type: 'char', string: 'Unit', required: true }, active: ACTIVE },
    displayName: (r) => String(r.name),
  },
  {
    name: 'res.users',
    description: 'User',
    order: 'name asc, login asc',
    fields: {
      name: { type: 'char', string: 'Name', required: true },
      login: { type: 'char', string: 'Login', required: true },
      partner_id: { type: 'many2one', string: 'Related Partner', relation: 'res.partner', required: true },
      // Portal and public users are "share" users; employees are not.
      share: { type: 'boolean', string: 'Share User', default: false },
      active: ACTIVE,
    },
    displayName: (r) => String(r.name),
  },
  {
    name: 'res.company',
    description: 'Companies',
    order: 'id asc',
    fields: { name: { type: 'char', string: 'Company Name', required: true }, partner_id: { type: 'many2one', string: 'Partner', relation: 'res.partner', required: true }, active: ACTIVE },
    displayName: (r) => String(r.name),
  },
  {
    name: 'stock.warehouse',
    description: 'Warehouse',
    order: 'id asc',
    fields: {
      name: { type: 'char', string: 'Warehouse', required: true },
      code: { type: 'char', string: 'Short Name', required: true },
      view_location_id: { type: 'many2one', string: 'View Location', relation: 'stock.location' },
      lot_stock_id: { type: 'many2one', string: 'Location Stock', relation: 'stock.location' },
      active: ACTIVE,
    },
    displayName: (r) => String(r.name),
  },
  {
    name: 'stock.location',
    description: 'Inventory Locations',
    order: 'complete_name asc, id asc',
    fields: {
      name: { type: 'char', string: 'Location Name', required: true },
      complete_name: { type: 'char', string: 'Full Location Name', compute: (r, env) => locationPath(r, env) },
      location_id: { type: 'many2one', string: 'Parent Location', relation: 'stock.location' },
      usage: {
        type: 'selection',
        string: 'Location Type',
        required: true,
        default: 'internal',
        selection: [
          ['supplier', 'Vendor'],
          ['view', 'Virtual'],
          ['internal', 'Internal'],
          ['customer', 'Customer'],
          ['inventory', 'Inventory Loss'],
          ['production', 'Production'],
          ['transit', 'Transit'],
        ],
      },
      warehouse_id: { type: 'many2one', string: 'Warehouse', relation: 'stock.warehouse' },
      active: ACTIVE,
    },
    displayName: (r, env) => locationPath(r, env),
  },
  {
    name: 'stock.quant',
    description: 'Quants',
    order: 'id asc',
    fields: {
      product_id: { type: 'many2one', string: 'Product', relation: 'product.product', required: true },
      location_id: { type: 'many2one', string: 'Location', relation: 'stock.location', required: true },
      warehouse_id: { type: 'many2one', string: 'Warehouse', relation: 'stock.warehouse', compute: (r, env) => related(env, 'stock.location', r.location_id)?.warehouse_id ?? false },
      quantity: { type: 'float', string: 'Quantity', default: 0 },
      reserved_quantity: { type: 'float', string: 'Reserved Quantity', default: 0 },
    },
    displayName: (r, env) => String(related(env, 'product.product', r.product_id)?.name ?? ''),
  },
];

/** Odoo's complete_name: a view location is its own name, any other one hangs below its parent. */
function locationPath(r: Stored, env: Env): string {
  const parent = related(env, 'stock.location', r.location_id);
  return parent && r.usage !== 'view' ? `${locationPath(parent, env)}/${r.name}` : String(r.name);
}

/** Magic fields every model has. */
const MAGIC: Record<string, FieldSpec> = {
  id: { type: 'integer', string: 'ID' },
  display_name: { type: 'char', string: 'Display Name' },
  create_date: { type: 'datetime', string: 'Created on' },
  write_date: { type: 'datetime', string: 'Last Updated on' },
};

/** A write the sandbox refuses with a ValidationError, for fault-injection tests. */
export interface Rejection {
  model: string;
  predicate: (vals: Vals, call: { method: 'create' | 'write'; ids: number[] }) => boolean;
  message: string;
}

/** A value as Python's repr() shows it in Odoo's messages. */
function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (value === true || value === false) return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Epoch ms as Odoo writes a datetime: "YYYY-MM-DD HH:MM:SS", UTC. */
export function formatDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

const DATETIME_VALUE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?$/;

/** A datetime value as Odoo's `Datetime.to_datetime` takes it (`YYYY-MM-DD HH:MM:SS` or a date alone), to the second. */
function parseDatetimeValue(value: unknown): number {
  const match = typeof value === 'string' ? DATETIME_VALUE.exec(value) : null;
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)) : Number.NaN;
  if (!match || Number.isNaN(ms) || formatDatetime(ms).slice(0, 10) !== `${match[1]}-${match[2]}-${match[3]}`) {
    if (typeof value !== 'string') throw odooErrors.type(`strptime() argument 1 must be str, not ${pyType(value)}`);
    throw odooErrors.value(`time data ${pyRepr(value)} does not match format '%Y-%m-%d %H:%M:%S'`);
  }
  return ms;
}

/** The name of a JSON value's Python type, for messages. */
function pyType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  return Array.isArray(value) ? 'list' : 'dict';
}

const X2MANY = new Set(['one2many', 'many2many']);

/**
 * The records of every model and the ORM methods the connector calls.
 * @example const db = new OdooDb(19, () => Date.now()); db.create('res.partner', [{ name: 'Acme' }], {})
 */
export class OdooDb {
  private readonly models = new Map<string, ModelSpec>();
  private readonly tables = new Map<string, Map<number, Stored>>();
  private readonly nextIds = new Map<string, number>();
  /** Incoming quantity per product id, then per warehouse id (receipts and production not done yet). */
  private readonly incoming = new Map<number, Map<number, number>>();
  /** ir.sequence counters by code. Like PostgreSQL sequences, they are not rolled back with a transaction. */
  private readonly sequences = new Map<string, number>();
  /** Undo steps of the running call (one transaction), newest last; undefined outside a call. */
  private journal: (() => void)[] | undefined;
  readonly rejections: Rejection[] = [];

  /** `models`: more model specs, e.g. the sales, stock, invoicing and manufacturing ones of `sales.ts`. */
  constructor(
    readonly version: OdooVersion,
    readonly now: () => number,
    models: readonly ModelSpec[] = [],
  ) {
    for (const spec of [partnerModel(version), productModel(version), ...STATIC_MODELS, ...models]) {
      this.models.set(spec.name, { ...spec, fields: { ...MAGIC, ...spec.fields } });
      this.tables.set(spec.name, new Map());
      this.nextIds.set(spec.name, 1);
    }
  }

  /**
   * Runs `fn` as one transaction: when it throws, every change it made is undone (ids included, so a
   * refused create leaves no gap). Calls nest: only the outermost one commits or rolls back.
   */
  atomic<T>(fn: () => T): T {
    if (this.journal) return fn();
    const journal: (() => void)[] = [];
    this.journal = journal;
    try {
      return fn();
    } catch (err) {
      for (let i = journal.length - 1; i >= 0; i--) (journal[i] as () => void)();
      throw err;
    } finally {
      this.journal = undefined;
    }
  }

  private insert(model: string, record: Stored): void {
    const table = this.table(model);
    table.set(record.id, record);
    this.touched(model, { record, old: undefined });
    this.journal?.push(() => {
      table.delete(record.id);
      this.touched(model);
    });
  }

  private remove(model: string, id: number): void {
    const table = this.table(model);
    const record = table.get(id);
    if (!record) return;
    table.delete(id);
    this.touched(model, { record, old: record, removed: true });
    this.journal?.push(() => {
      table.set(id, record);
      this.touched(model);
    });
  }

  /** Changes stored values in place (indexes hold the record objects), remembering the old ones. */
  private assign(model: string, record: Stored, changes: Vals): void {
    const before: Vals = {};
    const absent: string[] = [];
    for (const key of Object.keys(changes)) {
      if (key in record) before[key] = record[key];
      else absent.push(key);
    }
    const old: Vals = { ...before };
    for (const key of absent) old[key] = undefined;
    Object.assign(record, changes);
    this.touched(model, { record, old });
    this.journal?.push(() => {
      Object.assign(record, before);
      for (const key of absent) delete record[key];
      this.touched(model);
    });
  }

  private allocateId(model: string): number {
    const id = this.nextIds.get(model) ?? 1;
    this.nextIds.set(model, id + 1);
    this.journal?.push(() => this.nextIds.set(model, id));
    return id;
  }

  /** The next number of an ir.sequence (from 1), e.g. `S00042` from `nextSequence('sale.order')`. */
  nextSequence(code: string): number {
    const next = (this.sequences.get(code) ?? 0) + 1;
    this.sequences.set(code, next);
    return next;
  }

  /** Bumps write_date as a recomputed stored field does (Odoo's `_write` stamps it). */
  touch(model: string, ids: readonly number[]): void {
    const at = this.now();
    for (const id of new Set(ids)) {
      const record = this.table(model).get(id);
      if (record) this.assign(model, record, { write_date: at });
    }
  }

  /** Ids of the records of `model` whose `field` holds `value` (a many2one id, a char), ascending; served by an index. */
  idsWhere(model: string, field: string, value: unknown): number[] {
    return (this.valueIndex(model, field).get(value) ?? []).map((r) => r.id).sort((a, b) => a - b);
  }

  /** The stored records of `model` whose `field` holds `value`, through the same index. */
  recordsWhere(model: string, field: string, value: unknown): Stored[] {
    return this.valueIndex(model, field).get(value) ?? [];
  }

  /** Runs a public record method (`action_confirm`, ...) on existing records, as one transaction. */
  callMethod(model: string, method: string, ids: number[], context: Record<string, unknown>): unknown {
    const run = this.model(model).methods?.[method];
    if (!run) throw new OdooException('builtins.AttributeError', `The method '${method}' does not exist on the model '${model}'`);
    const table = this.table(model);
    const missing = ids.filter((id) => !table.has(id));
    if (missing.length > 0) throw odooErrors.missing(model, missing);
    return this.atomic(() => run(ids.map((id) => table.get(id) as Stored), this.env(context)));
  }

  /** Whether `model` has a public record method of that name. */
  hasMethod(model: string, method: string): boolean {
    return Boolean(this.models.get(model)?.methods?.[method]);
  }

  hasModel(model: string): boolean {
    return this.models.has(model);
  }

  model(model: string): ModelSpec {
    const spec = this.models.get(model);
    if (!spec) throw new OdooException('builtins.KeyError', `'${model}'`);
    return spec;
  }

  table(model: string): Map<number, Stored> {
    return this.tables.get(model) ?? new Map();
  }

  private env(context: Record<string, unknown>): Env {
    return { db: this, context };
  }

  private field(model: string, name: string): FieldSpec {
    const field = this.model(model).fields[name];
    if (!field) throw odooErrors.value(`Invalid field '${name}' on model '${model}'`);
    return field;
  }

  private raw(model: string, record: Stored, name: string, env: Env): unknown {
    if (name === 'id') return record.id;
    if (name === 'display_name') return this.model(model).displayName(record, env);
    const field = this.field(model, name);
    return field.compute ? field.compute(record, env) : record[name];
  }

  /** Resolves paths on `current.record`; made once per search and pointed at each record in turn. */
  private resolver(model: string, env: Env): FieldResolver & { record: Stored } {
    const resolver = {
      record: { id: 0 } as Stored,
      wholeSeconds: this.version >= 19,
      resolve: (path: string) => {
        let currentModel = model;
        let current: Stored | undefined = resolver.record;
        const parts = path.split('.');
        for (const [i, part] of parts.entries()) {
          const field = this.field(currentModel, part);
          const value = current ? this.raw(currentModel, current, part, env) : null;
          if (i === parts.length - 1) {
            if (X2MANY.has(field.type)) return { type: field.type, value: (Array.isArray(value) ? value : []) as RelatedIds };
            const comparable: Comparable = value === undefined || value === null ? null : (value as Comparable);
            const target = field.type === 'many2one' && field.relation ? related(env, field.relation, value) : undefined;
            return { type: field.type, value: comparable, display: target && field.relation ? this.model(field.relation).displayName(target, env) : undefined };
          }
          if (field.type !== 'many2one' || !field.relation) throw odooErrors.value(`Invalid field path '${path}' on model '${model}'`);
          current = related(env, field.relation, value);
          currentModel = field.relation;
        }
        return { type: 'char', value: null };
      },
    };
    return resolver;
  }

  private sortKey(model: string, record: Stored, name: string, env: Env): Comparable {
    const field = this.field(model, name);
    const value = this.raw(model, record, name, env);
    if (field.type === 'many2one' && field.relation) {
      const target = related(env, field.relation, value);
      return target ? this.model(field.relation).displayName(target, env) : null;
    }
    if (value === undefined || value === null || (value === false && field.type !== 'boolean')) return null;
    return value as Comparable;
  }

  search(model: string, domain: unknown, options: { offset?: number; limit?: number | null; order?: string | null }, context: Record<string, unknown>): number[] {
    const spec = this.model(model);
    const env = this.env(context);
    let tree: ReturnType<typeof parseDomain>;
    try {
      tree = parseDomain(domain ?? []);
    } catch (err) {
      throw odooErrors.value((err as Error).message);
    }
    // Odoo hides archived records unless the context says active_test=false or the domain names `active`.
    const hideArchived = 'active' in spec.fields && context.active_test !== false && !domainPaths(domain).includes('active');
    const order = parseOrderOrFail(options.order || spec.order);
    for (const { field } of order) this.field(model, field);
    const resolver = this.resolver(model, env);
    const matches = (record: Stored): boolean => {
      if (hideArchived && record.active === false) return false;
      resolver.record = record;
      try {
        return evaluate(tree, resolver);
      } catch (err) {
        if (err instanceof DomainError) throw odooErrors.value(err.message);
        throw err;
      }
    };
    const offset = options.offset ?? 0;
    const plan = this.plan(model, tree, order);
    if (plan.ordered && options.limit) {
      // Candidates come in the requested order: stop at the end of the page, as an index scan would.
      const ids: number[] = [];
      let skipped = 0;
      for (const record of plan.candidates) {
        if (!matches(record)) continue;
        if (skipped < offset) skipped++;
        else if (ids.push(record.id) >= options.limit) break;
      }
      return ids;
    }
    const found: Stored[] = [];
    for (const record of plan.candidates) if (matches(record)) found.push(record);
    // Sort keys computed once per record, not per comparison: a page of 100,000 matches sorts in time.
    const keyed = found.map((record) => ({ id: record.id, keys: order.map(({ field }) => this.sortKey(model, record, field, env)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < order.length; i++) {
        const c = compareKeys(a.keys[i] as Comparable, b.keys[i] as Comparable, (order[i] as { descending: boolean }).descending);
        if (c !== 0) return c;
      }
      return a.id - b.id;
    });
    const ids = keyed.map((r) => r.id);
    return options.limit ? ids.slice(offset, offset + options.limit) : ids.slice(offset);
  }

  /**
   * Which records a search has to look at, like a database's index choice: the records holding the
   * ids an `id` or stored many2one term asks for, else, for an order by a stored plain field, that
   * field's sorted index from the lower bound of a `>`/`>=` term, else every record. Candidates are
   * a superset of the matches (the full domain is still evaluated on each); `ordered` says they come
   * in the requested order, so a limited search can stop early. Indexes are built on first use and
   * dropped by any write to the model.
   */
  private plan(model: string, tree: ReturnType<typeof parseDomain>, order: { field: string; descending: boolean }[]): { candidates: Iterable<Stored>; ordered: boolean } {
    const spec = this.model(model);
    const table = this.table(model);
    const byId = order.length === 1 && order[0]?.field === 'id' && !order[0].descending;
    const keys = (value: unknown): number[] | undefined => {
      const list = Array.isArray(value) ? value : [value];
      return list.every((v) => Number.isSafeInteger(v) && (v as number) > 0) ? (list as number[]) : undefined;
    };
    // A char field compared with text is compared exactly (SQL `=`, `IN`), like an id: a b-tree lookup.
    const texts = (value: unknown): string[] | undefined => {
      const list = Array.isArray(value) ? value : [value];
      return list.length > 0 && list.every((v) => typeof v === 'string') ? (list as string[]) : undefined;
    };
    // Equality on ids, on a stored many2one, or on a stored char or selection: the smallest such set wins.
    // The index lists of each term are compared by size before any is copied: a term every record
    // meets (the one stock location) must not cost a pass over the table when another names one record.
    let best: { lists: Stored[][]; size: number } | undefined;
    for (const [path, operator, value] of conjuncts(tree)) {
      if (operator !== '=' && operator !== 'in') continue;
      let lists: Stored[][];
      if (path === 'id') {
        const wanted = keys(value);
        if (!wanted) continue;
        lists = [wanted.flatMap((id) => table.get(id) ?? [])];
      } else {
        const field = spec.fields[path];
        if (!field || field.compute) continue;
        const wanted = field.type === 'many2one' ? keys(value) : ['char', 'selection'].includes(field.type) ? texts(value) : undefined;
        if (!wanted) continue;
        const index = this.valueIndex(model, path);
        lists = [...new Set<unknown>(wanted)].map((v) => index.get(v) ?? []);
      }
      const size = lists.reduce((sum, list) => sum + list.length, 0);
      if (!best || size < best.size) best = { lists, size };
    }
    if (best) {
      const sorted = [...new Set(best.lists.flat())].sort((a, b) => a.id - b.id);
      return { candidates: sorted, ordered: byId };
    }
    // An order by a stored scalar field (or id), ascending, ties by id: its sorted index, from the
    // lower bound of (field, id) the domain sets.
    const [first, second, ...rest] = order;
    const field = first ? spec.fields[first.field] : undefined;
    const tiesById = !second || (second.field === 'id' && !second.descending && rest.length === 0);
    if (first && field && !first.descending && tiesById && first.field !== 'display_name' && !field.compute && ['datetime', 'date', 'integer', 'float', 'char'].includes(field.type)) {
      const bound = lowerBoundOf(tree, first.field, (operand) => {
        if (field.type !== 'datetime' || typeof operand !== 'string') return typeof operand === 'number' || typeof operand === 'string' ? operand : undefined;
        try {
          return parseOdooDatetime(operand);
        } catch {
          return undefined;
        }
      });
      // Stored values below the bound fail the domain whatever its rounding (whole seconds only lower them).
      // Without a bound, records with no value (sorted last, not in the index) could match: scan.
      const value = first.field === 'id' ? maxOf(bound.value, bound.id) : bound.value;
      if (value !== undefined) {
        const sorted = this.sortedIndex(model, first.field);
        const second = field.type === 'datetime' ? (v: unknown) => Math.floor((v as number) / 1000) * 1000 : (v: unknown) => v;
        return { candidates: scanFrom(sorted, first.field, value, first.field === 'id' ? undefined : bound.id, second), ordered: true };
      }
    }
    if (byId) return { candidates: table.values(), ordered: true };
    return { candidates: table.values(), ordered: false };
  }

  private readonly indexes = new Map<string, Map<string, unknown>>();

  private cachedIndex<T>(model: string, name: string, build: () => T): T {
    let perModel = this.indexes.get(model);
    if (!perModel) {
      perModel = new Map();
      this.indexes.set(model, perModel);
    }
    if (!perModel.has(name)) perModel.set(name, build());
    return perModel.get(name) as T;
  }

  /**
   * Keeps a model's indexes right after a change: value indexes are updated in place (a test seeding
   * or changing thousands of records one by one stays linear), a sorted index on a changed field is
   * dropped (rebuilt by the next search that needs it). Without `change` (a rollback) all are dropped.
   * `old` holds the values the changed fields had (undefined for an insert: every field is new).
   */
  private touched(model: string, change?: { record: Stored; old: Vals | undefined; removed?: boolean }): void {
    const perModel = this.indexes.get(model);
    if (!perModel) return;
    if (!change) {
      this.indexes.delete(model);
      return;
    }
    const { record, old, removed } = change;
    for (const [name, index] of [...perModel]) {
      const [kind, field] = name.split(':') as [string, string];
      if (old !== undefined && !removed && !(field in old)) continue;
      if (kind !== 'value') {
        perModel.delete(name);
        continue;
      }
      const byValue = index as Map<unknown, Stored[]>;
      if (old !== undefined) {
        const list = byValue.get(old[field]);
        const at = list?.indexOf(record) ?? -1;
        if (list && at >= 0) list.splice(at, 1);
        if (list?.length === 0) byValue.delete(old[field]);
      }
      if (removed) continue;
      const list = byValue.get(record[field]);
      if (!list) byValue.set(record[field], [record]);
      else {
        // Ascending ids, as the index was built.
        let at = list.length;
        while (at > 0 && (list[at - 1] as Stored).id > record.id) at--;
        list.splice(at, 0, record);
      }
    }
  }

  /** Records by the value a stored field holds (a many2one id, a text). */
  private valueIndex(model: string, field: string): Map<unknown, Stored[]> {
    return this.cachedIndex(model, `value:${field}`, () => {
      const index = new Map<unknown, Stored[]>();
      for (const record of this.table(model).values()) {
        const list = index.get(record[field]);
        if (list) list.push(record);
        else index.set(record[field], [record]);
      }
      return index;
    });
  }

  /** Records with a value in `field`, ordered by (value, id); empty values are left out (they never pass `>`, the only way this index is entered). */
  private sortedIndex(model: string, field: string): Stored[] {
    return this.cachedIndex(model, `sorted:${field}`, () =>
      [...this.table(model).values()]
        .filter((r) => r[field] !== false && r[field] !== null && r[field] !== undefined)
        .sort((a, b) => {
          const x = a[field] as number | string;
          const y = b[field] as number | string;
          return x < y ? -1 : x > y ? 1 : a.id - b.id;
        }),
    );
  }

  /** Reads records as the API returns them; a missing id is a MissingError. */
  read(model: string, ids: number[], fields: string[] | null | undefined, context: Record<string, unknown>): Vals[] {
    const spec = this.model(model);
    const env = this.env(context);
    const names = fields && fields.length > 0 ? fields : Object.keys(spec.fields);
    for (const name of names) this.field(model, name);
    const missing = ids.filter((id) => !this.table(model).has(id));
    if (missing.length > 0) throw odooErrors.missing(model, missing);
    return ids.map((id) => {
      const record = this.table(model).get(id) as Stored;
      const row: Vals = { id };
      for (const name of names) if (name !== 'id') row[name] = this.serialize(model, record, name, env);
      return row;
    });
  }

  private serialize(model: string, record: Stored, name: string, env: Env): unknown {
    const field = this.field(model, name);
    const value = this.raw(model, record, name, env);
    switch (field.type) {
      case 'many2one': {
        const target = field.relation ? related(env, field.relation, value) : undefined;
        return target && field.relation ? [target.id, this.model(field.relation).displayName(target, env)] : false;
      }
      case 'one2many':
      case 'many2many':
        return Array.isArray(value) ? [...value] : [];
      case 'datetime':
        // Stored to the millisecond, read to the second: Odoo's Datetime.to_string.
        return typeof value === 'number' ? formatDatetime(value) : false;
      case 'boolean':
        return Boolean(value);
      case 'integer':
      case 'float':
        return typeof value === 'number' ? value : 0;
      default:
        return value === undefined || value === null || value === '' ? false : value;
    }
  }

  /** Converts and checks one value as Odoo's convert_to_cache would. */
  private convert(model: string, name: string, value: unknown): unknown {
    const field = this.field(model, name);
    switch (field.type) {
      case 'boolean':
        return Boolean(value);
      case 'integer':
      case 'float': {
        if (value === false || value === null) return 0;
        const n = Number(value);
        if (typeof value === 'boolean' || Number.isNaN(n)) throw odooErrors.value(`could not convert string to float: ${pyRepr(value)}`);
        return field.type === 'integer' ? Math.trunc(n) : n;
      }
      case 'many2one': {
        if (value === false || value === null) return false;
        const id = Array.isArray(value) ? value[0] : value;
        if (typeof id !== 'number') throw odooErrors.value(`Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        if (field.relation && !this.table(field.relation).has(id)) {
          throw odooErrors.validation(`The operation cannot be completed: the ${field.relation} record ${id} that ${field.string} (${name}) refers to does not exist.`);
        }
        return id;
      }
      case 'selection':
        if (value === false || value === null) return false;
        if (!field.selection?.some(([key]) => key === value)) throw odooErrors.value(`Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        return value;
      case 'datetime':
        // Odoo keeps datetimes to the second; a stored value is epoch ms.
        return value === false || value === null || value === '' ? false : parseDatetimeValue(value);
      default:
        if (value === false || value === null) return false;
        return typeof value === 'string' ? value : String(value);
    }
  }

  /** Converts a vals dict; computed and magic fields are dropped, as Odoo ignores them, and so are x2many commands (see `x2manyOf`). */
  private convertVals(model: string, vals: Vals): Vals {
    if (typeof vals !== 'object' || vals === null || Array.isArray(vals)) throw odooErrors.type(`vals must be a dict, got ${JSON.stringify(vals)}`);
    const converted: Vals = {};
    for (const [name, value] of Object.entries(vals)) {
      const field = this.field(model, name);
      if (field.compute || name in MAGIC) continue;
      converted[name] = this.convert(model, name, value);
    }
    return converted;
  }

  /** The one2many values of a vals dict (x2many commands), by field. */
  private x2manyOf(model: string, vals: Vals): [string, unknown][] {
    const spec = this.model(model);
    return Object.entries(vals).filter(([name]) => spec.fields[name]?.inverse !== undefined);
  }

  /**
   * Applies x2many commands to a record's one2many, as Odoo's `One2many.write_real` does:
   * `[0, 0, vals]` create, `[1, id, vals]` update, `[2, id]` delete, `[3, id]` unlink (a required
   * inverse deletes), `[4, id]` link, `[5]` clear, `[6, 0, ids]` set; a dict creates, an id links.
   * The lines a clear or set leaves out are deleted (the inverse is required, `ondelete='cascade'`).
   */
  private applyCommands(model: string, record: Stored, name: string, value: unknown, env: Env): void {
    const field = this.field(model, name);
    const comodel = field.relation as string;
    const inverse = field.inverse as string;
    const label = `${model}.${name}`;
    if (value === false || value === null) return;
    if (!Array.isArray(value)) throw odooErrors.value(`Wrong value for ${label}: ${pyRepr(value)}`);
    const current = () => this.idsWhere(comodel, inverse, record.id);
    const idOf = (v: unknown): number => {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw odooErrors.type(`Wrong value for ${label}: expected a record id, got ${pyRepr(v)}`);
      return v;
    };
    const valsOf = (v: unknown): Vals => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw odooErrors.type(`'${pyType(v)}' object is not a mapping (${label})`);
      return v as Vals;
    };
    const link = (ids: number[]) => {
      if (ids.length > 0) this.write(comodel, ids, { [inverse]: record.id }, env.context);
    };
    const drop = (ids: number[]) => {
      if (ids.length > 0) this.unlink(comodel, ids, env.context);
    };
    for (const command of value) {
      if (typeof command === 'object' && command !== null && !Array.isArray(command)) {
        this.create(comodel, [{ ...(command as Vals), [inverse]: record.id }], env.context);
        continue;
      }
      if (!Array.isArray(command)) {
        link([idOf(command)]);
        continue;
      }
      const [code] = command;
      const arg = (i: number) => {
        if (i >= command.length) throw odooErrors.index('list index out of range');
        return command[i];
      };
      switch (code) {
        case 0:
          this.create(comodel, [{ ...valsOf(arg(2)), [inverse]: record.id }], env.context);
          break;
        case 1:
          this.write(comodel, [idOf(arg(1))], valsOf(arg(2)), env.context);
          break;
        case 2:
        case 3:
          drop([idOf(arg(1))]);
          break;
        case 4:
          link([idOf(arg(1))]);
          break;
        case 5:
          drop(current());
          break;
        case 6: {
          const ids = arg(2);
          if (!Array.isArray(ids)) throw odooErrors.type(`'${pyType(ids)}' object is not iterable (${label})`);
          const keep = ids.map(idOf);
          drop(current().filter((id) => !keep.includes(id)));
          link(keep.filter((id) => this.table(comodel).get(id)?.[inverse] !== record.id));
          break;
        }
        default:
          throw odooErrors.value(`Wrong value for ${label}: ${pyRepr(command)}`);
      }
    }
  }

  private reject(model: string, vals: Vals, call: { method: 'create' | 'write'; ids: number[] }): void {
    for (const rejection of this.rejections) {
      if (rejection.model === model && rejection.predicate(vals, call)) throw odooErrors.validation(rejection.message);
    }
  }

  private checkRequired(model: string, record: Stored): void {
    const spec = this.model(model);
    for (const [name, field] of Object.entries(spec.fields)) {
      if (!field.required || field.compute || name in MAGIC) continue;
      const value = record[name];
      if (value === undefined || value === null || value === false || value === '') {
        throw odooErrors.validation(
          `The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${spec.description} (${model})\nField: ${field.string} (${name})`,
        );
      }
    }
  }

  /** Creates records in one transaction: one refused record creates none. */
  create(model: string, valsList: Vals[], context: Record<string, unknown>): number[] {
    const spec = this.model(model);
    const env = this.env(context);
    return this.atomic(() => {
      const at = this.now();
      const created: Stored[] = [];
      for (const given of valsList) {
        const vals = spec.prepare && typeof given === 'object' && given !== null && !Array.isArray(given) ? spec.prepare({ ...given }, env) : given;
        const converted = this.convertVals(model, vals);
        this.reject(model, given, { method: 'create', ids: [] });
        const record: Stored = { id: this.allocateId(model), create_date: at, write_date: at };
        for (const [name, field] of Object.entries(spec.fields)) {
          if (field.compute || name in MAGIC) continue;
          record[name] = name in converted ? converted[name] : field.default !== undefined ? field.default : false;
        }
        this.checkRequired(model, record);
        // Inserted before checking, so constraints see the records created in the same call.
        this.insert(model, record);
        created.push(record);
        for (const [name, commands] of this.x2manyOf(model, vals)) this.applyCommands(model, record, name, commands, env);
        spec.check?.(record, env);
        spec.changed?.(record, new Set(Object.keys(spec.fields)), env);
      }
      return created.map((r) => r.id);
    });
  }

  /** Writes the same vals to every id, in one transaction. */
  write(model: string, ids: number[], vals: Vals, context: Record<string, unknown>): true {
    const spec = this.model(model);
    const env = this.env(context);
    const table = this.table(model);
    const missing = ids.filter((id) => !table.has(id));
    if (missing.length > 0) throw odooErrors.missing(model, missing);
    const converted = this.convertVals(model, vals);
    this.reject(model, vals, { method: 'write', ids });
    return this.atomic(() => {
      const at = this.now();
      const fields = new Set(Object.keys(vals));
      for (const id of ids) {
        const record = table.get(id) as Stored;
        this.assign(model, record, { ...converted, write_date: at });
        for (const [name, commands] of this.x2manyOf(model, vals)) this.applyCommands(model, record, name, commands, env);
        this.checkRequired(model, record);
        spec.check?.(record, env);
        spec.changed?.(record, fields, env);
      }
      return true as const;
    });
  }

  /** Deletes records (and the ones that cascade from them), in one transaction. */
  unlink(model: string, ids: number[], context: Record<string, unknown> = {}): true {
    const spec = this.model(model);
    const table = this.table(model);
    const missing = ids.filter((id) => !table.has(id));
    if (missing.length > 0) throw odooErrors.missing(model, missing);
    return this.atomic(() => {
      const records = ids.map((id) => table.get(id) as Stored);
      spec.beforeUnlink?.(records, this.env(context));
      for (const [child, field] of spec.cascade ?? []) {
        const children = ids.flatMap((id) => this.idsWhere(child, field, id));
        if (children.length > 0) this.unlink(child, children, context);
      }
      for (const id of ids) this.remove(model, id);
      return true as const;
    });
  }

  fieldsGet(model: string, allfields: string[] | null | undefined, attributes: string[] | null | undefined): Record<string, Vals> {
    const spec = this.model(model);
    const result: Record<string, Vals> = {};
    for (const [name, field] of Object.entries(spec.fields)) {
      if (allfields && allfields.length > 0 && !allfields.includes(name)) continue;
      const description: Vals = {
        type: field.type,
        string: field.string,
        required: Boolean(field.required),
        readonly: (Boolean(field.compute) && !field.inverse) || name in MAGIC,
        store: !field.compute && name !== 'display_name',
        searchable: true,
        sortable: !field.compute,
      };
      if (field.relation) description.relation = field.relation;
      if (field.inverse) description.relation_field = field.inverse;
      if (field.selection) description.selection = field.selection;
      result[name] = attributes && attributes.length > 0 ? Object.fromEntries(Object.entries(description).filter(([k]) => attributes.includes(k))) : description;
    }
    return result;
  }

  /** On-hand quantity of a product in the internal locations (of one warehouse, when given). */
  onHand(productId: number, warehouseId?: number): number {
    let total = 0;
    for (const quant of this.valueIndex('stock.quant', 'product_id').get(productId) ?? []) {
      const location = this.table('stock.location').get(quant.location_id as number);
      if (location?.usage !== 'internal') continue;
      if (warehouseId !== undefined && location.warehouse_id !== warehouseId) continue;
      total += Number(quant.quantity);
    }
    return total;
  }

  setIncoming(productId: number, warehouseId: number, quantity: number): void {
    let perWarehouse = this.incoming.get(productId);
    if (!perWarehouse) {
      perWarehouse = new Map();
      this.incoming.set(productId, perWarehouse);
    }
    perWarehouse.set(warehouseId, quantity);
  }

  /**
   * Quantity expected in (a warehouse): what `setIncoming` set (receipts), plus manufacturing orders
   * confirmed or in progress that finish the product into that warehouse.
   */
  incomingQty(productId: number, warehouseId?: number): number {
    let total = 0;
    for (const [wid, quantity] of this.incoming.get(productId) ?? []) if (warehouseId === undefined || wid === warehouseId) total += quantity;
    if (this.models.has('mrp.production')) {
      for (const production of this.recordsWhere('mrp.production', 'product_id', productId)) {
        if (!['confirmed', 'progress', 'to_close'].includes(String(production.state))) continue;
        const location = this.table('stock.location').get(production.location_dest_id as number);
        if (warehouseId === undefined || location?.warehouse_id === warehouseId) total += Number(production.product_qty);
      }
    }
    return total;
  }

  /** The raw stored record, for sandbox helpers (datetimes as "YYYY-MM-DD HH:MM:SS.mmm"). */
  stored(model: string, id: number): Vals | undefined {
    const record = this.table(model).get(id);
    if (!record) return undefined;
    const copy: Vals = { ...record };
    for (const name of ['create_date', 'write_date']) if (typeof copy[name] === 'number') copy[name] = new Date(copy[name] as number).toISOString().replace('T', ' ').replace('Z', '');
    return copy;
  }
}

/** The first position in [lo, sorted.length) where `before` turns false (it is true on a prefix). */
function firstNot(sorted: Stored[], lo: number, before: (r: Stored) => boolean): number {
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid] as Stored)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The records of a (field, id)-sorted index from the lower bound (value, id), which holds on the
 * field's whole seconds (`coarse`: domain operands are whole seconds, stored values are not). A run
 * of one stored value in the bound's second starts after the bound's id: a cursor inside a second
 * of 100,000 records created together does not rescan them on every page.
 */
function* scanFrom(sorted: Stored[], field: string, value: number | string, id: number | undefined, coarse: (v: unknown) => unknown): Generator<Stored> {
  let i = firstNot(sorted, 0, (r) => (r[field] as number | string) < value);
  while (i < sorted.length) {
    const record = sorted[i] as Stored;
    const v = record[field];
    if (id !== undefined && record.id <= id && coarse(v) === value) {
      i = firstNot(sorted, i, (r) => r[field] === v && r.id <= id);
      continue;
    }
    yield record;
    i++;
  }
}

function maxOf(a: number | string | undefined, b: number | string | undefined): number | string | undefined {
  return a === undefined ? b : b === undefined ? a : a > b ? a : b;
}

function parseOrderOrFail(order: string): { field: string; descending: boolean }[] {
  try {
    return parseOrder(order);
  } catch (err) {
    throw odooErrors.value((err as Error).message);
  }
}
