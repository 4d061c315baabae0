// Mapping versions: built-in ones from mappings/, user ones from the database; drafts, publish, rollback.
import { getBuiltInMapping, listBuiltInMappings, MappingDefinition } from '../../mappings/engine';
import { Problem, validationProblem } from '../problem';
import type { Actor, Db } from '../store/records';
import { appendAudit } from '../store/records';

export type { MappingDefinition };

function builtIn(connector: string, entity: string, version?: number): MappingDefinition | undefined {
  try {
    return getBuiltInMapping(connector, entity, version);
  } catch {
    return undefined;
  }
}

function builtInVersions(connector: string, entity: string): number[] {
  return listBuiltInMappings()
    .filter((m) => m.connector === connector && m.entity === entity)
    .map((m) => m.version);
}

/** The version new runs use: the one made current by publish/rollback, else the newest built-in. */
export async function currentVersion(db: Db, connector: string, entity: string): Promise<number> {
  const row = await db.selectFrom('mappings').select('current_version').where('connector', '=', connector).where('entity', '=', entity).executeTakeFirst();
  if (row) return Number(row.current_version);
  const versions = builtInVersions(connector, entity);
  if (!versions.length) throw new Problem(404, 'No mapping', `no mapping for ${connector} ${entity}`);
  return Math.max(...versions);
}

/**
 * The definition of one version: built-in, or published/draft from the database. An unknown version
 * fails loudly, never falls back to another one.
 */
export async function resolveMapping(db: Db, connector: string, entity: string, version: number): Promise<MappingDefinition> {
  const stored = await db
    .selectFrom('mapping_versions')
    .select('definition')
    .where('connector', '=', connector)
    .where('entity', '=', entity)
    .where('version', '=', version)
    .executeTakeFirst();
  if (stored) return MappingDefinition.parse(JSON.parse(stored.definition));
  const found = builtIn(connector, entity, version);
  if (!found) throw new Problem(404, 'Unknown mapping version', `${connector} ${entity} has no mapping version ${version}`);
  return found;
}

export interface VersionInfo {
  version: number;
  status: 'built_in' | 'draft' | 'published';
  current: boolean;
  createdBy?: string;
  createdAt?: string;
  publishedAt?: string | null;
}

export async function listVersions(db: Db, connector: string, entity: string): Promise<VersionInfo[]> {
  const current = await currentVersion(db, connector, entity).catch(() => undefined);
  const rows = await db.selectFrom('mapping_versions').selectAll().where('connector', '=', connector).where('entity', '=', entity).orderBy('version').execute();
  return [
    ...builtInVersions(connector, entity).map((version) => ({ version, status: 'built_in' as const, current: version === current })),
    ...rows.map((r) => ({
      version: Number(r.version),
      status: r.status as 'draft' | 'published',
      current: Number(r.version) === current,
      createdBy: r.created_by,
      createdAt: r.created_at,
      publishedAt: r.published_at,
    })),
  ];
}

/** Stores a draft; its number is the next free one. Versions are never overwritten. */
export async function createDraft(db: Db, connector: string, entity: string, body: unknown, actor: Actor): Promise<MappingDefinition> {
  const existing = await listVersions(db, connector, entity);
  const version = Math.max(0, ...existing.map((v) => v.version)) + 1;
  const parsed = MappingDefinition.safeParse({ ...(body as object), connector, entity, version });
  if (!parsed.success) throw validationProblem(parsed.error, 'invalid mapping definition');
  const now = new Date().toISOString();
  await db
    .insertInto('mapping_versions')
    .values({ connector, entity, version, definition: JSON.stringify(parsed.data), status: 'draft', created_by: actor.name, created_at: now, published_at: null })
    .execute();
  await appendAudit(db, [{ actor, action: 'mapping_draft', entity: 'mapping', entityId: `${connector}/${entity}/v${version}`, after: parsed.data, at: now }]);
  return parsed.data;
}

async function setCurrent(db: Db, connector: string, entity: string, version: number): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('mappings')
    .values({ connector, entity, current_version: version, updated_at: now })
    .onConflict((oc) => oc.columns(['connector', 'entity']).doUpdateSet({ current_version: version, updated_at: now }))
    .execute();
}

/** Publishes a draft (frozen from now on) and makes it current. */
export async function publishVersion(db: Db, connector: string, entity: string, version: number, actor: Actor): Promise<void> {
  const row = await db.selectFrom('mapping_versions').select(['status']).where('connector', '=', connector).where('entity', '=', entity).where('version', '=', version).executeTakeFirst();
  if (!row) throw new Problem(404, 'Not found', `no draft ${connector} ${entity} v${version}`);
  if (row.status === 'published') throw new Problem(409, 'Already published', `${connector} ${entity} v${version} is already published`);
  const before = await currentVersion(db, connector, entity).catch(() => undefined);
  const now = new Date().toISOString();
  await db.updateTable('mapping_versions').set({ status: 'published', published_at: now }).where('connector', '=', connector).where('entity', '=', entity).where('version', '=', version).execute();
  await setCurrent(db, connector, entity, version);
  await appendAudit(db, [{ actor, action: 'mapping_publish', entity: 'mapping', entityId: `${connector}/${entity}`, before: { current: before }, after: { current: version }, at: now }]);
}

/** Makes an older published (or built-in) version current again. */
export async function rollbackVersion(db: Db, connector: string, entity: string, version: number, actor: Actor): Promise<void> {
  const versions = await listVersions(db, connector, entity);
  const target = versions.find((v) => v.version === version);
  if (!target) throw new Problem(404, 'Not found', `${connector} ${entity} has no version ${version}`);
  if (target.status === 'draft') throw new Problem(409, 'Not published', `v${version} is a draft; publish it instead`);
  const before = versions.find((v) => v.current)?.version;
  await setCurrent(db, connector, entity, version);
  await appendAudit(db, [{ actor, action: 'mapping_rollback', entity: 'mapping', entityId: `${connector}/${entity}`, before: { current: before }, after: { current: version }, at: new Date().toISOString() }]);
}
