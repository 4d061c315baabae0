// Invoice and Payment, with allocations of payments to invoices.
import { z } from 'zod';
import { CalendarDate, CanonicalId, ExternalRef, Money, RecordMeta } from './primitives';

export const Invoice = z
  .object({
    id: CanonicalId,
    number: z.string().min(1).max(64),
    orderId: CanonicalId.optional(),
    customerId: CanonicalId,
    amount: Money,
    openAmount: Money.describe('What is still to be paid.'),
    dueDate: CalendarDate,
    status: z.enum(['draft', 'open', 'partially_paid', 'paid', 'cancelled']),
    externalRefs: z.array(ExternalRef).default([]),
    ...RecordMeta,
  })
  .describe('An invoice.');
export type Invoice = z.infer<typeof Invoice>;

export const Allocation = z
  .object({ invoiceId: CanonicalId, amount: Money })
  .describe('The part of a payment applied to one invoice.');

export const Payment = z
  .object({
    id: CanonicalId,
    amount: Money,
    valueDate: CalendarDate,
    payerName: z.string().max(200).optional(),
    payerIban: z
      .string()
      .regex(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, 'must be an IBAN without spaces')
      .optional(),
    reference: z.string().max(500).optional().describe('Remittance text or structured reference.'),
    source: z.enum(['stripe', 'bank_statement', 'erp', 'manual']),
    fees: Money.optional(),
    allocations: z.array(Allocation).default([]),
    externalRefs: z.array(ExternalRef).default([]),
    ...RecordMeta,
  })
  .describe('Money received, and the invoices it pays.');
export type Payment = z.infer<typeof Payment>;
