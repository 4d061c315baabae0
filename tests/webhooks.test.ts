// Webhooks into the inbox: verified on the raw body, deduped by event id, answered 202 at once, and
// applied asynchronously — with the template connector and a real Temporal dev server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTemplateWebhook } from '../connectors/_template/webhooks';
import { PROBLEM_JSON } from '../hub/middleware';
import { createTestHub, eventually, type TestHub } from './support/hub';

const NEW_SECRET = 'whsec_new_0123456789abcdef';
const OLD_SECRET = 'whsec_old_0123456789abcdef';

describe('POST /webhooks/:connector', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub('sqlite', { publicUrl: 'https://qiao.example.com' });
    await hub.startWorker();
    const res = await hub.call('admin', 'PUT', '/v1/connectors/acme', {
      type: 'template',
      // The API itself is never called here: the webhooks carry the records.
      config: { baseUrl: 'http://127.0.0.1:9/', apiToken: 'unused-token', webhookSecrets: [NEW_SECRET, OLD_SECRET], allowPrivateNetwork: true },
      entities: { record: { direction: 'in', pollSeconds: 86_400 } },
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });
  afterAll(async () => {
    await hub?.workflows.deleteSchedule({ connector: 'acme', entity: 'record' });
    await hub?.dispose();
  });

  function post(body: string, options: { secret?: string; at?: number; signatureFor?: string } = {}) {
    const at = options.at ?? Math.floor(Date.now() / 1000);
    const signature = signTemplateWebhook(options.secret ?? NEW_SECRET, at, options.signatureFor ?? body);
    return hub.call(null, 'POST', '/webhooks/acme', body, { 'x-template-timestamp': String(at), 'x-template-signature': signature });
  }

  const event = (id: string, record: Record<string, unknown>) => JSON.stringify({ events: [{ id, type: 'record.updated', record: { updated_at: '2026-11-26T09:00:00Z', ...record } }] });

  it('accepts a signed event with 202 and applies it asynchronously; the same event again is a duplicate', async () => {
    const body = event('evt_1', { id: 'r-1', name: 'Webhook GmbH', number: 'W-1', phone: '030 1234567' });
    const first = await post(body);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 1, duplicates: 0 });
    const again = await post(body);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 1 });
    const customer = await eventually(async () => {
      const page = (await (await hub.call('viewer', 'GET', '/v1/customers?number=W-1')).json()) as { items: { name: string; phones: string[] }[] };
      return page.items[0];
    }, 20_000, 'the webhook customer');
    expect(customer).toMatchObject({ name: 'Webhook GmbH', phones: ['+49301234567'] });
    const inbox = await hub.store.db.selectFrom('inbox').select(['event_key', 'status']).where('connector', '=', 'acme').execute();
    expect(inbox).toEqual([{ event_key: 'evt_1', status: 'applied' }]);
  });

  it('refuses a tampered body, a stale timestamp and an unknown secret with 401, storing nothing', async () => {
    const body = event('evt_bad', { id: 'r-9', name: 'Tampered' });
    const tampered = await post(body, { signatureFor: event('evt_bad', { id: 'r-9', name: 'Original' }) });
    expect(tampered.status).toBe(401);
    expect(tampered.headers.get('content-type')).toBe(PROBLEM_JSON);
    expect((await post(body, { at: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await post(body, { secret: 'whsec_someone_else_0123' })).status).toBe(401);
    const stored = await hub.store.db.selectFrom('inbox').select('id').where('event_key', '=', 'evt_bad').execute();
    expect(stored).toEqual([]);
  });

  it('accepts the old secret during a rotation', async () => {
    const res = await post(event('evt_rot', { id: 'r-2', name: 'Rotated AG' }), { secret: OLD_SECRET });
    expect(res.status).toBe(202);
  });

  it('is a 404 for a connector that does not exist or takes no webhooks', async () => {
    const res = await hub.call(null, 'POST', '/webhooks/nobody', '{}');
    expect(res.status).toBe(404);
  });
});
