// Interaction (email, SMS, call, note, complaint) and User (an employee from the directory).
import { z } from 'zod';
import { CanonicalId, Email, ExternalRef, Phone, RecordMeta, Timestamp } from './primitives';

export const Interaction = z
  .object({
    id: CanonicalId,
    customerId: CanonicalId,
    contactId: CanonicalId.optional(),
    channel: z.enum(['email', 'sms', 'call', 'note', 'complaint']),
    direction: z.enum(['inbound', 'outbound', 'internal']),
    subject: z.string().max(500).optional(),
    body: z.string().max(100_000).optional(),
    occurredAt: Timestamp,
    deliveryStatus: z.enum(['queued', 'sent', 'delivered', 'failed', 'bounced', 'not_applicable']).default('not_applicable'),
    externalRefs: z.array(ExternalRef).default([]),
    ...RecordMeta,
  })
  .describe('Something said to or by a customer, with its delivery status.');
export type Interaction = z.infer<typeof Interaction>;

export const ROLES = ['admin', 'finance', 'sales', 'viewer'] as const;
export const Role = z.enum(ROLES).describe('admin (IT), finance, sales or viewer (read only).');
export type Role = z.infer<typeof Role>;

export const User = z
  .object({
    id: CanonicalId,
    login: z.string().min(1).max(128),
    name: z.string().max(200),
    email: Email.optional(),
    phone: Phone.optional(),
    managerId: CanonicalId.optional(),
    groups: z.array(z.string()).default([]),
    roles: z.array(Role).default([]),
    externalRefs: z.array(ExternalRef).default([]),
    ...RecordMeta,
  })
  .describe('An employee from the directory.');
export type User = z.infer<typeof User>;
