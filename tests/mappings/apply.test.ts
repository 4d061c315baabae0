// Running mappings: partial values, directions, create-only rules, lists, references, identity,
// diffs, compilation, and the built-in registry.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compileMapping,
  defaultBuiltInVersion,
  diffFields,
  getBuiltInMapping,
  identityOf,
  listBuiltInMappings,
  type MapContext,
  MappingDefinitionError,
  mapToCanonical,
  mapToExternal,
  ownedFields,
  parseMappingDefinition,
  referencedCanonicalIds,
  referencedIds,
  UnknownMappingError,
} from '../../mappings/engine';

const CUS = 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3';
const ctx: MapContext = { refs: {}, defaults: {} };
const customer = getBuiltInMapping('odoo', 'customer', 1);
const contact = getBuiltInMapping('odoo', 'contact', 1);
const product = getBuiltInMapping('odoo', 'product', 1);

const partner = {
  id: 7,
  name: 'Acme GmbH',
  is_company: true,
  vat: false,
  email: 'info@acme.de',
  phone: false,
  mobile: '0151 12345678',
  street: false,
  street2: false,
  city: false,
  zip: false,
  country_code: false,
  active: true,
  ref: 'C-1001',
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('mapToCanonical', () => {
  it('gives only the fields the mapping owns, from its in and both rules', () => {
    const { value, errors } = mapToCanonical(customer, partner, ctx);
    expect(errors).toEqual([]);
    expect(Object.keys(value).sort()).toEqual(['addresses', 'emails', 'kind', 'name', 'phones', 'status']);
    expect(value).not.toHaveProperty('id'); // ref is written out only
  });

  it('builds dense lists from indexed paths: a mobile alone is the first phone', () => {
    expect(mapToCanonical(customer, partner, ctx).value.phones).toEqual(['+4915112345678']);
  });

  it('never makes a list element from a constant alone: no address fields, no address', () => {
    expect(mapToCanonical(customer, partner, ctx).value.addresses).toEqual([]);
    expect(mapToCanonical(customer, { ...partner, city: 'Berlin', country_code: 'DE' }, ctx).value.addresses).toEqual([{ city: 'Berlin', country: 'DE', kind: 'billing' }]);
  });

  it('of several rules for one field, the last one with a value wins', () => {
    const person = { name: 'Max', parent_id: [7, 'Acme'], function: false, email: false, phone: false, mobile: '0171 2345678' };
    const refs = { customer: { '7': CUS } };
    expect(mapToCanonical(contact, person, { refs, defaults: {} }).value.phone).toBe('+491712345678');
    expect(mapToCanonical(contact, { ...person, phone: '030 1234567' }, { refs, defaults: {} }).value.phone).toBe('+49301234567');
  });

  it('a rule whose source has no value only fills: a default never replaces a value set by another rule', () => {
    const def = parseMappingDefinition({
      connector: 'acme',
      entity: 'customer',
      version: 1,
      canonical: 'customer',
      fields: [
        { canonical: 'name', external: 'name', direction: 'both' },
        { canonical: 'segment', external: 'segment', direction: 'in', transform: { name: 'falseToEmpty' } },
        { canonical: 'segment', external: 'category', direction: 'in', transform: [{ name: 'falseToEmpty' }, { name: 'default', value: 'smb' }] },
        { canonical: 'addresses.0.country', external: 'country', direction: 'in', transform: [{ name: 'falseToEmpty' }, { name: 'default', value: 'DE' }] },
        { canonical: 'addresses.0.country', external: 'land', direction: 'in', transform: { name: 'falseToEmpty' } },
        { canonical: 'addresses.0.city', external: 'city', direction: 'in', transform: { name: 'falseToEmpty' } },
      ],
    });
    expect(mapToCanonical(def, { name: 'A', segment: 'key', category: false, country: false, land: 'AT', city: 'Wien' }, ctx).value).toEqual({
      name: 'A',
      segment: 'key',
      addresses: [{ country: 'AT', city: 'Wien' }],
    });
    expect(mapToCanonical(def, { name: 'A', segment: false, category: false, country: false, land: false, city: 'Köln' }, ctx).value).toEqual({
      name: 'A',
      segment: 'smb',
      addresses: [{ city: 'Köln', country: 'DE' }],
    });
    expect(mapToCanonical(def, { name: 'A', segment: false, category: false, country: false, land: false, city: false }, ctx).value).toEqual({
      name: 'A',
      segment: 'smb',
      addresses: [],
    });
  });

  it('checks the result against the canonical schema and names both fields', () => {
    const { errors } = mapToCanonical(customer, { ...partner, name: 'x'.repeat(201), city: 'Berlin' }, ctx);
    expect(errors).toEqual([
      { field: 'name', external: 'name', message: expect.stringMatching(/^from name: /) },
      { field: 'addresses.0.country', external: 'country_code', message: 'from country_code: is required, but the source gives it no value' },
    ]);
  });

  it('skips the canonical schema check when the caller validates itself, but still reports transform errors', () => {
    const bad = { ...partner, name: 'x'.repeat(201), phone: 'ask reception' };
    expect(mapToCanonical(customer, bad, { ...ctx, validate: false }).errors.map((e) => e.field)).toEqual(['phones.0']);
    expect(mapToCanonical(customer, bad, ctx).errors.map((e) => e.field)).toEqual(['phones.0', 'name']);
  });

  it('neither changes nor keeps the record it reads', () => {
    const frozen = deepFreeze({ ...partner, street: 'Hauptstr. 1', street2: 'Hinterhaus', city: 'Berlin', country_code: 'DE' });
    const { value } = mapToCanonical(customer, frozen, ctx);
    (value.addresses as { street: string }[])[0]!.street = 'changed';
    expect(frozen.street).toBe('Hauptstr. 1');
  });
});

describe('mapToExternal', () => {
  const canonical = { id: CUS, kind: 'company', name: 'Acme GmbH', emails: [], phones: ['+49301234567'], addresses: [], status: 'active', externalRefs: [] };

  it('writes create-only fields (the identity) only when creating', () => {
    expect(mapToExternal(customer, canonical, { ...ctx, creating: true }).value.ref).toBe(CUS);
    expect(mapToExternal(customer, canonical, { ...ctx, creating: false }).value).not.toHaveProperty('ref');
  });

  it('runs a pipeline backwards and looks linked ids up in ctx.refs, canonical → external', () => {
    const person = { id: 'con_01j9z3k4m5n6p7q8r9s0t1v2w4', customerId: CUS, name: 'Max' };
    expect(mapToExternal(contact, person, { refs: { customer: { [CUS]: '7' } }, defaults: {}, creating: false }).value.parent_id).toBe(7);
  });

  it('neither changes the canonical record', () => {
    const frozen = deepFreeze({ ...canonical, addresses: [{ kind: 'billing', street: 'A 1\nB', country: 'DE' }] });
    expect(mapToExternal(customer, frozen, { ...ctx, creating: true }).value).toMatchObject({ street: 'A 1', street2: 'B' });
  });
});

describe('what the engine needs around a mapping', () => {
  it('referencedIds: the external ids to look up before mapping in', () => {
    expect(referencedIds(contact, { parent_id: [7, 'Acme GmbH'] })).toEqual([{ entity: 'customer', externalId: '7' }]);
    expect(referencedIds(contact, { parent_id: 7 })).toEqual([{ entity: 'customer', externalId: '7' }]);
    expect(referencedIds(contact, { parent_id: false })).toEqual([]);
    expect(referencedIds(contact, { parent_id: null })).toEqual([]);
    expect(referencedIds(customer, partner)).toEqual([]);
  });

  it('referencedCanonicalIds: the canonical ids to look up before mapping out', () => {
    expect(referencedCanonicalIds(contact, { customerId: CUS, name: 'Max' })).toEqual([{ entity: 'customer', canonicalId: CUS }]);
    expect(referencedCanonicalIds(customer, { id: CUS })).toEqual([]);
  });

  it('identityOf: the field and value a sink searches to find a record Qiao wrote', () => {
    expect(identityOf(customer, { id: CUS, name: 'Acme' })).toEqual({ field: 'ref', value: CUS });
    expect(identityOf(product, { sku: 'BOLT-M8' })).toEqual({ field: 'default_code', value: 'BOLT-M8' });
    expect(identityOf(product, {})).toBeUndefined();
    expect(identityOf(getBuiltInMapping('odoo', 'stock_level'), { sku: 'X' })).toBeUndefined();
  });

  it('ownedFields: what each side of a mapping writes, functions included', () => {
    const owned = ownedFields(customer);
    expect([...owned.canonical].sort()).toEqual(['addresses', 'emails', 'kind', 'name', 'phones', 'status', 'taxId']);
    expect(owned.external).toContain('street2');
    expect(owned.external).toContain('ref');
  });
});

describe('diffFields', () => {
  it('lists changed leaves by dot path, in field order', () => {
    const before = { name: 'Acme', phones: ['+491', '+492'], addresses: [{ city: 'Berlin', country: 'DE' }], status: 'active' };
    const after = { name: 'Acme AG', phones: ['+491'], addresses: [{ city: 'Köln', country: 'DE' }], status: 'active', taxId: 'DE1' };
    expect(diffFields(before, after)).toEqual([
      { field: 'name', before: 'Acme', after: 'Acme AG' },
      { field: 'phones.1', before: '+492', after: undefined },
      { field: 'addresses.0.city', before: 'Berlin', after: 'Köln' },
      { field: 'taxId', before: undefined, after: 'DE1' },
    ]);
  });

  it('finds nothing between equal records, and treats an empty list like a missing one', () => {
    expect(diffFields({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } })).toEqual([]);
    expect(diffFields({ emails: [] }, {})).toEqual([]);
  });

  it('reports a whole value where a leaf became an object or a list', () => {
    expect(diffFields({ listPrice: 5 }, { listPrice: { amount: 500, currency: 'EUR' } })).toEqual([
      { field: 'listPrice', before: 5, after: { amount: 500, currency: 'EUR' } },
    ]);
    expect(diffFields({}, { listPrice: { amount: 500, currency: 'EUR' } })).toEqual([
      { field: 'listPrice.amount', before: undefined, after: 500 },
      { field: 'listPrice.currency', before: undefined, after: 'EUR' },
    ]);
  });
});

