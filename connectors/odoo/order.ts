// The `order` entity: sale.order with its lines and the canonical status Qiao reads from the order, its
// deliveries (stock.picking), invoices (account.move) and manufacturing orders (mrp.production).
// Orders are created with their lines (products by SKU) and confirmed; an order is never made twice.
import type { ChangeCursor, EntitySink, EntitySource, SinkResult, SinkWrite, SourceRecord } from '../contract';
import { ConnectorError } from '../errors';
import type { OdooCallArgs, OdooClient } from './client';
import { cursorAfter, type Domain, existingFields, odooId, readChanged } from './model';
import { type FieldTypes, fromOdooDatetime, many2oneId, nextOdooSecond, normalizeRow, type OdooRow, toOdooDatetime, toOdooVals } from './values';

/** Most orders one `upsert` carries: each may cost a create, a write and a confirmation. */
export const ORDER_MAX_BATCH = 20;

/** The sale.order fields read (those a server lacks are left out). */
export const ORDER_FIELDS = [
  'name',
  'partner_id',
  'client_order_ref',
  'commitment_date',
  'date_order',
  'state',
  'currency_id',
  'amount_total',
  'invoice_status',
  'delivery_status',
  'note',
  'picking_ids',
  'invoice_ids',
  'write_date',
] as const;

const LINE_FIELDS = ['order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit', 'discount', 'sequence', 'display_type'];

/** Canonical order statuses, as the connector reports them in `qiao_status` and takes them in writes. */
export const QIAO_ORDER_STATUSES = ['draft', 'confirmed', 'in_production', 'shipped', 'invoiced', 'paid', 'closed', 'cancelled'] as const;
export type QiaoOrderStatus = (typeof QIAO_ORDER_STATUSES)[number];

/** The documents of an order the status is read from. */
export interface OrderDocuments {
  /** stock.picking rows: `state`, `picking_type_code`. */
  pickings: OdooRow[];
  /** account.move rows: `move_type`, `state`, `payment_state`. */
  invoices: OdooRow[];
  /** mrp.production rows whose `origin` is the order's name: `state`. */
  productions: OdooRow[];
}

/**
 * The canonical status of an Odoo order: `cancel` → cancelled; `draft`/`sent` → draft; a confirmed
 * order (`sale`, or `done` before Odoo 17) is, from the furthest step back: paid when every posted
 * customer invoice is paid (or in payment), invoiced when one is posted, shipped when its outgoing
 * deliveries are all done, in_production while a manufacturing order for it is neither done nor
 * cancelled, else confirmed. Odoo may invoice before it ships (prepayment, services): the status then
 * says invoiced or paid before shipped.
 * @example orderStatus({ state: 'sale' }, { pickings: [{ id: 1, state: 'done', picking_type_code: 'outgoing' }], invoices: [], productions: [] }) // 'shipped'
 */
export function orderStatus(order: Record<string, unknown>, documents: OrderDocuments): QiaoOrderStatus {
  if (order.state === 'cancel') return 'cancelled';
  if (order.state !== 'sale' && order.state !== 'done') return 'draft';
  // A credit note's invoice is `reversed`: it no longer counts.
  const posted = documents.invoices.filter((m) => m.move_type === 'out_invoice' && m.state === 'posted' && m.payment_state !== 'reversed');
  if (posted.length > 0) return posted.every((m) => m.payment_state === 'paid' || m.payment_state === 'in_payment') ? 'paid' : 'invoiced';
  const deliveries = documents.pickings.filter((p) => p.picking_type_code === 'outgoing' && p.state !== 'cancel');
  if (deliveries.length > 0 && deliveries.every((p) => p.state === 'done')) return 'shipped';
  if (documents.productions.some((p) => p.state !== 'done' && p.state !== 'cancel')) return 'in_production';
  return 'confirmed';
}

const CONFIRMED_STATUSES: readonly string[] = ['confirmed', 'in_production', 'shipped', 'invoiced', 'paid', 'closed'];

/** An id Odoo never reaches: a cursor at (second, MAX_ID) means "everything of that second". */
const MAX_ID = String(Number.MAX_SAFE_INTEGER);

