// The transform library: each transform's in and out direction, its edge cases, and its errors.
import { describe, expect, it } from 'vitest';
import { compileTransform, listTransforms, type MapContext, type OutContext, TransformError, type TransformRef, toE164 } from '../../mappings/engine';

const CUS = 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3';
const inCtx: MapContext = { refs: { customer: { '42': CUS } }, defaults: { currency: 'EUR', country: 'DE' } };
const outCtx: OutContext = { refs: { customer: { [CUS]: '42' } }, defaults: { currency: 'EUR', country: 'DE' }, creating: false };

/** A transform with its parameters, run in and out with the contexts above. */
function transform(reference: TransformRef) {
  const compiled = compileTransform(reference);
  return {
    compiled,
    in: (value: unknown, ctx: MapContext = inCtx) => {
      if (!compiled.in) throw new Error(`${reference.name} has no in`);
      return compiled.in(value, ctx);
    },
    out: (value: unknown, ctx: OutContext = outCtx) => {
      if (!compiled.out) throw new Error(`${reference.name} has no out`);
      return compiled.out(value, ctx);
    },
  };
}

const TESTED = new Set<string>();
function describeTransform(name: string, body: () => void): void {
  TESTED.add(name);
  describe(name, body);
}

describeTransform('trim', () => {
  const t = transform({ name: 'trim' });
  it('trims both ways and treats text that ends up empty as no value', () => {
    expect(t.in('  Acme GmbH \n')).toBe('Acme GmbH');
    expect(t.out(' x ')).toBe('x');
    expect(t.in('   ')).toBeUndefined();
  });
  it('refuses what is not text, naming the value', () => {
    expect(() => t.in(false)).toThrow(new TransformError('expected text, got false'));
  });
});

describeTransform('lower', () => {
  it('lower-cases both ways', () => {
    const t = transform({ name: 'lower' });
    expect(t.in('Info@Acme.DE')).toBe('info@acme.de');
    expect(t.out('ÄB')).toBe('äb');
    expect(() => t.in(7)).toThrow(TransformError);
  });
});

describeTransform('upper', () => {
  it('upper-cases both ways', () => {
    const t = transform({ name: 'upper' });
    expect(t.in('de')).toBe('DE');
    expect(t.out('at')).toBe('AT');
  });
});

describeTransform('e164', () => {
  const t = transform({ name: 'e164', defaultCountry: '49' });
  it.each([
    ['+49 30 1234567', '+49301234567'],
    ['030 1234567', '+49301234567'],
    ['0049 30 1234567', '+49301234567'],
    ['+49 (0)30 1234567', '+49301234567'],
    ['(030) 123 45-67', '+49301234567'],
    ['0151/1234 5678', '+4915112345678'],
    ['030.123.4567', '+49301234567'],
    ['tel:+49-30-1234567', '+49301234567'],
    [' +1 (212) 555-0123 ', '+12125550123'],
  ])('reads %j as %s (default country 49)', (raw, e164) => {
    expect(t.in(raw)).toBe(e164);
  });
  it('keeps the leading 0 of Italian numbers and reads ten-digit NANP numbers', () => {
    expect(toE164('06 1234 5678', '39')).toBe('+390612345678');
    expect(toE164('(212) 555-0123', '1')).toBe('+12125550123');
    expect(toE164('1 212 555 0123', '1')).toBe('+12125550123');
  });
  it.each([
    ['ask reception', 'only digits'],
    ['030 1234567 ext. 12', 'no extensions or letters'],
    ['1712345678', 'its country is unknown'],
    ['+49 1', 'E.164 needs 7 to 15'],
    ['+0 30 1234567', 'not starting with 0'],
    ['+49 30 1234567 8901234', 'E.164 needs 7 to 15'],
  ])('refuses %j (%s)', (raw, why) => {
    expect(() => t.in(raw)).toThrow(TransformError);
    expect(() => t.in(raw)).toThrow(why);
  });
  it('needs a default country for a national number, and says so', () => {
    expect(() => transform({ name: 'e164' }).in('030 1234567')).toThrow('give the transform a defaultCountry');
  });
  it('writes E.164 out as it is and refuses anything else', () => {
    expect(t.out('+49301234567')).toBe('+49301234567');
    expect(() => t.out('030 1234567')).toThrow('is not an E.164 phone number');
  });
});

describeTransform('falseToEmpty', () => {
  const t = transform({ name: 'falseToEmpty' });
  it("reads Odoo's false, null and empty text as no value, and keeps 0", () => {
    expect(t.in(false)).toBeUndefined();
    expect(t.in(null)).toBeUndefined();
    expect(t.in('')).toBeUndefined();
    expect(t.in(0)).toBe(0);
    expect(t.in('x')).toBe('x');
  });
  it('writes no value as false, which clears the field in Odoo', () => {
    expect(t.out(undefined)).toBe(false);
    expect(t.out(null)).toBe(false);
    expect(t.out('x')).toBe('x');
    expect(t.compiled.handlesEmpty).toBe(true);
  });
});

