// The one library of named field transforms. Each has an `in` direction (external → canonical) and,
// unless it is one-way, an `out` direction (canonical → external), plus a zod schema of its parameters.
// A mapping names them as data (`{ "name": "e164", "defaultCountry": "49" }`), so a version that a user
// publishes through the API uses exactly the same, tested code as a built-in one.
import { z } from 'zod';
import { type MapContext, type OutContext, TransformError } from './context';
import { currencyDigits, type Decimal, formatDecimal, fromMinorUnits, parseDecimal, type Rounding, roundDecimal, toMinorUnits } from './decimal';

export type TransformDirection = 'in' | 'out';

/** A transform with its parameters resolved: the functions a compiled mapping calls per record. */
export interface CompiledTransform {
  name: string;
  /** Called with empty values (undefined, null) too; other transforms never see them. */
  handlesEmpty: boolean;
  in?: (value: unknown, ctx: MapContext) => unknown;
  out?: (value: unknown, ctx: OutContext) => unknown;
}

/** A transform of the library. */
export interface TransformSpec {
  name: string;
  description: string;
  /** Schema of the parameters: every key of the transform object except `name`. */
  params: z.ZodType;
  /** `['in']` for one-way transforms (e.g. `many2oneName`). */
  directions: readonly TransformDirection[];
  handlesEmpty: boolean;
  /** Gives a value where the source has none (`constant`, `default`). */
  fills: boolean;
  /** Resolves parameters (already valid against `params`) once, for a compiled mapping. */
  compile(params: Record<string, unknown>): CompiledTransform;
}

interface TransformDraft<S extends z.ZodType> {
  name: string;
  description: string;
  params: S;
  oneWay?: 'in';
  handlesEmpty?: boolean;
  fills?: boolean;
  compile(params: z.output<S>): { in: (value: unknown, ctx: MapContext) => unknown; out?: (value: unknown, ctx: OutContext) => unknown };
}

function defineTransform<S extends z.ZodType>(draft: TransformDraft<S>): TransformSpec {
  const handlesEmpty = draft.handlesEmpty ?? false;
  return {
    name: draft.name,
    description: draft.description,
    params: draft.params,
    directions: draft.oneWay ? ['in'] : ['in', 'out'],
    handlesEmpty,
    fills: draft.fills ?? false,
    compile(raw) {
      const fns = draft.compile(draft.params.parse(raw));
      return { name: draft.name, handlesEmpty, in: fns.in, out: draft.oneWay ? undefined : fns.out };
    },
  };
}

/** A value for an error message: JSON, cut short. */
export function showValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new TransformError(`expected text, got ${showValue(value)}`);
  return value;
}

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
type Scalar = z.infer<typeof Scalar>;
const noParams = z.strictObject({});
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR').describe('ISO 4217 currency; default: the context\'s `defaults.currency`.');
const RoundingParam = (fallback: Rounding) =>
  z.enum(['error', 'halfExpand']).default(fallback).describe('`error`: refuse a value with more decimals than allowed; `halfExpand`: round half away from zero.');
const NumberOrString = z.enum(['number', 'string']).default('number').describe('How the external side holds the value.');

function charClass(chars: string): RegExp {
  return new RegExp(`[${chars.replace(/[\\\]^-]/g, '\\$&')}]`);
}

// ---------------------------------------------------------------------------------------------- text

const trim = defineTransform({
  name: 'trim',
  description: 'Removes leading and trailing white space, both ways; text that ends up empty is no value.',
  params: noParams,
  compile: () => {
    const f = (v: unknown) => text(v).trim() || undefined;
    return { in: f, out: f };
  },
});

const lower = defineTransform({
  name: 'lower',
  description: 'Lower-cases text, both ways (e.g. email addresses).',
  params: noParams,
  compile: () => {
    const f = (v: unknown) => text(v).toLowerCase();
    return { in: f, out: f };
  },
});

const upper = defineTransform({
  name: 'upper',
  description: 'Upper-cases text, both ways (e.g. country codes).',
  params: noParams,
  compile: () => {
    const f = (v: unknown) => text(v).toUpperCase();
    return { in: f, out: f };
  },
});

// --------------------------------------------------------------------------------------------- phones

/** Countries whose national numbers keep their leading 0 after the country code (Italy, San Marino, Vatican). */
const KEEPS_TRUNK_ZERO: ReadonlySet<string> = new Set(['39', '378', '379']);

