// Salesforce Product2 ↔ canonical Product, version 1.
import { defineMapping } from '../engine/definition';

/**
 * The SKU is ProductCode. Prices live on price book entries, not on Product2: v1 neither reads nor
 * writes them. Stock goes out only, summed over warehouses with its "as of" time (`salesforce.stock`).
 */
export const salesforceProductV1 = defineMapping({
  connector: 'salesforce',
  entity: 'product',
  version: 1,
  canonical: 'product',
  description: 'Product2 ↔ Product: ProductCode as SKU, name, active, unit of measure (in); stock out into Qiao_Stock_*; Qiao id in Qiao_Id__c.',
  identity: { external: 'Qiao_Id__c', canonical: 'id' },
  fields: [
    { canonical: 'sku', external: 'ProductCode', direction: 'both', transform: { name: 'trim' }, required: true },
    { canonical: 'name', external: 'Name', direction: 'both', transform: { name: 'trim' }, required: true },
    {
      canonical: 'status',
      external: 'IsActive',
      direction: 'both',
      transform: { name: 'enum', map: { true: 'active', false: 'discontinued' }, out: { active: true, discontinued: false } },
    },
    {
      canonical: 'unitOfMeasure',
      external: 'QuantityUnitOfMeasure',
      direction: 'in',
      transform: [{ name: 'trim' }, { name: 'enum', map: { Each: 'unit' }, passthrough: true }],
      description: "Salesforce's default unit `Each` is the canonical `unit`. Not written: it is a picklist of the org.",
    },
    { canonical: 'id', external: 'Qiao_Id__c', direction: 'out', description: 'Identity: creates are upserts by it.' },
  ],
  functions: ['salesforce.stock'],
});
