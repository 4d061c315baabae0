// Signed posts shared by connectors: HMAC-SHA256 over "<timestamp>.<raw body>" (the template's
// webhooks, the Salesforce change-event relay), a timestamp window both ways, several secrets at
// once while one is rotated out, and a constant-time compare.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest } from './contract';
import { ConnectorError } from './errors';

/** A header by its lower-case name, whatever case the sender used. */
export function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 * @example signTimestamped('whsec_0123456789abcdef', 1767225600, '{"events":[]}')
 */
export function signTimestamped(secret: string, timestamp: number, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/**
 * Checks a post signed with `signTimestamped`; throws an `auth` ConnectorError saying what is wrong
 * (`what` names the post in it: "webhook", "relay post").
 * @example verifyTimestamped(request, new Date(), { what: 'webhook', timestampHeader: 'x-template-timestamp', signatureHeader: 'x-template-signature', secrets, toleranceSeconds: 300 })
 */
export function verifyTimestamped(
  request: WebhookRequest,
  now: Date,
  options: { what: string; timestampHeader: string; signatureHeader: string; secrets: readonly string[]; toleranceSeconds: number },
): void {
  const { what, timestampHeader, signatureHeader } = options;
  const timestampText = header(request.headers, timestampHeader);
  const signatures = header(request.headers, signatureHeader);
  if (!timestampText || !signatures) throw new ConnectorError('auth', `${what} without ${timestampHeader} or ${signatureHeader}`);
  if (!/^\d{1,12}$/.test(timestampText)) throw new ConnectorError('auth', `${what} ${timestampHeader} is not a Unix time`);
  const timestamp = Number(timestampText);
  // Both ways: a timestamp far in the future is as suspect as an old one (a replay with a forged clock).
  if (Math.abs(now.getTime() / 1000 - timestamp) > options.toleranceSeconds) {
    throw new ConnectorError('auth', `${what} timestamp is more than ${options.toleranceSeconds} s from our clock`);
  }
  // The header may carry several signatures (the sender signs with the old and the new secret during a rotation).
  const offered = signatures.split(',').map((s) => Buffer.from(s.trim()));
  for (const secret of options.secrets) {
    const expected = Buffer.from(signTimestamped(secret, timestamp, request.rawBody));
    // timingSafeEqual needs equal lengths; the length of a valid signature is no secret.
    if (offered.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected))) return;
  }
  throw new ConnectorError('auth', `${what} signature matches none of the configured secrets`);
}
