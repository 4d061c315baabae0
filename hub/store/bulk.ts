// Bulk upserts: a request's records are stored in pages, then applied page by page by a workflow,
// each page in one transaction together with its "applied" mark, so no record is written twice.
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { CustomerInput, newCanonicalId, ProductInput } from '../../mappings/canonical';
import { fieldErrors, Problem } from '../problem';
import { type Actor, appendAudit, contentOf, type StoredMeta } from './records';
import { customers, products } from './resources';
import type { Selectable } from 'kysely';
import type { Database, RunsTable } from './schema';

/** Records per page by default: one transaction and one heartbeat each. */
export const BULK_PAGE_SIZE = 500;
/** Records one bulk request may carry. */
export const BULK_MAX_RECORDS = 10_000;

export type BulkEntity = 'customer' | 'product';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partially_succeeded' | 'failed';

interface BulkTarget {
  records: typeof customers | typeof products;
  input: z.ZodType;
  /** The business key a bulk record is matched on. */
  key: { field: string; column: 'number' | 'sku' };
}

const targets: Record<BulkEntity, BulkTarget> = {
  customer: { records: customers, input: CustomerInput, key: { field: 'number', column: 'number' } },
  product: { records: products, input: ProductInput, key: { field: 'sku', column: 'sku' } },
};

export interface Rejection {
  index: number;
  field: string;
  reason: string;
}

export interface Run {
  id: string;
  kind: string;
  entity: string;
  status: RunStatus;
  total: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: Rejection[];
  error: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** Stores the records of a bulk request as pages and a queued run; returns the run id. */
export async function createBulkRun(db: Kysely<Database>, entity: BulkEntity, records: unknown[], actor: Actor, pageSize = BULK_PAGE_SIZE): Promise<string> {
  const id = newCanonicalId('run');
  const now = new Date().toISOString();
  const pages = Math.ceil(records.length / pageSize);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('runs')
      .values({ id, kind: 'bulk_upsert', entity, status: 'queued', total: records.length, pages, page_size: pageSize, actor: actor.name, created_at: now, updated_at: now })
      .execute();
    for (let page = 0; page < pages; page++) {
      const slice = records.slice(page * pageSize, (page + 1) * pageSize);
      await trx.insertInto('run_inputs').values({ run_id: id, page, records: JSON.stringify(slice) }).execute();
    }
    await appendAudit(trx, [{ actor, action: 'bulk_upsert', entity, entityId: id, after: { total: records.length }, at: now }]);
  });
  return id;
}

export async function getRun(db: Kysely<Database>, id: string): Promise<Run | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const rejections = await db.selectFrom('run_rejections').select(['idx', 'field', 'reason']).where('run_id', '=', id).orderBy('idx').execute();
  return runOf(row, rejections.map((r) => ({ index: Number(r.idx), field: r.field, reason: r.reason })));
}

