// Odoo-specific mapping functions: what the Odoo field tables cannot say as one field ↔ one field.
import type { MappingError } from '../engine/context';
import { currencyDigits, formatDecimal, fromMinorUnits, parseDecimal, roundDecimal, toMinorUnits } from '../engine/decimal';
import type { MappingFunction } from '../engine/functions';

type Address = Record<string, unknown>;

function nonEmptyText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Odoo has two street lines (`street`, `street2`); a canonical address has one `street`. In: `street2`
 * becomes a second line of `addresses[0].street`. Out: the first line goes to `street`, the others to
 * `street2` (`false` when there are none), so a round trip gives back what Odoo had.
 */
export const odooStreet2: MappingFunction = {
  name: 'odoo.street2',
  description: "Odoo's second street line ↔ the second line of the first canonical address's `street`.",
  canonical: ['customer'],
  writes: { canonical: ['addresses'], external: ['street', 'street2'] },
  in(external, canonical, ctx) {
    const street2 = nonEmptyText(external.street2);
    if (!street2) return undefined;
    const addresses = Array.isArray(canonical.addresses) ? (canonical.addresses as Address[]) : [];
    canonical.addresses = addresses;
    let address = addresses[0];
    if (!address) {
      // Only a second street line: the address still needs the kind and country the table would give it.
      address = { kind: 'billing', ...(ctx.defaults.country ? { country: ctx.defaults.country } : {}) };
      addresses.push(address);
    }
    address.street = typeof address.street === 'string' ? `${address.street}\n${street2}` : street2;
    return undefined;
  },
  out(canonical, external) {
    const address = Array.isArray(canonical.addresses) ? (canonical.addresses[0] as Address | undefined) : undefined;
    const street = typeof address?.street === 'string' ? address.street : undefined;
    if (street === undefined) {
      external.street2 = false;
      return undefined;
    }
    const [first = '', ...rest] = street.split('\n');
    external.street = first.trim() || false;
    external.street2 = rest.join('\n').trim() || false;
    return undefined;
  },
};

/** A value for an error message: JSON, cut short. */
function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === '';
}

const DESCRIPTION_MAX = 500;

/**
 * Odoo order lines ↔ canonical order lines. In: `order_line` as the Odoo connector gives it
 * (`[{ default_code, name, product_uom_qty, price_unit, discount }]`): the SKU, the quantity as an
 * exact decimal string, the unit price in minor units of the order's currency (more decimals than the
 * currency has is an error, never rounded), the discount percent as basis points (10.5 % → 1050),
 * the description (cut to 500 characters). A line with quantity 0 is left out: Odoo keeps a removed
 * line of a confirmed order that way. Out: the same shape, which the Odoo sink turns into lines with
 * products found by SKU.
 */
