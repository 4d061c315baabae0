// The four CRM core resources: their columns, child tables and the rules a change must follow.
import type { z } from 'zod';
import {
  type Contact,
  type ContactInput,
  type ContactPatch,
  type Customer,
  type CustomerInput,
  type CustomerPatch,
  lineAmounts,
  ORDER_EDITABLE_STATUSES,
  ORDER_TRANSITIONS,
  type Order,
  type OrderInput,
  type OrderLine,
  type OrderPatch,
  type Product,
  type ProductInput,
  type ProductPatch,
  type ProductionOrder,
  type ProductionOrderInput,
  type ProductionOrderPatch,
  parseScaled,
  type StockLevel,
} from '../../mappings/canonical';
import { Problem } from '../problem';
import { planOrder } from './atp';
import { createRecords, type Db, type ResourceSpec, type StoredMeta } from './records';

type In<T extends z.ZodType> = z.output<T>;

/** Drops keys whose value is undefined, so a patch never erases a field by omission. */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function requireCustomer(db: Db, customerId: string, field = 'customerId'): Promise<void> {
  const row = await db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst();
  if (!row) throw new Problem(422, 'Unknown reference', `${field}: no customer with id ${customerId}`, { errors: [{ field, message: `no customer with id ${customerId}` }] });
}

export const customerSpec: ResourceSpec<Customer, In<typeof CustomerInput>, In<typeof CustomerPatch>> = {
  entity: 'customer',
  table: 'customers',
  idPrefix: 'cus',
  keyColumn: 'id',
  filters: { status: 'status', number: 'number' },
  columns: (c) => ({ number: c.number ?? null, name: c.name, status: c.status }),
  create: async (_db, input, meta) => ({ ...meta, ...input }) as Customer,
  patch: async (_db, before, patch) => ({ ...before, ...defined(patch) }),
  async deleteBlocker(db, c) {
    const orders = await db.selectFrom('orders').select('id').where('customer_id', '=', c.id).limit(1).execute();
    if (orders.length) return `customer ${c.id} has orders; cancel or close them and keep the customer, or set its status to inactive`;
    const contacts = await db.selectFrom('contacts').select('id').where('customer_id', '=', c.id).limit(1).execute();
    if (contacts.length) return `customer ${c.id} has contacts; delete them first`;
    return undefined;
  },
};

export const contactSpec: ResourceSpec<Contact, In<typeof ContactInput>, In<typeof ContactPatch>> = {
  entity: 'contact',
  table: 'contacts',
  idPrefix: 'con',
  keyColumn: 'id',
  filters: { customerId: 'customer_id', email: 'email' },
  columns: (c) => ({ customer_id: c.customerId, email: c.email ?? null }),
  async create(db, input, meta) {
    await requireCustomer(db, input.customerId);
    return { ...meta, ...input } as Contact;
  },
  async patch(db, before, patch) {
    if (patch.customerId && patch.customerId !== before.customerId) await requireCustomer(db, patch.customerId);
    return { ...before, ...defined(patch) } as Contact;
  },
};

/** Stock with `available` filled in: on hand minus reserved when the source did not say. */
function completeStock(level: StockLevel): Required<StockLevel> {
  if (level.available !== undefined) return level as Required<StockLevel>;
  const scaled = parseScaled(level.onHand) - parseScaled(level.reserved);
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const frac = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return { ...level, available: `${negative ? '-' : ''}${abs / 1_000_000n}${frac ? `.${frac}` : ''}` };
}

function checkWarehousesUnique(levels: readonly StockLevel[]): void {
  const seen = new Set<string>();
  levels.forEach((l, i) => {
    if (seen.has(l.warehouse)) {
      throw new Problem(422, 'Validation failed', `stockLevels[${i}].warehouse ${l.warehouse} appears twice`, {
        errors: [{ field: `stockLevels[${i}].warehouse`, message: 'appears twice' }],
      });
    }
    seen.add(l.warehouse);
  });
}