function runOf(row: Selectable<RunsTable>, rejections: Rejection[]): Run {
  return {
    id: row.id,
    kind: row.kind,
    entity: row.entity,
    status: row.status as RunStatus,
    total: Number(row.total),
    processed: Number(row.processed),
    created: Number(row.created),
    updated: Number(row.updated),
    unchanged: Number(row.unchanged),
    rejected: Number(row.rejected),
    rejections,
    error: row.error,
    createdBy: row.actor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/**
 * The bulk-run side of the store, as the workflow activities see it.
 * @example createActivities({ bulkRuns: createBulkRunStore(store.db) })
 */
export function createBulkRunStore(db: Kysely<Database>) {
  return {
    async pageCount(runId: string): Promise<number> {
      const row = await db.selectFrom('runs').select('pages').where('id', '=', runId).executeTakeFirst();
      if (!row) throw new Problem(404, 'Not found', `no run ${runId}`);
      return Number(row.pages);
    },

    /** Applies one page; a page already applied (a retried activity) is a no-op. */
    async applyPage(runId: string, page: number): Promise<{ applied: boolean }> {
      return db.transaction().execute(async (trx) => {
        const done = await trx.selectFrom('run_pages').select('page').where('run_id', '=', runId).where('page', '=', page).executeTakeFirst();
        if (done) return { applied: false };
        const run = await trx.selectFrom('runs').select(['entity', 'actor', 'page_size']).where('id', '=', runId).executeTakeFirstOrThrow();
        const input = await trx.selectFrom('run_inputs').select('records').where('run_id', '=', runId).where('page', '=', page).executeTakeFirstOrThrow();
        const target = targets[run.entity as BulkEntity];
        const actor: Actor = { name: run.actor, role: 'admin' };
        const raw = JSON.parse(input.records) as unknown[];
        const now = new Date().toISOString();
        const rejections: Rejection[] = [];
        const valid: { index: number; record: Record<string, unknown> }[] = [];
        raw.forEach((item, i) => {
          const index = page * Number(run.page_size) + i;
          const parsed = target.input.safeParse(item);
          if (!parsed.success) {
            const first = fieldErrors(parsed.error)[0];
            rejections.push({ index, field: first?.field ?? '(root)', reason: first?.message ?? 'invalid' });
            return;
          }
          const record = parsed.data as Record<string, unknown>;
          if (typeof record[target.key.field] !== 'string') {
            rejections.push({ index, field: target.key.field, reason: `is required: bulk upserts match records on ${target.key.field}` });
            return;
          }
          valid.push({ index, record });
        });

        type R = StoredMeta & Record<string, unknown>;
        const spec = target.records.spec as unknown as {
          create(db: unknown, input: unknown, meta: StoredMeta): Promise<R>;
          patch(db: unknown, before: R, patch: unknown, now: string): Promise<R>;
        };
        const keys = [...new Set(valid.map((v) => v.record[target.key.field] as string))];
        const existing = (await target.records.findBy(trx, target.key.column, keys)) as unknown as R[];
        // key → the stored record (if any) and the state this page leaves it in
        const state = new Map<string, { original?: R; current: R }>(existing.map((r) => [r[target.key.field] as string, { original: r, current: r }]));
        let created = 0;
        let updated = 0;
        let unchanged = 0;
        for (const { index, record } of valid) {
          const key = record[target.key.field] as string;
          const entry = state.get(key);
          try {
            if (!entry) {
              const meta = { id: newCanonicalId(target.records.spec.idPrefix), version: 1, createdAt: now, updatedAt: now };
              state.set(key, { current: await spec.create(trx, record, meta) });
              created++;
            } else {
              const next = await spec.patch(trx, entry.current, record, now);
              if (contentOf(next) === contentOf(entry.current)) {
                unchanged++;
              } else {
                entry.current = { ...next, updatedAt: now, version: entry.original ? entry.original.version + 1 : 1 };
                updated++;
              }
            }
          } catch (err) {
            if (!(err instanceof Problem) || err.status === 412) throw err;
            const first = err.extensions.errors?.[0];
            rejections.push({ index, field: first?.field ?? '(root)', reason: first?.message ?? err.message });
          }
        }

        const inserts: R[] = [];
        const audit: Parameters<typeof appendAudit>[1] = [];
        for (const { original, current } of state.values()) {
          if (!original) {
            inserts.push(current);
            audit.push({ actor, action: 'create', entity: run.entity, entityId: current.id, after: current, at: now });
          } else if (current !== original) {
            await (target.records.replace as (db: unknown, b: R, a: R) => Promise<void>)(trx, original, current);
            audit.push({ actor, action: 'update', entity: run.entity, entityId: current.id, before: original, after: current, at: now });
          }
        }
        await (target.records.insertMany as (db: unknown, r: R[]) => Promise<void>)(trx, inserts);
        await appendAudit(trx, audit);
        if (rejections.length) {
          await trx.insertInto('run_rejections').values(rejections.map((r) => ({ run_id: runId, idx: r.index, field: r.field, reason: r.reason }))).execute();
        }
        await trx.insertInto('run_pages').values({ run_id: runId, page, applied_at: now }).execute();
        await trx
          .updateTable('runs')
          .set((eb) => ({
            status: 'running',
            processed: eb('processed', '+', raw.length),
            created: eb('created', '+', created),
            updated: eb('updated', '+', updated),
            unchanged: eb('unchanged', '+', unchanged),
            rejected: eb('rejected', '+', rejections.length),
            updated_at: now,
          }))
          .where('id', '=', runId)
          .execute();
        return { applied: true };
      });
    },

    /** Ends a run: succeeded, partially_succeeded (some records rejected) or failed. */
    async finish(runId: string, error?: string): Promise<{ status: RunStatus }> {
      const row = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
      const rejected = Number(row.rejected);
      const accepted = Number(row.processed) - rejected;
      const status: RunStatus = error || (rejected > 0 && accepted === 0) ? 'failed' : rejected > 0 ? 'partially_succeeded' : 'succeeded';
      const now = new Date().toISOString();
      await db
        .updateTable('runs')
        .set({ status, error: error ?? (status === 'failed' ? 'every record was rejected' : null), finished_at: now, updated_at: now })
        .where('id', '=', runId)
        .execute();
      return { status };
    },
  };
}

export type BulkRunStore = ReturnType<typeof createBulkRunStore>;
