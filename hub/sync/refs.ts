// Ids a mapping needs, looked up in the links before it runs (mappings do no I/O).
import type { Db } from '../store/records';

/**
 * Builds `ctx.refs` for a mapping: going in, external id → canonical id; going out, canonical id →
 * external id, both through the links of one connector.
 * @example await lookupRefs(db, 'odoo', 'in', [{ entity: 'customer', id: '42' }]) // { customer: { '42': 'cus_…' } }
 */
export async function lookupRefs(db: Db, connector: string, direction: 'in' | 'out', wanted: readonly { entity: string; id: string }[]): Promise<Record<string, Record<string, string>>> {
  const refs: Record<string, Record<string, string>> = {};
  const byEntity = new Map<string, Set<string>>();
  for (const { entity, id } of wanted) byEntity.set(entity, (byEntity.get(entity) ?? new Set()).add(id));
  for (const [entity, ids] of byEntity) {
    const list = [...ids];
    const map: Record<string, string> = {};
    refs[entity] = map;
    // One query per entity (in chunks under the parameter limits), whatever the number of records.
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500);
      const query = db.selectFrom('links').select(['canonical_id', 'external_id']).where('connector', '=', connector).where('entity', '=', entity);
      const found = await (direction === 'in' ? query.where('external_id', 'in', chunk) : query.where('canonical_id', 'in', chunk)).execute();
      for (const f of found) {
        const [from, to] = direction === 'in' ? [f.external_id, f.canonical_id] : [f.canonical_id, f.external_id];
        map[from] = to;
      }
    }
  }
  return refs;
}
