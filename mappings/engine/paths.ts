// Dot paths into plain records (`emails.0`, `addresses.0.city`): parsed once, then read and written
// through small precompiled functions, so mapping a record never splits a string.

/** One step of a path: an object key, or an array index. */
export type Segment = string | number;

export type Getter = (record: unknown) => unknown;
export type Setter = (record: Record<string, unknown>, value: unknown) => void;

type Bag = Record<Segment, unknown>;

const INDEX = /^(0|[1-9]\d{0,5})$/;

/**
 * Names a path may not use: they would read or write the prototype of a record instead of its data.
 * User-published mappings are data from the API, so this is a security boundary, not tidiness.
 */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

/**
 * Splits a dot path into segments; numeric segments are array indexes. The empty path has no segments.
 * @example parsePath('addresses.0.city') // ['addresses', 0, 'city']
 */
export function parsePath(path: string): Segment[] {
  if (path === '') return [];
  return path.split('.').map((s) => (INDEX.test(s) ? Number(s) : s));
}

/** Why a path cannot be used, or undefined when it can. */
export function pathProblem(path: string): string | undefined {
  if (path === '') return undefined;
  for (const segment of path.split('.')) {
    if (segment === '') return `"${path}" has an empty segment`;
    if (FORBIDDEN_SEGMENTS.has(segment)) return `"${path}" uses the reserved name "${segment}"`;
  }
  return undefined;
}

function child(container: unknown, key: Segment): unknown {
  return container !== null && typeof container === 'object' ? (container as Bag)[key] : undefined;
}

/**
 * A function reading the value at `segments`; undefined when any step is missing. The empty path reads
 * nothing (a rule without a source field, such as a constant).
 */
export function compileGetter(segments: readonly Segment[]): Getter {
  const [a, b, c] = segments;
  switch (segments.length) {
    case 0:
      return () => undefined;
    case 1:
      return (r) => child(r, a as Segment);
    case 2:
      return (r) => child(child(r, a as Segment), b as Segment);
    case 3:
      return (r) => child(child(child(r, a as Segment), b as Segment), c as Segment);
    default:
      return (r) => {
        let value = r;
        for (const segment of segments) {
          value = child(value, segment);
          if (value === undefined) return undefined;
        }
        return value;
      };
  }
}

/**
 * A function writing `value` at `segments`, creating the objects and arrays on the way (an array where
 * the next segment is an index). A non-container in the way is replaced.
 */
export function compileSetter(segments: readonly Segment[]): Setter {
  if (segments.length === 0) return () => undefined;
  const last = segments[segments.length - 1] as Segment;
  if (segments.length === 1) {
    return (r, value) => {
      (r as Bag)[last] = value;
    };
  }
  const steps = segments.slice(0, -1).map((key, i) => ({ key, array: typeof segments[i + 1] === 'number' }));
  return (r, value) => {
    let container = r as Bag;
    for (const step of steps) {
      let next = container[step.key];
      if (next === null || typeof next !== 'object') {
        next = step.array ? [] : {};
        container[step.key] = next;
      }
      container = next as Bag;
    }
    container[last] = value;
  };
}

/** A path as the dot string it came from. */
export function joinPath(segments: readonly Segment[]): string {
  return segments.join('.');
}