export const odooOrderLines: MappingFunction = {
  name: 'odoo.orderLines',
  description: "Odoo `order_line` ↔ the order's `lines`: SKU, quantity (decimal string), unit price (minor units of the order currency), discount (basis points), description.",
  canonical: ['order'],
  writes: { canonical: ['lines'], external: ['order_line'] },
  in(external, canonical, ctx) {
    const raw = external.order_line;
    if (isBlank(raw)) {
      canonical.lines = [];
      return undefined;
    }
    if (!Array.isArray(raw)) return [{ field: 'lines', external: 'order_line', message: `from order_line: expected a list of lines, got ${show(raw)}` }];
    const currency = typeof canonical.currency === 'string' ? canonical.currency : ctx.defaults.currency;
    if (!currency) return [{ field: 'lines', external: 'order_line', message: 'from order_line: no currency for the unit prices (no currency_id, and no defaults.currency in the context)' }];
    const digits = currencyDigits(currency);
    const errors: MappingError[] = [];
    const lines: Record<string, unknown>[] = [];
    raw.forEach((item, i) => {
      const from = `order_line.${i}`;
      const at = `lines.${lines.length}`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        errors.push({ field: at, external: from, message: `from ${from}: expected a line { default_code, product_uom_qty, price_unit, discount }, got ${show(item)}` });
        return;
      }
      const line = item as Record<string, unknown>;
      const fail = (field: string, odoo: string, message: string) => errors.push({ field: `${at}.${field}`, external: `${from}.${odoo}`, message: `from ${from}.${odoo}: ${message}` });
      const quantity = parseDecimal(line.product_uom_qty);
      if (quantity && /^0*$/.test(quantity.int + quantity.frac)) return;
      const mapped: Record<string, unknown> = {};
      lines.push(mapped);
      const sku = typeof line.default_code === 'string' ? line.default_code.trim() : '';
      if (sku) mapped.sku = sku;
      else fail('sku', 'default_code', `the line's product has no SKU (internal reference), got ${show(line.default_code)}`);
      if (typeof line.name === 'string' && line.name.trim() !== '') {
        const text = line.name.trim();
        mapped.description = text.length > DESCRIPTION_MAX ? `${text.slice(0, DESCRIPTION_MAX - 1)}…` : text;
      }
      if (!quantity) fail('quantity', 'product_uom_qty', `${show(line.product_uom_qty)} is not a number`);
      else if (quantity.negative) fail('quantity', 'product_uom_qty', `${show(line.product_uom_qty)} is negative; a returned quantity is not an order line`);
      else mapped.quantity = formatDecimal(roundDecimal(quantity, 6, 'halfExpand'));
      const price = parseDecimal(line.price_unit);
      if (!price) fail('unitPrice', 'price_unit', `${show(line.price_unit)} is not a number`);
      else if (price.negative && !/^0*$/.test(price.int + price.frac)) fail('unitPrice', 'price_unit', `${show(line.price_unit)} is negative`);
      else {
        try {
          mapped.unitPrice = toMinorUnits({ ...price, negative: false }, digits, 'error');
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          fail('unitPrice', 'price_unit', `${show(line.price_unit)} ${err.message} for ${currency}`);
        }
      }
      const discount = isBlank(line.discount) ? parseDecimal(0) : parseDecimal(line.discount);
      if (!discount) fail('discountBasisPoints', 'discount', `${show(line.discount)} is not a number`);
      else {
        const points = toMinorUnits(discount, 2, 'halfExpand');
        if (points < 0 || points > 10_000) fail('discountBasisPoints', 'discount', `${show(line.discount)} is not a percentage between 0 and 100`);
        else mapped.discountBasisPoints = points;
      }
    });
    canonical.lines = lines;
    return errors;
  },
  out(canonical, external, ctx) {
    const lines = canonical.lines;
    if (lines === undefined) return undefined;
    if (!Array.isArray(lines)) return [{ field: 'lines', external: 'order_line', message: `to order_line: expected a list of lines, got ${show(lines)}` }];
    const currency = typeof canonical.currency === 'string' ? canonical.currency : ctx.defaults.currency;
    if (!currency) return [{ field: 'lines', external: 'order_line', message: 'to order_line: no currency for the unit prices' }];
    const digits = currencyDigits(currency);
    const errors: MappingError[] = [];
    external.order_line = lines.map((item, k) => {
      const line = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const odoo: Record<string, unknown> = { default_code: line.sku, product_uom_qty: Number(line.quantity) };
      if (typeof line.unitPrice === 'number' && Number.isSafeInteger(line.unitPrice)) odoo.price_unit = Number(fromMinorUnits(line.unitPrice, digits));
      else errors.push({ field: `lines.${k}.unitPrice`, external: `order_line.${k}.price_unit`, message: `to order_line.${k}.price_unit: expected an integer of minor units, got ${show(line.unitPrice)}` });
      odoo.discount = typeof line.discountBasisPoints === 'number' ? line.discountBasisPoints / 100 : 0;
      if (typeof line.description === 'string' && line.description !== '') odoo.name = line.description;
      return odoo;
    });
    return errors;
  },
};

const DATE_OR_DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/;

/** The date part of an Odoo datetime (or the ISO UTC time the Odoo connector gives), or an error message. */
function datePart(value: unknown): { date: string } | { problem: string } {
  const match = typeof value === 'string' ? DATE_OR_DATETIME.exec(value) : null;
  if (!match) return { problem: `${show(value)} is not an Odoo datetime like "2026-12-01 12:00:00"` };
  const date = match[1] as string;
  return Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date ? { problem: `${show(value)} is not a real date` } : { date };
}

