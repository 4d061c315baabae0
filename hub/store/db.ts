// Opens Qiao's store: SQLite (better-sqlite3, WAL) by default, PostgreSQL when DATABASE_URL is set.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations';
import type { Database } from './schema';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Kysely's SQLite driver prepares every query anew, which cost more than running it (profiled: a third
 * of a single-record GET). Prepared statements are kept by SQL text, the oldest dropped past `max`.
 */
function withStatementCache(database: SQLite.Database, max = 1000): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(query: string) {
      let statement = statements.get(query);
      if (!statement) {
        statement = database.prepare(query);
        if (statements.size >= max) statements.delete(statements.keys().next().value as string);
        statements.set(query, statement);
      }
      return statement as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

export interface Store {
  /** Reads and writes. On SQLite one connection, so writes queue behind each other. */
  db: Kysely<Database>;
  /**
   * Reads only. On SQLite a second connection: under WAL a read never waits for a writer, so GETs stay
   * fast while a bulk run writes. On PostgreSQL the same pool as `db`.
   */
  reader: Kysely<Database>;
  dialect: Dialect;
  /** Runs `select 1`; throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the database and runs pending migrations.
 * @example const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: 'data/qiao.db' })
 */
export async function openStore(options: { databaseUrl?: string; sqlitePath: string }): Promise<Store> {
  let db: Kysely<Database>;
  let reader: Kysely<Database> | undefined;
  let dialect: Dialect;
  if (options.databaseUrl) {
    dialect = 'postgres';
    // COUNT(*) and bigint columns come back as strings by default; amounts fit in a JS safe integer.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 10 }) }) });
  } else {
    dialect = 'sqlite';
    if (options.sqlitePath !== ':memory:') fs.mkdirSync(path.dirname(options.sqlitePath), { recursive: true });
    const sqlite = new SQLite(options.sqlitePath);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    await migrateToLatest(db as unknown as Kysely<unknown>);
    if (options.sqlitePath !== ':memory:') {
      const readOnly = new SQLite(options.sqlitePath, { readonly: true });
      readOnly.pragma('busy_timeout = 5000');
      reader = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(readOnly) }) });
    }
  }
  if (dialect === 'postgres') await migrateToLatest(db as unknown as Kysely<unknown>);
  const readerDb = reader ?? db;
  return {
    db,
    reader: readerDb,
    dialect,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      if (readerDb !== db) await readerDb.destroy();
      await db.destroy();
    },
  };
}
