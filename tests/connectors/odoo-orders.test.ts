// The Odoo connector's `order` and `production_order` entities against msw fixtures: the exact
// requests of a change listing that follows deliveries, invoices and manufacturing orders, of creates
// with lines by SKU, confirmations, updates and cancellations, and of the identity read-back.
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, SinkWrite } from '../../connectors/contract';
import { OdooConfig, odoo } from '../../connectors/odoo/index';
import { orderStatus } from '../../connectors/odoo/order';
import type { OdooRow } from '../../connectors/odoo/values';
import { failure } from '../support/connector-errors';

const URL = 'https://acme.odoo.example';
const KEY = 'c0ffee0123456789abcdef0123456789abcdef01';
const MAX_ID = '9007199254740991';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Seen {
  path: string;
  headers: Headers;
  body: Record<string, unknown>;
}

type Answer = unknown | ((body: Record<string, unknown>) => unknown);

/** A JSON-2 Odoo answering `model/method` from a table (a function gets the body); every request is kept. */
function json2(answers: Record<string, Answer>, options: { date?: string } = {}): Seen[] {
  const seen: Seen[] = [];
  const headers: Record<string, string> = options.date ? { date: new Date(options.date).toUTCString() } : {};
  server.use(
    http.post(`${URL}/json/2/:model/:method`, async ({ request, params }) => {
      const body = (await request.json()) as Record<string, unknown>;
      const key = `${params.model}/${params.method}`;
      seen.push({ path: new globalThis.URL(request.url).pathname, headers: request.headers, body });
      if (!(key in answers)) return HttpResponse.json({ name: 'werkzeug.exceptions.NotFound', message: `no fixture for ${key}` }, { status: 404 });
      const answer = answers[key];
      const result = typeof answer === 'function' ? answer(body) : answer;
      return result instanceof Response ? result : HttpResponse.json(result, { headers });
    }),
  );
  return seen;
}

function odooError(status: number, name: string, message: string): Response {
  return HttpResponse.json({ name, message, arguments: [message], context: {}, debug: `Traceback...\n${name}: ${message}` }, { status });
}

function fieldsGet(types: Record<string, string>) {
  return Object.fromEntries(Object.entries({ id: 'integer', display_name: 'char', write_date: 'datetime', ...types }).map(([name, type]) => [name, { type }]));
}

const ORDER_TYPES = fieldsGet({
  name: 'char',
  partner_id: 'many2one',
  client_order_ref: 'char',
  commitment_date: 'datetime',
  date_order: 'datetime',
  state: 'selection',
  currency_id: 'many2one',
  amount_total: 'monetary',
  invoice_status: 'selection',
  delivery_status: 'selection',
  note: 'html',
  order_line: 'one2many',
  picking_ids: 'one2many',
  invoice_ids: 'many2many',
  mrp_production_count: 'integer',
});
const LINE_TYPES = fieldsGet({ order_id: 'many2one', product_id: 'many2one', name: 'text', product_uom_qty: 'float', price_unit: 'float', discount: 'float', sequence: 'integer', display_type: 'selection' });
const ORDER_FIELDS = ['id', 'write_date', 'name', 'partner_id', 'client_order_ref', 'commitment_date', 'date_order', 'state', 'currency_id', 'amount_total', 'invoice_status', 'delivery_status', 'note', 'picking_ids', 'invoice_ids'];
const LINE_FIELDS = ['id', 'write_date', 'order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit', 'discount', 'sequence', 'display_type'];

function connect(overrides: Partial<OdooConfig> = {}): Connector {
  return odoo.create(OdooConfig.parse({ url: URL, database: 'acme', apiKey: KEY, ...overrides }));
}

function orderRow(id: number, overrides: Record<string, unknown> = {}): OdooRow {
  return {
    id,
    write_date: '2026-03-01 09:00:00',
    name: `S000${id}`,
    partner_id: [7, 'Acme GmbH'],
    client_order_ref: false,
    commitment_date: false,
    date_order: '2026-02-27 08:00:00',
    state: 'sale',
    currency_id: [1, 'EUR'],
    amount_total: 600,
    invoice_status: 'to invoice',
    delivery_status: 'pending',
    note: false,
    picking_ids: [],
    invoice_ids: [],
    ...overrides,
  };
}

const orders = () => connect().entities.order;
const productions = () => connect().entities.production_order;
const sink = (c: Connector, entity: string) => c.entities[entity]?.sink as NonNullable<Connector['entities'][string]['sink']>;
const source = (c: Connector, entity: string) => c.entities[entity]?.source as NonNullable<Connector['entities'][string]['source']>;

