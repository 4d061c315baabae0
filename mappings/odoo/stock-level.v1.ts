// Stock levels from the Odoo connector (one product in one warehouse) → canonical stock level, version 1.
import { defineMapping } from '../engine/definition';

/**
 * In only: stock is the ERP's. Quantities are Odoo floats, read as exact decimal strings (0.1 + 0.2 is
 * "0.3"); `asOf` is the record's `write_date`, so stock figures always say how fresh they are.
 */
export const odooStockLevelV1 = defineMapping({
  connector: 'odoo',
  entity: 'stock_level',
  version: 1,
  canonical: 'stock_level',
  description: 'stock_level { product_id, default_code, warehouse_id, warehouse_code, quantity, reserved_quantity, incoming_qty, write_date } → stock level of a SKU in a warehouse.',
  fields: [
    { canonical: 'sku', external: 'default_code', direction: 'in', transform: [{ name: 'falseToEmpty' }, { name: 'trim' }], required: true },
    { canonical: 'warehouse', external: 'warehouse_id', direction: 'in', transform: { name: 'many2oneName' }, description: "The warehouse's name, for a warehouse without a code." },
    { canonical: 'warehouse', external: 'warehouse_code', direction: 'in', transform: [{ name: 'falseToEmpty' }, { name: 'trim' }], required: true },
    { canonical: 'onHand', external: 'quantity', direction: 'in', transform: { name: 'decimalString' }, required: true },
    { canonical: 'reserved', external: 'reserved_quantity', direction: 'in', transform: [{ name: 'falseToEmpty' }, { name: 'decimalString' }, { name: 'default', value: '0' }] },
    { canonical: 'incoming', external: 'incoming_qty', direction: 'in', transform: [{ name: 'falseToEmpty' }, { name: 'decimalString' }, { name: 'default', value: '0' }] },
    { canonical: 'asOf', external: 'write_date', direction: 'in', transform: { name: 'odooDatetime' }, required: true },
    { canonical: 'source', external: '', direction: 'in', transform: { name: 'constant', value: 'odoo' } },
  ],
});
