// The `product` entity: product.product (variants; a product without variants has exactly one).
import type { EntitySink, EntitySource } from '../contract';
import { ConnectorError } from '../errors';
import type { OdooClient } from './client';
import { createModelSink, createModelSource, type ModelEntity } from './model';
import type { FieldTypes } from './values';

/**
 * `type` is consu/service/product up to Odoo 17 and consu/service/combo with `is_storable` from 18;
 * both are read where they exist. `list_price` is a float in the company currency.
 */
export const PRODUCT_FIELDS = ['default_code', 'name', 'display_name', 'barcode', 'list_price', 'uom_id', 'type', 'is_storable', 'active', 'write_date'] as const;

/** Odoo 18 replaced `type = 'product'` (storable) by `type = 'consu'` with `is_storable`: write what the server has. */
function storableForServer(vals: Record<string, unknown>, types: FieldTypes): Record<string, unknown> {
  if ('is_storable' in types) return vals.type === 'product' ? { ...vals, type: 'consu', is_storable: true } : vals;
  const { is_storable: storable, ...rest } = vals;
  if (storable === true && (rest.type === undefined || rest.type === 'consu')) rest.type = 'product';
  return rest;
}

/**
 * Products as a source and a sink (match on `default_code`, the SKU). Records carry `currency`, the
 * company currency, and `is_storable` on every version (derived from `type = 'product'` before 18),
 * and a write of either form is turned into the one the server knows.
 */
export function productEntity(client: OdooClient, options: { pageSize: number; settleSeconds: number; currency: string }): { source: EntitySource; sink: EntitySink } {
  const entity: ModelEntity = {
    model: 'product.product',
    domain: [],
    fields: PRODUCT_FIELDS,
    decorate: (data) => ({ ...data, ...(!('is_storable' in data) && 'type' in data ? { is_storable: data.type === 'product' } : {}), currency: options.currency }),
    async prepare(vals) {
      // `currency` is ours (decorate adds it): Odoo keeps list_price in the company currency only.
      const { currency, ...rest } = vals;
      if (currency !== undefined && currency !== false && currency !== options.currency) {
        throw new ConnectorError('invalid', `Odoo keeps list_price in ${options.currency}, the company currency; got a price in ${String(currency)}`, { field: 'currency' });
      }
      return rest.type === 'product' || 'is_storable' in rest ? storableForServer(rest, await client.fieldTypes('product.product')) : rest;
    },
  };
  return { source: createModelSource(client, entity, options), sink: createModelSink(client, entity) };
}
