// Gateway middleware: bearer-token auth, role checks, idempotency keys, problem+json errors.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Role } from '../mappings/canonical';
import { actorForToken } from './auth';
import type { AppEnv } from './env';
import { Problem } from './problem';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from './store/idempotency';

export const PROBLEM_JSON = 'application/problem+json';

export function problemResponse(c: Context, problem: Problem): Response {
  return c.body(JSON.stringify(problem.toJSON(c.req.path)), problem.status as 400, { 'content-type': PROBLEM_JSON });
}

/** Maps any thrown error to one problem+json answer; unexpected ones are logged, never leaked. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof Problem) return problemResponse(c, err);
  if (err instanceof HTTPException) {
    const title = err.status === 413 ? 'Payload too large' : err.status === 400 ? 'Bad request' : 'HTTP error';
    return problemResponse(c, new Problem(err.status, title, err.message || title));
  }
  console.error(`[gateway] ${c.req.method} ${c.req.path} failed:`, err);
  return problemResponse(c, new Problem(500, 'Internal error', 'The request failed on the server; it is logged. Retry it, or ask IT to look at the gateway log.'));
}

/** Requires `Authorization: Bearer <token>` and puts the caller in `c.var.actor`. */
export function requireToken(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      c.header('WWW-Authenticate', 'Bearer realm="qiao"');
      throw new Problem(401, 'Unauthenticated', 'send an API token as `Authorization: Bearer <token>`');
    }
    const actor = actorForToken(c.var.deps.tokens, match[1]);
    if (!actor) throw new Problem(401, 'Unauthenticated', 'the API token is not known');
    c.set('actor', actor);
    await next();
  };
}

/** A write allowed only to the given roles; others get 403 naming the roles that may. */
export function requireRole(roles: readonly Role[], what: string): MiddlewareHandler<AppEnv> {
  return async function authorize(c, next) {
    const { role, name } = c.var.actor;
    if (!roles.includes(role)) {
      throw new Problem(403, 'Forbidden', `${name} has role ${role}; ${what} needs one of: ${roles.join(', ')}`, { requiredRoles: roles });
    }
    await next();
  };
}

/** Headers kept with an idempotent answer and replayed with it. */
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'];

/**
 * `Idempotency-Key` on POST: the same key and body replay the first answer (with
 * `Idempotent-Replayed: true`); the same key with another body is a 422.
 */
export function idempotencyKeys(): MiddlewareHandler<AppEnv> {
  return async function idempotent(c, next) {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new Problem(400, 'Invalid Idempotency-Key', 'Idempotency-Key must be 1 to 255 visible ASCII characters', { errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }] });
    }
    const { db } = c.var.deps.store;
    const principal = c.var.actor.name;
    const bodyHash = createHash('sha256').update(await c.req.text()).digest('hex');
    const claim = await claimIdempotencyKey(db, { principal, key, method: c.req.method, path: c.req.path, bodyHash });
    if (claim.kind === 'mismatch') {
      throw new Problem(422, 'Idempotency key reused', `Idempotency-Key ${key} was first used for a different request (${claim.method} ${claim.path} with another body); use a new key for a new request`, {
        errors: [{ field: 'Idempotency-Key', message: 'was used for a different request body' }],
      });
    }
    if (claim.kind === 'in_progress') {
      c.header('Retry-After', '1');
      throw new Problem(409, 'Request in progress', `a request with Idempotency-Key ${key} is still running; retry shortly`);
    }
    if (claim.kind === 'replay') {
      const { status, headers, body } = claim.response;
      return c.body(body, status as 200, { ...headers, 'idempotent-replayed': 'true' });
    }
    try {
      await next();
    } catch (err) {
      await releaseIdempotencyKey(db, principal, key);
      throw err;
    }
    const res = c.res;
    if (res.status >= 500) {
      await releaseIdempotencyKey(db, principal, key);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = res.headers.get(name);
      if (value) headers[name] = value;
    }
    await completeIdempotencyKey(db, principal, key, { status: res.status, headers, body: await res.clone().text() });
  };
}
