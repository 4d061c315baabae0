// Odoo res.partner (a person with a parent company) ↔ canonical Contact, version 1.
import { defineMapping } from '../engine/definition';

const text = [{ name: 'falseToEmpty' }, { name: 'trim' }];
const phone = [{ name: 'falseToEmpty' }, { name: 'e164', defaultCountry: '49' }];

/**
 * `parent_id` is the customer the person works for: a reference to the `customer` entity, looked up by
 * the engine before mapping (`ctx.refs.customer`). A contact whose company is not synced yet is an
 * error naming `parent_id`, never a contact without a customer.
 */
export const odooContactV1 = defineMapping({
  connector: 'odoo',
  entity: 'contact',
  version: 1,
  canonical: 'contact',
  description: 'res.partner person with parent_id ↔ Contact: customer, name, job title, email, phone (mobile when there is no phone).',
  identity: { external: 'ref', canonical: 'id' },
  references: [{ external: 'parent_id', entity: 'customer' }],
  fields: [
    {
      canonical: 'customerId',
      external: 'parent_id',
      direction: 'both',
      transform: [{ name: 'many2oneId' }, { name: 'ref', entity: 'customer' }],
      required: true,
    },
    { canonical: 'name', external: 'name', direction: 'both', transform: { name: 'trim' }, required: true },
    { canonical: 'title', external: 'function', direction: 'both', transform: text, description: "Odoo's job position." },
    { canonical: 'email', external: 'email', direction: 'both', transform: [...text, { name: 'lower' }] },
    { canonical: 'phone', external: 'mobile', direction: 'in', transform: phone, description: 'The mobile, for a person with no phone; the phone rule below wins.' },
    { canonical: 'phone', external: 'phone', direction: 'both', transform: phone },
    { canonical: '', external: 'is_company', direction: 'out', createOnly: true, transform: { name: 'constant', value: false } },
    { canonical: 'id', external: 'ref', direction: 'out', createOnly: true, description: 'Identity: Qiao writes its id into ref when it creates the person.' },
  ],
});
