// The sync engine as the workflow activities see it: poll, apply, deliver, re-apply, runs.
import type { Kysely } from 'kysely';
import { ConnectorError } from '../../connectors/errors';
import { newCanonicalId } from '../../mappings/canonical';
import type { SyncEngine } from '../../workflows/activities';
import type { Database } from '../store/schema';
import { applyInboxBatch, applyRows, type InboxRow, requeueWaiting } from './apply';
import type { ConnectorPool } from './connectors';
import { deliverOutboxBatch } from './deliver';
import { currentVersion } from './mapping-versions';
import { loadCursor, pollPage, saveCursor } from './poll';

/**
 * Binds the engine to a database and a connector pool.
 * @example createActivities({ bulkRuns, sync: createSyncEngine(store.db, createConnectorPool()) })
 */
export function createSyncEngine(db: Kysely<Database>, pool: ConnectorPool): SyncEngine {
  /**
   * Keeps the connector's health: an `auth` failure (expired or revoked credentials) is written where IT
   * sees it (`GET /v1/connectors`), and cleared by the next call that works.
   */
  async function recordHealth<T>(connector: string, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      await db.updateTable('connectors').set({ health: null }).where('name', '=', connector).where('health', 'is not', null).execute();
      return result;
    } catch (err) {
      if (err instanceof ConnectorError && err.kind === 'auth') {
        await db.updateTable('connectors').set({ health: JSON.stringify({ kind: err.kind, message: err.message, at: new Date().toISOString() }) }).where('name', '=', connector).execute();
      }
      throw err;
    }
  }

  return {
    async currentMappingVersion(connector, entity) {
      const { type } = await pool.get(db, connector);
      return currentVersion(db, type, entity);
    },
    loadCursor: (connector, entity) => loadCursor(db, connector, entity),
    pollPage: (connector, entity, cursor, limit) => recordHealth(connector, () => pollPage(db, pool, connector, entity, cursor, limit)),
    saveCursor: (connector, entity, cursor, received) => saveCursor(db, connector, entity, cursor, received),
    applyInbox: (connector, entity, version, limit, transactionRows) => applyInboxBatch(db, pool, connector, entity, version, limit, transactionRows),
    requeueWaiting: (connector, entity) => requeueWaiting(db, connector, entity),
    deliverOutbox: (connector, entity, version) =>
      recordHealth(connector, async () => {
        const outcome = await deliverOutboxBatch(db, pool, connector, entity, version);
        if (outcome.retry?.kind === 'auth') throw outcome.retry;
        return outcome;
      }),

    async pendingDeliveries() {
      const rows = await db.selectFrom('outbox').select(['connector', 'entity']).where('status', '=', 'pending').groupBy(['connector', 'entity']).execute();
      return rows.map((r) => ({ connector: r.connector, entity: r.entity }));
    },

    async pendingInbox(connector, entity) {
      const row = await db.selectFrom('inbox').select('id').where('connector', '=', connector).where('entity', '=', entity).where('status', '=', 'pending').limit(1).executeTakeFirst();
      return row !== undefined;
    },

    async reapplyPage(connector, entity, version, after, limit) {
      const configured = await pool.get(db, connector);
      // The latest stored source payload of each linked external record, in external id order.
      let linkQuery = db.selectFrom('links').select('external_id').where('connector', '=', connector).where('entity', '=', entity).orderBy('external_id').limit(limit);
      if (after !== null) linkQuery = linkQuery.where('external_id', '>', after);
      const ids = (await linkQuery.execute()).map((r) => r.external_id);
      if (!ids.length) return { applied: 0, changed: 0, parked: [], next: null };
      const latest = await db
        .selectFrom('inbox')
        .select((eb) => [eb.fn.max('id').as('id')])
        .where('connector', '=', connector)
        .where('entity', '=', entity)
        .where('external_id', 'in', ids)
        .where('payload', 'is not', null)
        .groupBy('external_id')
        .execute();
      const rows = (await db
        .selectFrom('inbox')
        .select(['id', 'external_id', 'source_time', 'payload', 'deleted', 'mapping_version'])
        .where('id', 'in', latest.map((r) => Number(r.id)))
        .orderBy('id')
        .execute()) as InboxRow[];
      const outcome = await applyRows(db, { name: configured.name, type: configured.type, config: configured.config }, entity, version, rows.map((r) => ({ ...r, mapping_version: version })), { force: true });
      return { applied: outcome.applied, changed: outcome.changed, parked: outcome.parked, next: ids.length < limit ? null : (ids[ids.length - 1] ?? null) };
    },

    async recordRun(run) {
      const id = newCanonicalId('run');
      const now = new Date().toISOString();
      const rejected = run.parked.length;
      await db
        .insertInto('runs')
        .values({
          id,
          kind: run.kind,
          entity: `${run.connector}/${run.entity}`,
          status: run.error ? 'failed' : rejected ? 'partially_succeeded' : 'succeeded',
          total: run.processed,
          pages: run.pages,
          page_size: 0,
          processed: run.processed,
          created: 0,
          updated: run.changed,
          unchanged: run.processed - run.changed - rejected,
          rejected,
          error: run.error ?? null,
          warnings: run.warnings.length ? run.warnings.join('\n') : null,
          actor: `schedule:${run.kind}`,
          created_at: run.startedAt,
          updated_at: now,
          finished_at: now,
        })
        .execute();
      if (rejected) {
        const letters = await db.selectFrom('dead_letters').select(['id', 'reason', 'external_id']).where('id', 'in', run.parked).execute();
        await db
          .insertInto('run_rejections')
          .values(letters.map((l) => ({ run_id: id, idx: Number(l.id), field: l.external_id ?? '', reason: l.reason })))
          .execute();
      }
      return id;
    },
  };
}
