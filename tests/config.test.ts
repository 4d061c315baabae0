// Configuration and API tokens: bad values are named, a first start gets a usable admin token.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actorForToken, loadTokens, parseTokenList } from '../hub/auth';
import { configTable, loadConfig } from '../hub/config';

describe('configuration', () => {
  it('the README documents every setting as the schema declares it', () => {
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configTable());
  });

  it('has defaults for the embedded default and names a bad variable', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ QIAO_PORT: 8080, QIAO_DATA_DIR: './data', TEMPORAL_NAMESPACE: 'default' });
    expect(config.sqlitePath).toBe(path.resolve('data/qiao.db'));
    expect(() => loadConfig({ QIAO_PORT: 'eighty' })).toThrow(/QIAO_PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
  });

  it('parses tokens from the environment and names a bad entry', () => {
    expect(parseTokenList('abcdefghijklmnop1:sales:sam, qrstuvwxyz0123456:viewer')).toEqual([
      { token: 'abcdefghijklmnop1', role: 'sales', name: 'sam' },
      { token: 'qrstuvwxyz0123456', role: 'viewer', name: 'token-2' },
    ]);
    expect(() => parseTokenList('abcdefghijklmnop1:root:x')).toThrow(/entry 1: role/);
    expect(() => parseTokenList('short:admin:x')).toThrow(/entry 1: token must be at least 16 characters/);
  });

  it('creates one admin token on a first start with none configured, and reads it back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-tokens-'));
    const config = loadConfig({ QIAO_DATA_DIR: dir });
    const first = loadTokens(config, { createIfMissing: true });
    expect(first.created?.role).toBe('admin');
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    const again = loadTokens(config, { createIfMissing: true });
    expect(again.created).toBeUndefined();
    expect(actorForToken(again.table, first.created!.token)).toEqual({ name: 'admin', role: 'admin' });
    expect(actorForToken(again.table, 'wrong')).toBeUndefined();
  });
});
