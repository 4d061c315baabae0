// Customer (a company or a person) and Contact (a person at a customer).
import { z } from 'zod';
import { CanonicalId, Email, ExternalRef, Money, Phone, RecordMeta } from './primitives';

export const Address = z
  .object({
    kind: z.enum(['billing', 'shipping', 'office', 'other']).default('other').describe('What the address is used for.'),
    street: z.string().max(200).optional().describe('Street and number.'),
    city: z.string().max(100).optional(),
    postalCode: z.string().max(20).optional(),
    region: z.string().max(100).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like DE').describe('ISO 3166-1 alpha-2 country code.'),
  })
  .describe('A postal address.');

export const CustomerStatus = z.enum(['active', 'inactive', 'blocked']).describe('Whether the customer may order.');

const customerFields = {
  number: z.string().min(1).max(64).optional().describe('Customer number, unique; the business key for bulk upserts.'),
  kind: z.enum(['company', 'person']).default('company').describe('Company or private person.'),
  name: z.string().trim().min(1, 'must not be empty').max(200).describe('Display name.'),
  taxId: z.string().max(32).optional().describe('VAT or tax id.'),
  emails: z.array(Email).max(20).default([]).describe('Email addresses, first is primary.'),
  phones: z.array(Phone).max(20).default([]).describe('Phone numbers in E.164, first is primary.'),
  addresses: z.array(Address).max(20).default([]),
  ownerId: CanonicalId.optional().describe('The User (sales rep) who owns the customer.'),
  segment: z.string().max(64).optional().describe('Free segment label, e.g. `smb`.'),
  website: z.url({ message: 'must be a URL like https://acme.example' }).max(500).optional().describe('Web site.'),
  creditLimit: Money.optional().describe('Credit limit.'),
  status: CustomerStatus.default('active'),
  externalRefs: z.array(ExternalRef).default([]).describe('Where this customer lives in other systems.'),
};

/** What a client sends to create a customer. */
export const CustomerInput = z.object(customerFields).strict().describe('A customer to create.');
/** What a client sends to change a customer: any subset of the fields. */
export const CustomerPatch = CustomerInput.partial().strict().describe('Fields of a customer to change.');
/** A stored customer. */
export const Customer = z.object({ id: CanonicalId, ...customerFields, ...RecordMeta }).describe('A customer.');
export type Customer = z.infer<typeof Customer>;
export type CustomerInput = z.infer<typeof CustomerInput>;

const contactFields = {
  customerId: CanonicalId.describe('The customer this person works for.'),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  title: z.string().max(100).optional().describe('Job title.'),
  email: Email.optional(),
  phone: Phone.optional(),
  externalRefs: z.array(ExternalRef).default([]),
};

export const ContactInput = z.object(contactFields).strict().describe('A contact to create.');
export const ContactPatch = ContactInput.partial().strict().describe('Fields of a contact to change.');
export const Contact = z.object({ id: CanonicalId, ...contactFields, ...RecordMeta }).describe('A contact.');
export type Contact = z.infer<typeof Contact>;
