// What customers and contacts share: both are res.partner, with the same address fields, the same
// way of writing a country, and neither includes the own company or its employees.
import type { SinkWrite } from '../contract';
import { ConnectorError } from '../errors';
import type { OdooClient } from './client';
import { many2oneId, type OdooRow } from './values';

/** Address and reach fields every partner has; `mobile` is gone from Odoo 19 and read only where it exists. */
export const PARTNER_FIELDS = ['name', 'display_name', 'email', 'phone', 'mobile', 'street', 'street2', 'city', 'zip', 'country_id', 'country_code', 'lang', 'active', 'write_date'] as const;

/** Partner fields some Odoo versions lack: written only where they exist. */
export const OPTIONAL_PARTNER_FIELDS = ['mobile'] as const;

/**
 * Prepares partner vals: `country_code` (a related, read-only field in Odoo; writing it would
 * rename the country) becomes `country_id`, looked up once per code.
 */
export function preparePartner(client: OdooClient) {
  const countries = new Map<string, Promise<number | undefined>>();
  function countryId(code: string): Promise<number | undefined> {
    const key = code.toUpperCase();
    let id = countries.get(key);
    if (!id) {
      id = client.call<number[]>('res.country', 'search', { domain: [['code', '=', key]], limit: 1 }).then((ids) => ids[0]);
      countries.set(key, id);
      id.catch(() => countries.delete(key));
    }
    return id;
  }
  return async (vals: Record<string, unknown>, _write: SinkWrite): Promise<Record<string, unknown>> => {
    const { country_code: code, ...rest } = vals;
    if (code === undefined || rest.country_id !== undefined) return rest;
    if (code === false) return { ...rest, country_id: false };
    const id = typeof code === 'string' ? await countryId(code) : undefined;
    if (id === undefined) throw new ConnectorError('invalid', `Odoo knows no country with code ${JSON.stringify(code)}`, { field: 'country_code' });
    return { ...rest, country_id: id };
  };
}

/** How long the list of the own companies' and employees' partners is trusted. */
const INTERNAL_PARTNERS_TTL_MS = 5 * 60_000;

export interface InternalPartners {
  /** Partners of the companies of this database (res.company.partner_id). */
  companies: number[];
  /** Partners of internal users (employees, OdooBot); portal users are customers and not listed. */
  employees: number[];
}

/**
 * The partners that are the own organisation, not customers or their contacts: every company of
 * the database and every internal user (`share = false`) is also a res.partner, and would otherwise
 * match the customer domain. Asked again every few minutes.
 */
export function internalPartners(client: OdooClient): () => Promise<InternalPartners> {
  const shared = internalByClient.get(client);
  if (shared) return shared;
  let cached: { at: number; value: Promise<InternalPartners> } | undefined;
  const partnerIds = (rows: OdooRow[]) => rows.flatMap((r) => many2oneId(r.partner_id) ?? []);
  const lookup = () => {
    if (!cached || Date.now() - cached.at > INTERNAL_PARTNERS_TTL_MS) {
      const value = Promise.all([
        client.call<OdooRow[]>('res.company', 'search_read', { domain: [], fields: ['partner_id'], context: { active_test: false } }),
        client.call<OdooRow[]>('res.users', 'search_read', { domain: [['share', '=', false]], fields: ['partner_id'], context: { active_test: false } }),
      ]).then(([companies, users]) => ({ companies: partnerIds(companies), employees: partnerIds(users) }));
      cached = { at: Date.now(), value };
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
  internalByClient.set(client, lookup);
  return lookup;
}

/** One lookup per connection, shared by customers and contacts. */
const internalByClient = new WeakMap<OdooClient, () => Promise<InternalPartners>>();
