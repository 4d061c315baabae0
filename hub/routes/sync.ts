// IT's sync API: connectors, mapping versions (draft, preview, publish, rollback, re-apply), dead
// letters and their replay, runs, and the record trace.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { diffFields, mapToCanonical } from '../../mappings/engine';
import { WRITE_ROLES } from '../auth';
import type { AppEnv } from '../env';
import { requireRole } from '../middleware';
import { Problem } from '../problem';
import { appendAudit, type Db } from '../store/records';
import { ConnectorSettings, checkSettings, redactConfig } from '../sync/connectors';
import { createDraft, currentVersion, listVersions, publishVersion, resolveMapping, rollbackVersion } from '../sync/mapping-versions';
import { traceByKey } from '../sync/trace';
import { problemResponses, validationHook } from './openapi';

const ok = (description: string, schema: z.ZodType = z.unknown()) => ({ content: { 'application/json': { schema } }, description });
const body = (schema: z.ZodType) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const admin = requireRole(WRITE_ROLES.sync, 'changing sync settings');

/** Reads what the route's schemas validated. */
function valid<T>(c: Context<AppEnv>, target: 'json' | 'query' | 'param'): T {
  return (c.req.valid as (t: string) => T)(target);
}

async function connectorType(db: Db, name: string): Promise<string> {
  const row = await db.selectFrom('connectors').select('type').where('name', '=', name).executeTakeFirst();
  if (!row) throw new Problem(404, 'Not found', `no connector named ${name}`);
  return row.type;
}

