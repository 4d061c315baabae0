// What a mapping gets besides the record: ids looked up beforehand and defaults; and what it reports.

/**
 * Everything a mapping needs that is not in the record. A mapping does no I/O: the engine looks the
 * ids up before it maps (`referencedIds` / `referencedCanonicalIds` say which) and passes them here.
 *
 * `refs[entity][idInTheRecordBeingMapped]` is the id of the same record on the other side:
 * - mapping in (`mapToCanonical`): external id → canonical id, e.g. `{ customer: { '42': 'cus_01…' } }`;
 * - mapping out (`mapToExternal`): canonical id → external id, e.g. `{ customer: { 'cus_01…': '42' } }`.
 * JSON only, so a workflow can carry it in its input.
 *
 * @example { refs: { customer: { '42': 'cus_01j9z3k4m5n6p7q8r9s0t1v2w3' } }, defaults: { currency: 'EUR', country: 'DE' } }
 */
export interface MapContext {
  refs: Record<string, Record<string, string>>;
  /** Values the `default`, `money` and `decimalToMinor` transforms fall back to: `currency`, `country`, ... */
  defaults: Record<string, string>;
  /**
   * Mapping in, whether to check the result against the canonical schema (default true), so a value
   * the model refuses is an error naming the external field too. It is about half the cost of mapping
   * a record; a caller that validates the merged record itself may turn it off. Transform errors are
   * reported either way.
   */
  validate?: boolean;
}

/** Context of a mapping out: also whether the target record is being created (create-only rules run). */
export interface OutContext extends MapContext {
  creating: boolean;
}

/** One thing a mapping could not do, by canonical field (dot path) and the external field it maps. */
export interface MappingError {
  /** The canonical field, e.g. `phones.0`. */
  field: string;
  /** The external field, e.g. `phone`; absent for errors of a whole record. */
  external?: string;
  message: string;
}

/** What a mapping returns: the mapped (partial) record and the fields it could not map. */
export interface MapResult {
  value: Record<string, unknown>;
  errors: MappingError[];
}

/** Thrown by a transform for a value it cannot convert; the engine adds the field names. */
export class TransformError extends Error {
  override name = 'TransformError';
}
