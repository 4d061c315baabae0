// Bulk upsert end to end: gateway → Temporal workflow → worker → store, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../hub/store/bulk';
import { createTestHub, eventually, type TestHub } from './support/hub';
import { DIALECTS } from './support/stores';

async function waitForRun(hub: TestHub, runId: string): Promise<Run> {
  return eventually(
    async () => {
      const run = (await (await hub.call('viewer', 'GET', `/v1/runs/${runId}`)).json()) as Run;
      return ['succeeded', 'partially_succeeded', 'failed'].includes(run.status) ? run : undefined;
    },
    60_000,
    `run ${runId} to finish`,
  );
}

describe.each(DIALECTS)('bulk upsert on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub(dialect, { bulkPageSize: 100 });
    await hub.startWorker();
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('answers 202 with a run id; the run reports each rejected record by index and reason', async () => {
    const records: unknown[] = Array.from({ length: 450 }, (_, i) => ({ number: `B-${i}`, name: `Bulk ${i}`, emails: [`b${i}@example.com`] }));
    records[3] = { number: 'B-3', name: 'Bad phone', phones: ['030 1234'] };
    records[250] = { name: 'No number' };
    records[449] = 'not an object';
    const res = await hub.call('admin', 'POST', '/v1/customers/bulk', { records });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    expect(res.headers.get('location')).toBe(`/v1/runs/${runId}`);
    const run = await waitForRun(hub, runId);
    expect(run).toMatchObject({ status: 'partially_succeeded', total: 450, processed: 450, created: 447, rejected: 3 });
    expect(run.rejections).toEqual([
      { index: 3, field: 'phones[0]', reason: 'must be an E.164 phone number like +4915112345678' },
      { index: 250, field: 'number', reason: 'is required: bulk upserts match records on number' },
      { index: 449, field: '(root)', reason: expect.stringContaining('object') },
    ]);
    const count = await hub.store.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(447);
  });

  it('sending the same records again writes nothing; a changed record is updated once', async () => {
    const records = Array.from({ length: 120 }, (_, i) => ({ sku: `SKU-${i}`, name: `Part ${i}`, stockLevels: [{ warehouse: 'WH1', onHand: String(i), asOf: '2026-11-26T10:00:00Z', source: 'import' }] }));
    const first = await waitForRun(hub, ((await (await hub.call('admin', 'POST', '/v1/products/bulk', { records })).json()) as { runId: string }).runId);
    expect(first).toMatchObject({ status: 'succeeded', created: 120, updated: 0 });
    const auditBefore = await hub.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('entity', '=', 'product').where('action', '!=', 'bulk_upsert').executeTakeFirstOrThrow();
    records[7] = { ...records[7]!, name: 'Part 7 (renamed)' };
    const second = await waitForRun(hub, ((await (await hub.call('admin', 'POST', '/v1/products/bulk', { records })).json()) as { runId: string }).runId);
    expect(second).toMatchObject({ status: 'succeeded', created: 0, updated: 1, unchanged: 119 });
    const auditAfter = await hub.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('entity', '=', 'product').where('action', '!=', 'bulk_upsert').executeTakeFirstOrThrow();
    expect(Number(auditAfter.n) - Number(auditBefore.n)).toBe(1);
    const p7 = (await (await hub.call('viewer', 'GET', '/v1/products/SKU-7')).json()) as { name: string; version: number; stockLevels: { onHand: string }[] };
    expect(p7).toMatchObject({ name: 'Part 7 (renamed)', version: 2, stockLevels: [{ onHand: '7' }] });
  });

  it('a run whose every record is rejected ends failed; an empty or oversized request is refused up front', async () => {
    const run = await waitForRun(hub, ((await (await hub.call('admin', 'POST', '/v1/customers/bulk', { records: [{ number: 'x' }, { number: 'y' }] })).json()) as { runId: string }).runId);
    expect(run).toMatchObject({ status: 'failed', rejected: 2, error: 'every record was rejected' });
    expect((await hub.call('admin', 'POST', '/v1/customers/bulk', { records: [] })).status).toBe(422);
    const tooMany = await hub.call('admin', 'POST', '/v1/customers/bulk', { records: Array.from({ length: 10_001 }, (_, i) => ({ number: `T${i}`, name: 'x' })) });
    expect(tooMany.status).toBe(422);
    expect(await tooMany.json()).toMatchObject({ errors: [{ field: 'records', message: 'must hold at most 10000 records' }] });
  });
});
