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
}