function notE164(raw: string, why: string): TransformError {
  return new TransformError(`cannot make ${showValue(raw)} an E.164 phone number: ${why}`);
}

/**
 * A phone number in E.164. Reads `+49 30 1234567`, `0049 (30) 123-4567`, `+49 (0)30 1234567`,
 * `tel:+4930…` and, with a default country, national numbers with a trunk 0 (`030 1234567`); NANP
 * (`defaultCountry` 1) also takes ten digits without prefix. Extensions and letters are refused.
 * @example toE164('0151 1234 5678', '49') // '+4915112345678'
 */
export function toE164(raw: string, defaultCountry?: string): string {
  // One pass over the characters rather than a chain of regular expressions: this runs for every
  // phone of every record.
  let start = 0;
  while (start < raw.length && raw.charCodeAt(start) <= 32) start++;
  if (raw.startsWith('tel:', start) || raw.startsWith('TEL:', start)) start += 4;
  let digits = '';
  let plus = false;
  for (let i = start; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += raw[i];
    else if (c === 43 /* + */ && digits === '' && !plus) plus = true;
    else if (c === 40 /* ( */ && raw.charCodeAt(i + 1) === 48 && raw.charCodeAt(i + 2) === 41 && (plus || digits.startsWith('00'))) i += 2; // "+49 (0)30": the trunk 0 for national callers
    else if (c !== 32 && c !== 45 && c !== 46 && c !== 47 && c !== 40 && c !== 41 && c !== 9 && c !== 160) {
      throw notE164(raw, 'only digits, spaces, + - . / ( ) are allowed (no extensions or letters)');
    }
  }
  let international: string;
  if (plus) international = digits;
  else if (digits.startsWith('00')) international = digits.slice(2);
  else if (defaultCountry && digits.startsWith('0')) international = KEEPS_TRUNK_ZERO.has(defaultCountry) ? defaultCountry + digits : defaultCountry + digits.slice(1);
  else if (defaultCountry === '1' && digits.length === 10) international = `1${digits}`;
  else if (defaultCountry === '1' && digits.length === 11 && digits.startsWith('1')) international = digits;
  else throw notE164(raw, `its country is unknown (write it with + and the country code${defaultCountry ? '' : ', or give the transform a defaultCountry'})`);
  if (international.length < 7 || international.length > 15 || international.charCodeAt(0) === 48) {
    throw notE164(raw, `+${international} has ${international.length} digits; E.164 needs 7 to 15, not starting with 0`);
  }
  return `+${international}`;
}

const e164 = defineTransform({
  name: 'e164',
  description: 'Phone number ↔ E.164 (`+4930123456`). In: reads international and, with `defaultCountry`, national spellings; a number it cannot make E.164 is an error. Out: the E.164 number as is.',
  params: z.strictObject({
    defaultCountry: z.string().regex(/^[1-9]\d{0,2}$/, 'must be a country calling code without +, e.g. 49').optional().describe('Calling code for numbers written nationally, e.g. `49` for Germany.'),
  }),
  compile: (p) => ({
    in: (v) => toE164(text(v), p.defaultCountry),
    out: (v) => {
      const phone = text(v);
      if (!/^\+[1-9]\d{1,14}$/.test(phone)) throw new TransformError(`${showValue(phone)} is not an E.164 phone number`);
      return phone;
    },
  }),
});

// ------------------------------------------------------------------------------------ empty, defaults

const falseToEmpty = defineTransform({
  name: 'falseToEmpty',
  description: "Odoo's `false` for an empty field. In: `false`, `null` and `\"\"` become no value. Out: no value becomes `false`.",
  params: noParams,
  handlesEmpty: true,
  compile: () => ({
    in: (v) => (v === false || v === null || v === '' ? undefined : v),
    out: (v) => (v === undefined || v === null || v === '' ? false : v),
  }),
});

const defaultValue = defineTransform({
  name: 'default',
  description: 'A value for an empty field, both ways: `value`, or the context default named by `context` (e.g. `country`).',
  params: z
    .strictObject({
      value: Scalar.optional().describe('The value to use when the field is empty.'),
      context: z.string().min(1).optional().describe('Name of a context default to use instead, e.g. `currency` or `country`.'),
    })
    .refine((p) => p.value !== undefined || p.context !== undefined, 'needs a `value` or a `context` name'),
  handlesEmpty: true,
  fills: true,
  compile: (p) => {
    const f = (v: unknown, ctx: MapContext) => {
      if (v !== undefined && v !== null) return v;
      if (p.context !== undefined && Object.hasOwn(ctx.defaults, p.context)) return ctx.defaults[p.context];
      return p.value ?? undefined;
    };
    return { in: f, out: f };
  },
});

