// Salesforce connector settings: the org, the API version, the connected app's client credentials,
// the external id field Qiao upserts by, and which objects hold orders.
import { z } from 'zod';

/** The newest API version Salesforce had released when this connector was last checked (Summer '26). */
export const DEFAULT_API_VERSION = 'v67.0';

/** sObject Collections upsert (PATCH composite/sobjects/<Object>/<Field>) exists from API version 46.0. */
const OLDEST_API_VERSION = 46;

/**
 * Settings of one Salesforce org, documented where they are declared.
 * @example const config = SalesforceConfig.parse({ loginUrl: 'https://acme.my.salesforce.com', clientId: '3MVG9...', clientSecret: 'env:SF_SECRET' })
 */
export const SalesforceConfig = z
  .object({
    loginUrl: z
      .url({ protocol: /^https?$/ })
      .describe('My Domain URL of the org, e.g. `https://acme.my.salesforce.com`; the token is asked at `<loginUrl>/services/oauth2/token` (the client credentials flow does not work on login.salesforce.com).'),
    apiVersion: z
      .string()
      .regex(/^v\d{2,3}\.0$/, 'must look like v67.0')
      .refine((v) => Number(v.slice(1)) >= OLDEST_API_VERSION, `must be v${OLDEST_API_VERSION}.0 or later (sObject Collections upsert)`)
      .default(DEFAULT_API_VERSION)
      .describe('REST API version, e.g. `v67.0`; at least v46.0.'),
    clientId: z.string().min(1).describe('Consumer key of the connected app (or external client app) with the client credentials flow enabled and a run-as user.'),
    clientSecret: z.string().min(1).describe('Consumer secret of that app. Secret: store it as `env:NAME`; never logged, never in error messages.'),
    externalIdField: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, 'must be the API name of a custom field, e.g. Qiao_Id__c')
      .default('Qiao_Id__c')
      .describe('Custom text field (External ID, Unique) on every synced object that holds Qiao\'s id: records Qiao creates are upserted by it, and found again by it when an answer was lost.'),
    orderModel: z
      .enum(['order', 'opportunity'])
      .default('order')
      .describe('Where orders live: `order` = Order + OrderItem (Status `Activated` is confirmed), `opportunity` = Opportunity + OpportunityLineItem (StageName `Closed Won` is confirmed).'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .default('EUR')
      .describe('ISO 4217 code of the org\'s corporate currency, for prices of records without `CurrencyIsoCode` (orgs without multiple currencies).'),
    sessionSeconds: z
      .number()
      .int()
      .min(300)
      .max(86_400)
      .default(7_200)
      .describe('Lifetime of an access token when the token answer does not say (Salesforce\'s does not: it is the session timeout of the run-as user, 2 hours by default).'),
    refreshMarginSeconds: z
      .number()
      .int()
      .min(0)
      .max(3_600)
      .default(300)
      .describe('A new token is asked this many seconds before the current one expires (issued_at + sessionSeconds).'),
    webhookSecrets: z
      .array(z.string().min(16))
      .max(5)
      .default([])
      .describe('Secrets the Change Data Capture relay signs its posts with; list the new one first and keep the old one until the relay has switched (rotation). Empty: no webhooks, polling only.'),
    webhookToleranceSeconds: z.number().int().min(30).max(3_600).default(300).describe('How far a relay timestamp may be from our clock, either way, before the post is refused as stale.'),
    allowPrivateNetwork: z
      .boolean()
      .default(false)
      .describe('Allow a loopback or private address in `loginUrl` and in the token\'s `instance_url` (sandboxes). Off by default against SSRF.'),
    timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000).describe('Abort one Salesforce call after this many milliseconds; a timeout is retried.'),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(2_000)
      .default(200)
      .describe('Most records one change listing returns (the SOQL `LIMIT`); Salesforce hands them in batches and the connector follows `nextRecordsUrl`.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.refreshMarginSeconds >= config.sessionSeconds) {
      ctx.addIssue({ code: 'custom', path: ['refreshMarginSeconds'], message: 'must be shorter than sessionSeconds' });
    }
  });
export type SalesforceConfig = z.infer<typeof SalesforceConfig>;
