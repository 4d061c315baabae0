// Provenance: which system last wrote each field of a canonical record, when, with which mapping version.
import type { Db } from '../store/records';

/** Records the source of fields just written; one row per (record, field). */
export async function saveProvenance(db: Db, entity: string, id: string, fields: readonly string[], source: string, sourceTime: string, mappingVersion: number | null): Promise<void> {
  if (!fields.length) return;
  await db.deleteFrom('field_provenance').where('entity', '=', entity).where('record_id', '=', id).where('field', 'in', fields).execute();
  await db
    .insertInto('field_provenance')
    .values(fields.map((field) => ({ entity, record_id: id, field, source, source_time: sourceTime, mapping_version: mappingVersion })))
    .execute();
}

/** The provenance keys of the fields that differ: top-level fields, and stock per warehouse. */
export function changedFields(beforeRecord: object | undefined, afterRecord: object): string[] {
  const before = beforeRecord as Record<string, unknown> | undefined;
  const after = afterRecord as Record<string, unknown>;
  const skip = new Set(['id', 'version', 'createdAt', 'updatedAt']);
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  const out: string[] = [];
  for (const key of keys) {
    if (skip.has(key)) continue;
    if (key === 'stockLevels') {
      const old = new Map(((before?.stockLevels as { warehouse: string }[] | undefined) ?? []).map((l) => [l.warehouse, JSON.stringify(l)]));
      for (const level of (after.stockLevels as { warehouse: string }[] | undefined) ?? []) {
        if (old.get(level.warehouse) !== JSON.stringify(level)) out.push(`stockLevels.${level.warehouse}`);
      }
    } else if (JSON.stringify(before?.[key]) !== JSON.stringify(after[key])) {
      out.push(key);
    }
  }
  return out;
}
