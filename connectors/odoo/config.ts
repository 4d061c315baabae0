// Odoo connector settings: where the server is, which of its APIs to speak, and the key to use.
import { z } from 'zod';

/**
 * Settings of one Odoo connection, documented where they are declared.
 * @example const config = OdooConfig.parse({ url: 'https://acme.odoo.com', database: 'acme', apiKey: 'env:ODOO_KEY' })
 */
export const OdooConfig = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .describe('Base URL of the Odoo server, e.g. `https://acme.odoo.com`; the API paths are appended to it.'),
    database: z
      .string()
      .min(1)
      .optional()
      .describe('Database name. JSON-2 sends it as `X-Odoo-Database` (needed when one server hosts several databases); JSON-RPC requires it.'),
    protocol: z
      .enum(['json2', 'jsonrpc'])
      .default('json2')
      .describe('`json2`: Odoo 19+ `POST /json/2/<model>/<method>` with a bearer API key. `jsonrpc`: Odoo 17/18 `POST /jsonrpc` (`execute_kw`), needs `database` and `login`.'),
    login: z.string().min(1).optional().describe('Login of the integration user (JSON-RPC only; JSON-2 finds the user from the key).'),
    apiKey: z
      .string()
      .min(1)
      .describe('API key of the integration user (Odoo: Preferences → Account Security → New API Key). Secret: store it as `env:NAME`; never logged, never in error messages.'),
    allowPrivateNetwork: z
      .boolean()
      .default(false)
      .describe('Allow a loopback or private address in `url` (on-premise Odoo, sandboxes). Off by default against SSRF.'),
    timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000).describe('Abort one Odoo call after this many milliseconds; a timeout is retried.'),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(2_000)
      .default(200)
      .describe('Most records one `search_read` returns: caps the `limit` of a change listing and pages the stock re-reads.'),
    settleSeconds: z
      .number()
      .int()
      .min(0)
      .max(3_600)
      .default(2)
      .describe('Changes stamped less than this many seconds before Odoo\'s clock (its `Date` header) wait for the next poll: Odoo stamps write_date when a transaction starts and reads it to the second, so a younger second may still receive changes.'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .default('EUR')
      .describe('ISO 4217 code of the company currency, in which Odoo gives `list_price`; added to product records as `currency`.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.protocol !== 'jsonrpc') return;
    for (const field of ['database', 'login'] as const) {
      if (!config[field]) ctx.addIssue({ code: 'custom', path: [field], message: `${field} is required with protocol jsonrpc` });
    }
  });
export type OdooConfig = z.infer<typeof OdooConfig>;