describeTransform('default', () => {
  it('fills an empty value with the value, both ways, and keeps a present one', () => {
    const t = transform({ name: 'default', value: '0' });
    expect(t.in(undefined)).toBe('0');
    expect(t.in(null)).toBe('0');
    expect(t.in('5')).toBe('5');
    expect(t.out(undefined)).toBe('0');
  });
  it('fills from a context default by name, and gives nothing when the context has none', () => {
    const t = transform({ name: 'default', context: 'country' });
    expect(t.in(undefined)).toBe('DE');
    expect(t.in(undefined, { refs: {}, defaults: {} })).toBeUndefined();
    expect(transform({ name: 'default', context: 'country', value: 'AT' }).in(undefined, { refs: {}, defaults: {} })).toBe('AT');
  });
});

describeTransform('constant', () => {
  it('gives its value whatever the field holds, both ways', () => {
    const t = transform({ name: 'constant', value: 'odoo' });
    expect(t.in(undefined)).toBe('odoo');
    expect(t.in('other')).toBe('odoo');
    expect(t.out(undefined)).toBe('odoo');
    expect(transform({ name: 'constant', value: false }).out('x')).toBe(false);
  });
});

describeTransform('enum', () => {
  it('maps through the table, and out through its inverse', () => {
    const t = transform({ name: 'enum', map: { a: 'active', x: 'inactive' } });
    expect(t.in('a')).toBe('active');
    expect(t.out('inactive')).toBe('x');
  });
  it('matches non-text external values by their text (Odoo booleans) and writes them out through `out`', () => {
    const t = transform({ name: 'enum', map: { true: 'active', false: 'inactive' }, out: { active: true, inactive: false, blocked: false } });
    expect(t.in(true)).toBe('active');
    expect(t.in(false)).toBe('inactive');
    expect(t.out('blocked')).toBe(false);
  });
  it('uses default, outDefault or passthrough for unmapped values, else fails naming the mapped ones', () => {
    expect(transform({ name: 'enum', map: { a: 'A' }, default: 'other' }).in('zz')).toBe('other');
    expect(transform({ name: 'enum', map: { a: 'A' }, outDefault: 'q' }).out('B')).toBe('q');
    expect(transform({ name: 'enum', map: { Units: 'unit' }, passthrough: true }).in('kg')).toBe('kg');
    expect(() => transform({ name: 'enum', map: { a: 'A', b: 'B' } }).in('c')).toThrow('"c" is not one of the mapped values: "a", "b"');
  });
  it('does not find keys of the object prototype', () => {
    expect(() => transform({ name: 'enum', map: { a: 'A' } }).in('toString')).toThrow(TransformError);
  });
});

describeTransform('boolean', () => {
  it('reads the usual spellings of yes and no', () => {
    const t = transform({ name: 'boolean' });
    for (const yes of [true, 1, 'true', 'Yes', 'y', 'ON', '1']) expect(t.in(yes)).toBe(true);
    for (const no of [false, 0, 'false', 'No', 'n', 'off', '0']) expect(t.in(no)).toBe(false);
    expect(() => t.in('maybe')).toThrow('is neither yes nor no');
    expect(t.out(true)).toBe(true);
  });
  it('reads and writes the external spelling given as parameters', () => {
    const t = transform({ name: 'boolean', true: 'J', false: 'N' });
    expect(t.in('J')).toBe(true);
    expect(t.in('N')).toBe(false);
    expect(t.out(false)).toBe('N');
    expect(() => t.out('yes')).toThrow('expected true or false');
  });
});

describeTransform('many2oneId', () => {
  const t = transform({ name: 'many2oneId' });
  it('reads the id of [id, name] or a bare id as text, false as no value', () => {
    expect(t.in([42, 'Acme GmbH'])).toBe('42');
    expect(t.in(42)).toBe('42');
    expect(t.in(false)).toBeUndefined();
    expect(() => t.in({ id: 42 })).toThrow('expected a many2one [id, name] or an id');
  });
  it('writes a numeric id, or text with as: "string"', () => {
    expect(t.out('42')).toBe(42);
    expect(() => t.out('abc')).toThrow('is not a numeric id');
    expect(transform({ name: 'many2oneId', as: 'string' }).out('42')).toBe('42');
  });
});

