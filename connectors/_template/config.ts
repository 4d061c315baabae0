// Template connector settings. Copying: keep the shape, rename the schema, describe every field.
import { z } from 'zod';

/**
 * Settings of one connection, documented where they are declared (docs and the console read them here).
 * @example const config = TemplateConfig.parse({ baseUrl: 'https://api.example.com', apiToken: 'env:EXAMPLE_TOKEN' })
 */
export const TemplateConfig = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }).describe('Base URL of the API, e.g. `https://api.example.com/v1/`; paths are resolved against it.'),
    apiToken: z.string().min(1).describe('Bearer token for the API. Secret: store it as `env:NAME`; never logged.'),
    webhookSecrets: z
      .array(z.string().min(16))
      .max(5)
      .default([])
      .describe('Secrets the provider signs webhooks with; list the new one first and keep the old one until the provider has switched (rotation). Empty: no webhooks.'),
    webhookToleranceSeconds: z.number().int().min(30).max(3_600).default(300).describe('How far a webhook timestamp may be from our clock, either way, before it is refused as stale.'),
    allowPrivateNetwork: z.boolean().default(false).describe('Allow a loopback or private address in `baseUrl` (on-premise systems, sandboxes). Off by default against SSRF.'),
    timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000).describe('Abort one call after this many milliseconds; a timeout is retried.'),
    pageSize: z.number().int().min(1).max(1_000).default(100).describe('Most records one list call asks for.'),
  })
  .strict();
export type TemplateConfig = z.infer<typeof TemplateConfig>;
