// Starts the Odoo sandbox with the demo data: node --import tsx ops/sandboxes/odoo/cli.ts [--port 8069] ...
import { parseArgs } from 'node:util';
import { startOdooSandbox } from './index';
import type { OdooVersion } from './models';
import { demoSeed } from './seed';

const USAGE = `usage: node --import tsx ops/sandboxes/odoo/cli.ts [options]

  --port <n>        port on 127.0.0.1 (default 8069; 0 picks a free one)
  --api-key <key>   API key to accept (default: $ODOO_SANDBOX_API_KEY, else demo-odoo-key)
  --database <db>   database name (default demo)
  --login <login>   login of the API user for JSON-RPC (default admin)
  --version <v>     Odoo version to imitate: 17, 18 or 19 (default 19)
  --empty           start without the demo customers, products and stock`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8069' },
      'api-key': { type: 'string' },
      database: { type: 'string', default: 'demo' },
      login: { type: 'string', default: 'admin' },
      version: { type: 'string', default: '19' },
      empty: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const version = Number(values.version);
  if (![17, 18, 19].includes(version)) {
    console.error(`odoo sandbox: --version must be 17, 18 or 19\n\n${USAGE}`);
    return 1;
  }
  const apiKey = values['api-key'] ?? process.env.ODOO_SANDBOX_API_KEY ?? 'demo-odoo-key';
  const sandbox = await startOdooSandbox({
    port: Number(values.port),
    apiKey,
    database: values.database,
    login: values.login,
    version: version as OdooVersion,
    seed: values.empty ? undefined : demoSeed(version as OdooVersion),
  });
  console.log(`[odoo-sandbox] Odoo ${version}.0 look-alike on ${sandbox.url} (database ${sandbox.database}, login ${sandbox.login})`);
  console.log(`[odoo-sandbox] connector config: {"url":"${sandbox.url}","database":"${sandbox.database}","protocol":"${version >= 19 ? 'json2' : 'jsonrpc'}","login":"${sandbox.login}","apiKey":"env:ODOO_SANDBOX_API_KEY","allowPrivateNetwork":true}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.stop();
  console.log('[odoo-sandbox] stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[odoo-sandbox] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