export const productSpec: ResourceSpec<Product, In<typeof ProductInput>, In<typeof ProductPatch>> = {
  entity: 'product',
  table: 'products',
  idPrefix: 'prd',
  keyColumn: 'sku',
  filters: { status: 'status' },
  columns: (p) => ({ sku: p.sku, name: p.name, status: p.status }),
  children: {
    fields: ['stockLevels'],
    async load(db, ids) {
      const rows = await db.selectFrom('stock_levels').selectAll().where('product_id', 'in', ids).orderBy('warehouse').execute();
      const byProduct = new Map<string, Partial<Product>>(ids.map((id) => [id, { stockLevels: [] }]));
      for (const r of rows) {
        byProduct.get(r.product_id)?.stockLevels?.push({
          warehouse: r.warehouse,
          onHand: r.on_hand,
          reserved: r.reserved,
          available: r.available,
          incoming: r.incoming,
          asOf: r.as_of,
          source: r.source,
        });
      }
      return byProduct;
    },
    async save(db, before, after) {
      const previous = new Map((before?.stockLevels ?? []).map((l) => [l.warehouse, JSON.stringify(l)]));
      const changed = after.stockLevels.filter((l) => previous.get(l.warehouse) !== JSON.stringify(l));
      if (!changed.length) return;
      if (before) await db.deleteFrom('stock_levels').where('product_id', '=', after.id).where('warehouse', 'in', changed.map((l) => l.warehouse)).execute();
      await db
        .insertInto('stock_levels')
        .values(
          changed.map((l) => ({
            product_id: after.id,
            warehouse: l.warehouse,
            on_hand: l.onHand,
            reserved: l.reserved,
            available: l.available,
            incoming: l.incoming,
            as_of: l.asOf,
            source: l.source,
          })),
        )
        .execute();
    },
  },
  async create(_db, input, meta) {
    checkWarehousesUnique(input.stockLevels);
    return { ...meta, ...input, stockLevels: input.stockLevels.map(completeStock) } as Product;
  },
  async patch(_db, before, patch) {
    const { stockLevels, ...rest } = defined(patch);
    if (!stockLevels) return { ...before, ...rest } as Product;
    checkWarehousesUnique(stockLevels);
    // A patch upserts the warehouses it names; other warehouses keep their figures.
    const merged = new Map(before.stockLevels.map((l) => [l.warehouse, l]));
    for (const level of stockLevels) merged.set(level.warehouse, completeStock(level));
    const levels = [...merged.values()].sort((a, b) => (a.warehouse < b.warehouse ? -1 : 1));
    return { ...before, ...rest, stockLevels: levels } as Product;
  },
  async deleteBlocker(db, p) {
    const line = await db.selectFrom('order_lines').select('order_id').where('sku', '=', p.sku).limit(1).executeTakeFirst();
    return line ? `product ${p.sku} is on order ${line.order_id}; set its status to discontinued instead` : undefined;
  },
};

/** Computes line amounts and totals; every SKU must be a known product. */
async function buildLines(db: Db, lines: In<typeof OrderInput>['lines']): Promise<{ lines: OrderLine[]; totals: Order['totals'] }> {
  const skus = [...new Set(lines.map((l) => l.sku))];
  const known = new Set((await db.selectFrom('products').select('sku').where('sku', 'in', skus).execute()).map((r) => r.sku));
  const errors = lines.flatMap((l, i) => (known.has(l.sku) ? [] : [{ field: `lines[${i}].sku`, message: `no product with SKU ${l.sku}` }]));
  if (errors.length) throw new Problem(422, 'Unknown reference', `${errors[0]?.field}: ${errors[0]?.message}`, { errors });
  let net = 0;
  let tax = 0;
  const built = lines.map((l, i) => {
    const amounts = lineAmounts(l.quantity, l.unitPrice, l.discountBasisPoints, l.taxRateBasisPoints);
    net += amounts.net;
    tax += amounts.tax;
    return { lineNo: i + 1, ...l, ...amounts };
  });
  return { lines: built, totals: { net, tax, gross: net + tax } };
}

