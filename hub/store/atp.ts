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
 * Plans an order the moment it becomes confirmed; any other change passes through unchanged. Per SKU,
 * the quantity ordered beyond the available stock (on hand minus reserved, over every warehouse) becomes
 * one production order for this order, queued for the ERP. The order keeps a promised date it already
 * has; otherwise it gets today plus the delivery days, or plus the production lead time when something
 * must be made. Production orders are made confirmed: the ERP starts planning the shop floor at once.
 * Planning twice finds the production orders it made (one per order and SKU).
 * @example const planned = await planOrder(trx, before, after, { actor, now }, { products, productionOrders })
 */
export async function planOrder(db: Db, before: Order | undefined, after: Order, ctx: { actor: Actor; now: string; queued?: Queued[] }, stores: AtpStores): Promise<Order> {
  if (after.status !== 'confirmed' || before?.status === 'confirmed') return after;
  const wanted = new Map<string, bigint>();
  for (const line of after.lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0n) + parseScaled(line.quantity));
  const products = new Map((await stores.products.findBy(db, 'sku', [...wanted.keys()])).map((p) => [p.sku, p]));
  const existing = new Set((await db.selectFrom('production_orders').select('sku').where('order_id', '=', after.id).execute()).map((r) => r.sku));
  const today = ctx.now.slice(0, 10);
  const planned: (ProductionOrder & StoredMeta)[] = [];
  let short = existing.size > 0;
  for (const [sku, quantity] of wanted) {
    const product = products.get(sku);
    if (!product) continue;
    const available = product.stockLevels.reduce((sum, level) => sum + parseScaled(level.onHand) - parseScaled(level.reserved ?? '0'), 0n);
    const missing = quantity - (available > 0n ? available : 0n);
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
