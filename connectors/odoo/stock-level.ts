// The `stock_level` entity: on-hand and reserved quantity of one product in one warehouse, summed
// over the stock.quant rows of the warehouse's internal locations (one per location, lot, package).
// Source only: stock changes in Odoo through stock moves, never by writing a level.
import type { EntitySource, SourceRecord } from '../contract';
import type { OdooClient } from './client';
import { cursorAfter, type Domain, existingFields, readChanged } from './model';
import { fromOdooDatetime, many2oneId, type OdooRow, sumQuantities } from './values';

/** Stock that is in a warehouse: quants of internal locations (not customers, vendors, adjustments, transit). */
const INTERNAL_QUANTS: Domain = [['location_id.usage', '=', 'internal']];

const QUANT_FIELDS = ['product_id', 'warehouse_id', 'location_id', 'quantity', 'reserved_quantity', 'write_date'];

function orNull(value: unknown): unknown {
  return value === false || value === undefined ? null : value;
}

/** `"<product_id>:<warehouse_id>"`, the external id of a stock level. */
export function stockLevelId(productId: number, warehouseId: number): string {
  return `${productId}:${warehouseId}`;
}

/**
 * Stock levels as a source. A change listing finds the quants changed after the cursor, then
 * re-reads every quant of the (product, warehouse) pairs they belong to, so each level is a full sum.
 * Its cursor is the last changed quant's (write_date, id).
 *
 * `incoming_qty` (expected from receipts and production) is read per warehouse where the server
 * has the field. Odoo deletes quants that reach zero, so a level that drops to nothing may be seen
 * only by the next full listing (cursor null).
 * @example const { source } = stockLevelEntity(client, { pageSize: 200, settleSeconds: 2 }); const page = await source.listChanged(null, 100)
 */
export function stockLevelEntity(client: OdooClient, options: { pageSize: number; settleSeconds: number }): { source: EntitySource } {
  const { pageSize, settleSeconds } = options;
  /** Every internal quant of the given products in the given warehouses, paged by id. */
  async function quantsOf(productIds: number[], warehouseIds: number[]): Promise<OdooRow[]> {
    const { fields } = await existingFields(client, 'stock.quant', QUANT_FIELDS);
    const all: OdooRow[] = [];
    for (let lastId = 0; ; ) {
      const page = await client.call<OdooRow[]>('stock.quant', 'search_read', {
        domain: [...INTERNAL_QUANTS, ['product_id', 'in', productIds], ['warehouse_id', 'in', warehouseIds], ['id', '>', lastId]],
        fields,
        order: 'id asc',
        limit: pageSize,
      });
      all.push(...page);
      if (page.length < pageSize) return all;
      lastId = page[page.length - 1]?.id ?? lastId;
    }
  }

  /** Incoming quantity per product in one warehouse: Odoo computes it from the `warehouse_id` context. */
  async function incomingIn(warehouseId: number, productIds: number[]): Promise<Map<number, unknown>> {
    const rows = await client.call<OdooRow[]>('product.product', 'read', { ids: productIds, fields: ['incoming_qty'], context: { warehouse_id: warehouseId } });
    return new Map(rows.map((r) => [r.id, r.incoming_qty]));
  }

  /** The levels of the given pairs, oldest change first. */
  async function levels(pairs: Map<string, { productId: number; warehouseId: number }>): Promise<SourceRecord[]> {
    if (pairs.size === 0) return [];
    const productIds = [...new Set([...pairs.values()].map((p) => p.productId))];
    const warehouseIds = [...new Set([...pairs.values()].map((p) => p.warehouseId))];
    const quants = await quantsOf(productIds, warehouseIds);
    const groups = new Map<string, OdooRow[]>();
    for (const quant of quants) {
      const pid = many2oneId(quant.product_id);
      const wid = many2oneId(quant.warehouse_id);
      if (pid === undefined || wid === undefined) continue;
      const key = stockLevelId(pid, wid);
      if (!pairs.has(key)) continue;
      const group = groups.get(key);
      if (group) group.push(quant);
      else groups.set(key, [quant]);
    }
    const productTypes = await client.fieldTypes('product.product');
    const [products, warehouses] = await Promise.all([
      client.call<OdooRow[]>('product.product', 'read', { ids: productIds, fields: ['default_code'] }),
      client.call<OdooRow[]>('stock.warehouse', 'read', { ids: warehouseIds, fields: ['code', 'name'] }),
    ]);
    const skuOf = new Map(products.map((p) => [p.id, orNull(p.default_code)]));
    const warehouseOf = new Map(warehouses.map((w) => [w.id, w]));
    const incoming = new Map<number, Map<number, unknown>>();
    if ('incoming_qty' in productTypes) {
      for (const wid of warehouseIds) {
        const pids = [...pairs.values()].filter((p) => p.warehouseId === wid).map((p) => p.productId);
        incoming.set(wid, await incomingIn(wid, pids));
      }
    }

    const records: SourceRecord[] = [];
    for (const [key, group] of groups) {
      const { productId, warehouseId } = pairs.get(key) as { productId: number; warehouseId: number };
      const latest = group.map((q) => String(q.write_date)).sort().at(-1) as string;
      const warehouse = warehouseOf.get(warehouseId);
      const data: Record<string, unknown> = {
        product_id: group[0]?.product_id,
        default_code: orNull(skuOf.get(productId)),
        warehouse_id: group[0]?.warehouse_id,
        warehouse_code: orNull(warehouse?.code),
        quantity: sumQuantities(group.map((q) => q.quantity)),
        reserved_quantity: sumQuantities(group.map((q) => q.reserved_quantity)),
        write_date: fromOdooDatetime(latest),
      };
      const incomingQty = incoming.get(warehouseId)?.get(productId);
      if (incomingQty !== undefined) data.incoming_qty = sumQuantities([incomingQty]);
      records.push({ externalId: key, sourceTime: fromOdooDatetime(latest), data });
    }
    return records.sort((a, b) => (a.sourceTime < b.sourceTime ? -1 : a.sourceTime > b.sourceTime ? 1 : a.externalId < b.externalId ? -1 : 1));
  }

  const source: EntitySource = {
    async listChanged(cursor, limit) {
      const { fields } = await existingFields(client, 'stock.quant', ['product_id', 'warehouse_id']);
      const { rows, more } = await readChanged(client, { model: 'stock.quant', domain: INTERNAL_QUANTS, fields, cursor, limit: Math.min(limit, pageSize), settleSeconds });
      const pairs = new Map<string, { productId: number; warehouseId: number }>();
      for (const row of rows) {
        const productId = many2oneId(row.product_id);
        const warehouseId = many2oneId(row.warehouse_id);
        // An internal location outside every warehouse has no level to report.
        if (productId !== undefined && warehouseId !== undefined) pairs.set(stockLevelId(productId, warehouseId), { productId, warehouseId });
      }
      const last = rows[rows.length - 1];
      return { records: await levels(pairs), next: last ? cursorAfter(last) : null, more };
    },
    async get(externalId) {
      const match = /^([1-9]\d*):([1-9]\d*)$/.exec(externalId);
      if (!match) return undefined;
      const productId = Number(match[1]);
      const warehouseId = Number(match[2]);
      const [record] = await levels(new Map([[externalId, { productId, warehouseId }]]));
      return record;
    },
  };
  return { source };
}
