// The `contact` entity: res.partner people who belong to a company (`parent_id` set).
import type { EntitySink, EntitySource } from '../contract';
import { ConnectorError } from '../errors';
import type { OdooClient } from './client';
import { createModelSink, createModelSource, type ModelEntity } from './model';
import { internalPartners, OPTIONAL_PARTNER_FIELDS, PARTNER_FIELDS, preparePartner } from './partner';

/** People under a company; the complement of the customer domain (the own organisation aside). */
export const CONTACT_DOMAIN = [['is_company', '=', false], ['parent_id', '!=', false]];

export const CONTACT_FIELDS = [...PARTNER_FIELDS, 'parent_id', 'function', 'type'] as const;

/** Contacts as a source and a sink; a new contact must name its company in `parent_id`. */
export function contactEntity(client: OdooClient, options: { pageSize: number; settleSeconds: number }): { source: EntitySource; sink: EntitySink } {
  const preparePartnerVals = preparePartner(client);
  const internal = internalPartners(client);
  const entity: ModelEntity = {
    model: 'res.partner',
    domain: CONTACT_DOMAIN,
    // Employees (and anyone under the own company) are colleagues, not contacts of a customer.
    async scope() {
      const { companies, employees } = await internal();
      return [...(employees.length > 0 ? [['id', 'not in', employees]] : []), ...(companies.length > 0 ? [['parent_id', 'not in', companies]] : [])];
    },
    fields: CONTACT_FIELDS,
    optionalFields: OPTIONAL_PARTNER_FIELDS,
    async prepare(vals, write) {
      if (!write.externalId && (vals.parent_id === undefined || vals.parent_id === false)) {
        throw new ConnectorError('invalid', 'a contact needs parent_id (its company); without it Odoo would make it a customer', { field: 'parent_id' });
      }
      if (vals.is_company === true) throw new ConnectorError('invalid', 'a contact cannot be a company (is_company = true)', { field: 'is_company' });
      return preparePartnerVals(vals, write);
    },
  };
  return { source: createModelSource(client, entity, options), sink: createModelSink(client, entity) };
}
