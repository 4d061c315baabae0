// The closed set of ways a connector call can fail; retries are decided from the kind alone.

/** Every kind of connector failure, with what Qiao does about it. */
export const CONNECTOR_ERROR_KINDS = {
  /** Transient: network error, timeout, 5xx. Retried with backoff. */
  retryable: 'a transient failure (network, timeout, 5xx); retried with backoff',
  /** The provider asked us to slow down (429); retried after `retryAfterMs`. */
  rate_limited: 'the provider asked us to slow down; retried after Retry-After',
  /** Credentials missing, wrong, expired or revoked. Not retried: IT must fix the connector. */
  auth: 'credentials missing, wrong, expired or revoked; not retried',
  /** The provider rejected the record (validation). Not retried: the record is parked in dead letters. */
  invalid: 'the provider rejected the record as invalid; parked in dead letters',
  /** The record does not exist on the provider. Not retried. */
  not_found: 'the record does not exist on the provider; not retried',
  /** The write conflicts with the provider's state (duplicate, concurrent change). Retried. */
  conflict: 'the write conflicts with the provider state; retried',
} as const;

export type ConnectorErrorKind = keyof typeof CONNECTOR_ERROR_KINDS;

/** Kinds that fail a Temporal activity for good instead of retrying it. */
export const NON_RETRYABLE_KINDS: readonly ConnectorErrorKind[] = ['auth', 'invalid', 'not_found'];

/**
 * A classified connector failure. Thrown by clients; activities turn it into a retryable or
 * non-retryable Temporal failure by its kind.
 * @example throw new ConnectorError('invalid', 'Odoo refused res.partner: Invalid email', { status: 422, field: 'email' })
 */
export class ConnectorError extends Error {
  readonly kind: ConnectorErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** The external field the provider named, when it named one. */
  readonly field?: string;

  constructor(kind: ConnectorErrorKind, message: string, options: { status?: number; retryAfterMs?: number; field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.field = options.field;
  }

  get retryable(): boolean {
    return !NON_RETRYABLE_KINDS.includes(this.kind);
  }
}

/** The kind an HTTP status means, for providers that use HTTP statuses plainly. */
export function kindForStatus(status: number): ConnectorErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status === 400 || status === 422) return 'invalid';
  return 'retryable';
}

/** Parses Retry-After (seconds, or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
