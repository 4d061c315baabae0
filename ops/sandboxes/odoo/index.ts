// An Odoo look-alike on 127.0.0.1 for end-to-end tests and the demo: JSON-2 (`/json/2/<model>/<method>`,
// Odoo 19) and JSON-RPC (`/jsonrpc`, Odoo 17/18) over an in-memory database, with Odoo's answers,
// errors and quirks, plus test hooks (seed, stock, faults, request log, clock) on the returned handle.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OdooDb, OdooException, type OdooVersion, odooErrors, type Rejection, type Stored, type Vals } from './models';
import { BASE_CURRENCIES, salesModels } from './sales';

export type { OdooVersion, Vals } from './models';

/** One API call as the sandbox received it, arguments by name whichever protocol carried them. */
export interface SandboxRequest {
  protocol: 'json2' | 'jsonrpc';
  /** `object` for model calls; `common` for version/login/authenticate (JSON-RPC). */
  service: 'object' | 'common';
  model?: string;
  method: string;
  ids?: number[];
  /** Named arguments (domain, fields, limit, order, vals, vals_list, ...), context apart. The password is never logged. */
  args: Record<string, unknown>;
  context?: Record<string, unknown>;
  /** HTTP status of the answer (JSON-RPC errors are 200). */
  status: number;
  /** The Odoo exception raised, when one was. */
  error?: string;
}

export interface StockSeed {
  /** Product `default_code`. */
  sku: string;
  /** Warehouse `code`. */
  warehouse: string;
  quantity: number;
  reserved?: number;
  /** A sub-location of the warehouse stock (`Shelf 1`, created if needed) or any location's full name (`Partners/Customers`). */
  location?: string;
}

export interface OdooSandboxSeed {
  /** Extra warehouses; `WH` (YourCompany) always exists. */
  warehouses?: { code: string; name: string }[];
  /** res.partner vals of customers, each with its contacts (their `parent_id` is set). */
  customers?: (Vals & { contacts?: Vals[] })[];
  /** product.product vals. */
  products?: Vals[];
  stock?: StockSeed[];
  incoming?: { sku: string; warehouse: string; quantity: number }[];
  /** Sale orders of seeded customers (by name); `confirm` confirms them (their delivery is created). */
  orders?: OrderSeed[];
}

export interface OrderSeed {
  /** The customer's name, as seeded. */
  customer: string;
  /** client_order_ref. */
  ref?: string;
  /** Promised delivery (commitment_date): an ISO date (noon UTC), an ISO UTC time or an Odoo datetime. */
  commitmentDate?: string;
  /** Lines by product `default_code`; the price defaults to the product's list price. */
  lines: { sku: string; quantity: number; price?: number; discount?: number }[];
  confirm?: boolean;
}

export interface SeededIds {
  /** res.partner ids by name. */
  partners: Record<string, number>;
  /** product.product ids by default_code (or name). */
  products: Record<string, number>;
  /** stock.warehouse ids by code. */
  warehouses: Record<string, number>;
  /** sale.order ids, in the order of `orders`. */
  orders: number[];
}

export interface OdooSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  apiKey: string;
  database: string;
  /** Login of the API user (uid 2) for JSON-RPC. */
  login: string;
  /** Odoo major version to imitate (default 19): JSON-2 exists from 19; `mobile` on partners up to 18; `is_storable` from 18. */
  version?: OdooVersion;
  seed?: OdooSandboxSeed;
}

/**
 * A running sandbox and its test hooks.
 * @example const odoo = await startOdooSandbox({ apiKey: 'k', database: 'demo', login: 'admin' })
 *          odoo.setStock('BOLT-M8', 'WH', { quantity: 500 }); await odoo.stop()
 */
