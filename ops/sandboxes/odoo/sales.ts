// The sandbox's sales, delivery, invoicing and manufacturing models: sale.order with its lines, the
// outgoing stock.picking its confirmation creates (with stock.move), account.move invoices and
// mrp.production, with Odoo 17–19 field names, states, methods and the errors Odoo gives.
import { type Env, type FieldSpec, formatDatetime, type ModelSpec, odooErrors, type OdooVersion, type Stored, type Vals } from './models';

const ACTIVE: FieldSpec = { type: 'boolean', string: 'Active', default: true };

const pad5 = (n: number) => String(n).padStart(5, '0');

function related(env: Env, model: string, id: unknown): Stored | undefined {
  return typeof id === 'number' ? env.db.table(model).get(id) : undefined;
}

function byId(records: Stored[]): Stored[] {
  return [...records].sort((a, b) => a.id - b.id);
}

function nowText(env: Env): string {
  return formatDatetime(env.db.now());
}

/** The first warehouse, as Odoo's default for a sale order or a manufacturing order of the company. */
function defaultWarehouse(env: Env): Stored | undefined {
  const [id] = env.db.search('stock.warehouse', [], { limit: 1, order: 'id asc' }, {});
  return related(env, 'stock.warehouse', id);
}

function warehouseOfLocation(env: Env, locationId: unknown): Stored | undefined {
  return related(env, 'stock.warehouse', related(env, 'stock.location', locationId)?.warehouse_id);
}

/** Adds `delta` to the quant of a product at an internal location (creating it, negative if need be), as a stock move does. */
function moveStock(env: Env, productId: number, locationId: number, delta: number): void {
  if (related(env, 'stock.location', locationId)?.usage !== 'internal') return;
  const [quant] = env.db.search('stock.quant', [['product_id', '=', productId], ['location_id', '=', locationId]], { limit: 1 }, {});
  if (quant === undefined) env.db.create('stock.quant', [{ product_id: productId, location_id: locationId, quantity: delta }], env.context);
  else env.db.write('stock.quant', [quant], { quantity: Number(related(env, 'stock.quant', quant)?.quantity ?? 0) + delta }, env.context);
}

/** The sale orders an invoice's `invoice_origin` names ("S00001", or "S00001, S00002" for a grouped invoice). */
function ordersNamed(env: Env, origin: unknown): number[] {
  if (typeof origin !== 'string') return [];
  return origin.split(',').flatMap((name) => env.db.idsWhere('sale.order', 'name', name.trim()));
}

const GOODS = new Set(['consu', 'product']);

function orderLines(env: Env, orderId: number): Stored[] {
  return byId(env.db.recordsWhere('sale.order.line', 'order_id', orderId));
}

/**
 * Confirming an order launches its stock rule: one outgoing picking (WH/OUT/…) from the warehouse's
 * stock to the customers' location, one move per line of goods (services are not delivered). The
 * picking is Ready (`assigned`) when the warehouse has the goods on hand, else Waiting (`confirmed`);
 * nothing is reserved.
 */
function createDelivery(order: Stored, env: Env): void {
  const warehouse = related(env, 'stock.warehouse', order.warehouse_id) ?? defaultWarehouse(env);
  const [customers] = env.db.search('stock.location', [['usage', '=', 'customer']], { limit: 1 }, {});
  if (!warehouse || customers === undefined) return;
  const stock = warehouse.lot_stock_id as number;
  const lines = orderLines(env, order.id).filter((line) => GOODS.has(String(related(env, 'product.product', line.product_id)?.type)));
  if (lines.length === 0) return;
  const wanted = new Map<number, number>();
  for (const line of lines) wanted.set(line.product_id as number, (wanted.get(line.product_id as number) ?? 0) + Number(line.product_uom_qty));
  const ready = [...wanted].every(([product, quantity]) => env.db.onHand(product, warehouse.id) >= quantity);
  const state = ready ? 'assigned' : 'confirmed';
  const moves = lines.map((line) => [
    0,
    0,
    { name: line.name, product_id: line.product_id, product_uom_qty: line.product_uom_qty, location_id: stock, location_dest_id: customers, sale_line_id: line.id, origin: order.name, state },
  ]);
  env.db.create(
    'stock.picking',
    [{ origin: order.name, sale_id: order.id, partner_id: order.partner_id, picking_type_code: 'outgoing', location_id: stock, location_dest_id: customers, state, move_ids: moves }],
    env.context,
  );
}

