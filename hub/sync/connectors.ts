// Configured connectors: their stored settings, secrets resolved from the environment, live instances.
import { z } from 'zod';
import type { Connector, ConnectorDefinition } from '../../connectors/contract';
import { Problem } from '../problem';
import type { Db } from '../store/records';

/** Every kind of connector Qiao ships, by type name. */
const definitions = new Map<string, ConnectorDefinition<unknown>>();

export function registerConnectorType(definition: ConnectorDefinition<never>): void {
  definitions.set(definition.name, definition as unknown as ConnectorDefinition<unknown>);
}

export function connectorTypes(): ConnectorDefinition<unknown>[] {
  return [...definitions.values()];
}

/** How one entity of a connector takes part in sync. */
export const EntitySettings = z
  .object({
    direction: z.enum(['in', 'out', 'both']).default('both').describe('in: the system feeds Qiao; out: Qiao writes to it; both.'),
    pollSeconds: z.number().int().min(1).max(86_400).default(60).describe('Seconds between polls of this entity (when it has a source).'),
  })
  .strict();
export type EntitySettings = z.infer<typeof EntitySettings>;

export const ConnectorSettings = z
  .object({
    type: z.string().min(1).describe('Kind of connector, e.g. `odoo`.'),
    config: z.record(z.string(), z.unknown()).describe('Settings of that kind; a string `env:NAME` is read from the environment variable NAME (use it for secrets).'),
    entities: z.record(z.string(), EntitySettings).describe('Entities to sync, by the connector’s entity name (customer, contact, product, stock_level, …).'),
    enabled: z.boolean().default(true),
  })
  .strict();
export type ConnectorSettings = z.infer<typeof ConnectorSettings>;

export interface ConfiguredConnector {
  name: string;
  type: string;
  settings: ConnectorSettings;
  /** The config as the connector kind parsed it (defaults applied, secrets resolved; never log it). */
  config: Record<string, unknown>;
  instance: Connector;
}

const SECRET_KEY = /key|secret|password|token/i;

/** The config with secrets hidden, for answers and logs (strings and lists of strings under a secret-like key). */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const hide = (v: unknown): unknown => (typeof v === 'string' ? (v.startsWith('env:') ? v : '••••••') : Array.isArray(v) ? v.map(hide) : v);
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, SECRET_KEY.test(k) ? hide(v) : v]));
}

function resolveSecrets(config: Record<string, unknown>, env: Record<string, string | undefined>): Record<string, unknown> {
  const resolve = (k: string, v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((item, i) => resolve(`${k}.${i}`, item));
    if (typeof v !== 'string' || !v.startsWith('env:')) return v;
    const name = v.slice(4);
    const value = env[name];
    if (value === undefined) throw new Problem(422, 'Missing secret', `config.${k} refers to environment variable ${name}, which is not set`, { errors: [{ field: `config.${k}`, message: `environment variable ${name} is not set` }] });
    return value;
  };
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, resolve(k, v)]));
}

/** Validates settings against the connector kind; a bad field is named (`config.url`, `entities.foo`). */
export function checkSettings(settings: ConnectorSettings, env: Record<string, string | undefined> = process.env): { definition: ConnectorDefinition<unknown>; config: unknown } {
  const definition = definitions.get(settings.type);
  if (!definition) throw new Problem(422, 'Unknown connector type', `type ${settings.type} is not one of: ${[...definitions.keys()].join(', ')}`, { errors: [{ field: 'type', message: 'unknown connector type' }] });
  const parsed = definition.config.safeParse(resolveSecrets(settings.config, env));
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ field: `config.${i.path.join('.')}`, message: i.message }));
    throw new Problem(422, 'Invalid connector config', `${errors[0]?.field}: ${errors[0]?.message}`, { errors });
  }
  return { definition, config: parsed.data };
}

/**
 * Live connector instances built from the `connectors` table, rebuilt when a row changes.
 * @example const odoo = await connectors.get(db, 'odoo')
 */
export function createConnectorPool(options: { fetch?: typeof fetch; env?: Record<string, string | undefined> } = {}) {
  const cache = new Map<string, { updatedAt: string; checkedAt: number; connector: ConfiguredConnector }>();
  return {
    async get(db: Db, name: string): Promise<ConfiguredConnector> {
      const cached = cache.get(name);
      // A changed connector is picked up within a second; a webhook burst does not read its row each time.
      if (cached && Date.now() - cached.checkedAt < 1000) return cached.connector;
      const row = await db.selectFrom('connectors').selectAll().where('name', '=', name).executeTakeFirst();
      if (!row) throw new Problem(404, 'Not found', `no connector named ${name}`);
      if (cached && cached.updatedAt === row.updated_at) {
        cached.checkedAt = Date.now();
        return cached.connector;
      }
      const settings = ConnectorSettings.parse({ type: row.type, config: JSON.parse(row.config), entities: JSON.parse(row.entities), enabled: row.enabled === 1 });
      const { definition, config } = checkSettings(settings, options.env);
      const connector: ConfiguredConnector = { name, type: row.type, settings, config: config as Record<string, unknown>, instance: definition.create(config, { fetch: options.fetch }) };
      cache.set(name, { updatedAt: row.updated_at, checkedAt: Date.now(), connector });
      return connector;
    },
    async list(db: Db): Promise<{ name: string; type: string; settings: ConnectorSettings }[]> {
      const rows = await db.selectFrom('connectors').selectAll().orderBy('name').execute();
      return rows.map((row) => ({ name: row.name, type: row.type, settings: ConnectorSettings.parse({ type: row.type, config: JSON.parse(row.config), entities: JSON.parse(row.entities), enabled: row.enabled === 1 }) }));
    },
  };
}

export type ConnectorPool = ReturnType<typeof createConnectorPool>;