const constant = defineTransform({
  name: 'constant',
  description: 'Always `value`, whatever the source holds, both ways (e.g. `source: "odoo"`, `is_company: true`).',
  params: z.strictObject({ value: Scalar.describe('The value.') }),
  handlesEmpty: true,
  fills: true,
  compile: (p) => ({ in: () => p.value, out: () => p.value }),
});

const enumMap = defineTransform({
  name: 'enum',
  description:
    'Maps values through a table. In: `map` (external value as text → canonical value), else `default`, else the value itself with `passthrough`, else an error. Out: `out` (canonical value as text → external value) or the inverse of `map`, else `outDefault`.',
  params: z.strictObject({
    map: z.record(z.string(), Scalar).describe('External value, written as text (`"true"`, `"7"`, `"Units"`) → canonical value.'),
    default: Scalar.optional().describe('Canonical value for an external value not in `map`.'),
    passthrough: z.boolean().default(false).describe('Keep a value that is in no table instead of failing.'),
    out: z.record(z.string(), Scalar).optional().describe('Canonical value as text → external value; default: `map` inverted (external values as text).'),
    outDefault: Scalar.optional().describe('External value for a canonical value not in the out table.'),
  }),
  compile: (p) => {
    const inTable = new Map<string, Scalar>(Object.entries(p.map));
    const outTable = new Map<string, Scalar>();
    if (p.out) for (const [k, v] of Object.entries(p.out)) outTable.set(k, v);
    else for (const [k, v] of Object.entries(p.map)) if (!outTable.has(String(v))) outTable.set(String(v), k);
    const lookup = (table: Map<string, Scalar>, fallback: Scalar | undefined, v: unknown) => {
      const key = typeof v === 'object' ? JSON.stringify(v) : String(v);
      const found = table.get(key);
      if (found !== undefined || table.has(key)) return found;
      if (fallback !== undefined) return fallback;
      if (p.passthrough) return v;
      throw new TransformError(`${showValue(v)} is not one of the mapped values: ${[...table.keys()].map((k) => JSON.stringify(k)).join(', ')}`);
    };
    return { in: (v) => lookup(inTable, p.default, v), out: (v) => lookup(outTable, p.outDefault, v) };
  },
});

const boolean = defineTransform({
  name: 'boolean',
  description: 'Yes/no. In: `true`/`false`, 1/0, "yes"/"no", "y"/"n", "on"/"off", "true"/"false", or the `true`/`false` parameters. Out: the `true`/`false` parameters (default the booleans).',
  params: z.strictObject({
    true: Scalar.default(true).describe('How the external side writes yes.'),
    false: Scalar.default(false).describe('How the external side writes no.'),
  }),
  compile: (p) => ({
    in: (v) => {
      if (v === p.true) return true;
      if (v === p.false) return false;
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === 0) return v === 1;
      if (typeof v === 'string') {
        if (/^(true|yes|y|on|1)$/i.test(v.trim())) return true;
        if (/^(false|no|n|off|0)$/i.test(v.trim())) return false;
      }
      throw new TransformError(`${showValue(v)} is neither yes nor no`);
    },
    out: (v) => {
      if (typeof v !== 'boolean') throw new TransformError(`expected true or false, got ${showValue(v)}`);
      return v ? p.true : p.false;
    },
  }),
});

// -------------------------------------------------------------------------------- Odoo relations, ids

const many2oneId = defineTransform({
  name: 'many2oneId',
  description: "The id of an Odoo many2one (`[42, \"Acme\"]` → `\"42\"`; `false` → no value). Out: the id as a number (or text with `as: \"string\"`).",
  params: z.strictObject({ as: NumberOrString }),
  compile: (p) => ({
    in: (v) => {
      if (v === false) return undefined;
      const id = Array.isArray(v) ? v[0] : v;
      if ((typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && id !== '')) return String(id);
      throw new TransformError(`expected a many2one [id, name] or an id, got ${showValue(v)}`);
    },
    out: (v) => {
      if (typeof v !== 'string' && typeof v !== 'number') throw new TransformError(`expected an id, got ${showValue(v)}`);
      if (p.as === 'string') return String(v);
      const id = Number(v);
      if (!Number.isSafeInteger(id) || id <= 0) throw new TransformError(`${showValue(v)} is not a numeric id`);
      return id;
    },
  }),
});

