// HubSpot deal (with its company and line items) ↔ canonical order, version 1.
import { defineMapping } from '../engine/definition';

/**
 * In: the deal's company (`company_id`, a reference to `customer`), currency, status, promised date,
 * name and description as notes, and its line items as lines (`hubspot.lineItems`). The status is the
 * one the HubSpot connector computes from the deal stage (`qiao_status_in`: won → confirmed, lost →
 * cancelled, else draft; a won deal keeps the further status Qiao wrote). Out: Qiao writes the order's
 * progress and promised date back to the deal; nothing else of a deal is Qiao's.
 */
export const hubspotOrderV1 = defineMapping({
  connector: 'hubspot',
  entity: 'order',
  version: 1,
  canonical: 'order',
  description: 'HubSpot deal ↔ order: company, currency, status from the deal stage, promised date, lines from line items; status and promised date written back.',
  references: [{ external: 'company_id', entity: 'customer' }],
  fields: [
    { canonical: 'customerId', external: 'company_id', direction: 'in', transform: { name: 'ref', entity: 'customer' }, required: true },
    {
      canonical: 'currency',
      external: 'deal_currency_code',
      direction: 'in',
      transform: [{ name: 'trim' }, { name: 'upper' }, { name: 'default', context: 'currency' }],
      required: true,
      description: "The deal's currency; a deal without one is in the account's company currency (`defaults.currency`).",
    },
    { canonical: 'status', external: 'qiao_status_in', direction: 'in', required: true, description: 'Computed by the connector from dealstage and the configured won and lost stages.' },
    { canonical: 'status', external: 'qiao_order_status', direction: 'out', description: 'The order status, for sales to see on the deal.' },
    { canonical: 'promisedDate', external: 'qiao_promised_date', direction: 'both', transform: { name: 'date', format: 'YYYY-MM-DD' } },
    { canonical: 'notes', external: 'dealname', direction: 'in', transform: { name: 'trim' }, description: 'The deal name, unless the deal has a description (next rule).' },
    { canonical: 'notes', external: 'description', direction: 'in', transform: { name: 'trim' } },
  ],
  functions: ['hubspot.lineItems'],
});
