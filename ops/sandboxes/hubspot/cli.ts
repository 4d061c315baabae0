// Starts the HubSpot sandbox with the demo data: node --import tsx ops/sandboxes/hubspot/cli.ts [--port 8091] ...
import { parseArgs } from 'node:util';
import { startHubspotSandbox } from './index';
import { bulkProducts, demoSeed } from './seed';

const USAGE = `usage: node --import tsx ops/sandboxes/hubspot/cli.ts [options]

  --port <n>            port on 127.0.0.1 (default 8091; 0 picks a free one)
  --token <token>       private-app token to accept (default: $HUBSPOT_SANDBOX_TOKEN, else pat-demo-hubspot)
  --client-secret <s>   client secret webhooks are signed with (default: $HUBSPOT_SANDBOX_CLIENT_SECRET, else a random one)
  --products <n>        add n bulk products (SKU-000001, ...) for benchmarks
  --rate-limit <m/ms>   rolling-window rate limit, e.g. 190/10000 (default none)
  --forward <url>       every 2 s, send the changes made in the sandbox as signed webhooks to this loopback URL
  --empty               start without the demo companies, contacts, products and deals`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8091' },
      token: { type: 'string' },
      'client-secret': { type: 'string' },
      products: { type: 'string', default: '0' },
      'rate-limit': { type: 'string' },
      forward: { type: 'string' },
      empty: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const bulk = Number(values.products);
  const limit = values['rate-limit'] ? /^(\d+)\/(\d+)$/.exec(values['rate-limit']) : undefined;
  if (!Number.isInteger(bulk) || bulk < 0 || limit === null) {
    console.error(`hubspot sandbox: bad --products or --rate-limit\n\n${USAGE}`);
    return 1;
  }
  const accessToken = values.token ?? process.env.HUBSPOT_SANDBOX_TOKEN ?? 'pat-demo-hubspot';
  const sandbox = await startHubspotSandbox({
    port: Number(values.port),
    accessToken,
    clientSecret: values['client-secret'] ?? process.env.HUBSPOT_SANDBOX_CLIENT_SECRET,
    rateLimit: limit ? { max: Number(limit[1]), intervalMs: Number(limit[2]) } : undefined,
    seed: values.empty ? undefined : demoSeed(),
  });
  if (bulk > 0) sandbox.seed({ products: bulkProducts(bulk) });
  console.log(`[hubspot-sandbox] HubSpot look-alike on ${sandbox.url} (portal ${sandbox.portalId}, API versions 2026-03 and 2026-09)`);
  console.log(`[hubspot-sandbox] connector config: {"baseUrl":"${sandbox.url}","accessToken":"env:HUBSPOT_SANDBOX_TOKEN","webhookClientSecrets":["env:HUBSPOT_SANDBOX_CLIENT_SECRET"],"allowPrivateNetwork":true}`);
  if (!values['client-secret'] && !process.env.HUBSPOT_SANDBOX_CLIENT_SECRET) console.log('[hubspot-sandbox] webhooks are signed with a random client secret; pass --client-secret to choose it');
  let forwarding: NodeJS.Timeout | undefined;
  if (values.forward) {
    const target = values.forward;
    forwarding = setInterval(() => {
      const events = sandbox.takeEvents();
      if (events.length === 0) return;
      sandbox.sendWebhooks(target, events).then(
        (answers) => console.log(`[hubspot-sandbox] sent ${events.length} webhook event(s) to ${target}: ${answers.map((a) => a.status).join(', ')}`),
        (err: unknown) => console.error(`[hubspot-sandbox] webhooks to ${target} failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    }, 2_000);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (forwarding) clearInterval(forwarding);
  await sandbox.stop();
  console.log('[hubspot-sandbox] stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[hubspot-sandbox] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
