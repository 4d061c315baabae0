// Orders and manufacturing orders end to end against the Odoo sandbox, over JSON-2 (Odoo 19) and
// JSON-RPC (Odoo 17): creates confirmed once, SKUs refused per order, the status following deliveries,
// invoices and payments, production raising stock; and the sandbox's sales models themselves.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeCursor, Connector, EntitySink, EntitySource, SinkWrite, SourceRecord } from '../../connectors/contract';
import { OdooConfig, odoo } from '../../connectors/odoo/index';
import { type OdooSandbox, type SeededIds, startOdooSandbox } from '../../ops/sandboxes/odoo/index';
import { failure } from '../support/connector-errors';

const API_KEY = 'sandbox-key-7a1d3c9e5b2f4860';

/** Every record after `cursor`, page by page. */
async function drain(source: EntitySource, cursor: ChangeCursor | null, limit = 50): Promise<{ records: SourceRecord[]; cursor: ChangeCursor | null }> {
  const records: SourceRecord[] = [];
  for (let pages = 0; ; pages++) {
    if (pages > 100) throw new Error('listChanged never ends');
    const page = await source.listChanged(cursor, limit);
    records.push(...page.records);
    cursor = page.next ?? cursor;
    if (!page.more) return { records, cursor };
  }
}

describe.each([
  { protocol: 'json2' as const, version: 19 as const },
  { protocol: 'jsonrpc' as const, version: 17 as const },
])('orders against the Odoo sandbox ($protocol, Odoo $version)', ({ protocol, version }) => {
  let sandbox: OdooSandbox;
  let connector: Connector;
  let ids: SeededIds;
  let acme: number;
  const storable = version === 17 ? { type: 'product' } : { type: 'consu', is_storable: true };

  beforeAll(async () => {
    sandbox = await startOdooSandbox({ apiKey: API_KEY, database: 'qiao_test', login: 'api@qiao.example', version });
    sandbox.setClock('2030-03-01T08:00:00Z');
    ids = sandbox.seed({
      customers: [{ name: 'Acme GmbH', is_company: true, ref: 'C-1' }],
      products: [
        { default_code: 'BOLT-M8', name: 'Bolt M8', list_price: 1.2, ...storable },
        { default_code: 'GEAR-40', name: 'Gear 40 teeth', list_price: 48.5, ...storable },
        { default_code: 'SVC-INSTALL', name: 'Installation (hour)', list_price: 95, type: 'service' },
      ],
      stock: [
        { sku: 'BOLT-M8', warehouse: 'WH', quantity: 1000 },
        { sku: 'GEAR-40', warehouse: 'WH', quantity: 5 },
      ],
    });
    acme = ids.partners['Acme GmbH'] as number;
    connector = odoo.create(OdooConfig.parse({ url: sandbox.url, database: 'qiao_test', protocol, login: 'api@qiao.example', apiKey: API_KEY, allowPrivateNetwork: true }));
    // JSON-RPC authenticates once; a lost answer below must hit the call under test, not the login.
    await connector.check();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(() => {
    // Time passes between polls, past the settle window of what the previous test wrote.
    sandbox.tick(5);
    sandbox.clearRequests();
  });

  const orders = () => connector.entities.order as { source: EntitySource; sink: EntitySink };
  const productions = () => connector.entities.production_order as { source: EntitySource; sink: EntitySink };

  function orderWrite(number: string, lines: Record<string, unknown>[], extra: Record<string, unknown> = {}): SinkWrite {
    return {
      idempotencyKey: `k-${number}`,
      canonicalId: `ord_${number}`,
      data: { partner_id: acme, name: number, client_order_ref: number, qiao_status: 'confirmed', currency: 'EUR', commitment_date: '2030-03-20 12:00:00', note: '<p>Gate 2</p>', order_line: lines, ...extra },
      identity: { field: 'client_order_ref', value: number },
    };
  }
  const bolts = (qty: number) => ({ default_code: 'BOLT-M8', product_uom_qty: qty, price_unit: 1.2, discount: 0 });

  async function created(write: SinkWrite): Promise<number> {
    const [result] = await orders().sink.upsert([write]);
    if (!result?.ok) throw new Error(`order not created: ${JSON.stringify(result)}`);
    return Number(result.externalId);
  }

  it('creates an order with its lines, confirms it, and Odoo creates its delivery', async () => {
    const number = `SO-${protocol}-1`;
    const id = await created(orderWrite(number, [bolts(10), { default_code: 'SVC-INSTALL', product_uom_qty: 2, price_unit: 95, discount: 10, name: 'Installation' }]));
    const [order] = sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['name', 'client_order_ref', 'state', 'commitment_date', 'amount_total', 'picking_ids'] });
    expect(order).toMatchObject({ name: number, client_order_ref: number, state: 'sale', commitment_date: '2030-03-20 12:00:00', amount_total: 183 });
    const lines = sandbox.records('sale.order.line', { domain: [['order_id', '=', id]], fields: ['product_id', 'name', 'product_uom_qty', 'price_unit', 'discount'] });
    expect(lines.map((l) => [l.name, l.product_uom_qty, l.price_unit, l.discount])).toEqual([
      ['[BOLT-M8] Bolt M8', 10, 1.2, 0],
      ['Installation', 2, 95, 10],
    ]);
    // Goods are delivered, services are not.
    const pickings = sandbox.records('stock.picking', { domain: [['sale_id', '=', id]], fields: ['name', 'origin', 'state', 'picking_type_code', 'move_ids'] });
    expect(pickings).toEqual([{ id: expect.any(Number), name: expect.stringMatching(/^WH\/OUT\/\d{5}$/), origin: number, state: 'assigned', picking_type_code: 'outgoing', move_ids: [expect.any(Number)] }]);
    expect(sandbox.requests.filter((r) => r.service === 'object').map((r) => `${r.model}.${r.method}`)).toEqual([
      'sale.order.search_read',
      'product.product.search_read',
      'sale.order.create',
      'sale.order.action_confirm',
    ]);
  });

  it('an order whose create answer was lost is created once: found again by client_order_ref', async () => {
    const number = `SO-${protocol}-lost`;
    const write = orderWrite(number, [bolts(3)]);
    sandbox.loseNextAnswers(1, { model: 'sale.order', method: 'create' });
    // The create went through, but its answer never came: the whole batch fails as retryable.
    const lost = await failure(orders().sink.upsert([write]));
    expect(lost.kind).toBe('retryable');
    expect(sandbox.records('sale.order', { domain: [['client_order_ref', '=', number]], fields: ['state'] })).toEqual([{ id: expect.any(Number), state: 'draft' }]);
    const found = await orders().sink.findByIdentity('client_order_ref', number);
    expect(found).toEqual(expect.stringMatching(/^\d+$/));
    // Written again (a retried activity): the sink finds it and confirms it, never creating a second one.
    expect(await orders().sink.upsert([write])).toEqual([{ ok: true, externalId: found }]);
    const stored = sandbox.records('sale.order', { domain: [['client_order_ref', '=', number]], fields: ['state', 'order_line'] });
    expect(stored).toEqual([{ id: Number(found), state: 'sale', order_line: [expect.any(Number)] }]);
    expect(sandbox.requests.filter((r) => r.method === 'create' && r.model === 'sale.order')).toHaveLength(1);
  });

  it('an unknown SKU is rejected for that order only, naming the SKU', async () => {
    const results = await orders().sink.upsert([orderWrite(`SO-${protocol}-ok`, [bolts(1)]), orderWrite(`SO-${protocol}-bad`, [bolts(1), { ...bolts(1), default_code: 'NOT-A-SKU' }])]);
    expect(results[0]).toMatchObject({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, error: { kind: 'invalid', message: expect.stringContaining('NOT-A-SKU') } });
    expect(sandbox.records('sale.order', { domain: [['client_order_ref', 'in', [`SO-${protocol}-ok`, `SO-${protocol}-bad`]]], fields: ['client_order_ref'] }).map((r) => r.client_order_ref)).toEqual([
      `SO-${protocol}-ok`,
    ]);
  });

  it('the status moves confirmed → shipped → invoiced → paid as the order is shipped, invoiced and paid', async () => {
    const id = await created(orderWrite(`SO-${protocol}-flow`, [bolts(100)]));
    sandbox.tick(5);
    const { records, cursor } = await drain(orders().source, null);
    expect(records.find((r) => r.externalId === String(id))?.data).toMatchObject({ qiao_status: 'confirmed', state: 'sale', delivery_status: 'pending', invoice_status: 'to invoice' });
    let at = cursor;
    const next = async () => {
      sandbox.tick(5);
      const page = await drain(orders().source, at);
      at = page.cursor;
      return page.records.filter((r) => r.externalId === String(id));
    };

    const [picking] = sandbox.shipOrder(id);
    const shipped = await next();
    expect(shipped.map((r) => r.data.qiao_status)).toEqual(['shipped']);
    expect(shipped[0]?.data).toMatchObject({ delivery_status: 'full', picking_ids: [picking] });

    const invoice = sandbox.invoiceOrder(id);
    const invoiced = await next();
    expect(invoiced.map((r) => r.data.qiao_status)).toEqual(['invoiced']);
    expect(invoiced[0]?.data).toMatchObject({ invoice_status: 'invoiced', invoice_ids: [invoice] });

    sandbox.payInvoice(invoice);
    const paid = await next();
    expect(paid.map((r) => r.data.qiao_status)).toEqual(['paid']);
    // Odoo stamps the invoice, not the order: the order's change time is the payment's.
    expect(String(paid[0]?.sourceTime) > String(paid[0]?.data.write_date)).toBe(true);
    expect(await next()).toEqual([]);
    // Each step is a new change (the inbox dedupes on externalId + sourceTime).
    const times = [shipped[0], invoiced[0], paid[0]].map((r) => r?.sourceTime);
    expect(new Set(times).size).toBe(3);
    expect([...times].sort()).toEqual(times);
  });

  it('an order invoiced and paid at once, and one cancelled: their statuses', async () => {
    const paidId = await created(orderWrite(`SO-${protocol}-prepaid`, [bolts(5)]));
    sandbox.invoiceOrder(paidId, { paid: true });
    const cancelledId = await created(orderWrite(`SO-${protocol}-cancel`, [bolts(5)]));
    sandbox.tick(5);
    expect((await orders().source.get(String(paidId)))?.data.qiao_status).toBe('paid');
    // Cancelling needs disable_cancel_warning on a confirmed order: the sink sends it.
    expect(await orders().sink.upsert([{ idempotencyKey: 'c', canonicalId: 'ord_c', externalId: String(cancelledId), data: { qiao_status: 'cancelled' } }])).toEqual([{ ok: true, externalId: String(cancelledId) }]);
    expect((await orders().source.get(String(cancelledId)))?.data).toMatchObject({ qiao_status: 'cancelled', state: 'cancel' });
    expect(sandbox.records('stock.picking', { domain: [['sale_id', '=', cancelledId]], fields: ['state'] }).map((p) => p.state)).toEqual(['cancel']);
  });

  it('updates: a confirmed order takes a new date and note but keeps its lines; a quotation gets new lines and is confirmed when asked', async () => {
    const confirmed = await created(orderWrite(`SO-${protocol}-upd1`, [bolts(10)]));
    const quotation = await created(orderWrite(`SO-${protocol}-upd2`, [bolts(10), bolts(20)], { qiao_status: 'draft' }));
    const results = await orders().sink.upsert([
      { idempotencyKey: 'u1', canonicalId: 'ord_u1', externalId: String(confirmed), data: { qiao_status: 'confirmed', commitment_date: '2030-04-01 12:00:00', note: false, order_line: [bolts(99)] } },
      { idempotencyKey: 'u2', canonicalId: 'ord_u2', externalId: String(quotation), data: { qiao_status: 'confirmed', order_line: [{ ...bolts(15), price_unit: 1.1 }] } },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const [a] = sandbox.records('sale.order', { domain: [['id', '=', confirmed]], fields: ['commitment_date', 'note', 'state'] });
    expect(a).toMatchObject({ commitment_date: '2030-04-01 12:00:00', note: false, state: 'sale' });
    expect(sandbox.records('sale.order.line', { domain: [['order_id', '=', confirmed]], fields: ['product_uom_qty'] }).map((l) => l.product_uom_qty)).toEqual([10]);
    const lines = sandbox.records('sale.order.line', { domain: [['order_id', '=', quotation]], fields: ['product_uom_qty', 'price_unit'] });
    expect(lines.map((l) => [l.product_uom_qty, l.price_unit])).toEqual([[15, 1.1]]);
    expect(sandbox.records('sale.order', { domain: [['id', '=', quotation]], fields: ['state'] })[0]?.state).toBe('sale');
  });

  it('a manufacturing order for a sale order: in_production while it runs, confirmed then done raises stock', async () => {
    const orderId = await created(orderWrite(`SO-${protocol}-mto`, [{ default_code: 'GEAR-40', product_uom_qty: 30, price_unit: 48.5, discount: 0 }]));
    const [order] = sandbox.records('sale.order', { domain: [['id', '=', orderId]], fields: ['name'] });
    const { cursor: levels } = await drain(connector.entities.stock_level?.source as EntitySource, null);
    const { cursor: start } = await drain(productions().source, null);
    const { cursor: ordersAt } = await drain(orders().source, null);

    const [made] = await productions().sink.upsert([
      { idempotencyKey: 'mo', canonicalId: `pro_${protocol}_1`, data: { default_code: 'GEAR-40', product_qty: 30, state: 'confirmed', origin: order?.name, date_start: '2030-03-02 12:00:00' } },
    ]);
    expect(made).toMatchObject({ ok: true });
    const moId = made?.ok ? made.externalId : '';
    expect(await productions().sink.findByIdentity('name', `pro_${protocol}_1`)).toBe(moId);
    sandbox.tick(5);
    const listed = await drain(productions().source, start);
    expect(listed.records.map((r) => r.data)).toEqual([expect.objectContaining({ name: `pro_${protocol}_1`, default_code: 'GEAR-40', product_qty: 30, state: 'confirmed', origin: order?.name, date_start: '2030-03-02T12:00:00Z' })]);
    // Odoo does not touch the sale order when a manufacturing order for it is made: the order feed follows it.
    const running = await drain(orders().source, ordersAt);
    expect(running.records.filter((r) => r.externalId === String(orderId)).map((r) => r.data.qiao_status)).toEqual(['in_production']);

    const wh = ids.warehouses.WH as number;
    const gear = ids.products['GEAR-40'] as number;
    const levelOf = async () => (await connector.entities.stock_level?.source?.get(`${gear}:${wh}`))?.data;
    expect(await levelOf()).toMatchObject({ quantity: '5', incoming_qty: '30' });

    sandbox.finishProduction(Number(moId));
    sandbox.tick(5);
    expect((await drain(productions().source, listed.cursor)).records.map((r) => [r.externalId, r.data.state])).toEqual([[moId, 'done']]);
    expect(await levelOf()).toMatchObject({ quantity: '35', incoming_qty: '0' });
    // The stock change is a quant change: the stock level feed reports it.
    const changedLevels = await drain(connector.entities.stock_level?.source as EntitySource, levels);
    expect(changedLevels.records.map((r) => [r.externalId, r.data.quantity])).toContainEqual([`${gear}:${wh}`, '35']);
    const done = await drain(orders().source, running.cursor);
    expect(done.records.filter((r) => r.externalId === String(orderId)).map((r) => r.data.qiao_status)).toEqual(['confirmed']);
  });

  it('a production order with an unknown SKU is refused for that one only', async () => {
    const results = await productions().sink.upsert([
      { idempotencyKey: 'p1', canonicalId: `pro_${protocol}_ok`, data: { default_code: 'BOLT-M8', product_qty: 10, state: 'draft' } },
      { idempotencyKey: 'p2', canonicalId: `pro_${protocol}_bad`, data: { default_code: 'NOT-A-SKU', product_qty: 10, state: 'draft' } },
    ]);
    expect(results).toMatchObject([{ ok: true }, { ok: false, error: { kind: 'invalid', message: expect.stringContaining('NOT-A-SKU') } }]);
    expect(sandbox.records('mrp.production', { domain: [['name', '=', `pro_${protocol}_ok`]], fields: ['state'] })).toEqual([{ id: expect.any(Number), state: 'draft' }]);
  });
});

describe('the Odoo sandbox: sales, deliveries, invoices and manufacturing', () => {
  let sandbox: OdooSandbox;
  let ids: SeededIds;
  beforeAll(async () => {
    sandbox = await startOdooSandbox({
      apiKey: API_KEY,
      database: 'db',
      login: 'admin',
      version: 19,
      seed: {
        customers: [{ name: 'Acme GmbH', is_company: true }],
        products: [
          { default_code: 'BOLT-M8', name: 'Bolt M8', list_price: 1.2, type: 'consu', is_storable: true },
          { default_code: 'GEAR-40', name: 'Gear 40 teeth', list_price: 48.5, type: 'consu', is_storable: true },
        ],
        stock: [{ sku: 'BOLT-M8', warehouse: 'WH', quantity: 100 }],
      },
    });
    sandbox.setClock('2030-06-01T09:00:00.250Z');
    ids = sandbox.seed({ orders: [{ customer: 'Acme GmbH', ref: 'PO-1', lines: [{ sku: 'BOLT-M8', quantity: 10 }], confirm: true }] });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function json2(path: string, body: unknown) {
    const res = await fetch(`${sandbox.url}/json/2/${path}`, { method: 'POST', headers: { authorization: `bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as unknown };
  }
  async function executeKw(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
    const res = await fetch(`${sandbox.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'object', method: 'execute_kw', args: ['db', 2, API_KEY, model, method, args, kwargs] }, id: 1 }),
    });
    return (await res.json()) as { result?: unknown; error?: { data: { name: string; message: string } } };
  }
  const acme = () => sandbox.records('res.partner', { domain: [['name', '=', 'Acme GmbH']] })[0]?.id as number;
  const bolt = () => sandbox.records('product.product', { domain: [['default_code', '=', 'BOLT-M8']] })[0]?.id as number;
  const gear = () => sandbox.records('product.product', { domain: [['default_code', '=', 'GEAR-40']] })[0]?.id as number;
  const newOrder = async (lines: unknown[] = [[0, 0, { product_id: bolt(), product_uom_qty: 2 }]]) => ((await json2('sale.order/create', { vals_list: [{ partner_id: acme(), order_line: lines }] })).body as number[])[0] as number;

  it('a seeded order is numbered S00001, confirmed, with its delivery WH/OUT/00001 ready from stock', () => {
    expect(sandbox.records('sale.order', { fields: ['name', 'client_order_ref', 'state', 'amount_total', 'delivery_status', 'invoice_status'] })).toEqual([
      { id: 1, name: 'S00001', client_order_ref: 'PO-1', state: 'sale', amount_total: 12, delivery_status: 'pending', invoice_status: 'to invoice' },
    ]);
    expect(sandbox.records('stock.picking', { fields: ['name', 'origin', 'sale_id', 'state', 'picking_type_code'] })).toEqual([
      { id: 1, name: 'WH/OUT/00001', origin: 'S00001', sale_id: [1, 'S00001'], state: 'assigned', picking_type_code: 'outgoing' },
    ]);
    expect(ids.orders).toEqual([1]);
  });

  it('a line takes its description and price from the product; a given name is kept', async () => {
    const id = await newOrder([
      [0, 0, { product_id: gear(), product_uom_qty: 2 }],
      [0, 0, { product_id: bolt(), product_uom_qty: 1, price_unit: 2, name: 'Special bolt' }],
    ]);
    expect(sandbox.records('sale.order.line', { domain: [['order_id', '=', id]], fields: ['name', 'price_unit', 'price_subtotal', 'state'] }).map((l) => [l.name, l.price_unit, l.price_subtotal, l.state])).toEqual([
      ['[GEAR-40] Gear 40 teeth', 48.5, 97, 'draft'],
      ['Special bolt', 2, 2, 'draft'],
    ]);
    const given = ((await json2('sale.order/create', { vals_list: [{ partner_id: acme(), name: 'QIAO-7' }] })).body as number[])[0];
    expect(sandbox.records('sale.order', { domain: [['id', '=', given]], fields: ['name'] })[0]?.name).toBe('QIAO-7');
  });

  it('x2many commands: [0, 0, vals] create, [1, id, vals] update, [2, id] delete, [4, id] link, [6, 0, ids] set, [5] clear', async () => {
    const id = await newOrder([
      [0, 0, { product_id: bolt(), product_uom_qty: 1 }],
      [0, 0, { product_id: gear(), product_uom_qty: 1 }],
      { product_id: bolt(), product_uom_qty: 3 },
    ]);
    const lineIds = () => sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['order_line'] })[0]?.order_line as number[];
    const [l1, l2, l3] = lineIds() as [number, number, number];
    expect(await json2('sale.order/write', { ids: [id], vals: { order_line: [[1, l1, { product_uom_qty: 7 }], [2, l2]] } })).toEqual({ status: 200, body: true });
    expect(lineIds()).toEqual([l1, l3]);
    expect(sandbox.records('sale.order.line', { domain: [['id', '=', l1]], fields: ['product_uom_qty'] })[0]?.product_uom_qty).toBe(7);
    // SET keeps the listed lines; the others are deleted (their order_id is required, ondelete cascade).
    await json2('sale.order/write', { ids: [id], vals: { order_line: [[6, 0, [l3]], [0, 0, { product_id: gear(), product_uom_qty: 4 }]] } });
    const afterSet = lineIds();
    expect(afterSet).toHaveLength(2);
    expect(afterSet[0]).toBe(l3);
    expect(sandbox.records('sale.order.line', { domain: [['id', '=', l1]] })).toEqual([]);
    // LINK moves a line of another quotation here.
    const other = await newOrder();
    const [moved] = (sandbox.records('sale.order', { domain: [['id', '=', other]], fields: ['order_line'] })[0]?.order_line ?? []) as number[];
    await json2('sale.order/write', { ids: [id], vals: { order_line: [[4, moved, 0]] } });
    expect(lineIds()).toContain(moved);
    await json2('sale.order/write', { ids: [id], vals: { order_line: [[5, 0, 0]] } });
    expect(lineIds()).toEqual([]);
  });

  it('malformed x2many commands get the errors Odoo gives, and create nothing', async () => {
    const count = () => sandbox.records('sale.order').length;
    const before = count();
    const create = (order_line: unknown) => json2('sale.order/create', { vals_list: [{ partner_id: acme(), order_line }] });
    expect(await create([[0, 0]])).toMatchObject({ status: 500, body: { name: 'builtins.IndexError', message: 'list index out of range' } });
    expect(await create(5)).toMatchObject({ status: 500, body: { name: 'builtins.ValueError', message: 'Wrong value for sale.order.order_line: 5' } });
    expect(await create([[9, 0, 0]])).toMatchObject({ status: 500, body: { name: 'builtins.ValueError', message: 'Wrong value for sale.order.order_line: [9,0,0]' } });
    expect(await create([[0, 0, 'bolts']])).toMatchObject({ status: 500, body: { name: 'builtins.TypeError' } });
    expect(await create([[6, 0, 3]])).toMatchObject({ status: 500, body: { name: 'builtins.TypeError' } });
    expect(await create([[0, 0, { product_id: 99_999 }]])).toMatchObject({ status: 422, body: { name: 'odoo.exceptions.ValidationError' } });
    expect(await create([[1, 99_999, { product_uom_qty: 1 }]])).toMatchObject({ status: 404, body: { name: 'odoo.exceptions.MissingError' } });
    expect(count()).toBe(before);
    // JSON-RPC carries the same exception in its 200 envelope.
    expect((await executeKw('sale.order', 'create', [[{ partner_id: acme(), order_line: [[0, 0]] }]])).error?.data.name).toBe('builtins.IndexError');
  });

  it('datetimes are taken as Odoo takes them: "YYYY-MM-DD HH:MM:SS" or a date; an ISO time with T is a ValueError', async () => {
    const id = await newOrder();
    expect((await json2('sale.order/write', { ids: [id], vals: { commitment_date: '2030-07-01' } })).status).toBe(200);
    expect(sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['commitment_date'] })[0]?.commitment_date).toBe('2030-07-01 00:00:00');
    expect(await json2('sale.order/write', { ids: [id], vals: { commitment_date: '2030-07-01T10:00:00Z' } })).toMatchObject({
      status: 500,
      body: { name: 'builtins.ValueError', message: "time data '2030-07-01T10:00:00Z' does not match format '%Y-%m-%d %H:%M:%S'" },
    });
    expect((await json2('sale.order/write', { ids: [id], vals: { commitment_date: '2030-02-30 10:00:00' } })).status).toBe(500);
  });

  it('confirming twice, deleting a confirmed order or one of its lines are UserErrors; cancelling without disable_cancel_warning answers the wizard', async () => {
    const id = await newOrder();
    expect(await json2('sale.order/action_confirm', { ids: [id] })).toEqual({ status: 200, body: true });
    expect(await json2('sale.order/action_confirm', { ids: [id] })).toMatchObject({ status: 422, body: { name: 'odoo.exceptions.UserError', message: 'Some orders are not in a state requiring confirmation.' } });
    expect(await json2('sale.order/unlink', { ids: [id] })).toMatchObject({ status: 422, body: { name: 'odoo.exceptions.UserError' } });
    const [line] = (sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['order_line'] })[0]?.order_line ?? []) as number[];
    expect(await json2('sale.order/write', { ids: [id], vals: { order_line: [[2, line]] } })).toMatchObject({ status: 422, body: { message: expect.stringContaining('set the quantity to 0') } });
    expect(await json2('sale.order/action_cancel', { ids: [id] })).toEqual({ status: 200, body: expect.objectContaining({ type: 'ir.actions.act_window', res_model: 'sale.order.cancel' }) });
    expect(sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['state'] })[0]?.state).toBe('sale');
    expect(await json2('sale.order/action_cancel', { ids: [id], context: { disable_cancel_warning: true } })).toEqual({ status: 200, body: true });
    expect(sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['state'] })[0]?.state).toBe('cancel');
    expect(await json2('sale.order/action_draft', { ids: [id] })).toEqual({ status: 200, body: true });
    expect(await json2('sale.order/unlink', { ids: [id] })).toEqual({ status: 200, body: true });
    // A record method is called with ids; an unknown one is a 404 like Odoo's.
    expect((await json2('sale.order/action_fly', { ids: [1] })).status).toBe(404);
    expect((await json2('sale.order/action_confirm', { ids: [1], force: true })).status).toBe(422);
  });

  it('shipping validates the delivery: stock leaves, the quant and the order are stamped', async () => {
    const id = await newOrder([[0, 0, { product_id: bolt(), product_uom_qty: 30 }]]);
    await json2('sale.order/action_confirm', { ids: [id] });
    const quant = () => sandbox.records('stock.quant', { domain: [['product_id', '=', bolt()], ['location_id.usage', '=', 'internal']], fields: ['quantity', 'write_date'] })[0];
    const order = () => sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['write_date', 'delivery_status', 'state'] })[0];
    const before = { quant: quant(), order: order() };
    sandbox.tick(10);
    const [picking] = sandbox.shipOrder(id);
    expect(quant()?.quantity).toBe((before.quant?.quantity as number) - 30);
    expect(String(quant()?.write_date) > String(before.quant?.write_date)).toBe(true);
    expect(order()).toMatchObject({ delivery_status: 'full' });
    expect(String(order()?.write_date) > String(before.order?.write_date)).toBe(true);
    expect(sandbox.records('stock.picking', { domain: [['id', '=', picking]], fields: ['state', 'date_done'] })[0]).toMatchObject({ state: 'done', date_done: expect.any(String) });
    expect(sandbox.records('sale.order.line', { domain: [['order_id', '=', id]], fields: ['qty_delivered'] })[0]?.qty_delivered).toBe(30);
    expect(await json2('stock.picking/button_validate', { ids: [picking] })).toMatchObject({ status: 422, body: { name: 'odoo.exceptions.UserError' } });
    expect(() => sandbox.shipOrder(id)).toThrow(/no open delivery/);
  });

  it('without stock on hand the delivery waits; goods still leave when it is validated (the quant goes negative)', async () => {
    const id = await newOrder([[0, 0, { product_id: gear(), product_uom_qty: 3 }]]);
    await json2('sale.order/action_confirm', { ids: [id] });
    expect(sandbox.records('stock.picking', { domain: [['sale_id', '=', id]], fields: ['state'] })[0]?.state).toBe('confirmed');
    sandbox.shipOrder(id);
    expect(sandbox.records('stock.quant', { domain: [['product_id', '=', gear()]], fields: ['quantity'] })[0]?.quantity).toBe(-3);
  });

  it('invoicing creates and posts INV/<year>/NNNNN and stamps the order; paying stamps only the invoice', async () => {
    const id = await newOrder([[0, 0, { product_id: bolt(), product_uom_qty: 10, discount: 10 }]]);
    await json2('sale.order/action_confirm', { ids: [id] });
    sandbox.tick(10);
    const stamp = () => String(sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['write_date'] })[0]?.write_date);
    const before = stamp();
    const invoice = sandbox.invoiceOrder(id);
    const [name] = sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['name'] }).map((o) => o.name);
    expect(sandbox.records('account.move', { domain: [['id', '=', invoice]], fields: ['name', 'move_type', 'invoice_origin', 'state', 'payment_state', 'amount_total', 'currency_id'] })[0]).toEqual({
      id: invoice,
      name: expect.stringMatching(/^INV\/2030\/\d{5}$/),
      move_type: 'out_invoice',
      invoice_origin: name,
      state: 'posted',
      payment_state: 'not_paid',
      amount_total: 10.8,
      currency_id: [1, 'EUR'],
    });
    const invoiced = stamp();
    expect(invoiced > before).toBe(true);
    expect(sandbox.records('sale.order', { domain: [['id', '=', id]], fields: ['invoice_status', 'invoice_ids'] })[0]).toMatchObject({ invoice_status: 'invoiced', invoice_ids: [invoice] });
    expect((await json2('sale.order/search', { domain: [['invoice_ids', 'in', [invoice]]] })).body).toEqual([id]);
    expect(() => sandbox.invoiceOrder(id)).toThrow(/no invoiceable line/);
    expect(await json2('account.move/action_post', { ids: [invoice] })).toMatchObject({ status: 422, body: { message: expect.stringContaining('is already posted') } });
    sandbox.tick(10);
    sandbox.payInvoice(invoice);
    expect(stamp()).toBe(invoiced);
    expect(sandbox.records('account.move', { domain: [['id', '=', invoice]], fields: ['payment_state'] })[0]?.payment_state).toBe('paid');
  });

  it('manufacturing: WH/MO/NNNNN, confirmed counts as incoming, producing moves to in progress and to close, done adds the stock', async () => {
    const [mo] = (await json2('mrp.production/create', { vals_list: [{ product_id: gear(), product_qty: 8, origin: 'S00001' }] })).body as [number];
    const production = () => sandbox.records('mrp.production', { domain: [['id', '=', mo]], fields: ['name', 'state', 'qty_producing', 'warehouse_id', 'date_finished'] })[0];
    expect(production()).toMatchObject({ name: expect.stringMatching(/^WH\/MO\/\d{5}$/), state: 'draft', warehouse_id: [1, 'YourCompany'] });
    expect(await json2('mrp.production/button_mark_done', { ids: [mo] })).toMatchObject({ status: 422, body: { name: 'odoo.exceptions.UserError' } });
    const incoming = async () => ((await json2('product.product/read', { ids: [gear()], fields: ['qty_available', 'incoming_qty'], context: { warehouse_id: 1 } })).body as { qty_available: number; incoming_qty: number }[])[0];
    const onHand = (await incoming())?.qty_available as number;
    await json2('mrp.production/action_confirm', { ids: [mo] });
    expect(production()?.state).toBe('confirmed');
    expect(await incoming()).toEqual({ id: gear(), qty_available: onHand, incoming_qty: 8 });
    await json2('mrp.production/write', { ids: [mo], vals: { qty_producing: 3 } });
    expect(production()?.state).toBe('progress');
    await json2('mrp.production/write', { ids: [mo], vals: { qty_producing: 8 } });
    expect(production()?.state).toBe('to_close');
    expect((await json2('sale.order/read', { ids: [1], fields: ['mrp_production_count'] })).body).toEqual([{ id: 1, mrp_production_count: 1 }]);
    sandbox.setClock('2030-06-02T10:00:00Z');
    sandbox.finishProduction(mo);
    expect(production()).toMatchObject({ state: 'done', qty_producing: 8, date_finished: '2030-06-02 10:00:00' });
    expect(await incoming()).toEqual({ id: gear(), qty_available: onHand + 8, incoming_qty: 0 });
    expect(await json2('mrp.production/action_cancel', { ids: [mo] })).toMatchObject({ status: 422 });
    expect(await json2('mrp.production/create', { vals_list: [{ product_id: gear(), product_qty: 0 }] })).toMatchObject({ status: 422, body: { message: 'The quantity to produce must be positive!' } });
  });

  it('fields_get describes one2many fields with their inverse; x2many fields are searchable', async () => {
    expect((await json2('sale.order/fields_get', { allfields: ['order_line', 'invoice_ids', 'state'], attributes: ['type', 'relation', 'relation_field', 'readonly'] })).body).toEqual({
      order_line: { type: 'one2many', relation: 'sale.order.line', relation_field: 'order_id', readonly: false },
      invoice_ids: { type: 'many2many', relation: 'account.move', readonly: true },
      state: { type: 'selection', readonly: false },
    });
    const withDeliveries = (await json2('sale.order/search', { domain: [['picking_ids', '!=', false]], order: 'id asc' })).body as number[];
    const without = (await json2('sale.order/search', { domain: [['picking_ids', '=', false]], order: 'id asc' })).body as number[];
    const all = (await json2('sale.order/search', { domain: [], order: 'id asc' })).body as number[];
    expect([...withDeliveries, ...without].sort((a, b) => a - b)).toEqual(all);
    expect(withDeliveries).toContain(1);
    expect((await json2('sale.order/search', { domain: [['picking_ids', '>', 1]] })).status).toBe(500);
  });

  it('searches on a text field use an index and answer exactly as a full scan', async () => {
    const names = sandbox.records('sale.order', { fields: ['name'] }).map((o) => o.name as string);
    for (const domain of [[['name', '=', names[0]]], [['name', 'in', [names[1], 'NOPE', names[0]]]], [['client_order_ref', '=', 'PO-1']], [['state', 'in', ['sale', 'cancel']], ['name', '!=', 'x']], [['name', '=', 'NOPE']]]) {
      const indexed = (await json2('sale.order/search', { domain, order: 'id asc' })).body;
      // A FALSE_LEAF under `|` leaves no term to look up: the reference scans every order.
      const scanned = (await json2('sale.order/search', { domain: ['|', [0, '=', 1], ...(domain.length > 1 ? ['&'] : []), ...domain], order: 'id asc' })).body;
      expect(indexed).toEqual(scanned);
    }
    expect((await json2('product.product/search_read', { domain: [['default_code', 'in', ['GEAR-40', 'BOLT-M8']]], fields: ['default_code'], order: 'id asc' })).body).toEqual([
      { id: bolt(), default_code: 'BOLT-M8' },
      { id: gear(), default_code: 'GEAR-40' },
    ]);
  });
});