/**
 * A calendar date written to an Odoo datetime field: noon UTC, so the date is the same in every time
 * zone from UTC−11 to UTC+11, where Odoo's forms show it.
 */
function noonUtc(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value} 12:00:00` : undefined;
}

/** Date fields ↔ Odoo datetime fields: in the date part (UTC), out that date at noon UTC. */
function dateFields(name: string, canonical: MappingFunction['canonical'], pairs: [string, string][], required: boolean): MappingFunction {
  return {
    name,
    description: `${pairs.map(([c, e]) => `\`${c}\` ↔ Odoo's \`${e}\``).join(', ')}: the date part of the datetime (UTC) in; out, that date at 12:00 UTC, so every time zone shows the same day.`,
    canonical,
    writes: { canonical: pairs.map(([c]) => c), external: pairs.map(([, e]) => e) },
    in(external, target) {
      const errors: MappingError[] = [];
      for (const [field, odoo] of pairs) {
        const value = external[odoo];
        if (isBlank(value)) continue;
        const part = datePart(value);
        if ('date' in part) target[field] = part.date;
        else errors.push({ field, external: odoo, message: `from ${odoo}: ${part.problem}` });
      }
      return errors;
    },
    out(source, external) {
      const errors: MappingError[] = [];
      for (const [field, odoo] of pairs) {
        const value = source[field];
        if (value === undefined || value === null) {
          // Odoo requires some of them (a manufacturing order's start): those are left as they are.
          if (!required) external[odoo] = false;
          continue;
        }
        const text = noonUtc(value);
        if (text) external[odoo] = text;
        else errors.push({ field, external: odoo, message: `to ${odoo}: ${show(value)} is not an ISO date like 2026-12-01` });
      }
      return errors;
    },
  };
}

/** The order's promised date ↔ Odoo's `commitment_date` (Delivery Date), a datetime. */
export const odooCommitmentDate = dateFields('odoo.commitmentDate', ['order'], [['promisedDate', 'commitment_date']], false);

/** A production order's planned dates ↔ `date_start` and `date_finished` of mrp.production. */
export const odooProductionDates = dateFields(
  'odoo.productionDates',
  ['production_order'],
  [
    ['plannedStart', 'date_start'],
    ['plannedEnd', 'date_finished'],
  ],
  true,
);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** A character reference (`#233`, `#xE9`) or a named entity as text; an unknown or impossible one stays as written. */
function decodeEntity(entity: string, code: string): string {
  if (!code.startsWith('#')) return ENTITIES[code.toLowerCase()] ?? entity;
  const point = /^#x/i.test(code) ? Number.parseInt(code.slice(2), 16) : Number(code.slice(1));
  return Number.isInteger(point) && point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : entity;
}

/** Odoo's HTML note as plain text: paragraphs and line breaks become new lines, tags go, entities are decoded. */
function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6])\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, decodeEntity)
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The order's notes ↔ Odoo's `note` (Terms and conditions), an HTML field since Odoo 16. In: the text
 * of the HTML. Out: one paragraph, new lines as `<br>`; no notes clear the field.
 */
export const odooOrderNote: MappingFunction = {
  name: 'odoo.orderNote',
  description: "The order's `notes` (plain text) ↔ Odoo's HTML `note`.",
  canonical: ['order'],
  writes: { canonical: ['notes'], external: ['note'] },
  in(external, canonical) {
    const note = external.note;
    if (isBlank(note)) return undefined;
    if (typeof note !== 'string') return [{ field: 'notes', external: 'note', message: `from note: expected HTML text, got ${show(note)}` }];
    const text = htmlToText(note);
    if (text) canonical.notes = text;
    return undefined;
  },
  out(canonical, external) {
    const notes = canonical.notes;
    external.note = typeof notes === 'string' && notes.trim() !== '' ? `<p>${notes.trim().split('\n').map(escapeHtml).join('<br>')}</p>` : false;
    return undefined;
  },
};

export const odooFunctions: readonly MappingFunction[] = [odooStreet2, odooOrderLines, odooCommitmentDate, odooOrderNote, odooProductionDates];
