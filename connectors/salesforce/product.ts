// The `product` entity: Product2, ProductCode being the SKU. Qiao writes the ERP's stock into four
// custom fields (Qiao_Stock_*), always together with their "as of" time.
import type { EntitySink, EntitySource } from '../contract';
import type { SalesforceClient } from './client';
import { type SObjectEntityOptions, sobjectEntity } from './sobject';

/** Stock fields Qiao writes; read back too, so the echo of a write is recognised as one. */
export const STOCK_FIELDS = ['Qiao_Stock_On_Hand__c', 'Qiao_Stock_Available__c', 'Qiao_Stock_Incoming__c', 'Qiao_Stock_As_Of__c'] as const;

export const PRODUCT_FIELDS = ['Name', 'ProductCode', 'Description', 'IsActive', 'Family', 'QuantityUnitOfMeasure', ...STOCK_FIELDS] as const;

/**
 * Products as a source and a sink. `delete` archives (`IsActive = false`): a product on price books
 * or order lines cannot be deleted in Salesforce.
 * @example const { source, sink } = productEntity(client, { pageSize: 200, externalIdField: 'Qiao_Id__c' })
 */
export function productEntity(client: SalesforceClient, options: SObjectEntityOptions): { source: EntitySource; sink: EntitySink } {
  return sobjectEntity(client, { object: 'Product2', fields: PRODUCT_FIELDS, archive: { IsActive: false } }, options);
}
