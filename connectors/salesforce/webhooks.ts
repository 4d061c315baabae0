// Change Data Capture events relayed to Qiao: a relay subscribed to Salesforce's change event channels
// posts them as JSON, signed with HMAC-SHA256 over "<timestamp>.<raw body>" (the template's scheme).
// Events become ChangeEvents without data (the engine reads the record with `get`); the echoes of
// Qiao's own writes (changeOrigin `client=qiao`) are dropped here.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ChangeEvent, WebhookReceiver, WebhookRequest } from '../contract';
import { ConnectorError } from '../errors';
import { CALL_OPTIONS } from './client';

/** Headers the relay sends; compared lower-case. */
export const RELAY_SIGNATURE_HEADER = 'x-qiao-relay-signature';
export const RELAY_TIMESTAMP_HEADER = 'x-qiao-relay-timestamp';

/**
 * The signature a relay puts in `x-qiao-relay-signature`: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 * @example signSalesforceRelay('relay-secret-0123456789', 1767225600, '{"events":[]}')
 */
export function signSalesforceRelay(secret: string, timestamp: number, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** A change event as the Pub/Sub API decodes it: the header plus the changed fields (ignored here). */
const ChangeEventBody = z.looseObject({
  ChangeEventHeader: z.looseObject({
    entityName: z.string().min(1),
    recordIds: z.array(z.string()),
    changeType: z.string().min(1),
    commitTimestamp: z.number().int().nonnegative(),
    changeOrigin: z.string().nullish(),
    transactionKey: z.string().min(1),
    sequenceNumber: z.number().int().nonnegative(),
  }),
});

/** The relay's post: `{"events": [...]}`, in the order Salesforce published them. */
const RelayBody = z.object({ events: z.array(ChangeEventBody) });

/** Our own writes carry `Sforce-Call-Options: client=qiao`; Salesforce copies it into changeOrigin. */
const OWN_ORIGIN = new RegExp(`(^|;)\\s*${CALL_OPTIONS.replace('=', '\\s*=\\s*')}\\s*(;|$)`);

/**
 * Verifies and parses relayed change events.
 * @example const webhooks = createSalesforceWebhooks({ secrets: config.webhookSecrets, toleranceSeconds: 300, entities: { Account: 'customer' } })
 *          webhooks.verify({ rawBody, headers, url }, new Date()); const events = webhooks.parse(rawBody)
 */
export function createSalesforceWebhooks(options: { secrets: readonly string[]; toleranceSeconds: number; entities: Readonly<Record<string, string>> }): WebhookReceiver {
  function verify(request: WebhookRequest, now: Date): void {
    const timestampText = header(request.headers, RELAY_TIMESTAMP_HEADER);
    const signatures = header(request.headers, RELAY_SIGNATURE_HEADER);
    if (!timestampText || !signatures) throw new ConnectorError('auth', `relay post without ${RELAY_TIMESTAMP_HEADER} or ${RELAY_SIGNATURE_HEADER}`);
    if (!/^\d{1,12}$/.test(timestampText)) throw new ConnectorError('auth', `relay ${RELAY_TIMESTAMP_HEADER} is not a Unix time`);
    const timestamp = Number(timestampText);
    // Both ways: a timestamp far in the future is as suspect as an old one.
    if (Math.abs(now.getTime() / 1000 - timestamp) > options.toleranceSeconds) {
      throw new ConnectorError('auth', `relay timestamp is more than ${options.toleranceSeconds} s from our clock`);
    }
    // Several signatures while the relay signs with an old and a new secret.
    const offered = signatures.split(',').map((s) => Buffer.from(s.trim()));
    for (const secret of options.secrets) {
      const expected = Buffer.from(signSalesforceRelay(secret, timestamp, request.rawBody));
      if (offered.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected))) return;
    }
    throw new ConnectorError('auth', 'relay signature matches none of the configured secrets');
  }

  function parse(rawBody: string): ChangeEvent[] {
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      throw new ConnectorError('invalid', 'relay body is not JSON');
    }
    const body = RelayBody.safeParse(json);
    if (!body.success) throw new ConnectorError('invalid', `relay body: ${body.error.issues[0]?.path.join('.')}: ${body.error.issues[0]?.message}`);
    const changes: ChangeEvent[] = [];
    for (const event of body.data.events) {
      const h = event.ChangeEventHeader;
      const entity = options.entities[h.entityName];
      // Other objects (line items among them: their header's own event follows) are not ours.
      if (!entity) continue;
      if (h.changeOrigin && OWN_ORIGIN.test(h.changeOrigin)) continue;
      // GAP_ events say "something changed, read it"; GAP_OVERFLOW and others name no usable record.
      const type = h.changeType.replace(/^GAP_/, '');
      if (!['CREATE', 'UPDATE', 'DELETE', 'UNDELETE'].includes(type)) continue;
      const sourceTime = new Date(h.commitTimestamp).toISOString();
      for (const recordId of h.recordIds) {
        // A wildcard (`001*`) stands for every record of a converted field: a full poll catches it.
        if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(recordId)) continue;
        const change: ChangeEvent = { entity, eventKey: `${h.transactionKey}:${h.sequenceNumber}:${recordId}`, externalId: recordId, sourceTime };
        if (type === 'DELETE') change.deleted = true;
        changes.push(change);
      }
    }
    return changes;
  }

  return { verify, parse };
}