describeTransform('many2oneName', () => {
  it('reads the display name, false as no value, and has no out direction', () => {
    const t = transform({ name: 'many2oneName' });
    expect(t.in([1, 'Units'])).toBe('Units');
    expect(t.in(false)).toBeUndefined();
    expect(t.in('kg')).toBe('kg');
    expect(t.compiled.out).toBeUndefined();
  });
});

describeTransform('ref', () => {
  const t = transform({ name: 'ref', entity: 'customer' });
  it('resolves an external id to the canonical id the engine looked up, and back', () => {
    expect(t.in('42')).toBe(CUS);
    expect(t.in(42)).toBe(CUS);
    expect(t.out(CUS)).toBe('42');
  });
  it('fails for an id without a link, naming the entity and the id', () => {
    expect(() => t.in('99')).toThrow('no customer is linked to external id "99" yet');
    expect(() => t.in('99', { refs: {}, defaults: {} })).toThrow(TransformError);
    expect(() => t.out('cus_01j9z3k4m5n6p7q8r9s0t1v2zz')).toThrow('has no record in the target yet');
    expect(() => t.in('__proto__')).toThrow(TransformError);
    expect(() => t.in([42, 'Acme'])).toThrow('read the id with many2oneId first');
  });
});

describeTransform('odooDatetime', () => {
  const t = transform({ name: 'odooDatetime' });
  it('reads Odoo UTC datetimes (and ISO UTC) as ISO 8601 UTC to the second', () => {
    expect(t.in('2026-11-26 09:00:00')).toBe('2026-11-26T09:00:00Z');
    expect(t.in('2026-11-26 09:00:00.123456')).toBe('2026-11-26T09:00:00Z');
    expect(t.in('2026-11-26T09:00:00Z')).toBe('2026-11-26T09:00:00Z');
    expect(() => t.in('2026-13-01 00:00:00')).toThrow('is not an Odoo datetime');
    expect(() => t.in('26.11.2026 09:00')).toThrow(TransformError);
  });
  it('writes any ISO time as Odoo UTC, to the second', () => {
    expect(t.out('2026-11-26T09:00:00Z')).toBe('2026-11-26 09:00:00');
    expect(t.out('2026-11-26T09:00:00.999Z')).toBe('2026-11-26 09:00:00');
    expect(t.out('2026-11-26T10:00:00+01:00')).toBe('2026-11-26 09:00:00');
    expect(() => t.out('yesterday')).toThrow('is not an ISO 8601 time');
  });
});

describeTransform('date', () => {
  it('reads and writes a date in the given format', () => {
    const t = transform({ name: 'date', format: 'DD.MM.YYYY' });
    expect(t.in('01.12.2026')).toBe('2026-12-01');
    expect(t.in('1.2.2026')).toBe('2026-02-01');
    expect(t.out('2026-12-01')).toBe('01.12.2026');
    expect(() => t.in('31.02.2026')).toThrow('is not a real date');
    expect(() => t.in('2026-12-01')).toThrow('is not a date like DD.MM.YYYY');
    expect(() => t.out('01.12.2026')).toThrow('is not an ISO 8601 date');
  });
  it('defaults to ISO dates, as Odoo writes them', () => {
    const t = transform({ name: 'date' });
    expect(t.in('2026-12-01')).toBe('2026-12-01');
    expect(transform({ name: 'date', format: 'MM/DD/YYYY' }).out('2026-12-01')).toBe('12/01/2026');
  });
});

describeTransform('timestamp', () => {
  it('reads and writes Unix seconds and milliseconds', () => {
    expect(transform({ name: 'timestamp' }).in(1764147600)).toBe('2025-11-26T09:00:00Z');
    expect(transform({ name: 'timestamp' }).out('2025-11-26T09:00:00Z')).toBe(1764147600);
    expect(transform({ name: 'timestamp', unit: 'milliseconds' }).in(1764147600123)).toBe('2025-11-26T09:00:00.123Z');
    expect(() => transform({ name: 'timestamp' }).in('soon')).toThrow('is not a Unix time');
  });
});

describeTransform('decimalString', () => {
  const t = transform({ name: 'decimalString' });
  it.each([
    [12.5, '12.5'],
    [0.1 + 0.2, '0.3'],
    [-3.0000000000000004, '-3'],
    [500.0, '500'],
    [1e-7, '0'],
    [5e-7, '0.000001'],
    [1e21, '1000000000000000000000'],
    ['12.50', '12.5'],
    [-0, '0'],
    [0.333333333, '0.333333'],
  ])('reads %s as %j', (value, decimal) => {
    expect(t.in(value)).toBe(decimal);
  });
  it('refuses what is not a number, and extra decimals when rounding is an error', () => {
    expect(() => t.in('12,5')).toThrow('is not a number');
    expect(() => t.in(Number.NaN)).toThrow(TransformError);
    expect(() => transform({ name: 'decimalString', decimals: 2, rounding: 'error' }).in(1.005)).toThrow('has more than 2 decimals');
  });
  it('writes a number, or the text with as: "string"', () => {
    expect(t.out('12.5')).toBe(12.5);
    expect(transform({ name: 'decimalString', as: 'string' }).out('12.50')).toBe('12.5');
  });
});

