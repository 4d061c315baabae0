// POST /webhooks/:connector — verified on the raw body, deduped by event key, answered 202 at once;
// the inbox is applied asynchronously by the applyInbox workflow.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ConnectorError } from '../../connectors/errors';
import type { AppEnv } from '../env';
import { Problem } from '../problem';
import { appendToInboxGrouped } from '../sync/poll';
import { problemResponses, validationHook } from './openapi';

export function webhookRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', bodyLimit({ maxSize: 1024 * 1024, onError: () => { throw new Problem(413, 'Payload too large', 'a webhook body may be at most 1 MiB'); } }));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{connector}',
      tags: ['Webhook'],
      summary: 'Receive a provider’s signed change notification',
      security: [],
      request: { params: z.object({ connector: z.string() }) },
      responses: { 202: { content: { 'application/json': { schema: z.object({ accepted: z.number().int(), duplicates: z.number().int() }) } }, description: 'Stored in the inbox.' }, ...problemResponses },
    }),
    (async (c: Context<AppEnv>) => {
      const name = c.req.param('connector') ?? '';
      const { store, connectors, workflows, publicUrl } = c.var.deps;
      const connector = await connectors.get(store.db, name).catch(() => undefined);
      const receiver = connector?.instance.webhooks;
      if (!connector || !receiver) throw new Problem(404, 'Not found', `no connector ${name} receiving webhooks`);
      const rawBody = await c.req.text();
      const headers = Object.fromEntries(Object.entries(c.req.header()).map(([k, v]) => [k.toLowerCase(), v]));
      try {
        receiver.verify({ rawBody, headers, url: `${publicUrl.replace(/\/$/, '')}/webhooks/${name}` }, new Date());
      } catch (err) {
        if (err instanceof ConnectorError) throw new Problem(401, 'Invalid signature', err.message);
        throw err;
      }
      let events: ReturnType<typeof receiver.parse>;
      try {
        // Only entities Qiao reads from this system: a notification about one it only writes (products
        // pushed to a CRM) is the echo of Qiao's own write, or none of its business.
        events = receiver.parse(rawBody).filter((e) => {
          const settings = connector.settings.entities[e.entity];
          return settings !== undefined && settings.direction !== 'out';
        });
      } catch (err) {
        throw new Problem(422, 'Unreadable webhook', err instanceof Error ? err.message : String(err));
      }
      const accepted = await appendToInboxGrouped(store.db, name, events);
      // Processing is asynchronous: the provider gets its 202 without waiting for Temporal.
      for (const entity of new Set(events.map((e) => e.entity))) {
        workflows.startSync('applyInbox', { connector: name, entity }).catch((err: unknown) => console.error(`[webhooks] could not start applyInbox for ${name} ${entity}:`, err));
      }
      return c.json({ accepted, duplicates: events.length - accepted }, 202);
    }) as never,
  );
  return app;
}