export interface OdooSandbox {
  url: string;
  port: number;
  database: string;
  login: string;
  version: OdooVersion;
  /** uid of the API user. */
  uid: number;
  stop(): Promise<void>;
  seed(seed: OdooSandboxSeed): SeededIds;
  /** Creates records directly (bumping write_date like an API create). */
  create(model: string, vals: Vals | Vals[]): number[];
  write(model: string, ids: number[], vals: Vals): void;
  /** Records as `search_read` returns them (archived included unless activeTest). */
  records(model: string, options?: { domain?: unknown[]; fields?: string[]; activeTest?: boolean }): Vals[];
  /** Sets the quantity (and reservation) of one quant; creates it when needed. Returns the quant id. */
  setStock(sku: string, warehouse: string, stock: { quantity: number; reserved?: number; location?: string }): number;
  setIncoming(sku: string, warehouse: string, quantity: number): void;
  /** The next `count` API calls answer `status` (503 by default; 429 carries Retry-After). */
  failNext(count: number, status?: number, options?: { retryAfterSeconds?: number }): void;
  /**
   * The next `count` model calls (of `match.model`/`match.method` when given) are carried out, but their
   * answers are lost: the connection drops before the client reads them (a timeout, a proxy restart),
   * so a create may have happened unseen. `onLost` runs when such a call has been carried out, before
   * the connection drops (a test kills the worker that made the call there).
   */
  loseNextAnswers(count?: number, match?: { model?: string; method?: string; onLost?: () => void }): void;
  /** The next `count` model calls raise this Odoo exception (e.g. `odoo.exceptions.MissingError`). */
  raiseNext(exception: string, message: string, count?: number): void;
  /** Creates and writes on `model` whose vals match raise a ValidationError with `message`. Returns a remover. */
  rejectWhen(model: string, predicate: Rejection['predicate'], message: string): () => void;
  /** Every API call so far, oldest first. */
  requests: SandboxRequest[];
  clearRequests(): void;
  /** Freezes the clock at `at` (every write then has the same write_date), or lets it run again (null). */
  setClock(at: Date | string | null): void;
  /** Moves a frozen clock forward. */
  tick(seconds: number): void;
  /** Replaces the valid API key (the old one is refused from then on). */
  setApiKey(key: string): void;
  /** Validates the open deliveries of a confirmed sale order (`button_validate`): the goods leave stock. Returns the picking ids. */
  shipOrder(saleOrderId: number): number[];
  /**
   * Invoices what is left to invoice of a confirmed sale order: creates the customer invoice
   * (invoice_origin = the order's name, its total), posts it and, with `paid`, marks it paid as a
   * reconciled payment would. Returns the account.move id.
   */
  invoiceOrder(saleOrderId: number, options?: { paid?: boolean }): number;
  /** Marks a posted customer invoice paid (payment_state `paid`), as a reconciled payment would. */
  payInvoice(invoiceId: number): void;
  /** Marks a confirmed manufacturing order done (`button_mark_done`): its quantity enters the warehouse stock. */
  finishProduction(productionId: number): void;
}

interface MethodSpec {
  /** Positional parameter names after `ids`, as the Python method declares them. */
  params: string[];
  /** A record method (takes ids), rather than an @api.model one. */
  records: boolean;
  run(db: OdooDb, model: string, ids: number[], args: Record<string, unknown>, context: Record<string, unknown>): unknown;
}

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asStrings = (v: unknown): string[] | undefined => (Array.isArray(v) ? (v as string[]) : undefined);

const METHODS: Record<string, MethodSpec> = {
  search_read: {
    params: ['domain', 'fields', 'offset', 'limit', 'order'],
    records: false,
    run: (db, model, _ids, a, ctx) => db.read(model, db.search(model, a.domain, { offset: asNumber(a.offset), limit: asNumber(a.limit), order: asString(a.order) }, ctx), asStrings(a.fields), ctx),
  },
  search: {
    params: ['domain', 'offset', 'limit', 'order'],
    records: false,
    run: (db, model, _ids, a, ctx) => db.search(model, a.domain, { offset: asNumber(a.offset), limit: asNumber(a.limit), order: asString(a.order) }, ctx),
  },
  search_count: {
    params: ['domain', 'limit'],
    records: false,
    run: (db, model, _ids, a, ctx) => db.search(model, a.domain, { limit: asNumber(a.limit) }, ctx).length,
  },
  read: { params: ['fields', 'load'], records: true, run: (db, model, ids, a, ctx) => db.read(model, ids, asStrings(a.fields), ctx) },
  create: {
    params: ['vals_list'],
    records: false,
    run: (db, model, _ids, a, ctx) => db.create(model, (Array.isArray(a.vals_list) ? a.vals_list : [a.vals_list]) as Vals[], ctx),
  },
  write: { params: ['vals'], records: true, run: (db, model, ids, a, ctx) => db.write(model, ids, a.vals as Vals, ctx) },
  unlink: { params: [], records: true, run: (db, model, ids) => db.unlink(model, ids) },
  fields_get: { params: ['allfields', 'attributes'], records: false, run: (db, model, _ids, a) => db.fieldsGet(model, asStrings(a.allfields), asStrings(a.attributes)) },
  context_get: {
    params: [],
    records: false,
    run: (_db, model) => {
      if (model !== 'res.users') throw new OdooException('builtins.AttributeError', `'${model}' object has no attribute 'context_get'`);
      return { lang: 'en_US', tz: 'Europe/Brussels', uid: API_UID };
    },
  },
};

