// The `order` entity: HubSpot deals with their company and line items. A won deal is a confirmed
// order; Qiao writes the order's progress back to the deal (qiao_order_status, qiao_promised_date).
import type { EntitySink, EntitySource } from '../contract';
import type { HubspotClient, HubspotObject } from './client';
import { compareIds, createObjectEntity, primaryAssociation } from './objects';

/** Deal properties Qiao reads; `qiao_*` are custom properties Qiao writes. */
export const DEAL_PROPERTIES = ['dealname', 'dealstage', 'pipeline', 'amount', 'closedate', 'deal_currency_code', 'description', 'qiao_order_status', 'qiao_promised_date', 'createdate'] as const;

/** Line item properties Qiao reads. `price` and `discount` (per unit) are in the deal's currency. */
export const LINE_ITEM_PROPERTIES = ['name', 'hs_sku', 'quantity', 'price', 'discount', 'hs_discount_percentage', 'hs_position_on_quote', 'hs_product_id'] as const;

/** HubSpot-defined association type deal → company "Primary". */
export const DEAL_TO_PRIMARY_COMPANY = 5;

/** Statuses that follow `confirmed`: Qiao's own progress, which a won deal keeps. */
const AFTER_CONFIRMATION = new Set(['confirmed', 'in_production', 'shipped', 'invoiced', 'paid', 'closed']);

/**
 * The canonical status a deal stands for: lost → `cancelled`; won → `confirmed`, or the further
 * status Qiao wrote to `qiao_order_status` (so reading back what Qiao wrote does not go backwards);
 * any other stage → `draft`.
 * @example orderStatusOf({ dealstage: 'closedwon', qiao_order_status: 'shipped' }, { wonStages: ['closedwon'], lostStages: ['closedlost'] }) // 'shipped'
 */
export function orderStatusOf(properties: Record<string, string | null | undefined>, stages: { wonStages: readonly string[]; lostStages: readonly string[] }): string {
  const stage = properties.dealstage ?? '';
  if (stages.lostStages.includes(stage)) return 'cancelled';
  if (!stages.wonStages.includes(stage)) return 'draft';
  const written = properties.qiao_order_status ?? '';
  return AFTER_CONFIRMATION.has(written) ? written : 'confirmed';
}

function positionOf(line: HubspotObject): number {
  const position = Number(line.properties.hs_position_on_quote);
  return Number.isFinite(position) && line.properties.hs_position_on_quote !== null && line.properties.hs_position_on_quote !== '' ? position : Number.MAX_SAFE_INTEGER;
}

/**
 * Deals as a source, and as a sink of updates only: records carry `company_id` (the primary
 * company), `line_items` (`[{id, hs_sku, name, quantity, price, discount, hs_discount_percentage}]`,
 * in quote order) and `qiao_status_in` (the canonical status, see `orderStatusOf`). Qiao does not
 * create deals, nor change their line items.
 * @example const { source } = orderEntity(api, { idProperty: 'qiao_id', pageSize: 100, wonStages: ['closedwon'], lostStages: ['closedlost'] })
 */
export function orderEntity(
  api: HubspotClient,
  options: { idProperty: string; pageSize: number; wonStages: readonly string[]; lostStages: readonly string[] },
): { source: EntitySource; sink: EntitySink } {
  return createObjectEntity(
    api,
    {
      objectType: 'deals',
      modifiedProperty: 'hs_lastmodifieddate',
      properties: DEAL_PROPERTIES,
      idProperty: options.idProperty,
      archivable: false,
      noCreates: 'Qiao does not create HubSpot deals: orders start in HubSpot as deals, and Qiao writes their status and promised date back to the linked deal',
      async enrich(deals) {
        const ids = deals.map((d) => d.id);
        const companies = await api.readAssociations('deals', 'companies', ids);
        const lines = await api.readAssociations('deals', 'line_items', ids);
        const lineIds = [...new Set([...lines.values()].flatMap((list) => list.map((l) => l.toObjectId)))];
        const lineItems = new Map((await api.batchRead('line_items', lineIds, LINE_ITEM_PROPERTIES)).map((l) => [l.id, l]));
        return new Map(
          deals.map((deal) => {
            const own = (lines.get(deal.id) ?? [])
              .flatMap((a) => lineItems.get(a.toObjectId) ?? [])
              .sort((a, b) => positionOf(a) - positionOf(b) || compareIds(a.id, b.id));
            const line_items = own.map((l) => ({
              id: l.id,
              hs_sku: l.properties.hs_sku ?? null,
              name: l.properties.name ?? null,
              quantity: l.properties.quantity ?? null,
              price: l.properties.price ?? null,
              discount: l.properties.discount ?? null,
              hs_discount_percentage: l.properties.hs_discount_percentage ?? null,
            }));
            return [deal.id, { company_id: primaryAssociation(companies.get(deal.id), DEAL_TO_PRIMARY_COMPANY), line_items, qiao_status_in: orderStatusOf(deal.properties, options) }];
          }),
        );
      },
    },
    options,
  );
}
