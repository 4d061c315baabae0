// The `production_order` entity: mrp.production (Manufacturing). Qiao creates and confirms
// manufacturing orders for a product by SKU, and reads their progress back.
import type { EntitySink, EntitySource, SinkWrite, SourceRecord } from '../contract';
import { ConnectorError } from '../errors';
import type { OdooClient } from './client';
import { cursorAfter, existingFields, odooId, readChanged } from './model';
import { concernsRecord, createDocumentWriter } from './order';
import { type FieldTypes, fromOdooDatetime, many2oneId, normalizeRow, type OdooRow, toOdooVals } from './values';

/** Most manufacturing orders one `upsert` carries. */
export const PRODUCTION_MAX_BATCH = 20;

export const PRODUCTION_FIELDS = ['name', 'product_id', 'product_qty', 'qty_producing', 'state', 'origin', 'date_start', 'date_finished', 'write_date'] as const;

/** Odoo computes `state`; a write asks for one, and the sink moves the order there with its methods. */
const ACTIVE_STATES: readonly string[] = ['confirmed', 'progress', 'to_close', 'done'];

/**
 * The identity of a manufacturing order Qiao creates: its `name` (Reference). Odoo keeps a name given
 * at creation (it numbers WH/MO/00001 only when none is given) and shows it on the shop floor; no
 * other field of mrp.production is both searchable and unique for one canonical production order
 * (`origin` is the sale order, shared by all the orders made for it). The write's identity is used
 * when the mapping gives one, else Qiao's canonical id.
 */
export function productionIdentity(write: SinkWrite): { field: string; value: string } {
  return write.identity ?? { field: 'name', value: write.canonicalId };
}

/**
 * Manufacturing orders as a source and a sink.
 *
 * Source: changed orders by (write_date, id), with the product's SKU as `default_code`; dates ISO UTC.
 * Sink: `default_code` (the SKU) becomes `product_id` (one search per batch); a new order gets its
 * identity in `name` (see `productionIdentity`) and `origin` as given (the sale order's name); a
 * `state` other than draft confirms it (`action_confirm`), `cancel` cancels it. Updates write the
 * product and quantity only while the order is a draft.
 * @example const { source, sink } = productionOrderEntity(client, { pageSize: 200, settleSeconds: 2 })
 */
