// CRUD routes for the CRM core resources, one sub-app per resource, declared with zod-openapi.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Role } from '../../mappings/canonical';
import type { AppEnv } from '../env';
import type { Queued } from '../sync/outbox';
import { requireRole } from '../middleware';
import { Problem } from '../problem';
import { BULK_MAX_RECORDS, type BulkEntity, createBulkRun } from '../store/bulk';
import { etagOf, type StoredMeta } from '../store/records';
import type { AnyRecords } from '../store/resources';
import { problemResponses, RunAccepted, validationHook } from './openapi';

export interface ResourceRoutesOptions {
  /** URL segment, e.g. `customers`. */
  plural: string;
  /** Name of the schemas in the OpenAPI document, e.g. `Customer`. */
  name: string;
  records: AnyRecords;
  schemas: { record: z.ZodType; input: z.ZodType; patch: z.ZodType };
  writeRoles: readonly Role[];
  /** Present for resources with a bulk upsert endpoint. */
  bulk?: { entity: BulkEntity; key: string; roles: readonly Role[] };
}

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Records per page (1–500).'),
  cursor: z.string().optional().describe('`nextCursor` of the previous page.'),
  updatedSince: z.iso.datetime({ message: 'must be an ISO 8601 UTC time ending in Z' }).optional().describe('Only records changed at or after this time.'),
});

/**
 * Names a canonical schema as an OpenAPI component. zod 4 copies `.openapi()` onto a schema when it is
 * built, so schemas built in mappings/ before @hono/zod-openapi loaded lack it; a clone has it.
 */
function named<T extends z.ZodType>(schema: T, name: string): T {
  return schema.clone().openapi(name) as T;
}

/**
 * Wakes delivery to the systems a change was queued for (in the same transaction as the change), so
 * the answer does not wait for Temporal; a wake-up that fails is caught by the next poll.
 */
export function wakeDeliveries(c: Context<AppEnv>, queued: readonly Queued[]): void {
  const targets = new Map(queued.map((q) => [`${q.connector}\u0000${q.entity}`, q]));
  for (const { connector, entity } of targets.values()) {
    c.var.deps.workflows.startSync('deliverOutbox', { connector, entity }).catch((err: unknown) => console.error(`[gateway] could not wake deliverOutbox for ${connector} ${entity}:`, err));
  }
}

/** Reads what the route's schemas validated; the generic factory cannot name the inferred types. */
function valid<T>(c: Context<AppEnv>, target: 'json' | 'query' | 'param' | 'header'): T {
  return (c.req.valid as (t: string) => T)(target);
}

/**
 * The routes of one resource: list, create, read, patch (with If-Match), delete, and bulk upsert.
 * @example app.route('/v1/customers', resourceRoutes({ plural: 'customers', name: 'Customer', records: customers, ... }))
 */
