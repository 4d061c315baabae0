// The `contact` entity: HubSpot contacts, with the id of their (primary) company as `company_id`.
import type { EntitySink, EntitySource } from '../contract';
import { ConnectorError } from '../errors';
import { BATCH_LIMIT, type HubspotClient, kindOfCategory } from './client';
import { createObjectEntity, primaryAssociation } from './objects';

/** Contact properties Qiao reads. Contacts keep their last change in `lastmodifieddate`, not `hs_lastmodifieddate`. */
export const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'jobtitle', 'lifecyclestage', 'createdate'] as const;

/** HubSpot-defined association type contact → company "Primary". */
export const CONTACT_TO_PRIMARY_COMPANY = 1;

/**
 * Contacts as a source and a sink. Records carry `company_id`, the contact's primary company (from
 * the associations API); a write with `company_id` makes that company the contact's primary one.
 * @example const { source } = contactEntity(api, { idProperty: 'qiao_id', pageSize: 100 })
 */
export function contactEntity(api: HubspotClient, options: { idProperty: string; pageSize: number }): { source: EntitySource; sink: EntitySink } {
  /** Associates contacts with companies; returns the error of each pair that failed, by index. */
  async function associate(pairs: { from: string; to: string }[]): Promise<Map<number, ConnectorError>> {
    const failures = new Map<number, ConnectorError>();
    const type = { category: 'HUBSPOT_DEFINED' as const, typeId: CONTACT_TO_PRIMARY_COMPANY };
    const one = async (i: number) => {
      try {
        const answer = await api.associate('contacts', 'companies', [pairs[i] as { from: string; to: string }], type);
        const problem = answer.errors?.[0];
        if (problem) failures.set(i, new ConnectorError(kindOfCategory(problem.category), `the contact was written, but HubSpot refused its company ${pairs[i]?.to}: ${problem.message ?? problem.category}`, { field: 'company_id' }));
      } catch (err) {
        if (!(err instanceof ConnectorError) || !['invalid', 'not_found', 'conflict'].includes(err.kind)) throw err;
        failures.set(i, new ConnectorError(err.kind, `the contact was written, but its company ${pairs[i]?.to} could not be associated: ${err.message}`, { status: err.status, field: 'company_id' }));
      }
    };
    for (let start = 0; start < pairs.length; start += BATCH_LIMIT) {
      const chunk = pairs.slice(start, start + BATCH_LIMIT);
      let clean = false;
      try {
        const answer = await api.associate('contacts', 'companies', chunk, type);
        clean = (answer.errors ?? []).length === 0;
      } catch (err) {
        if (!(err instanceof ConnectorError) || !['invalid', 'not_found', 'conflict'].includes(err.kind)) throw err;
      }
      // HubSpot does not say which pair an error is about: find them one by one (associating twice is harmless).
      if (!clean) for (let i = start; i < start + chunk.length; i++) await one(i);
    }
    return failures;
  }

  return createObjectEntity(
    api,
    {
      objectType: 'contacts',
      modifiedProperty: 'lastmodifieddate',
      properties: CONTACT_PROPERTIES,
      idProperty: options.idProperty,
      archivable: true,
      extraKeys: ['company_id'],
      async enrich(records) {
        const companies = await api.readAssociations(
          'contacts',
          'companies',
          records.map((r) => r.id),
        );
        return new Map(records.map((r) => [r.id, { company_id: primaryAssociation(companies.get(r.id), CONTACT_TO_PRIMARY_COMPANY) }]));
      },
      async afterWrite(written) {
        const pairs: { from: string; to: string }[] = [];
        const positions: number[] = [];
        const refused = new Map<number, ConnectorError>();
        for (const [k, entry] of written.entries()) {
          const company = entry.extras.company_id;
          // No company (or a removed one): v1 never removes an association.
          if (company === undefined || company === null || company === '') continue;
          if ((typeof company !== 'string' && typeof company !== 'number') || !/^[1-9]\d*$/.test(String(company))) {
            refused.set(k, new ConnectorError('invalid', `the contact was written, but company_id ${JSON.stringify(company)} is not a HubSpot company id`, { field: 'company_id' }));
            continue;
          }
          pairs.push({ from: entry.externalId, to: String(company) });
          positions.push(k);
        }
        for (const [i, error] of await associate(pairs)) refused.set(positions[i] as number, error);
        return refused;
      },
    },
    options,
  );
}