function cancelPickings(records: Stored[], env: Env): void {
  const open = records.filter((p) => p.state !== 'done' && p.state !== 'cancel');
  if (open.length === 0) return;
  const moves = open.flatMap((p) => env.db.idsWhere('stock.move', 'picking_id', p.id)).filter((id) => related(env, 'stock.move', id)?.state !== 'done');
  if (moves.length > 0) env.db.write('stock.move', moves, { state: 'cancel' }, env.context);
  env.db.write(
    'stock.picking',
    open.map((p) => p.id),
    { state: 'cancel' },
    env.context,
  );
}

function saleOrderModel(): ModelSpec {
  return {
    name: 'sale.order',
    description: 'Sales Order',
    order: 'date_order desc, id desc',
    fields: {
      name: { type: 'char', string: 'Order Reference', required: true },
      partner_id: { type: 'many2one', string: 'Customer', relation: 'res.partner', required: true },
      client_order_ref: { type: 'char', string: 'Customer Reference' },
      date_order: { type: 'datetime', string: 'Order Date', required: true },
      commitment_date: { type: 'datetime', string: 'Delivery Date' },
      state: {
        type: 'selection',
        string: 'Status',
        default: 'draft',
        selection: [
          ['draft', 'Quotation'],
          ['sent', 'Quotation Sent'],
          ['sale', 'Sales Order'],
          ['cancel', 'Cancelled'],
        ],
      },
      order_line: { type: 'one2many', string: 'Order Lines', relation: 'sale.order.line', inverse: 'order_id', compute: (r, env) => env.db.idsWhere('sale.order.line', 'order_id', r.id) },
      currency_id: { type: 'many2one', string: 'Currency', relation: 'res.currency', required: true, default: 1 },
      amount_total: {
        type: 'float',
        string: 'Total',
        compute: (r, env) => Math.round(orderLines(env, r.id).reduce((sum, line) => sum + lineSubtotal(line), 0) * 100) / 100,
      },
      invoice_status: {
        type: 'selection',
        string: 'Invoice Status',
        selection: [
          ['upselling', 'Upselling Opportunity'],
          ['invoiced', 'Fully Invoiced'],
          ['to invoice', 'To Invoice'],
          ['no', 'Nothing to Invoice'],
        ],
        compute: (r, env) => {
          const lines = orderLines(env, r.id);
          if (r.state !== 'sale' || lines.length === 0) return 'no';
          return lines.every((line) => Number(line.qty_invoiced) >= Number(line.product_uom_qty)) ? 'invoiced' : 'to invoice';
        },
      },
      delivery_status: {
        type: 'selection',
        string: 'Delivery Status',
        selection: [
          ['pending', 'Not Delivered'],
          ['started', 'Started'],
          ['partial', 'Partially Delivered'],
          ['full', 'Fully Delivered'],
        ],
        // sale_stock's _compute_delivery_status.
        compute: (r, env) => {
          const pickings = env.db.recordsWhere('stock.picking', 'sale_id', r.id);
          if (pickings.length === 0 || pickings.every((p) => p.state === 'cancel')) return false;
          if (pickings.every((p) => p.state === 'done' || p.state === 'cancel')) return 'full';
          if (pickings.some((p) => p.state === 'done')) return orderLines(env, r.id).some((l) => Number(l.qty_delivered) > 0) ? 'partial' : 'started';
          return 'pending';
        },
      },
      note: { type: 'html', string: 'Terms and conditions' },
      warehouse_id: { type: 'many2one', string: 'Warehouse', relation: 'stock.warehouse' },
      picking_ids: { type: 'one2many', string: 'Transfers', relation: 'stock.picking', inverse: 'sale_id', compute: (r, env) => env.db.idsWhere('stock.picking', 'sale_id', r.id) },
      invoice_ids: {
        type: 'many2many',
        string: 'Invoices',
        relation: 'account.move',
        // Odoo follows the invoice lines back to the order lines; the sandbox follows invoice_origin.
        compute: (r, env) =>
          env.db
            .recordsWhere('account.move', 'invoice_origin', r.name)
            .filter((m) => m.move_type === 'out_invoice' || m.move_type === 'out_refund')
            .map((m) => m.id)
            .sort((a, b) => a - b),
      },
      mrp_production_count: { type: 'integer', string: 'Count of MO generated', compute: (r, env) => env.db.recordsWhere('mrp.production', 'origin', r.name).length },
    },
    displayName: (r) => String(r.name),
    prepare(vals, env) {
      // sale.order.create: a name left out or "New" takes the next number of the sale.order sequence.
      if (!vals.name || vals.name === 'New') vals.name = `S${pad5(env.db.nextSequence('sale.order'))}`;
      vals.date_order ??= nowText(env);
      vals.warehouse_id ??= defaultWarehouse(env)?.id ?? false;
      return vals;
    },
    beforeUnlink(records) {
      if (records.some((r) => r.state !== 'draft' && r.state !== 'cancel')) throw odooErrors.user('You can not delete a sent quotation or a confirmed sales order. You must first cancel it.');
    },
    cascade: [['sale.order.line', 'order_id']],
    methods: {
      action_confirm(records, env) {
        if (records.some((r) => r.state !== 'draft' && r.state !== 'sent')) throw odooErrors.user('Some orders are not in a state requiring confirmation.');
        env.db.write(
          'sale.order',
          records.map((r) => r.id),
          { state: 'sale', date_order: nowText(env) },
          env.context,
        );
        for (const order of records) createDelivery(order, env);
        return true;
      },
      action_cancel(records, env) {
        // Odoo 17+ shows the sale.order.cancel wizard for any order that is not a draft, and cancels
        // nothing, unless the context says disable_cancel_warning.
        if (records.some((r) => r.state !== 'draft') && !env.context.disable_cancel_warning) {
          return { name: 'Cancel Sales Order', type: 'ir.actions.act_window', res_model: 'sale.order.cancel', view_mode: 'form', target: 'new', context: { default_order_id: records[0]?.id } };
        }
        cancelPickings(
          records.flatMap((r) => env.db.recordsWhere('stock.picking', 'sale_id', r.id)),
          env,
        );
        env.db.write(
          'sale.order',
          records.map((r) => r.id),
          { state: 'cancel' },
          env.context,
        );
        return true;
      },
      action_draft(records, env) {
        const orders = records.filter((r) => r.state === 'cancel' || r.state === 'sent').map((r) => r.id);
        if (orders.length > 0) env.db.write('sale.order', orders, { state: 'draft' }, env.context);
        return true;
      },
    },
  };
}

