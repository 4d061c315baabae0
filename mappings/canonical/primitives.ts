// Value types shared by every canonical entity: ids, money, quantities, phones, times.
import { z } from 'zod';

/** Crockford base32, lowercase: the alphabet of canonical ids. */
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A hub-owned id: `<prefix>_<26 chars>`, time-ordered (48-bit ms timestamp + 80 random bits, like a ULID).
 * @example CanonicalId.parse('cus_01j9z3k4m5n6p7q8r9s0t1v2w3')
 */
export const CanonicalId = z
  .string()
  .regex(/^[a-z]{2,4}_[0-9a-hjkmnp-tv-z]{26}$/, 'must be a Qiao id like cus_01j9z3k4m5n6p7q8r9s0t1v2w3')
  .brand<'CanonicalId'>()
  .describe('Hub-owned id, `<prefix>_<26 base32 chars>`, time-ordered.');
export type CanonicalId = z.infer<typeof CanonicalId>;

let lastTime = -1;
const lastRandom: number[] = new Array(16).fill(0);

/**
 * Makes a new time-ordered canonical id with the given prefix (`cus`, `prd`, `ord`, ...). Within one
 * process ids are strictly increasing, even for ids made in the same millisecond (monotonic ULID).
 */
export function newCanonicalId(prefix: string, now: number = Date.now()): CanonicalId {
  const time = Math.max(now, lastTime);
  if (time === lastTime) {
    let i = 15;
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
    if (i >= 0) lastRandom[i] = (lastRandom[i] as number) + 1;
  } else {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    // The top bit of the random part starts clear, leaving room to count up within one millisecond.
    for (let i = 0; i < 16; i++) lastRandom[i] = (bytes[i] as number) % (i === 0 ? 16 : 32);
    lastTime = time;
  }
  let encoded = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    encoded = ID_ALPHABET[t % 32] + encoded;
    t = Math.floor(t / 32);
  }
  for (const digit of lastRandom) encoded += ID_ALPHABET[digit];
  return `${prefix}_${encoded}` as CanonicalId;
}

/** Where a canonical record lives in another system. */
export const ExternalRef = z
  .object({
    connector: z.string().min(1).describe('Connector name, e.g. `odoo`.'),
    entity: z.string().min(1).describe('Entity in that system, e.g. `res.partner`.'),
    externalId: z.string().min(1).describe('Id of the record in that system.'),
  })
  .describe('A link from a canonical record to a record in another system.');
export type ExternalRef = z.infer<typeof ExternalRef>;

const currencyCodes: ReadonlySet<string> = new Set(
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : [],
);

/** ISO 4217 alphabetic code, checked against the codes the runtime's ICU knows. */
export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code in upper case, e.g. EUR')
  .refine((c) => currencyCodes.size === 0 || currencyCodes.has(c), 'is not an ISO 4217 currency code')
  .describe('ISO 4217 currency code, e.g. `EUR`.');

/** An amount of money: an integer in minor units (cents) plus its currency. Never a float. */
export const Money = z
  .object({
    amount: z.number().int('must be an integer in minor units (e.g. cents), not a float').safe().describe('Amount in minor units, e.g. 1999 for 19.99 EUR.'),
    currency: CurrencyCode,
  })
  .describe('Money: integer minor units plus ISO 4217 currency.');
export type Money = z.infer<typeof Money>;

/** A non-negative decimal quantity as a string (up to 6 decimals), e.g. `"12.5"`. */
export const Quantity = z
  .string()
  .regex(/^\d{1,15}(\.\d{1,6})?$/, 'must be a non-negative decimal string like "12.5" (max 6 decimals)')
  .describe('Non-negative decimal quantity as a string, e.g. `"12.5"`.');

/** A decimal quantity that may be negative (stock on hand can dip below zero in an ERP). */
export const SignedQuantity = z
  .string()
  .regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'must be a decimal string like "-3" or "12.5" (max 6 decimals)')
  .describe('Decimal quantity as a string, may be negative.');

/** E.164 phone number, e.g. `+4915112345678`. */
export const Phone = z
  .string()
  .regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 phone number like +4915112345678')
  .describe('E.164 phone number.');

/** ISO 8601 UTC instant with a `Z` suffix, e.g. `2026-11-26T10:00:00.000Z`. */
export const Timestamp = z.iso
  .datetime({ message: 'must be an ISO 8601 UTC time ending in Z, e.g. 2026-11-26T10:00:00Z' })
  .describe('ISO 8601 UTC time.');

/** ISO 8601 calendar date, e.g. `2026-12-01`. */
export const CalendarDate = z.iso.date({ message: 'must be an ISO 8601 date like 2026-12-01' }).describe('ISO 8601 date.');

export const Email = z.email({ message: 'must be an email address' }).describe('Email address.');

/** Fields every stored record carries; set by the hub, never by a client. */
export const RecordMeta = {
  createdAt: Timestamp.describe('When the hub first stored the record.'),
  updatedAt: Timestamp.describe('When the hub last changed the record.'),
  version: z.number().int().positive().describe('Increments on every change; the ETag of the record.'),
};