export function productionOrderEntity(client: OdooClient, options: { pageSize: number; settleSeconds: number }): { source: EntitySource; sink: EntitySink } {
  async function recordsOf(rows: OdooRow[], types: FieldTypes): Promise<SourceRecord[]> {
    const productIds = [...new Set(rows.flatMap((r) => many2oneId(r.product_id) ?? []))];
    const products = productIds.length === 0 ? [] : await client.call<OdooRow[]>('product.product', 'read', { ids: productIds, fields: ['default_code'] });
    const skuOf = new Map(products.map((p) => [p.id, typeof p.default_code === 'string' ? p.default_code : null]));
    return rows.map((row) => ({
      externalId: String(row.id),
      sourceTime: fromOdooDatetime(String(row.write_date)),
      data: { ...normalizeRow(row, types), default_code: skuOf.get(many2oneId(row.product_id) as number) ?? null },
    }));
  }

  const source: EntitySource = {
    async listChanged(cursor, limit) {
      const { fields, types } = await existingFields(client, 'mrp.production', PRODUCTION_FIELDS);
      const { rows, more } = await readChanged(client, { model: 'mrp.production', domain: [], fields, cursor, limit: Math.min(limit, options.pageSize), settleSeconds: options.settleSeconds });
      const last = rows[rows.length - 1];
      return { records: await recordsOf(rows, types), next: last ? cursorAfter(last) : null, more };
    },
    async get(externalId) {
      const id = odooId(externalId);
      if (id === undefined) return undefined;
      const { fields, types } = await existingFields(client, 'mrp.production', PRODUCTION_FIELDS);
      const rows = await client.call<OdooRow[]>('mrp.production', 'search_read', { domain: [['id', '=', id]], fields, limit: 1 });
      return (await recordsOf(rows, types))[0];
    },
  };

  const writer = createDocumentWriter(client, 'mrp.production');

  const sink: EntitySink = {
    maxBatch: PRODUCTION_MAX_BATCH,
    async upsert(writes) {
      if (writes.length > PRODUCTION_MAX_BATCH) throw new ConnectorError('invalid', `an upsert carries at most ${PRODUCTION_MAX_BATCH} writes to mrp.production, got ${writes.length}`);
      const out = writer.batch(writes.length);
      const existing = await writer.existingByIdentity(writes, productionIdentity);
      const targets = writes.map((w, i) => {
        const found = existing.get(i);
        if (found instanceof ConnectorError) {
          out.fail(i, found);
          return undefined;
        }
        if (found !== undefined || !w.externalId) return found;
        const id = odooId(w.externalId);
        if (id === undefined) out.fail(i, new ConnectorError('not_found', `${JSON.stringify(w.externalId)} is not an Odoo id`));
        return id;
      });
      // The same order queued twice in a batch is created once; both get its result.
      const shared = writer.duplicates(writes, productionIdentity, targets);
      for (const [i] of shared) out.fail(i, new ConnectorError('conflict', 'written with the first write of this identity'));
      const products = await writer.productsBySku(writes.flatMap((w, i) => (typeof w.data.default_code === 'string' && !out.results[i] ? [w.data.default_code] : [])));
      const updateIds = targets.flatMap((id, i) => (id !== undefined && !out.results[i] ? [id] : []));
      const current = new Map(
        (updateIds.length === 0 ? [] : await client.call<OdooRow[]>('mrp.production', 'search_read', { domain: [['id', 'in', updateIds]], fields: ['state'] })).map((r) => [r.id, r]),
      );

      // `sale_order_id` (the order it serves) is written as that order's name in `origin`.
      const saleIds = [...new Set(writes.flatMap((w) => (typeof w.data.sale_order_id === 'number' ? [w.data.sale_order_id] : [])))];
      const saleNames = new Map((saleIds.length === 0 ? [] : await client.call<OdooRow[]>('sale.order', 'read', { ids: saleIds, fields: ['name'] })).map((r) => [r.id, String(r.name)]));
      const vals: Record<string, unknown>[] = [];
      const wantedStates: unknown[] = [];
      for (const [i, w] of writes.entries()) {
        if (out.results[i]) continue;
        try {
          const { state, default_code: sku, sale_order_id: saleOrder, ...rest } = toOdooVals(w.data);
          if (typeof saleOrder === 'number' && saleNames.has(saleOrder)) rest.origin = saleNames.get(saleOrder);
          wantedStates[i] = state;
          if (sku !== undefined) rest.product_id = writer.productOf(products, sku, 'default_code');
          const id = targets[i];
          if (id === undefined) {
            if (rest.product_id === undefined) throw new ConnectorError('invalid', 'a manufacturing order needs default_code, the SKU of the product to make', { field: 'default_code' });
            const identity = productionIdentity(w);
            if (rest[identity.field] === undefined) rest[identity.field] = identity.value;
            vals[i] = rest;
            continue;
          }
          const production = current.get(id);
          if (!production) throw new ConnectorError('not_found', `Odoo has no mrp.production ${id} (deleted?)`);
          // Once confirmed, the components are reserved for this product and quantity: Odoo changes them with a wizard only.
          if (production.state !== 'draft') {
            delete rest.product_id;
            delete rest.product_qty;
          }
          vals[i] = rest;
        } catch (err) {
          if (!(err instanceof ConnectorError) || !concernsRecord(err)) throw err;
          out.fail(i, err);
        }
      }

      const written = await out.write(targets, vals);
      const stateOf = (i: number) => (targets[i] === undefined ? 'draft' : String(current.get(targets[i] as number)?.state));
      await out.method('action_confirm', new Map([...written].filter(([i]) => ACTIVE_STATES.includes(String(wantedStates[i])) && stateOf(i) === 'draft')));
      await out.method('action_cancel', new Map([...written].filter(([i]) => wantedStates[i] === 'cancel' && !['cancel', 'done'].includes(stateOf(i)))));
      return out.done(shared);
    },
    findByIdentity: writer.findByIdentity,
  };
  return { source, sink };
}
