// What the order-flow suites (HubSpot and Salesforce) share: the ERP they run against and its
// connector, the dates they expect, and the cleanup of the schedules their connectors made.
import { type OdooSandbox, startOdooSandbox } from '../../ops/sandboxes/odoo';
import type { TestHub } from './hub';

/** Entities of the ERP connector in the flows. */
export const ERP_ENTITIES = ['customer', 'product', 'stock_level', 'order', 'production_order'];

/** An Odoo sandbox with 10 GEAR-40 available (12 on hand, 2 reserved) and 500 BOLT-M8. */
export function startFlowOdoo(apiKey: string): Promise<OdooSandbox> {
  const storable = { type: 'consu', is_storable: true };
  return startOdooSandbox({
    apiKey,
    database: 'qiao',
    login: 'admin',
    seed: {
      products: [
        { default_code: 'GEAR-40', name: 'Gear 40 teeth', list_price: 48.5, ...storable },
        { default_code: 'BOLT-M8', name: 'Bolt M8', list_price: 1.2, ...storable },
      ],
      stock: [
        { sku: 'GEAR-40', warehouse: 'WH', quantity: 12, reserved: 2 },
        { sku: 'BOLT-M8', warehouse: 'WH', quantity: 500 },
      ],
    },
  });
}

/** The body of `PUT /v1/connectors/<erp>` for that sandbox, every entity polled each second. */
export function flowOdooConnector(odoo: OdooSandbox, apiKeyEnv: string) {
  const every = (direction: string) => ({ direction, pollSeconds: 1 });
  return {
    type: 'odoo',
    // One second, not zero: Odoo's write_date has whole seconds, and a manufacturing order created
    // in the second a poll just read would otherwise never move its sales order to in_production.
    config: { url: odoo.url, database: 'qiao', apiKey: `env:${apiKeyEnv}`, allowPrivateNetwork: true, settleSeconds: 1 },
    entities: Object.fromEntries(ERP_ENTITIES.map((e) => [e, every(e === 'product' || e === 'stock_level' ? 'in' : 'both')])),
  };
}

/** Today plus `days`, as a date (`YYYY-MM-DD`, UTC), like a promised date. */
export function daysFromToday(days: number): string {
  const at = new Date();
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** Deletes the schedules of the flow's connectors (they are per connector name, on a shared server), then disposes the hub. */
export async function disposeFlowHub(hub: TestHub, entities: Record<string, readonly string[]>): Promise<void> {
  for (const [connector, list] of Object.entries(entities)) for (const entity of list) await hub.workflows.deleteSchedule({ connector, entity });
  await hub.dispose();
}
