// The canonical model: what a value must look like to be stored at all.
import { describe, expect, it } from 'vitest';
import {
  CanonicalId,
  CustomerInput,
  lineAmounts,
  Money,
  newCanonicalId,
  ORDER_TRANSITIONS,
  OrderInput,
  Phone,
  ProductInput,
  Timestamp,
} from '../mappings/canonical';

describe('canonical values', () => {
  it('money is an integer of minor units with an ISO 4217 code, never a float', () => {
    expect(Money.safeParse({ amount: 1999, currency: 'EUR' }).success).toBe(true);
    expect(Money.safeParse({ amount: 19.99, currency: 'EUR' }).success).toBe(false);
    expect(Money.safeParse({ amount: 100, currency: 'eur' }).success).toBe(false);
    expect(Money.safeParse({ amount: 100, currency: 'XYZ' }).success).toBe(false);
  });

  it('phones are E.164 and times are UTC with Z', () => {
    expect(Phone.safeParse('+4915112345678').success).toBe(true);
    expect(Phone.safeParse('015112345678').success).toBe(false);
    expect(Timestamp.safeParse('2026-11-26T10:00:00.000Z').success).toBe(true);
    expect(Timestamp.safeParse('2026-11-26T10:00:00+01:00').success).toBe(false);
  });

  it('canonical ids are prefixed, time-ordered and validated', () => {
    const a = newCanonicalId('cus', 1_700_000_000_000);
    const b = newCanonicalId('cus', 1_700_000_000_001);
    expect(CanonicalId.safeParse(a).success).toBe(true);
    expect(a < b).toBe(true);
    expect(CanonicalId.safeParse('cus_123').success).toBe(false);
  });

  it('quantities are decimal strings, and stock may not be a number', () => {
    const base = { sku: 'A-1', name: 'Bolt', stockLevels: [{ warehouse: 'WH1', onHand: '10.5', asOf: '2026-11-26T10:00:00Z' }] };
    expect(ProductInput.safeParse(base).success).toBe(true);
    expect(ProductInput.safeParse({ ...base, stockLevels: [{ ...base.stockLevels[0], onHand: 10 }] }).success).toBe(false);
  });

  it('unknown fields are refused, so a typo is not silently dropped', () => {
    const parsed = CustomerInput.safeParse({ name: 'Acme', emial: 'x@example.com' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('an order needs lines with positive quantities', () => {
    const customerId = newCanonicalId('cus');
    expect(OrderInput.safeParse({ customerId, currency: 'EUR', lines: [] }).success).toBe(false);
    expect(OrderInput.safeParse({ customerId, currency: 'EUR', lines: [{ sku: 'A', quantity: '0', unitPrice: 1 }] }).success).toBe(false);
    expect(OrderInput.safeParse({ customerId, currency: 'EUR', lines: [{ sku: 'A', quantity: '1', unitPrice: 1 }] }).success).toBe(true);
  });
});

describe('order arithmetic and status', () => {
  it('computes line net and tax exactly, rounding half away from zero', () => {
    expect(lineAmounts('2.5', 1000, 1000, 1900)).toEqual({ net: 2250, tax: 428 });
    expect(lineAmounts('3', 333, 0, 0)).toEqual({ net: 999, tax: 0 });
    expect(lineAmounts('0.333333', 3, 0, 0)).toEqual({ net: 1, tax: 0 });
    expect(lineAmounts('1', 5, 0, 1000)).toEqual({ net: 5, tax: 1 });
  });

  it('follows draft → confirmed → in_production → shipped → invoiced → paid → closed, or cancelled', () => {
    expect(ORDER_TRANSITIONS.draft).toEqual(['confirmed', 'cancelled']);
    expect(ORDER_TRANSITIONS.shipped).toEqual(['invoiced']);
    expect(ORDER_TRANSITIONS.closed).toEqual([]);
    expect(ORDER_TRANSITIONS.cancelled).toEqual([]);
  });
});
