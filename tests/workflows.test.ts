// Workflow code: bundles without Node built-ins or connector code, replays committed histories,
// and its activity resumes a bulk run from the last heartbeat.
import fs from 'node:fs';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import type { ChangeCursor } from '../connectors/contract';
import { ConnectorError } from '../connectors/errors';
import { type BulkRunStore, createActivities, type SyncEngine } from '../workflows/activities';

describe('workflow code', () => {
  it('bundles for the Temporal sandbox with no Node built-ins and no connector code', () => {
    // The suite's global setup bundled WORKFLOWS_PATH with bundleWorkflowCode, which fails on any
    // Node built-in; here we check what went in.
    const code = fs.readFileSync(inject('workflowBundlePath'), 'utf8');
    expect(code).toContain('bulkUpsert');
    expect(code).not.toMatch(/connectors\//);
    expect(code).not.toMatch(/\/hub\//);
    expect(code).not.toMatch(/better-sqlite3|kysely|node:fs/);
  });

  it('replays every committed history without nondeterminism', async () => {
    const dir = new URL('./histories/', import.meta.url);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const history = JSON.parse(fs.readFileSync(new URL(file, dir), 'utf8'));
      await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, file)).resolves.toBeUndefined();
    }
  });
});

describe('applyBulkRun activity', () => {
  function fakeRuns(pages: number) {
    const applied: number[] = [];
    const store: BulkRunStore = {
      pageCount: async () => pages,
      applyPage: async (_runId, page) => {
        applied.push(page);
        return { applied: true };
      },
      finish: async () => ({ status: 'succeeded' }),
    };
    return { store, applied };
  }

  it('applies every page and heartbeats the next page after each', async () => {
    const { store, applied } = fakeRuns(4);
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    await env.run(createActivities({ bulkRuns: store }).applyBulkRun, 'run_x');
    expect(applied).toEqual([0, 1, 2, 3]);
    expect(beats).toEqual([{ nextPage: 1 }, { nextPage: 2 }, { nextPage: 3 }, { nextPage: 4 }]);
  });

  it('a retried attempt resumes at the page after its last heartbeat', async () => {
    const { store, applied } = fakeRuns(5);
    const env = new MockActivityEnvironment({ heartbeatDetails: { nextPage: 3 }, attempt: 2 });
    const result = await env.run(createActivities({ bulkRuns: store }).applyBulkRun, 'run_x');
    expect(applied).toEqual([3, 4]);
    expect(result).toEqual({ pages: 5, applied: 2 });
  });
});

describe('pollPages activity', () => {
  /** A source of `pages` pages of 3 records; each call is logged in order. */
  function fakeEngine(pages: number, options: { startAt?: number; stored?: ChangeCursor | null } = {}) {
    const log: string[] = [];
    let pending = 0;
    const cursorAt = (n: number): ChangeCursor => ({ sourceTime: `2026-01-01T00:00:0${n}Z`, externalId: String(n) });
    const engine = {
      loadCursor: async () => options.stored ?? null,
      pollPage: async (_c: string, _e: string, cursor: ChangeCursor | null) => {
        const n = cursor ? Number(cursor.externalId) + 1 : 1;
        log.push(`poll ${n}`);
        await new Promise((r) => setTimeout(r, 5));
        pending += 3;
        return { received: 3, appended: 3, next: cursorAt(n), more: n < pages };
      },
      applyInbox: async () => {
        const applied = Math.min(pending, 2);
        pending -= applied;
        log.push(`apply ${applied}`);
        return { applied, changed: applied, unchanged: 0, echoes: 0, parked: [], remaining: pending > 0 };
      },
      saveCursor: async (_c: string, _e: string, cursor: ChangeCursor | null, received: number) => {
        log.push(`save ${cursor?.externalId} ${received}`);
        return received === 0 ? { warning: 'nothing' } : {};
      },
    } as unknown as SyncEngine;
    return { engine, log };
  }

  it('applies every page before its cursor is saved, reads the next page meanwhile, and counts the whole poll in the last save', async () => {
    const { engine, log } = fakeEngine(3);
    const result = await new MockActivityEnvironment().run(createActivities({ bulkRuns: {} as BulkRunStore, sync: engine }).pollPages, 'odoo', 'product', 1, 4);
    expect(result).toEqual({ pages: 3, received: 9, processed: 9, changed: 9, parked: [], more: false });
    // Page n's cursor is saved only once nothing of it is pending; the last save carries 4 + 9 received.
    for (const n of [1, 2]) expect(log.indexOf(`save ${n} 3`)).toBeGreaterThan(log.indexOf(`poll ${n + 1}`));
    expect(log.at(-1)).toBe('save 3 13');
    const applied = log.filter((l) => l.startsWith('apply')).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
    expect(applied).toBe(9);
    expect(log.slice(0, 2)).toEqual(['poll 1', 'poll 2']);
  });

  it('starts from the stored cursor and hands back with more=true when the worker is stopping', async () => {
    const { engine, log } = fakeEngine(10, { stored: { sourceTime: '2026-01-01T00:00:04Z', externalId: '4' } });
    const stopping = AbortSignal.abort();
    const result = await new MockActivityEnvironment().run(createActivities({ bulkRuns: {} as BulkRunStore, sync: engine, stopping }).pollPages, 'odoo', 'product', 1, 0);
    expect(result).toMatchObject({ pages: 1, received: 3, more: true });
    expect(log[0]).toBe('poll 5');
    expect(log).toContain('save 5 3');
  });
});

describe('deliverOutbox activity', () => {
  /** An outbox of `batches` batches; `retryAt` makes that batch (0-based) leave rows pending with a transient error. */
  function fakeEngine(batches: number, retryAt?: number) {
    let calls = 0;
    const engine = {
      deliverOutbox: async () => {
        const n = calls++;
        const retry = n === retryAt ? new ConnectorError('retryable', 'Odoo answered 503') : undefined;
        return { delivered: retry ? 40 : 100, parked: n === 1 ? [7] : [], retry, remaining: n < batches - 1 };
      },
    } as unknown as SyncEngine;
    return { engine, calls: () => calls };
  }
  const deliver = (engine: SyncEngine, stopping?: AbortSignal) => new MockActivityEnvironment().run(createActivities({ bulkRuns: {} as BulkRunStore, sync: engine, stopping }).deliverOutbox, 'hubspot', 'product', 1);

  it('delivers batch after batch in one activity until the outbox is empty', async () => {
    const { engine, calls } = fakeEngine(5);
    expect(await deliver(engine)).toEqual({ delivered: 500, parked: [7], remaining: false });
    expect(calls()).toBe(5);
  });

  it('a transient error in the first batch fails the attempt, so Temporal retries with backoff', async () => {
    const { engine, calls } = fakeEngine(5, 0);
    await expect(deliver(engine)).rejects.toThrow(/503/);
    expect(calls()).toBe(1);
  });

  it('a transient error after delivered batches stops the loop and reports what was done, with rows remaining', async () => {
    const { engine, calls } = fakeEngine(5, 2);
    expect(await deliver(engine)).toEqual({ delivered: 240, parked: [7], remaining: true });
    expect(calls()).toBe(3);
  });

  it('hands back after one batch when the worker is stopping', async () => {
    const { engine, calls } = fakeEngine(5);
    expect(await deliver(engine, AbortSignal.abort())).toEqual({ delivered: 100, parked: [], remaining: true });
    expect(calls()).toBe(1);
  });
});
