// The sync engine end to end: the Odoo sandbox ↔ the CRM core through a real Temporal dev server.
import { afterEach, describe, expect, it } from 'vitest';
import { type OdooSandbox, startOdooSandbox } from '../ops/sandboxes/odoo';
import { createTestHub, eventually, type TestHub } from './support/hub';

const KEY = 'sandbox-api-key-0123456789';
process.env.QIAO_TEST_ODOO_KEY = KEY;

interface Setup {
  odoo: OdooSandbox;
  hub: TestHub;
}

const open: Setup[] = [];

async function setup(
  options: { fetch?: typeof fetch; seed?: Parameters<typeof startOdooSandbox>[0]['seed']; prepare?: (odoo: OdooSandbox) => void; entities?: Record<string, { direction: string; pollSeconds: number }> } = {},
): Promise<Setup> {
  const odoo = await startOdooSandbox({ apiKey: KEY, database: 'qiao', login: 'admin', seed: options.seed });
  options.prepare?.(odoo);
  const hub = await createTestHub('sqlite', { fetch: options.fetch });
  open.push({ odoo, hub });
  await hub.startWorker();
  const res = await hub.call('admin', 'PUT', '/v1/connectors/odoo', {
    type: 'odoo',
    config: { url: odoo.url, database: 'qiao', apiKey: 'env:QIAO_TEST_ODOO_KEY', allowPrivateNetwork: true },
    entities: options.entities ?? { customer: { direction: 'both', pollSeconds: 1 }, product: { direction: 'in', pollSeconds: 1 }, stock_level: { direction: 'in', pollSeconds: 1 } },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return { odoo, hub };
}

afterEach(async () => {
  for (const { odoo, hub } of open.splice(0)) {
    for (const entity of ['customer', 'product', 'stock_level', 'contact']) await hub.workflows.deleteSchedule({ connector: 'odoo', entity });
    await hub.dispose();
    await odoo.stop();
  }
});

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

describe('Odoo ↔ CRM core', () => {
  it('a stock change in Odoo shows on the product with its as-of time within one poll interval', async () => {
    const { odoo, hub } = await setup({
      seed: { products: [{ default_code: 'BOLT-M8', name: 'Bolt M8', list_price: 1.2 }], stock: [{ sku: 'BOLT-M8', warehouse: 'WH', quantity: 500, reserved: 20 }] },
    });
    type P = { name: string; listPrice?: { amount: number }; stockLevels: { warehouse: string; onHand: string; available: string; asOf: string; source: string }[] };
    const first = await eventually(async () => {
      const res = await hub.call('sales', 'GET', '/v1/products/BOLT-M8');
      const p = res.status === 200 ? await json<P>(res) : undefined;
      return p?.stockLevels[0]?.onHand === '500' && p.listPrice ? p : undefined;
    }, 60_000, 'the first stock figures');
    expect(first).toMatchObject({ name: 'Bolt M8', listPrice: { amount: 120 }, stockLevels: [{ warehouse: 'WH', onHand: '500', available: '480', source: 'odoo' }] });

    await new Promise((r) => setTimeout(r, 1100)); // a later write_date (Odoo has second precision)
    odoo.setStock('BOLT-M8', 'WH', { quantity: 450, reserved: 20 });
    const quant = odoo.records('stock.quant', { fields: ['write_date'] })[0] as { write_date: string };
    // One poll interval (1 s) plus the time to run the poll: the bound is the test's timeout, not a benchmark.
    const after = await eventually(async () => {
      const p = await json<P>(hub.call('sales', 'GET', '/v1/products/BOLT-M8'));
      return p.stockLevels[0]?.onHand === '450' ? p : undefined;
    }, 4_000, 'the changed stock');
    expect(Date.parse(after.stockLevels[0]?.asOf ?? '')).toBe(Date.parse(`${quant.write_date.replace(' ', 'T')}Z`));
    expect(after.stockLevels[0]?.available).toBe('430');
  });

  it('a customer created in the CRM core appears in Odoo once, even when the answer to the create is lost; its echo changes nothing', async () => {
    let lost = 0;
    const dropFirstCreateAnswer: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/json/2/res.partner/create') && lost === 0) {
        lost++;
        throw new TypeError('fetch failed: the connection closed before the answer arrived');
      }
      return res;
    };
    const { odoo, hub } = await setup({ fetch: dropFirstCreateAnswer });
    const created = await json<{ id: string; version: number }>(hub.call('sales', 'POST', '/v1/customers', { name: 'Neue Kunde GmbH', emails: ['info@neue.example'], phones: ['+4930123456'] }));
    const link = await eventually(
      () => hub.store.db.selectFrom('links').selectAll().where('canonical_id', '=', created.id).executeTakeFirst(),
      60_000,
      'the customer to be linked to its Odoo partner',
    );
    expect(lost).toBe(1);
    const partners = odoo.records('res.partner', { domain: [['ref', '=', created.id]], fields: ['name', 'email', 'phone'] });
    expect(partners).toHaveLength(1);
    expect(partners[0]).toMatchObject({ name: 'Neue Kunde GmbH', email: 'info@neue.example' });
    expect(odoo.requests.filter((r) => r.model === 'res.partner' && r.method === 'create')).toHaveLength(1);
    expect(String(partners[0]?.id)).toBe(link.external_id);

    // The poll brings the partner back: that echo must not change the customer nor queue a write.
    const echo = await eventually(
      () => hub.store.db.selectFrom('inbox').selectAll().where('external_id', '=', link.external_id).where('status', '!=', 'pending').executeTakeFirst(),
      10_000,
      'the poll to see the partner Qiao wrote',
    );
    expect(['echo', 'applied']).toContain(echo.status);
    const now = await json<{ version: number }>(hub.call('viewer', 'GET', `/v1/customers/${created.id}`));
    expect(now.version).toBe(1);
    const outbox = await hub.store.db.selectFrom('outbox').select('status').where('canonical_id', '=', created.id).execute();
    expect(outbox).toEqual([{ status: 'done' }]);
  });

  it('a change to fields Odoo does not take is not written to Odoo; a change to one it takes is', async () => {
    const { odoo, hub } = await setup();
    const created = await json<{ id: string }>(hub.call('sales', 'POST', '/v1/customers', { name: 'Quiet GmbH' }));
    await eventually(() => hub.store.db.selectFrom('outbox').select('id').where('canonical_id', '=', created.id).where('status', '=', 'done').executeTakeFirst(), 60_000, 'the customer to be delivered');
    // v1 of the Odoo customer mapping has no website: nothing for Odoo in this change.
    await hub.call('sales', 'PATCH', `/v1/customers/${created.id}`, { website: 'https://quiet.example' });
    const skipped = await eventually(
      () => hub.store.db.selectFrom('outbox').select(['status', 'error']).where('canonical_id', '=', created.id).where('error', '=', 'unchanged for this target').executeTakeFirst(),
      60_000,
      'the website change to be settled without a call',
    );
    expect(skipped.status).toBe('done');
    expect(odoo.requests.filter((r) => r.model === 'res.partner' && r.method === 'write')).toHaveLength(0);
    await hub.call('sales', 'PATCH', `/v1/customers/${created.id}`, { name: 'Quiet & Sons GmbH' });
    await eventually(async () => odoo.requests.find((r) => r.model === 'res.partner' && r.method === 'write'), 60_000, 'the name change to be written to Odoo');
    expect(odoo.records('res.partner', { domain: [['ref', '=', created.id]], fields: ['name'] })).toEqual([expect.objectContaining({ name: 'Quiet & Sons GmbH' })]);
  });

  it('publishing customer mapping v2 with a new field and re-applying it updates the records, with a ledger entry per record at v2', async () => {
    const { hub } = await setup({
      seed: {
        customers: [
          { name: 'Acme GmbH', is_company: true, email: 'info@acme.example', website: 'https://acme.example' },
          { name: 'Globex AG', is_company: true, email: 'hello@globex.example', website: 'https://globex.example' },
        ],
      },
      entities: { customer: { direction: 'in', pollSeconds: 1 } },
    });
    type C = { id: string; name: string; website?: string };
    // Odoo's own partners (the company, its users) come along; the test follows the two it seeded.
    const seeded = (items: C[]) => items.filter((c) => c.name === 'Acme GmbH' || c.name === 'Globex AG');
    const list = await eventually(async () => {
      const page = await json<{ items: C[] }>(hub.call('viewer', 'GET', '/v1/customers'));
      return seeded(page.items).length === 2 ? seeded(page.items) : undefined;
    }, 60_000, 'both customers from Odoo');
    expect(list.every((c) => c.website === undefined)).toBe(true);

    const v1 = await json<{ fields: unknown[] } & Record<string, unknown>>(hub.call('admin', 'GET', '/v1/mappings/odoo/customer/versions/1'));
    const { connector: _c, entity: _e, version: _v, ...definition } = v1;
    const draft = await hub.call('admin', 'POST', '/v1/mappings/odoo/customer/versions', {
      ...definition,
      description: 'v1 plus the web site',
      fields: [...v1.fields, { canonical: 'website', external: 'website', direction: 'both', transform: [{ name: 'falseToEmpty' }, { name: 'trim' }] }],
    });
    expect(draft.status, await draft.clone().text()).toBe(201);
    expect(await draft.json()).toMatchObject({ version: 2 });

    const preview = await json<{ records: { changes: { field: string; after: unknown }[] }[] }>(hub.call('admin', 'POST', '/v1/mappings/odoo/customer/versions/2/preview'));
    expect(preview.records.map((r) => r.changes)).toContainEqual([{ field: 'website', before: undefined, after: 'https://acme.example' }]);

    expect((await hub.call('admin', 'POST', '/v1/mappings/odoo/customer/versions/2/publish')).status).toBe(200);
    expect((await hub.call('admin', 'POST', '/v1/mappings/odoo/customer/reapply', {})).status).toBe(202);
    const updated = await eventually(async () => {
      const page = await json<{ items: C[] }>(hub.call('viewer', 'GET', '/v1/customers'));
      return seeded(page.items).every((c) => c.website) ? seeded(page.items) : undefined;
    }, 60_000, 'the re-apply to add the web sites');
    expect(updated.map((c) => c.website).sort()).toEqual(['https://acme.example', 'https://globex.example']);
    for (const c of updated) {
      const ledger = await hub.store.db.selectFrom('ledger').selectAll().where('canonical_id', '=', c.id).where('mapping_version', '=', 2).execute();
      expect(ledger).toHaveLength(1);
      expect(JSON.parse(ledger[0]?.changes ?? '[]')).toEqual([{ field: 'website', before: undefined, after: c.website }]);
    }
  });

  it('a record Odoo rejects is parked with the reason and replays once the mapping is fixed', async () => {
    const { odoo, hub } = await setup({ entities: { customer: { direction: 'both', pollSeconds: 1 } } });
    odoo.rejectWhen('res.partner', (vals) => typeof vals.vat === 'string' && /\s/.test(vals.vat), 'The VAT number "%s" is not valid: remove the spaces');
    const created = await json<{ id: string }>(hub.call('sales', 'POST', '/v1/customers', { name: 'Spaced VAT GmbH', taxId: 'DE 123 456 789' }));
    type DL = { id: number; direction: string; errorKind: string; reason: string; canonicalId: string };
    const letter = await eventually(async () => (await json<{ items: DL[] }>(hub.call('admin', 'GET', '/v1/dead-letters?connector=odoo'))).items[0], 60_000, 'the dead letter');
    expect(letter).toMatchObject({ direction: 'out', errorKind: 'invalid', canonicalId: created.id });
    expect(letter.reason).toContain('remove the spaces');
    expect(odoo.records('res.partner', { domain: [['ref', '=', created.id]] })).toHaveLength(0);

    // The fix: stop writing the VAT number to Odoo (v2), then replay with the current mapping.
    const v1 = await json<{ fields: { canonical: string; direction: string }[] } & Record<string, unknown>>(hub.call('admin', 'GET', '/v1/mappings/odoo/customer/versions/1'));
    const { connector: _c, entity: _e, version: _v, ...definition } = v1;
    const fields = v1.fields.map((f) => (f.canonical === 'taxId' ? { ...f, direction: 'in' } : f));
    expect((await hub.call('admin', 'POST', '/v1/mappings/odoo/customer/versions', { ...definition, fields })).status).toBe(201);
    expect((await hub.call('admin', 'POST', '/v1/mappings/odoo/customer/versions/2/publish')).status).toBe(200);
    const replay = await hub.call('admin', 'POST', '/v1/dead-letters/replay', { id: letter.id, mappingVersion: 'current' });
    expect(replay.status).toBe(202);
    await eventually(async () => (odoo.records('res.partner', { domain: [['ref', '=', created.id]] }).length === 1 ? true : undefined), 60_000, 'the replayed partner');
    expect((await json<{ items: DL[] }>(hub.call('admin', 'GET', '/v1/dead-letters?connector=odoo'))).items).toEqual([]);

    // The trace shows the story: the parked delivery and the one that succeeded.
    const trace = await json<{ matches: { deliveries: { status: string; mappingVersion: number | null }[]; deadLetters: { status: string }[] }[] }>(hub.call('viewer', 'GET', `/v1/trace?key=${created.id}`));
    expect(trace.matches[0]?.deliveries.map((d) => d.status)).toEqual(['dead', 'done']);
    expect(trace.matches[0]?.deadLetters).toMatchObject([{ status: 'replayed' }]);
  });
});

