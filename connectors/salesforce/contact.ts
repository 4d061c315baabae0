// The `contact` entity: Contact, with AccountId the customer it belongs to.
import type { EntitySink, EntitySource } from '../contract';
import type { SalesforceClient } from './client';
import { type SObjectEntityOptions, sobjectEntity } from './sobject';

/** `Name` is Salesforce's read-only compound of FirstName and LastName. */
export const CONTACT_FIELDS = ['AccountId', 'FirstName', 'LastName', 'Name', 'Title', 'Email', 'Phone', 'MobilePhone'] as const;

/**
 * Contacts as a source and a sink. No `delete`.
 * @example const { source, sink } = contactEntity(client, { pageSize: 200, externalIdField: 'Qiao_Id__c' })
 */
export function contactEntity(client: SalesforceClient, options: SObjectEntityOptions): { source: EntitySource; sink: EntitySink } {
  return sobjectEntity(client, { object: 'Contact', fields: CONTACT_FIELDS }, options);
}
