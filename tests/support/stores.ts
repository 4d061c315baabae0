// Fresh stores for tests: a temporary SQLite file, or a new PostgreSQL database dropped afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../hub/store/db';

/** The PostgreSQL server the suite uses; `.ci/run` creates it. Tests fail (not skip) without it. */
export const TEST_DATABASE_URL = process.env.QIAO_TEST_DATABASE_URL ?? 'postgres://qiao:qiao@127.0.0.1:5432/qiao_test';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

export interface TestStore extends Store {
  /** Connection settings another process can use to reach the same database. */
  env: { QIAO_DATA_DIR: string; DATABASE_URL?: string };
  dispose(): Promise<void>;
}

export async function freshStore(dialect: TestDialect): Promise<TestStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-test-'));
  if (dialect === 'sqlite') {
    const store = await openStore({ sqlitePath: path.join(dir, 'qiao.db') });
    return {
      ...store,
      env: { QIAO_DATA_DIR: dir },
      async dispose() {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `qiao_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${TEST_DATABASE_URL} (set QIAO_TEST_DATABASE_URL, or run .ci/run once): ${String(err)}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString(), sqlitePath: ':memory:' });
  return {
    ...store,
    env: { QIAO_DATA_DIR: dir, DATABASE_URL: url.toString() },
    async dispose() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await cleanup.connect();
      try {
        // FORCE ends our own sessions, not the server's: an autovacuum worker busy in the database
        // (after a test wrote much) refuses it for a moment.
        for (let attempt = 1; ; attempt++) {
          try {
            await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            break;
          } catch (err) {
            if (attempt >= 20 || !/pg_signal_backend|being accessed by other users/.test(String(err))) throw err;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      } finally {
        await cleanup.end();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
