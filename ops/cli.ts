// The `qiao` command: start | gateway | worker.
import { loadConfig } from '../hub/config';
import { type Mode, runQiao } from './runtime';

const USAGE = `usage: qiao <command>

  start     gateway + worker + (unless TEMPORAL_ADDRESS is set) the Temporal dev server; state in ./data
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
  const config = loadConfig(process.env);
  const qiao = await runQiao(command as Mode, config);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`[qiao] ${signal}: stopping`);
      qiao.stop().then(resolve, resolve);
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
