// Exact decimal arithmetic on digit strings, for money and quantities: a float from an ERP is read
// through its shortest decimal spelling (19.99, not 19.989999999999998), never multiplied as a float.

/** A decimal number as digit strings: `int` without leading zeros ("0" at least), `frac` as written. */
export interface Decimal {
  negative: boolean;
  int: string;
  frac: string;
}

export type Rounding = 'error' | 'halfExpand';

const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?$/;
const EXPONENT = /^(-)?(\d+)(?:\.(\d+))?e([+-]\d+)$/;

function make(negative: boolean, int: string, frac: string): Decimal {
  const trimmedInt = int.replace(/^0+(?=\d)/, '') || '0';
  return { negative, int: trimmedInt, frac };
}

/**
 * Reads a finite number or a decimal string ("19.99", "-3", ".5"); undefined for anything else.
 * @example parseDecimal(1e-7) // { negative: false, int: '0', frac: '0000001' }
 */
export function parseDecimal(value: unknown): Decimal | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const text = String(value);
    const exp = EXPONENT.exec(text);
    if (!exp) return parseDecimal(text);
    // 1.5e-7 or 1e+21: move the point by the exponent.
    const digits = (exp[2] ?? '') + (exp[3] ?? '');
    const point = (exp[2] ?? '').length + Number(exp[4]);
    const negative = exp[1] === '-';
    if (point <= 0) return make(negative, '0', '0'.repeat(-point) + digits);
    if (point >= digits.length) return make(negative, digits + '0'.repeat(point - digits.length), '');
    return make(negative, digits.slice(0, point), digits.slice(point));
  }
  if (typeof value !== 'string') return undefined;
  const match = DECIMAL_TEXT.exec(value.trim());
  if (!match) return undefined;
  const int = match[2] ?? '';
  const frac = match[3] ?? '';
  if (int === '' && frac === '') return undefined;
  return make(match[1] === '-', int, frac);
}

/** Adds one to a string of digits ("199" → "200", "99" → "100"). */
function increment(digits: string): string {
  const out = digits.split('');
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === '9') out[i] = '0';
    else {
      out[i] = String(Number(out[i]) + 1);
      return out.join('');
    }
  }
  return `1${out.join('')}`;
}

/**
 * Rounds to at most `digits` decimals, half away from zero; with `error`, a value that would lose
 * a non-zero digit throws a RangeError instead.
 */
export function roundDecimal(d: Decimal, digits: number, rounding: Rounding): Decimal {
  const frac = d.frac.replace(/0+$/, '');
  if (frac.length <= digits) return { ...d, frac };
  if (rounding === 'error') throw new RangeError(`has more than ${digits} decimal${digits === 1 ? '' : 's'}`);
  const kept = d.int + frac.slice(0, digits);
  const rounded = (frac.charCodeAt(digits) >= 53 /* '5' */ ? increment(kept) : kept).padStart(d.int.length + digits, '0');
  const intLength = rounded.length - digits;
  return make(d.negative, rounded.slice(0, intLength), rounded.slice(intLength).replace(/0+$/, ''));
}

/**
 * The decimal as text: no trailing zeros, no "-0".
 * @example formatDecimal({ negative: false, int: '12', frac: '50' }) // '12.5'
 */
export function formatDecimal(d: Decimal, minDecimals = 0): string {
  let frac = d.frac.replace(/0+$/, '');
  if (frac.length < minDecimals) frac = frac.padEnd(minDecimals, '0');
  const zero = d.int === '0' && /^0*$/.test(frac);
  return `${d.negative && !zero ? '-' : ''}${d.int}${frac ? `.${frac}` : ''}`;
}

/**
 * The decimal in minor units of a currency with `digits` decimals, as a safe integer.
 * @example toMinorUnits(parseDecimal(19.99)!, 2, 'error') // 1999
 */
export function toMinorUnits(d: Decimal, digits: number, rounding: Rounding): number {
  const rounded = roundDecimal(d, digits, rounding);
  const minor = Number(rounded.int + rounded.frac.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) throw new RangeError('is too large for an exact amount');
  return minor === 0 ? 0 : rounded.negative ? -minor : minor;
}

/**
 * Minor units back to a decimal string with exactly `digits` decimals.
 * @example fromMinorUnits(1999, 2) // '19.99'
 */
export function fromMinorUnits(amount: number, digits: number): string {
  const negative = amount < 0;
  const text = String(Math.abs(amount)).padStart(digits + 1, '0');
  const int = text.slice(0, text.length - digits);
  const frac = text.slice(text.length - digits);
  return `${negative ? '-' : ''}${int}${digits ? `.${frac}` : ''}`;
}

/**
 * Decimals of the minor unit of an ISO 4217 currency (EUR 2, JPY 0, KWD 3). A fixed table rather than
 * Intl, so the answer never depends on the ICU build of the Node that runs the workflow.
 */
const CURRENCY_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** @example currencyDigits('JPY') // 0 */
export function currencyDigits(currency: string): number {
  return CURRENCY_DIGITS[currency] ?? 2;
}
