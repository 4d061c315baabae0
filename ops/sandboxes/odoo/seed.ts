// The demo's Odoo: a few customers with contacts, products, stock in two warehouses, and two sale orders.
import { type OdooSandboxSeed, sandboxCountryId } from './index';
import type { OdooVersion } from './models';

/** What `cli.ts` loads: enough for stock, customers, products and orders to flow into Qiao in the demo. */
export function demoSeed(version: OdooVersion): OdooSandboxSeed {
  // Odoo 17 marks stockable products with type `product`; 18 and later with `is_storable`.
  const storable = version === 17 ? { type: 'product' } : { type: 'consu', is_storable: true };
  return {
    warehouses: [{ code: 'WH2', name: 'Lyon Warehouse' }],
    customers: [
      {
        name: 'Acme GmbH',
        is_company: true,
        ref: 'C-1001',
        email: 'info@acme.example',
        phone: '+49 30 1234567',
        vat: 'DE123456789',
        street: 'Friedrichstraße 10',
        city: 'Berlin',
        zip: '10117',
        country_id: sandboxCountryId('DE'),
        customer_rank: 3,
        contacts: [{ name: 'Anna Schmidt', function: 'Purchasing', email: 'anna.schmidt@acme.example', phone: '+49 30 1234568' }],
      },
      {
        name: 'Boulangerie Durand SARL',
        is_company: true,
        ref: 'C-1002',
        email: 'contact@durand.example',
        city: 'Lyon',
        zip: '69002',
        country_id: sandboxCountryId('FR'),
        customer_rank: 1,
        contacts: [{ name: 'Pierre Durand', function: 'Owner', email: 'pierre@durand.example' }],
      },
      { name: 'Jane Miller', ref: 'C-1003', email: 'jane.miller@example.com', city: 'Boston', country_id: sandboxCountryId('US'), customer_rank: 1 },
    ],
    products: [
      { default_code: 'BOLT-M8', name: 'Bolt M8', list_price: 1.2, ...storable },
      { default_code: 'NUT-M8', name: 'Nut M8', list_price: 0.35, ...storable },
      { default_code: 'GEAR-40', name: 'Gear 40 teeth', list_price: 48.5, ...storable },
      { default_code: 'SVC-INSTALL', name: 'Installation (hour)', list_price: 95, type: 'service', uom_id: 6 },
    ],
    stock: [
      { sku: 'BOLT-M8', warehouse: 'WH', quantity: 500, reserved: 20 },
      { sku: 'BOLT-M8', warehouse: 'WH', quantity: 120, location: 'Shelf 2' },
      { sku: 'BOLT-M8', warehouse: 'WH2', quantity: 80 },
      { sku: 'NUT-M8', warehouse: 'WH', quantity: 1500, reserved: 300 },
      { sku: 'GEAR-40', warehouse: 'WH2', quantity: 12, reserved: 2 },
    ],
    incoming: [{ sku: 'GEAR-40', warehouse: 'WH2', quantity: 30 }],
    // A confirmed order (its delivery is ready in WH) and a quotation: ship, invoice and pay them with the sandbox helpers.
    orders: [
      { customer: 'Acme GmbH', ref: 'PO-4711', commitmentDate: '2026-12-15', lines: [{ sku: 'BOLT-M8', quantity: 200 }, { sku: 'NUT-M8', quantity: 200, discount: 5 }], confirm: true },
      { customer: 'Boulangerie Durand SARL', lines: [{ sku: 'GEAR-40', quantity: 4 }, { sku: 'SVC-INSTALL', quantity: 2 }] },
    ],
  };
}
