// Field ownership: which systems may write each canonical field, and who wins when two disagree.

/** The CRM core itself (the /v1 API) as a source of values. */
export const CRM_CORE = 'crm-core';

/**
 * - `precedence`: only the listed systems may write the field; an earlier one in the list wins over a
 *   later one, whatever the times. A system not in the list is ignored.
 * - `lww`: last writer wins by source time.
 * Under both, an update older than the stored value's source time from the same system is ignored,
 * so replaying events in any order converges.
 */
export type FieldPolicy = { kind: 'precedence'; sources: readonly string[] } | { kind: 'lww' };

export interface EntityOwnership {
  default: FieldPolicy;
  fields: Readonly<Record<string, FieldPolicy>>;
}

const lww: FieldPolicy = { kind: 'lww' };
const first = (...sources: string[]): FieldPolicy => ({ kind: 'precedence', sources });

/** The ERP systems whose stock figures Qiao accepts. */
export const ERP_SOURCES = ['odoo', 'erpnext', 'sap'] as const;

/** Ownership per canonical entity; `stockLevels` is decided per warehouse. */
export const OWNERSHIP: Readonly<Record<string, EntityOwnership>> = {
  customer: { default: lww, fields: { phones: first(CRM_CORE, 'odoo', 'directory'), emails: first(CRM_CORE, 'odoo', 'directory') } },
  contact: { default: lww, fields: { phone: first(CRM_CORE, 'odoo', 'directory'), email: first(CRM_CORE, 'odoo', 'directory') } },
  // Stock comes from the ERP only: a CRM or an import may not overwrite it.
  product: { default: lww, fields: { stockLevels: first(...ERP_SOURCES) } },
  // The promised date is Qiao's planning, or the ERP's commitment, or a user's in the CRM core; a CRM
  // that shows it (HubSpot, Salesforce) only reads back what Qiao wrote there, and an empty one there
  // must not clear it. (Status and lines follow the order rules in hub/sync/apply.ts.)
  order: { default: lww, fields: { promisedDate: first(CRM_CORE, ...ERP_SOURCES) } },
};

export function policyFor(entity: string, field: string): FieldPolicy {
  const ownership = OWNERSHIP[entity];
  const top = field.split('.')[0] ?? field;
  return ownership?.fields[top] ?? ownership?.default ?? lww;
}

/** Stored provenance of one field value. */
export interface Provenance {
  source: string;
  sourceTime: string;
}

/**
 * Whether a value from `source` at `sourceTime` may replace the stored one.
 * @example mayWrite('customer', 'phones', { source: 'odoo', sourceTime }, { source: 'crm-core', sourceTime: older }) // false
 */
export function mayWrite(entity: string, field: string, incoming: Provenance, stored: Provenance | undefined): boolean {
  const policy = policyFor(entity, field);
  if (policy.kind === 'precedence') {
    const rank = policy.sources.indexOf(incoming.source);
    if (rank < 0) return false;
    if (!stored) return true;
    if (stored.source === incoming.source) return incoming.sourceTime >= stored.sourceTime;
    const storedRank = policy.sources.indexOf(stored.source);
    return storedRank < 0 || rank < storedRank;
  }
  return !stored || incoming.sourceTime >= stored.sourceTime;
}