/** A line's amount before taxes, as Odoo's price_subtotal (taxes are not modelled). */
function lineSubtotal(line: Stored): number {
  return Math.round(Number(line.product_uom_qty) * Number(line.price_unit) * (1 - Number(line.discount) / 100) * 100) / 100;
}

function saleOrderLineModel(): ModelSpec {
  return {
    name: 'sale.order.line',
    description: 'Sales Order Line',
    order: 'order_id asc, id asc',
    fields: {
      order_id: { type: 'many2one', string: 'Order Reference', relation: 'sale.order', required: true },
      product_id: { type: 'many2one', string: 'Product', relation: 'product.product', required: true },
      name: { type: 'text', string: 'Description', required: true },
      product_uom_qty: { type: 'float', string: 'Quantity', default: 1 },
      price_unit: { type: 'float', string: 'Unit Price', default: 0 },
      discount: { type: 'float', string: 'Discount (%)', default: 0 },
      qty_delivered: { type: 'float', string: 'Delivery Quantity', default: 0 },
      qty_invoiced: { type: 'float', string: 'Invoiced Quantity', default: 0 },
      price_subtotal: { type: 'float', string: 'Subtotal', compute: (r) => lineSubtotal(r) },
      state: {
        type: 'selection',
        string: 'Order Status',
        selection: [
          ['draft', 'Quotation'],
          ['sent', 'Quotation Sent'],
          ['sale', 'Sales Order'],
          ['cancel', 'Cancelled'],
        ],
        compute: (r, env) => related(env, 'sale.order', r.order_id)?.state ?? false,
      },
    },
    displayName: (r, env) => `${String(related(env, 'sale.order', r.order_id)?.name ?? '')} - ${String(r.name)}`,
    prepare(vals, env) {
      // Odoo computes the description and the price from the product when they are not given.
      const product = related(env, 'product.product', vals.product_id);
      if (product) {
        vals.name ??= product.default_code ? `[${product.default_code}] ${product.name}` : product.name;
        vals.price_unit ??= product.list_price;
      }
      return vals;
    },
    // The order's stored totals are recomputed, which stamps its write_date.
    changed(record, _fields, env) {
      env.db.touch('sale.order', [record.order_id as number]);
    },
    beforeUnlink(records, env) {
      if (records.some((line) => related(env, 'sale.order', line.order_id)?.state === 'sale')) {
        throw odooErrors.user('You can not remove an order line once the sales order is confirmed.\nYou should rather set the quantity to 0.');
      }
      env.db.touch(
        'sale.order',
        records.map((line) => line.order_id as number),
      );
    },
  };
}