describe('compiling', () => {
  it('compiles a definition once and reuses it', () => {
    expect(compileMapping(customer)).toBe(compileMapping(customer));
  });

  it('validates a definition that did not come through the schema, and refuses an invalid one loudly', () => {
    const copy = JSON.parse(JSON.stringify(customer));
    expect(mapToCanonical(copy, partner, ctx)).toEqual(mapToCanonical(customer, partner, ctx));
    const broken = { ...copy, fields: [{ canonical: 'name', external: 'name', direction: 'both', transform: { name: 'foo' } }] };
    expect(() => mapToCanonical(broken, partner, ctx)).toThrow(MappingDefinitionError);
  });

  it('runs a version a user published as data: value maps and defaults without code', () => {
    const def = parseMappingDefinition({
      connector: 'legacy-crm',
      entity: 'account',
      version: 1,
      canonical: 'customer',
      fields: [
        { canonical: 'name', external: 'Firma', direction: 'both', transform: { name: 'trim' } },
        { canonical: 'segment', external: 'Klasse', direction: 'both', transform: [{ name: 'enum', map: { A: 'key', B: 'smb' }, default: 'other', outDefault: 'C' }, { name: 'default', value: 'smb' }] },
        { canonical: 'emails', external: 'Mails', direction: 'both', transform: { name: 'split' } },
        { canonical: 'creditLimit', external: 'Limit', direction: 'both', transform: { name: 'money', currency: 'CHF' } },
      ],
    });
    const mapped = mapToCanonical(def, { Firma: ' Muster AG ', Klasse: 'C', Mails: 'a@muster.ch; b@muster.ch', Limit: '2500.50' }, ctx);
    expect(mapped).toEqual({
      value: { name: 'Muster AG', segment: 'other', emails: ['a@muster.ch', 'b@muster.ch'], creditLimit: { amount: 250050, currency: 'CHF' } },
      errors: [],
    });
    expect(mapToExternal(def, mapped.value, { ...ctx, creating: false })).toEqual({ errors: [], value: { Firma: 'Muster AG', Klasse: 'C', Mails: 'a@muster.ch, b@muster.ch', Limit: 2500.5 } });
  });
});