export function resourceRoutes(options: ResourceRoutesOptions): OpenAPIHono<AppEnv> {
  const { plural, name, records, schemas } = options;
  const entity = records.spec.entity;
  const keyName = records.spec.keyColumn;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const tags = [name];
  const Record = named(schemas.record, name);
  const Input = named(schemas.input, `${name}Input`);
  const Patch = named(schemas.patch, `${name}Patch`);
  const KeyParam = z.object({ [keyName]: z.string().min(1).openapi({ param: { name: keyName, in: 'path' } }) });
  const filterParams = Object.fromEntries(Object.keys(records.spec.filters).map((f) => [f, z.string().optional().describe(`Only records whose ${f} equals this.`)]));
  const Query = ListQuery.extend(filterParams);
  const IfMatch = z.object({ 'if-match': z.string().optional().describe('ETag of the version you read; a stale one gets 412.') });
  const withEtag = (c: Context<AppEnv>, record: StoredMeta) => c.header('ETag', etagOf(record));
  const write = requireRole(options.writeRoles, `changing a ${entity}`);
  const json = (schema: z.ZodType, description: string) => ({ content: { 'application/json': { schema } }, description });

  if (options.bulk) {
    const bulk = options.bulk;
    const BulkBody = z
      .object({ records: z.array(z.unknown()).min(1, 'must hold at least one record').max(BULK_MAX_RECORDS, `must hold at most ${BULK_MAX_RECORDS} records`) })
      .strict()
      .openapi(`${name}BulkUpsert`, { description: `Up to ${BULK_MAX_RECORDS} ${plural}, matched on \`${bulk.key}\`; each is validated as a ${name}Input when its page is applied.` });
    app.use('/bulk', bodyLimit({ maxSize: 64 * 1024 * 1024, onError: () => { throw new Problem(413, 'Payload too large', 'a bulk request may be at most 64 MiB'); } }));
    app.openapi(
      createRoute({
        method: 'post',
        path: '/bulk',
        tags,
        summary: `Upsert up to ${BULK_MAX_RECORDS} ${plural} by ${bulk.key}, asynchronously`,
        middleware: [requireRole(bulk.roles, `bulk upserting ${plural}`)] as const,
        request: { body: { content: { 'application/json': { schema: BulkBody } }, required: true } },
        responses: { 202: json(RunAccepted, 'The run is queued; follow it at `GET /v1/runs/{id}`.'), ...problemResponses },
      }),
      (async (c: Context<AppEnv>) => {
        const { records: items } = valid<{ records: unknown[] }>(c, 'json');
        const { store, workflows } = c.var.deps;
        const runId = await createBulkRun(store.db, bulk.entity, items, c.var.actor, c.var.deps.bulkPageSize);
        try {
          await workflows.startBulkUpsert(runId);
        } catch (err) {
          await store.db.updateTable('runs').set({ status: 'failed', error: `could not start the workflow: ${String(err)}`, finished_at: new Date().toISOString() }).where('id', '=', runId).execute();
          throw new Problem(503, 'Workflow engine unavailable', `run ${runId} could not start: Temporal is not reachable; retry later`, { runId });
        }
        c.header('Location', `/v1/runs/${runId}`);
        return c.json({ runId, status: 'queued', href: `/v1/runs/${runId}` }, 202);
      }) as never,
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: `List ${plural}, oldest change first`,
      request: { query: Query },
      responses: { 200: json(z.object({ items: z.array(Record), nextCursor: z.string().nullable() }), `A page of ${plural}.`), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const { limit, cursor, updatedSince, ...filters } = valid<z.infer<typeof ListQuery> & { [k: string]: string | undefined }>(c, 'query');
      return c.json(await records.list(c.var.deps.store.reader, { limit, cursor, updatedSince, filters: filters as { [k: string]: string | undefined } }), 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: `Create a ${entity}`,
      description: 'Send `Idempotency-Key` to make retries safe: the same key and body return the first answer.',
      middleware: [write] as const,
      request: {
        headers: z.object({ 'idempotency-key': z.string().optional().describe('Makes the request safe to retry.') }),
        body: { content: { 'application/json': { schema: Input } }, required: true },
      },
      responses: { 201: json(Record, `The new ${entity}, with its ETag.`), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const queued: Queued[] = [];
      const created = (await (records.create as (db: unknown, input: unknown, actor: unknown, queued: Queued[]) => Promise<StoredMeta & { [k: string]: unknown }>)(
        c.var.deps.store.db,
        valid(c, 'json'),
        c.var.actor,
        queued,
      )) as StoredMeta & { [k: string]: unknown };
      wakeDeliveries(c, queued);
      withEtag(c, created);
      c.header('Location', `/v1/${plural}/${encodeURIComponent(String(created[keyName]))}`);
      return c.json(created, 201);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `/{${keyName}}`,
      tags,
      summary: `Read a ${entity} by ${keyName}`,
      request: { params: KeyParam },
      responses: { 200: json(Record, `The ${entity}; its ETag is the version.`), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const key = valid<{ [k: string]: string }>(c, 'param')[keyName] as string;
      const found = await records.getOrThrow(c.var.deps.store.reader, key);
      withEtag(c, found);
      return c.json(found, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: `/{${keyName}}`,
      tags,
      summary: `Change a ${entity}`,
      description: 'Send `If-Match` with the ETag you read; if the record changed since, the answer is 412 and nothing is written.',
      middleware: [write] as const,
      request: { params: KeyParam, headers: IfMatch, body: { content: { 'application/json': { schema: Patch } }, required: true } },
      responses: { 200: json(Record, `The changed ${entity}.`), ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const key = valid<{ [k: string]: string }>(c, 'param')[keyName] as string;
      const queued: Queued[] = [];
      const updated = await (records.update as (db: unknown, key: string, patch: unknown, ifMatch: string | undefined, actor: unknown, queued: Queued[]) => Promise<StoredMeta>)(
        c.var.deps.store.db,
        key,
        valid(c, 'json'),
        c.req.header('if-match'),
        c.var.actor,
        queued,
      );
      wakeDeliveries(c, queued);
      withEtag(c, updated);
      return c.json(updated, 200);
    }) as never,
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: `/{${keyName}}`,
      tags,
      summary: `Delete a ${entity}`,
      middleware: [write] as const,
      request: { params: KeyParam, headers: IfMatch },
      responses: { 204: { description: 'Deleted.' }, ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const key = valid<{ [k: string]: string }>(c, 'param')[keyName] as string;
      const queued: Queued[] = [];
      await records.remove(c.var.deps.store.db, key, c.req.header('if-match'), c.var.actor, queued);
      wakeDeliveries(c, queued);
      return c.body(null, 204);
    }) as never,
  );

  return app;
}