const many2oneName = defineTransform({
  name: 'many2oneName',
  description: 'The display name of an Odoo many2one (`[1, "Units"]` → `"Units"`; `false` → no value). In only: Odoo writes many2one fields by id.',
  params: noParams,
  oneWay: 'in',
  compile: () => ({
    in: (v) => {
      if (v === false) return undefined;
      if (typeof v === 'string') return v;
      if (Array.isArray(v) && typeof v[1] === 'string') return v[1];
      throw new TransformError(`expected a many2one [id, name], got ${showValue(v)}`);
    },
  }),
});

const ref = defineTransform({
  name: 'ref',
  description:
    'An id of another linked record, through the ids the engine looked up before mapping (`ctx.refs[entity]`). In: external id → canonical id; out: canonical id → external id. An id with no link is an error: the other record must be synced first.',
  params: z.strictObject({ entity: z.string().min(1).describe('The linked entity, e.g. `customer`.') }),
  compile: (p) => {
    const lookup = (v: unknown, ctx: MapContext) => {
      if (typeof v !== 'string' && typeof v !== 'number') throw new TransformError(`expected an id, got ${showValue(v)}${Array.isArray(v) ? ' (read the id with many2oneId first)' : ''}`);
      const id = String(v);
      const table = ctx.refs[p.entity];
      return table && Object.hasOwn(table, id) ? table[id] : undefined;
    };
    return {
      in: (v, ctx) => {
        const found = lookup(v, ctx);
        if (found === undefined) throw new TransformError(`no ${p.entity} is linked to external id ${showValue(String(v))} yet; that ${p.entity} must be synced first`);
        return found;
      },
      out: (v, ctx) => {
        const found = lookup(v, ctx);
        if (found === undefined) throw new TransformError(`${p.entity} ${showValue(String(v))} has no record in the target yet; it must be delivered first`);
        return found;
      },
    };
  },
});

// ------------------------------------------------------------------------------------- times and dates

const ODOO_DATETIME = /^(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))[ T]([01]\d|2[0-3])(:[0-5]\d:[0-5]\d)(?:\.\d{1,6})?Z?$/;
const ISO_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/;

const odooDatetime = defineTransform({
  name: 'odooDatetime',
  description:
    'Odoo datetime (`"2026-11-26 09:00:00"`, UTC without a zone) ↔ ISO 8601 UTC (`"2026-11-26T09:00:00Z"`), to the second as Odoo stores it. In also takes an ISO UTC time (the Odoo connector may already have converted it).',
  params: noParams,
  compile: () => ({
    in: (v) => {
      const m = ODOO_DATETIME.exec(text(v));
      if (!m) throw new TransformError(`${showValue(v)} is not an Odoo datetime like "2026-11-26 09:00:00"`);
      return `${m[1]}T${m[2]}${m[3]}Z`;
    },
    out: (v) => {
      const iso = text(v);
      const m = ISO_UTC.exec(iso);
      if (m) return `${m[1]} ${m[2]}`;
      const ms = Date.parse(iso);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(ms)) throw new TransformError(`${showValue(v)} is not an ISO 8601 time`);
      return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    },
  }),
});

const DateFormat = z
  .string()
  .default('YYYY-MM-DD')
  .refine((f) => ['YYYY', 'MM', 'DD'].every((t) => f.split(t).length === 2), 'must hold YYYY, MM and DD once each, e.g. DD.MM.YYYY')
  .describe('How the external side writes a date: YYYY, MM and DD plus separators, e.g. `DD.MM.YYYY`.');

const date = defineTransform({
  name: 'date',
  description: 'A date in an external format (`format`, e.g. `DD.MM.YYYY`) ↔ ISO 8601 date (`2026-12-01`).',
  params: z.strictObject({ format: DateFormat }),
  compile: (p) => {
    const order: string[] = [];
    const pattern = p.format.replace(/YYYY|MM|DD|[.*+?^${}()|[\]\\]/g, (t) => {
      if (t === 'YYYY' || t === 'MM' || t === 'DD') {
        order.push(t);
        return t === 'YYYY' ? '(\\d{4})' : '(\\d{1,2})';
      }
      return `\\${t}`;
    });
    const external = new RegExp(`^${pattern}$`);
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/;
    const valid = (y: string, m: string, d: string) => {
      const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
      return day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(m) - 1 && day.getUTCDate() === Number(d);
    };
    return {
      in: (v) => {
        const m = external.exec(text(v).trim());
        if (!m) throw new TransformError(`${showValue(v)} is not a date like ${p.format}`);
        const part = (t: string) => (m[order.indexOf(t) + 1] ?? '').padStart(2, '0');
        const [y, mo, d] = [part('YYYY'), part('MM'), part('DD')];
        if (!valid(y, mo, d)) throw new TransformError(`${showValue(v)} is not a real date`);
        return `${y}-${mo}-${d}`;
      },
      out: (v) => {
        const m = iso.exec(text(v));
        if (!m || !valid(m[1] as string, m[2] as string, m[3] as string)) throw new TransformError(`${showValue(v)} is not an ISO 8601 date`);
        return p.format.replace('YYYY', m[1] as string).replace('MM', m[2] as string).replace('DD', m[3] as string);
      },
    };
  },
});

