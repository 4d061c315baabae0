// Field ownership: who may write a field, and which write wins, whatever order events arrive in.
import { describe, expect, it } from 'vitest';
import { mayWrite, policyFor } from '../mappings/canonical';

const at = (s: string) => `2026-11-26T10:00:${s}.000Z`;

describe('field ownership', () => {
  it('stock comes from the ERP only; a CRM value never overrides it', () => {
    expect(policyFor('product', 'stockLevels.WH1')).toEqual({ kind: 'precedence', sources: ['odoo', 'erpnext', 'sap'] });
    expect(mayWrite('product', 'stockLevels.WH1', { source: 'hubspot', sourceTime: at('10') }, undefined)).toBe(false);
    expect(mayWrite('product', 'stockLevels.WH1', { source: 'odoo', sourceTime: at('10') }, { source: 'crm-core', sourceTime: at('20') })).toBe(true);
  });

  it('phone from the CRM core first, then the ERP: the ERP cannot overwrite what the CRM set', () => {
    expect(mayWrite('customer', 'phones', { source: 'odoo', sourceTime: at('30') }, { source: 'crm-core', sourceTime: at('10') })).toBe(false);
    expect(mayWrite('customer', 'phones', { source: 'crm-core', sourceTime: at('05') }, { source: 'odoo', sourceTime: at('10') })).toBe(true);
    expect(mayWrite('customer', 'phones', { source: 'odoo', sourceTime: at('30') }, undefined)).toBe(true);
  });

  it('an older update from the same system is ignored, so out-of-order webhooks converge', () => {
    expect(mayWrite('customer', 'name', { source: 'odoo', sourceTime: at('10') }, { source: 'odoo', sourceTime: at('20') })).toBe(false);
    expect(mayWrite('customer', 'name', { source: 'odoo', sourceTime: at('20') }, { source: 'odoo', sourceTime: at('10') })).toBe(true);
    expect(mayWrite('customer', 'phones', { source: 'odoo', sourceTime: at('10') }, { source: 'odoo', sourceTime: at('20') })).toBe(false);
  });

  it('last writer wins by source time between systems on other fields', () => {
    expect(mayWrite('customer', 'name', { source: 'odoo', sourceTime: at('30') }, { source: 'crm-core', sourceTime: at('20') })).toBe(true);
    expect(mayWrite('customer', 'name', { source: 'odoo', sourceTime: at('10') }, { source: 'crm-core', sourceTime: at('20') })).toBe(false);
  });
});
