// A worker killed with SIGKILL in the middle of a bulk run: after a restart the run completes and
// every record is written exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../hub/app';
import { tokenTable } from '../hub/auth';
import type { Run } from '../hub/store/bulk';
import { connectWorkflows } from '../hub/temporal';
import { eventually, TOKENS } from './support/hub';
import { type QiaoProcess, spawnQiao } from './support/processes';
import { DIALECTS, freshStore } from './support/stores';
import { inject } from 'vitest';

const RECORDS = 10_000;
const PAGE = 25;

describe.each(DIALECTS)('worker killed during a bulk run, on %s', (dialect) => {
  const children: QiaoProcess[] = [];
  afterEach(() => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  });

  it('resumes after a restart and writes each record once', { timeout: 180_000 }, async () => {
    const store = await freshStore(dialect);
    const taskQueue = `restart-${dialect}-${Date.now()}`;
    const address = inject('temporalAddress');
    const workflows = await connectWorkflows({ address, namespace: 'default', taskQueue });
    try {
      const app = createApp({ store, workflows, tokens: tokenTable([TOKENS.admin]), bulkPageSize: PAGE });
      const env = { ...store.env, TEMPORAL_ADDRESS: address, QIAO_TASK_QUEUE: taskQueue };
      const first = spawnQiao('worker', env);
      children.push(first);
      await first.waitFor(/worker polling/);

      const records = Array.from({ length: RECORDS }, (_, i) => ({ number: `K-${i}`, name: `Killed ${i}` }));
      const res = await app.request('/v1/customers/bulk', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ records }),
      });
      expect(res.status).toBe(202);
      const { runId } = (await res.json()) as { runId: string };
      const progress = async () => {
        const row = await store.db.selectFrom('runs').select(['processed', 'status']).where('id', '=', runId).executeTakeFirstOrThrow();
        return { processed: Number(row.processed), status: row.status };
      };

      await eventually(async () => ((await progress()).processed >= RECORDS / 10 ? true : undefined), 60_000, 'the run to get going');
      first.child.kill('SIGKILL');
      await first.exited;
      const atKill = await progress();
      expect(atKill.processed, 'the run must still be under way when the worker dies').toBeLessThan(RECORDS);

      const second = spawnQiao('worker', env);
      children.push(second);
      await second.waitFor(/worker polling/);
      const run = await eventually(
        async () => {
          const r = await app.request(`/v1/runs/${runId}`, { headers: { authorization: `Bearer ${TOKENS.admin.token}` } });
          const body = (await r.json()) as Run;
          return body.status === 'running' || body.status === 'queued' ? undefined : body;
        },
        120_000,
        'the run to finish after the restart',
      );
      expect(run).toMatchObject({ status: 'succeeded', total: RECORDS, processed: RECORDS, created: RECORDS, rejected: 0 });
      const count = async (table: 'customers' | 'run_pages') =>
        Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count('customers')).toBe(RECORDS);
      expect(await count('run_pages')).toBe(RECORDS / PAGE);
      const creates = await store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'create').executeTakeFirstOrThrow();
      expect(Number(creates.n), 'one create per record, none twice').toBe(RECORDS);
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } finally {
      await workflows.close();
      await store.dispose();
    }
  });
});
