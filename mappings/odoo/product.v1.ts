// Odoo product.product ↔ canonical Product, version 1.
import { defineMapping } from '../engine/definition';

/**
 * The SKU is Odoo's `default_code` (Internal Reference) and is also the identity: a product Qiao
 * created is found again by it. The list price is in the currency of the context
 * (`defaults.currency`, the Odoo company currency); more decimals than that currency has are an error,
 * never rounded away silently.
 */
export const odooProductV1 = defineMapping({
  connector: 'odoo',
  entity: 'product',
  version: 1,
  canonical: 'product',
  description: 'product.product ↔ Product: default_code as SKU, name, list price (Money), unit of measure (in only), active.',
  identity: { external: 'default_code', canonical: 'sku' },
  fields: [
    { canonical: 'sku', external: 'default_code', direction: 'both', transform: [{ name: 'falseToEmpty' }, { name: 'trim' }], required: true },
    { canonical: 'name', external: 'name', direction: 'both', transform: { name: 'trim' }, required: true },
    { canonical: 'listPrice', external: 'list_price', direction: 'both', transform: { name: 'money' } },
    {
      canonical: 'unitOfMeasure',
      external: 'uom_id',
      direction: 'in',
      transform: [{ name: 'many2oneName' }, { name: 'enum', map: { Units: 'unit', 'Unit(s)': 'unit' }, passthrough: true }],
      description: "The unit's name; Odoo's default unit (Units, or Unit(s) before Odoo 13) is the canonical `unit`. Not written: uom_id needs an Odoo id.",
    },
    {
      canonical: 'status',
      external: 'active',
      direction: 'both',
      transform: { name: 'enum', map: { true: 'active', false: 'discontinued' }, out: { active: true, discontinued: false } },
    },
  ],
});
