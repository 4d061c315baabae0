// Salesforce-specific mapping functions: what the Salesforce field tables cannot say as one field ↔ one
// field (order lines with money in the order's currency, the order status both systems hold a part
// of, a person's name in two fields, stock summed over warehouses).
import { ORDER_STATUSES, ORDER_TRANSITIONS, type OrderStatus } from '../canonical/order';
import type { MappingError } from '../engine/context';
import { currencyDigits, formatDecimal, parseDecimal, roundDecimal, toMinorUnits } from '../engine/decimal';
import type { MappingFunction } from '../engine/functions';
import { showValue } from '../engine/transforms';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Whether `to` comes after `from` in an order's life (reachable through the allowed transitions). */
function isLater(from: OrderStatus, to: OrderStatus): boolean {
  const seen = new Set<OrderStatus>();
  const queue: OrderStatus[] = [...ORDER_TRANSITIONS[from]];
  while (queue.length) {
    const next = queue.shift() as OrderStatus;
    if (next === to) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...ORDER_TRANSITIONS[next]);
  }
  return false;
}

/**
 * The status of an order. Salesforce knows the start of an order's life: an Order is `Draft` or
 * `Activated` (confirmed); an Opportunity is open (draft), `Closed Won` (confirmed) or `Closed Lost`
 * (cancelled). Qiao knows the rest (in production, shipped, ...) and writes it to `Qiao_Status__c`.
 * In: Salesforce's status, unless `Qiao_Status__c` holds a later one (the order went on after it was
 * confirmed). Out: the canonical status into `Qiao_Status__c`.
 */
export const salesforceOrderStatus: MappingFunction = {
  name: 'salesforce.orderStatus',
  description: 'Order Status (Draft/Activated) or Opportunity StageName (Closed Won/Closed Lost) → status, kept when Qiao_Status__c holds a later one; out: status → Qiao_Status__c.',
  canonical: ['order'],
  writes: { canonical: ['status'], external: ['Qiao_Status__c'] },
  in(external, canonical) {
    let own: OrderStatus;
    if (typeof external.Status === 'string') own = external.Status === 'Activated' ? 'confirmed' : 'draft';
    else if (typeof external.StageName === 'string') own = external.StageName === 'Closed Won' ? 'confirmed' : external.StageName === 'Closed Lost' ? 'cancelled' : 'draft';
    else return [{ field: 'status', external: 'Status', message: `from Status / StageName: the record has neither (got ${showValue(external.Status ?? external.StageName)})` }];
    const written = external.Qiao_Status__c;
    const qiao = typeof written === 'string' && (ORDER_STATUSES as readonly string[]).includes(written) ? (written as OrderStatus) : undefined;
    canonical.status = qiao && isLater(own, qiao) ? qiao : own;
    return undefined;
  },
  out(canonical, external) {
    if (typeof canonical.status === 'string') external.Qiao_Status__c = canonical.status;
    return undefined;
  },
};

/**
 * The lines of an order from the connector's `items` (OrderItem or OpportunityLineItem): SKU from the
 * product code, quantity as an exact decimal string, unit price in minor units of the order's currency
 * (`CurrencyIsoCode`, else `defaults.currency`), an opportunity line's `Discount` (percent) in basis
 * points. More decimals than the currency has is an error, never rounded away. In only: Qiao does not
 * write lines to Salesforce.
 */
export const salesforceOrderItems: MappingFunction = {
  name: 'salesforce.orderItems',
  description: 'items [{ ProductCode, Quantity, UnitPrice, Discount?, Description }] → lines [{ sku, quantity, unitPrice (minor units of the order currency), discountBasisPoints, description }].',
  canonical: ['order'],
  writes: { canonical: ['lines'], external: [] },
  in(external, canonical, ctx) {
    const items = external.items;
    if (!Array.isArray(items)) return [{ field: 'lines', external: 'items', message: `from items: expected the list of order lines, got ${showValue(items)}` }];
    const currency = text(external.CurrencyIsoCode) ?? ctx.defaults.currency;
    if (!currency) return [{ field: 'lines', external: 'CurrencyIsoCode', message: 'no currency: the order has no CurrencyIsoCode and the context no defaults.currency' }];
    const errors: MappingError[] = [];
    const lines: Record<string, unknown>[] = [];
    items.forEach((raw, i) => {
      const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const at = (field: string, from: string, message: string) => errors.push({ field: `lines.${i}.${field}`, external: `items.${i}.${from}`, message: `from items.${i}.${from}: ${message}` });
      const line: Record<string, unknown> = { discountBasisPoints: 0, taxRateBasisPoints: 0 };
      const sku = text(item.ProductCode);
      if (sku) line.sku = sku;
      else at('sku', 'ProductCode', `the line's product has no product code (got ${showValue(item.ProductCode)})`);
      const quantity = parseDecimal(item.Quantity);
      if (!quantity) at('quantity', 'Quantity', `${showValue(item.Quantity)} is not a number`);
      else {
        try {
          line.quantity = formatDecimal(roundDecimal(quantity, 6, 'error'));
        } catch (err) {
          at('quantity', 'Quantity', `${showValue(item.Quantity)} ${(err as Error).message}`);
        }
      }
      const price = parseDecimal(item.UnitPrice);
      if (!price) at('unitPrice', 'UnitPrice', `${showValue(item.UnitPrice)} is not a number`);
      else {
        try {
          line.unitPrice = toMinorUnits(price, currencyDigits(currency), 'error');
        } catch (err) {
          at('unitPrice', 'UnitPrice', `${showValue(item.UnitPrice)} ${(err as Error).message} for ${currency}`);
        }
      }
      if (item.Discount !== undefined && item.Discount !== null) {
        const discount = parseDecimal(item.Discount);
        try {
          // A percent with two decimals is a whole number of basis points.
          if (!discount) throw new RangeError('is not a number');
          line.discountBasisPoints = toMinorUnits(discount, 2, 'error');
        } catch (err) {
          at('discountBasisPoints', 'Discount', `${showValue(item.Discount)} ${(err as Error).message}`);
        }
      }
      const description = text(item.Description);
      if (description) line.description = description;
      lines.push(line);
    });
    canonical.lines = lines;
    return errors.length ? errors : undefined;
  },
};

