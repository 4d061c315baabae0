// Ids a mapping needs, looked up in the links before it runs (mappings do no I/O).
import type { Db } from '../store/records';

/**
 * Builds `ctx.refs` for a mapping: going in, external id → canonical id; going out, canonical id →
 * external id, both through the links of one connector.
 * @example await lookupRefs(db, 'odoo', 'in', [{ entity: 'customer', id: '42' }]) // { customer: { '42': 'cus_…' } }
 */
export async function lookupRefs(db: Db, connector: string, direction: 'in' | 'out', wanted: readonly { entity: string; id: string }[]): Promise<Record<string, Record<string, string>>> {
  const refs: Record<string, Record<string, string>> = {};
  for (const { entity, id } of wanted) {
    const query = db.selectFrom('links').select(['canonical_id', 'external_id']).where('connector', '=', connector).where('entity', '=', entity);
    const found = await (direction === 'in' ? query.where('external_id', '=', id) : query.where('canonical_id', '=', id)).executeTakeFirst();
    if (!found) continue;
    refs[entity] = { ...refs[entity], [id]: direction === 'in' ? found.canonical_id : found.external_id };
  }
  return refs;
}
