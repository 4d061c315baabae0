// Provenance: which system last wrote each field of a canonical record, when, with which mapping version.
import type { Db } from '../store/records';
import type { FieldProvenanceTable } from '../store/schema';

/** A row of `field_provenance`. */
export type ProvenanceRow = FieldProvenanceTable;

/** Records the source of fields just written: one row per (record, field), replaced in place. */
export async function saveProvenance(db: Db, rows: readonly ProvenanceRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('field_provenance')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['entity', 'record_id', 'field']).doUpdateSet((eb) => ({ source: eb.ref('excluded.source'), source_time: eb.ref('excluded.source_time'), mapping_version: eb.ref('excluded.mapping_version') })))
      .execute();
  }
}

/** Provenance rows for fields one system wrote at one time. */
export function provenanceOf(entity: string, recordId: string, fields: readonly string[], source: string, sourceTime: string, mappingVersion: number | null): ProvenanceRow[] {
  return fields.map((field) => ({ entity, record_id: recordId, field, source, source_time: sourceTime, mapping_version: mappingVersion }));
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
