// The built-in mapping versions, per (connector, entity), with a default version and a loud failure
// for a version that does not exist. Versions are whole, frozen definitions: code never branches on a
// version number inside a mapping; a change of output is a new file `<entity>.v<N+1>.ts`.
import { odooContactV1 } from '../odoo/contact.v1';
import { odooCustomerV1 } from '../odoo/customer.v1';
import { odooProductV1 } from '../odoo/product.v1';
import { odooStockLevelV1 } from '../odoo/stock-level.v1';
import { templateRecordV1 } from '../template/record.v1';
import { salesforceContactV1 } from '../salesforce/contact.v1';
import { salesforceCustomerV1 } from '../salesforce/customer.v1';
import { salesforceOrderV1 } from '../salesforce/order.v1';
import { salesforceProductV1 } from '../salesforce/product.v1';
import { hubspotContactV1 } from '../hubspot/contact.v1';
import { hubspotCustomerV1 } from '../hubspot/customer.v1';
import { hubspotOrderV1 } from '../hubspot/order.v1';
import { hubspotProductV1 } from '../hubspot/product.v1';
import { odooOrderV1 } from '../odoo/order.v1';
import { odooProductionOrderV1 } from '../odoo/production-order.v1';
import type { MappingDefinition } from './definition';

/** All versions of one (connector, entity), and the one new runs use unless told otherwise. */
interface VersionedMapping {
  connector: string;
  entity: string;
  versions: Readonly<Record<number, MappingDefinition>>;
  /** Default: the newest version. */
  defaultVersion?: number;
}

const BUILT_IN: readonly VersionedMapping[] = [
  { connector: 'odoo', entity: 'customer', versions: { 1: odooCustomerV1 } },
  { connector: 'odoo', entity: 'contact', versions: { 1: odooContactV1 } },
  { connector: 'odoo', entity: 'product', versions: { 1: odooProductV1 } },
  { connector: 'odoo', entity: 'stock_level', versions: { 1: odooStockLevelV1 } },
  { connector: 'template', entity: 'record', versions: { 1: templateRecordV1 } },
  { connector: 'salesforce', entity: 'customer', versions: { 1: salesforceCustomerV1 } },
  { connector: 'salesforce', entity: 'contact', versions: { 1: salesforceContactV1 } },
  { connector: 'salesforce', entity: 'product', versions: { 1: salesforceProductV1 } },
  { connector: 'salesforce', entity: 'order', versions: { 1: salesforceOrderV1 } },
  { connector: 'hubspot', entity: 'customer', versions: { 1: hubspotCustomerV1 } },
  { connector: 'hubspot', entity: 'contact', versions: { 1: hubspotContactV1 } },
  { connector: 'hubspot', entity: 'product', versions: { 1: hubspotProductV1 } },
  { connector: 'hubspot', entity: 'order', versions: { 1: hubspotOrderV1 } },
  { connector: 'odoo', entity: 'order', versions: { 1: odooOrderV1 } },
  { connector: 'odoo', entity: 'production_order', versions: { 1: odooProductionOrderV1 } },
];

/** A mapping version that does not exist: never silently replaced by another one. */
export class UnknownMappingError extends Error {
  override name = 'UnknownMappingError';
  constructor(
    readonly connector: string,
    readonly entity: string,
    readonly version: number | undefined,
    readonly known: readonly number[],
  ) {
    super(
      known.length
        ? `${connector} ${entity} has no built-in mapping version ${version}; built-in versions: ${known.join(', ')}`
        : `there is no built-in mapping for ${connector} ${entity}; built-in: ${BUILT_IN.map((m) => `${m.connector}/${m.entity}`).join(', ')}`,
    );
  }
}

function versionsOf(m: VersionedMapping): number[] {
  return Object.keys(m.versions)
    .map(Number)
    .sort((a, b) => a - b);
}

// Each file must say the connector, entity and version it is filed under: a copied file that still
// says v1 would otherwise shadow the version it claims to be.
for (const m of BUILT_IN) {
  for (const version of versionsOf(m)) {
    const def = m.versions[version] as MappingDefinition;
    if (def.connector !== m.connector || def.entity !== m.entity || def.version !== version) {
      throw new Error(`built-in mapping ${m.connector}/${m.entity} v${version} says it is ${def.connector}/${def.entity} v${def.version}`);
    }
  }
  if (m.defaultVersion !== undefined && !m.versions[m.defaultVersion]) throw new Error(`${m.connector}/${m.entity}: default version ${m.defaultVersion} does not exist`);
}

function find(connector: string, entity: string): VersionedMapping {
  const m = BUILT_IN.find((b) => b.connector === connector && b.entity === entity);
  if (!m) throw new UnknownMappingError(connector, entity, undefined, []);
  return m;
}

/** The version new runs of a built-in mapping use: the declared default, else the newest. */
export function defaultBuiltInVersion(connector: string, entity: string): number {
  const m = find(connector, entity);
  return m.defaultVersion ?? Math.max(...versionsOf(m));
}

/**
 * A built-in mapping version; the default one without `version`. An unknown connector, entity or
 * version throws UnknownMappingError naming what exists.
 * @example getBuiltInMapping('odoo', 'customer', 1)
 */
export function getBuiltInMapping(connector: string, entity: string, version?: number): MappingDefinition {
  const m = find(connector, entity);
  const wanted = version ?? defaultBuiltInVersion(connector, entity);
  const def = m.versions[wanted];
  if (!def) throw new UnknownMappingError(connector, entity, wanted, versionsOf(m));
  return def;
}

/** One built-in version, as `listBuiltInMappings` lists it. */
export interface BuiltInMappingVersion {
  connector: string;
  entity: string;
  canonical: MappingDefinition['canonical'];
  version: number;
  /** Whether this is the version new runs use by default. */
  isDefault: boolean;
  definition: MappingDefinition;
}

/** Every built-in version of every (connector, entity), oldest version first. */
export function listBuiltInMappings(): BuiltInMappingVersion[] {
  return BUILT_IN.flatMap((m) => {
    const current = defaultBuiltInVersion(m.connector, m.entity);
    return versionsOf(m).map((version) => {
      const definition = m.versions[version] as MappingDefinition;
      return { connector: m.connector, entity: m.entity, canonical: definition.canonical, version, isDefault: version === current, definition };
    });
  });
}
