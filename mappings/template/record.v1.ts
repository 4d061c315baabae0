// The template connector's `record` ↔ canonical Customer, version 1: the example to copy with the
// connector (one file per entity and version; a new version is a new file).
import { defineMapping } from '../engine/definition';

export const templateRecordV1 = defineMapping({
  connector: 'template',
  entity: 'record',
  version: 1,
  canonical: 'customer',
  description: 'A generic REST record ↔ Customer: name, email, E.164 phone (default +49), customer number; Qiao’s id goes to `qiao_id` so a lost create is found again.',
  identity: { external: 'qiao_id', canonical: 'id' },
  fields: [
    { canonical: 'name', external: 'name', direction: 'both', transform: { name: 'trim' }, required: true },
    { canonical: 'number', external: 'number', direction: 'both' },
    { canonical: 'emails.0', external: 'email', direction: 'both', transform: [{ name: 'trim' }, { name: 'lower' }] },
    { canonical: 'phones.0', external: 'phone', direction: 'both', transform: { name: 'e164', defaultCountry: '49' } },
    { canonical: 'id', external: 'qiao_id', direction: 'out', createOnly: true },
  ],
});
