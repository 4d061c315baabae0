// Schemas shared by every route: the problem document, run answers, and the validation hook.
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { validationProblem } from '../problem';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('Each offending field and why.'),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

const problem = (description: string) => ({ content: { 'application/problem+json': { schema: ProblemSchema } }, description });

/** The error answers every route can give. */
export const problemResponses = {
  400: problem('Malformed request.'),
  401: problem('No or unknown API token.'),
  403: problem('The token’s role may not do this.'),
  404: problem('No such record.'),
  409: problem('Conflicts with the stored state (invalid transition, duplicate key, request in progress).'),
  412: problem('If-Match does not match the current version.'),
  422: problem('A field is invalid; `errors` names each one.'),
};

export const RunAccepted = z
  .object({ runId: z.string(), status: z.literal('queued'), href: z.string() })
  .openapi('RunAccepted');

const TARGET_LABEL: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header' };

/** Every failed request validation becomes a 422 problem naming the fields. */
export function validationHook(result: { success: boolean; error?: unknown; target: string }, _c: Context): void {
  if (!result.success) {
    const where = TARGET_LABEL[result.target] ?? result.target;
    throw validationProblem(result.error as z.ZodError, `invalid request ${where}`);
  }
}