/** A model whose changes change orders, and how its rows lead to them. */
interface RelatedFeed {
  model: string;
  domain: Domain;
  fields: string[];
  /** The sale.order ids these rows belong to. */
  orders(rows: OdooRow[]): Promise<number[]>;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined ? a : a > b ? a : b;
}

function earlier(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined ? a : a < b ? a : b;
}

function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Failures that concern one record; the others concern the connection and stop the batch. */
export function concernsRecord(err: ConnectorError): boolean {
  return err.kind === 'invalid' || err.kind === 'not_found' || err.kind === 'conflict';
}

/**
 * What the order and production sinks share: SKUs resolved to product ids with one search per batch,
 * records found again by their identity before creating, creates in one call with a one-by-one
 * fallback, and per-record results once something was written.
 */
export function createDocumentWriter(client: OdooClient, model: string) {
  /** product.product ids by default_code, for every SKU of a batch (archived products cannot be sold). */
  async function productsBySku(skus: Iterable<string>): Promise<Map<string, number[]>> {
    const wanted = [...new Set(skus)];
    const found = new Map<string, number[]>();
    if (wanted.length === 0) return found;
    const rows = await client.call<OdooRow[]>('product.product', 'search_read', { domain: [['default_code', 'in', wanted]], fields: ['default_code'], order: 'id asc' });
    for (const row of rows) {
      const sku = String(row.default_code);
      found.set(sku, [...(found.get(sku) ?? []), row.id]);
    }
    return found;
  }

  /** The product id of a SKU; an unknown or ambiguous SKU is this record's `invalid`. */
  function productOf(products: Map<string, number[]>, sku: unknown, field: string): number {
    if (typeof sku !== 'string' || sku.trim() === '') throw new ConnectorError('invalid', `${field} needs a product SKU (default_code), got ${JSON.stringify(sku)}`, { field });
    const ids = products.get(sku) ?? [];
    if (ids.length === 0) throw new ConnectorError('invalid', `Odoo has no active product with SKU (default_code) ${JSON.stringify(sku)}`, { field });
    if (ids.length > 1) throw new ConnectorError('invalid', `several Odoo products have SKU (default_code) ${JSON.stringify(sku)} (ids ${ids.join(', ')}); make default_code unique`, { field });
    return ids[0] as number;
  }

  /**
   * The records that already carry the identity of a write without an external id: a create whose
   * answer was lost is then an update, never a second record. Two records with one identity are a
   * `conflict` of that write.
   */
  async function existingByIdentity(writes: readonly SinkWrite[], identityOf: (w: SinkWrite) => { field: string; value: string } | undefined): Promise<Map<number, number | ConnectorError>> {
    const found = new Map<number, number | ConnectorError>();
    const byField = new Map<string, Map<string, number[]>>();
    writes.forEach((w, i) => {
      const identity = w.externalId ? undefined : identityOf(w);
      if (!identity) return;
      const values = byField.get(identity.field) ?? new Map<string, number[]>();
      values.set(identity.value, [...(values.get(identity.value) ?? []), i]);
      byField.set(identity.field, values);
    });
    for (const [field, values] of byField) {
      const rows = await client.call<OdooRow[]>(model, 'search_read', { domain: [[field, 'in', [...values.keys()]]], fields: [field], order: 'id asc' });
      for (const [value, indexes] of values) {
        const ids = rows.filter((r) => r[field] === value).map((r) => r.id);
        const result = ids.length > 1 ? new ConnectorError('conflict', `several ${model} records have ${field} = ${JSON.stringify(value)} (ids ${ids.join(', ')})`, { field }) : ids[0];
        if (result !== undefined) for (const i of indexes) found.set(i, result);
      }
    }
    return found;
  }

  /**
   * Creates of an identity another create of the batch already carries (the same record queued twice):
   * index → the index of the first one, whose result they share. One record is made, not two.
   */
  function duplicates(writes: readonly SinkWrite[], identityOf: (w: SinkWrite) => { field: string; value: string } | undefined, targets: readonly (number | undefined)[]): Map<number, number> {
    const first = new Map<string, number>();
    const same = new Map<number, number>();
    writes.forEach((w, i) => {
      const identity = w.externalId || targets[i] !== undefined ? undefined : identityOf(w);
      if (!identity) return;
      const key = JSON.stringify([identity.field, identity.value]);
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else same.set(i, earlier);
    });
    return same;
  }

  /** Results of one batch: failures before anything was written throw (retry the batch), later ones are per record. */
  function batch(size: number) {
    const results: (SinkResult | undefined)[] = Array.from({ length: size }, () => undefined);
    let wrote = false;
    let stoppedBy: ConnectorError | undefined;
    return {
      results,
      fail(i: number, error: ConnectorError) {
        results[i] = { ok: false, error };
      },
      /** Runs one record's call; its own failure becomes its result, a connection failure stops the rest. */
      async settle(i: number, run: () => Promise<string>): Promise<boolean> {
        if (stoppedBy) {
          results[i] = { ok: false, error: stoppedBy };
          return false;
        }
        try {
          results[i] = { ok: true, externalId: await run() };
          wrote = true;
          return true;
        } catch (err) {
          if (!(err instanceof ConnectorError)) throw err;
          if (!concernsRecord(err)) {
            if (!wrote) throw err;
            stoppedBy = err;
          }
          results[i] = { ok: false, error: err };
          return false;
        }
      },
      /** Creates records in one call; when Odoo refuses the batch (one transaction), one by one to find the refused ones. */
      async create(indexes: number[], vals: Record<string, unknown>[]): Promise<Map<number, number>> {
        const created = new Map<number, number>();
        if (indexes.length === 0) return created;
        try {
          const ids = await client.call<number[]>(model, 'create', { vals_list: indexes.map((i) => vals[i]) });
          indexes.forEach((i, k) => {
            created.set(i, ids[k] as number);
            results[i] = { ok: true, externalId: String(ids[k]) };
          });
          wrote = true;
        } catch (err) {
          if (!(err instanceof ConnectorError) || err.kind !== 'invalid') throw err;
          if (indexes.length === 1) {
            results[indexes[0] as number] = { ok: false, error: err };
            return created;
          }
          for (const i of indexes) {
            await this.settle(i, async () => {
              const [id] = await client.call<number[]>(model, 'create', { vals_list: [vals[i]] });
              created.set(i, id as number);
              return String(id);
            });
          }
        }
        return created;
      },
      /**
       * Writes the batch: new records (no target id) created in one call, known ones updated one by
       * one with their vals (none left: nothing to write). Returns the ids written, by write index.
       */
      async write(targets: readonly (number | undefined)[], vals: Record<string, unknown>[]): Promise<Map<number, number>> {
        const creates = targets.flatMap((id, i) => (id === undefined && !results[i] ? [i] : []));
        const written = await this.create(creates, vals);
        for (const [i, id] of targets.entries()) {
          if (id === undefined || results[i]) continue;
          const changes = vals[i] as Record<string, unknown>;
          const ok = await this.settle(i, async () => {
            if (Object.keys(changes).length > 0) await client.call(model, 'write', { ids: [id], vals: changes });
            return String(id);
          });
          if (ok) written.set(i, id);
        }
        return written;
      },
      /** Calls a record method (`action_confirm`) on records written in this batch: at once, then one by one if Odoo refuses. */
      async method(method: string, targets: Map<number, number>, context?: Record<string, unknown>): Promise<void> {
        const live = [...targets].filter(([i]) => results[i]?.ok !== false);
        if (live.length === 0) return;
        const call = (ids: number[]) => client.call(model, method, context ? { ids, context } : { ids });
        try {
          if (stoppedBy) throw stoppedBy;
          await call(live.map(([, id]) => id));
          return;
        } catch (err) {
          if (!(err instanceof ConnectorError)) throw err;
          if (!concernsRecord(err) || live.length === 1) {
            if (!concernsRecord(err)) stoppedBy ??= err;
            // The record exists (its write went through): the failure is its result, and a retry finds it by identity.
            for (const [i] of live) results[i] = { ok: false, error: err };
            return;
          }
        }
        for (const [i, id] of live) {
          const externalId = results[i]?.ok ? results[i].externalId : String(id);
          await this.settle(i, async () => {
            await call([id]);
            return externalId;
          });
        }
      },
      /** The results, in order; a write that shares another's record gets that one's result. */
      done(shared: ReadonlyMap<number, number> = new Map()): SinkResult[] {
        for (const [i, first] of shared) results[i] = results[first];
        return results.map((r) => r ?? { ok: false, error: new ConnectorError('retryable', 'the batch stopped before this write') });
      },
    };
  }

  async function findByIdentity(field: string, value: string): Promise<string | undefined> {
    const ids = await client.call<number[]>(model, 'search', { domain: [[field, '=', value]], order: 'id asc', limit: 2 });
    if (ids.length > 1) throw new ConnectorError('conflict', `several ${model} records have ${field} = ${JSON.stringify(value)} (ids ${ids.join(', ')}); make ${field} unique in Odoo`, { field });
    return ids[0] === undefined ? undefined : String(ids[0]);
  }

  return { productsBySku, productOf, existingByIdentity, duplicates, batch, findByIdentity };
}