const timestamp = defineTransform({
  name: 'timestamp',
  description: 'Unix time (a number of `seconds` or `milliseconds`) ↔ ISO 8601 UTC.',
  params: z.strictObject({ unit: z.enum(['seconds', 'milliseconds']).default('seconds').describe('Unit of the external number.') }),
  compile: (p) => {
    const scale = p.unit === 'seconds' ? 1000 : 1;
    return {
      in: (v) => {
        const n = typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isFinite(n)) throw new TransformError(`${showValue(v)} is not a Unix time`);
        const iso = new Date(Math.round(n * scale)).toISOString();
        return p.unit === 'seconds' ? iso.replace('.000Z', 'Z') : iso;
      },
      out: (v) => {
        const ms = Date.parse(text(v));
        if (Number.isNaN(ms)) throw new TransformError(`${showValue(v)} is not an ISO 8601 time`);
        return ms / scale;
      },
    };
  },
});

// ------------------------------------------------------------------------------- numbers and money

function decimalOf(v: unknown): Decimal {
  const d = parseDecimal(v);
  if (!d) throw new TransformError(`${showValue(v)} is not a number`);
  return d;
}

const decimalString = defineTransform({
  name: 'decimalString',
  description:
    'A number (float or text) → exact decimal string with up to `decimals` (6) decimals, as canonical quantities are (`12.5`, `-3`, `0.3` for 0.30000000000000004). Out: back to a number (or text with `as: "string"`).',
  params: z.strictObject({
    decimals: z.number().int().min(0).max(6).default(6).describe('Most decimals kept.'),
    rounding: RoundingParam('halfExpand'),
    as: NumberOrString,
  }),
  compile: (p) => ({
    in: (v) => {
      try {
        return formatDecimal(roundDecimal(decimalOf(v), p.decimals, p.rounding));
      } catch (err) {
        if (err instanceof RangeError) throw new TransformError(`${showValue(v)} ${err.message}`);
        throw err;
      }
    },
    out: (v) => {
      const d = decimalOf(v);
      return p.as === 'number' ? Number(formatDecimal(d)) : formatDecimal(d);
    },
  }),
});

function currencyOf(param: string | undefined, ctx: MapContext): string {
  const currency = param ?? ctx.defaults.currency;
  if (!currency) throw new TransformError('no currency: give the transform a `currency` or the context a `defaults.currency`');
  return currency;
}

function toMinor(v: unknown, currency: string, rounding: Rounding): number {
  try {
    return toMinorUnits(decimalOf(v), currencyDigits(currency), rounding);
  } catch (err) {
    if (err instanceof RangeError) throw new TransformError(`${showValue(v)} ${err.message} for ${currency}`);
    throw err;
  }
}

const MoneyParams = z.strictObject({ currency: Currency.optional(), rounding: RoundingParam('error'), as: NumberOrString });

const decimalToMinor = defineTransform({
  name: 'decimalToMinor',
  description:
    'A decimal amount (float or text) ↔ integer minor units of the currency (`currency`, else `defaults.currency`): 19.99 EUR → 1999, exactly. More decimals than the currency has are an error unless `rounding: "halfExpand"`.',
  params: MoneyParams,
  compile: (p) => ({
    in: (v, ctx) => toMinor(v, currencyOf(p.currency, ctx), p.rounding),
    out: (v, ctx) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TransformError(`expected an integer of minor units, got ${showValue(v)}`);
      const amount = fromMinorUnits(v, currencyDigits(currencyOf(p.currency, ctx)));
      return p.as === 'number' ? Number(amount) : amount;
    },
  }),
});

const minor: TransformSpec = { ...decimalToMinor, name: 'minor', description: 'Another name of `decimalToMinor`.' };

