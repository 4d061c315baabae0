// Odoo mrp.production (the Odoo connector's `production_order` entity) ↔ canonical production order, version 1.
import { defineMapping } from '../engine/definition';

/**
 * What to make (the SKU, which the Odoo sink turns into product_id), how much, the status and the
 * planned dates. Out, `orderId` becomes `sale_order_id` (the linked sale.order), which the Odoo sink
 * turns into `origin`, the order's name: how Odoo ties a manufacturing order to its sale order (and
 * how the order's status shows in_production). In, `origin` is a name, not an id the engine can look
 * up: it is not read.
 *
 * No identity field: nothing in a canonical production order is unique to it. The Odoo sink names a
 * manufacturing order it creates after Qiao's id (`name`) and finds it again by it.
 */
export const odooProductionOrderV1 = defineMapping({
  connector: 'odoo',
  entity: 'production_order',
  version: 1,
  canonical: 'production_order',
  description: 'mrp.production ↔ ProductionOrder: SKU (default_code), quantity (product_qty), status (state), planned start and end (date_start, date_finished).',
  fields: [
    { canonical: 'sku', external: 'default_code', direction: 'both', transform: [{ name: 'falseToEmpty' }, { name: 'trim' }], required: true },
    { canonical: 'quantity', external: 'product_qty', direction: 'both', transform: { name: 'decimalString' }, required: true },
    {
      canonical: 'status',
      external: 'state',
      direction: 'both',
      transform: {
        name: 'enum',
        map: { draft: 'draft', confirmed: 'confirmed', progress: 'in_progress', to_close: 'in_progress', done: 'done', cancel: 'cancelled' },
        out: { draft: 'draft', confirmed: 'confirmed', in_progress: 'progress', done: 'done', cancelled: 'cancel' },
      },
      required: true,
      description: 'In progress and to close are both in_progress. Out, the Odoo sink confirms a draft for any later state and cancels for cancel.',
    },
    {
      canonical: 'orderId',
      external: 'sale_order_id',
      direction: 'out',
      transform: [{ name: 'many2oneId' }, { name: 'ref', entity: 'order' }],
      description: 'The sale order this production serves (must be in Odoo first); the sink writes its name into origin.',
    },
  ],
  functions: ['odoo.productionDates'],
});