describe('polling', () => {
  it('pages through many records changed in the same second without losing or repeating one', async () => {
    const { hub } = await setup({
      entities: { customer: { direction: 'in', pollSeconds: 1 } },
      prepare(sandbox) {
        // Odoo's write_date has second precision: 450 partners written in one second tie on the cursor field.
        sandbox.setClock('2026-11-26T08:00:00Z');
        sandbox.seed({ customers: Array.from({ length: 450 }, (_, i) => ({ name: `Tied ${String(i).padStart(3, '0')}`, is_company: true })) });
        sandbox.setClock(null);
      },
    });
    const tied = async () => Number((await hub.store.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('name', 'like', 'Tied %').executeTakeFirstOrThrow()).n);
    await eventually(async () => ((await tied()) === 450 ? true : undefined), 60_000, '450 tied customers');
    // Each partner came exactly once: one inbox event per external id, all applied.
    const events = await hub.store.db.selectFrom('inbox').select(['external_id', 'status']).execute();
    expect(new Set(events.map((e) => e.external_id)).size).toBe(events.length);
    expect(events.filter((e) => e.status !== 'applied')).toEqual([]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await tied()).toBe(450);
  });

  it('a poll that returns nothing where the last ten returned many is flagged, not silently green', async () => {
    const { hub } = await setup({ entities: { customer: { direction: 'in', pollSeconds: 3600 } } });
    const { saveCursor } = await import('../hub/sync/poll');
    const cursor = { sourceTime: '2026-11-26T08:00:00.000Z', externalId: '9' };
    for (let i = 0; i < 10; i++) expect(await saveCursor(hub.store.db, 'odoo', 'customer', cursor, 50)).toEqual({ warning: undefined });
    const flagged = await saveCursor(hub.store.db, 'odoo', 'customer', cursor, 0);
    expect(flagged.warning).toMatch(/expectation not met: odoo customer returned no records, where each of the last 10 polls returned 50 or more/);
    expect(await saveCursor(hub.store.db, 'odoo', 'customer', cursor, 0)).toEqual({ warning: undefined });
  });

  it('a revoked API key shows as an auth error on the connector, not as silent retries, and clears once fixed', async () => {
    const { odoo, hub } = await setup({ entities: { customer: { direction: 'in', pollSeconds: 1 } } });
    type Health = { items: { name: string; health: { lastError: { kind: string; message: string } | null } }[] };
    odoo.setApiKey('a-new-key-the-connector-does-not-have');
    const broken = await eventually(async () => {
      const list = await json<Health>(hub.call('admin', 'GET', '/v1/connectors'));
      return list.items[0]?.health.lastError ?? undefined;
    }, 15_000, 'the auth error on the connector');
    expect(broken.kind).toBe('auth');
    expect(broken.message).not.toContain(KEY);
    const failed = await eventually(async () => {
      const runs = await json<{ items: { status: string; error: string }[] }>(hub.call('admin', 'GET', '/v1/runs?kind=poll&entity=odoo/customer'));
      return runs.items.find((r) => r.status === 'failed');
    }, 15_000, 'the failed poll run');
    expect(failed.error).toMatch(/auth|401|Access/i);
    odoo.setApiKey(KEY);
    await eventually(async () => ((await json<Health>(hub.call('admin', 'GET', '/v1/connectors'))).items[0]?.health.lastError === null ? true : undefined), 15_000, 'the error to clear');
  });

  it('contacts arrive linked to their customer, whichever of the two entities syncs first', async () => {
    const { hub } = await setup({
      seed: { customers: [{ name: 'Parent GmbH', is_company: true, contacts: [{ name: 'Petra Person', email: 'petra@parent.example', function: 'Buyer' }] }] },
      entities: { contact: { direction: 'in', pollSeconds: 1 }, customer: { direction: 'in', pollSeconds: 2 } },
    });
    type C = { id: string; name: string };
    const contact = await eventually(
      async () => (await json<{ items: { name: string; customerId: string; email?: string; title?: string }[] }>(hub.call('viewer', 'GET', '/v1/contacts'))).items[0],
      60_000,
      'the contact',
    );
    const parent = (await json<{ items: C[] }>(hub.call('viewer', 'GET', '/v1/customers'))).items.find((c) => c.name === 'Parent GmbH');
    expect(contact).toMatchObject({ name: 'Petra Person', email: 'petra@parent.example', title: 'Buyer', customerId: parent?.id });
    const parked = await json<{ items: unknown[] }>(hub.call('admin', 'GET', '/v1/dead-letters'));
    expect(parked.items).toEqual([]);
  });
});
