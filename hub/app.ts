// The Hono gateway: health, the CRM core API under /v1, and its OpenAPI 3.1 document.
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { ContactInput, ContactPatch, Contact, Customer, CustomerInput, CustomerPatch, Order, OrderInput, OrderPatch, Product, ProductInput, ProductPatch, ProductionOrder, ProductionOrderInput, ProductionOrderPatch } from '../mappings/canonical';
import { WRITE_ROLES } from './auth';
import type { AppDeps, AppEnv } from './env';
import { idempotencyKeys, onError, problemResponse, requireToken } from './middleware';
import { Problem } from './problem';
import { validationHook } from './routes/openapi';
import { conflictRoutes } from './routes/conflicts';
import { resourceRoutes } from './routes/resources';
import { runRoutes } from './routes/runs';
import { contacts, customers, orders, productionOrders, products } from './store/resources';
import { createConnectorPool } from './sync/connectors';
import { syncRoutes } from './routes/sync';
import { webhookRoutes } from './routes/webhooks';

/**
 * Builds the gateway over its dependencies; no I/O until a request comes.
 * @example serve({ fetch: createApp({ store, workflows, tokens }).fetch, port: 8080 })
 */
export function createApp(given: AppDeps): OpenAPIHono<AppEnv> {
  const deps = { ...given, connectors: given.connectors ?? createConnectorPool(), publicUrl: given.publicUrl ?? 'http://127.0.0.1:8080' };
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound((c) => problemResponse(c, new Problem(404, 'Not found', `no route ${c.req.method} ${c.req.path}`)));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', async (c) => {
    const checks = await Promise.all([
      deps.store.ping().then(() => ({ name: 'database', ok: true }), (e: unknown) => ({ name: 'database', ok: false, error: String(e) })),
      deps.workflows.ping().then(() => ({ name: 'temporal', ok: true }), (e: unknown) => ({ name: 'temporal', ok: false, error: String(e) })),
    ]);
    const ready = checks.every((x) => x.ok);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });

  app.use('/v1/*', requireToken());
  app.use('/v1/*', async (c, next) => {
    if (c.req.path.endsWith('/bulk')) return next();
    return bodyLimit({ maxSize: 1024 * 1024, onError: () => { throw new Problem(413, 'Payload too large', 'a request body may be at most 1 MiB; use the bulk endpoints for more'); } })(c, next);
  });
  app.use('/v1/*', idempotencyKeys());

  app.route('/v1/customers', resourceRoutes({
    plural: 'customers', name: 'Customer', records: customers,
    schemas: { record: Customer, input: CustomerInput, patch: CustomerPatch },
    writeRoles: WRITE_ROLES.customer,
    bulk: { entity: 'customer', key: 'number', roles: WRITE_ROLES.bulk },
  }));
  app.route('/v1/contacts', resourceRoutes({
    plural: 'contacts', name: 'Contact', records: contacts,
    schemas: { record: Contact, input: ContactInput, patch: ContactPatch },
    writeRoles: WRITE_ROLES.contact,
  }));
  app.route('/v1/products', resourceRoutes({
    plural: 'products', name: 'Product', records: products,
    schemas: { record: Product, input: ProductInput, patch: ProductPatch },
    writeRoles: WRITE_ROLES.product,
    bulk: { entity: 'product', key: 'sku', roles: WRITE_ROLES.bulk },
  }));
  app.route('/v1/orders', resourceRoutes({
    plural: 'orders', name: 'Order', records: orders,
    schemas: { record: Order, input: OrderInput, patch: OrderPatch },
    writeRoles: WRITE_ROLES.order,
  }));
  app.route('/v1/production-orders', resourceRoutes({
    plural: 'production-orders', name: 'ProductionOrder', records: productionOrders,
    schemas: { record: ProductionOrder, input: ProductionOrderInput, patch: ProductionOrderPatch },
    writeRoles: WRITE_ROLES.production_order,
  }));
  app.route('/v1/conflicts', conflictRoutes());
  app.route('/v1/runs', runRoutes());
  app.route('/v1', syncRoutes());
  app.route('/webhooks', webhookRoutes());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API token from QIAO_API_TOKENS or the tokens file.' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Qiao', version: '0.1.0', description: 'The CRM core of the Qiao integration hub. Errors are RFC 9457 problem documents.' },
    security: [{ bearer: [] }],
  });
  return app;
}
