// Available-to-promise: when an order becomes confirmed (from the API, a CRM or the ERP), what stock
// cannot cover is planned as production orders, and the order gets the date Qiao can promise.
import { formatScaled, newCanonicalId, type Order, type Product, type ProductionOrder, parseScaled } from '../../mappings/canonical';
import { enqueueDeliveries, type Queued } from '../sync/outbox';
import { type Actor, appendAudit, type Db, type StoredMeta } from './records';

/** Days from today to the promised date: from stock, or when something must be made first. */
export interface AtpSettings {
  deliveryDays: number;
  productionLeadDays: number;
}

let settings: AtpSettings = { deliveryDays: 2, productionLeadDays: 10 };

/** Sets the lead times (from QIAO_DELIVERY_DAYS and QIAO_PRODUCTION_LEAD_DAYS at start). */
export function configureAtp(next: AtpSettings): void {
  settings = next;
}

/** What planning needs from the store; passed in so this module does not import the resources. */
export interface AtpStores {
  products: { findBy(db: Db, column: string, values: readonly string[]): Promise<Product[]> };
  productionOrders: { insertMany(db: Db, records: ProductionOrder[]): Promise<void> };
}

function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/**
 * Stock promised to other orders that the stock figures cannot reflect yet, per SKU: promises of
 * orders still confirmed or in production made after the SKU's latest `asOf`. Once the ERP has the
 * order and reserved for it, its next stock report is newer than the promise and carries the
 * reservation itself.
 */
async function promisedElsewhere(db: Db, orderId: string, products: Map<string, Product>): Promise<Map<string, bigint>> {
  const promised = new Map<string, bigint>();
  if (products.size === 0) return promised;
  const rows = await db
    .selectFrom('stock_promises')
    .innerJoin('orders', 'orders.id', 'stock_promises.order_id')
    .select(['stock_promises.sku', 'stock_promises.quantity', 'stock_promises.created_at'])
    .where('stock_promises.sku', 'in', [...products.keys()])
    .where('stock_promises.order_id', '!=', orderId)
    .where('orders.status', 'in', ['confirmed', 'in_production'])
    .execute();
  for (const row of rows) {
    const asOf = Math.max(0, ...(products.get(row.sku)?.stockLevels ?? []).map((level) => Date.parse(level.asOf)));
    if (Date.parse(row.created_at) > asOf) promised.set(row.sku, (promised.get(row.sku) ?? 0n) + parseScaled(row.quantity));
  }
  return promised;
}

/** Whether `actor` is a connector Qiao reads stock levels from: an order it confirmed is reserved in its own figures. */
async function reportsStock(db: Db, actor: Actor): Promise<boolean> {
  if (!actor.name.startsWith('connector:')) return false;
  const row = await db.selectFrom('connectors').select('entities').where('name', '=', actor.name.slice('connector:'.length)).executeTakeFirst();
  const stock = row ? (JSON.parse(row.entities) as Record<string, { direction?: string }>).stock_level : undefined;
  return stock !== undefined && stock.direction !== 'out';
}

/**
 * Plans an order the moment it becomes confirmed; any other change passes through unchanged. Per SKU,
 * the quantity ordered beyond the available stock (on hand minus reserved, over every warehouse, minus
 * what other orders were promised since those figures: `promisedElsewhere`) becomes one production
 * order for this order, queued for the ERP; what stock covers is recorded as this order's promise
 * (unless the ERP itself confirmed the order: then its figures hold the reservation). The order keeps a
 * promised date it already has; otherwise it gets today plus the delivery days, or plus the production
 * lead time when something must be made. Production orders are made confirmed: the ERP starts
 * planning the shop floor at once. Planning twice finds the production orders and promises it made.
 * @example const planned = await planOrder(trx, before, after, { actor, now }, { products, productionOrders })
 */
export async function planOrder(db: Db, before: Order | undefined, after: Order, ctx: { actor: Actor; now: string; queued?: Queued[] }, stores: AtpStores): Promise<Order> {
  if (after.status !== 'confirmed' || before?.status === 'confirmed') return after;
  const wanted = new Map<string, bigint>();
  for (const line of after.lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0n) + parseScaled(line.quantity));
  const products = new Map((await stores.products.findBy(db, 'sku', [...wanted.keys()])).map((p) => [p.sku, p]));
  const existing = new Set((await db.selectFrom('production_orders').select('sku').where('order_id', '=', after.id).execute()).map((r) => r.sku));
  const elsewhere = await promisedElsewhere(db, after.id, products);
  const promises: { order_id: string; sku: string; quantity: string; created_at: string }[] = [];
  const today = ctx.now.slice(0, 10);
  const planned: (ProductionOrder & StoredMeta)[] = [];
  let short = existing.size > 0;
  for (const [sku, quantity] of wanted) {
    const product = products.get(sku);
    if (!product) continue;
    const inStock = product.stockLevels.reduce((sum, level) => sum + parseScaled(level.onHand) - parseScaled(level.reserved ?? '0'), 0n) - (elsewhere.get(sku) ?? 0n);
    const available = inStock > 0n ? inStock : 0n;
    const fromStock = quantity < available ? quantity : available;
    if (fromStock > 0n) promises.push({ order_id: after.id, sku, quantity: formatScaled(fromStock), created_at: ctx.now });
    const missing = quantity - available;
    if (missing <= 0n) continue;
    short = true;
    if (existing.has(sku)) continue;
    planned.push({
      id: newCanonicalId('mo'),
      productId: product.id,
      sku,
      quantity: formatScaled(missing),
      status: 'confirmed',
      plannedStart: today,
      plannedEnd: addDays(today, settings.productionLeadDays),
      orderId: after.id,
      externalRefs: [],
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
  }
  if (promises.length && !(await reportsStock(db, ctx.actor))) {
    await db.insertInto('stock_promises').values(promises).onConflict((oc) => oc.columns(['order_id', 'sku']).doNothing()).execute();
  }
  if (planned.length) {
    await stores.productionOrders.insertMany(db, planned);
    await appendAudit(
      db,
      planned.map((p) => ({ actor: ctx.actor, action: 'create', entity: 'production_order', entityId: p.id, after: p, at: ctx.now })),
    );
    // Queued in any case; `ctx.queued` only learns what to wake (an optional chain would skip the call).
    const targets = await enqueueDeliveries(db, 'production_order', planned.map((p) => p.id), 'upsert');
    ctx.queued?.push(...targets);
  }
  if (after.promisedDate) return after;
  return { ...after, promisedDate: addDays(today, short ? settings.productionLeadDays : settings.deliveryDays) };
}
