// API tokens and roles: who may read, who may write what.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Role } from '../mappings/canonical';
import type { Config } from './config';
import type { Actor } from './store/records';

/** Roles allowed to change each kind of resource; every role may read. */
export const WRITE_ROLES = {
  customer: ['admin', 'sales'],
  contact: ['admin', 'sales'],
  // Products and stock normally come from the ERP; IT corrects them by hand.
  product: ['admin'],
  // Finance moves orders to invoiced and paid.
  order: ['admin', 'sales', 'finance'],
  // Production orders are planned by Qiao and run by the ERP; IT corrects them by hand.
  production_order: ['admin'],
  bulk: ['admin'],
  // Connectors, mappings and replays are IT's.
  sync: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

const TokenEntry = z.object({
  token: z.string().min(16, 'must be at least 16 characters'),
  role: Role,
  name: z.string().min(1).max(64),
});
const TokenFile = z.array(TokenEntry);
export type TokenEntry = z.infer<typeof TokenEntry>;

/** Tokens are kept by their SHA-256, so lookups do not compare secrets byte by byte. */
export type TokenTable = Map<string, Actor & { role: Role }>;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function tokenTable(entries: readonly TokenEntry[]): TokenTable {
  return new Map(entries.map((e) => [hashToken(e.token), { name: e.name, role: e.role }]));
}

/** Parses `token:role:name,...`; a bad entry names its position and why. */
export function parseTokenList(list: string): TokenEntry[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item, i) => {
      const [token = '', role = '', name = `token-${i + 1}`] = item.split(':');
      const parsed = TokenEntry.safeParse({ token, role, name });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`QIAO_API_TOKENS entry ${i + 1}: ${issue?.path.join('.')} ${issue?.message}`);
      }
      return parsed.data;
    });
}

/**
 * Loads tokens from QIAO_API_TOKENS and the tokens file. When neither holds any, writes a tokens
 * file with one fresh admin token and says so (`created`), so a first start is usable at once.
 */
export function loadTokens(config: Config, options: { createIfMissing: boolean }): { table: TokenTable; created?: TokenEntry; file: string } {
  const file = path.resolve(config.QIAO_API_TOKENS_FILE ?? path.join(config.QIAO_DATA_DIR, 'tokens.json'));
  const entries = config.QIAO_API_TOKENS ? parseTokenList(config.QIAO_API_TOKENS) : [];
  if (fs.existsSync(file)) {
    const parsed = TokenFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}: [${issue?.path.join('.')}] ${issue?.message}`);
    }
    entries.push(...parsed.data);
  }
  if (entries.length === 0 && options.createIfMissing) {
    const created: TokenEntry = { token: `qiao_${randomBytes(24).toString('base64url')}`, role: 'admin', name: 'admin' };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify([created], null, 2)}\n`, { mode: 0o600 });
    return { table: tokenTable([created]), created, file };
  }
  return { table: tokenTable(entries), file };
}

export function actorForToken(table: TokenTable, token: string): (Actor & { role: Role }) | undefined {
  return table.get(hashToken(token));
}
