// Runs: progress and outcome of asynchronous work such as bulk upserts.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { Problem } from '../problem';
import { getRun } from '../store/bulk';
import { problemResponses, validationHook } from './openapi';

const Run = z
  .object({
    id: z.string(),
    kind: z.string(),
    entity: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'partially_succeeded', 'failed']),
    total: z.number().int().describe('Records in the request.'),
    processed: z.number().int().describe('Records looked at so far.'),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int().describe('Records equal to what was stored; nothing written.'),
    rejected: z.number().int(),
    rejections: z.array(z.object({ index: z.number().int(), field: z.string(), reason: z.string() })).describe('Each rejected record: its index in the request, the field, why.'),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Run');

export function runRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['Run'],
      summary: 'Progress and outcome of a run',
      request: { params: z.object({ id: z.string().min(1) }) },
      responses: { 200: { content: { 'application/json': { schema: Run } }, description: 'The run.' }, ...problemResponses },
    }),
    async (c) => {
      const run = await getRun(c.var.deps.store.reader, c.req.valid('param').id);
      if (!run) throw new Problem(404, 'Not found', `No run with id ${c.req.valid('param').id}`);
      return c.json(run, 200);
    },
  );
  return app;
}
