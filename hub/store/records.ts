// Canonical records stored as JSON documents with indexed columns: one mechanism for every entity.
import { type Kysely, type Transaction, sql } from 'kysely';
import { CRM_CORE, newCanonicalId, type Role } from '../../mappings/canonical';
import { enqueueDeliveries, type Queued } from '../sync/outbox';
import { changedFields, provenanceOf, saveProvenance } from '../sync/provenance';
import { Problem } from '../problem';
import type { Database, DocumentColumns } from './schema';

export type Db = Kysely<Database> | Transaction<Database>;
export type DocumentTableName = 'customers' | 'contacts' | 'products' | 'orders' | 'production_orders';

/** Who is making a change; recorded in the audit log. */
export interface Actor {
  name: string;
  role: Role | 'system';
}

/** The fields every stored record has. */
export interface StoredMeta {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Fields kept in a child table (stock levels, order lines) rather than in the JSON document. */
export interface ChildTable<R> {
  fields: readonly (keyof R & string)[];
  load(db: Db, ids: readonly string[]): Promise<Map<string, Partial<R>>>;
  save(db: Db, before: R | undefined, after: R): Promise<void>;
}

/**
 * What makes an entity an API resource: its table, indexed columns, rules for create/patch/delete.
 * @example const customers = createRecords(customerSpec)
 */
export interface ResourceSpec<R extends StoredMeta, I, P> {
  entity: string;
  table: DocumentTableName;
  idPrefix: string;
  /** Column that addresses a record in URLs (`id`, or `sku` for products). */
  keyColumn: 'id' | 'sku';
  /** Query parameters that filter a list, mapped to indexed columns. */
  filters: Readonly<Record<string, string>>;
  /** Indexed columns derived from the record. */
  columns(record: R): Record<string, string | number | null>;
  children?: ChildTable<R>;
  /** Builds a new record from a validated create input; throws a Problem on a broken reference. */
  create(db: Db, input: I, meta: StoredMeta): Promise<R>;
  /** Applies a validated patch; throws a Problem on a forbidden change. */
  patch(db: Db, before: R, patch: P, now: string): Promise<R>;
  /** Why the record cannot be deleted, when it cannot. */
  deleteBlocker?(db: Db, record: R): Promise<string | undefined>;
  /**
   * Completes a record about to be stored (after create or patch, API and sync alike) and makes the
   * writes that follow from it in the same transaction: an order that becomes confirmed is planned.
   * `queued` receives the targets deliveries were queued for.
   */
  settle?(db: Db, before: R | undefined, after: R, ctx: { actor: Actor; now: string; queued?: Queued[] }): Promise<R>;
}

/** JSON with sorted keys, so two equal records serialise the same. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The record without hub metadata: what "changed or not" is decided on. */
export function contentOf<R extends StoredMeta>(record: R): string {
  const { id: _id, version: _v, createdAt: _c, updatedAt: _u, ...content } = record;
  return stableStringify(content);
}

export interface ListOptions {
  limit: number;
  cursor?: string;
  updatedSince?: string;
  filters?: Record<string, string | undefined>;
}

function encodeCursor(updatedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([updatedAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) return parsed as [string, string];
  } catch {
    // fall through to the problem below
  }
  throw new Problem(400, 'Invalid cursor', 'cursor is not one this API returned', { errors: [{ field: 'cursor', message: 'is not a cursor this API returned' }] });
}

export async function appendAudit(
  db: Db,
  entries: { actor: Actor; action: string; entity: string; entityId: string; before?: unknown; after?: unknown; at: string }[],
): Promise<void> {
  const rows = entries.map((e) => ({
    at: e.at,
    actor: e.actor.name,
    role: e.actor.role,
    action: e.action,
    entity: e.entity,
    entity_id: e.entityId,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('audit_log').values(rows.slice(i, i + 500)).execute();
}

export type Records<R extends StoredMeta, I, P> = ReturnType<typeof createRecords<R, I, P>>;

/**
 * CRUD over one document table: optimistic versions, audit entries in the same transaction,
 * cursor pagination on (updated_at, id).
 */
export function createRecords<R extends StoredMeta, I, P>(spec: ResourceSpec<R, I, P>) {
  const childFields = new Set<string>(spec.children?.fields ?? []);
  const table = spec.table;

  function toRow(record: R): DocumentColumns & Record<string, unknown> {
    const { id, version, createdAt, updatedAt, ...rest } = record;
    const data = Object.fromEntries(Object.entries(rest).filter(([k]) => !childFields.has(k)));
    return { id, version, created_at: createdAt, updated_at: updatedAt, data: JSON.stringify(data), ...spec.columns(record) };
  }

  async function fromRows(db: Db, rows: DocumentColumns[]): Promise<R[]> {
    const children = spec.children && rows.length ? await spec.children.load(db, rows.map((r) => r.id)) : undefined;
    return rows.map(
      (row) =>
        ({
          id: row.id,
          ...JSON.parse(row.data),
          ...children?.get(row.id),
          version: Number(row.version),
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        }) as R,
    );
  }

  const any = (db: Db) => db as unknown as Kysely<Record<DocumentTableName, DocumentColumns & Record<string, unknown>>>;

  async function findBy(db: Db, column: string, values: readonly string[]): Promise<R[]> {
    if (values.length === 0) return [];
    const rows = await any(db)
      .selectFrom(table)
      .selectAll()
      .where(sql.ref(column), 'in', values)
      .execute();
    return fromRows(db, rows as unknown as DocumentColumns[]);
  }

  async function get(db: Db, key: string): Promise<R | undefined> {
    return (await findBy(db, spec.keyColumn, [key]))[0];
  }

  async function getOrThrow(db: Db, key: string): Promise<R> {
    const found = await get(db, key);
    if (!found) throw new Problem(404, 'Not found', `No ${spec.entity} with ${spec.keyColumn} ${key}`);
    return found;
  }

  async function list(db: Db, options: ListOptions): Promise<{ items: R[]; nextCursor: string | null }> {
    let query = any(db).selectFrom(table).selectAll();
    if (options.updatedSince) query = query.where('updated_at', '>=', options.updatedSince);
    for (const [param, column] of Object.entries(spec.filters)) {
      const value = options.filters?.[param];
      if (value !== undefined) query = query.where(sql.ref(column), '=', value);
    }
    if (options.cursor) {
      const [at, id] = decodeCursor(options.cursor);
      query = query.where((eb) => eb.or([eb('updated_at', '>', at), eb.and([eb('updated_at', '=', at), eb('id', '>', id)])]));
    }
    const rows = (await query.orderBy('updated_at').orderBy('id').limit(options.limit + 1).execute()) as unknown as DocumentColumns[];
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return { items: await fromRows(db, page), nextCursor: rows.length > options.limit && last ? encodeCursor(last.updated_at, last.id) : null };
  }

  async function insertMany(db: Db, records: R[]): Promise<void> {
    for (let i = 0; i < records.length; i += 200) {
      await any(db).insertInto(table).values(records.slice(i, i + 200).map(toRow)).execute();
    }
    if (spec.children) for (const r of records) await spec.children.save(db, undefined, r);
  }

  /** Writes `after` if the stored version is still `before.version`; a 412 otherwise. */
  async function replace(db: Db, before: R, after: R): Promise<void> {
    const { id: _id, created_at: _c, ...row } = toRow(after);
    const result = await any(db)
      .updateTable(table)
      .set(row)
      .where('id', '=', before.id)
      .where('version', '=', before.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new Problem(412, 'Precondition failed', `${spec.entity} ${before.id} changed while this request ran; read it again and retry`);
    }
    if (spec.children) await spec.children.save(db, before, after);
  }

  function checkIfMatch(record: R, ifMatch: string | undefined): void {
    if (ifMatch === undefined || ifMatch.trim() === '*') return;
    const wanted = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (!wanted.includes(etagOf(record))) {
      throw new Problem(412, 'Precondition failed', `If-Match ${ifMatch} does not match the current version ${etagOf(record)} of ${spec.entity} ${record.id}; read it again and retry`, {
        currentVersion: record.version,
      });
    }
  }

  return {
    spec,
    get,
    getOrThrow,
    findBy,
    list,
    insertMany,
    replace,

    /** `queued` (optional) receives the targets a delivery was queued for, so the caller can wake them. */
    async create(db: Kysely<Database>, input: I, actor: Actor, queued?: Queued[]): Promise<R> {
      return db.transaction().execute(async (trx) => {
        const now = new Date().toISOString();
        let record = await spec.create(trx, input, { id: newCanonicalId(spec.idPrefix), version: 1, createdAt: now, updatedAt: now });
        if (spec.settle) record = await spec.settle(trx, undefined, record, { actor, now, queued });
        await insertMany(trx, [record]).catch((err: unknown) => {
          throw uniqueViolation(err, spec.entity) ?? err;
        });
        await appendAudit(trx, [{ actor, action: 'create', entity: spec.entity, entityId: record.id, after: record, at: now }]);
        await saveProvenance(trx, provenanceOf(spec.entity, record.id, changedFields(undefined, record), CRM_CORE, now, null));
        // Queued whether or not the caller asks what for (an optional chain would skip the call itself).
        const targets = await enqueueDeliveries(trx, spec.entity, [record.id], 'upsert');
        queued?.push(...targets);
        return record;
      });
    },

    async update(db: Kysely<Database>, key: string, patch: P, ifMatch: string | undefined, actor: Actor, queued?: Queued[]): Promise<R> {
      return db.transaction().execute(async (trx) => {
        const before = await getOrThrow(trx, key);
        checkIfMatch(before, ifMatch);
        const now = new Date().toISOString();
        let after = await spec.patch(trx, before, patch, now);
        if (spec.settle) after = await spec.settle(trx, before, after, { actor, now, queued });
        if (contentOf(after) === contentOf(before)) return before;
        const next = { ...after, id: before.id, createdAt: before.createdAt, version: before.version + 1, updatedAt: now };
        await replace(trx, before, next).catch((err: unknown) => {
          throw uniqueViolation(err, spec.entity) ?? err;
        });
        await appendAudit(trx, [{ actor, action: 'update', entity: spec.entity, entityId: before.id, before, after: next, at: now }]);
        await saveProvenance(trx, provenanceOf(spec.entity, before.id, changedFields(before, next), CRM_CORE, now, null));
        const targets = await enqueueDeliveries(trx, spec.entity, [before.id], 'upsert');
        queued?.push(...targets);
        return next;
      });
    },

    async remove(db: Kysely<Database>, key: string, ifMatch: string | undefined, actor: Actor, queued?: Queued[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const before = await getOrThrow(trx, key);
        checkIfMatch(before, ifMatch);
        const blocker = await spec.deleteBlocker?.(trx, before);
        if (blocker) throw new Problem(409, 'Cannot delete', blocker);
        await any(trx).deleteFrom(table).where('id', '=', before.id).where('version', '=', before.version).execute();
        await appendAudit(trx, [{ actor, action: 'delete', entity: spec.entity, entityId: before.id, before, at: new Date().toISOString() }]);
        await trx.deleteFrom('field_provenance').where('entity', '=', spec.entity).where('record_id', '=', before.id).execute();
        const targets = await enqueueDeliveries(trx, spec.entity, [before.id], 'delete');
        queued?.push(...targets);
      });
    },
  };
}

/** The ETag of a record: its version, quoted. */
export function etagOf(record: StoredMeta): string {
  return `"${record.version}"`;
}

/** Turns a unique-constraint failure into a 409 naming the column, for both SQLite and PostgreSQL. */
export function uniqueViolation(err: unknown, entity: string): Problem | undefined {
  const e = err as { code?: string; message?: string; detail?: string; constraint?: string };
  const sqlite = e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (!sqlite && e.code !== '23505') return undefined;
  const column = sqlite ? /\.(\w+)$/.exec(e.message ?? '')?.[1] : /\((\w+)\)/.exec(e.detail ?? '')?.[1];
  return new Problem(409, 'Already exists', `Another ${entity} already has this ${column ?? 'key'}`, {
    errors: [{ field: column ?? 'key', message: 'is already used by another record' }],
  });
}