/** An order line as the sink takes it (the source gives the same, plus `id`). */
interface LineData {
  default_code?: unknown;
  name?: unknown;
  product_uom_qty?: unknown;
  price_unit?: unknown;
  discount?: unknown;
}

function linesOf(value: unknown): LineData[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((l) => typeof l !== 'object' || l === null || Array.isArray(l))) {
    throw new ConnectorError('invalid', `order_line must be a list of lines { default_code, product_uom_qty, price_unit, discount, name? }, got ${JSON.stringify(value).slice(0, 100)}`, { field: 'order_line' });
  }
  return value as LineData[];
}

/**
 * Orders as a source and a sink.
 *
 * Source: changed orders oldest first, with `order_line` as `[{ id, default_code, name,
 * product_uom_qty, price_unit, discount }]` (section and note lines left out) and `qiao_status` (see
 * `orderStatus`). An order's `sourceTime` is the latest write_date of the order and of its
 * deliveries, invoices and manufacturing orders, and the listing follows changes of those too: Odoo
 * does not touch an order when its invoice is paid or its manufacturing order finishes.
 *
 * Sink: creates orders with their lines (SKUs resolved to products in one search), `client_order_ref`
 * set to the write's identity, and confirms those whose `qiao_status` is confirmed or later; updates
 * write what Odoo accepts of a confirmed order (`commitment_date`, `note`, ...) and the lines and
 * customer only while it is a quotation; a `cancelled` status cancels it.
 * @example const { source, sink } = orderEntity(client, { pageSize: 200, settleSeconds: 2, currency: 'EUR' })
 */