describeTransform('decimalToMinor', () => {
  const t = transform({ name: 'decimalToMinor' });
  it('reads decimals as exact minor units of the context currency, never through float multiplication', () => {
    expect(t.in(19.99)).toBe(1999);
    expect(t.in('19.99')).toBe(1999);
    expect(t.in(0.07)).toBe(7); // 0.07 * 100 === 7.000000000000001
    expect(t.in(1.1)).toBe(110);
    expect(t.in(-0.5)).toBe(-50);
    expect(t.in(0)).toBe(0);
  });
  it('uses the digits of the currency', () => {
    expect(transform({ name: 'decimalToMinor', currency: 'JPY' }).in(1500)).toBe(1500);
    expect(transform({ name: 'decimalToMinor', currency: 'KWD' }).in('1.234')).toBe(1234);
  });
  it('refuses more decimals than the currency has unless told to round half away from zero', () => {
    expect(() => t.in(1.005)).toThrow('1.005 has more than 2 decimals for EUR');
    expect(transform({ name: 'decimalToMinor', rounding: 'halfExpand' }).in(1.005)).toBe(101);
    expect(transform({ name: 'decimalToMinor', rounding: 'halfExpand' }).in(-1.005)).toBe(-101);
  });
  it('fails without a currency, and for amounts beyond exact integers', () => {
    expect(() => t.in(1, { refs: {}, defaults: {} })).toThrow('no currency');
    expect(() => t.in(1e20)).toThrow('too large');
  });
  it('writes minor units back as a decimal number or text', () => {
    expect(t.out(1999)).toBe(19.99);
    expect(transform({ name: 'decimalToMinor', as: 'string' }).out(1990)).toBe('19.90');
    expect(transform({ name: 'decimalToMinor', as: 'string' }).out(-5)).toBe('-0.05');
    expect(() => t.out(19.99)).toThrow('expected an integer of minor units');
  });
});

describeTransform('minor', () => {
  it('is another name of decimalToMinor', () => {
    expect(transform({ name: 'minor' }).in(19.99)).toBe(1999);
    expect(transform({ name: 'minor', currency: 'JPY' }).out(1500)).toBe(1500);
  });
});

describeTransform('money', () => {
  const t = transform({ name: 'money' });
  it('reads a decimal as Money in the field currency (params, else context)', () => {
    expect(t.in(19.99)).toEqual({ amount: 1999, currency: 'EUR' });
    expect(transform({ name: 'money', currency: 'USD' }).in('5')).toEqual({ amount: 500, currency: 'USD' });
  });
  it('writes Money of the field currency as a decimal, and refuses another currency', () => {
    expect(t.out({ amount: 1999, currency: 'EUR' })).toBe(19.99);
    expect(() => t.out({ amount: 1999, currency: 'USD' })).toThrow('is in USD, but this field holds EUR');
    expect(() => t.out(19.99)).toThrow('expected money { amount, currency }');
  });
});

describeTransform('split', () => {
  it('splits one external text into a trimmed list, and joins it back', () => {
    const t = transform({ name: 'split' });
    expect(t.in('a@x.de; b@y.de,, ')).toEqual(['a@x.de', 'b@y.de']);
    expect(t.in('')).toEqual([]);
    expect(t.out(['a@x.de', 'b@y.de'])).toBe('a@x.de, b@y.de');
    expect(t.out([])).toBeUndefined();
    expect(transform({ name: 'split', separators: '|', joinWith: '|' }).in('a|b')).toEqual(['a', 'b']);
  });
});

describeTransform('join', () => {
  it('joins an external list into one text, and splits it back', () => {
    const t = transform({ name: 'join' });
    expect(t.in(['Hauptstr. 1', ' Hinterhaus '])).toBe('Hauptstr. 1, Hinterhaus');
    expect(t.in([])).toBeUndefined();
    expect(t.out('a, b; c')).toEqual(['a', 'b', 'c']);
    expect(() => t.in('a')).toThrow('expected a list');
  });
});

it('every transform of the library has tests here', () => {
  expect(listTransforms().map((t) => t.name).filter((name) => !TESTED.has(name))).toEqual([]);
});

it('an unknown transform fails loudly, naming the known ones', () => {
  expect(() => compileTransform({ name: 'titlecase' })).toThrow(/unknown transform "titlecase"; known: trim, lower, upper/);
});
