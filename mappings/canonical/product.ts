// Product and its per-warehouse StockLevel.
import { z } from 'zod';
import { CanonicalId, ExternalRef, Money, Quantity, RecordMeta, SignedQuantity, Timestamp } from './primitives';

export const StockLevel = z
  .object({
    warehouse: z.string().min(1).max(64).describe('Warehouse code.'),
    onHand: SignedQuantity.describe('Physically in the warehouse.'),
    reserved: Quantity.default('0').describe('Promised to orders, not yet shipped.'),
    available: SignedQuantity.optional().describe('On hand minus reserved; computed when omitted.'),
    incoming: Quantity.default('0').describe('Expected from production or purchase.'),
    asOf: Timestamp.describe('When the source system reported these figures.'),
    source: z.string().min(1).max(64).default('crm-core').describe('System the figures come from, e.g. `odoo`.'),
  })
  .strict()
  .describe('Stock of one product in one warehouse, with its freshness.');
export type StockLevel = z.infer<typeof StockLevel>;

const productFields = {
  sku: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'may hold letters, digits and . _ - / and must start with a letter or digit')
    .describe('Stock keeping unit, unique; the business key.'),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  unitOfMeasure: z.string().min(1).max(16).default('unit').describe('Unit of measure, e.g. `unit`, `kg`.'),
  listPrice: Money.optional().describe('List price per unit.'),
  status: z.enum(['active', 'discontinued']).default('active'),
  externalRefs: z.array(ExternalRef).default([]),
};

export const ProductInput = z
  .object({ ...productFields, stockLevels: z.array(StockLevel).max(500).default([]).describe('Stock per warehouse.') })
  .strict()
  .describe('A product to create.');
/** A product change; `stockLevels` upserts the warehouses it names and keeps the others. */
export const ProductPatch = ProductInput.omit({ sku: true }).partial().strict().describe('Fields of a product to change.');
export const Product = z
  .object({ id: CanonicalId, ...productFields, stockLevels: z.array(StockLevel.required({ available: true })), ...RecordMeta })
  .describe('A product with its stock per warehouse.');
export type Product = z.infer<typeof Product>;
export type ProductInput = z.infer<typeof ProductInput>;