const API_UID = 2;

/**
 * The generic ORM method of that name, else the model's own public method (`sale.order.action_confirm`):
 * a record method that takes no other parameter than the ids (and the context).
 */
function methodSpec(db: OdooDb, model: string, method: string): MethodSpec | undefined {
  if (Object.hasOwn(METHODS, method)) return METHODS[method];
  return db.hasMethod(model, method) ? { params: [], records: true, run: (d, m, ids, _a, ctx) => d.callMethod(m, method, ids, ctx) } : undefined;
}

/** HTTP status of an exception on JSON-2 (Odoo 19: UserError 422, AccessError 403, MissingError 404, others 500). */
function json2Status(exception: string): number {
  const name = exception.split('.').pop();
  switch (name) {
    case 'AccessDenied':
    case 'Unauthorized':
      return 401;
    case 'AccessError':
    case 'Forbidden':
      return 403;
    case 'MissingError':
    case 'NotFound':
      return 404;
    case 'MethodNotAllowed':
      return 405;
    case 'UnsupportedMediaType':
      return 415;
    case 'BadRequest':
      return 400;
    case 'UserError':
    case 'ValidationError':
    case 'RedirectWarning':
    case 'UnprocessableEntity':
      return 422;
    default:
      return 500;
  }
}

/** Odoo's serialised exception (JSON-2 body, JSON-RPC `error.data`). */
function serializeException(err: OdooException) {
  return {
    name: err.exception,
    message: err.message,
    arguments: [err.message],
    context: {},
    debug: `Traceback (most recent call last):\n  File "/opt/odoo/odoo/http.py", line 2150, in _serve_db\n    return service_model.retrying(self._serve_ir_http, self.env)\n${err.exception}: ${err.message}\n`,
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, status: number, text: string): void {
  const page = `<!DOCTYPE html><html><head><title>${status}</title></head><body><h1>${text}</h1></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
  res.end(page);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Countries of a new sandbox database, ids from 1 in this order. */
const BASE_COUNTRIES: [string, string][] = [
  ['Austria', 'AT'],
  ['Belgium', 'BE'],
  ['China', 'CN'],
  ['France', 'FR'],
  ['Germany', 'DE'],
  ['Italy', 'IT'],
  ['Netherlands', 'NL'],
  ['Spain', 'ES'],
  ['Switzerland', 'CH'],
  ['United Kingdom', 'GB'],
  ['United States', 'US'],
];

/** The res.country id of an ISO code in a sandbox database. */
export function sandboxCountryId(code: string): number {
  const index = BASE_COUNTRIES.findIndex(([, c]) => c === code);
  if (index < 0) throw new Error(`odoo sandbox: no country ${code}`);
  return index + 1;
}

/**
 * Starts the sandbox. A new database holds what a fresh Odoo has: the company YourCompany (partner
 * 1), the users OdooBot (archived, partner 2) and the admin (uid 2, partner 3), countries, units,
 * the standard locations and warehouse `WH`.
 */
export async function startOdooSandbox(options: OdooSandboxOptions): Promise<OdooSandbox> {
  const version: OdooVersion = options.version ?? 19;
  let frozenAt: number | undefined;
  const db = new OdooDb(version, () => frozenAt ?? Date.now(), salesModels(version));
  let apiKey = options.apiKey;
  const requests: SandboxRequest[] = [];
  const faults = { count: 0, status: 503, retryAfterSeconds: undefined as number | undefined };
  const raises: { exception: string; message: string }[] = [];
  const lostAnswers: { count: number; model?: string; method?: string; onLost?: () => void } = { count: 0 };

  /** When this call's answer is to be lost: it runs to the end, then the socket closes instead of answering. */
  function loseAnswer(res: http.ServerResponse, model: string, method: string): void {
    if (lostAnswers.count === 0 || (lostAnswers.model && lostAnswers.model !== model) || (lostAnswers.method && lostAnswers.method !== method)) return;
    lostAnswers.count--;
    const onLost = lostAnswers.onLost;
    res.writeHead = (() => res) as unknown as typeof res.writeHead;
    res.end = (() => {
      onLost?.();
      res.socket?.destroy();
      return res;
    }) as unknown as typeof res.end;
  }
  const noContext = {};

  // What a fresh database holds.
  db.create('res.partner', [{ name: 'YourCompany', is_company: true }, { name: 'OdooBot', active: false }, { name: 'Mitchell Admin', email: 'admin@yourcompany.example.com' }], noContext);
  db.create('res.company', [{ name: 'YourCompany', partner_id: 1 }], noContext);
  db.create(
    'res.users',
    [
      { name: 'OdooBot', login: '__system__', partner_id: 2, active: false },
      { name: 'Mitchell Admin', login: options.login, partner_id: 3 },
    ],
    noContext,
  );
  db.create('res.country', BASE_COUNTRIES.map(([name, code]) => ({ name, code })), noContext);
  db.create('res.currency', BASE_CURRENCIES.map(([name, symbol]) => ({ name, symbol })), noContext);
  db.create('uom.uom', ['Units', 'Dozens', 'kg', 'm', 'L', 'Hours'].map((name) => ({ name })), noContext);
  db.create(
    'stock.location',
    [
      { name: 'Physical Locations', usage: 'view' },
      { name: 'Partners', usage: 'view' },
      { name: 'Virtual Locations', usage: 'view' },
    ],
    noContext,
  );
  db.create(
    'stock.location',
    [
      { name: 'Vendors', usage: 'supplier', location_id: 2 },
      { name: 'Customers', usage: 'customer', location_id: 2 },
      { name: 'Inventory adjustment', usage: 'inventory', location_id: 3 },
    ],
    noContext,
  );

  function addWarehouse(code: string, name: string): number {
    const [view] = db.create('stock.location', [{ name: code, usage: 'view', location_id: 1 }], noContext) as [number];
    const [stock] = db.create('stock.location', [{ name: 'Stock', usage: 'internal', location_id: view }], noContext) as [number];
    const [warehouse] = db.create('stock.warehouse', [{ name, code, view_location_id: view, lot_stock_id: stock }], noContext) as [number];
    db.write('stock.location', [view, stock], { warehouse_id: warehouse }, noContext);
    return warehouse;
  }
  addWarehouse('WH', 'YourCompany');

  function findOne(model: string, domain: unknown[], what: string): number {
    const [id] = db.search(model, domain, { limit: 1 }, { active_test: false });
    if (id === undefined) throw new Error(`odoo sandbox: no ${what}`);
    return id;
  }
  const productBySku = (sku: string) => findOne('product.product', [['default_code', '=', sku]], `product with default_code ${sku}`);
  const warehouseByCode = (code: string) => findOne('stock.warehouse', [['code', '=', code]], `warehouse with code ${code}`);

  function stockLocation(warehouseId: number, location?: string): number {
    const lotStock = db.table('stock.warehouse').get(warehouseId)?.lot_stock_id as number;
    if (!location) return lotStock;
    if (location.includes('/')) {
      const match = [...db.table('stock.location').values()].find((l) => db.read('stock.location', [l.id], ['complete_name'], noContext)[0]?.complete_name === location);
      if (!match) throw new Error(`odoo sandbox: no location ${location}`);
      return match.id;
    }
    const [existing] = db.search('stock.location', [['location_id', '=', lotStock], ['name', '=', location]], { limit: 1 }, { active_test: false });
    return existing ?? (db.create('stock.location', [{ name: location, usage: 'internal', location_id: lotStock, warehouse_id: warehouseId }], noContext)[0] as number);
  }

  function setStock(sku: string, warehouse: string, stock: { quantity: number; reserved?: number; location?: string }): number {
    const productId = productBySku(sku);
    const locationId = stockLocation(warehouseByCode(warehouse), stock.location);
    const vals = { quantity: stock.quantity, reserved_quantity: stock.reserved ?? 0 };
    const [quant] = db.search('stock.quant', [['product_id', '=', productId], ['location_id', '=', locationId]], { limit: 1 }, noContext);
    if (quant !== undefined) {
      db.write('stock.quant', [quant], vals, noContext);
      return quant;
    }
    return db.create('stock.quant', [{ product_id: productId, location_id: locationId, ...vals }], noContext)[0] as number;
  }

  /**
   * Seeds quants in one pass: products and warehouses are looked up in maps built once, and quants at
   * a warehouse's stock location are created in one batch (setStock searches per call, which is
   * quadratic for a seed of 100,000 products).
   */
  function seedStock(stock: readonly StockSeed[]): void {
    const skus = new Map<string, number>();
    for (const product of db.table('product.product').values()) if (typeof product.default_code === 'string') skus.set(product.default_code, product.id);
    const batch = new Map<string, Vals>();
    for (const s of stock) {
      if (s.location) {
        setStock(s.sku, s.warehouse, s);
        continue;
      }
      const productId = skus.get(s.sku) ?? productBySku(s.sku);
      const locationId = stockLocation(warehouseByCode(s.warehouse));
      batch.set(`${productId}:${locationId}`, { product_id: productId, location_id: locationId, quantity: s.quantity, reserved_quantity: s.reserved ?? 0 });
    }
    const quants = new Map([...db.table('stock.quant').values()].map((q) => [`${q.product_id}:${q.location_id}`, q.id]));
    const fresh: Vals[] = [];
    for (const [key, vals] of batch) {
      const quant = quants.get(key);
      if (quant === undefined) fresh.push(vals);
      else db.write('stock.quant', [quant], { quantity: vals.quantity, reserved_quantity: vals.reserved_quantity }, noContext);
    }
    if (fresh.length) db.create('stock.quant', fresh, noContext);
  }

  function seed(data: OdooSandboxSeed): SeededIds {
    const ids: SeededIds = { partners: {}, products: {}, warehouses: {}, orders: [] };
    for (const w of data.warehouses ?? []) ids.warehouses[w.code] = addWarehouse(w.code, w.name);
    ids.warehouses.WH ??= warehouseByCode('WH');
    for (const { contacts, ...customer } of data.customers ?? []) {
      const [parent] = db.create('res.partner', [customer], noContext) as [number];
      ids.partners[String(customer.name)] = parent;
      for (const contact of contacts ?? []) {
        const [id] = db.create('res.partner', [{ ...contact, parent_id: parent }], noContext) as [number];
        ids.partners[String(contact.name)] = id;
      }
    }
    for (const product of data.products ?? []) {
      const [id] = db.create('product.product', [product], noContext) as [number];
      ids.products[String(product.default_code ?? product.name)] = id;
    }
    seedStock(data.stock ?? []);
    for (const i of data.incoming ?? []) db.setIncoming(productBySku(i.sku), warehouseByCode(i.warehouse), i.quantity);
    for (const order of data.orders ?? []) {
      const partner = findOne('res.partner', [['name', '=', order.customer]], `customer named ${order.customer}`);
      // A date alone is promised at noon UTC, as the Qiao order mapping writes it.
      const commitment = order.commitmentDate && /^\d{4}-\d{2}-\d{2}$/.test(order.commitmentDate) ? `${order.commitmentDate} 12:00:00` : order.commitmentDate?.replace('T', ' ').replace(/Z$/, '');
      const lines = order.lines.map((l) => [0, 0, { product_id: productBySku(l.sku), product_uom_qty: l.quantity, ...(l.price === undefined ? {} : { price_unit: l.price }), discount: l.discount ?? 0 }]);
      const [id] = db.create('sale.order', [{ partner_id: partner, client_order_ref: order.ref ?? false, commitment_date: commitment ?? false, order_line: lines }], noContext) as [number];
      if (order.confirm) db.callMethod('sale.order', 'action_confirm', [id], noContext);
      ids.orders.push(id);
    }
    return ids;
  }

  function recordOf(model: string, id: number): Stored {
    const record = db.table(model).get(id);
    if (!record) throw new Error(`odoo sandbox: no ${model} with id ${id}`);
    return record;
  }

  function shipOrder(saleOrderId: number): number[] {
    recordOf('sale.order', saleOrderId);
    const open = db.search('stock.picking', [['sale_id', '=', saleOrderId], ['state', 'not in', ['done', 'cancel']]], { order: 'id asc' }, noContext);
    if (open.length === 0) throw new Error(`odoo sandbox: sale.order ${saleOrderId} has no open delivery to validate`);
    db.callMethod('stock.picking', 'button_validate', open, noContext);
    return open;
  }

  function invoiceOrder(saleOrderId: number, opts: { paid?: boolean } = {}): number {
    const order = recordOf('sale.order', saleOrderId);
    if (order.state !== 'sale') throw new Error(`odoo sandbox: sale.order ${saleOrderId} is ${String(order.state)}; only a confirmed order can be invoiced`);
    return db.atomic(() => {
      const lines = db.search('sale.order.line', [['order_id', '=', saleOrderId]], { order: 'id asc' }, noContext).map((id) => recordOf('sale.order.line', id));
      const open = lines.filter((l) => Number(l.qty_invoiced) < Number(l.product_uom_qty));
      // sale.advance.payment.inv: what is ordered and not invoiced yet (invoicing policy "ordered quantities").
      if (open.length === 0) throw odooErrors.user('There is no invoiceable line. If a product has a control policy based on ordered quantity, please make sure that a quantity has been set.');
      let total = 0;
      for (const line of open) {
        const quantity = Number(line.product_uom_qty) - Number(line.qty_invoiced);
        total += quantity * Number(line.price_unit) * (1 - Number(line.discount) / 100);
        db.write('sale.order.line', [line.id], { qty_invoiced: Number(line.product_uom_qty) }, noContext);
      }
      const [move] = db.create(
        'account.move',
        [{ move_type: 'out_invoice', partner_id: order.partner_id, invoice_origin: order.name, amount_total: Math.round(total * 100) / 100, currency_id: order.currency_id }],
        noContext,
      ) as [number];
      db.callMethod('account.move', 'action_post', [move], noContext);
      if (opts.paid) db.write('account.move', [move], { payment_state: 'paid' }, noContext);
      return move;
    });
  }

  function payInvoice(invoiceId: number): void {
    const move = recordOf('account.move', invoiceId);
    if (move.state !== 'posted') throw new Error(`odoo sandbox: account.move ${invoiceId} is ${String(move.state)}; only a posted invoice can be paid`);
    db.write('account.move', [invoiceId], { payment_state: 'paid' }, noContext);
  }
  if (options.seed) seed(options.seed);

  /** Runs a model method; the request is logged with its outcome. */
  function execute(entry: SandboxRequest, model: string, method: string, ids: number[], args: Record<string, unknown>, context: Record<string, unknown>): unknown {
    if (!db.hasModel(model)) throw new OdooException('builtins.KeyError', `'${model}'`);
    const spec = methodSpec(db, model, method);
    if (!spec) throw new OdooException('builtins.AttributeError', `The method '${method}' does not exist on the model '${model}'`);
    const raised = raises.shift();
    if (raised) throw new OdooException(raised.exception, raised.message);
    entry.args = args;
    return spec.run(db, model, ids, args, context);
  }

  async function handleJson2(req: http.IncomingMessage, res: http.ServerResponse, model: string, method: string): Promise<void> {
    const entry: SandboxRequest = { protocol: 'json2', service: 'object', model, method, args: {}, status: 200 };
    const answerError = (err: OdooException, headers: Record<string, string> = {}) => {
      entry.status = json2Status(err.exception);
      entry.error = err.exception;
      sendJson(res, entry.status, serializeException(err), headers);
    };
    requests.push(entry);
    if (req.method !== 'POST') return answerError(new OdooException('werkzeug.exceptions.MethodNotAllowed', 'The method is not allowed for the requested URL.'));
    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    if (bearer !== apiKey) return answerError(new OdooException('werkzeug.exceptions.Unauthorized', 'Invalid apikey'), { 'www-authenticate': 'Bearer' });
    const dbHeader = req.headers['x-odoo-database'];
    if (dbHeader !== undefined && dbHeader !== options.database) return answerError(new OdooException('werkzeug.exceptions.NotFound', `database ${JSON.stringify(dbHeader)} not found`));
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return answerError(new OdooException('werkzeug.exceptions.UnsupportedMediaType', 'expected application/json'));
    let body: Record<string, unknown>;
    try {
      const text = await readBody(req);
      body = text ? JSON.parse(text) : {};
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TypeError('expecting a json object');
    } catch (err) {
      return answerError(new OdooException('werkzeug.exceptions.BadRequest', `could not parse the body as json: ${(err as Error).message}`));
    }
    const { ids = [], context = {}, ...args } = body as { ids?: number[]; context?: Record<string, unknown> };
    entry.args = args;
    if (ids.length > 0) entry.ids = ids;
    if (Object.keys(context).length > 0) entry.context = context;
    if (!db.hasModel(model)) return answerError(new OdooException('werkzeug.exceptions.NotFound', `the model '${model}' does not exist`));
    const spec = methodSpec(db, model, method);
    if (!spec) return answerError(new OdooException('werkzeug.exceptions.NotFound', `The method '${method}' does not exist on the model '${model}'`));
    if (!spec.records && ids.length > 0) return answerError(new OdooException('werkzeug.exceptions.UnprocessableEntity', `cannot call ${model}.${method} with ids`));
    const unexpected = Object.keys(args).find((k) => !spec.params.includes(k));
    if (unexpected) return answerError(new OdooException('werkzeug.exceptions.UnprocessableEntity', `${method}() got an unexpected keyword argument '${unexpected}'`));
    loseAnswer(res, model, method);
    try {
      sendJson(res, 200, execute(entry, model, method, ids, args, context));
    } catch (err) {
      if (!(err instanceof OdooException)) throw err;
      answerError(err);
    }
  }

  async function handleJsonRpc(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let payload: { id?: unknown; params?: { service?: string; method?: string; args?: unknown[] } };
    try {
      payload = JSON.parse(await readBody(req));
    } catch {
      return sendHtml(res, 400, 'Bad Request');
    }
    const { service = '', method = '', args = [] } = payload.params ?? {};
    const entry: SandboxRequest = { protocol: 'jsonrpc', service: service === 'common' ? 'common' : 'object', method, args: {}, status: 200 };
    requests.push(entry);
    const reply = (result: unknown) => sendJson(res, 200, { jsonrpc: '2.0', id: payload.id ?? null, result });
    try {
      if (service === 'common') {
        if (method === 'version') return reply(versionInfo(version));
        if (method === 'login' || method === 'authenticate') {
          const [database, login, password] = args;
          entry.args = { db: database, login };
          if (database !== options.database) throw new OdooException('psycopg2.OperationalError', `connection to server failed: FATAL:  database "${String(database)}" does not exist`);
          return reply(login === options.login && password === apiKey ? API_UID : false);
        }
        throw new OdooException('builtins.KeyError', `'${method}'`);
      }
      if (service !== 'object' || (method !== 'execute_kw' && method !== 'execute')) throw new OdooException('builtins.KeyError', `'${service}.${method}'`);
      const [database, uid, password, model, modelMethod, ...rest] = args;
      entry.model = String(model);
      entry.method = String(modelMethod);
      if (database !== options.database) throw new OdooException('psycopg2.OperationalError', `connection to server failed: FATAL:  database "${String(database)}" does not exist`);
      if (uid !== API_UID || password !== apiKey) throw odooErrors.denied();
      const positional = (method === 'execute_kw' ? (rest[0] ?? []) : rest) as unknown[];
      const kwargs = (method === 'execute_kw' ? (rest[1] ?? {}) : {}) as Record<string, unknown>;
      const spec = db.hasModel(String(model)) ? methodSpec(db, String(model), String(modelMethod)) : undefined;
      const { context = {}, ...named }: Record<string, unknown> & { context?: Record<string, unknown> } = kwargs;
      let ids: number[] = [];
      let params = positional;
      if (spec?.records) {
        ids = (Array.isArray(positional[0]) ? positional[0] : [positional[0]]) as number[];
        params = positional.slice(1);
        entry.ids = ids;
      }
      for (const [i, value] of params.entries()) {
        const name = spec?.params[i];
        if (name === undefined) throw odooErrors.type(`${String(modelMethod)}() takes ${spec?.params.length ?? 0} positional arguments but ${params.length} were given`);
        named[name] = value;
      }
      if (Object.keys(context).length > 0) entry.context = context;
      const unexpected = spec && Object.keys(named).find((k) => !spec.params.includes(k));
      if (unexpected) throw odooErrors.type(`${String(modelMethod)}() got an unexpected keyword argument '${unexpected}'`);
      loseAnswer(res, String(model), String(modelMethod));
      const result = execute(entry, String(model), String(modelMethod), ids, named, context);
      // Odoo 17's RPC create answers an id for one dict, a list of ids for a list.
      if (modelMethod === 'create' && !Array.isArray(positional[0]) && positional[0] !== undefined) return reply((result as number[])[0]);
      return reply(result);
    } catch (err) {
      if (!(err instanceof OdooException)) throw err;
      entry.error = err.exception;
      sendJson(res, 200, { jsonrpc: '2.0', id: payload.id ?? null, error: { code: 200, message: 'Odoo Server Error', data: serializeException(err) } });
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Odoo's clock, as clients see it: the sandbox clock, frozen or not.
    res.setHeader('date', new Date(db.now()).toUTCString());
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    if (req.method === 'GET' && path === '/web/version') return sendJson(res, 200, { version_info: versionInfo(version).server_version_info, version: `${version}.0` });
    const json2 = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path);
    const isApi = path === '/jsonrpc' || json2 !== null;
    if (isApi && faults.count > 0) {
      // A proxy's answer, before Odoo sees the request.
      faults.count--;
      requests.push({ protocol: json2 ? 'json2' : 'jsonrpc', service: 'object', method: json2 ? decodeURIComponent(json2[2] as string) : 'call', model: json2 ? decodeURIComponent(json2[1] as string) : undefined, args: {}, status: faults.status });
      await readBody(req);
      const headers: Record<string, string> = faults.retryAfterSeconds !== undefined ? { 'retry-after': String(faults.retryAfterSeconds) } : {};
      const name = faults.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable';
      return sendJson(res, faults.status, { name: `werkzeug.exceptions.${name}`, message: faults.status === 429 ? 'Too Many Requests' : 'Service Unavailable', arguments: [], context: {}, debug: '' }, headers);
    }
    if (path === '/jsonrpc' && req.method === 'POST') return handleJsonRpc(req, res);
    // JSON-2 arrived with Odoo 19.
    if (json2 && version >= 19) return handleJson2(req, res, decodeURIComponent(json2[1] as string), decodeURIComponent(json2[2] as string));
    await readBody(req);
    sendHtml(res, 404, 'Not Found');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { name: 'builtins.Exception', message: String(err), arguments: [], context: {}, debug: '' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    database: options.database,
    login: options.login,
    version,
    uid: API_UID,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    seed,
    create: (model, vals) => db.create(model, Array.isArray(vals) ? vals : [vals], noContext),
    write: (model, ids, vals) => {
      db.write(model, ids, vals, noContext);
    },
    records: (model, opts = {}) => db.read(model, db.search(model, opts.domain ?? [], {}, { active_test: opts.activeTest ?? false }), opts.fields, noContext),
    setStock,
    setIncoming: (sku, warehouse, quantity) => {
      db.setIncoming(productBySku(sku), warehouseByCode(warehouse), quantity);
    },
    failNext(count, status = 503, opts = {}) {
      Object.assign(faults, { count, status, retryAfterSeconds: opts.retryAfterSeconds ?? (status === 429 ? 1 : undefined) });
    },
    loseNextAnswers(count = 1, match = {}) {
      Object.assign(lostAnswers, { count, model: match.model, method: match.method, onLost: match.onLost });
    },
    raiseNext(exception, message, count = 1) {
      for (let i = 0; i < count; i++) raises.push({ exception, message });
    },
    rejectWhen(model, predicate, message) {
      const rejection: Rejection = { model, predicate, message };
      db.rejections.push(rejection);
      return () => {
        const i = db.rejections.indexOf(rejection);
        if (i >= 0) db.rejections.splice(i, 1);
      };
    },
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    setClock(at) {
      frozenAt = at === null ? undefined : new Date(at).getTime();
    },
    tick(seconds) {
      frozenAt = (frozenAt ?? Date.now()) + seconds * 1000;
    },
    setApiKey(key) {
      apiKey = key;
    },
    shipOrder,
    invoiceOrder,
    payInvoice,
    finishProduction(productionId) {
      recordOf('mrp.production', productionId);
      db.callMethod('mrp.production', 'button_mark_done', [productionId], noContext);
    },
  };
}

function versionInfo(version: OdooVersion) {
  return { server_version: `${version}.0`, server_version_info: [version, 0, 0, 'final', 0, ''], server_serie: `${version}.0`, protocol_version: 1 };
}
