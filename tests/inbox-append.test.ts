// The webhook endpoint's inbox appends: concurrent callers share one commit, each learns how many of
// its own events were new, and one caller's bad event does not cost the others theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../connectors/contract';
import { appendToInboxGrouped } from '../hub/sync/poll';
import { DIALECTS, freshStore, type TestStore } from './support/stores';

const event = (key: string, extra: Partial<ChangeEvent> = {}): ChangeEvent => ({ entity: 'record', eventKey: key, externalId: `r-${key}`, sourceTime: '2026-11-26T10:00:00Z', data: { id: key }, ...extra });

describe.each(DIALECTS)('grouped inbox appends on %s', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await freshStore(dialect);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const keys = async () => (await store.db.selectFrom('inbox').select('event_key').orderBy('id').execute()).map((r) => r.event_key);

  it('counts each caller’s new events; an event already stored, or sent by another caller first, is a duplicate', async () => {
    await appendToInboxGrouped(store.db, 'hooks', [event('a-0')]);
    const calls = Array.from({ length: 20 }, (_, i) => appendToInboxGrouped(store.db, 'hooks', [event(`a-${i}`), event(`b-${i}`), event('shared')]));
    const counts = await Promise.all(calls);
    // a-0 was stored before; `shared` is new for exactly one caller.
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(19 + 20 + 1);
    expect(counts[0]).toBeLessThanOrEqual(2);
    expect(new Set(await keys()).size).toBe((await keys()).length);
    expect((await keys()).length).toBe(41);
  });

  it('a caller whose event cannot be stored gets the error; the callers written with it keep theirs', async () => {
    const before = (await keys()).length;
    const good = [appendToInboxGrouped(store.db, 'hooks', [event('c-1')]), appendToInboxGrouped(store.db, 'hooks', [event('c-2')])];
    // An event without an external id breaks the NOT NULL constraint of the shared transaction.
    const bad = appendToInboxGrouped(store.db, 'hooks', [event('c-bad', { externalId: null as unknown as string })]);
    const late = appendToInboxGrouped(store.db, 'hooks', [event('c-3')]);
    await expect(bad).rejects.toThrow(/external_id|NOT NULL|null value/i);
    expect(await Promise.all([...good, late])).toEqual([1, 1, 1]);
    const stored = await keys();
    expect(stored.length).toBe(before + 3);
    expect(stored).not.toContain('c-bad');
  });
});
