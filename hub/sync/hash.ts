// Content hashes for the ledger, links (echo guard) and idempotency keys.
import { createHash } from 'node:crypto';
import { stableStringify } from '../store/records';

/** SHA-256 (hex) of a value serialised with sorted keys. */
export function contentHash(value: unknown): string {
  return textHash(stableStringify(value));
}

/** SHA-256 (hex) of text already serialised with sorted keys (e.g. `contentOf(record)`). */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