/**
 * A person's name: Salesforce keeps FirstName and LastName (LastName required) and a read-only
 * compound `Name`. In: `Name`, else FirstName and LastName joined. Out: the last word is LastName, the
 * words before it FirstName (none: null).
 */
export const salesforceContactName: MappingFunction = {
  name: 'salesforce.contactName',
  description: 'Name (else FirstName LastName) → name; out: name → FirstName (all but the last word) and LastName (the last word).',
  canonical: ['contact'],
  writes: { canonical: ['name'], external: ['FirstName', 'LastName'] },
  in(external, canonical) {
    const name = text(external.Name) ?? text([text(external.FirstName), text(external.LastName)].filter(Boolean).join(' '));
    if (!name) return [{ field: 'name', external: 'LastName', message: `from Name / FirstName / LastName: is required, but the source has ${showValue(external.Name ?? external.LastName)}` }];
    canonical.name = name;
    return undefined;
  },
  out(canonical, external) {
    const words = typeof canonical.name === 'string' ? canonical.name.trim().split(/\s+/).filter(Boolean) : [];
    if (!words.length) return [{ field: 'name', external: 'LastName', message: 'to LastName: a contact needs a name (Salesforce requires LastName)' }];
    external.LastName = words.pop();
    external.FirstName = words.length ? words.join(' ') : null;
    return undefined;
  },
};

const MICRO = 1_000_000n;

/** A canonical decimal string (max 6 decimals) as millionths. */
function micros(value: unknown): bigint | undefined {
  const d = parseDecimal(value);
  if (!d) return undefined;
  const r = roundDecimal(d, 6, 'halfExpand');
  const n = BigInt(r.int) * MICRO + BigInt((r.frac || '0').padEnd(6, '0'));
  return r.negative ? -n : n;
}

function fromMicros(n: bigint): number {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  return Number(`${negative ? '-' : ''}${abs / MICRO}.${(abs % MICRO).toString().padStart(6, '0')}`);
}

/**
 * The stock of a product, summed over its warehouses, into the four Qiao_Stock_* fields: on hand,
 * available (on hand minus reserved where a level does not say), incoming, and the "as of" time of
 * the oldest level summed (a sum is only as fresh as its stalest part). No levels: all four empty, so
 * a figure never stands without its time. Out only: stock is the ERP's.
 */
export const salesforceStock: MappingFunction = {
  name: 'salesforce.stock',
  description: 'stockLevels → Qiao_Stock_On_Hand__c, Qiao_Stock_Available__c, Qiao_Stock_Incoming__c (sums over warehouses) and Qiao_Stock_As_Of__c (oldest asOf).',
  canonical: ['product'],
  writes: { canonical: [], external: ['Qiao_Stock_On_Hand__c', 'Qiao_Stock_Available__c', 'Qiao_Stock_Incoming__c', 'Qiao_Stock_As_Of__c'] },
  out(canonical, external) {
    const levels = Array.isArray(canonical.stockLevels) ? (canonical.stockLevels as Record<string, unknown>[]) : [];
    if (!levels.length) {
      Object.assign(external, { Qiao_Stock_On_Hand__c: null, Qiao_Stock_Available__c: null, Qiao_Stock_Incoming__c: null, Qiao_Stock_As_Of__c: null });
      return undefined;
    }
    let onHand = 0n;
    let available = 0n;
    let incoming = 0n;
    let asOf: string | undefined;
    const errors: MappingError[] = [];
    levels.forEach((level, i) => {
      const hand = micros(level.onHand);
      const time = typeof level.asOf === 'string' && !Number.isNaN(Date.parse(level.asOf)) ? new Date(level.asOf).toISOString() : undefined;
      if (hand === undefined || !time) {
        errors.push({ field: `stockLevels.${i}`, external: 'Qiao_Stock_On_Hand__c', message: `stock level ${i} (${showValue(level.warehouse)}) has no on-hand figure or no asOf time` });
        return;
      }
      onHand += hand;
      available += micros(level.available) ?? hand - (micros(level.reserved) ?? 0n);
      incoming += micros(level.incoming) ?? 0n;
      if (asOf === undefined || time < asOf) asOf = time;
    });
    if (errors.length) return errors;
    Object.assign(external, {
      Qiao_Stock_On_Hand__c: fromMicros(onHand),
      Qiao_Stock_Available__c: fromMicros(available),
      Qiao_Stock_Incoming__c: fromMicros(incoming),
      Qiao_Stock_As_Of__c: (asOf as string).replace('.000Z', 'Z'),
    });
    return undefined;
  },
};

export const salesforceFunctions: readonly MappingFunction[] = [salesforceOrderStatus, salesforceOrderItems, salesforceContactName, salesforceStock];
