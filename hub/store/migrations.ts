// Schema migrations, run at start on SQLite and PostgreSQL alike. Append new ones; never edit a shipped one.
import { type Kysely, type Migration, type MigrationProvider, Migrator, PostgresAdapter } from 'kysely';

type AnyDb = Kysely<unknown>;

/** Auto-increment keys are spelled differently per dialect; everything else is shared. */
function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

function documentTable(db: AnyDb, name: string) {
  return db.schema
    .createTable(name)
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull());
}

const migrations: Record<string, Migration> = {
  '0001_crm_core': {
    async up(db: AnyDb) {
      const pg = isPostgres(db);
      await documentTable(db, 'customers')
        .addColumn('number', 'text', (c) => c.unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
      await documentTable(db, 'contacts')
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('email', 'text')
        .execute();
      await documentTable(db, 'products')
        .addColumn('sku', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
      await documentTable(db, 'orders')
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
      for (const table of ['customers', 'contacts', 'products', 'orders']) {
        await db.schema.createIndex(`${table}_updated`).on(table).columns(['updated_at', 'id']).execute();
      }
      await db.schema.createIndex('contacts_customer').on('contacts').column('customer_id').execute();
      await db.schema.createIndex('orders_customer').on('orders').column('customer_id').execute();
      await db.schema
        .createTable('stock_levels')
        .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('on_hand', 'text', (c) => c.notNull())
        .addColumn('reserved', 'text', (c) => c.notNull())
        .addColumn('available', 'text', (c) => c.notNull())
        .addColumn('incoming', 'text', (c) => c.notNull())
        .addColumn('as_of', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('stock_levels_pk', ['product_id', 'warehouse'])
        .execute();
      await db.schema
        .createTable('order_lines')
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id').onDelete('cascade'))
        .addColumn('line_no', 'integer', (c) => c.notNull())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('quantity', 'text', (c) => c.notNull())
        .addColumn('unit_price', 'bigint', (c) => c.notNull())
        .addColumn('net', 'bigint', (c) => c.notNull())
        .addColumn('tax', 'bigint', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('order_lines_pk', ['order_id', 'line_no'])
        .execute();
      await db.schema.createIndex('order_lines_sku').on('order_lines').column('sku').execute();
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('pages', 'integer', (c) => c.notNull())
        .addColumn('page_size', 'integer', (c) => c.notNull())
        .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema
        .createTable('run_inputs')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('page', 'integer', (c) => c.notNull())
        .addColumn('records', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_inputs_pk', ['run_id', 'page'])
        .execute();
      await db.schema
        .createTable('run_pages')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('page', 'integer', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_pages_pk', ['run_id', 'page'])
        .execute();
      await db.schema
        .createTable('run_rejections')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_rejections_pk', ['run_id', 'idx'])
        .execute();
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('body_hash', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('response', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      await db.schema.createIndex('audit_entity').on('audit_log').columns(['entity', 'entity_id']).execute();
    },
  },
  '0002_sync_engine': {
    async up(db: AnyDb) {
      const pg = isPostgres(db);
      const serial = (t: ReturnType<AnyDb['schema']['createTable']>) =>
        t.addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));
      await db.schema
        .createTable('connectors')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('entities', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('health', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await serial(db.schema.createTable('inbox'))
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('event_key', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('source_time', 'text', (c) => c.notNull())
        .addColumn('payload', 'text')
        .addColumn('deleted', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('mapping_version', 'integer')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text')
        .addUniqueConstraint('inbox_event_key', ['connector', 'event_key'])
        .execute();
      await db.schema.createIndex('inbox_pending').on('inbox').columns(['connector', 'entity', 'status', 'id']).execute();
      await db.schema.createIndex('inbox_external').on('inbox').columns(['connector', 'entity', 'external_id']).execute();
      await serial(db.schema.createTable('ledger'))
        .addColumn('canonical_entity', 'text', (c) => c.notNull())
        .addColumn('canonical_id', 'text', (c) => c.notNull())
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('inbox_id', 'integer')
        .addColumn('mapping_version', 'integer', (c) => c.notNull())
        .addColumn('before_hash', 'text')
        .addColumn('after_hash', 'text', (c) => c.notNull())
        .addColumn('changes', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_record').on('ledger').columns(['canonical_entity', 'canonical_id']).execute();
      await serial(db.schema.createTable('outbox'))
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('canonical_id', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('mapping_version', 'integer')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('external_id', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('done_at', 'text')
        .execute();
      await db.schema.createIndex('outbox_pending').on('outbox').columns(['connector', 'entity', 'status', 'id']).execute();
      await db.schema
        .createTable('links')
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('canonical_entity', 'text', (c) => c.notNull())
        .addColumn('canonical_id', 'text', (c) => c.notNull())
        .addColumn('last_written_hash', 'text')
        .addColumn('last_seen_hash', 'text')
        .addColumn('mapping_version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('links_pk', ['connector', 'entity', 'external_id'])
        .addUniqueConstraint('links_canonical', ['connector', 'entity', 'canonical_id'])
        .execute();
      await db.schema.createIndex('links_by_canonical').on('links').columns(['canonical_entity', 'canonical_id']).execute();
      await serial(db.schema.createTable('dead_letters'))
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('ref_id', 'integer', (c) => c.notNull())
        .addColumn('canonical_id', 'text')
        .addColumn('external_id', 'text')
        .addColumn('error_kind', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('mapping_version', 'integer')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('replayed_at', 'text')
        .execute();
      await db.schema.createIndex('dead_letters_open').on('dead_letters').columns(['status', 'connector', 'entity']).execute();
      await db.schema
        .createTable('effects')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('claimed_at', 'text', (c) => c.notNull())
        .addColumn('confirmed_at', 'text')
        .execute();
      await db.schema
        .createTable('mapping_versions')
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .addPrimaryKeyConstraint('mapping_versions_pk', ['connector', 'entity', 'version'])
        .execute();
      await db.schema
        .createTable('mappings')
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('current_version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('mappings_pk', ['connector', 'entity'])
        .execute();
      await db.schema
        .createTable('cursors')
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('cursor', 'text')
        .addColumn('recent_counts', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cursors_pk', ['connector', 'entity'])
        .execute();
      await db.schema
        .createTable('field_provenance')
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('source_time', 'text', (c) => c.notNull())
        .addColumn('mapping_version', 'integer')
        .addPrimaryKeyConstraint('field_provenance_pk', ['entity', 'record_id', 'field'])
        .execute();
      await db.schema.alterTable('runs').addColumn('warnings', 'text').execute();
    },
  },
  '0003_orders_flow': {
    async up(db: AnyDb) {
      const pg = isPostgres(db);
      // One production order per (order, SKU): planning an order twice finds the one it made.
      await documentTable(db, 'production_orders')
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addUniqueConstraint('production_orders_order_sku', ['order_id', 'sku'])
        .execute();
      await db.schema
        .createTable('conflicts')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('current_value', 'text', (c) => c.notNull())
        .addColumn('current_source', 'text')
        .addColumn('current_source_time', 'text')
        .addColumn('proposed_value', 'text', (c) => c.notNull())
        .addColumn('proposed_source', 'text', (c) => c.notNull())
        .addColumn('proposed_source_time', 'text', (c) => c.notNull())
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('connector_entity', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('resolution', 'text')
        .addColumn('resolved_by', 'text')
        .addColumn('resolved_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('conflicts_open').on('conflicts').columns(['status', 'entity', 'record_id']).execute();
    },
  },
  '0004_outbox_by_record': {
    async up(db: AnyDb) {
      // Queuing a record checks whether it already waits for the target: without this index that
      // check read every pending row of the target (quadratic during a 100,000-product push).
      await db.schema.createIndex('outbox_record').on('outbox').columns(['connector', 'entity', 'canonical_id', 'status']).execute();
    },
  },
  '0005_stock_promises': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('stock_promises')
        .addColumn('order_id', 'text', (c) => c.notNull()) // no foreign key: planning runs before a new order is stored
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('quantity', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('stock_promises_pk', ['order_id', 'sku'])
        .execute();
      await db.schema.createIndex('stock_promises_sku').on('stock_promises').columns(['sku', 'created_at']).execute();
    },
  },
  '0006_links_seen_baseline': {
    async up(db: AnyDb) {
      // last_seen_hash now holds what the mapping made of the fields Qiao does not write (the echo
      // guard compares it); the old values hashed the written ones. Cleared, the next report of each
      // record sets the new baseline.
      await (db as Kysely<{ links: { last_seen_hash: string | null } }>).updateTable('links').set({ last_seen_hash: null }).execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
}
