// Idempotency keys for POST requests: the first answer is kept and replayed for the same key and body.
import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch'; method: string; path: string }
  | { kind: 'in_progress' };

interface KeyRequest {
  principal: string;
  key: string;
  method: string;
  path: string;
  bodyHash: string;
}

/**
 * Claims a key before the request runs. A second request with the key gets the first answer,
 * a 'mismatch' when its method, path or body differ, or 'in_progress' while the first still runs.
 * @example const claim = await claimIdempotencyKey(db, { principal: 'ci', key, method: 'POST', path: '/v1/orders', bodyHash })
 */
export async function claimIdempotencyKey(db: Kysely<Database>, req: KeyRequest): Promise<Claim> {
  const now = new Date();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await db
        .insertInto('idempotency_keys')
        .values({ principal: req.principal, key: req.key, method: req.method, path: req.path, body_hash: req.bodyHash, created_at: now.toISOString(), status_code: null, response: null })
        .execute();
      return { kind: 'new' };
    } catch (err) {
      const row = await db.selectFrom('idempotency_keys').selectAll().where('principal', '=', req.principal).where('key', '=', req.key).executeTakeFirst();
      if (!row) throw err;
      if (now.getTime() - Date.parse(row.created_at) > IDEMPOTENCY_TTL_MS) {
        // Expired: forget it and claim it afresh.
        await db.deleteFrom('idempotency_keys').where('principal', '=', req.principal).where('key', '=', req.key).where('created_at', '=', row.created_at).execute();
        continue;
      }
      if (row.method !== req.method || row.path !== req.path || row.body_hash !== req.bodyHash) return { kind: 'mismatch', method: row.method, path: row.path };
      if (row.status_code === null || row.response === null) return { kind: 'in_progress' };
      return { kind: 'replay', response: JSON.parse(row.response) as StoredResponse };
    }
  }
  return { kind: 'in_progress' };
}

/** Keeps the answer of a claimed key. */
export async function completeIdempotencyKey(db: Kysely<Database>, principal: string, key: string, response: StoredResponse): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: response.status, response: JSON.stringify(response) })
    .where('principal', '=', principal)
    .where('key', '=', key)
    .execute();
}

/** Frees a claimed key after a server error, so the client can retry with it. */
export async function releaseIdempotencyKey(db: Kysely<Database>, principal: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('principal', '=', principal).where('key', '=', key).execute();
}