describe('orderStatus: the canonical status of an Odoo order', () => {
  const none = { pickings: [], invoices: [], productions: [] };
  const picking = (state: string, code = 'outgoing') => ({ id: 1, state, picking_type_code: code });
  const invoice = (state: string, payment: string, type = 'out_invoice') => ({ id: 2, move_type: type, state, payment_state: payment });
  it.each([
    ['a quotation', { state: 'draft' }, none, 'draft'],
    ['a quotation sent', { state: 'sent' }, none, 'draft'],
    ['a cancelled order, whatever its documents', { state: 'cancel' }, { ...none, pickings: [picking('done')] }, 'cancelled'],
    ['a confirmed order', { state: 'sale' }, { ...none, pickings: [picking('assigned')] }, 'confirmed'],
    ['a locked order of Odoo 16 (done)', { state: 'done' }, none, 'confirmed'],
    ['while a manufacturing order for it runs', { state: 'sale' }, { ...none, productions: [{ id: 3, state: 'progress' }] }, 'in_production'],
    ['once its manufacturing orders are done or cancelled', { state: 'sale' }, { ...none, productions: [{ id: 3, state: 'done' }, { id: 4, state: 'cancel' }] }, 'confirmed'],
    ['when every outgoing delivery is done (cancelled ones aside)', { state: 'sale' }, { ...none, pickings: [picking('done'), picking('cancel')] }, 'shipped'],
    ['not while a backorder is open', { state: 'sale' }, { ...none, pickings: [picking('done'), picking('assigned')] }, 'confirmed'],
    ['a return (incoming) is not a delivery', { state: 'sale' }, { ...none, pickings: [picking('done', 'incoming')] }, 'confirmed'],
    ['with a posted invoice', { state: 'sale' }, { ...none, pickings: [picking('done')], invoices: [invoice('posted', 'not_paid')] }, 'invoiced'],
    ['a draft invoice is not an invoice yet', { state: 'sale' }, { ...none, invoices: [invoice('draft', 'not_paid')] }, 'confirmed'],
    ['paid when its invoice is paid', { state: 'sale' }, { ...none, invoices: [invoice('posted', 'paid')] }, 'paid'],
    ['paid when the payment is registered but not reconciled yet', { state: 'sale' }, { ...none, invoices: [invoice('posted', 'in_payment')] }, 'paid'],
    ['invoiced while one of its invoices is unpaid', { state: 'sale' }, { ...none, invoices: [invoice('posted', 'paid'), { ...invoice('posted', 'partial'), id: 5 }] }, 'invoiced'],
    ['an invoice reversed by a credit note no longer counts', { state: 'sale' }, { ...none, invoices: [invoice('posted', 'reversed'), invoice('posted', 'paid', 'out_refund')] }, 'confirmed'],
  ])('%s', (_name, order, documents, expected) => {
    expect(orderStatus(order, documents as never)).toBe(expected);
  });
});

