// Transport to HubSpot's date-versioned CRM API: objects (search, read, batch read/upsert/update,
// archive), associations and properties. HubSpot's error bodies become ConnectorError kinds naming
// the property HubSpot refused; rate limits carry the delay HubSpot asks for; the token never shows.
import { ConnectorError, type ConnectorErrorKind, kindForStatus, parseRetryAfter } from '../errors';
import { createHttpClient } from '../http';
import type { HubspotConfig } from './config';

/** A CRM record as HubSpot returns it: every property value is text (or null). */
export interface HubspotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  archivedAt?: string;
  /** Echoed from the input of a batch write. */
  objectWriteTraceId?: string;
  /** Batch upsert: whether the record was created. */
  new?: boolean;
}

/** One filter of a search; filters of a group are ANDed, groups are ORed. */
export interface SearchFilter {
  propertyName: string;
  operator: 'EQ' | 'NEQ' | 'LT' | 'LTE' | 'GT' | 'GTE' | 'BETWEEN' | 'IN' | 'NOT_IN' | 'HAS_PROPERTY' | 'NOT_HAS_PROPERTY';
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchRequest {
  filterGroups: { filters: SearchFilter[] }[];
  sorts?: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties: string[];
  limit: number;
  after?: string;
}

export interface SearchPage {
  total: number;
  results: HubspotObject[];
  paging?: { next?: { after: string } };
}

/** A per-record error of a batch answer (207 Multi-Status). */
export interface BatchError {
  status?: string;
  category?: string;
  message?: string;
  context?: Record<string, string[] | undefined>;
  errors?: { message?: string; code?: string; in?: string; context?: Record<string, unknown> }[];
}

export interface BatchAnswer {
  status?: string;
  results: HubspotObject[];
  numErrors?: number;
  errors?: BatchError[];
}

/** One input of `batch/upsert` (by a unique property) or `batch/update` (by record id). */
export interface BatchWriteInput {
  id: string;
  idProperty?: string;
  properties: Record<string, unknown>;
  objectWriteTraceId?: string;
}

/** Associations of one record to records of another type. */
export interface AssociatedRecord {
  toObjectId: string;
  associationTypes: { category?: string; typeId?: number; label?: string | null }[];
}

/** HubSpot's error body: `{status: 'error', message, correlationId, category, errors?, context?}`. */
interface HubspotErrorBody {
  message?: string;
  category?: string;
  correlationId?: string;
  errorType?: string;
  policyName?: string;
  context?: Record<string, unknown>;
  errors?: { message?: string; context?: Record<string, unknown> }[];
}

/** Most inputs one batch call carries (HubSpot's limit for object batch endpoints). */
export const BATCH_LIMIT = 100;

const KIND_BY_CATEGORY: Record<string, ConnectorErrorKind> = {
  VALIDATION_ERROR: 'invalid',
  INVALID_PARAMS: 'invalid',
  PROPERTY_DOESNT_EXIST: 'invalid',
  OBJECT_NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  OBJECT_ALREADY_EXISTS: 'conflict',
  INVALID_AUTHENTICATION: 'auth',
  MISSING_SCOPES: 'auth',
  RATE_LIMITS: 'rate_limited',
};

/** What a per-record error of a batch answer means, by its category. */
export function kindOfCategory(category: string | undefined): ConnectorErrorKind {
  return (category && KIND_BY_CATEGORY[category]) || 'invalid';
}

/**
 * The property a HubSpot error names, when it names one: `Property values were not valid: [{..., "name": "email"}]`,
 * `Property "colour" does not exist`, or a `propertyName` in the context.
 * @example propertyOf({ message: 'Property values were not valid: [{"isValid":false,"error":"INVALID_EMAIL","name":"email"}]' }) // 'email'
 */
export function propertyOf(error: { message?: string; context?: Record<string, unknown>; errors?: { message?: string; context?: Record<string, unknown> }[] }): string | undefined {
  const message = error.message ?? '';
  const list = /^Property values were not valid: (\[.*\])\s*$/s.exec(message)?.[1];
  if (list) {
    try {
      const first = (JSON.parse(list) as { name?: unknown }[])[0];
      if (typeof first?.name === 'string') return first.name;
    } catch {
      // Not JSON after all: the other spellings below may still name it.
    }
  }
  const named = /[Pp]roperty "([^"]+)" does not exist/.exec(message)?.[1];
  if (named) return named;
  for (const context of [error.context, ...(error.errors ?? []).map((e) => e.context)]) {
    const value = context?.propertyName;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

/**
 * HubSpot's message, with the JSON list of `Property values were not valid: [...]` spelled out.
 * @example readableMessage('Property values were not valid: [{"message":"Email address x is invalid","name":"email"}]') // 'email: Email address x is invalid'
 */
export function readableMessage(message: string): string {
  const list = /^Property values were not valid: (\[.*\])\s*$/s.exec(message)?.[1];
  if (!list) return message;
  try {
    const problems = JSON.parse(list) as { name?: unknown; message?: unknown; error?: unknown }[];
    const parts = problems.map((p) => `${typeof p.name === 'string' ? `${p.name}: ` : ''}${String(p.message ?? p.error ?? 'invalid')}`);
    return parts.length > 0 ? `property values were not valid: ${parts.join('; ')}` : message;
  } catch {
    return message;
  }
}

/**
 * How long HubSpot asks us to wait after a 429: `Retry-After` when sent, one second for the
 * per-second (search) limit, a day's rest is not guessed (an hour), else the rolling window
 * (`X-HubSpot-RateLimit-Interval-Milliseconds`, ten seconds for private apps).
 */
export function rateLimitDelay(headers: Headers, body: HubspotErrorBody | undefined): number {
  const retryAfter = parseRetryAfter(headers.get('retry-after'));
  if (retryAfter !== undefined) return retryAfter;
  const policy = body?.policyName?.toUpperCase() ?? '';
  if (policy === 'DAILY' || headers.get('x-hubspot-ratelimit-daily-remaining') === '0') return 3_600_000;
  if (policy.includes('SECONDLY') && !policy.includes('TEN') && !policy.includes('ROLLING')) return 1_000;
  if (headers.get('x-hubspot-ratelimit-secondly-remaining') === '0') return 1_000;
  const interval = Number(headers.get('x-hubspot-ratelimit-interval-milliseconds'));
  return Number.isFinite(interval) && interval > 0 ? interval : 10_000;
}

/**
 * The transport for a parsed config. Throws ConnectorError('invalid') for a private base URL unless allowed.
 * @example const api = createHubspotClient(config)
 *          const page = await api.search('companies', { filterGroups: [], sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }], properties: ['name'], limit: 100 })
 */
export function createHubspotClient(config: HubspotConfig, deps: { fetch?: typeof fetch } = {}) {
  // Looked up at call time, so a fetch patched after creation (msw, a proxy agent) is the one used.
  const baseFetch: typeof fetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const httpOptions = {
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    allowPrivateNetwork: config.allowPrivateNetwork,
    headers: { authorization: `Bearer ${config.accessToken}`, 'user-agent': 'Qiao-HubSpot/0.1.0' },
  };
  // Fails here, at connector creation, for a private address.
  createHttpClient(httpOptions);
  const version = encodeURIComponent(config.apiVersion);

  /** Removes the token from a message: a proxy may echo a request back in an error. */
  const redact = (text: string) => text.split(config.accessToken).join('[redacted]');

  async function call<T>(method: string, path: string, init: { body?: unknown; query?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
    let failure: { headers: Headers; body: HubspotErrorBody | undefined } | undefined;
    const http = createHttpClient({
      ...httpOptions,
      fetch: async (input, requestInit) => {
        const res = await baseFetch(input, requestInit);
        if (res.status >= 400) {
          const body = await res
            .clone()
            .json()
            .catch(() => undefined);
          failure = { headers: res.headers, body: typeof body === 'object' && body !== null ? (body as HubspotErrorBody) : undefined };
        }
        return res;
      },
    });
    const what = `${method} ${path}`;
    try {
      const res = await http.request<T>(method, path, init);
      return { status: res.status, body: res.body };
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      // Network failures and timeouts: the cause (e.g. ECONNREFUSED) helps, and carries no request data.
      if (err.status === undefined || !failure) throw new ConnectorError(err.kind, redact(`HubSpot ${what}: ${err.message}`), { status: err.status, cause: err.cause });
      const status = err.status;
      const body = failure.body;
      const kind = status === 429 ? 'rate_limited' : status === 400 || status === 422 ? (body?.category === 'CONFLICT' ? 'conflict' : 'invalid') : kindForStatus(status);
      const category = body?.category ?? body?.errorType;
      const detail = body?.message ? `${category ? `${category}: ` : ''}${readableMessage(body.message)}` : `HTTP ${status}`;
      const correlation = body?.correlationId ? ` (correlationId ${body.correlationId})` : '';
      throw new ConnectorError(kind, redact(`HubSpot ${what} failed with HTTP ${status} ${detail}${correlation}`), {
        status,
        retryAfterMs: status === 429 ? rateLimitDelay(failure.headers, body) : err.retryAfterMs,
        field: body ? propertyOf(body) : undefined,
      });
    }
  }

  const objects = (type: string) => `/crm/objects/${version}/${encodeURIComponent(type)}`;
  const associations = (from: string, to: string) => `/crm/associations/${version}/${encodeURIComponent(from)}/${encodeURIComponent(to)}`;

  return {
    /** `POST /crm/objects/<v>/<type>/search`. */
    async search(type: string, request: SearchRequest): Promise<SearchPage> {
      return (await call<SearchPage>('POST', `${objects(type)}/search`, { body: request })).body;
    },
    /** `GET /crm/objects/<v>/<type>/<id>`; undefined when HubSpot has no such record (in that archived state). */
    async getObject(type: string, id: string, properties: readonly string[], options: { archived?: boolean } = {}): Promise<HubspotObject | undefined> {
      try {
        const query: Record<string, string> = { properties: properties.join(','), archived: String(options.archived ?? false) };
        return (await call<HubspotObject>('GET', `${objects(type)}/${encodeURIComponent(id)}`, { query })).body;
      } catch (err) {
        if (err instanceof ConnectorError && err.kind === 'not_found') return undefined;
        throw err;
      }
    },
    /** `POST .../batch/read` by record id; ids HubSpot does not know are left out of the answer. */
    async batchRead(type: string, ids: readonly string[], properties: readonly string[]): Promise<HubspotObject[]> {
      const found: HubspotObject[] = [];
      for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
        const inputs = ids.slice(i, i + BATCH_LIMIT).map((id) => ({ id }));
        found.push(...(await call<BatchAnswer>('POST', `${objects(type)}/batch/read`, { body: { inputs, properties } })).body.results);
      }
      return found;
    },
    /** `POST .../batch/upsert`: creates or updates records by a unique property (`idProperty`). 207 carries per-record errors. */
    async batchUpsert(type: string, inputs: BatchWriteInput[]): Promise<BatchAnswer> {
      return (await call<BatchAnswer>('POST', `${objects(type)}/batch/upsert`, { body: { inputs } })).body;
    },
    /** `POST .../batch/update` by record id. */
    async batchUpdate(type: string, inputs: BatchWriteInput[]): Promise<BatchAnswer> {
      return (await call<BatchAnswer>('POST', `${objects(type)}/batch/update`, { body: { inputs } })).body;
    },
    /** `DELETE .../<id>`: moves the record to the recycle bin (HubSpot answers 204 even when it is gone already). */
    async archive(type: string, id: string): Promise<void> {
      await call('DELETE', `${objects(type)}/${encodeURIComponent(id)}`);
    },
    /**
     * `POST /crm/associations/<v>/<from>/<to>/batch/read`, following each record's `paging.next.after`.
     * Records without associations are absent from the map (HubSpot reports them as 207 errors).
     */
    async readAssociations(from: string, to: string, ids: readonly string[]): Promise<Map<string, AssociatedRecord[]>> {
      const found = new Map<string, AssociatedRecord[]>();
      let pending: { id: string; after?: string }[] = ids.map((id) => ({ id }));
      while (pending.length > 0) {
        const next: { id: string; after?: string }[] = [];
        for (let i = 0; i < pending.length; i += BATCH_LIMIT) {
          const inputs = pending.slice(i, i + BATCH_LIMIT);
          const { body } = await call<{ results: { from: { id: string }; to: AssociatedRecord[]; paging?: { next?: { after?: string } } }[] }>('POST', `${associations(from, to)}/batch/read`, { body: { inputs } });
          for (const result of body.results ?? []) {
            const id = String(result.from.id);
            found.set(id, [...(found.get(id) ?? []), ...result.to.map((t) => ({ ...t, toObjectId: String(t.toObjectId) }))]);
            const after = result.paging?.next?.after;
            if (after) next.push({ id, after });
          }
        }
        pending = next;
      }
      return found;
    },
    /** `POST /crm/associations/<v>/<from>/<to>/batch/create` with one association type (e.g. contact → company, primary). */
    async associate(from: string, to: string, pairs: readonly { from: string; to: string }[], type: { category: 'HUBSPOT_DEFINED' | 'USER_DEFINED'; typeId: number }): Promise<BatchAnswer> {
      const inputs = pairs.map((p) => ({ from: { id: p.from }, to: { id: p.to }, types: [{ associationCategory: type.category, associationTypeId: type.typeId }] }));
      return (await call<BatchAnswer>('POST', `${associations(from, to)}/batch/create`, { body: { inputs } })).body;
    },
    /** `GET /crm/properties/<v>/<type>/<name>`: the property's definition; undefined when it does not exist. */
    async getProperty(type: string, name: string): Promise<{ name: string; type: string; hasUniqueValue?: boolean } | undefined> {
      try {
        return (await call<{ name: string; type: string; hasUniqueValue?: boolean }>('GET', `/crm/properties/${version}/${encodeURIComponent(type)}/${encodeURIComponent(name)}`)).body;
      } catch (err) {
        if (err instanceof ConnectorError && err.kind === 'not_found') return undefined;
        throw err;
      }
    },
  };
}

export type HubspotClient = ReturnType<typeof createHubspotClient>;
