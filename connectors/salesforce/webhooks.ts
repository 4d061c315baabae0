// Change Data Capture events relayed to Qiao: a relay subscribed to Salesforce's change event channels
// posts them as JSON, signed with HMAC-SHA256 over "<timestamp>.<raw body>" (connectors/signatures.ts).
// Events become ChangeEvents without data (the engine reads the record with `get`); the echoes of
// Qiao's own writes (changeOrigin `client=qiao`) are dropped here.
import { z } from 'zod';
import type { ChangeEvent, WebhookReceiver, WebhookRequest } from '../contract';
import { ConnectorError } from '../errors';
import { signTimestamped, verifyTimestamped } from '../signatures';
import { CALL_OPTIONS } from './client';

/** Headers the relay sends; compared lower-case. */
export const RELAY_SIGNATURE_HEADER = 'x-qiao-relay-signature';
export const RELAY_TIMESTAMP_HEADER = 'x-qiao-relay-timestamp';

/**
 * The signature a relay puts in `x-qiao-relay-signature`: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 * @example signSalesforceRelay('relay-secret-0123456789', 1767225600, '{"events":[]}')
 */
export const signSalesforceRelay: (secret: string, timestamp: number, rawBody: string) => string = signTimestamped;

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
    verifyTimestamped(request, now, { what: 'relay post', timestampHeader: RELAY_TIMESTAMP_HEADER, signatureHeader: RELAY_SIGNATURE_HEADER, secrets: options.secrets, toleranceSeconds: options.toleranceSeconds });
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