describe('order source (msw)', () => {
  it('declares order and production_order, both ways, in batches of 20', () => {
    const connector = connect();
    expect(connector.entities.order?.source).toBeDefined();
    expect(connector.entities.order?.sink?.maxBatch).toBe(20);
    expect(connector.entities.production_order?.source).toBeDefined();
    expect(connector.entities.production_order?.sink?.maxBatch).toBe(20);
  });

  it('the first listing reads orders by (write_date, id) with their lines, SKUs, deliveries, invoices and manufacturing orders', async () => {
    const seen = json2({
      'sale.order/fields_get': ORDER_TYPES,
      'sale.order.line/fields_get': LINE_TYPES,
      'sale.order/search_read': (body: Record<string, unknown>) =>
        (body.fields as string[]).length === 2
          ? [{ id: 41, write_date: '2026-03-01 10:00:05' }]
          : [orderRow(41, { write_date: '2026-03-01 10:00:05', client_order_ref: 'PO-4711', commitment_date: '2026-03-10 12:00:00', note: '<p>Gate 2</p>', picking_ids: [501], invoice_ids: [900] })],
      'sale.order.line/search_read': [
        { id: 3, write_date: '2026-03-01 10:00:05', order_id: [41, 'S00041'], product_id: [12, '[GEAR-40] Gear'], name: 'Gear', product_uom_qty: 2, price_unit: 48.5, discount: 10, sequence: 20, display_type: false },
        { id: 1, write_date: '2026-03-01 10:00:05', order_id: [41, 'S00041'], product_id: false, name: 'Hardware', product_uom_qty: 0, price_unit: 0, discount: 0, sequence: 5, display_type: 'line_section' },
        { id: 2, write_date: '2026-03-01 10:00:05', order_id: [41, 'S00041'], product_id: [11, '[BOLT-M8] Bolt M8'], name: '[BOLT-M8] Bolt M8', product_uom_qty: 500, price_unit: 1.2, discount: 0, sequence: 10, display_type: false },
      ],
      'product.product/read': [
        { id: 12, default_code: 'GEAR-40' },
        { id: 11, default_code: 'BOLT-M8' },
      ],
      'stock.picking/search_read': [{ id: 501, sale_id: [41, 'S00041'], state: 'done', picking_type_code: 'outgoing', write_date: '2026-03-01 10:00:06' }],
      'account.move/search_read': [{ id: 900, move_type: 'out_invoice', state: 'draft', payment_state: 'not_paid', write_date: '2026-03-01 10:00:04' }],
      'mrp.production/search_read': [],
    });
    const page = await orders()?.source?.listChanged(null, 50);
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/json/2/sale.order/fields_get', { attributes: ['type'] }],
      ['/json/2/sale.order/search_read', { domain: [], fields: ['id', 'write_date'], order: 'write_date asc, id asc', limit: 51 }],
      ['/json/2/sale.order/search_read', { domain: [['id', 'in', [41]]], fields: ORDER_FIELDS, order: 'id asc' }],
      ['/json/2/sale.order.line/fields_get', { attributes: ['type'] }],
      ['/json/2/sale.order.line/search_read', { domain: [['order_id', 'in', [41]]], fields: LINE_FIELDS, order: 'id asc' }],
      ['/json/2/product.product/read', { ids: [12, 11], fields: ['default_code'] }],
      ['/json/2/stock.picking/search_read', { domain: [['sale_id', 'in', [41]]], fields: ['sale_id', 'state', 'picking_type_code', 'write_date'] }],
      ['/json/2/account.move/search_read', { domain: [['id', 'in', [900]]], fields: ['move_type', 'state', 'payment_state', 'write_date'] }],
      ['/json/2/mrp.production/search_read', { domain: [['origin', 'in', ['S00041']]], fields: ['origin', 'state', 'write_date'] }],
    ]);
    expect(page?.records).toEqual([
      {
        externalId: '41',
        // The delivery was validated after the order's last write: the order's change time is the delivery's.
        sourceTime: '2026-03-01T10:00:06Z',
        data: {
          id: 41,
          write_date: '2026-03-01T10:00:05Z',
          name: 'S00041',
          partner_id: [7, 'Acme GmbH'],
          client_order_ref: 'PO-4711',
          commitment_date: '2026-03-10T12:00:00Z',
          date_order: '2026-02-27T08:00:00Z',
          state: 'sale',
          currency_id: [1, 'EUR'],
          amount_total: 600,
          invoice_status: 'to invoice',
          delivery_status: 'pending',
          note: '<p>Gate 2</p>',
          picking_ids: [501],
          invoice_ids: [900],
          // In the order of the form (sequence), the section line left out.
          order_line: [
            { id: 2, default_code: 'BOLT-M8', name: '[BOLT-M8] Bolt M8', product_uom_qty: 500, price_unit: 1.2, discount: 0 },
            { id: 3, default_code: 'GEAR-40', name: 'Gear', product_uom_qty: 2, price_unit: 48.5, discount: 10 },
          ],
          qiao_status: 'shipped',
        },
      },
    ]);
    // Nothing was held back: every order up to this second is read.
    expect(page?.next).toEqual({ sourceTime: '2026-03-01T10:00:05Z', externalId: MAX_ID });
    expect(page?.more).toBe(false);
  });

  it('from a cursor, follows deliveries, invoices and manufacturing orders changed after its second to their orders', async () => {
    const order41 = orderRow(41, { write_date: '2026-03-01 10:00:05', picking_ids: [501] });
    const order38 = orderRow(38, { write_date: '2026-03-01 09:00:00', invoice_ids: [900], name: 'S00038' });
    const seen = json2({
      'sale.order/fields_get': ORDER_TYPES,
      'sale.order.line/fields_get': LINE_TYPES,
      'stock.picking/search_read': (body: Record<string, unknown>) =>
        body.limit
          ? [{ id: 501, sale_id: [41, 'S00041'], write_date: '2026-03-01 10:00:05' }]
          : [{ id: 501, sale_id: [41, 'S00041'], state: 'assigned', picking_type_code: 'outgoing', write_date: '2026-03-01 10:00:05' }],
      // Paid: Odoo stamps the invoice, never the order it comes from.
      'account.move/search_read': (body: Record<string, unknown>) =>
        body.limit ? [{ id: 900, write_date: '2026-03-01 10:00:06' }] : [{ id: 900, move_type: 'out_invoice', state: 'posted', payment_state: 'paid', write_date: '2026-03-01 10:00:06' }],
      'mrp.production/search_read': (body: Record<string, unknown>) =>
        body.limit ? [{ id: 700, origin: 'S00041', write_date: '2026-03-01 10:00:07' }] : [{ id: 700, origin: 'S00041', state: 'confirmed', write_date: '2026-03-01 10:00:07' }],
      'sale.order/search_read': (body: Record<string, unknown>) => ((body.fields as string[]).length === 2 ? [{ id: 41, write_date: '2026-03-01 10:00:05' }] : [order38, order41]),
      'sale.order/search': (body: Record<string, unknown>) => (JSON.stringify(body.domain).includes('invoice_ids') ? [38] : [41]),
      'sale.order.line/search_read': [],
    });
    const page = await orders()?.source?.listChanged({ sourceTime: '2026-03-01T10:00:00Z', externalId: '40' }, 100);
    const from = '2026-03-01 10:00:01';
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/json/2/sale.order/fields_get', { attributes: ['type'] }],
      ['/json/2/stock.picking/search_read', { domain: [['sale_id', '!=', false], ['write_date', '>=', from]], fields: ['sale_id', 'write_date'], order: 'write_date asc, id asc', limit: 101 }],
      [
        '/json/2/account.move/search_read',
        { domain: [['move_type', 'in', ['out_invoice', 'out_refund']], ['write_date', '>=', from]], fields: ['write_date'], order: 'write_date asc, id asc', limit: 101 },
      ],
      ['/json/2/mrp.production/search_read', { domain: [['origin', '!=', false], ['write_date', '>=', from]], fields: ['origin', 'write_date'], order: 'write_date asc, id asc', limit: 101 }],
      [
        '/json/2/sale.order/search_read',
        {
          domain: ['|', ['write_date', '>=', from], '&', '&', ['write_date', '>=', '2026-03-01 10:00:00'], ['write_date', '<', from], ['id', '>', 40]],
          fields: ['id', 'write_date'],
          order: 'write_date asc, id asc',
          limit: 101,
        },
      ],
      ['/json/2/sale.order/search', { domain: [['invoice_ids', 'in', [900]]] }],
      ['/json/2/sale.order/search', { domain: [['name', 'in', ['S00041']]] }],
      ['/json/2/sale.order/search_read', { domain: [['id', 'in', [41, 38]]], fields: ORDER_FIELDS, order: 'id asc' }],
      ['/json/2/sale.order.line/fields_get', { attributes: ['type'] }],
      ['/json/2/sale.order.line/search_read', { domain: [['order_id', 'in', [38, 41]]], fields: LINE_FIELDS, order: 'id asc' }],
      ['/json/2/stock.picking/search_read', { domain: [['sale_id', 'in', [38, 41]]], fields: ['sale_id', 'state', 'picking_type_code', 'write_date'] }],
      ['/json/2/account.move/search_read', { domain: [['id', 'in', [900]]], fields: ['move_type', 'state', 'payment_state', 'write_date'] }],
      ['/json/2/mrp.production/search_read', { domain: [['origin', 'in', ['S00038', 'S00041']]], fields: ['origin', 'state', 'write_date'] }],
    ]);
    expect(page?.records.map((r) => [r.externalId, r.sourceTime, r.data.qiao_status])).toEqual([
      ['38', '2026-03-01T10:00:06Z', 'paid'],
      ['41', '2026-03-01T10:00:07Z', 'in_production'],
    ]);
    expect(page?.next).toEqual({ sourceTime: '2026-03-01T10:00:07Z', externalId: MAX_ID });
    expect(page?.more).toBe(false);
  });

  it("holds back what changed less than settleSeconds before Odoo's clock, documents included", async () => {
    json2(
      {
        'sale.order/fields_get': ORDER_TYPES,
        'sale.order.line/fields_get': LINE_TYPES,
        'stock.picking/search_read': [],
        'account.move/search_read': (body: Record<string, unknown>) => (body.limit ? [{ id: 900, write_date: '2026-03-01 10:00:06' }] : []),
        'mrp.production/search_read': (body: Record<string, unknown>) =>
          body.limit ? [{ id: 700, origin: 'S00041', write_date: '2026-03-01 10:00:09' }] : [{ id: 700, origin: 'S00041', state: 'confirmed', write_date: '2026-03-01 10:00:09' }],
        'sale.order/search_read': (body: Record<string, unknown>) =>
          (body.fields as string[]).length === 2 ? [{ id: 41, write_date: '2026-03-01 10:00:05' }] : [orderRow(38, { invoice_ids: [900] }), orderRow(41, { write_date: '2026-03-01 10:00:05' })],
        'sale.order/search': [38],
        'sale.order.line/search_read': [],
      },
      { date: '2026-03-01T10:00:09Z' },
    );
    const page = await orders()?.source?.listChanged({ sourceTime: '2026-03-01T10:00:00Z', externalId: '40' }, 100);
    // Order 41's manufacturing order changed at 10:00:09, Odoo's "now": 41 waits; the invoice's order comes.
    expect(page?.records.map((r) => r.externalId)).toEqual(['38']);
    expect(page?.next).toEqual({ sourceTime: '2026-03-01T10:00:06Z', externalId: MAX_ID });
  });

  it('a document feed with more changes than the page ends the page at its last complete second', async () => {
    const seen = json2({
      'sale.order/fields_get': ORDER_TYPES,
      'sale.order.line/fields_get': LINE_TYPES,
      'stock.picking/search_read': (body: Record<string, unknown>) =>
        body.limit
          ? [
              { id: 1, sale_id: [42, 'S00042'], write_date: '2026-03-01 10:00:02' },
              { id: 2, sale_id: [43, 'S00043'], write_date: '2026-03-01 10:00:03' },
              { id: 3, sale_id: [49, 'S00049'], write_date: '2026-03-01 10:00:09' },
            ]
          : [
              { id: 1, sale_id: [42, 'S00042'], state: 'assigned', picking_type_code: 'outgoing', write_date: '2026-03-01 10:00:02' },
              { id: 2, sale_id: [43, 'S00043'], state: 'assigned', picking_type_code: 'outgoing', write_date: '2026-03-01 10:00:03' },
            ],
      'account.move/search_read': [],
      'mrp.production/search_read': [],
      'sale.order/search_read': (body: Record<string, unknown>) =>
        (body.fields as string[]).length === 2
          ? [
              { id: 44, write_date: '2026-03-01 10:00:01' },
              { id: 45, write_date: '2026-03-01 10:00:05' },
            ]
          : (((body.domain as unknown[][])[0]?.[2] as number[]) ?? []).map((id) => orderRow(id, { write_date: id === 44 ? '2026-03-01 10:00:01' : '2026-03-01 08:00:00', state: 'draft' })),
      'sale.order.line/search_read': [],
    });
    const page = await orders()?.source?.listChanged({ sourceTime: '2026-03-01T10:00:00Z', externalId: '40' }, 2);
    // Deliveries are complete through 10:00:03 only: order 45 (10:00:05) and 49 wait for the next page.
    expect(seen.find((s) => s.path === '/json/2/sale.order/search_read' && (s.body.fields as string[]).length > 2)?.body.domain).toEqual([['id', 'in', [44, 42, 43]]]);
    expect(page?.records.map((r) => [r.externalId, r.sourceTime])).toEqual([
      ['44', '2026-03-01T10:00:01Z'],
      ['42', '2026-03-01T10:00:02Z'],
      ['43', '2026-03-01T10:00:03Z'],
    ]);
    expect(page?.next).toEqual({ sourceTime: '2026-03-01T10:00:03Z', externalId: MAX_ID });
    expect(page?.more).toBe(true);
  });

  it('get reads one order with its documents; an id that is not an Odoo id is no order', async () => {
    json2({
      'sale.order/fields_get': ORDER_TYPES,
      'sale.order.line/fields_get': LINE_TYPES,
      'sale.order/search_read': [orderRow(41, { state: 'cancel' })],
      'sale.order.line/search_read': [],
      'stock.picking/search_read': [],
      'mrp.production/search_read': [],
    });
    expect(await orders()?.source?.get('41')).toMatchObject({ externalId: '41', sourceTime: '2026-03-01T09:00:00Z', data: { qiao_status: 'cancelled', order_line: [] } });
    expect(await orders()?.source?.get('S00041')).toBeUndefined();
  });
});

