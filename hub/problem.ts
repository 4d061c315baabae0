// RFC 9457 problem details: the one error shape of every Qiao HTTP answer.
import type { z } from 'zod';

/** One offending field: a JSON path like `lines[2].sku`, and why. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error that becomes an `application/problem+json` answer.
 * @example throw new Problem(409, 'Invalid status transition', 'Order ... cannot go from draft to shipped', { allowed: ['confirmed'] })
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> & { errors?: FieldError[] } = {},
  ) {
    super(detail ?? title);
  }

  toJSON(instance?: string): Record<string, unknown> {
    return {
      type: `https://qiao.dev/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

/** Renders a zod path (`['lines', 2, 'sku']`) as `lines[2].sku`. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** Lists each zod issue as a field error; unknown keys name the key itself. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key], prefix), message: 'is not a known field' }));
    }
    return [{ field: fieldPath(issue.path, prefix), message: issue.message }];
  });
}

/** A 422 naming every field that failed validation. */
export function validationProblem(error: z.ZodError, where: string, prefix = ''): Problem {
  const errors = fieldErrors(error, prefix);
  const first = errors[0];
  return new Problem(422, 'Validation failed', `${where}: ${first ? `${first.field} ${first.message}` : 'invalid'}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, { errors });
}
