// The demo's HubSpot: companies with contacts, the products the Odoo demo stocks (same SKUs, so stock
// flows onto them), and deals with line items, one of them won. Also bulk products for benchmarks.
import type { HubspotSandboxSeed, Props } from './index';

/** What `cli.ts` loads: enough for customers, products and orders to flow into Qiao in the demo. */
export function demoSeed(): HubspotSandboxSeed {
  return {
    companies: [
      {
        name: 'Acme GmbH',
        domain: 'acme.example',
        phone: '+49 30 1234567',
        address: 'Friedrichstraße 10',
        city: 'Berlin',
        zip: '10117',
        country: 'Germany',
        lifecyclestage: 'customer',
        contacts: [{ firstname: 'Anna', lastname: 'Schmidt', email: 'anna.schmidt@acme.example', jobtitle: 'Purchasing', phone: '+49 30 1234568' }],
      },
      {
        name: 'Boulangerie Durand SARL',
        domain: 'durand.example',
        city: 'Lyon',
        zip: '69002',
        country: 'France',
        lifecyclestage: 'opportunity',
        contacts: [{ firstname: 'Pierre', lastname: 'Durand', email: 'pierre@durand.example', jobtitle: 'Owner' }],
      },
      { name: 'Globex Corporation', website: 'https://www.globex.example', city: 'Springfield', state: 'Oregon', country: 'United States', lifecyclestage: 'lead' },
    ],
    products: [
      { name: 'Bolt M8', hs_sku: 'BOLT-M8', price: 1.2, description: 'Hex bolt M8, zinc plated' },
      { name: 'Nut M8', hs_sku: 'NUT-M8', price: 0.35 },
      { name: 'Gear 40 teeth', hs_sku: 'GEAR-40', price: 48.5 },
      { name: 'Installation (hour)', hs_sku: 'SVC-INSTALL', price: 95 },
    ],
    deals: [
      {
        company: 'Acme GmbH',
        dealname: 'Acme – bolts and nuts',
        dealstage: 'closedwon',
        lines: [
          { sku: 'BOLT-M8', quantity: 500 },
          { sku: 'NUT-M8', quantity: 500, discountPercentage: 5 },
        ],
      },
      { company: 'Boulangerie Durand SARL', dealname: 'Durand – gears', dealstage: 'contractsent', lines: [{ sku: 'GEAR-40', quantity: 4 }, { sku: 'SVC-INSTALL', quantity: 2 }] },
    ],
  };
}

/**
 * `count` products with SKUs `<prefix>000001`, … for benchmarks (a stock push of 100,000 products).
 * @example hub.seed({ products: bulkProducts(100_000) })
 */
export function bulkProducts(count: number, prefix = 'SKU-'): Props[] {
  const products: Props[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = String(i + 1).padStart(6, '0');
    products[i] = { name: `Product ${n}`, hs_sku: `${prefix}${n}`, price: ((i % 9_900) + 100) / 100 };
  }
  return products;
}