describe('the built-in registry', () => {
  it('lists every built-in version with its default', () => {
    expect(listBuiltInMappings().map((m) => `${m.connector}/${m.entity} v${m.version} -> ${m.canonical}${m.isDefault ? ' (default)' : ''}`)).toEqual([
      'odoo/customer v1 -> customer (default)',
      'odoo/contact v1 -> contact (default)',
      'odoo/product v1 -> product (default)',
      'odoo/stock_level v1 -> stock_level (default)',
      'template/record v1 -> customer (default)',
      'salesforce/customer v1 -> customer (default)',
      'salesforce/contact v1 -> contact (default)',
      'salesforce/product v1 -> product (default)',
      'salesforce/order v1 -> order (default)',
      'hubspot/customer v1 -> customer (default)',
      'hubspot/contact v1 -> contact (default)',
      'hubspot/product v1 -> product (default)',
      'hubspot/order v1 -> order (default)',
      'odoo/order v1 -> order (default)',
      'odoo/production_order v1 -> production_order (default)',
    ]);
  });

  it('gives the default version when none is asked for', () => {
    expect(getBuiltInMapping('odoo', 'customer')).toBe(customer);
    expect(defaultBuiltInVersion('odoo', 'stock_level')).toBe(1);
  });

  it('fails loudly on an unknown version, entity or connector, naming what exists', () => {
    expect(() => getBuiltInMapping('odoo', 'customer', 2)).toThrow(new UnknownMappingError('odoo', 'customer', 2, [1]));
    expect(() => getBuiltInMapping('odoo', 'customer', 2)).toThrow('odoo customer has no built-in mapping version 2; built-in versions: 1');
    expect(() => getBuiltInMapping('odoo', 'invoice')).toThrow(/there is no built-in mapping for odoo invoice; built-in: odoo\/customer, /);
    expect(() => getBuiltInMapping('no-such-crm', 'customer', 1)).toThrow(UnknownMappingError);
  });

  it('built-in versions are frozen: a published version never changes', () => {
    expect(Object.isFrozen(customer)).toBe(true);
    expect(Object.isFrozen(customer.fields[0])).toBe(true);
  });
});

it('mapping code is workflow-safe: no Node built-ins, no I/O, nothing of ours outside mappings/', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../mappings');
  const files = ['engine', 'odoo'].flatMap((dir) => fs.readdirSync(path.join(root, dir)).map((f) => path.join(root, dir, f)));
  for (const file of files.filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(file, 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
    for (const spec of imports) {
      const ok = spec === 'zod' || (spec.startsWith('.') && path.resolve(path.dirname(file), spec).startsWith(root));
      expect(ok, `${path.relative(root, file)} imports ${spec}`).toBe(true);
    }
    expect(source, path.relative(root, file)).not.toMatch(/\b(Buffer|process\.|require\(|fetch\(|setTimeout|Math\.random)\b/);
  }
});