const PICKING_STATES: [string, string][] = [
  ['draft', 'Draft'],
  ['waiting', 'Waiting Another Operation'],
  ['confirmed', 'Waiting'],
  ['assigned', 'Ready'],
  ['done', 'Done'],
  ['cancel', 'Cancelled'],
];

function stockPickingModel(): ModelSpec {
  return {
    name: 'stock.picking',
    description: 'Transfer',
    order: 'id desc',
    fields: {
      name: { type: 'char', string: 'Reference', required: true },
      origin: { type: 'char', string: 'Source Document' },
      sale_id: { type: 'many2one', string: 'Sales Order', relation: 'sale.order' },
      partner_id: { type: 'many2one', string: 'Contact', relation: 'res.partner' },
      picking_type_code: {
        type: 'selection',
        string: 'Type of Operation',
        required: true,
        selection: [
          ['incoming', 'Receipt'],
          ['outgoing', 'Delivery'],
          ['internal', 'Internal Transfer'],
        ],
      },
      location_id: { type: 'many2one', string: 'Source Location', relation: 'stock.location', required: true },
      location_dest_id: { type: 'many2one', string: 'Destination Location', relation: 'stock.location', required: true },
      state: { type: 'selection', string: 'Status', default: 'draft', selection: PICKING_STATES },
      move_ids: { type: 'one2many', string: 'Stock Moves', relation: 'stock.move', inverse: 'picking_id', compute: (r, env) => env.db.idsWhere('stock.move', 'picking_id', r.id) },
      scheduled_date: { type: 'datetime', string: 'Scheduled Date' },
      date_done: { type: 'datetime', string: 'Date of Transfer' },
    },
    displayName: (r) => String(r.name),
    prepare(vals, env) {
      // The picking type's sequence: WH/OUT/00001, WH/IN/00001, WH/INT/00001.
      if (!vals.name || vals.name === '/') {
        const code = vals.picking_type_code === 'incoming' ? 'IN' : vals.picking_type_code === 'outgoing' ? 'OUT' : 'INT';
        const warehouse = warehouseOfLocation(env, code === 'IN' ? vals.location_dest_id : vals.location_id) ?? defaultWarehouse(env);
        const prefix = `${String(warehouse?.code ?? 'WH')}/${code}/`;
        vals.name = `${prefix}${pad5(env.db.nextSequence(`stock.picking:${prefix}`))}`;
      }
      vals.scheduled_date ??= nowText(env);
      return vals;
    },
    // sale_stock's delivery_status is stored and depends on picking_ids.state: its recomputation stamps the order.
    changed(record, fields, env) {
      if (fields.has('state') && typeof record.sale_id === 'number') env.db.touch('sale.order', [record.sale_id]);
    },
    cascade: [['stock.move', 'picking_id']],
    methods: {
      /** Validates the transfers: every move done with its full quantity, stock leaves (or enters) the internal locations. */
      button_validate(records, env) {
        for (const picking of records) {
          if (picking.state === 'done') throw odooErrors.user(`The transfer ${String(picking.name)} is already done.`);
          if (picking.state === 'cancel') throw odooErrors.user(`You cannot validate a transfer that is cancelled (${String(picking.name)}).`);
        }
        for (const picking of records) {
          for (const move of byId(env.db.recordsWhere('stock.move', 'picking_id', picking.id))) {
            if (move.state === 'cancel' || move.state === 'done') continue;
            const quantity = Number(move.product_uom_qty);
            moveStock(env, move.product_id as number, move.location_id as number, -quantity);
            moveStock(env, move.product_id as number, move.location_dest_id as number, quantity);
            env.db.write('stock.move', [move.id], { quantity, state: 'done' }, env.context);
            const line = related(env, 'sale.order.line', move.sale_line_id);
            if (line) env.db.write('sale.order.line', [line.id], { qty_delivered: Number(line.qty_delivered) + quantity }, env.context);
          }
          env.db.write('stock.picking', [picking.id], { state: 'done', date_done: nowText(env) }, env.context);
        }
        return true;
      },
      action_cancel(records, env) {
        cancelPickings(records, env);
        return true;
      },
    },
  };
}

