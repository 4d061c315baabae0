// Odoo-specific mapping functions: what the Odoo field tables cannot say as one field ↔ one field.
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

export const odooFunctions: readonly MappingFunction[] = [odooStreet2];