const money = defineTransform({
  name: 'money',
  description:
    'A decimal amount ↔ canonical Money `{ amount, currency }` (minor units), with the currency of the field (`currency`, else `defaults.currency`). Out refuses Money in another currency.',
  params: MoneyParams,
  compile: (p) => ({
    in: (v, ctx) => {
      const currency = currencyOf(p.currency, ctx);
      return { amount: toMinor(v, currency, p.rounding), currency };
    },
    out: (v, ctx) => {
      const currency = currencyOf(p.currency, ctx);
      const m = v as { amount?: unknown; currency?: unknown };
      if (typeof m !== 'object' || m === null || typeof m.amount !== 'number' || !Number.isSafeInteger(m.amount) || typeof m.currency !== 'string') {
        throw new TransformError(`expected money { amount, currency }, got ${showValue(v)}`);
      }
      if (m.currency !== currency) throw new TransformError(`is in ${m.currency}, but this field holds ${currency}`);
      const amount = fromMinorUnits(m.amount, currencyDigits(currency));
      return p.as === 'number' ? Number(amount) : amount;
    },
  }),
});

// ---------------------------------------------------------------------------------------------- lists

const split = defineTransform({
  name: 'split',
  description: 'One external text ↔ a canonical list (e.g. `"a@x.de; b@y.de"` ↔ `["a@x.de", "b@y.de"]`). In splits at any of `separators` and trims; out joins with `joinWith`.',
  params: z.strictObject({
    separators: z.string().min(1).default(',;').describe('Characters that separate items.'),
    joinWith: z.string().default(', ').describe('What goes between items when writing out.'),
  }),
  compile: (p) => {
    const separator = charClass(p.separators);
    return {
      in: (v) => {
        const parts = Array.isArray(v) ? v.map((x) => text(x)) : text(v).split(separator);
        return parts.map((x) => x.trim()).filter((x) => x !== '');
      },
      out: (v) => {
        if (!Array.isArray(v)) throw new TransformError(`expected a list, got ${showValue(v)}`);
        return v.length ? v.map((x) => text(x)).join(p.joinWith) : undefined;
      },
    };
  },
});

const join = defineTransform({
  name: 'join',
  description: 'An external list ↔ one canonical text. In joins with `joinWith`; out splits at any of `separators`.',
  params: z.strictObject({
    joinWith: z.string().default(', ').describe('What goes between items.'),
    separators: z.string().min(1).default(',;').describe('Characters that separate items when writing out.'),
  }),
  compile: (p) => {
    const separator = charClass(p.separators);
    return {
      in: (v) => {
        if (!Array.isArray(v)) throw new TransformError(`expected a list, got ${showValue(v)}`);
        const joined = v.map((x) => String(x).trim()).filter((x) => x !== '').join(p.joinWith);
        return joined || undefined;
      },
      out: (v) =>
        text(v)
          .split(separator)
          .map((x) => x.trim())
          .filter((x) => x !== ''),
    };
  },
});

/** Every transform, by name. */
export const TRANSFORMS: ReadonlyMap<string, TransformSpec> = new Map(
  [
    trim,
    lower,
    upper,
    e164,
    falseToEmpty,
    defaultValue,
    constant,
    enumMap,
    boolean,
    many2oneId,
    many2oneName,
    ref,
    odooDatetime,
    date,
    timestamp,
    decimalString,
    decimalToMinor,
    minor,
    money,
    split,
    join,
  ].map((t) => [t.name, t]),
);

/** A transform as a mapping names it: `name` plus its parameters. */
export type TransformRef = { name: string } & Record<string, unknown>;

/**
 * Resolves a transform reference (already validated by the definition schema) into its functions.
 * @example compileTransform({ name: 'e164', defaultCountry: '49' }).in?.('030 123456', ctx) // '+4930123456'
 */
export function compileTransform(reference: TransformRef): CompiledTransform {
  const spec = TRANSFORMS.get(reference.name);
  if (!spec) throw new Error(`unknown transform "${reference.name}"; known: ${[...TRANSFORMS.keys()].join(', ')}`);
  const { name: _name, ...params } = reference;
  return spec.compile(params);
}

/** The library as the API and console show it: name, description, directions, parameter schema. */
export function listTransforms(): { name: string; description: string; directions: readonly TransformDirection[]; params: z.ZodType }[] {
  return [...TRANSFORMS.values()].map(({ name, description, directions, params }) => ({ name, description, directions, params }));
}