/** A create of a confirmed order for customer 7, as the order mapping writes it. */
function confirmedOrder(number: string, lines: unknown[], extra: Record<string, unknown> = {}): SinkWrite {
  return {
    idempotencyKey: `key-${number}`,
    canonicalId: `ord_${number}`,
    data: { partner_id: 7, name: number, client_order_ref: number, qiao_status: 'confirmed', currency: 'EUR', commitment_date: '2026-12-01 12:00:00', note: '<p>Gate 2</p>', order_line: lines, ...extra },
    identity: { field: 'client_order_ref', value: number },
  };
}

const BOLTS = { default_code: 'BOLT-M8', product_uom_qty: 500, price_unit: 1.2, discount: 0 };
const GEARS = { default_code: 'GEAR-40', product_uom_qty: 2, price_unit: 48.5, discount: 10, name: 'Gear, hardened' };
const PRODUCTS = [
  { id: 11, default_code: 'BOLT-M8' },
  { id: 12, default_code: 'GEAR-40' },
];

describe('order sink (msw)', () => {
  it('creates orders with their lines in one call, products found by SKU in one search, and confirms the confirmed ones', async () => {
    const seen = json2({
      'sale.order/search_read': [],
      'product.product/search_read': PRODUCTS,
      'sale.order/create': [101, 102],
      'sale.order/action_confirm': true,
    });
    const draft = confirmedOrder('SO-2', [BOLTS], { qiao_status: 'draft', partner_id: 8, commitment_date: false, note: false });
    const results = await orders()?.sink?.upsert([confirmedOrder('SO-1', [BOLTS, GEARS]), draft]);
    expect(results).toEqual([
      { ok: true, externalId: '101' },
      { ok: true, externalId: '102' },
    ]);
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      // Orders that already carry the identity: none, so both are created.
      ['/json/2/sale.order/search_read', { domain: [['client_order_ref', 'in', ['SO-1', 'SO-2']]], fields: ['client_order_ref'], order: 'id asc' }],
      ['/json/2/product.product/search_read', { domain: [['default_code', 'in', ['BOLT-M8', 'GEAR-40']]], fields: ['default_code'], order: 'id asc' }],
      [
        '/json/2/sale.order/create',
        {
          vals_list: [
            {
              partner_id: 7,
              name: 'SO-1',
              client_order_ref: 'SO-1',
              commitment_date: '2026-12-01 12:00:00',
              note: '<p>Gate 2</p>',
              order_line: [
                [0, 0, { product_id: 11, product_uom_qty: 500, price_unit: 1.2, discount: 0 }],
                [0, 0, { product_id: 12, product_uom_qty: 2, price_unit: 48.5, discount: 10, name: 'Gear, hardened' }],
              ],
            },
            { partner_id: 8, name: 'SO-2', client_order_ref: 'SO-2', commitment_date: false, note: false, order_line: [[0, 0, { product_id: 11, product_uom_qty: 500, price_unit: 1.2, discount: 0 }]] },
          ],
        },
      ],
      ['/json/2/sale.order/action_confirm', { ids: [101] }],
    ]);
    expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('an unknown SKU is invalid for that order only, naming the SKU; the others are created', async () => {
    const seen = json2({ 'sale.order/search_read': [], 'product.product/search_read': [PRODUCTS[0]], 'sale.order/create': [101], 'sale.order/action_confirm': true });
    const results = await orders()?.sink?.upsert([confirmedOrder('SO-1', [BOLTS]), confirmedOrder('SO-2', [BOLTS, { ...BOLTS, default_code: 'NOPE-1' }])]);
    expect(results?.[0]).toEqual({ ok: true, externalId: '101' });
    expect(results?.[1]).toMatchObject({ ok: false, error: { kind: 'invalid', field: 'order_line[1].default_code', message: expect.stringContaining('"NOPE-1"') } });
    const create = seen.find((s) => s.path === '/json/2/sale.order/create');
    expect(((create?.body.vals_list ?? []) as { name: string }[]).map((v) => v.name)).toEqual(['SO-1']);
    expect(seen.filter((s) => s.path === '/json/2/sale.order/action_confirm').map((s) => s.body)).toEqual([{ ids: [101] }]);
  });

  it('an order whose create answer was lost is found by its identity and never created twice', async () => {
    let created = false;
    const seen = json2({
      'sale.order/search_read': (body: Record<string, unknown>) => {
        const domain = JSON.stringify(body.domain);
        if (domain.includes('client_order_ref')) return created ? [{ id: 101, client_order_ref: 'SO-1' }] : [];
        return [{ id: 101, state: 'draft', order_line: [201] }];
      },
      'product.product/search_read': PRODUCTS,
      'sale.order/create': () => {
        // Odoo made the order; the answer never reached the connector.
        created = true;
        return HttpResponse.error();
      },
      'sale.order/search': [101],
      'sale.order.line/search_read': [{ id: 201, order_id: [101, 'SO-1'], product_id: [11, '[BOLT-M8] Bolt M8'], name: '[BOLT-M8] Bolt M8', product_uom_qty: 500, price_unit: 1.2, discount: 0 }],
      'sale.order/write': true,
      'sale.order/action_confirm': true,
    });
    const write = confirmedOrder('SO-1', [BOLTS]);
    const lost = await failure(orders()?.sink?.upsert([write]) as Promise<unknown>);
    expect(lost.kind).toBe('retryable');
    // What the delivery does with a claimed, unconfirmed write: read back by identity.
    expect(await orders()?.sink?.findByIdentity('client_order_ref', 'SO-1')).toBe('101');
    // And when it writes again anyway, the sink finds the order first: an update, then the confirmation.
    seen.length = 0;
    expect(await orders()?.sink?.upsert([write])).toEqual([{ ok: true, externalId: '101' }]);
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/json/2/sale.order/search_read', { domain: [['client_order_ref', 'in', ['SO-1']]], fields: ['client_order_ref'], order: 'id asc' }],
      ['/json/2/product.product/search_read', { domain: [['default_code', 'in', ['BOLT-M8']]], fields: ['default_code'], order: 'id asc' }],
      ['/json/2/sale.order/search_read', { domain: [['id', 'in', [101]]], fields: ['state', 'order_line'] }],
      [
        '/json/2/sale.order.line/search_read',
        { domain: [['order_id', 'in', [101]]], fields: ['order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit', 'discount'], order: 'id asc' },
      ],
      // The lines are already there: they are left alone.
      ['/json/2/sale.order/write', { ids: [101], vals: { partner_id: 7, name: 'SO-1', client_order_ref: 'SO-1', commitment_date: '2026-12-01 12:00:00', note: '<p>Gate 2</p>' } }],
      ['/json/2/sale.order/action_confirm', { ids: [101] }],
    ]);
  });

  it('the same order queued twice in one batch is created once; both writes get its id', async () => {
    const seen = json2({ 'sale.order/search_read': [], 'product.product/search_read': PRODUCTS, 'sale.order/create': [101], 'sale.order/action_confirm': true });
    const write = confirmedOrder('SO-1', [BOLTS]);
    expect(await orders()?.sink?.upsert([write, { ...write }])).toEqual([
      { ok: true, externalId: '101' },
      { ok: true, externalId: '101' },
    ]);
    expect(seen.map((s) => s.path)).toEqual(['/json/2/sale.order/search_read', '/json/2/product.product/search_read', '/json/2/sale.order/create', '/json/2/sale.order/action_confirm']);
    expect(seen[2]?.body.vals_list).toHaveLength(1);
  });

  it('findByIdentity searches client_order_ref; two orders with one identity are a conflict', async () => {
    const seen = json2({ 'sale.order/search': (body: Record<string, unknown>) => (JSON.stringify(body.domain).includes('SO-9') ? [5, 6] : []) });
    expect(await orders()?.sink?.findByIdentity('client_order_ref', 'SO-1')).toBeUndefined();
    expect(seen[0]?.body).toEqual({ domain: [['client_order_ref', '=', 'SO-1']], order: 'id asc', limit: 2 });
    expect(await failure(orders()?.sink?.findByIdentity('client_order_ref', 'SO-9') as Promise<unknown>)).toMatchObject({ kind: 'conflict', field: 'client_order_ref' });
  });

  it('updates: a confirmed order takes its delivery date and note, never its customer or lines; a quotation gets its lines changed in place', async () => {
    const seen = json2({
      'product.product/search_read': PRODUCTS,
      'sale.order/search_read': [
        { id: 101, state: 'sale', order_line: [201] },
        { id: 102, state: 'draft', order_line: [301, 302] },
      ],
      'sale.order.line/search_read': [
        { id: 301, order_id: [102, 'SO-2'], product_id: [11, '[BOLT-M8] Bolt M8'], name: '[BOLT-M8] Bolt M8', product_uom_qty: 1, price_unit: 1.2, discount: 0 },
        { id: 302, order_id: [102, 'SO-2'], product_id: [12, '[GEAR-40] Gear'], name: '[GEAR-40] Gear', product_uom_qty: 1, price_unit: 48.5, discount: 0 },
      ],
      'sale.order/write': true,
    });
    const results = await orders()?.sink?.upsert([
      { idempotencyKey: 'u1', canonicalId: 'ord_1', externalId: '101', data: { partner_id: 9, qiao_status: 'confirmed', commitment_date: '2026-12-24 12:00:00', note: false, order_line: [GEARS] } },
      { idempotencyKey: 'u2', canonicalId: 'ord_2', externalId: '102', data: { partner_id: 9, qiao_status: 'draft', order_line: [{ ...BOLTS, product_uom_qty: 3 }] } },
    ]);
    expect(results).toEqual([
      { ok: true, externalId: '101' },
      { ok: true, externalId: '102' },
    ]);
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/json/2/product.product/search_read', { domain: [['default_code', 'in', ['GEAR-40', 'BOLT-M8']]], fields: ['default_code'], order: 'id asc' }],
      ['/json/2/sale.order/search_read', { domain: [['id', 'in', [101, 102]]], fields: ['state', 'order_line'] }],
      [
        '/json/2/sale.order.line/search_read',
        { domain: [['order_id', 'in', [102]]], fields: ['order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit', 'discount'], order: 'id asc' },
      ],
      ['/json/2/sale.order/write', { ids: [101], vals: { commitment_date: '2026-12-24 12:00:00', note: false } }],
      ['/json/2/sale.order/write', { ids: [102], vals: { partner_id: 9, order_line: [[1, 301, { product_id: 11, product_uom_qty: 3, price_unit: 1.2, discount: 0 }], [2, 302]] } }],
    ]);
  });

  it('a cancelled status cancels the order with disable_cancel_warning (else Odoo answers a wizard); delete cancels too', async () => {
    const seen = json2({ 'sale.order/search_read': [{ id: 101, state: 'sale', order_line: [] }], 'sale.order/action_cancel': true });
    expect(await orders()?.sink?.upsert([{ idempotencyKey: 'c1', canonicalId: 'ord_1', externalId: '101', data: { qiao_status: 'cancelled' } }])).toEqual([{ ok: true, externalId: '101' }]);
    await orders()?.sink?.delete?.('101');
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/json/2/sale.order/search_read', { domain: [['id', 'in', [101]]], fields: ['state', 'order_line'] }],
      ['/json/2/sale.order/action_cancel', { ids: [101], context: { disable_cancel_warning: true } }],
      ['/json/2/sale.order/action_cancel', { ids: [101], context: { disable_cancel_warning: true } }],
    ]);
  });

  it('a confirmation Odoo refuses for one order is that order’s invalid result; the others are confirmed one by one', async () => {
    const seen = json2({
      'sale.order/search_read': [],
      'product.product/search_read': PRODUCTS,
      'sale.order/create': [101, 102],
      'sale.order/action_confirm': (body: Record<string, unknown>) =>
        (body.ids as number[]).includes(102) ? odooError(422, 'odoo.exceptions.UserError', 'A line on these orders missing a product, you cannot confirm it.') : true,
    });
    const results = await orders()?.sink?.upsert([confirmedOrder('SO-1', [BOLTS]), confirmedOrder('SO-2', [GEARS])]);
    expect(results?.[0]).toEqual({ ok: true, externalId: '101' });
    expect(results?.[1]).toMatchObject({ ok: false, error: { kind: 'invalid', message: expect.stringContaining('missing a product') } });
    expect(seen.filter((s) => s.path.endsWith('/action_confirm')).map((s) => s.body)).toEqual([{ ids: [101, 102] }, { ids: [101] }, { ids: [102] }]);
  });

  it('refuses, per order, another currency than the company one, a missing customer and a bad status; too big a batch throws', async () => {
    const seen = json2({ 'sale.order/search_read': [], 'product.product/search_read': PRODUCTS });
    const results = await orders()?.sink?.upsert([
      confirmedOrder('SO-1', [BOLTS], { currency: 'USD' }),
      confirmedOrder('SO-2', [BOLTS], { partner_id: false }),
      confirmedOrder('SO-3', [BOLTS], { qiao_status: 'won' }),
      confirmedOrder('SO-4', 'two bolts' as never),
    ]);
    expect(results?.map((r) => (r.ok ? 'ok' : `${r.error.kind}:${r.error.field}`))).toEqual(['invalid:currency', 'invalid:partner_id', 'invalid:qiao_status', 'invalid:order_line']);
    expect(seen.some((s) => s.path === '/json/2/sale.order/create')).toBe(false);
    const many = Array.from({ length: 21 }, (_, i) => confirmedOrder(`SO-${i}`, [BOLTS]));
    expect(await failure(orders()?.sink?.upsert(many) as Promise<unknown>)).toMatchObject({ kind: 'invalid' });
  });

  it('a failure before anything is written throws, so the batch is retried whole', async () => {
    json2({ 'sale.order/search_read': () => odooError(503, 'werkzeug.exceptions.ServiceUnavailable', 'Service Unavailable') });
    expect(await failure(orders()?.sink?.upsert([confirmedOrder('SO-1', [BOLTS])]) as Promise<unknown>)).toMatchObject({ kind: 'retryable', status: 503 });
  });
});

