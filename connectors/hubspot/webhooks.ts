// HubSpot webhooks: signature v3 (base64 HMAC-SHA256 over method + URI + body + timestamp), a
// timestamp window, a constant-time compare, several client secrets while one is rotated out, and
// the JSON array of events turned into change events (the engine fetches each record with `get`).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChangeEvent, WebhookReceiver, WebhookRequest } from '../contract';
import { ConnectorError } from '../errors';
import { header } from '../signatures';

/** Headers HubSpot sends; compared lower-case. */
export const SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';

/** The percent-encodings HubSpot decodes in the URI before signing; everything else stays as sent. */
const DECODED: readonly [RegExp, string][] = [
  [/%3A/gi, ':'],
  [/%2F/gi, '/'],
  [/%3F/gi, '?'],
  [/%40/gi, '@'],
  [/%21/gi, '!'],
  [/%24/gi, '$'],
  [/%27/gi, "'"],
  [/%28/gi, '('],
  [/%29/gi, ')'],
  [/%2A/gi, '*'],
  [/%2C/gi, ','],
  [/%3B/gi, ';'],
];

/**
 * The URI as HubSpot signs it: the full URL with `: / ? @ ! $ ' ( ) * , ;` decoded.
 * @example signedUri('https://qiao.example/webhooks/hubspot?src=hub%3Aspot') // 'https://qiao.example/webhooks/hubspot?src=hub:spot'
 */
export function signedUri(url: string): string {
  let uri = url;
  for (const [encoded, decoded] of DECODED) uri = uri.replace(encoded, decoded);
  return uri;
}

/**
 * The `X-HubSpot-Signature-v3` of a request: base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)).
 * @example signHubspotWebhook('6f1c…', 'POST', 'https://qiao.example/webhooks/hubspot', '[]', 1767225600000)
 */
export function signHubspotWebhook(clientSecret: string, method: string, url: string, rawBody: string, timestampMs: number | string): string {
  return createHmac('sha256', clientSecret).update(`${method}${signedUri(url)}${rawBody}${timestampMs}`, 'utf8').digest('base64');
}

/** Qiao's entity for a HubSpot object name (`deal` in `deal.propertyChange`) or object type id (`0-3`). */
const ENTITY_BY_OBJECT: Readonly<Record<string, string>> = {
  company: 'customer',
  contact: 'contact',
  product: 'product',
  deal: 'order',
  '0-2': 'customer',
  '0-1': 'contact',
  '0-7': 'product',
  '0-3': 'order',
};

const CHANGES = new Set(['creation', 'propertyChange', 'associationChange', 'restore', 'merge']);
const DELETIONS = new Set(['deletion', 'privacyDeletion']);

type Id = string | number;
const isId = (v: unknown): v is Id => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) || (typeof v === 'string' && /^[1-9]\d*$/.test(v));

/**
 * Verifies and parses HubSpot webhooks.
 * @example const webhooks = createHubspotWebhooks({ secrets: config.webhookClientSecrets, toleranceSeconds: 300 })
 *          webhooks.verify({ rawBody, headers, url: 'https://qiao.example/webhooks/hubspot' }, new Date()); const events = webhooks.parse(rawBody)
 */
export function createHubspotWebhooks(options: { secrets: readonly string[]; toleranceSeconds: number }): WebhookReceiver {
  function verify(request: WebhookRequest, now: Date): void {
    const timestamp = header(request.headers, TIMESTAMP_HEADER);
    const signature = header(request.headers, SIGNATURE_HEADER);
    if (!timestamp || !signature) throw new ConnectorError('auth', `HubSpot webhook without ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER}`);
    if (!/^\d{1,15}$/.test(timestamp)) throw new ConnectorError('auth', `HubSpot webhook ${TIMESTAMP_HEADER} is not a time in milliseconds`);
    // Both ways: a timestamp far in the future is as suspect as an old one (a replay with a forged clock).
    if (Math.abs(now.getTime() - Number(timestamp)) > options.toleranceSeconds * 1000) {
      throw new ConnectorError('auth', `HubSpot webhook timestamp is more than ${options.toleranceSeconds} s from our clock`);
    }
    const offered = Buffer.from(signature.trim());
    for (const secret of options.secrets) {
      // The URI is Qiao's configured public URL (WebhookRequest.url), never the Host header.
      const expected = Buffer.from(signHubspotWebhook(secret, 'POST', request.url, request.rawBody, timestamp));
      // timingSafeEqual needs equal lengths; the length of a valid signature is no secret.
      if (offered.length === expected.length && timingSafeEqual(offered, expected)) return;
    }
    throw new ConnectorError('auth', 'HubSpot webhook signature matches none of the configured client secrets');
  }

  function parse(rawBody: string): ChangeEvent[] {
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      throw new ConnectorError('invalid', 'HubSpot webhook body is not JSON');
    }
    if (!Array.isArray(json)) throw new ConnectorError('invalid', 'HubSpot webhook body is not a JSON array of events');
    const changes: ChangeEvent[] = [];
    json.forEach((raw, i) => {
      if (typeof raw !== 'object' || raw === null) throw new ConnectorError('invalid', `HubSpot webhook event [${i}] is not an object`);
      const event = raw as Record<string, unknown>;
      const fail = (field: string, why: string) => new ConnectorError('invalid', `HubSpot webhook event [${i}].${field} ${why}`, { field });
      if (typeof event.subscriptionType !== 'string') throw fail('subscriptionType', 'is missing');
      const [object = '', action = ''] = event.subscriptionType.split('.');
      const entity = ENTITY_BY_OBJECT[object === 'object' ? String(event.objectTypeId ?? '') : object];
      // Subscriptions Qiao has no entity for (tickets, line items, …) or no use for are ignored.
      if (!entity || (!CHANGES.has(action) && !DELETIONS.has(action))) return;
      if (!(typeof event.eventId === 'number' && Number.isSafeInteger(event.eventId)) && !(typeof event.eventId === 'string' && event.eventId !== '')) throw fail('eventId', 'is missing');
      if (typeof event.occurredAt !== 'number' || !Number.isFinite(event.occurredAt) || event.occurredAt < 0) throw fail('occurredAt', 'is not a time in milliseconds');
      // An association change names the record it starts from as fromObjectId.
      const objectId = event.objectId ?? (action === 'associationChange' ? event.fromObjectId : undefined);
      if (!isId(objectId)) throw fail('objectId', 'is not a HubSpot record id');
      const sourceTime = new Date(event.occurredAt).toISOString();
      const eventKey = `hubspot:${String(event.eventId)}`;
      const change: ChangeEvent = { entity, eventKey, externalId: String(objectId), sourceTime };
      if (DELETIONS.has(action)) change.deleted = true;
      changes.push(change);
      // A merge keeps one record; the others are gone.
      if (action === 'merge' && Array.isArray(event.mergedObjectIds)) {
        for (const merged of event.mergedObjectIds) {
          if (isId(merged) && String(merged) !== String(objectId)) changes.push({ entity, eventKey: `${eventKey}:merged:${String(merged)}`, externalId: String(merged), sourceTime, deleted: true });
        }
      }
    });
    return changes;
  }

  return { verify, parse };
}
