// HubSpot-specific mapping functions: what the HubSpot field tables cannot say as one field ↔ one
// field (two street lines and a free-text country, a web site that may be a bare domain, a person's
// two name fields, a deal's line items, and stock summed over warehouses for the product record).
import type { MapContext, MappingError, OutContext } from '../engine/context';
import { currencyDigits, type Decimal, formatDecimal, parseDecimal, roundDecimal, toMinorUnits } from '../engine/decimal';
import type { MappingFunction } from '../engine/functions';
import { countryCode, countryName } from './countries';

type Address = Record<string, unknown>;

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * HubSpot companies have `address`, `address2` and a free-text `country`; a canonical address has one
 * `street` and an ISO country. In: `address2` becomes a second line of `addresses[0].street`, and the
 * country, written as a code or an English name, its ISO code (none: the context's `defaults.country`).
 * Out: the first street line goes to `address`, the others to `address2`, and the country by its
 * English name, as HubSpot shows countries.
 */
export const hubspotAddress: MappingFunction = {
  name: 'hubspot.address',
  description: "HubSpot's address2 and free-text country ↔ the second street line and ISO country of the first canonical address.",
  canonical: ['customer'],
  writes: { canonical: ['addresses'], external: ['address', 'address2', 'country'] },
  in(external, canonical, ctx) {
    const street2 = text(external.address2);
    const country = text(external.country);
    const addresses = Array.isArray(canonical.addresses) ? (canonical.addresses as Address[]) : [];
    canonical.addresses = addresses;
    let address = addresses[0];
    if (!address) {
      if (!street2 && !country) return undefined;
      address = { kind: 'billing' };
      addresses.push(address);
    }
    if (street2) address.street = typeof address.street === 'string' ? `${address.street}\n${street2}` : street2;
    if (country) {
      const code = countryCode(country);
      if (!code) return [{ field: 'addresses.0.country', external: 'country', message: `from country: ${JSON.stringify(country)} is neither an ISO country code nor the English name of a country` }];
      address.country = code;
    } else if (ctx.defaults.country && address.country === undefined) {
      address.country = ctx.defaults.country;
    }
    return undefined;
  },
  out(canonical, external) {
    const address = Array.isArray(canonical.addresses) ? (canonical.addresses[0] as Address | undefined) : undefined;
    if (!address) return undefined;
    if (typeof address.street === 'string') {
      const [first = '', ...rest] = address.street.split('\n').map((line) => line.trim());
      external.address = first || null;
      external.address2 = rest.filter((line) => line !== '').join(', ') || null;
    }
    if (typeof address.country === 'string') external.country = countryName(address.country) ?? address.country;
    return undefined;
  },
};

/** The lower-cased host name of an http(s) URL; undefined for anything else. Plain text, no URL parser, so it runs anywhere. */
function hostOf(url: string): string | undefined {
  const match = /^https?:\/\/(?:[^/?#@\s]*@)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::\d{1,5})?(?:[/?#]\S*)?$/i.exec(url);
  return match?.[1]?.toLowerCase();
}

/**
 * HubSpot companies have `website` (often without a scheme) and `domain`. In: the web site as a URL,
 * `https://` added where it lacks a scheme, else `https://<domain>`. Out: `website` as it is and
 * `domain` its host name without `www.`.
 */
export const hubspotWebsite: MappingFunction = {
  name: 'hubspot.website',
  description: "HubSpot's website (or domain) ↔ the canonical web site URL; out also writes the domain.",
  canonical: ['customer'],
  writes: { canonical: ['website'], external: ['website', 'domain'] },
  in(external, canonical) {
    const site = text(external.website) ?? text(external.domain);
    if (!site) return undefined;
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(site) ? site : `https://${site}`;
    if (!hostOf(url)) {
      const from = text(external.website) ? 'website' : 'domain';
      return [{ field: 'website', external: from, message: `from ${from}: ${JSON.stringify(site)} is not a web address` }];
    }
    canonical.website = url;
    return undefined;
  },
  out(canonical, external) {
    if (typeof canonical.website !== 'string') return undefined;
    const host = hostOf(canonical.website);
    if (!host) return [{ field: 'website', external: 'domain', message: `to domain: ${JSON.stringify(canonical.website)} is not a web address` }];
    external.website = canonical.website;
    external.domain = host.replace(/^www\./, '');
    return undefined;
  },
};

/**
 * HubSpot contacts have `firstname` and `lastname`; a canonical contact one `name`. In: both joined
 * with a space; a contact with neither is named by its email. Out, only when Qiao creates the
 * contact: the first word is the first name, the rest the last name (a split cannot know where a
 * name like "Mary Ann Smith" breaks, so it never rewrites the names of an existing contact).
 */
export const hubspotPersonName: MappingFunction = {
  name: 'hubspot.personName',
  description: "HubSpot's firstname + lastname ↔ the canonical contact name (written out on create only).",
  canonical: ['contact'],
  writes: { canonical: ['name'], external: ['firstname', 'lastname'] },
  in(external, canonical) {
    const name = [text(external.firstname), text(external.lastname)].filter((part) => part !== undefined).join(' ') || text(external.email);
    if (!name) return [{ field: 'name', external: 'firstname, lastname', message: 'from firstname, lastname: a contact needs a first name, a last name or an email' }];
    canonical.name = name;
    return undefined;
  },
  out(canonical, external, ctx: OutContext) {
    if (!ctx.creating || typeof canonical.name !== 'string') return undefined;
    const [first = '', ...rest] = canonical.name.trim().split(/\s+/);
    external.firstname = first;
    if (rest.length > 0) external.lastname = rest.join(' ');
    return undefined;
  },
};

function decimal(value: unknown): Decimal | undefined {
  return value === null || value === undefined || value === '' ? undefined : parseDecimal(value);
}

function isPositive(d: Decimal): boolean {
  return !d.negative && /[1-9]/.test(d.int + d.frac);
}

/**
 * A deal's line items (`line_items` from the HubSpot connector: `[{id, hs_sku, name, quantity, price,
 * discount, hs_discount_percentage}]`) → canonical order lines. Prices are decimals in the deal's
 * currency (`deal_currency_code`, else `defaults.currency`) and become exact minor units: more
 * decimals than the currency has are an error, never rounded away. The discount comes from
 * `hs_discount_percentage` (10 → 1000 basis points), else from the per-unit `discount` amount
 * relative to the price. HubSpot has no tax rate per line: 0. In only: the lines of a deal are HubSpot's.
 */
export const hubspotLineItems: MappingFunction = {
  name: 'hubspot.lineItems',
  description: "A deal's line items → order lines: SKU, name, quantity as a decimal string, price in minor units, discount in basis points.",
  canonical: ['order'],
  writes: { canonical: ['lines'], external: [] },
  in(external, canonical, ctx: MapContext) {
    const items = Array.isArray(external.line_items) ? (external.line_items as Record<string, unknown>[]) : [];
    const currency = text(external.deal_currency_code)?.toUpperCase() ?? ctx.defaults.currency;
    const errors: MappingError[] = [];
    if (!currency) return [{ field: 'lines', external: 'deal_currency_code', message: 'the deal has no deal_currency_code and the context no defaults.currency' }];
    const digits = currencyDigits(currency);
    const lines: Record<string, unknown>[] = [];
    items.forEach((item, i) => {
      const at = (field: string, external: string, message: string) => errors.push({ field: `lines.${i}.${field}`, external: `line_items.${i}.${external}`, message: `from line_items.${i}.${external}: ${message}` });
      const sku = text(item.hs_sku);
      if (!sku) at('sku', 'hs_sku', 'the line item has no SKU; every order line needs one');
      const quantity = decimal(item.quantity);
      let quantityText: string | undefined;
      if (!quantity || !isPositive(quantity)) at('quantity', 'quantity', `${JSON.stringify(item.quantity ?? null)} is not a quantity greater than zero`);
      else {
        try {
          quantityText = formatDecimal(roundDecimal(quantity, 6, 'error'));
        } catch {
          at('quantity', 'quantity', `${JSON.stringify(item.quantity)} has more than 6 decimals`);
        }
      }
      const price = decimal(item.price) ?? parseDecimal('0');
      let unitPrice: number | undefined;
      if (!price || price.negative) at('unitPrice', 'price', `${JSON.stringify(item.price)} is not a price`);
      else {
        try {
          unitPrice = toMinorUnits(price, digits, 'error');
        } catch (err) {
          at('unitPrice', 'price', `${JSON.stringify(item.price)} ${(err as Error).message} for ${currency}`);
        }
      }
      let discountBasisPoints = 0;
      const percentage = decimal(item.hs_discount_percentage);
      const amount = decimal(item.discount);
      try {
        if (percentage) discountBasisPoints = toMinorUnits(percentage, 2, 'halfExpand');
        else if (amount && unitPrice !== undefined) {
          const off = toMinorUnits(amount, digits, 'halfExpand');
          discountBasisPoints = unitPrice > 0 ? Math.round((off * 10_000) / unitPrice) : 0;
        }
      } catch {
        discountBasisPoints = -1;
      }
      if (discountBasisPoints < 0 || discountBasisPoints > 10_000) {
        at('discountBasisPoints', percentage ? 'hs_discount_percentage' : 'discount', 'the discount is not between 0 and 100 % of the price');
        discountBasisPoints = 0;
      }
      if (sku === undefined || quantityText === undefined || unitPrice === undefined) return;
      const line: Record<string, unknown> = { sku, quantity: quantityText, unitPrice, discountBasisPoints, taxRateBasisPoints: 0 };
      const name = text(item.name);
      if (name) line.description = name.slice(0, 500);
      lines.push(line);
    });
    canonical.lines = lines;
    return errors.length > 0 ? errors : undefined;
  },
};

const MICRO = 1_000_000n;

/** A canonical quantity (decimal string) in millionths, exactly. */
function micro(value: unknown): bigint {
  const d = decimal(value);
  if (!d) return 0n;
  const rounded = roundDecimal(d, 6, 'halfExpand');
  const units = BigInt(rounded.int) * MICRO + BigInt(rounded.frac.padEnd(6, '0') || '0');
  return rounded.negative ? -units : units;
}

function fromMicro(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const frac = (abs % MICRO).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative && abs !== 0n ? '-' : ''}${abs / MICRO}${frac ? `.${frac}` : ''}`;
}

/**
 * A product's stock over all warehouses → the custom properties Qiao writes on the HubSpot product:
 * `qiao_stock_on_hand` (sum of on hand), `qiao_stock_available` (sum of on hand − reserved),
 * `qiao_stock_incoming` (sum of incoming) and `qiao_stock_as_of` (the latest `asOf`), so sales always
 * see how fresh the figures are. Out only; nothing is written for a product without stock levels.
 */
export const hubspotStock: MappingFunction = {
  name: 'hubspot.stock',
  description: "The product's stock summed over warehouses → qiao_stock_on_hand, qiao_stock_available, qiao_stock_incoming and qiao_stock_as_of (out only).",
  canonical: ['product'],
  writes: { canonical: [], external: ['qiao_stock_on_hand', 'qiao_stock_available', 'qiao_stock_incoming', 'qiao_stock_as_of'] },
  out(canonical, external) {
    const levels = Array.isArray(canonical.stockLevels) ? (canonical.stockLevels as Record<string, unknown>[]) : [];
    if (levels.length === 0) return undefined;
    let onHand = 0n;
    let available = 0n;
    let incoming = 0n;
    let asOf: { ms: number; text: string } | undefined;
    for (const [i, level] of levels.entries()) {
      const hand = micro(level.onHand);
      onHand += hand;
      available += hand - micro(level.reserved);
      incoming += micro(level.incoming);
      const ms = typeof level.asOf === 'string' ? Date.parse(level.asOf) : Number.NaN;
      if (Number.isNaN(ms)) return [{ field: `stockLevels.${i}.asOf`, external: 'qiao_stock_as_of', message: `to qiao_stock_as_of: stock of ${String(level.warehouse)} has no asOf time` }];
      if (!asOf || ms > asOf.ms) asOf = { ms, text: new Date(ms).toISOString() };
    }
    external.qiao_stock_on_hand = fromMicro(onHand);
    external.qiao_stock_available = fromMicro(available);
    external.qiao_stock_incoming = fromMicro(incoming);
    external.qiao_stock_as_of = asOf?.text;
    return undefined;
  },
};

export const hubspotFunctions: readonly MappingFunction[] = [hubspotAddress, hubspotWebsite, hubspotPersonName, hubspotLineItems, hubspotStock];
