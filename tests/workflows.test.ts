// Workflow code: bundles without Node built-ins or connector code, replays committed histories,
// and its activity resumes a bulk run from the last heartbeat.
import fs from 'node:fs';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { type BulkRunStore, createActivities } from '../workflows/activities';

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
