// The canonical entities a mapping can produce, their zod schemas, and how a dot path resolves in them.
import type { z } from 'zod';
import { Contact, Customer, Order, OrderLineInput, OrderStatus, Product, ProductionOrder, StockLevel } from '../canonical';
import type { Segment } from './paths';

export const CANONICAL_ENTITIES = ['customer', 'contact', 'product', 'stock_level', 'order', 'production_order'] as const;
export type CanonicalEntity = (typeof CANONICAL_ENTITIES)[number];

/**
 * A stock level as a source reports it: the figures of one warehouse plus the SKU of the product they
 * belong to (the engine files it under that product's `stockLevels`).
 */
export const SourceStockLevel = StockLevel.extend({ sku: Product.shape.sku }).describe('Stock of one product (by SKU) in one warehouse, as a source reports it.');

/**
 * An order as a source or sink sees it: its customer (a reference), number, currency, status, promised
 * date and lines by SKU; ids, line numbers and amounts are Qiao's to compute.
 */
export const SourceOrder = Order.pick({ customerId: true, number: true, currency: true, promisedDate: true, notes: true })
  .extend({ status: OrderStatus, lines: OrderLineInput.array() })
  .describe('An order as a connector reports or receives it: customer, number, currency, status, promised date, lines by SKU.');

/** A production order as the ERP reports or receives it: what to make, how much, when, for which order. */
export const SourceProductionOrder = ProductionOrder.pick({ sku: true, quantity: true, status: true, plannedStart: true, plannedEnd: true, orderId: true }).describe(
  'A production order as the ERP reports or receives it: SKU, quantity, status, planned dates and the order it serves.',
);

/** The schema a mapping's canonical side is checked against, per canonical entity. */
export const CANONICAL_SCHEMAS: Readonly<Record<CanonicalEntity, z.ZodObject>> = {
  customer: Customer,
  contact: Contact,
  product: Product,
  stock_level: SourceStockLevel,
  order: SourceOrder,
  production_order: SourceProductionOrder,
};

type Def = { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType>; in?: z.ZodType };

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current.def as unknown as Def;
    if (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

/**
 * The schema at `segments` in a canonical entity, or a message saying why the path is not one of its
 * fields (naming the fields that are).
 */
export function resolveCanonicalPath(entity: CanonicalEntity, segments: readonly Segment[]): { schema: z.ZodType } | { problem: string } {
  let schema: z.ZodType = CANONICAL_SCHEMAS[entity];
  const walked: Segment[] = [];
  for (const segment of segments) {
    const def = unwrap(schema).def as unknown as Def;
    const where = walked.length ? `"${walked.join('.')}"` : entity;
    if (typeof segment === 'number') {
      if (def.type !== 'array' || !def.element) return { problem: `${where} is not a list, so it has no index ${segment}` };
      schema = def.element;
    } else {
      const shape = def.type === 'object' ? def.shape : undefined;
      const next = shape && Object.hasOwn(shape, segment) ? shape[segment] : undefined;
      if (!next) {
        return { problem: shape ? `${where} has no field "${segment}"; it has: ${Object.keys(shape).join(', ')}` : `${where} is a ${def.type}, not an object` };
      }
      schema = next;
    }
    walked.push(segment);
  }
  return { schema };
}
