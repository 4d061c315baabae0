// Odoo res.partner (a company, or a private customer without a parent) ↔ canonical Customer, version 1.
import { defineMapping } from '../engine/definition';

const text = [{ name: 'falseToEmpty' }, { name: 'trim' }];
const phone = [{ name: 'falseToEmpty' }, { name: 'e164', defaultCountry: '49' }];

/**
 * Odoo's `false` for an empty field is handled on every optional field (`falseToEmpty`): it is no value
 * coming in, and a canonical field without a value is written as `false`, which clears it in Odoo.
 *
 * Identity: when Qiao creates a partner it writes its canonical id into `ref` (Odoo's "Internal
 * Reference"), so a create whose answer was lost is found again by searching `ref` instead of being
 * made twice. Only on create: a partner that was made in Odoo keeps its own `ref` (often a customer
 * number), and `ref` is never read in.
 */
export const odooCustomerV1 = defineMapping({
  connector: 'odoo',
  entity: 'customer',
  version: 1,
  canonical: 'customer',
  description: 'res.partner (company or private customer) ↔ Customer: name, VAT, first email, phone and mobile as E.164 (default +49), billing address, active.',
  identity: { external: 'ref', canonical: 'id' },
  fields: [
    { canonical: 'name', external: 'name', direction: 'both', transform: { name: 'trim' }, required: true },
    {
      canonical: 'kind',
      external: 'is_company',
      direction: 'both',
      transform: { name: 'enum', map: { true: 'company', false: 'person' }, out: { company: true, person: false } },
    },
    { canonical: 'taxId', external: 'vat', direction: 'both', transform: text },
    {
      canonical: 'emails.0',
      external: 'email',
      direction: 'both',
      transform: [...text, { name: 'lower' }],
      description: 'Odoo has one email field: the first canonical email. Further canonical emails are not written to Odoo.',
    },
    { canonical: 'phones.0', external: 'phone', direction: 'both', transform: phone },
    {
      canonical: 'phones.1',
      external: 'mobile',
      direction: 'both',
      transform: phone,
      description:
        'A partner with a mobile but no phone gets it as the first canonical phone; written back, it lands in `phone`. Odoo 19 has no `mobile` on partners: the connector neither reads nor writes it there.',
    },
    { canonical: 'addresses.0.street', external: 'street', direction: 'both', transform: text, description: 'The first line; `odoo.street2` adds street2.' },
    { canonical: 'addresses.0.city', external: 'city', direction: 'both', transform: text },
    { canonical: 'addresses.0.postalCode', external: 'zip', direction: 'both', transform: text },
    {
      canonical: 'addresses.0.country',
      external: 'country_code',
      direction: 'both',
      transform: [...text, { name: 'upper' }, { name: 'default', context: 'country' }],
      description:
        "Odoo's country_code is read-only (related to country_id.code): the Odoo sink turns it into country_id when writing. An address without a country takes the context's defaults.country.",
    },
    { canonical: 'addresses.0.kind', external: '', direction: 'in', transform: { name: 'constant', value: 'billing' }, description: "Odoo's partner address is its billing address." },
    { canonical: 'id', external: 'ref', direction: 'out', createOnly: true, description: 'Identity: Qiao writes its id on create; see the module comment.' },
    {
      canonical: 'status',
      external: 'active',
      direction: 'both',
      transform: { name: 'enum', map: { true: 'active', false: 'inactive' }, out: { active: true, inactive: false, blocked: false } },
      description: 'A blocked customer may not order: it is archived in Odoo, and comes back as inactive if Odoo owns the status.',
    },
  ],
  functions: ['odoo.street2'],
});
