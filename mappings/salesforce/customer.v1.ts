// Salesforce Account ↔ canonical Customer, version 1.
import { defineMapping } from '../engine/definition';

const text = [{ name: 'trim' }];

/**
 * The billing address is the customer's address. Its country is `BillingCountryCode` in orgs with
 * State and Country picklists; elsewhere `BillingCountry` (free text) must hold the ISO code, and the
 * Salesforce connector writes the code there. Phones: national numbers are read as German (+49).
 *
 * Identity: Qiao's id goes into the external id field `Qiao_Id__c` (the connector writes it to its
 * configured `externalIdField`); creates are upserts by it, so a create whose answer was lost is not
 * made twice, and a record first made in Salesforce gets it stamped on Qiao's first write.
 */
export const salesforceCustomerV1 = defineMapping({
  connector: 'salesforce',
  entity: 'customer',
  version: 1,
  canonical: 'customer',
  description: 'Account ↔ Customer: name, account number, phone (E.164, default +49), billing address, person or company; Qiao id in Qiao_Id__c.',
  identity: { external: 'Qiao_Id__c', canonical: 'id' },
  fields: [
    { canonical: 'name', external: 'Name', direction: 'both', transform: { name: 'trim' }, required: true },
    { canonical: 'number', external: 'AccountNumber', direction: 'both', transform: text },
    {
      canonical: 'kind',
      external: 'IsPersonAccount',
      direction: 'in',
      transform: { name: 'enum', map: { true: 'person', false: 'company' } },
      description: 'Only orgs with person accounts have IsPersonAccount; elsewhere every Account is a company. Not written: a person account is made by its record type.',
    },
    { canonical: 'phones.0', external: 'Phone', direction: 'both', transform: { name: 'e164', defaultCountry: '49' } },
    { canonical: 'addresses.0.street', external: 'BillingStreet', direction: 'both', transform: text, description: 'Several lines stay several lines (Salesforce keeps them in one field).' },
    { canonical: 'addresses.0.city', external: 'BillingCity', direction: 'both', transform: text },
    { canonical: 'addresses.0.postalCode', external: 'BillingPostalCode', direction: 'both', transform: text },
    { canonical: 'addresses.0.region', external: 'BillingState', direction: 'both', transform: text },
    {
      canonical: 'addresses.0.country',
      external: 'BillingCountry',
      direction: 'in',
      transform: [{ name: 'trim' }, { name: 'upper' }],
      description: 'Orgs without country picklists: the ISO code in the text field. BillingCountryCode, below, wins where the org has it.',
    },
    {
      canonical: 'addresses.0.country',
      external: 'BillingCountryCode',
      direction: 'both',
      transform: [{ name: 'trim' }, { name: 'upper' }, { name: 'default', context: 'country' }],
      description: 'Written as BillingCountryCode; the connector moves it to BillingCountry in orgs without country picklists.',
    },
    { canonical: 'addresses.0.kind', external: '', direction: 'in', transform: { name: 'constant', value: 'billing' } },
    { canonical: 'id', external: 'Qiao_Id__c', direction: 'out', description: 'Identity: see the module comment.' },
  ],
});