function stockMoveModel(): ModelSpec {
  return {
    name: 'stock.move',
    description: 'Stock Move',
    order: 'id asc',
    fields: {
      name: { type: 'char', string: 'Description' },
      picking_id: { type: 'many2one', string: 'Transfer', relation: 'stock.picking' },
      product_id: { type: 'many2one', string: 'Product', relation: 'product.product', required: true },
      product_uom_qty: { type: 'float', string: 'Demand', default: 0 },
      quantity: { type: 'float', string: 'Quantity', default: 0 },
      state: {
        type: 'selection',
        string: 'Status',
        default: 'draft',
        selection: [
          ['draft', 'New'],
          ['confirmed', 'Waiting Availability'],
          ['assigned', 'Available'],
          ['done', 'Done'],
          ['cancel', 'Cancelled'],
        ],
      },
      location_id: { type: 'many2one', string: 'Source Location', relation: 'stock.location', required: true },
      location_dest_id: { type: 'many2one', string: 'Destination Location', relation: 'stock.location', required: true },
      sale_line_id: { type: 'many2one', string: 'Sale Line', relation: 'sale.order.line' },
      origin: { type: 'char', string: 'Source Document' },
    },
    displayName: (r) => String(r.name ?? ''),
  };
}

function accountMoveModel(): ModelSpec {
  return {
    name: 'account.move',
    description: 'Journal Entry',
    order: 'id desc',
    fields: {
      name: { type: 'char', string: 'Number', default: '/' },
      move_type: {
        type: 'selection',
        string: 'Type',
        required: true,
        default: 'entry',
        selection: [
          ['entry', 'Journal Entry'],
          ['out_invoice', 'Customer Invoice'],
          ['out_refund', 'Customer Credit Note'],
          ['in_invoice', 'Vendor Bill'],
          ['in_refund', 'Vendor Credit Note'],
        ],
      },
      partner_id: { type: 'many2one', string: 'Partner', relation: 'res.partner' },
      invoice_origin: { type: 'char', string: 'Origin' },
      state: {
        type: 'selection',
        string: 'Status',
        required: true,
        default: 'draft',
        selection: [
          ['draft', 'Draft'],
          ['posted', 'Posted'],
          ['cancel', 'Cancelled'],
        ],
      },
      payment_state: {
        type: 'selection',
        string: 'Payment Status',
        default: 'not_paid',
        selection: [
          ['not_paid', 'Not Paid'],
          ['in_payment', 'In Payment'],
          ['paid', 'Paid'],
          ['partial', 'Partially Paid'],
          ['reversed', 'Reversed'],
        ],
      },
      amount_total: { type: 'float', string: 'Total', default: 0 },
      currency_id: { type: 'many2one', string: 'Currency', relation: 'res.currency', required: true, default: 1 },
    },
    displayName: (r) => (r.name && r.name !== '/' ? String(r.name) : `Draft Invoice (* ${r.id})`),
    // invoice_status on the order lines is stored and follows the invoices' state (not their payment):
    // its recomputation stamps the orders the invoice comes from. A payment stamps only the invoice.
    changed(record, fields, env) {
      if (fields.has('state')) env.db.touch('sale.order', ordersNamed(env, record.invoice_origin));
    },
    methods: {
      /** Posts draft entries; an invoice gets its number (INV/2026/00001) then. Odoo answers False. */
      action_post(records, env) {
        for (const move of records) if (move.state === 'posted') throw odooErrors.user(`The entry ${String(move.name)} (id ${move.id}) is already posted.`);
        const year = new Date(env.db.now()).getUTCFullYear();
        for (const move of records) {
          const prefix = move.move_type === 'out_invoice' ? 'INV' : move.move_type === 'out_refund' ? 'RINV' : move.move_type === 'in_invoice' ? 'BILL' : move.move_type === 'in_refund' ? 'RBILL' : 'MISC';
          const name = move.name && move.name !== '/' ? move.name : `${prefix}/${year}/${pad5(env.db.nextSequence(`account.move:${prefix}/${year}`))}`;
          env.db.write('account.move', [move.id], { state: 'posted', name }, env.context);
        }
        return false;
      },
    },
  };
}