const ConnectorParam = z.object({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, - or _') });
const MappingParams = z.object({ connector: z.string(), entity: z.string() });
const VersionParams = MappingParams.extend({ version: z.coerce.number().int().positive() });

export function syncRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  // ── connectors ────────────────────────────────────────────────────────────────────────────────
  app.openapi(
    createRoute({ method: 'get', path: '/connectors', tags: ['Connector'], summary: 'Configured connectors, with their sync health', responses: { 200: ok('Connectors.'), ...problemResponses } }),
    (async (c: Context<AppEnv>) => {
      const { db } = c.var.deps.store;
      const list = await c.var.deps.connectors.list(db);
      const items = await Promise.all(
        list.map(async (conn) => {
          const count = async (table: 'inbox' | 'outbox' | 'dead_letters', status: string) =>
            Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('connector', '=', conn.name).where('status', '=', status).executeTakeFirstOrThrow()).n);
          const cursors = await db.selectFrom('cursors').selectAll().where('connector', '=', conn.name).execute();
          const row = await db.selectFrom('connectors').select('health').where('name', '=', conn.name).executeTakeFirst();
          return {
            name: conn.name,
            ...conn.settings,
            config: redactConfig(conn.settings.config),
            health: {
              lastError: row?.health ? JSON.parse(row.health) : null,
              inboxPending: await count('inbox', 'pending'),
              outboxPending: await count('outbox', 'pending'),
              deadLetters: await count('dead_letters', 'open'),
              cursors: cursors.map((r) => ({ entity: r.entity, cursor: r.cursor ? JSON.parse(r.cursor) : null, updatedAt: r.updated_at, recentCounts: JSON.parse(r.recent_counts) })),
            },
          };
        }),
      );
      return c.json({ items }, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/connectors/{name}',
      tags: ['Connector'],
      summary: 'Create or change a connector; schedules its polls',
      description: 'Config strings `env:NAME` are read from the environment (use them for secrets). Each entity gets a Temporal Schedule polling it every `pollSeconds`.',
      middleware: [admin] as const,
      request: { params: ConnectorParam, ...body(ConnectorSettings.openapi('ConnectorSettings')) },
      responses: { 200: ok('The stored connector, secrets hidden.'), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const { name } = valid<{ name: string }>(c, 'param');
      const settings = valid<ConnectorSettings>(c, 'json');
      const { definition, config } = checkSettings(settings);
      const instance = definition.create(config);
      const unknown = Object.keys(settings.entities).filter((e) => !instance.entities[e]);
      if (unknown.length) {
        throw new Problem(422, 'Unknown entity', `${settings.type} has no entity ${unknown.join(', ')}; it has: ${Object.keys(instance.entities).join(', ')}`, {
          errors: unknown.map((e) => ({ field: `entities.${e}`, message: 'not an entity of this connector' })),
        });
      }
      const { db } = c.var.deps.store;
      const before = await db.selectFrom('connectors').selectAll().where('name', '=', name).executeTakeFirst();
      const now = new Date().toISOString();
      const row = { name, type: settings.type, config: JSON.stringify(settings.config), entities: JSON.stringify(settings.entities), enabled: settings.enabled ? 1 : 0, health: null, updated_at: now };
      await db
        .insertInto('connectors')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet({ type: row.type, config: row.config, entities: row.entities, enabled: row.enabled, updated_at: now }))
        .execute();
      await appendAudit(db, [{ actor: c.var.actor, action: before ? 'update' : 'create', entity: 'connector', entityId: name, before: before ? { ...before, config: redactConfig(JSON.parse(before.config)) } : undefined, after: { ...settings, config: redactConfig(settings.config) }, at: now }]);
      // Polled: the entities Qiao reads from this system (not those it only writes to).
      const polled = settings.enabled ? Object.entries(settings.entities).filter(([, s]) => s.direction !== 'out') : [];
      const previous = before ? Object.keys(JSON.parse(before.entities) as object) : [];
      for (const entity of previous.filter((e) => !polled.some(([p]) => p === e))) await c.var.deps.workflows.deleteSchedule({ connector: name, entity });
      for (const [entity, s] of polled) await c.var.deps.workflows.ensureSchedule({ connector: name, entity }, s.pollSeconds);
      return c.json({ name, ...settings, config: redactConfig(settings.config) }, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/connectors/{name}/check',
      tags: ['Connector'],
      summary: 'Check connectivity and credentials',
      middleware: [admin] as const,
      request: { params: ConnectorParam },
      responses: { 200: ok('The system answered.'), 502: ok('The system failed; `kind` says how.'), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const connector = await c.var.deps.connectors.get(c.var.deps.store.db, valid<{ name: string }>(c, 'param').name);
      try {
        await connector.instance.check();
        return c.json({ ok: true }, 200);
      } catch (err) {
        const e = err as { kind?: string; message: string };
        return c.json({ ok: false, kind: e.kind ?? 'retryable', message: e.message }, 502);
      }
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/connectors/{name}/{entity}/poll',
      tags: ['Connector'],
      summary: 'Poll an entity now (besides its schedule)',
      middleware: [admin] as const,
      request: { params: ConnectorParam.extend({ entity: z.string() }) },
      responses: { 202: ok('Started, or already running.'), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const { name, entity } = valid<{ name: string; entity: string }>(c, 'param');
      await connectorType(c.var.deps.store.db, name);
      await c.var.deps.workflows.startSync('poll', { connector: name, entity });
      return c.json({ started: true }, 202);
    }) as never,
  );

  // ── mappings ──────────────────────────────────────────────────────────────────────────────────
  app.openapi(
    createRoute({ method: 'get', path: '/mappings/{connector}/{entity}/versions', tags: ['Mapping'], summary: 'Versions of a mapping and which is current', request: { params: MappingParams }, responses: { 200: ok('Versions.'), ...problemResponses } }),
    (async (c: Context<AppEnv>) => {
      const { connector, entity } = valid<{ connector: string; entity: string }>(c, 'param');
      const type = await connectorType(c.var.deps.store.db, connector);
      return c.json({ items: await listVersions(c.var.deps.store.db, type, entity) }, 200);
    }) as never,
  );

  app.openapi(
    createRoute({ method: 'get', path: '/mappings/{connector}/{entity}/versions/{version}', tags: ['Mapping'], summary: 'One mapping version', request: { params: VersionParams }, responses: { 200: ok('The definition.'), ...problemResponses } }),
    (async (c: Context<AppEnv>) => {
      const { connector, entity, version } = valid<{ connector: string; entity: string; version: number }>(c, 'param');
      const type = await connectorType(c.var.deps.store.db, connector);
      return c.json(await resolveMapping(c.var.deps.store.db, type, entity, version), 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/mappings/{connector}/{entity}/versions',
      tags: ['Mapping'],
      summary: 'Store a draft mapping version (the next number)',
      middleware: [admin] as const,
      request: { params: MappingParams, ...body(z.record(z.string(), z.unknown())) },
      responses: { 201: ok('The draft.'), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const { connector, entity } = valid<{ connector: string; entity: string }>(c, 'param');
      const type = await connectorType(c.var.deps.store.db, connector);
      return c.json(await createDraft(c.var.deps.store.db, type, entity, valid(c, 'json'), c.var.actor), 201);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/mappings/{connector}/{entity}/versions/{version}/preview',
      tags: ['Mapping'],
      summary: 'Field-level diff of a version against the current one, over the last N stored source records',
      request: { params: VersionParams, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) }) },
      responses: { 200: ok('Per record: the fields that would change.'), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const { connector, entity, version } = valid<{ connector: string; entity: string; version: number }>(c, 'param');
      const { limit } = valid<{ limit: number }>(c, 'query');
      const { db } = c.var.deps.store;
      const type = await connectorType(db, connector);
      const current = await currentVersion(db, type, entity);
      const [from, to] = [await resolveMapping(db, type, entity, current), await resolveMapping(db, type, entity, version)];
      const rows = await db.selectFrom('inbox').select(['id', 'external_id', 'payload']).where('connector', '=', connector).where('entity', '=', entity).where('payload', 'is not', null).orderBy('id', 'desc').limit(limit * 4).execute();
      const seen = new Set<string>();
      const records = [];
      for (const row of rows) {
        if (seen.has(row.external_id) || records.length >= limit) continue;
        seen.add(row.external_id);
        const data = JSON.parse(row.payload ?? '{}') as Record<string, unknown>;
        const ctx = { refs: {}, defaults: {} };
        const a = mapToCanonical(from, data, ctx);
        const b = mapToCanonical(to, data, ctx);
        records.push({ externalId: row.external_id, changes: diffFields(a.value, b.value), errors: b.errors });
      }
      return c.json({ from: current, to: version, records }, 200);
    }) as never,
  );

  app.openapi(
    createRoute({ method: 'post', path: '/mappings/{connector}/{entity}/versions/{version}/publish', tags: ['Mapping'], summary: 'Publish a draft and make it current; it is frozen from now on', middleware: [admin] as const, request: { params: VersionParams }, responses: { 200: ok('Published.'), ...problemResponses } }),
    (async (c: Context<AppEnv>) => {
      const { connector, entity, version } = valid<{ connector: string; entity: string; version: number }>(c, 'param');
      const type = await connectorType(c.var.deps.store.db, connector);
      await publishVersion(c.var.deps.store.db, type, entity, version, c.var.actor);
      return c.json({ current: version }, 200);
    }) as never,
  );

  app.openapi(
    createRoute({ method: 'post', path: '/mappings/{connector}/{entity}/rollback', tags: ['Mapping'], summary: 'Make an older published version current again', middleware: [admin] as const, request: { params: MappingParams, ...body(z.object({ version: z.number().int().positive() })) }, responses: { 200: ok('Rolled back.'), ...problemResponses } }),
    (async (c: Context<AppEnv>) => {
      const { connector, entity } = valid<{ connector: string; entity: string }>(c, 'param');
      const { version } = valid<{ version: number }>(c, 'json');
      const type = await connectorType(c.var.deps.store.db, connector);
      await rollbackVersion(c.var.deps.store.db, type, entity, version, c.var.actor);
      return c.json({ current: version }, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/mappings/{connector}/{entity}/reapply',
      tags: ['Mapping'],
      summary: 'Re-map the stored source records with a version (default: the current one), writing only what changes',
      middleware: [admin] as const,
      request: { params: MappingParams, ...body(z.object({ version: z.number().int().positive().optional() })) },
      responses: { 202: ok('The backfill workflow started.'), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const { connector, entity } = valid<{ connector: string; entity: string }>(c, 'param');
      const { db } = c.var.deps.store;
      const type = await connectorType(db, connector);
      const version = valid<{ version?: number }>(c, 'json').version ?? (await currentVersion(db, type, entity));
      await resolveMapping(db, type, entity, version);
      const workflowId = await c.var.deps.workflows.startBackfill({ connector, entity }, version);
      return c.json({ workflowId, version }, 202);
    }) as never,
  );

  // ── dead letters ──────────────────────────────────────────────────────────────────────────────
  const DeadLetterFilter = z.object({
    connector: z.string().optional(),
    entity: z.string().optional(),
    errorKind: z.string().optional(),
    since: z.iso.datetime().optional(),
    until: z.iso.datetime().optional(),
  });

  const filtered = (db: Db, f: z.infer<typeof DeadLetterFilter>, status: string) => {
    let q = db.selectFrom('dead_letters').selectAll().where('status', '=', status);
    if (f.connector) q = q.where('connector', '=', f.connector);
    if (f.entity) q = q.where('entity', '=', f.entity);
    if (f.errorKind) q = q.where('error_kind', '=', f.errorKind);
    if (f.since) q = q.where('created_at', '>=', f.since);
    if (f.until) q = q.where('created_at', '<', f.until);
    return q.orderBy('id');
  };

  app.openapi(
    createRoute({ method: 'get', path: '/dead-letters', tags: ['DeadLetter'], summary: 'Parked records and why', request: { query: DeadLetterFilter.extend({ status: z.enum(['open', 'replayed']).default('open') }) }, responses: { 200: ok('Dead letters.'), ...problemResponses } }),
    (async (c: Context<AppEnv>) => {
      const q = valid<z.infer<typeof DeadLetterFilter> & { status: string }>(c, 'query');
      const rows = await filtered(c.var.deps.store.reader, q, q.status).limit(1000).execute();
      return c.json({ items: rows.map((r) => ({ id: Number(r.id), connector: r.connector, entity: r.entity, direction: r.direction, canonicalId: r.canonical_id, externalId: r.external_id, errorKind: r.error_kind, reason: r.reason, mappingVersion: r.mapping_version, status: r.status, createdAt: r.created_at, replayedAt: r.replayed_at })) }, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/dead-letters/replay',
      tags: ['DeadLetter'],
      summary: 'Replay one dead letter (`id`) or every open one matching a filter',
      description: '`mappingVersion`: `original` replays with the version that failed, `current` with the current one.',
      middleware: [admin] as const,
      request: body(DeadLetterFilter.extend({ id: z.number().int().positive().optional(), mappingVersion: z.enum(['original', 'current']).default('current') }).strict()),
      responses: { 202: ok('Queued again.'), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const request = valid<z.infer<typeof DeadLetterFilter> & { id?: number; mappingVersion: 'original' | 'current' }>(c, 'json');
      const { db } = c.var.deps.store;
      const letters = request.id
        ? await db.selectFrom('dead_letters').selectAll().where('id', '=', request.id).where('status', '=', 'open').execute()
        : await filtered(db, request, 'open').execute();
      if (request.id && !letters.length) throw new Problem(404, 'Not found', `no open dead letter ${request.id}`);
      const now = new Date().toISOString();
      const kicks = new Set<string>();
      await db.transaction().execute(async (trx) => {
        for (const l of letters) {
          const version = request.mappingVersion === 'original' ? l.mapping_version : null;
          if (l.direction === 'in') {
            await trx.updateTable('inbox').set({ status: 'pending', mapping_version: version, applied_at: null }).where('id', '=', l.ref_id).execute();
            kicks.add(`applyInbox|${l.connector}|${l.entity}`);
          } else {
            await trx
              .insertInto('outbox')
              .values({ connector: l.connector, entity: l.entity, canonical_id: l.canonical_id ?? '', operation: 'upsert', status: 'pending', mapping_version: version, external_id: null, error: null, created_at: now, done_at: null })
              .execute();
            kicks.add(`deliverOutbox|${l.connector}|${l.entity}`);
          }
          await trx.updateTable('dead_letters').set({ status: 'replayed', replayed_at: now }).where('id', '=', l.id).execute();
        }
        await appendAudit(trx, letters.map((l) => ({ actor: c.var.actor, action: 'replay', entity: 'dead_letter', entityId: String(l.id), before: { status: 'open' }, after: { status: 'replayed', mappingVersion: request.mappingVersion }, at: now })));
      });
      for (const kick of kicks) {
        const [kind, connector, entity] = kick.split('|') as ['applyInbox' | 'deliverOutbox', string, string];
        await c.var.deps.workflows.startSync(kind, { connector, entity });
      }
      return c.json({ replayed: letters.map((l) => Number(l.id)) }, 202);
    }) as never,
  );

  // ── runs and trace ────────────────────────────────────────────────────────────────────────────
  app.openapi(
    createRoute({ method: 'get', path: '/runs', tags: ['Run'], summary: 'Recent runs, newest first', request: { query: z.object({ kind: z.string().optional(), entity: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) }, responses: { 200: ok('Runs.'), ...problemResponses } }),
    (async (c: Context<AppEnv>) => {
      const q = valid<{ kind?: string; entity?: string; limit: number }>(c, 'query');
      let query = c.var.deps.store.reader.selectFrom('runs').selectAll().orderBy('created_at', 'desc').limit(q.limit);
      if (q.kind) query = query.where('kind', '=', q.kind);
      if (q.entity) query = query.where('entity', '=', q.entity);
      const rows = await query.execute();
      return c.json({ items: rows.map((r) => ({ id: r.id, kind: r.kind, entity: r.entity, status: r.status, processed: Number(r.processed), updated: Number(r.updated), rejected: Number(r.rejected), error: r.error, warnings: r.warnings ? r.warnings.split('\n') : [], createdAt: r.created_at, finishedAt: r.finished_at })) }, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/trace',
      tags: ['Trace'],
      summary: 'A record’s history across systems, found by business key',
      description: 'key: a SKU, an email, an order or customer number, a canonical id, or an external id.',
      request: { query: z.object({ key: z.string().min(1, 'must not be empty') }) },
      responses: { 200: ok('Matching records with their events, mapping versions, changes and deliveries.'), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => c.json(await traceByKey(c.var.deps.store.reader, valid<{ key: string }>(c, 'query').key), 200)) as never,
  );

  return app;
}
