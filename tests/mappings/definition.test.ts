// The mapping definition schema: what a version must look like, and errors that name the offending field.
import { describe, expect, it } from 'vitest';
import {
  getBuiltInMapping,
  MAPPING_FUNCTIONS,
  type MappingDefinitionInput,
  MappingDefinition,
  MappingDefinitionError,
  parseMappingDefinition,
  definitionErrors,
} from '../../mappings/engine';

/** A small valid customer mapping to break one field at a time. */
function base(): MappingDefinitionInput {
  return {
    connector: 'acme',
    entity: 'customer',
    version: 1,
    canonical: 'customer',
    identity: { external: 'ref', canonical: 'id' },
    references: [{ external: 'owner', entity: 'user' }],
    fields: [
      { canonical: 'name', external: 'name', direction: 'both', transform: { name: 'trim' } },
      { canonical: 'emails.0', external: 'email', direction: 'both', transform: [{ name: 'falseToEmpty' }, { name: 'lower' }] },
      { canonical: 'ownerId', external: 'owner', direction: 'in', transform: { name: 'ref', entity: 'user' } },
      { canonical: 'phones.0', external: 'phone', direction: 'both', transform: { name: 'e164', defaultCountry: '49' } },
      { canonical: 'id', external: 'ref', direction: 'out', createOnly: true },
    ],
  };
}

/** The errors of a definition after `change`, as `field: message` lines. */
function errorsOf(change: (def: MappingDefinitionInput & { fields: Record<string, unknown>[] }) => void): string[] {
  const def = base() as MappingDefinitionInput & { fields: Record<string, unknown>[] };
  change(def);
  const parsed = MappingDefinition.safeParse(def);
  return parsed.success ? [] : definitionErrors(parsed.error).map((e) => `${e.field}: ${e.message}`);
}

describe('a valid definition', () => {
  it('parses, and comes back frozen', () => {
    const def = parseMappingDefinition(base());
    expect(def.fields).toHaveLength(5);
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.fields[1]?.transform)).toBe(true);
  });

  it('survives JSON, as a version stored in the database does', () => {
    const builtIn = getBuiltInMapping('odoo', 'customer', 1);
    expect(parseMappingDefinition(JSON.parse(JSON.stringify(builtIn)))).toEqual(builtIn);
  });
});

