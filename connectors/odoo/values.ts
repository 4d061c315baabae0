// Odoo's value quirks, handled in one place: `false` for empty, many2one as `[id, "Name"]`,
// datetimes as "YYYY-MM-DD HH:MM:SS" in UTC without a zone, floats for quantities.

/** A row as Odoo's `read`/`search_read` return it. */
export type OdooRow = { id: number } & Record<string, unknown>;

/** Field name → Odoo field type (`char`, `boolean`, `many2one`, `datetime`, ...), from `fields_get`. */
export type FieldTypes = Record<string, string>;

const ODOO_DATETIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?$/;

/**
 * An Odoo datetime (UTC, no zone) as ISO 8601 UTC, to the second as Odoo reads it.
 * @example fromOdooDatetime('2026-03-01 09:30:00') // '2026-03-01T09:30:00Z'
 */
export function fromOdooDatetime(value: string): string {
  const match = ODOO_DATETIME.exec(value);
  if (!match) throw new Error(`not an Odoo datetime: ${value}`);
  return `${match[1]}T${match[2]}Z`;
}

/**
 * An ISO 8601 time as Odoo writes datetimes in domains: UTC, truncated to the second.
 * @example toOdooDatetime('2026-03-01T10:30:00+01:00') // '2026-03-01 09:30:00'
 */
export function toOdooDatetime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO time: ${iso}`);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** One second after an Odoo datetime, in the same format. */
export function nextOdooSecond(odooDatetime: string): string {
  return toOdooDatetime(new Date(Date.parse(`${odooDatetime.replace(' ', 'T')}Z`) + 1000).toISOString());
}

/** The id of a many2one value (`[id, "Name"]`, a bare id, or `false`). */
export function many2oneId(value: unknown): number | undefined {
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  if (typeof value === 'number') return value;
  return undefined;
}

/**
 * A row as the connector hands it on: `false` becomes `null` except in boolean fields, datetimes
 * become ISO UTC, many2one stays `[id, "Display Name"]` (or `null`). Field names are Odoo's.
 */
export function normalizeRow(row: Record<string, unknown>, types: FieldTypes): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(row)) {
    const type = types[field];
    if (value === false && type !== 'boolean') data[field] = null;
    else if (type === 'datetime' && typeof value === 'string') data[field] = fromOdooDatetime(value);
    else data[field] = value;
  }
  return data;
}

/** Values to write: `undefined` dropped, `null` written as Odoo's `false`, a many2one pair as its id. */
export function toOdooVals(data: Record<string, unknown>): Record<string, unknown> {
  const vals: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (value === undefined) continue;
    if (value === null) vals[field] = false;
    else if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') vals[field] = value[0];
    else vals[field] = value;
  }
  return vals;
}

const MICRO = 1_000_000n;

/**
 * Sums Odoo quantities (floats) exactly, as a decimal string with at most 6 decimals: Odoo rounds
 * quantities to the unit of measure's precision, which is never finer than that.
 * @example sumQuantities([0.1, 0.2]) // '0.3'
 */
export function sumQuantities(values: readonly unknown[]): string {
  let total = 0n;
  for (const value of values) if (typeof value === 'number') total += BigInt(Math.round(value * 1_000_000));
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const frac = (abs % MICRO).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / MICRO}${frac ? `.${frac}` : ''}`;
}
