// Order with lines and its status machine; ProductionOrder, which makes what an order lacks.
import { z } from 'zod';
import { CalendarDate, CanonicalId, CurrencyCode, ExternalRef, Quantity, RecordMeta } from './primitives';

export const ORDER_STATUSES = ['draft', 'confirmed', 'in_production', 'shipped', 'invoiced', 'paid', 'closed', 'cancelled'] as const;
export const OrderStatus = z.enum(ORDER_STATUSES).describe('Where the order is in its life.');
export type OrderStatus = z.infer<typeof OrderStatus>;

/**
 * The allowed next statuses of an order. `confirmed → shipped` skips production when stock covers
 * every line; `cancelled` is reachable until the goods have shipped.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  draft: ['confirmed', 'cancelled'],
  confirmed: ['in_production', 'shipped', 'cancelled'],
  in_production: ['shipped', 'cancelled'],
  shipped: ['invoiced'],
  invoiced: ['paid'],
  paid: ['closed'],
  closed: [],
  cancelled: [],
};

/**
 * The statuses an order passes through from `from` to `to` by allowed transitions (the shortest way,
 * `to` included), [] when they are equal, undefined when `to` cannot be reached. A system that reports
 * a later status (shipped, where Qiao has confirmed) moves the order through the ones in between.
 * @example orderStatusPath('confirmed', 'invoiced') // ['shipped', 'invoiced']
 */
export function orderStatusPath(from: OrderStatus, to: OrderStatus): OrderStatus[] | undefined {
  const previous = new Map<OrderStatus, OrderStatus>();
  const queue: OrderStatus[] = [from];
  const seen = new Set<OrderStatus>([from]);
  while (queue.length > 0) {
    const at = queue.shift() as OrderStatus;
    if (at === to) {
      const path: OrderStatus[] = [];
      for (let s = to; s !== from; s = previous.get(s) as OrderStatus) path.unshift(s);
      return path;
    }
    for (const next of ORDER_TRANSITIONS[at]) {
      if (seen.has(next)) continue;
      seen.add(next);
      previous.set(next, at);
      queue.push(next);
    }
  }
  return undefined;
}

/** Statuses in which the lines of an order may still change. */
export const ORDER_EDITABLE_STATUSES: readonly OrderStatus[] = ['draft', 'confirmed'];

const orderLineFields = {
  sku: z.string().min(1).max(64).describe('SKU of the product ordered.'),
  description: z.string().max(500).optional(),
  quantity: Quantity.refine((q) => /[1-9]/.test(q), 'must be greater than zero').describe('Quantity ordered, decimal string.'),
  unitPrice: z.number().int('must be an integer in minor units').nonnegative().safe().describe('Price per unit in minor units of the order currency.'),
  discountBasisPoints: z.number().int().min(0).max(10_000).default(0).describe('Discount in basis points (1000 = 10%).'),
  taxRateBasisPoints: z.number().int().min(0).max(10_000).default(0).describe('Tax rate in basis points (1900 = 19%).'),
};

export const OrderLineInput = z.object(orderLineFields).strict().describe('An order line to create.');
export const OrderLine = z
  .object({
    lineNo: z.number().int().positive(),
    ...orderLineFields,
    net: z.number().int().describe('Line net after discount, minor units.'),
    tax: z.number().int().describe('Line tax, minor units.'),
  })
  .describe('An order line with its computed amounts.');
export type OrderLine = z.infer<typeof OrderLine>;

export const OrderTotals = z
  .object({ net: z.number().int(), tax: z.number().int(), gross: z.number().int() })
  .describe('Order totals in minor units of the order currency.');

const orderFields = {
  number: z.string().min(1).max(64).optional().describe('Order number, unique; generated when omitted.'),
  customerId: CanonicalId.describe('The customer who ordered.'),
  currency: CurrencyCode,
  promisedDate: CalendarDate.optional().describe('Delivery date promised to the customer.'),
  notes: z.string().max(2000).optional(),
  externalRefs: z.array(ExternalRef).default([]),
};

export const OrderInput = z
  .object({
    ...orderFields,
    status: z.enum(['draft', 'confirmed']).default('draft').describe('A new order starts as draft or confirmed.'),
    lines: z.array(OrderLineInput).min(1, 'an order needs at least one line').max(1000),
  })
  .strict()
  .describe('An order to create.');
export const OrderPatch = z
  .object({
    customerId: orderFields.customerId,
    promisedDate: orderFields.promisedDate,
    notes: orderFields.notes,
    externalRefs: orderFields.externalRefs,
    status: OrderStatus,
    lines: OrderInput.shape.lines.describe('Replaces all lines; only while the order is draft or confirmed.'),
  })
  .partial()
  .strict()
  .describe('Fields of an order to change; a status change must follow the allowed transitions.');
export const Order = z
  .object({
    id: CanonicalId,
    ...orderFields,
    number: z.string(),
    status: OrderStatus,
    lines: z.array(OrderLine),
    totals: OrderTotals,
    ...RecordMeta,
  })
  .describe('An order with lines and totals.');
export type Order = z.infer<typeof Order>;
export type OrderInput = z.infer<typeof OrderInput>;

export const ProductionOrder = z
  .object({
    id: CanonicalId,
    productId: CanonicalId,
    sku: z.string(),
    quantity: Quantity,
    status: z.enum(['draft', 'confirmed', 'in_progress', 'done', 'cancelled']),
    plannedStart: CalendarDate.optional(),
    plannedEnd: CalendarDate.optional(),
    orderId: CanonicalId.optional().describe('The order this production serves.'),
    externalRefs: z.array(ExternalRef).default([]),
    ...RecordMeta,
  })
  .describe('An order to the shop floor to make a quantity of a product.');
export type ProductionOrder = z.infer<typeof ProductionOrder>;

export const PRODUCTION_STATUSES = ['draft', 'confirmed', 'in_progress', 'done', 'cancelled'] as const;

/** A production order to create: what to make, how much, and for which order. */
export const ProductionOrderInput = ProductionOrder.pick({ sku: true, quantity: true, plannedStart: true, plannedEnd: true, orderId: true, externalRefs: true })
  .extend({ status: z.enum(PRODUCTION_STATUSES).default('draft') })
  .strict()
  .describe('A production order to create.');
export const ProductionOrderPatch = ProductionOrderInput.partial().strict().describe('Fields of a production order to change.');
export type ProductionOrderInput = z.infer<typeof ProductionOrderInput>;
