// Salesforce Order (or Opportunity) with its lines → canonical order, version 1; Qiao's status and
// promised date written back.
import { defineMapping } from '../engine/definition';

/**
 * One mapping for both order models of the connector: an Order has Status and OrderNumber, an
 * Opportunity StageName and no number. Lines come from the connector's `items`
 * (`salesforce.orderItems`), prices in minor units of `CurrencyIsoCode` (else `defaults.currency`).
 * Out writes only Qiao's fields on the header: Qiao never changes what sales entered.
 */
export const salesforceOrderV1 = defineMapping({
  connector: 'salesforce',
  entity: 'order',
  version: 1,
  canonical: 'order',
  description: 'Order/Opportunity + lines → order: account, number, currency, status, notes, lines by product code; out: Qiao_Status__c and Qiao_Promised_Date__c.',
  references: [{ external: 'AccountId', entity: 'customer' }],
  fields: [
    { canonical: 'customerId', external: 'AccountId', direction: 'in', transform: { name: 'ref', entity: 'customer' }, required: true },
    { canonical: 'number', external: 'OrderNumber', direction: 'in', transform: { name: 'trim' }, description: 'Orders only; an opportunity gets a Qiao number.' },
    {
      canonical: 'currency',
      external: 'CurrencyIsoCode',
      direction: 'in',
      transform: [{ name: 'default', context: 'currency' }, { name: 'upper' }],
      description: 'Multi-currency orgs only; elsewhere the corporate currency (`defaults.currency`).',
    },
    { canonical: 'notes', external: 'Description', direction: 'in', transform: { name: 'trim' } },
    {
      canonical: 'promisedDate',
      external: 'Qiao_Promised_Date__c',
      direction: 'both',
      description: 'A Date field Qiao fills from the ERP; read back so a record Qiao wrote maps to what it wrote.',
    },
  ],
  functions: ['salesforce.orderStatus', 'salesforce.orderItems'],
});
