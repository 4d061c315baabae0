// Odoo sale.order (as the Odoo connector's `order` entity gives it) ↔ canonical order, version 1.
import { defineMapping } from '../engine/definition';

/**
 * The order number is Odoo's order reference, `name`: an order made in Odoo keeps its S00042, and an
 * order Qiao creates is created under Qiao's number (Odoo keeps a name given at creation). Both are
 * stable: Odoo's form never changes the reference of an order.
 *
 * Identity: Qiao also writes its number into `client_order_ref` when it creates the order, so a create
 * whose answer was lost is found again there and never made twice. Only on create: an order made in
 * Odoo keeps the customer's own reference (their PO number), which is never read in.
 *
 * The status comes from the connector's `qiao_status` (order, deliveries, invoices and manufacturing
 * orders); written out, it asks the sink to confirm or cancel the order.
 */
export const odooOrderV1 = defineMapping({
  connector: 'odoo',
  entity: 'order',
  version: 1,
  canonical: 'order',
  description:
    'sale.order ↔ Order: customer (partner_id), number (name; client_order_ref on create as identity), status (qiao_status), currency, promised date (commitment_date), notes, lines by SKU.',
  identity: { external: 'client_order_ref', canonical: 'number' },
  references: [{ external: 'partner_id', entity: 'customer' }],
  fields: [
    {
      canonical: 'customerId',
      external: 'partner_id',
      direction: 'both',
      transform: [{ name: 'many2oneId' }, { name: 'ref', entity: 'customer' }],
      required: true,
      description: 'The customer: a reference to the `customer` entity, looked up before mapping.',
    },
    { canonical: 'number', external: 'name', direction: 'in', transform: { name: 'trim' }, required: true, description: "Odoo's order reference (S00042, or Qiao's number)." },
    { canonical: 'number', external: 'name', direction: 'out', createOnly: true, description: "A new order takes Qiao's number as its reference." },
    { canonical: 'number', external: 'client_order_ref', direction: 'out', createOnly: true, description: 'Identity: the number, written on create only.' },
    { canonical: 'status', external: 'qiao_status', direction: 'both', required: true, description: "The connector's canonical status; out, confirmed (or later) confirms and cancelled cancels." },
    {
      canonical: 'currency',
      external: 'currency_id',
      direction: 'in',
      transform: [{ name: 'many2oneName' }, { name: 'default', context: 'currency' }],
      description: "The currency's code (`[1, \"EUR\"]` → EUR); none → the context's defaults.currency.",
    },
    { canonical: 'currency', external: 'currency', direction: 'out', description: 'The Odoo sink accepts the company currency only (an order takes its currency from its pricelist).' },
  ],
  functions: ['odoo.orderLines', 'odoo.commitmentDate', 'odoo.orderNote'],
});