describe('errors name the offending field', () => {
  it('an unknown transform, with the known ones', () => {
    const [error] = errorsOf((d) => {
      d.fields[3] = { canonical: 'phones.0', external: 'phone', direction: 'both', transform: { name: 'foo' } };
    });
    expect(error).toMatch(/^fields\[3\]\.transform\.name: unknown transform "foo"; known: trim, lower, upper, e164/);
  });

  it('a transform inside a pipeline, by its index', () => {
    expect(errorsOf((d) => ((d.fields[1] as { transform: unknown[] }).transform[1] = { name: 'lowercase' }))).toEqual([
      expect.stringMatching(/^fields\[1\]\.transform\[1\]\.name: unknown transform "lowercase"/),
    ]);
  });

  it('a bad or unknown parameter of a transform', () => {
    expect(errorsOf((d) => ((d.fields[3] as { transform: unknown }).transform = { name: 'e164', defaultCountry: '+49' }))).toEqual([
      'fields[3].transform.defaultCountry: must be a country calling code without +, e.g. 49',
    ]);
    expect(errorsOf((d) => (d.fields[0] = { canonical: 'creditLimit', external: 'credit', direction: 'both', transform: { name: 'money', curency: 'EUR' } }))).toEqual([
      'fields[0].transform.curency: money has no parameter "curency"; it takes: currency, rounding, as',
    ]);
    expect(errorsOf((d) => (d.fields[0] = { canonical: 'segment', external: 'seg', direction: 'in', transform: { name: 'default' } }))).toEqual([
      'fields[0].transform: needs a `value` or a `context` name',
    ]);
  });

  it('a canonical field the entity does not have, or an index on a field that is no list', () => {
    expect(errorsOf((d) => ((d.fields[1] as { canonical: string }).canonical = 'emals.0'))).toEqual([
      expect.stringMatching(/^fields\[1\]\.canonical: "emals\.0" is not a field of customer: customer has no field "emals"; it has: id, number, kind, name/),
    ]);
    expect(errorsOf((d) => ((d.fields[0] as { canonical: string }).canonical = 'name.0'))).toEqual([
      'fields[0].canonical: "name.0" is not a field of customer: "name" is not a list, so it has no index 0',
    ]);
    expect(errorsOf((d) => ((d.fields[0] as { canonical: string }).canonical = 'addresses.0.town'))).toEqual([
      expect.stringMatching(/^fields\[0\]\.canonical: "addresses\.0\.town" is not a field of customer: "addresses\.0" has no field "town"; it has: kind, street/),
    ]);
  });

  it('paths that would reach the prototype of a record', () => {
    expect(errorsOf((d) => ((d.fields[0] as { external: string }).external = '__proto__.polluted'))).toEqual([
      'fields[0].external: "__proto__.polluted" uses the reserved name "__proto__"',
    ]);
    expect(errorsOf((d) => ((d.fields[0] as { external: string }).external = 'a..b'))).toEqual(['fields[0].external: "a..b" has an empty segment']);
  });

  it('a one-way transform on a rule that writes out', () => {
    expect(errorsOf((d) => d.fields.push({ canonical: 'segment', external: 'category_id', direction: 'both', transform: { name: 'many2oneName' } }))).toEqual([
      'fields[5].transform.name: many2oneName works in only; make the rule\'s direction "in"',
    ]);
  });

  it('a ref whose field is not among the references, and a reference no rule reads', () => {
    expect(errorsOf((d) => (d.references = [{ external: 'owner', entity: 'employee' }]))).toEqual([
      'fields[2].transform.entity: reads user ids from "owner", which references does not list; add { "external": "owner", "entity": "user" }',
    ]);
    expect(errorsOf((d) => d.references?.push({ external: 'parent_id', entity: 'customer' }))).toEqual(['references[1].external: no in rule reads "parent_id"']);
  });

  it('an identity no rule writes out', () => {
    expect(errorsOf((d) => (d.identity = { external: 'x_qiao_id', canonical: 'id' }))).toEqual([
      'identity.external: no rule writes "x_qiao_id" out, so a record Qiao created could not be found by it',
    ]);
    expect(errorsOf((d) => (d.identity = { external: 'ref', canonical: 'uuid' }))).toEqual([expect.stringMatching(/^identity\.canonical: "uuid" is not a field of customer/)]);
  });

  it('createOnly on an in rule, required on an out rule, and empty paths without a constant', () => {
    expect(errorsOf((d) => ((d.fields[2] as { createOnly: boolean }).createOnly = true))).toEqual(['fields[2].createOnly: applies to rules that write out; this rule is "in"']);
    expect(errorsOf((d) => ((d.fields[4] as { required: boolean }).required = true))).toEqual(['fields[4].required: applies to rules that read in; this rule is "out"']);
    expect(errorsOf((d) => ((d.fields[0] as { external: string }).external = ''))).toEqual([
      'fields[0].external: is empty: only an in rule with a constant or default may have no external field',
    ]);
    expect(errorsOf((d) => d.fields.push({ canonical: '', external: 'is_company', direction: 'both', transform: { name: 'constant', value: true } }))).toEqual([
      'fields[5].canonical: is empty: only an out rule with a constant or default may have no canonical field',
    ]);
  });

  it('an unknown function, and a function for another entity', () => {
    expect(errorsOf((d) => (d.functions = ['odoo.nope']))).toEqual([
      `functions[0]: unknown function "odoo.nope"; known: ${[...MAPPING_FUNCTIONS.keys()].join(', ')}. Functions are code: a version can only name registered ones`,
    ]);
    const product = { ...getBuiltInMapping('odoo', 'product', 1), functions: ['odoo.street2'] };
    expect(definitionErrors(MappingDefinition.safeParse(JSON.parse(JSON.stringify(product))).error ?? (undefined as never))).toEqual([
      { field: 'functions[0]', message: 'odoo.street2 works on customer, not product' },
    ]);
  });

  it('the version, the canonical entity, names and unknown keys', () => {
    expect(errorsOf((d) => (d.version = 0))).toEqual([expect.stringMatching(/^version: /)]);
    expect(errorsOf((d) => (d.canonical = 'invoice' as never))).toEqual([expect.stringMatching(/^canonical: /)]);
    expect(errorsOf((d) => (d.connector = 'Odoo CRM'))).toEqual([expect.stringMatching(/^connector: must be lower-case letters/)]);
    expect(errorsOf((d) => Object.assign(d, { feilds: [] }))).toEqual(['feilds: is not a known key here']);
    expect(errorsOf((d) => Object.assign(d.fields[0] as object, { createonly: true }))).toEqual(['fields[0].createonly: is not a known key here']);
    expect(errorsOf((d) => ((d.fields[0] as { direction: string }).direction = 'sideways'))).toEqual([expect.stringMatching(/^fields\[0\]\.direction: /)]);
  });

  it('parseMappingDefinition throws one error listing every problem by field', () => {
    const def = base() as MappingDefinitionInput & { fields: Record<string, unknown>[] };
    def.fields[3] = { canonical: 'phones.0', external: 'phone', direction: 'both', transform: { name: 'foo' } };
    def.functions = ['nope'];
    let thrown: unknown;
    try {
      parseMappingDefinition(def);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(MappingDefinitionError);
    const error = thrown as MappingDefinitionError;
    expect(error.errors.map((e) => e.field)).toEqual(['fields[3].transform.name', 'functions[0]']);
    expect(error.message).toMatch(/^invalid mapping definition acme\/customer v1: fields\[3\]\.transform\.name: unknown transform "foo"; known: .*; functions\[0\]: unknown function "nope"/);
  });
});