describe('order sink over JSON-RPC (msw)', () => {
  it('creates with vals_list positionally and confirms with the ids positionally, through execute_kw', async () => {
    const calls: unknown[][] = [];
    server.use(
      http.post(`${URL}/jsonrpc`, async ({ request }) => {
        const body = (await request.json()) as { id: number; params: { service: string; method: string; args: unknown[] } };
        const { service, args } = body.params;
        if (service === 'common') return HttpResponse.json({ jsonrpc: '2.0', id: body.id, result: 2 });
        calls.push(args.slice(3));
        const [model, method] = args.slice(3, 5) as [string, string];
        const result = method === 'create' ? [101] : method === 'search_read' && model === 'product.product' ? [PRODUCTS[0]] : method === 'search_read' ? [] : true;
        return HttpResponse.json({ jsonrpc: '2.0', id: body.id, result });
      }),
    );
    const connector = connect({ protocol: 'jsonrpc', login: 'api@acme.example' });
    expect(await sink(connector, 'order').upsert([confirmedOrder('SO-1', [BOLTS])])).toEqual([{ ok: true, externalId: '101' }]);
    expect(calls).toEqual([
      ['sale.order', 'search_read', [], { domain: [['client_order_ref', 'in', ['SO-1']]], fields: ['client_order_ref'], order: 'id asc' }],
      ['product.product', 'search_read', [], { domain: [['default_code', 'in', ['BOLT-M8']]], fields: ['default_code'], order: 'id asc' }],
      [
        'sale.order',
        'create',
        [
          [
            {
              partner_id: 7,
              name: 'SO-1',
              client_order_ref: 'SO-1',
              commitment_date: '2026-12-01 12:00:00',
              note: '<p>Gate 2</p>',
              order_line: [[0, 0, { product_id: 11, product_uom_qty: 500, price_unit: 1.2, discount: 0 }]],
            },
          ],
        ],
        {},
      ],
      ['sale.order', 'action_confirm', [[101]], {}],
    ]);
  });
});

