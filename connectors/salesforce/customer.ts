// The `customer` entity: Account. Orgs with State and Country picklists have BillingCountryCode;
// the others get the ISO code written into the text field BillingCountry.
import type { EntitySink, EntitySource } from '../contract';
import type { SalesforceClient } from './client';
import { type SObjectEntityOptions, sobjectEntity } from './sobject';

/** Read where the org has them; `IsPersonAccount` exists only with person accounts enabled. */
export const ACCOUNT_FIELDS = ['Name', 'AccountNumber', 'Phone', 'BillingStreet', 'BillingCity', 'BillingPostalCode', 'BillingState', 'BillingCountry', 'BillingCountryCode', 'IsPersonAccount'] as const;

/**
 * Accounts as a source and a sink (creates upserted by the external id field). No `delete`: deleting
 * an Account in Salesforce deletes its contacts and opportunities too.
 * @example const { source, sink } = customerEntity(client, { pageSize: 200, externalIdField: 'Qiao_Id__c' })
 */
export function customerEntity(client: SalesforceClient, options: SObjectEntityOptions): { source: EntitySource; sink: EntitySink } {
  return sobjectEntity(
    client,
    {
      object: 'Account',
      fields: ACCOUNT_FIELDS,
      prepare(data, fields) {
        if (!('BillingCountryCode' in data) || fields.has('BillingCountryCode')) return data;
        const { BillingCountryCode: code, ...rest } = data;
        return { ...rest, BillingCountry: code };
      },
    },
    options,
  );
}
