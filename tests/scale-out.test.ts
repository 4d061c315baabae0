// Scale-out: `qiao gateway` and `qiao worker` as separate processes against one Temporal and PostgreSQL.
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Run } from '../hub/store/bulk';
import { freePort } from '../ops/temporal-cli';
import { eventually } from './support/hub';
import { type QiaoProcess, spawnQiao } from './support/processes';
import { freshStore, type TestStore } from './support/stores';

const TOKEN = 'scale-out-admin-token-0123456789';

describe('qiao gateway + qiao worker on PostgreSQL', () => {
  const children: QiaoProcess[] = [];
  let store: TestStore | undefined;
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await store?.dispose();
  });

  it('refuses to run without TEMPORAL_ADDRESS rather than starting a private Temporal', async () => {
    const gateway = spawnQiao('gateway', { QIAO_PORT: '0' });
    children.push(gateway);
    expect((await gateway.exited).code).toBe(1);
    expect(gateway.output()).toContain('set TEMPORAL_ADDRESS');
  });

  it('serves the API from one process while workers in others run the workflows', { timeout: 120_000 }, async () => {
    store = await freshStore('postgres');
    const env = { ...store.env, TEMPORAL_ADDRESS: inject('temporalAddress'), QIAO_TASK_QUEUE: `scale-${Date.now()}`, QIAO_API_TOKENS: `${TOKEN}:admin:it` };
    const workers = [spawnQiao('worker', env), spawnQiao('worker', env)];
    const gateway = spawnQiao('gateway', { ...env, QIAO_PORT: String(await freePort()) });
    children.push(...workers, gateway);
    const [, url] = await gateway.waitFor(/gateway at (http:\/\/\S+)/);
    await Promise.all(workers.map((w) => w.waitFor(/worker polling/)));
    expect(gateway.output()).not.toContain('worker polling');
    expect((await fetch(`${url}/ready`)).status).toBe(200);

    const auth = { authorization: `Bearer ${TOKEN}` };
    const records = Array.from({ length: 3000 }, (_, i) => ({ sku: `SO-${i}`, name: `Scaled ${i}` }));
    const res = await fetch(`${url}/v1/products/bulk`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ records }) });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const run = await eventually(
      async () => {
        const r = (await (await fetch(`${url}/v1/runs/${runId}`, { headers: auth })).json()) as Run;
        return r.status === 'succeeded' || r.status === 'failed' || r.status === 'partially_succeeded' ? r : undefined;
      },
      60_000,
      'the run to finish',
    );
    expect(run).toMatchObject({ status: 'succeeded', created: 3000 });
    const count = await store.db.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3000);
    for (const child of [gateway, ...workers]) child.child.kill('SIGTERM');
    for (const child of [gateway, ...workers]) expect((await child.exited).code).toBe(0);
  });
});
