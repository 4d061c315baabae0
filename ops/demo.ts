// The demo profile of `qiao start --demo`: Odoo, HubSpot and Salesforce sandboxes on loopback with
// seeded data, wired to Qiao as connectors, and their change notifications forwarded as signed webhooks.
import { randomBytes } from 'node:crypto';
import { type HubspotSandbox, startHubspotSandbox } from './sandboxes/hubspot';
import { type OdooSandbox, startOdooSandbox } from './sandboxes/odoo';
import { demoSeed as odooDemoSeed } from './sandboxes/odoo/seed';
import { type SalesforceSandbox, startSalesforceSandbox } from './sandboxes/salesforce';

/** The token the demo's admin uses (printed at start); only ever valid against loopback sandboxes. */
export const DEMO_ADMIN_TOKEN = 'demo-admin-token-0123456789';

export interface Demo {
  odoo: OdooSandbox;
  hubspot: HubspotSandbox;
  salesforce: SalesforceSandbox;
  /** Environment Qiao must see: the sandboxes' secrets (connector configs refer to them as env:NAME). */
  env: Record<string, string>;
  /** Wires the connectors into the running Qiao at `url`, then keeps forwarding webhooks to it. */
  connect(url: string): Promise<void>;
  /** Prints where everything is and what to try. */
  describe(url: string): string;
  stop(): Promise<void>;
}

const POLL_SECONDS = 5;

/**
 * Starts the three sandboxes with demo data. The ERP (Odoo) is the master of products and stock; the
 * CRMs get products and stock pushed by Qiao, and their won deals and activated orders become orders.
 * @example const demo = await startDemo(); Object.assign(process.env, demo.env); const qiao = await runQiao('start', config); await demo.connect(qiao.url)
 */
export async function startDemo(): Promise<Demo> {
  const odooKey = `demo-odoo-${randomBytes(8).toString('hex')}`;
  const hubspotToken = `pat-demo-${randomBytes(8).toString('hex')}`;
  const salesforceSecret = `demo-sf-${randomBytes(8).toString('hex')}`;
  const relaySecret = `demo-relay-${randomBytes(12).toString('hex')}`;
  const odoo = await startOdooSandbox({ apiKey: odooKey, database: 'demo', login: 'admin', seed: odooDemoSeed(19) });
  const hubspot = await startHubspotSandbox({
    accessToken: hubspotToken,
    seed: { companies: [{ name: 'Northwind Traders', domain: 'northwind.example', phone: '+49 40 5556789', city: 'Hamburg', country: 'Germany' }] },
  });
  const salesforce = await startSalesforceSandbox({ clientId: 'qiao-demo', clientSecret: salesforceSecret, seed: { accounts: [{ Name: 'Contoso Ltd', Phone: '+44 20 7946 0000', BillingCity: 'London', BillingCountryCode: 'GB' }] } });
  let forwarding: NodeJS.Timeout | undefined;
  let demoDeal: string | undefined;

  async function put(url: string, name: string, body: object): Promise<void> {
    const res = await fetch(`${url}/v1/connectors/${name}`, { method: 'PUT', headers: { authorization: `Bearer ${DEMO_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`demo: PUT /v1/connectors/${name} answered ${res.status}: ${await res.text()}`);
  }

  return {
    odoo,
    hubspot,
    salesforce,
    env: { QIAO_DEMO_ODOO_KEY: odooKey, QIAO_DEMO_HUBSPOT_TOKEN: hubspotToken, QIAO_DEMO_HUBSPOT_SECRET: hubspot.clientSecret, QIAO_DEMO_SALESFORCE_SECRET: salesforceSecret, QIAO_DEMO_RELAY_SECRET: relaySecret },
    async connect(url) {
      const poll = (direction: string) => ({ direction, pollSeconds: POLL_SECONDS });
      await put(url, 'odoo', {
        type: 'odoo',
        config: { url: odoo.url, database: 'demo', apiKey: 'env:QIAO_DEMO_ODOO_KEY', allowPrivateNetwork: true, settleSeconds: 1 },
        entities: { customer: poll('both'), contact: poll('in'), product: poll('in'), stock_level: poll('in'), order: poll('both'), production_order: poll('both') },
      });
      await put(url, 'hubspot', {
        type: 'hubspot',
        config: { baseUrl: hubspot.url, accessToken: 'env:QIAO_DEMO_HUBSPOT_TOKEN', webhookClientSecrets: ['env:QIAO_DEMO_HUBSPOT_SECRET'], allowPrivateNetwork: true },
        entities: { customer: poll('in'), contact: poll('in'), product: poll('out'), order: poll('both') },
      });
      await put(url, 'salesforce', {
        type: 'salesforce',
        config: { loginUrl: salesforce.url, clientId: 'qiao-demo', clientSecret: 'env:QIAO_DEMO_SALESFORCE_SECRET', webhookSecrets: ['env:QIAO_DEMO_RELAY_SECRET'], allowPrivateNetwork: true },
        entities: { customer: poll('in'), contact: poll('in'), product: poll('out'), order: poll('both') },
      });
      // What a HubSpot app subscription and a Salesforce CDC relay would send, every second.
      const tick = async () => {
        const events = hubspot.takeEvents();
        if (events.length) await hubspot.sendWebhooks(`${url}/webhooks/hubspot`, events);
        await salesforce.sendChangeEvents(`${url}/webhooks/salesforce`, { secret: relaySecret });
      };
      const loop = () => {
        forwarding = setTimeout(() => {
          tick()
            .catch((err: unknown) => console.error('[demo] forwarding webhooks:', err instanceof Error ? err.message : err))
            .finally(loop);
        }, 1_000);
      };
      loop();
      // A deal to win, once Qiao has pushed the ERP's products (with stock) to HubSpot.
      void (async () => {
        for (let i = 0; i < 120; i++) {
          const skus = new Set(hubspot.records('products').map((p) => (p.properties as Record<string, unknown> | undefined)?.hs_sku));
          if (skus.has('GEAR-40') && skus.has('BOLT-M8')) {
            const { dealId } = hubspot.createDeal({ company: 'Northwind Traders', dealname: 'Northwind — gears and bolts', lines: [{ sku: 'GEAR-40', quantity: 25 }, { sku: 'BOLT-M8', quantity: 200 }] });
            demoDeal = dealId;
            console.log(`[demo] HubSpot deal ${dealId} is open: win it to order 25 GEAR-40 (10 available) and 200 BOLT-M8 — see "Demo" in the README`);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
        console.error('[demo] the products did not reach HubSpot within 2 minutes; check GET /v1/connectors');
      })();
    },
    describe(url) {
      return [
        'Demo profile: sandboxes on loopback, wired to Qiao as connectors (polls every 5 s, webhooks forwarded every second).',
        `  Qiao          ${url}   admin token: ${DEMO_ADMIN_TOKEN}`,
        `  Odoo (ERP)    ${odoo.url}   database demo, API key in QIAO_DEMO_ODOO_KEY (${odooKey})`,
        `  HubSpot       ${hubspot.url}   private-app token ${hubspotToken}`,
        `  Salesforce    ${salesforce.url}   client qiao-demo / ${salesforceSecret}`,
        demoDeal ? `  Open deal     ${demoDeal}` : '  Open deal     created in HubSpot once the products are there (watch the log)',
        'Follow a deal from the CRM to a production order and back: see "Demo" in the README.',
      ].join('\n');
    },
    async stop() {
      if (forwarding) clearTimeout(forwarding);
      await Promise.allSettled([odoo.stop(), hubspot.stop(), salesforce.stop()]);
    },
  };
}