describe('production_order (msw)', () => {
  const PRODUCTION_TYPES = fieldsGet({ name: 'char', product_id: 'many2one', product_qty: 'float', qty_producing: 'float', state: 'selection', origin: 'char', date_start: 'datetime', date_finished: 'datetime' });

  it('creates a manufacturing order named after Qiao’s id, for the product of a SKU, and confirms it', async () => {
    const seen = json2({ 'mrp.production/search_read': [], 'product.product/search_read': [PRODUCTS[1]], 'mrp.production/create': [5], 'mrp.production/action_confirm': true });
    const write: SinkWrite = {
      idempotencyKey: 'p1',
      canonicalId: 'pro_01j9z3k4m5n6p7q8r9s0t1v2w3',
      data: { default_code: 'GEAR-40', product_qty: 30, state: 'confirmed', origin: 'S00041', date_start: '2026-11-28 12:00:00', date_finished: '2026-11-29 12:00:00' },
    };
    expect(await productions()?.sink?.upsert([write])).toEqual([{ ok: true, externalId: '5' }]);
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/json/2/mrp.production/search_read', { domain: [['name', 'in', ['pro_01j9z3k4m5n6p7q8r9s0t1v2w3']]], fields: ['name'], order: 'id asc' }],
      ['/json/2/product.product/search_read', { domain: [['default_code', 'in', ['GEAR-40']]], fields: ['default_code'], order: 'id asc' }],
      [
        '/json/2/mrp.production/create',
        { vals_list: [{ product_qty: 30, origin: 'S00041', date_start: '2026-11-28 12:00:00', date_finished: '2026-11-29 12:00:00', product_id: 12, name: 'pro_01j9z3k4m5n6p7q8r9s0t1v2w3' }] },
      ],
      ['/json/2/mrp.production/action_confirm', { ids: [5] }],
    ]);
  });

  it('an existing order (found by name) or a linked one is updated: product and quantity only while a draft; cancel cancels', async () => {
    const seen = json2({
      'mrp.production/search_read': (body: Record<string, unknown>) =>
        JSON.stringify(body.domain).includes('"name"') ? [{ id: 5, name: 'pro_1' }] : [{ id: 5, state: 'confirmed' }, { id: 6, state: 'draft' }],
      'product.product/search_read': PRODUCTS,
      'mrp.production/write': true,
      'mrp.production/action_cancel': true,
      'mrp.production/action_confirm': true,
    });
    const results = await productions()?.sink?.upsert([
      { idempotencyKey: 'p1', canonicalId: 'pro_1', data: { default_code: 'GEAR-40', product_qty: 40, state: 'cancel', date_start: '2026-11-30 12:00:00' } },
      { idempotencyKey: 'p2', canonicalId: 'pro_2', externalId: '6', data: { default_code: 'BOLT-M8', product_qty: 7, state: 'confirmed' } },
    ]);
    expect(results).toEqual([
      { ok: true, externalId: '5' },
      { ok: true, externalId: '6' },
    ]);
    expect(seen.slice(2).map((s) => [s.path, s.body])).toEqual([
      ['/json/2/mrp.production/search_read', { domain: [['id', 'in', [5, 6]]], fields: ['state'] }],
      ['/json/2/mrp.production/write', { ids: [5], vals: { date_start: '2026-11-30 12:00:00' } }],
      ['/json/2/mrp.production/write', { ids: [6], vals: { product_qty: 7, product_id: 11 } }],
      ['/json/2/mrp.production/action_confirm', { ids: [6] }],
      ['/json/2/mrp.production/action_cancel', { ids: [5] }],
    ]);
  });

  it('an unknown SKU is invalid for that order only', async () => {
    json2({ 'mrp.production/search_read': [], 'product.product/search_read': [], 'mrp.production/create': [5] });
    const [result] = (await productions()?.sink?.upsert([{ idempotencyKey: 'p', canonicalId: 'pro_x', data: { default_code: 'NOPE', product_qty: 1, state: 'draft' } }])) ?? [];
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid', field: 'default_code', message: expect.stringContaining('"NOPE"') } });
  });

  it('lists changed manufacturing orders by (write_date, id) with the SKU of their product', async () => {
    const seen = json2({
      'mrp.production/fields_get': PRODUCTION_TYPES,
      'mrp.production/search_read': [
        { id: 5, write_date: '2026-03-01 10:00:00', name: 'WH/MO/00005', product_id: [12, '[GEAR-40] Gear'], product_qty: 30, qty_producing: 0, state: 'confirmed', origin: 'S00041', date_start: '2026-03-02 06:00:00', date_finished: false },
      ],
      'product.product/read': [{ id: 12, default_code: 'GEAR-40' }],
    });
    const page = await source(connect(), 'production_order').listChanged(null, 10);
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/json/2/mrp.production/fields_get', { attributes: ['type'] }],
      [
        '/json/2/mrp.production/search_read',
        { domain: [], fields: ['id', 'write_date', 'name', 'product_id', 'product_qty', 'qty_producing', 'state', 'origin', 'date_start', 'date_finished'], order: 'write_date asc, id asc', limit: 11 },
      ],
      ['/json/2/product.product/read', { ids: [12], fields: ['default_code'] }],
    ]);
    expect(page.records).toEqual([
      {
        externalId: '5',
        sourceTime: '2026-03-01T10:00:00Z',
        data: {
          id: 5,
          write_date: '2026-03-01T10:00:00Z',
          name: 'WH/MO/00005',
          product_id: [12, '[GEAR-40] Gear'],
          product_qty: 30,
          qty_producing: 0,
          state: 'confirmed',
          origin: 'S00041',
          date_start: '2026-03-02T06:00:00Z',
          date_finished: null,
          default_code: 'GEAR-40',
        },
      },
    ]);
    expect(page.next).toEqual({ sourceTime: '2026-03-01T10:00:00Z', externalId: '5' });
  });
});
