// The `product` entity: HubSpot products (the product library), with the stock figures Qiao writes.
import type { EntitySink, EntitySource } from '../contract';
import type { HubspotClient } from './client';
import { createObjectEntity } from './objects';

/** Stock properties Qiao writes on products (custom properties to create in HubSpot; read back too). */
export const STOCK_PROPERTIES = ['qiao_stock_on_hand', 'qiao_stock_available', 'qiao_stock_incoming', 'qiao_stock_as_of'] as const;

/** Product properties Qiao reads. `price` is in the account's company currency. */
export const PRODUCT_PROPERTIES = ['name', 'hs_sku', 'price', 'description', ...STOCK_PROPERTIES, 'createdate'] as const;

/**
 * Products as a source and a sink (creates are upserts by `idProperty`; deletes archive).
 * @example const { sink } = productEntity(api, { idProperty: 'qiao_id', pageSize: 100 })
 */
export function productEntity(api: HubspotClient, options: { idProperty: string; pageSize: number }): { source: EntitySource; sink: EntitySink } {
  return createObjectEntity(
    api,
    { objectType: 'products', modifiedProperty: 'hs_lastmodifieddate', properties: PRODUCT_PROPERTIES, idProperty: options.idProperty, archivable: true },
    options,
  );
}
