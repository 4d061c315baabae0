// HubSpot connector settings: which API version, the private-app token, webhook secrets, and how
// deals and records map onto Qiao's orders and identities.
import { z } from 'zod';

const Stage = z.string().min(1).max(100);

/**
 * Settings of one HubSpot account, documented where they are declared.
 * @example const config = HubspotConfig.parse({ accessToken: 'env:HUBSPOT_TOKEN', webhookClientSecrets: ['env:HUBSPOT_CLIENT_SECRET'] })
 */
export const HubspotConfig = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .default('https://api.hubapi.com')
      .describe('Root of the HubSpot API; the date-versioned paths (`/crm/objects/<apiVersion>/...`) are appended to it.'),
    apiVersion: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])(-beta)?$/, 'must be a HubSpot date version like 2026-09')
      .default('2026-09')
      .describe('Date version of the CRM APIs (`/crm/objects/<apiVersion>/`, `/crm/associations/<apiVersion>/`); HubSpot keeps a version for at least 18 months after its successor ships.'),
    accessToken: z
      .string()
      .min(1)
      .describe('Access token of the HubSpot private app (`pat-...`), sent as `Authorization: Bearer`. Secret: store it as `env:NAME`; never logged, never in error messages.'),
    webhookClientSecrets: z
      .array(z.string().min(16, 'must be the app client secret (a UUID)'))
      .max(5)
      .default([])
      .describe('Client secrets of the app that sends webhooks (signature v3); list the new one first and keep the old one while HubSpot switches (rotation). Empty: no webhooks. Secrets: store them as `env:NAME`.'),
    webhookToleranceSeconds: z
      .number()
      .int()
      .min(30)
      .max(3_600)
      .default(300)
      .describe('How far `X-HubSpot-Request-Timestamp` may be from our clock, either way, before a webhook is refused as stale (HubSpot says 5 minutes).'),
    allowPrivateNetwork: z.boolean().default(false).describe('Allow a loopback or private address in `baseUrl` (sandboxes, proxies). Off by default against SSRF.'),
    timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000).describe('Abort one HubSpot call after this many milliseconds; a timeout is retried.'),
    pageSize: z.number().int().min(1).max(200).default(100).describe('Most records one search asks for (HubSpot allows 200): caps the `limit` of a change listing.'),
    wonStages: z
      .array(Stage)
      .min(1)
      .default(['closedwon'])
      .describe('Deal stages (internal values) that mean the deal is won: such a deal is a `confirmed` order.'),
    lostStages: z.array(Stage).default(['closedlost']).describe('Deal stages that mean the deal is lost: such a deal is a `cancelled` order.'),
    idProperty: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,99}$/, 'must be the internal name of a HubSpot property, e.g. qiao_id')
      .default('qiao_id')
      .describe('Custom property with unique values (on companies, contacts and products) that holds Qiao\'s id: creates are upserts by it, and a record whose write answer was lost is found again by it.'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .default('EUR')
      .describe('ISO 4217 code of the account\'s company currency: product prices, and deals without `deal_currency_code`, are in it.'),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE')
      .optional()
      .describe('Country (ISO code) of company addresses that name none; without it such an address is refused by the mapping.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const both = config.wonStages.filter((s) => config.lostStages.includes(s));
    if (both.length > 0) ctx.addIssue({ code: 'custom', path: ['lostStages'], message: `${both.join(', ')} cannot be won and lost at once (also in wonStages)` });
  });
export type HubspotConfig = z.infer<typeof HubspotConfig>;
