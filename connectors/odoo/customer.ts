// The `customer` entity: res.partner companies and partners without a parent company.
import type { EntitySink, EntitySource } from '../contract';
import type { OdooClient } from './client';
import { createModelSink, createModelSource, type ModelEntity } from './model';
import { internalPartners, OPTIONAL_PARTNER_FIELDS, PARTNER_FIELDS, preparePartner } from './partner';

/**
 * A company, or a person with no company above it. A company with a parent (a subsidiary) is a
 * customer too; every other partner with a parent is a contact. The own companies and employees
 * are left out (see `internalPartners`).
 */
export const CUSTOMER_DOMAIN = ['|', ['is_company', '=', true], ['parent_id', '=', false]];

export const CUSTOMER_FIELDS = [...PARTNER_FIELDS, 'is_company', 'parent_id', 'vat', 'ref', 'website', 'customer_rank'] as const;

/**
 * Customers as a source (changes, archived ones deleted) and a sink (match on `ref` by default).
 * New customers get `customer_rank: 1`, so Odoo lists them under Customers.
 */
export function customerEntity(client: OdooClient, options: { pageSize: number; settleSeconds: number }): { source: EntitySource; sink: EntitySink } {
  const internal = internalPartners(client);
  const entity: ModelEntity = {
    model: 'res.partner',
    domain: CUSTOMER_DOMAIN,
    // The own company and the employees are partners without a parent too; they are not customers.
    async scope() {
      const { companies, employees } = await internal();
      const own = [...companies, ...employees];
      return own.length > 0 ? [['id', 'not in', own]] : [];
    },
    fields: CUSTOMER_FIELDS,
    createDefaults: { customer_rank: 1 },
    prepare: preparePartner(client),
    optionalFields: OPTIONAL_PARTNER_FIELDS,
  };
  return { source: createModelSource(client, entity, options), sink: createModelSink(client, entity) };
}
