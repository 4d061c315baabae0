// The `order` entity: Order + OrderItem, or Opportunity + OpportunityLineItem (config `orderModel`).
// Orders are made in Salesforce; Qiao reads them with their lines and writes back its own status and
// promised date (Qiao_Status__c, Qiao_Promised_Date__c) on the header.
import type { EntitySink, EntitySource } from '../contract';
import type { SalesforceClient } from './client';
import type { SalesforceConfig } from './config';
import { type SObjectEntityOptions, type SObjectEntitySpec, sobjectEntity } from './sobject';

/** Written by Qiao on the header. */
export const ORDER_WRITEBACK_FIELDS = ['Qiao_Status__c', 'Qiao_Promised_Date__c'] as const;

/** `CurrencyIsoCode` exists in multi-currency orgs only. */
const SPECS: Record<SalesforceConfig['orderModel'], Omit<SObjectEntitySpec, 'noCreate'>> = {
  order: {
    object: 'Order',
    fields: ['AccountId', 'OrderNumber', 'Status', 'EffectiveDate', 'Description', 'CurrencyIsoCode', 'TotalAmount', ...ORDER_WRITEBACK_FIELDS],
    lines: { object: 'OrderItem', parentField: 'OrderId', fields: ['Quantity', 'UnitPrice', 'Description'], productCode: 'Product2.ProductCode' },
  },
  opportunity: {
    object: 'Opportunity',
    fields: ['AccountId', 'Name', 'StageName', 'IsWon', 'IsClosed', 'CloseDate', 'Description', 'CurrencyIsoCode', 'Amount', ...ORDER_WRITEBACK_FIELDS],
    lines: { object: 'OpportunityLineItem', parentField: 'OpportunityId', fields: ['Quantity', 'UnitPrice', 'Discount', 'Description'], productCode: 'ProductCode' },
  },
};

/** The Salesforce objects of an order model: header and lines. */
export function orderObjects(model: SalesforceConfig['orderModel']): { header: string; lines: string } {
  const spec = SPECS[model];
  return { header: spec.object, lines: spec.lines?.object ?? '' };
}

/**
 * Orders as a source (header fields, AccountId and `items: [{ Id, ProductCode, Quantity, UnitPrice,
 * Description }]`) and a sink that updates headers only. A change of a line changes the header's
 * SystemModstamp (its total is a roll-up of the lines), so a changed line lists its order again.
 * @example const { source, sink } = orderEntity(client, 'order', { pageSize: 200, externalIdField: 'Qiao_Id__c' })
 */
export function orderEntity(client: SalesforceClient, model: SalesforceConfig['orderModel'], options: SObjectEntityOptions): { source: EntitySource; sink: EntitySink } {
  const spec = SPECS[model];
  return sobjectEntity(
    client,
    {
      ...spec,
      noCreate: `Qiao does not create Salesforce ${spec.object} records: orders are made in Salesforce (their lines need price book entries), and Qiao writes back only ${ORDER_WRITEBACK_FIELDS.join(' and ')}`,
    },
    options,
  );
}
