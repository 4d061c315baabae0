// The `qiao` command: start | gateway | worker.
import { loadConfig } from '../hub/config';
import { DEMO_ADMIN_TOKEN, startDemo } from './demo';
import { type Mode, runQiao } from './runtime';

const USAGE = `usage: qiao <command>

  start     gateway + worker + (unless TEMPORAL_ADDRESS is set) the Temporal dev server; state in ./data
  start --demo
            the same, plus Odoo, HubSpot and Salesforce sandboxes with demo data, wired as connectors;
            state in ./data/demo (see "Demo" in the README)
  gateway   the HTTP gateway only, against TEMPORAL_ADDRESS (and DATABASE_URL, or SQLite)
  worker    a Temporal worker only, against TEMPORAL_ADDRESS (and DATABASE_URL, or SQLite)

Configuration is by environment variables; see the README.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (!['start', 'gateway', 'worker'].includes(command)) {
    console.error(`qiao: unknown command ${command}\n\n${USAGE}`);
    return 1;
  }
  const demoMode = argv.includes('--demo');
  const unknown = argv.slice(1).filter((a) => a !== '--demo' || command !== 'start');
  if (unknown.length) {
    console.error(`qiao: unknown option ${unknown[0]} for ${command}\n\n${USAGE}`);
    return 1;
  }
  const demo = demoMode ? await startDemo() : undefined;
  if (demo) {
    // The demo keeps its own state and admits its own admin token, next to any configured ones.
    Object.assign(process.env, demo.env);
    process.env.QIAO_DATA_DIR ??= './data/demo';
    process.env.QIAO_API_TOKENS = [process.env.QIAO_API_TOKENS, `${DEMO_ADMIN_TOKEN}:admin:demo`].filter(Boolean).join(',');
  }
  const config = loadConfig(process.env);
  let qiao: Awaited<ReturnType<typeof runQiao>>;
  try {
    qiao = await runQiao(command as Mode, config);
    if (demo && qiao.url) {
      await demo.connect(qiao.url);
      console.log(demo.describe(qiao.url));
    }
  } catch (err) {
    await demo?.stop();
    throw err;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`[qiao] ${signal}: stopping`);
      qiao
        .stop()
        .then(() => demo?.stop())
        .then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  console.log('[qiao] stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[qiao] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
