// The demo org: a few accounts with contacts, products with product codes, and orders with lines
// (one activated), so a new user sees customers, products and orders flow at once.
import type { SalesforceSeed } from './index';

/**
 * Demo data for `cli.ts` and the demo profile.
 * @example await startSalesforceSandbox({ clientId, clientSecret, seed: demoSeed() })
 */
export function demoSeed(): SalesforceSeed {
  return {
    accounts: [
      {
        Name: 'Acme GmbH',
        AccountNumber: 'C-1001',
        Phone: '+49 30 1234567',
        BillingStreet: 'Hauptstraße 1',
        BillingCity: 'Berlin',
        BillingPostalCode: '10115',
        BillingCountryCode: 'DE',
        contacts: [
          { FirstName: 'Anna', LastName: 'Schmidt', Title: 'Buyer', Email: 'anna.schmidt@acme.example', Phone: '+49 30 1234568' },
          { FirstName: 'Jonas', LastName: 'Weber', Title: 'CFO', Email: 'jonas.weber@acme.example' },
        ],
      },
      {
        Name: 'Globex SA',
        AccountNumber: 'C-1002',
        BillingStreet: '1 rue de la Paix',
        BillingCity: 'Paris',
        BillingPostalCode: '75002',
        BillingCountryCode: 'FR',
        contacts: [{ FirstName: 'Claire', LastName: 'Martin', Title: 'Purchasing', Email: 'claire.martin@globex.example' }],
      },
      { Name: 'Initech Ltd', AccountNumber: 'C-1003', BillingCity: 'London', BillingCountryCode: 'GB' },
    ],
    products: [
      { ProductCode: 'BOLT-M8', Name: 'Bolt M8', Family: 'Hardware' },
      { ProductCode: 'NUT-M8', Name: 'Nut M8', Family: 'Hardware' },
      { ProductCode: 'WASHER-8', Name: 'Washer 8 mm', Family: 'Hardware' },
      { ProductCode: 'GEAR-40', Name: 'Gear 40 teeth', Family: 'Drive' },
    ],
    orders: [
      {
        account: 'Acme GmbH',
        activated: true,
        lines: [
          { productCode: 'BOLT-M8', quantity: 500, unitPrice: 1.2 },
          { productCode: 'NUT-M8', quantity: 500, unitPrice: 0.35 },
        ],
      },
      { account: 'Globex SA', lines: [{ productCode: 'GEAR-40', quantity: 12, unitPrice: 48.5, description: 'Hardened' }] },
    ],
  };
}
