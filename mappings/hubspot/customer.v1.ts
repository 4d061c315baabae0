// HubSpot company ↔ canonical Customer, version 1.
import { defineMapping } from '../engine/definition';

const text = { name: 'trim' };
const phone = [{ name: 'trim' }, { name: 'e164', defaultCountry: '49' }];

/**
 * HubSpot gives an empty property as `null` (or empty text): no value coming in. A canonical field
 * without a value is not written, so HubSpot keeps what it has.
 *
 * Identity: Qiao writes its id into the unique custom property `qiao_id` when it creates a company
 * (the connector upserts by it), so a create whose answer was lost is found again instead of being
 * made twice. Only on create: `qiao_id` is never read in.
 */
export const hubspotCustomerV1 = defineMapping({
  connector: 'hubspot',
  entity: 'customer',
  version: 1,
  canonical: 'customer',
  description: 'HubSpot company ↔ Customer: name, phone as E.164 (default +49), web site and domain, address with ISO country, lifecycle stage as segment.',
  identity: { external: 'qiao_id', canonical: 'id' },
  fields: [
    { canonical: 'name', external: 'name', direction: 'both', transform: text, required: true },
    { canonical: 'kind', external: '', direction: 'in', transform: { name: 'constant', value: 'company' }, description: 'HubSpot companies are companies; people are contacts.' },
    { canonical: 'phones.0', external: 'phone', direction: 'both', transform: phone },
    { canonical: 'addresses.0.street', external: 'address', direction: 'both', transform: text, description: 'The first line; `hubspot.address` adds address2 and writes the lines back.' },
    { canonical: 'addresses.0.city', external: 'city', direction: 'both', transform: text },
    { canonical: 'addresses.0.postalCode', external: 'zip', direction: 'both', transform: text },
    { canonical: 'addresses.0.region', external: 'state', direction: 'both', transform: text },
    { canonical: 'addresses.0.kind', external: '', direction: 'in', transform: { name: 'constant', value: 'billing' }, description: "A HubSpot company's address is its billing address." },
    {
      canonical: 'segment',
      external: 'lifecyclestage',
      direction: 'in',
      transform: text,
      description: "HubSpot's lifecycle stage (lead, opportunity, customer, …) as the segment. Not written: HubSpot allows only its own stages.",
    },
    { canonical: 'id', external: 'qiao_id', direction: 'out', createOnly: true, description: 'Identity: Qiao writes its id on create; see the module comment.' },
  ],
  functions: ['hubspot.address', 'hubspot.website'],
});
