// The conflict inbox: GET /v1/conflicts, POST /v1/conflicts/{id}/resolve.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { WRITE_ROLES } from '../auth';
import type { AppEnv } from '../env';
import { requireRole } from '../middleware';
import { listConflicts, resolveConflict } from '../sync/conflicts';
import { wakeDeliveries } from './resources';
import { problemResponses, validationHook } from './openapi';

const Value = z.object({ value: z.unknown(), source: z.string().nullable(), sourceTime: z.string().nullable() });
const Conflict = z
  .object({
    id: z.number().int(),
    entity: z.string(),
    recordId: z.string(),
    field: z.string(),
    current: Value.describe('The stored value and where it came from.'),
    proposed: Value.describe('The value a system proposed, which ownership could not settle.'),
    connector: z.string(),
    connectorEntity: z.string(),
    externalId: z.string().nullable(),
    reason: z.string(),
    status: z.enum(['open', 'resolved']),
    resolution: z.enum(['current', 'proposed']).nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Conflict');

const ListQuery = z.object({
  status: z.enum(['open', 'resolved', 'all']).default('open').describe('Open conflicts by default.'),
  entity: z.string().optional(),
  recordId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const Resolve = z
  .object({ choice: z.enum(['current', 'proposed']).describe('`current` keeps the stored value (and sends it back to the proposing system); `proposed` writes the proposed value everywhere.') })
  .strict()
  .openapi('ConflictResolution');

export function conflictRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Conflict'],
      summary: 'Disagreements field ownership could not settle, newest first',
      request: { query: ListQuery },
      responses: { 200: { content: { 'application/json': { schema: z.object({ items: z.array(Conflict) }) } }, description: 'Conflicts.' }, ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const query = (c.req.valid as (t: string) => z.infer<typeof ListQuery>)('query');
      const items = await listConflicts(c.var.deps.store.reader, { ...query, status: query.status === 'all' ? undefined : query.status });
      return c.json({ items }, 200);
    }) as never,
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/resolve',
      tags: ['Conflict'],
      summary: 'Settle a conflict with a choice',
      middleware: [requireRole(WRITE_ROLES.order, 'resolving conflicts')] as const,
      request: { params: z.object({ id: z.coerce.number().int().positive() }), body: { content: { 'application/json': { schema: Resolve } }, required: true } },
      responses: { 200: { content: { 'application/json': { schema: Conflict } }, description: 'The resolved conflict.' }, ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const { id } = (c.req.valid as (t: string) => { id: number })('param');
      const { choice } = (c.req.valid as (t: string) => z.infer<typeof Resolve>)('json');
      const { conflict, queued } = await resolveConflict(c.var.deps.store.db, id, choice, c.var.actor);
      wakeDeliveries(c, queued);
      return c.json(conflict, 200);
    }) as never,
  );
  return app;
}
