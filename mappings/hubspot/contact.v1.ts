// HubSpot contact ↔ canonical Contact, version 1.
import { defineMapping } from '../engine/definition';

const phone = [{ name: 'trim' }, { name: 'e164', defaultCountry: '49' }];

/**
 * `company_id` is the contact's primary company, as the HubSpot connector reads it from the
 * associations API: a reference to the `customer` entity, looked up by the engine before mapping
 * (`ctx.refs.customer`). A contact whose company is not synced yet is an error naming `company_id`,
 * never a contact without a customer. Written out, the connector makes that company the contact's
 * primary company.
 */
export const hubspotContactV1 = defineMapping({
  connector: 'hubspot',
  entity: 'contact',
  version: 1,
  canonical: 'contact',
  description: 'HubSpot contact ↔ Contact: company, first and last name, job title, email, phone (mobile when there is no phone).',
  identity: { external: 'qiao_id', canonical: 'id' },
  references: [{ external: 'company_id', entity: 'customer' }],
  fields: [
    { canonical: 'customerId', external: 'company_id', direction: 'both', transform: { name: 'ref', entity: 'customer' }, required: true },
    { canonical: 'title', external: 'jobtitle', direction: 'both', transform: { name: 'trim' } },
    { canonical: 'email', external: 'email', direction: 'both', transform: [{ name: 'trim' }, { name: 'lower' }] },
    { canonical: 'phone', external: 'mobilephone', direction: 'in', transform: phone, description: 'The mobile, for a person with no phone; the phone rule below wins.' },
    { canonical: 'phone', external: 'phone', direction: 'both', transform: phone },
    { canonical: 'id', external: 'qiao_id', direction: 'out', createOnly: true, description: 'Identity: Qiao writes its id into qiao_id when it creates the contact.' },
  ],
  functions: ['hubspot.personName'],
});
