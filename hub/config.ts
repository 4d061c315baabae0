// Qiao's configuration: read from the environment, documented where it is declared.
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

/**
 * Every setting, its default and what it does. The README's configuration table is this schema.
 * @example const config = loadConfig(process.env)
 */
export const ConfigSchema = z.object({
  QIAO_HOST: z.string().default('127.0.0.1').describe('Address the HTTP gateway listens on.'),
  QIAO_PORT: port.default(8080).describe('Port of the HTTP gateway (0 picks a free one).'),
  QIAO_DATA_DIR: z.string().default('./data').describe('Folder for all local state: the SQLite database, the Temporal dev server database, generated tokens.'),
  QIAO_PUBLIC_URL: z
    .url({ message: 'must be a URL like https://qiao.example.com' })
    .optional()
    .describe('Base URL providers use to reach Qiao (webhook signatures cover it). Default: http://<QIAO_HOST>:<QIAO_PORT>.'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .describe('PostgreSQL URL. When unset, Qiao uses SQLite at `<QIAO_DATA_DIR>/qiao.db`.'),
  TEMPORAL_ADDRESS: z
    .string()
    .optional()
    .describe('host:port of an existing Temporal frontend. When unset, `start` runs the Temporal CLI dev server itself.'),
  TEMPORAL_NAMESPACE: z.string().default('default').describe('Temporal namespace.'),
  QIAO_TASK_QUEUE: z.string().default('qiao').describe('Temporal task queue the worker polls.'),
  QIAO_TEMPORAL_CLI: z.string().optional().describe('Path of the `temporal` CLI; searched on PATH when unset.'),
  QIAO_TEMPORAL_PORT: port.default(7233).describe('gRPC port of the embedded Temporal dev server.'),
  QIAO_TEMPORAL_UI_PORT: port.default(8233).describe('Web UI port of the embedded Temporal dev server.'),
  QIAO_API_TOKENS: z
    .string()
    .optional()
    .describe('API tokens as `token:role:name` entries separated by commas; role is admin, finance, sales or viewer.'),
  QIAO_API_TOKENS_FILE: z
    .string()
    .optional()
    .describe('JSON file `[{ "token", "role", "name" }]` with API tokens. Default: `<QIAO_DATA_DIR>/tokens.json`, created with one admin token on first start when no tokens are configured.'),
  QIAO_BULK_PAGE_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(2000)
    .default(500)
    .describe('Records a bulk-upsert workflow applies per transaction and heartbeat.'),
  QIAO_DELIVERY_DAYS: z.coerce.number().int().min(0).max(365).default(2).describe('Days from confirmation to the promised date of an order that stock covers.'),
  QIAO_PRODUCTION_LEAD_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(365)
    .default(10)
    .describe('Days from confirmation to the promised date of an order that needs production (also the planned end of its production orders).'),
  QIAO_LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'])
    .default('info')
    .describe('Verbosity of the Temporal SDK inside Qiao: `debug` shows its info logs, anything else only its warnings. Qiao\'s own start-up and error lines always print.'),
});
export type Config = z.infer<typeof ConfigSchema> & { sqlitePath: string };

/** Reads and validates the configuration; a bad value names the variable and why. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, sqlitePath: path.resolve(parsed.data.QIAO_DATA_DIR, 'qiao.db') };
}

/** The configuration as a Markdown table (variable, default, meaning), for the README. */
export function configTable(): string {
  const rows = Object.entries(ConfigSchema.shape).map(([name, schema]) => {
    const parsed = schema.safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '—';
    return `| \`${name}\` | ${fallback} | ${schema.description ?? ''} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
