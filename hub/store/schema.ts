// Table types of Qiao's store, shared by the SQLite and PostgreSQL dialects.
import type { Generated } from 'kysely';

/** Columns of every table that holds canonical records as JSON documents. */
export interface DocumentColumns {
  id: string;
  data: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface CustomersTable extends DocumentColumns {
  number: string | null;
  name: string;
  status: string;
}
export interface ContactsTable extends DocumentColumns {
  customer_id: string;
  email: string | null;
}
export interface ProductsTable extends DocumentColumns {
  sku: string;
  name: string;
  status: string;
}
export interface OrdersTable extends DocumentColumns {
  number: string;
  customer_id: string;
  status: string;
}
export interface ProductionOrdersTable extends DocumentColumns {
  sku: string;
  status: string;
  order_id: string | null;
}
/** A disagreement field ownership could not settle: both values, until someone chooses. */
export interface ConflictsTable {
  id: Generated<number>;
  entity: string;
  record_id: string;
  field: string;
  /** JSON of the stored value. */
  current_value: string;
  current_source: string | null;
  current_source_time: string | null;
  /** JSON of the value the source proposed. */
  proposed_value: string;
  proposed_source: string;
  proposed_source_time: string;
  connector: string;
  /** The connector's entity the proposal came in as (where the stored value is sent back to). */
  connector_entity: string;
  external_id: string | null;
  reason: string;
  status: string;
  resolution: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  created_at: string;
}
export interface StockLevelsTable {
  product_id: string;
  warehouse: string;
  on_hand: string;
  reserved: string;
  available: string;
  incoming: string;
  as_of: string;
  source: string;
}
export interface OrderLinesTable {
  order_id: string;
  line_no: number;
  sku: string;
  quantity: string;
  unit_price: number;
  net: number;
  tax: number;
  data: string;
}
export interface RunsTable {
  id: string;
  kind: string;
  entity: string;
  status: string;
  total: number;
  pages: number;
  page_size: number;
  processed: Generated<number>;
  created: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  error: string | null;
  warnings: string | null;
  actor: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}
export interface RunInputsTable {
  run_id: string;
  page: number;
  records: string;
}
export interface RunPagesTable {
  run_id: string;
  page: number;
  applied_at: string;
}
export interface RunRejectionsTable {
  run_id: string;
  idx: number;
  field: string;
  reason: string;
}
export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  method: string;
  path: string;
  body_hash: string;
  status_code: number | null;
  response: string | null;
  created_at: string;
}
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  role: string;
  action: string;
  entity: string;
  entity_id: string;
  before: string | null;
  after: string | null;
}

export interface ConnectorsTable {
  name: string;
  type: string;
  config: string;
  entities: string;
  enabled: number;
  health: string | null;
  updated_at: string;
}
export interface InboxTable {
  id: Generated<number>;
  connector: string;
  entity: string;
  event_key: string;
  external_id: string;
  source_time: string;
  payload: string | null;
  deleted: number;
  status: string;
  mapping_version: number | null;
  received_at: string;
  applied_at: string | null;
}
export interface LedgerTable {
  id: Generated<number>;
  canonical_entity: string;
  canonical_id: string;
  connector: string;
  entity: string;
  external_id: string;
  inbox_id: number | null;
  mapping_version: number;
  before_hash: string | null;
  after_hash: string;
  changes: string;
  at: string;
}
export interface OutboxTable {
  id: Generated<number>;
  connector: string;
  entity: string;
  canonical_id: string;
  operation: string;
  status: string;
  mapping_version: number | null;
  attempts: Generated<number>;
  external_id: string | null;
  error: string | null;
  created_at: string;
  done_at: string | null;
}
export interface LinksTable {
  connector: string;
  entity: string;
  external_id: string;
  canonical_entity: string;
  canonical_id: string;
  last_written_hash: string | null;
  last_seen_hash: string | null;
  mapping_version: number;
  updated_at: string;
}
export interface DeadLettersTable {
  id: Generated<number>;
  connector: string;
  entity: string;
  direction: string;
  ref_id: number;
  canonical_id: string | null;
  external_id: string | null;
  error_kind: string;
  reason: string;
  mapping_version: number | null;
  status: string;
  created_at: string;
  replayed_at: string | null;
}
export interface EffectsTable {
  key: string;
  connector: string;
  operation: string;
  status: string;
  external_id: string | null;
  claimed_at: string;
  confirmed_at: string | null;
}
export interface MappingVersionsTable {
  connector: string;
  entity: string;
  version: number;
  definition: string;
  status: string;
  created_by: string;
  created_at: string;
  published_at: string | null;
}
export interface MappingsTable {
  connector: string;
  entity: string;
  current_version: number;
  updated_at: string;
}
export interface CursorsTable {
  connector: string;
  entity: string;
  cursor: string | null;
  recent_counts: string;
  updated_at: string;
}
export interface FieldProvenanceTable {
  entity: string;
  record_id: string;
  field: string;
  source: string;
  source_time: string;
  mapping_version: number | null;
}

/**
 * Stock an order was promised when it was confirmed, per SKU: counted against what other orders may be
 * promised until the ERP's stock figures are newer than the promise (then its reservation is in them).
 */
export interface StockPromisesTable {
  order_id: string;
  sku: string;
  quantity: string;
  created_at: string;
}

export interface Database {
  customers: CustomersTable;
  contacts: ContactsTable;
  products: ProductsTable;
  stock_levels: StockLevelsTable;
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  runs: RunsTable;
  run_inputs: RunInputsTable;
  run_pages: RunPagesTable;
  run_rejections: RunRejectionsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_log: AuditLogTable;
  connectors: ConnectorsTable;
  inbox: InboxTable;
  ledger: LedgerTable;
  outbox: OutboxTable;
  links: LinksTable;
  dead_letters: DeadLettersTable;
  effects: EffectsTable;
  mapping_versions: MappingVersionsTable;
  mappings: MappingsTable;
  cursors: CursorsTable;
  field_provenance: FieldProvenanceTable;
  production_orders: ProductionOrdersTable;
  conflicts: ConflictsTable;
  stock_promises: StockPromisesTable;
}
