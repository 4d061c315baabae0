// Webhooks of the template API: HMAC-SHA256 over "<timestamp>.<raw body>", a timestamp window, a
// constant-time compare, and several secrets at once while one is rotated out.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ChangeEvent, WebhookReceiver, WebhookRequest } from '../contract';
import { ConnectorError } from '../errors';

/** Headers the provider sends; compared lower-case. */
export const SIGNATURE_HEADER = 'x-template-signature';
export const TIMESTAMP_HEADER = 'x-template-timestamp';

/**
 * The signature a provider puts in `x-template-signature`: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 * @example signTemplateWebhook('whsec_0123456789abcdef', 1767225600, '{"events":[]}')
 */
export function signTemplateWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** The body the provider posts: `{"events": [...]}`, each event with the record it is about. */
const WebhookBody = z.object({
  events: z.array(
    z.object({
      id: z.string().min(1),
      type: z.enum(['record.created', 'record.updated', 'record.deleted']),
      record: z.looseObject({ id: z.string().min(1), updated_at: z.iso.datetime() }),
    }),
  ),
});

/**
 * Verifies and parses the template's webhooks.
 * @example const webhooks = createTemplateWebhooks({ secrets: config.webhookSecrets, toleranceSeconds: 300 })
 *          webhooks.verify({ rawBody, headers, url }, new Date()); const events = webhooks.parse(rawBody)
 */
export function createTemplateWebhooks(options: { secrets: readonly string[]; toleranceSeconds: number }): WebhookReceiver {
  function verify(request: WebhookRequest, now: Date): void {
    const timestampText = header(request.headers, TIMESTAMP_HEADER);
    const signatures = header(request.headers, SIGNATURE_HEADER);
    if (!timestampText || !signatures) throw new ConnectorError('auth', `webhook without ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER}`);
    if (!/^\d{1,12}$/.test(timestampText)) throw new ConnectorError('auth', `webhook ${TIMESTAMP_HEADER} is not a Unix time`);
    const timestamp = Number(timestampText);
    // Both ways: a timestamp far in the future is as suspect as an old one (a replay with a forged clock).
    if (Math.abs(now.getTime() / 1000 - timestamp) > options.toleranceSeconds) {
      throw new ConnectorError('auth', `webhook timestamp is more than ${options.toleranceSeconds} s from our clock`);
    }
    // The header may carry several signatures (the provider signs with old and new secret during its rotation).
    const offered = signatures.split(',').map((s) => Buffer.from(s.trim()));
    for (const secret of options.secrets) {
      const expected = Buffer.from(signTemplateWebhook(secret, timestamp, request.rawBody));
      // timingSafeEqual needs equal lengths; the length of a valid signature is no secret.
      if (offered.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected))) return;
    }
    throw new ConnectorError('auth', 'webhook signature matches none of the configured secrets');
  }

  function parse(rawBody: string): ChangeEvent[] {
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      throw new ConnectorError('invalid', 'webhook body is not JSON');
    }
    const body = WebhookBody.safeParse(json);
    if (!body.success) throw new ConnectorError('invalid', `webhook body: ${body.error.issues[0]?.path.join('.')}: ${body.error.issues[0]?.message}`);
    return body.data.events.map((event) => {
      const change: ChangeEvent = { entity: 'record', eventKey: event.id, externalId: event.record.id, sourceTime: event.record.updated_at, data: event.record };
      if (event.type === 'record.deleted') change.deleted = true;
      return change;
    });
  }

  return { verify, parse };
}
