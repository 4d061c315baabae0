// Salesforce Contact ↔ canonical Contact, version 1.
import { defineMapping } from '../engine/definition';

const text = [{ name: 'trim' }];
const phone = { name: 'e164', defaultCountry: '49' };

/**
 * `AccountId` is the customer the person works for: a reference to the `customer` entity, looked up
 * before mapping; a contact whose account is not synced yet is an error naming AccountId. The name is
 * Salesforce's compound Name in, FirstName + LastName out (`salesforce.contactName`).
 */
export const salesforceContactV1 = defineMapping({
  connector: 'salesforce',
  entity: 'contact',
  version: 1,
  canonical: 'contact',
  description: 'Contact ↔ Contact: account, name (FirstName/LastName), title, email, phone (MobilePhone when there is no Phone); Qiao id in Qiao_Id__c.',
  identity: { external: 'Qiao_Id__c', canonical: 'id' },
  references: [{ external: 'AccountId', entity: 'customer' }],
  fields: [
    { canonical: 'customerId', external: 'AccountId', direction: 'both', transform: { name: 'ref', entity: 'customer' }, required: true },
    { canonical: 'title', external: 'Title', direction: 'both', transform: text },
    { canonical: 'email', external: 'Email', direction: 'both', transform: [...text, { name: 'lower' }] },
    { canonical: 'phone', external: 'MobilePhone', direction: 'in', transform: phone, description: 'The mobile, for a person with no phone; the Phone rule below wins.' },
    { canonical: 'phone', external: 'Phone', direction: 'both', transform: phone },
    { canonical: 'id', external: 'Qiao_Id__c', direction: 'out', description: 'Identity, as for customers.' },
  ],
  functions: ['salesforce.contactName'],
});
