// Webhooks of the template API: HMAC-SHA256 over "<timestamp>.<raw body>", a timestamp window, a
// constant-time compare, and several secrets at once while one is rotated out.
import { z } from 'zod';
import type { ChangeEvent, WebhookReceiver, WebhookRequest } from '../contract';
import { ConnectorError } from '../errors';
import { signTimestamped, verifyTimestamped } from '../signatures';

/** Headers the provider sends; compared lower-case. */
export const SIGNATURE_HEADER = 'x-template-signature';
export const TIMESTAMP_HEADER = 'x-template-timestamp';

/**
 * The signature a provider puts in `x-template-signature`: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 * @example signTemplateWebhook('whsec_0123456789abcdef', 1767225600, '{"events":[]}')
 */
export const signTemplateWebhook: (secret: string, timestamp: number, rawBody: string) => string = signTimestamped;

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
    verifyTimestamped(request, now, { what: 'webhook', timestampHeader: TIMESTAMP_HEADER, signatureHeader: SIGNATURE_HEADER, secrets: options.secrets, toleranceSeconds: options.toleranceSeconds });
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
