// HubSpot product ↔ canonical Product, version 1, with the stock Qiao writes onto the product.
import { defineMapping } from '../engine/definition';

/**
 * The SKU is HubSpot's `hs_sku`. The price is in the currency of the context (`defaults.currency`,
 * the account's company currency from the connector config); more decimals than that currency has
 * are an error, never rounded away. Stock flows out only (`hubspot.stock`): the ERP owns it, and
 * sales see it on the HubSpot product with its `as of` time.
 */
export const hubspotProductV1 = defineMapping({
  connector: 'hubspot',
  entity: 'product',
  version: 1,
  canonical: 'product',
  description: 'HubSpot product ↔ Product: hs_sku as SKU, name, price (Money); stock summed over warehouses written to qiao_stock_* (out only).',
  identity: { external: 'qiao_id', canonical: 'id' },
  fields: [
    { canonical: 'sku', external: 'hs_sku', direction: 'both', transform: { name: 'trim' }, required: true },
    { canonical: 'name', external: 'name', direction: 'both', transform: { name: 'trim' }, required: true },
    { canonical: 'listPrice', external: 'price', direction: 'both', transform: { name: 'money' } },
    { canonical: 'id', external: 'qiao_id', direction: 'out', createOnly: true, description: 'Identity: Qiao writes its id into qiao_id when it creates the product.' },
  ],
  functions: ['hubspot.stock'],
});