export const orderSpec: ResourceSpec<Order, In<typeof OrderInput>, In<typeof OrderPatch>> = {
  entity: 'order',
  table: 'orders',
  idPrefix: 'ord',
  keyColumn: 'id',
  filters: { customerId: 'customer_id', status: 'status', number: 'number' },
  columns: (o) => ({ number: o.number, customer_id: o.customerId, status: o.status }),
  children: {
    fields: ['lines'],
    async load(db, ids) {
      const rows = await db.selectFrom('order_lines').select(['order_id', 'data']).where('order_id', 'in', ids).orderBy('order_id').orderBy('line_no').execute();
      const byOrder = new Map<string, Partial<Order>>(ids.map((id) => [id, { lines: [] }]));
      for (const r of rows) byOrder.get(r.order_id)?.lines?.push(JSON.parse(r.data) as OrderLine);
      return byOrder;
    },
    async save(db, before, after) {
      if (before && JSON.stringify(before.lines) === JSON.stringify(after.lines)) return;
      if (before) await db.deleteFrom('order_lines').where('order_id', '=', after.id).execute();
      await db
        .insertInto('order_lines')
        .values(after.lines.map((l) => ({ order_id: after.id, line_no: l.lineNo, sku: l.sku, quantity: l.quantity, unit_price: l.unitPrice, net: l.net, tax: l.tax, data: JSON.stringify(l) })))
        .execute();
    },
  },
  async create(db, input, meta) {
    await requireCustomer(db, input.customerId);
    const { lines, totals } = await buildLines(db, input.lines);
    // A readable number derived from the time-ordered id when the client brings none.
    const number = input.number ?? `SO-${meta.id.slice(4, 14).toUpperCase()}`;
    return { ...meta, ...input, number, lines, totals } as Order;
  },
  async patch(db, before, patch) {
    const change = defined(patch);
    if (change.status && change.status !== before.status) {
      const allowed = ORDER_TRANSITIONS[before.status];
      if (!allowed.includes(change.status)) {
        throw new Problem(409, 'Invalid status transition', `order ${before.number} cannot go from ${before.status} to ${change.status}; allowed: ${allowed.join(', ') || 'none (final status)'}`, {
          from: before.status,
          to: change.status,
          allowed,
          errors: [{ field: 'status', message: `cannot go from ${before.status} to ${change.status}` }],
        });
      }
    }
    if (change.customerId && change.customerId !== before.customerId) await requireCustomer(db, change.customerId);
    let next: Order = { ...before, ...change, lines: before.lines, totals: before.totals } as Order;
    if (change.lines) {
      if (!ORDER_EDITABLE_STATUSES.includes(before.status)) {
        throw new Problem(409, 'Order not editable', `lines of order ${before.number} cannot change once it is ${before.status}; allowed while: ${ORDER_EDITABLE_STATUSES.join(', ')}`, {
          errors: [{ field: 'lines', message: `cannot change in status ${before.status}` }],
        });
      }
      next = { ...next, ...(await buildLines(db, change.lines)) };
    }
    return next;
  },
  async deleteBlocker(_db, o) {
    return o.status === 'draft' || o.status === 'cancelled' ? undefined : `order ${o.number} is ${o.status}; only draft or cancelled orders can be deleted — cancel it instead`;
  },
};

/** Production orders: made by planning a confirmed order (see atp.ts), written to the ERP, status from it. */
export const productionOrderSpec: ResourceSpec<ProductionOrder, In<typeof ProductionOrderInput>, In<typeof ProductionOrderPatch>> = {
  entity: 'production_order',
  table: 'production_orders',
  idPrefix: 'mo',
  keyColumn: 'id',
  filters: { orderId: 'order_id', status: 'status', sku: 'sku' },
  columns: (p) => ({ sku: p.sku, status: p.status, order_id: p.orderId ?? null }),
  async create(db, input, meta) {
    const product = await db.selectFrom('products').select('id').where('sku', '=', input.sku).executeTakeFirst();
    if (!product) throw new Problem(422, 'Unknown reference', `sku: no product with SKU ${input.sku}`, { errors: [{ field: 'sku', message: `no product with SKU ${input.sku}` }] });
    return { ...meta, ...input, productId: product.id } as ProductionOrder;
  },
  patch: async (_db, before, patch) => ({ ...before, ...defined(patch) }) as ProductionOrder,
};

export const customers = createRecords(customerSpec);
export const contacts = createRecords(contactSpec);
export const products = createRecords(productSpec);
export const productionOrders = createRecords(productionOrderSpec);
// Set here, where both stores exist: planning reads products and writes production orders.
orderSpec.settle = (db, before, after, ctx) => planOrder(db, before, after, ctx, { products, productionOrders });
export const orders = createRecords(orderSpec);

export type AnyRecords = typeof customers | typeof contacts | typeof products | typeof orders | typeof productionOrders;

/** The stored resources by canonical entity name, for code that handles any of them (sync, trace). */
export const RECORDS_BY_ENTITY = { customer: customers, contact: contacts, product: products, order: orders, production_order: productionOrders } as const;
export type { StoredMeta };
