// Named pure functions a mapping runs after its field table, for what a table cannot say (one external
// field split over two canonical ones, and the like). Only code can add one; a mapping, built-in or
// published by a user, can only name the ones registered here.
import { hubspotFunctions } from '../hubspot/functions';
import { odooFunctions } from '../odoo/functions';
import { salesforceFunctions } from '../salesforce/functions';
import type { MapContext, MappingError, OutContext } from './context';
import type { CanonicalEntity } from './entities';

/**
 * A function of a mapping. `in` completes the canonical value the table produced, `out` the external
 * one; both change only the fields listed in `writes`, do no I/O and return the errors they found.
 * @example { name: 'odoo.street2', canonical: ['customer'], writes: { canonical: ['addresses'], external: ['street', 'street2'] }, in(external, canonical) { ... } }
 */
export interface MappingFunction {
  name: string;
  description: string;
  /** The canonical entities it fits. */
  canonical: readonly CanonicalEntity[];
  /** What it writes: top-level canonical fields (in) and external fields (out), for field ownership. */
  writes: { canonical: readonly string[]; external: readonly string[] };
  in?(external: Readonly<Record<string, unknown>>, canonical: Record<string, unknown>, ctx: MapContext): readonly MappingError[] | undefined;
  out?(canonical: Readonly<Record<string, unknown>>, external: Record<string, unknown>, ctx: OutContext): readonly MappingError[] | undefined;
}

/** Every registered function, by name. */
export const MAPPING_FUNCTIONS: ReadonlyMap<string, MappingFunction> = new Map([...odooFunctions, ...salesforceFunctions, ...hubspotFunctions].map((f) => [f.name, f]));

/** The registered function, or a loud failure naming the known ones. */
export function getMappingFunction(name: string): MappingFunction {
  const found = MAPPING_FUNCTIONS.get(name);
  if (!found) throw new Error(`unknown mapping function "${name}"; known: ${[...MAPPING_FUNCTIONS.keys()].join(', ') || 'none'}`);
  return found;
}
