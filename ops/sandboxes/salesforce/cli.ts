// Starts the Salesforce sandbox with the demo data: node --import tsx ops/sandboxes/salesforce/cli.ts [--port 8443] ...
import { parseArgs } from 'node:util';
import { startSalesforceSandbox } from './index';
import { demoSeed } from './seed';

const USAGE = `usage: node --import tsx ops/sandboxes/salesforce/cli.ts [options]

  --port <n>              port on 127.0.0.1 (default 8443; 0 picks a free one)
  --client-id <id>        consumer key to accept (default demo-client-id)
  --client-secret <s>     consumer secret to accept (default: $SALESFORCE_SANDBOX_CLIENT_SECRET, else demo-client-secret)
  --multi-currency        imitate a multi-currency org (CurrencyIsoCode)
  --no-country-picklists  imitate an org without State and Country picklists (no BillingCountryCode)
  --empty                 start without the demo accounts, products and orders`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8443' },
      'client-id': { type: 'string', default: 'demo-client-id' },
      'client-secret': { type: 'string' },
      'multi-currency': { type: 'boolean', default: false },
      'no-country-picklists': { type: 'boolean', default: false },
      empty: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`salesforce sandbox: --port must be a port number\n\n${USAGE}`);
    return 1;
  }
  const sandbox = await startSalesforceSandbox({
    port,
    clientId: values['client-id'],
    clientSecret: values['client-secret'] ?? process.env.SALESFORCE_SANDBOX_CLIENT_SECRET ?? 'demo-client-secret',
    multiCurrency: values['multi-currency'],
    countryPicklists: !values['no-country-picklists'],
    seed: values.empty ? undefined : demoSeed(),
  });
  console.log(`[salesforce-sandbox] Salesforce look-alike on ${sandbox.url} (API v31.0 to v67.0)`);
  console.log(
    `[salesforce-sandbox] connector config: {"loginUrl":"${sandbox.url}","clientId":"${values['client-id']}","clientSecret":"env:SALESFORCE_SANDBOX_CLIENT_SECRET","allowPrivateNetwork":true}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.stop();
  console.log('[salesforce-sandbox] stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[salesforce-sandbox] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
