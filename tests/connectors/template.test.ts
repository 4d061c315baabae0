// The template connector against msw: exact list/create/update requests, per-record results, error
// kinds, and webhook signatures (valid, tampered, stale, rotated secret).
import fs from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, WebhookReceiver, WebhookRequest } from '../../connectors/contract';
import { ConnectorError } from '../../connectors/errors';
import { TemplateConfig, template } from '../../connectors/_template/index';
import { createTemplateWebhooks, signTemplateWebhook } from '../../connectors/_template/webhooks';
import { configTable } from './config-table';
import { failure } from '../support/connector-errors';

const BASE = 'https://api.example.com/v1';
const TOKEN = 'tok_live_0123456789abcdef';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function connect(overrides: Partial<TemplateConfig> = {}): Connector {
  return template.create(TemplateConfig.parse({ baseUrl: BASE, apiToken: TOKEN, ...overrides }));
}


describe('template connector (msw)', () => {
  it('the README documents every setting as the schema declares it', () => {
    const readme = fs.readFileSync(new URL('../../connectors/_template/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configTable(TemplateConfig));
  });

  it('lists changes with updated_after, after_id and limit, and pages on has_more', async () => {
    const seen: URL[] = [];
    server.use(
      http.get(`${BASE}/records`, ({ request }) => {
        const url = new URL(request.url);
        seen.push(url);
        expect(request.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
        if (!url.searchParams.has('after_id')) {
          return HttpResponse.json({ data: [{ id: 'r1', updated_at: '2026-03-01T10:00:00Z', name: 'One' }, { id: 'r2', updated_at: '2026-03-01T10:00:00Z', name: 'Two' }], has_more: true });
        }
        return HttpResponse.json({ data: [{ id: 'r3', updated_at: '2026-03-01T10:00:00Z', deleted: true }], has_more: false });
      }),
    );
    const source = connect().entities.record?.source;
    const first = await source?.listChanged(null, 2);
    expect(first).toMatchObject({ next: { sourceTime: '2026-03-01T10:00:00Z', externalId: 'r2' }, more: true });
    const second = await source?.listChanged(first?.next ?? null, 2);
    expect(second?.records).toEqual([{ externalId: 'r3', sourceTime: '2026-03-01T10:00:00Z', data: { id: 'r3', updated_at: '2026-03-01T10:00:00Z', deleted: true }, deleted: true }]);
    expect(seen.map((u) => `${u.pathname}?${u.searchParams}`)).toEqual(['/v1/records?limit=2', '/v1/records?limit=2&updated_after=2026-03-01T10%3A00%3A00Z&after_id=r2']);
  });

  it('creates with POST and the idempotency key, updates with PATCH, and reports a refused record alone', async () => {
    const seen: { method: string; path: string; key: string | null; body: unknown }[] = [];
    server.use(
      http.post(`${BASE}/records`, async ({ request }) => {
        const body = (await request.json()) as { name?: string };
        seen.push({ method: 'POST', path: new URL(request.url).pathname, key: request.headers.get('idempotency-key'), body });
        if (!body.name) return HttpResponse.json({ error: 'name is required' }, { status: 422 });
        return HttpResponse.json({ id: 'r9', updated_at: '2026-03-01T10:00:00Z', ...body }, { status: 201 });
      }),
      http.patch(`${BASE}/records/:id`, async ({ request, params }) => {
        seen.push({ method: 'PATCH', path: new URL(request.url).pathname, key: request.headers.get('idempotency-key'), body: await request.json() });
        if (params.id === 'gone') return HttpResponse.json({ error: 'no such record' }, { status: 404 });
        return HttpResponse.json({ id: params.id, updated_at: '2026-03-01T10:00:01Z' });
      }),
    );
    const results = await connect().entities.record?.sink?.upsert([
      { idempotencyKey: 'idem-1', canonicalId: 'cus_1', data: { name: 'New' } },
      { idempotencyKey: 'idem-2', canonicalId: 'cus_2', data: {} },
      { idempotencyKey: 'idem-3', canonicalId: 'cus_3', externalId: 'r5', data: { name: 'Changed' } },
      { idempotencyKey: 'idem-4', canonicalId: 'cus_4', externalId: 'gone', data: { name: 'Lost' } },
    ]);
    expect(results).toMatchObject([
      { ok: true, externalId: 'r9' },
      { ok: false, error: { kind: 'invalid', status: 422 } },
      { ok: true, externalId: 'r5' },
      { ok: false, error: { kind: 'not_found', status: 404 } },
    ]);
    expect(seen).toEqual([
      { method: 'POST', path: '/v1/records', key: 'idem-1', body: { name: 'New' } },
      { method: 'POST', path: '/v1/records', key: 'idem-2', body: {} },
      { method: 'PATCH', path: '/v1/records/r5', key: null, body: { name: 'Changed' } },
      { method: 'PATCH', path: '/v1/records/gone', key: null, body: { name: 'Lost' } },
    ]);
  });

  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [409, 'conflict'],
    [429, 'rate_limited'],
    [503, 'retryable'],
  ])('HTTP %i on check() is %s', async (status, kind) => {
    server.use(http.get(`${BASE}/records`, () => HttpResponse.json({ error: 'no' }, { status, headers: status === 429 ? { 'retry-after': '3' } : {} })));
    const err = await failure(connect().check());
    expect(err.kind).toBe(kind);
    if (status === 429) expect(err.retryAfterMs).toBe(3000);
  });

  it('refuses a loopback base URL unless private networks are allowed', () => {
    expect(() => connect({ baseUrl: 'http://127.0.0.1:9000' })).toThrow(ConnectorError);
    expect(() => connect({ baseUrl: 'http://127.0.0.1:9000', allowPrivateNetwork: true })).not.toThrow();
  });
});

describe('template webhooks', () => {
  const OLD = 'whsec_old_0123456789abcdef';
  const NEW = 'whsec_new_fedcba9876543210';
  const now = new Date('2026-03-01T10:00:00Z');
  const ts = Math.floor(now.getTime() / 1000);
  const body = JSON.stringify({ events: [{ id: 'evt_1', type: 'record.updated', record: { id: 'r1', updated_at: '2026-03-01T09:59:59Z', name: 'One' } }] });
  const url = 'https://qiao.example.com/webhooks/template';

  function request(rawBody: string, signature: string, timestamp: number = ts): WebhookRequest {
    return { rawBody, url, headers: { 'X-Template-Timestamp': String(timestamp), 'X-Template-Signature': signature } };
  }

  const receiver = (secrets: string[]): WebhookReceiver => createTemplateWebhooks({ secrets, toleranceSeconds: 300 });

  function refusal(webhooks: WebhookReceiver, req: WebhookRequest): ConnectorError {
    try {
      webhooks.verify(req, now);
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).kind).toBe('auth');
      return err as ConnectorError;
    }
    throw new Error('the webhook was accepted');
  }

  it('accepts a valid signature and parses the events', () => {
    const webhooks = receiver([NEW]);
    expect(() => webhooks.verify(request(body, signTemplateWebhook(NEW, ts, body)), now)).not.toThrow();
    expect(webhooks.parse(body)).toEqual([{ entity: 'record', eventKey: 'evt_1', externalId: 'r1', sourceTime: '2026-03-01T09:59:59Z', data: { id: 'r1', updated_at: '2026-03-01T09:59:59Z', name: 'One' } }]);
  });

  it('refuses a tampered body, a tampered timestamp and a missing signature', () => {
    const webhooks = receiver([NEW]);
    const signature = signTemplateWebhook(NEW, ts, body);
    refusal(webhooks, request(body.replace('One', 'Uno'), signature));
    refusal(webhooks, request(body, signature, ts - 1));
    refusal(webhooks, request(body, `${signature.slice(0, -1)}0`));
    refusal(webhooks, request(body, 'v1=short'));
    refusal(webhooks, { rawBody: body, url, headers: {} });
  });

  it('refuses a stale or future timestamp even when correctly signed', () => {
    const webhooks = receiver([NEW]);
    for (const t of [ts - 301, ts + 301]) expect(refusal(webhooks, request(body, signTemplateWebhook(NEW, t, body), t)).message).toMatch(/300 s/);
    const edge = ts - 300;
    expect(() => webhooks.verify(request(body, signTemplateWebhook(NEW, edge, body), edge), now)).not.toThrow();
  });

  it('during a rotation accepts both secrets; after it, only the new one', () => {
    const rotating = receiver([NEW, OLD]);
    expect(() => rotating.verify(request(body, signTemplateWebhook(OLD, ts, body)), now)).not.toThrow();
    expect(() => rotating.verify(request(body, signTemplateWebhook(NEW, ts, body)), now)).not.toThrow();
    // A provider that signs with both sends two signatures.
    expect(() => rotating.verify(request(body, `${signTemplateWebhook(OLD, ts, body)}, ${signTemplateWebhook(NEW, ts, body)}`), now)).not.toThrow();
    const rotated = receiver([NEW]);
    refusal(rotated, request(body, signTemplateWebhook(OLD, ts, body)));
  });

  it('marks deletions and refuses a body that is not the expected shape', () => {
    const webhooks = receiver([NEW]);
    const deleted = JSON.stringify({ events: [{ id: 'evt_2', type: 'record.deleted', record: { id: 'r1', updated_at: '2026-03-01T10:00:00Z' } }] });
    expect(webhooks.parse(deleted)[0]).toMatchObject({ externalId: 'r1', deleted: true });
    expect(() => webhooks.parse('{"events":[{"id":"e"}]}')).toThrow(ConnectorError);
    expect(() => webhooks.parse('not json')).toThrow(ConnectorError);
  });

  it('the connector has webhooks only when secrets are configured', () => {
    expect(connect().webhooks).toBeUndefined();
    expect(connect({ webhookSecrets: [NEW] }).webhooks).toBeDefined();
  });
});
