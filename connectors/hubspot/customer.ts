// The `customer` entity: HubSpot companies.
import type { EntitySink, EntitySource } from '../contract';
import type { HubspotClient } from './client';
import { createObjectEntity } from './objects';

/** Company properties Qiao reads: name, web, phone, address and lifecycle stage. */
export const COMPANY_PROPERTIES = ['name', 'domain', 'website', 'phone', 'address', 'address2', 'city', 'zip', 'state', 'country', 'industry', 'lifecyclestage', 'description', 'createdate'] as const;

/**
 * Companies as a source and a sink: creates are upserts by `idProperty` (Qiao's id), deletes archive.
 * @example const { source, sink } = customerEntity(api, { idProperty: 'qiao_id', pageSize: 100 })
 */
export function customerEntity(api: HubspotClient, options: { idProperty: string; pageSize: number }): { source: EntitySource; sink: EntitySink } {
  return createObjectEntity(
    api,
    { objectType: 'companies', modifiedProperty: 'hs_lastmodifieddate', properties: COMPANY_PROPERTIES, idProperty: options.idProperty, archivable: true },
    options,
  );
}
