// `qiao start` on its embedded default: one command runs Temporal, worker and gateway under a data
// folder; SIGTERM stops everything, and a restart finishes the work that was under way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Run } from '../hub/store/bulk';
import { freePort, isProcessAlive as alive } from '../ops/temporal-cli';
import { eventually } from './support/hub';
import { type QiaoProcess, spawnQiao } from './support/processes';

const TOKEN = 'embedded-admin-token-0123456789';
const RECORDS = 10_000;

describe('qiao start (embedded default)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-embedded-'));
  const children: QiaoProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    // A Qiao killed here leaves its dev server behind (the next start would stop it): stop it now.
    const pidFile = path.join(dir, 'temporal.db.pid');
    if (fs.existsSync(pidFile)) {
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops cleanly on SIGTERM, leaves no temporal process, and resumes the run after a restart', { timeout: 240_000 }, async () => {
    const env = {
      QIAO_DATA_DIR: dir,
      QIAO_PORT: String(await freePort()),
      QIAO_TEMPORAL_PORT: String(await freePort()),
      QIAO_TEMPORAL_UI_PORT: String(await freePort()),
      QIAO_API_TOKENS: `${TOKEN}:admin:it`,
      // One record per page: the run takes seconds, so the stop lands in the middle of it.
      QIAO_BULK_PAGE_SIZE: '1',
    };
    const auth = { authorization: `Bearer ${TOKEN}` };
    const first = spawnQiao('start', env);
    children.push(first);
    const [, url] = await first.waitFor(/gateway at (http:\/\/\S+)/);
    expect(fs.existsSync(path.join(dir, 'qiao.db'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'temporal.db'))).toBe(true);
    const temporalPid = Number(fs.readFileSync(path.join(dir, 'temporal.db.pid'), 'utf8'));
    expect(alive(temporalPid)).toBe(true);
    expect((await fetch(`${url}/ready`)).status).toBe(200);

    const records = Array.from({ length: RECORDS }, (_, i) => ({ number: `E-${i}`, name: `Embedded ${i}` }));
    const accepted = await fetch(`${url}/v1/customers/bulk`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ records }) });
    expect(accepted.status).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    const runAt = async (base: string) => (await (await fetch(`${base}/v1/runs/${runId}`, { headers: auth })).json()) as Run;
    await eventually(async () => ((await runAt(url!)).processed >= 100 ? true : undefined), 60_000, 'the run to get going');

    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(first.output()).toContain('[qiao] stopped');
    expect(alive(temporalPid), 'the Temporal dev server must stop with Qiao').toBe(false);

    const second = spawnQiao('start', env);
    children.push(second);
    const [, url2] = await second.waitFor(/gateway at (http:\/\/\S+)/);
    const beforeRestart = await runAt(url2!);
    expect(beforeRestart.processed, 'the run must have been cut short by the stop').toBeLessThan(RECORDS);
    const run = await eventually(
      async () => {
        const r = await runAt(url2!);
        return r.status === 'running' || r.status === 'queued' ? undefined : r;
      },
      120_000,
      'the run to finish after the restart',
    );
    expect(run).toMatchObject({ status: 'succeeded', processed: RECORDS, created: RECORDS });
    const list = (await (await fetch(`${url2}/v1/customers?number=E-9999`, { headers: auth })).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    // Nothing half-written and nothing twice: one row and one audit entry per record.
    const db = new SQLite(path.join(dir, 'qiao.db'), { readonly: true });
    expect(db.prepare('select count(*) as n from customers').get()).toEqual({ n: RECORDS });
    expect(db.prepare("select count(*) as n from audit_log where action = 'create'").get()).toEqual({ n: RECORDS });
    db.close();
  });
});