export function orderEntity(client: OdooClient, options: { pageSize: number; settleSeconds: number; currency: string }): { source: EntitySource; sink: EntitySink } {
  const { pageSize, settleSeconds } = options;

  /** The related models this server has (sale_stock for deliveries, sale_mrp for manufacturing). */
  function relatedFeeds(types: FieldTypes): RelatedFeed[] {
    const feeds: RelatedFeed[] = [];
    if ('picking_ids' in types) {
      feeds.push({
        model: 'stock.picking',
        domain: [['sale_id', '!=', false]],
        fields: ['sale_id', 'write_date'],
        orders: async (rows) => rows.flatMap((r) => many2oneId(r.sale_id) ?? []),
      });
    }
    if ('invoice_ids' in types) {
      feeds.push({
        model: 'account.move',
        domain: [['move_type', 'in', ['out_invoice', 'out_refund']]],
        fields: ['write_date'],
        // sale.order searches invoice_ids through the invoice lines (`_search_invoice_ids`).
        orders: async (rows) => (rows.length === 0 ? [] : client.call<number[]>('sale.order', 'search', { domain: [['invoice_ids', 'in', rows.map((r) => r.id)]] })),
      });
    }
    if ('mrp_production_count' in types) {
      feeds.push({
        model: 'mrp.production',
        domain: [['origin', '!=', false]],
        fields: ['origin', 'write_date'],
        orders: async (rows) => {
          const names = [...new Set(rows.flatMap((r) => String(r.origin).split(',').map((n) => n.trim())))];
          return names.length === 0 ? [] : client.call<number[]>('sale.order', 'search', { domain: [['name', 'in', names]] });
        },
      });
    }
    return feeds;
  }

  /** The rows of a related model changed from second `from` on (a page, or one whole crowded second), and through which second they are complete. */
  async function relatedRows(feed: RelatedFeed, from: string, limit: number): Promise<{ rows: OdooRow[]; completeThrough: string | undefined; limited: boolean; serverTime: number | undefined }> {
    const args: OdooCallArgs = { domain: [...feed.domain, ['write_date', '>=', from]], fields: feed.fields, order: 'write_date asc, id asc', limit: limit + 1 };
    const { result: rows, serverTime } = await client.callAt<OdooRow[]>(feed.model, 'search_read', args);
    if (rows.length <= limit) return { rows, completeThrough: undefined, limited: false, serverTime };
    const cut = String(rows[limit]?.write_date);
    const before = rows.filter((r) => String(r.write_date) < cut);
    if (before.length > 0) {
      const last = String(before[before.length - 1]?.write_date);
      return { rows: before, completeThrough: last, limited: true, serverTime };
    }
    // More rows than a page in one second: that second is read whole, by id.
    const whole: OdooRow[] = [];
    for (let lastId = 0; ; ) {
      const page = await client.call<OdooRow[]>(feed.model, 'search_read', {
        domain: [...feed.domain, ['write_date', '>=', cut], ['write_date', '<', nextOdooSecond(cut)], ['id', '>', lastId]],
        fields: feed.fields,
        order: 'id asc',
        limit: pageSize,
      });
      whole.push(...page);
      if (page.length < pageSize) break;
      lastId = page[page.length - 1]?.id ?? lastId;
    }
    return { rows: whole, completeThrough: cut, limited: true, serverTime };
  }

  /** Orders as records: lines with SKUs, documents, status and the latest change time of them all. */
  async function recordsOf(orders: OdooRow[], types: FieldTypes): Promise<(SourceRecord & { latest: string })[]> {
    if (orders.length === 0) return [];
    const ids = orders.map((o) => o.id);
    const names = orders.flatMap((o) => asText(o.name) ?? []);
    const { fields: lineFields } = await existingFields(client, 'sale.order.line', LINE_FIELDS);
    const lines = await client.call<OdooRow[]>('sale.order.line', 'search_read', { domain: [['order_id', 'in', ids]], fields: lineFields, order: 'id asc' });
    const productIds = [...new Set(lines.flatMap((l) => many2oneId(l.product_id) ?? []))];
    const products = productIds.length === 0 ? [] : await client.call<OdooRow[]>('product.product', 'read', { ids: productIds, fields: ['default_code'] });
    const skuOf = new Map(products.map((p) => [p.id, asText(p.default_code) ?? null]));
    const pickings = 'picking_ids' in types ? await client.call<OdooRow[]>('stock.picking', 'search_read', { domain: [['sale_id', 'in', ids]], fields: ['sale_id', 'state', 'picking_type_code', 'write_date'] }) : [];
    const invoiceIds = [...new Set(orders.flatMap((o) => (Array.isArray(o.invoice_ids) ? (o.invoice_ids as number[]) : [])))];
    const invoices =
      invoiceIds.length === 0 ? [] : await client.call<OdooRow[]>('account.move', 'search_read', { domain: [['id', 'in', invoiceIds]], fields: ['move_type', 'state', 'payment_state', 'write_date'] });
    const productions =
      'mrp_production_count' in types && names.length > 0
        ? await client.call<OdooRow[]>('mrp.production', 'search_read', { domain: [['origin', 'in', names]], fields: ['origin', 'state', 'write_date'] })
        : [];

    return orders.map((order) => {
      const mine: OrderDocuments = {
        pickings: pickings.filter((p) => many2oneId(p.sale_id) === order.id),
        invoices: invoices.filter((m) => Array.isArray(order.invoice_ids) && (order.invoice_ids as number[]).includes(m.id)),
        productions: productions.filter((p) => p.origin === order.name),
      };
      let latest = String(order.write_date);
      for (const doc of [...mine.pickings, ...mine.invoices, ...mine.productions]) latest = later(latest, String(doc.write_date)) as string;
      const orderLines = lines
        .filter((l) => many2oneId(l.order_id) === order.id && !l.display_type && many2oneId(l.product_id) !== undefined)
        .sort((a, b) => Number(a.sequence ?? 0) - Number(b.sequence ?? 0) || a.id - b.id)
        .map((l) => ({
          id: l.id,
          default_code: skuOf.get(many2oneId(l.product_id) as number) ?? null,
          name: asText(l.name) ?? null,
          product_uom_qty: l.product_uom_qty,
          price_unit: l.price_unit,
          discount: l.discount,
        }));
      const data = { ...normalizeRow(order, types), order_line: orderLines, qiao_status: orderStatus(order, mine) };
      return { externalId: String(order.id), sourceTime: fromOdooDatetime(latest), data, latest };
    });
  }

  async function readOrders(ids: number[], fields: string[]): Promise<{ rows: OdooRow[]; serverTime: number | undefined }> {
    if (ids.length === 0) return { rows: [], serverTime: undefined };
    const { result, serverTime } = await client.callAt<OdooRow[]>('sale.order', 'search_read', { domain: [['id', 'in', ids]], fields, order: 'id asc' });
    return { rows: result, serverTime };
  }

  const settledBefore = (serverTime: number | undefined) => (serverTime === undefined ? undefined : toOdooDatetime(new Date(serverTime - settleSeconds * 1000).toISOString()));

  const source: EntitySource = {
    /**
     * Orders changed after `cursor`, by the latest change of the order or its documents. Two feeds
     * are merged: sale.order by (write_date, id) as every entity reads it, and the deliveries,
     * invoices and manufacturing orders changed after the cursor's second (their orders). A page
     * ends where every feed is complete, so a document changed while the poll pages is never
     * skipped; an order whose latest change is younger than `settleSeconds` waits.
     */
    async listChanged(cursor, limit) {
      const size = Math.min(limit, pageSize);
      const { fields, types } = await existingFields(client, 'sale.order', ORDER_FIELDS);
      // The first listing reads every order anyway: the documents only matter from a cursor on.
      const feeds = cursor ? relatedFeeds(types) : [];
      const from = cursor ? nextOdooSecond(toOdooDatetime(cursor.sourceTime)) : '';
      let completeThrough: string | undefined;
      let limited = false;
      let settled: string | undefined;
      const related: { feed: RelatedFeed; rows: OdooRow[] }[] = [];
      // Documents first: the orders read after them are at least as settled.
      for (const feed of feeds) {
        const page = await relatedRows(feed, from, size);
        settled ??= settledBefore(page.serverTime);
        completeThrough = earlier(completeThrough, page.completeThrough);
        limited ||= page.limited;
        related.push({ feed, rows: page.rows });
      }
      const main = await readChanged(client, { model: 'sale.order', domain: [], fields: ['id', 'write_date'], cursor, limit: size, settleSeconds });
      const lastMain = main.rows[main.rows.length - 1];
      // Through which second all feeds are complete: the related feeds' pages, the settled time, and the orders' page.
      const through = earlier(earlier(completeThrough, settled), main.more && lastMain ? String(lastMain.write_date) : undefined);
      const within = (row: OdooRow) => through === undefined || String(row.write_date) <= through;
      const mainRows = main.rows.filter(within);
      const cut = mainRows.length < main.rows.length;
      const orderIds = new Set(mainRows.map((r) => r.id));
      let seen = mainRows.reduce<string | undefined>((m, r) => later(m, String(r.write_date)), undefined);
      for (const { feed, rows } of related) {
        const kept = rows.filter(within);
        for (const row of kept) seen = later(seen, String(row.write_date));
        for (const id of await feed.orders(kept)) orderIds.add(id);
      }

      let next: ChangeCursor | null;
      if (main.more && !cut && lastMain) next = cursorAfter(lastMain);
      else next = seen === undefined ? null : { sourceTime: fromOdooDatetime(seen), externalId: MAX_ID };
      const more = (main.more || limited) && next !== null;

      const { rows, serverTime } = await readOrders([...orderIds], fields);
      // An order whose latest change may still get company in its second waits for a later page.
      const ready = settledBefore(serverTime);
      const records = (await recordsOf(rows, types))
        .filter((r) => ready === undefined || r.latest <= ready)
        .sort((a, b) => (a.sourceTime < b.sourceTime ? -1 : a.sourceTime > b.sourceTime ? 1 : Number(a.externalId) - Number(b.externalId)))
        .map(({ latest: _latest, ...record }) => record);
      return { records, next, more };
    },
    async get(externalId) {
      const id = odooId(externalId);
      if (id === undefined) return undefined;
      const { fields, types } = await existingFields(client, 'sale.order', ORDER_FIELDS);
      const { rows } = await readOrders([id], fields);
      const [record] = await recordsOf(rows, types);
      if (!record) return undefined;
      const { latest: _latest, ...rest } = record;
      return rest;
    },
  };

  const writer = createDocumentWriter(client, 'sale.order');

  /** The vals of a line, the product resolved. */
  function lineVals(line: LineData, products: Map<string, number[]>, at: string): Record<string, unknown> {
    const vals: Record<string, unknown> = { product_id: writer.productOf(products, line.default_code, `${at}.default_code`) };
    for (const field of ['product_uom_qty', 'price_unit', 'discount'] as const) {
      const value = line[field];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConnectorError('invalid', `${at}.${field} must be a number, got ${JSON.stringify(value)}`, { field: 'order_line' });
      vals[field] = value;
    }
    if (typeof line.name === 'string' && line.name.trim() !== '') vals.name = line.name;
    return vals;
  }

  /** Whether the order's current lines already say what the write says (then they are left alone). */
  function sameLines(current: OdooRow[], wanted: Record<string, unknown>[]): boolean {
    if (current.length !== wanted.length) return false;
    return current.every((line, i) => {
      const w = wanted[i] as Record<string, unknown>;
      return (
        many2oneId(line.product_id) === w.product_id &&
        (w.product_uom_qty === undefined || line.product_uom_qty === w.product_uom_qty) &&
        (w.price_unit === undefined || line.price_unit === w.price_unit) &&
        (w.discount === undefined || line.discount === w.discount) &&
        (w.name === undefined || line.name === w.name)
      );
    });
  }

  /** x2many commands turning the current lines into the wanted ones: update in place, delete the rest, create the new. */
  function lineCommands(current: OdooRow[], wanted: Record<string, unknown>[]): unknown[] {
    const commands: unknown[] = [];
    wanted.forEach((vals, i) => {
      const line = current[i];
      commands.push(line ? [1, line.id, vals] : [0, 0, vals]);
    });
    for (const line of current.slice(wanted.length)) commands.push([2, line.id]);
    return commands;
  }

  function statusOf(data: Record<string, unknown>): QiaoOrderStatus | undefined {
    const status = data.qiao_status;
    if (status === undefined || status === null) return undefined;
    if (!(QIAO_ORDER_STATUSES as readonly unknown[]).includes(status)) {
      throw new ConnectorError('invalid', `qiao_status must be one of ${QIAO_ORDER_STATUSES.join(', ')}, got ${JSON.stringify(status)}`, { field: 'qiao_status' });
    }
    return status as QiaoOrderStatus;
  }

  const sink: EntitySink = {
    maxBatch: ORDER_MAX_BATCH,
    async upsert(writes) {
      if (writes.length > ORDER_MAX_BATCH) throw new ConnectorError('invalid', `an upsert carries at most ${ORDER_MAX_BATCH} writes to sale.order, got ${writes.length}`);
      const out = writer.batch(writes.length);
      const identityOf = (w: SinkWrite) => w.identity ?? undefined;
      // Found again by identity: a create whose answer was lost becomes an update of that order.
      const existing = await writer.existingByIdentity(writes, identityOf);
      const targets = writes.map((w, i) => {
        const found = existing.get(i);
        if (found instanceof ConnectorError) {
          out.fail(i, found);
          return undefined;
        }
        if (found !== undefined) return found;
        if (!w.externalId) return undefined;
        const id = odooId(w.externalId);
        if (id === undefined) out.fail(i, new ConnectorError('not_found', `${JSON.stringify(w.externalId)} is not an Odoo id`));
        return id;
      });
      // The same order queued twice in a batch is created once; both get its result.
      const shared = writer.duplicates(writes, identityOf, targets);
      for (const [i] of shared) out.fail(i, new ConnectorError('conflict', 'written with the first write of this identity'));

      const skus: string[] = [];
      for (const [i, w] of writes.entries()) {
        if (out.results[i]) continue;
        try {
          for (const line of linesOf(w.data.order_line)) if (typeof line.default_code === 'string') skus.push(line.default_code);
        } catch (err) {
          if (!(err instanceof ConnectorError)) throw err;
          out.fail(i, err);
        }
      }
      const products = await writer.productsBySku(skus);
      const updateIds = targets.flatMap((id, i) => (id !== undefined && !out.results[i] ? [id] : []));
      const current = new Map(
        (updateIds.length === 0 ? [] : await client.call<OdooRow[]>('sale.order', 'search_read', { domain: [['id', 'in', updateIds]], fields: ['state', 'order_line'] })).map((r) => [r.id, r]),
      );
      const draftIds = [...current.values()].filter((r) => r.state === 'draft' || r.state === 'sent').map((r) => r.id);
      const currentLines =
        draftIds.length === 0
          ? []
          : await client.call<OdooRow[]>('sale.order.line', 'search_read', { domain: [['order_id', 'in', draftIds]], fields: ['order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit', 'discount'], order: 'id asc' });

      const vals: Record<string, unknown>[] = [];
      const statuses: (QiaoOrderStatus | undefined)[] = [];
      for (const [i, w] of writes.entries()) {
        if (out.results[i]) continue;
        try {
          const { qiao_status: _status, currency, order_line: lines, ...rest } = toOdooVals(w.data);
          statuses[i] = statusOf(w.data);
          if (currency !== undefined && currency !== false && currency !== options.currency) {
            throw new ConnectorError('invalid', `Odoo takes an order's currency from its pricelist; the connector writes orders in ${options.currency}, the company currency, and got one in ${String(currency)}`, {
              field: 'currency',
            });
          }
          const wanted = linesOf(lines).map((line, k) => lineVals(line, products, `order_line[${k}]`));
          const id = targets[i];
          if (id === undefined) {
            if (rest.partner_id === undefined || rest.partner_id === false) throw new ConnectorError('invalid', 'an order needs partner_id, its customer', { field: 'partner_id' });
            const identity = identityOf(w);
            if (identity && rest[identity.field] === undefined) rest[identity.field] = identity.value;
            vals[i] = { ...rest, ...(lines === undefined ? {} : { order_line: wanted.map((v) => [0, 0, v]) }) };
            continue;
          }
          const order = current.get(id);
          if (!order) throw new ConnectorError('not_found', `Odoo has no sale.order ${id} (deleted?)`);
          const quotation = order.state === 'draft' || order.state === 'sent';
          // Once confirmed, the customer and the lines are the ERP's: deliveries and invoices follow them.
          if (!quotation) {
            delete rest.partner_id;
            vals[i] = rest;
            continue;
          }
          const mine = currentLines.filter((l) => many2oneId(l.order_id) === id);
          vals[i] = { ...rest, ...(lines === undefined || sameLines(mine, wanted) ? {} : { order_line: lineCommands(mine, wanted) }) };
        } catch (err) {
          if (!(err instanceof ConnectorError) || !concernsRecord(err)) throw err;
          out.fail(i, err);
        }
      }

      const written = await out.write(targets, vals);

      const stateOf = (i: number) => current.get(targets[i] as number)?.state ?? 'draft';
      const confirm = new Map([...written].filter(([i]) => CONFIRMED_STATUSES.includes(statuses[i] ?? '') && ['draft', 'sent'].includes(String(stateOf(i)))));
      await out.method('action_confirm', confirm);
      // Without disable_cancel_warning, Odoo 17+ answers a wizard for a confirmed order and cancels nothing.
      const cancel = new Map([...written].filter(([i]) => statuses[i] === 'cancelled' && stateOf(i) !== 'cancel'));
      await out.method('action_cancel', cancel, { disable_cancel_warning: true });
      return out.done(shared);
    },
    findByIdentity: writer.findByIdentity,
    /** Odoo deletes only quotations: an order is cancelled instead, and stays for its documents. */
    async delete(externalId) {
      const id = odooId(externalId);
      if (id === undefined) throw new ConnectorError('not_found', `${JSON.stringify(externalId)} is not an Odoo id`);
      await client.call('sale.order', 'action_cancel', { ids: [id], context: { disable_cancel_warning: true } });
    },
  };
  return { source, sink };
}