const ACTIVE_PRODUCTION = ['confirmed', 'progress', 'to_close'];

function mrpProductionModel(): ModelSpec {
  return {
    name: 'mrp.production',
    description: 'Production Order',
    order: 'id desc',
    fields: {
      name: { type: 'char', string: 'Reference', required: true },
      product_id: { type: 'many2one', string: 'Product', relation: 'product.product', required: true },
      product_qty: { type: 'float', string: 'Quantity To Produce', default: 1 },
      qty_producing: { type: 'float', string: 'Quantity Producing', default: 0 },
      state: {
        type: 'selection',
        string: 'State',
        default: 'draft',
        selection: [
          ['draft', 'Draft'],
          ['confirmed', 'Confirmed'],
          ['progress', 'In Progress'],
          ['to_close', 'To Close'],
          ['done', 'Done'],
          ['cancel', 'Cancelled'],
        ],
      },
      origin: { type: 'char', string: 'Source' },
      date_start: { type: 'datetime', string: 'Start', required: true },
      date_finished: { type: 'datetime', string: 'End' },
      location_dest_id: { type: 'many2one', string: 'Finished Products Location', relation: 'stock.location', required: true },
      warehouse_id: { type: 'many2one', string: 'Warehouse', relation: 'stock.warehouse', compute: (r, env) => related(env, 'stock.location', r.location_dest_id)?.warehouse_id ?? false },
    },
    displayName: (r) => String(r.name),
    prepare(vals, env) {
      vals.location_dest_id ??= defaultWarehouse(env)?.lot_stock_id ?? false;
      // The manufacturing picking type's sequence: WH/MO/00001.
      if (!vals.name || vals.name === 'New') {
        const prefix = `${String(warehouseOfLocation(env, vals.location_dest_id)?.code ?? 'WH')}/MO/`;
        vals.name = `${prefix}${pad5(env.db.nextSequence(`mrp.production:${prefix}`))}`;
      }
      vals.date_start ??= nowText(env);
      if (vals.date_finished === undefined && typeof vals.date_start === 'string') {
        const start = Date.parse(`${vals.date_start.replace(' ', 'T')}Z`);
        if (!Number.isNaN(start)) vals.date_finished = formatDatetime(start + 3_600_000);
      }
      return vals;
    },
    check(record) {
      if (!(Number(record.product_qty) > 0)) throw odooErrors.validation('The quantity to produce must be positive!');
    },
    // The state follows the quantity being produced (Odoo computes it): in progress, then to close.
    changed(record, fields, env) {
      if (!fields.has('qty_producing') || fields.has('id') || !ACTIVE_PRODUCTION.includes(String(record.state))) return;
      const producing = Number(record.qty_producing);
      const state = producing >= Number(record.product_qty) ? 'to_close' : producing > 0 ? 'progress' : 'confirmed';
      if (state !== record.state) env.db.write('mrp.production', [record.id], { state }, env.context);
    },
    methods: {
      action_confirm(records, env) {
        const drafts = records.filter((r) => r.state === 'draft').map((r) => r.id);
        if (drafts.length > 0) env.db.write('mrp.production', drafts, { state: 'confirmed' }, env.context);
        return true;
      },
      /** Produces the quantity (all of it unless qty_producing says less) into the finished products location. */
      button_mark_done(records, env) {
        for (const production of records) {
          if (!ACTIVE_PRODUCTION.includes(String(production.state))) {
            throw odooErrors.user(`The manufacturing order ${String(production.name)} is ${String(production.state)}: only a confirmed or started one can be marked as done.`);
          }
        }
        for (const production of records) {
          const quantity = Number(production.qty_producing) > 0 ? Number(production.qty_producing) : Number(production.product_qty);
          moveStock(env, production.product_id as number, production.location_dest_id as number, quantity);
          env.db.write('mrp.production', [production.id], { state: 'done', qty_producing: quantity, date_finished: nowText(env) }, env.context);
        }
        return true;
      },
      action_cancel(records, env) {
        if (records.some((r) => r.state === 'done')) throw odooErrors.user('You cannot cancel a manufacturing order that is done.');
        env.db.write(
          'mrp.production',
          records.filter((r) => r.state !== 'cancel').map((r) => r.id),
          { state: 'cancel' },
          env.context,
        );
        return true;
      },
    },
  };
}

const CURRENCY_MODEL: ModelSpec = {
  name: 'res.currency',
  description: 'Currency',
  order: 'name asc',
  fields: { name: { type: 'char', string: 'Currency', required: true }, symbol: { type: 'char', string: 'Symbol' }, active: ACTIVE },
  displayName: (r) => String(r.name),
};

/** Currencies of a new sandbox database, ids from 1 in this order; the company's is the first (EUR). */
export const BASE_CURRENCIES: [string, string][] = [
  ['EUR', '€'],
  ['USD', '$'],
  ['GBP', '£'],
  ['CHF', 'CHF'],
  ['JPY', '¥'],
];

/**
 * The models of the Sales, Inventory, Invoicing and Manufacturing apps, as Odoo 17–19 have them
 * (the sandbox's version changes none of them).
 */
export function salesModels(_version: OdooVersion): ModelSpec[] {
  return [CURRENCY_MODEL, saleOrderModel(), saleOrderLineModel(), stockPickingModel(), stockMoveModel(), accountMoveModel(), mrpProductionModel()];
}

export type { Vals };
