// Transport to Salesforce: the OAuth 2.0 client credentials flow (one token, refreshed before it
// expires and once on a refused session), the REST API under /services/data/<version>/, SOQL with
// nextRecordsUrl paging, describe, and Salesforce's error bodies turned into ConnectorError kinds.
// The client secret and the tokens never reach a message.
import { ConnectorError, type ConnectorErrorKind, kindForStatus, parseRetryAfter } from '../errors';
import { createHttpClient, type HttpResponse, isPrivateHost } from '../http';
import type { SalesforceConfig } from './config';

/**
 * Sent with every REST call as `Sforce-Call-Options`. Salesforce puts the client name into the
 * `changeOrigin` of the Change Data Capture events our writes cause, which is how the webhook parser
 * recognises (and drops) the echoes of Qiao's own writes.
 */
export const CALL_OPTIONS = 'client=qiao';

/** One error of a Salesforce error body (`[{ message, errorCode, fields }]`); collection results say `statusCode`. */
export interface SalesforceApiError {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** A record as the REST API returns it: its fields plus `attributes` (`{ type, url }`). */
export type SObjectRow = Record<string, unknown> & { Id?: string; attributes?: { type?: string; url?: string } };

/** One item of an sObject Collections answer (SaveResult / UpsertResult). */
export interface SaveResult {
  id?: string | null;
  success: boolean;
  created?: boolean;
  errors: SalesforceApiError[];
}

/** A field of an object as describe reports it. */
export interface FieldInfo {
  name: string;
  type: string;
  createable: boolean;
  updateable: boolean;
  externalId: boolean;
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SObjectRow[];
}

interface Session {
  accessToken: string;
  instanceUrl: string;
  /** Epoch ms after which a new token is asked before the next call. */
  refreshAt: number;
}

/** What an errorCode means. Codes not listed fall back to the HTTP status. */
const KIND_BY_CODE: Readonly<Record<string, ConnectorErrorKind>> = {
  INVALID_SESSION_ID: 'auth',
  INVALID_AUTH_HEADER: 'auth',
  INSUFFICIENT_ACCESS: 'auth',
  INSUFFICIENT_ACCESS_OR_READONLY: 'auth',
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'auth',
  API_DISABLED_FOR_ORG: 'auth',
  API_CURRENTLY_DISABLED: 'auth',
  REQUEST_LIMIT_EXCEEDED: 'rate_limited',
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'invalid',
  FIELD_FILTER_VALIDATION_EXCEPTION: 'invalid',
  FIELD_INTEGRITY_EXCEPTION: 'invalid',
  REQUIRED_FIELD_MISSING: 'invalid',
  INVALID_FIELD: 'invalid',
  INVALID_FIELD_FOR_INSERT_UPDATE: 'invalid',
  INVALID_TYPE_ON_FIELD_IN_RECORD: 'invalid',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'invalid',
  INVALID_EMAIL_ADDRESS: 'invalid',
  INVALID_CROSS_REFERENCE_KEY: 'invalid',
  INVALID_TYPE: 'invalid',
  STRING_TOO_LONG: 'invalid',
  NUMBER_OUTSIDE_VALID_RANGE: 'invalid',
  MALFORMED_ID: 'invalid',
  MALFORMED_QUERY: 'invalid',
  INVALID_QUERY_FILTER_OPERATOR: 'invalid',
  MISSING_ARGUMENT: 'invalid',
  EXCEEDED_ID_LIMIT: 'invalid',
  JSON_PARSER_ERROR: 'invalid',
  DUPLICATES_DETECTED: 'invalid',
  CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: 'invalid',
  NOT_FOUND: 'not_found',
  ENTITY_IS_DELETED: 'not_found',
  DUPLICATE_VALUE: 'conflict',
  DUPLICATE_EXTERNAL_ID: 'conflict',
  UNABLE_TO_LOCK_ROW: 'retryable',
  SERVER_UNAVAILABLE: 'retryable',
};

/** The field an error names: its `fields`, else the column of an INVALID_FIELD message. */
function fieldOf(error: SalesforceApiError): string | undefined {
  return error.fields?.[0] ?? /No such column '([\w.]+)'/.exec(error.message)?.[1] ?? /Unable to create\/update fields: ([\w.]+)/.exec(error.message)?.[1];
}

/** Reads an error body or a result's `errors`, whichever key the code sits under. */
export function parseSalesforceErrors(value: unknown): SalesforceApiError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (typeof item !== 'object' || item === null) return [];
    const { message, errorCode, statusCode, fields } = item as Record<string, unknown>;
    const code = typeof errorCode === 'string' ? errorCode : typeof statusCode === 'string' ? statusCode : undefined;
    if (code === undefined) return [];
    const error: SalesforceApiError = { errorCode: code, message: typeof message === 'string' ? message : '' };
    if (Array.isArray(fields) && fields.length > 0) error.fields = fields.filter((f): f is string => typeof f === 'string');
    return [error];
  });
}

/**
 * A ConnectorError for Salesforce errors: the kind from the first errorCode (else the HTTP status),
 * every error in the message with the fields it names, the first field in `field`.
 * @example salesforceError([{ errorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] }], 'upsert Account', 400)
 */
export function salesforceError(errors: readonly SalesforceApiError[], what: string, status?: number, retryAfterMs?: number): ConnectorError {
  const first = errors[0];
  const byStatus = status === undefined ? 'invalid' : kindForStatus(status);
  const kind = (first && KIND_BY_CODE[first.errorCode]) ?? byStatus;
  const detail = errors.map((e) => `${e.errorCode}: ${e.message}${e.fields?.length ? ` (fields: ${e.fields.join(', ')})` : ''}`).join('; ');
  return new ConnectorError(kind, `Salesforce ${what}${status === undefined ? '' : ` (HTTP ${status})`}: ${detail || 'no error detail'}`, { status, retryAfterMs, field: first ? fieldOf(first) : undefined });
}

/** A Salesforce record id, 15 or 18 characters. */
export function isSalesforceId(value: unknown): value is string {
  return typeof value === 'string' && /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(value);
}

/**
 * An authenticated Salesforce connection.
 * @example const client = createSalesforceClient(config)
 *          const rows = await client.query("SELECT Id, Name FROM Account WHERE Name = 'Acme'")
 */
export interface SalesforceClient {
  readonly apiVersion: string;
  /** A REST call; `path` is relative to `/services/data/<version>/` unless it starts with `/services/`. */
  call<T = unknown>(method: string, path: string, init?: { query?: Record<string, string>; body?: unknown }, what?: string): Promise<HttpResponse<T>>;
  /** Every row of a SOQL query (`queryAll` includes deleted records), following nextRecordsUrl until `max` rows. */
  query(soql: string, options?: { all?: boolean; max?: number }): Promise<SObjectRow[]>;
  /** The fields an object has in this org, asked once per object. */
  describe(object: string): Promise<ReadonlyMap<string, FieldInfo>>;
}

/** Creates the transport. Throws ConnectorError('invalid') for a private login URL unless allowed. */
export function createSalesforceClient(config: SalesforceConfig, deps: { fetch?: typeof fetch } = {}): SalesforceClient {
  // Looked up at call time, so a fetch patched after creation (msw, a proxy agent) is the one used.
  const baseFetch: typeof fetch = deps.fetch ?? ((input, init) => fetch(input, init));
  // Fails here, at connector creation, for a private address.
  createHttpClient({ baseUrl: config.loginUrl, allowPrivateNetwork: config.allowPrivateNetwork });
  const issuedTokens = new Set<string>();

  /** Removes the secret and every token we hold from a message: proxies and gateways echo requests. */
  function redact(text: string): string {
    let out = text.split(config.clientSecret).join('[redacted]');
    for (const token of issuedTokens) out = out.split(token).join('[redacted]');
    return out;
  }

  function fail(kind: ConnectorErrorKind, message: string, options: { status?: number; retryAfterMs?: number; field?: string; cause?: unknown } = {}): ConnectorError {
    return new ConnectorError(kind, redact(message), options);
  }

  function cleaned(err: ConnectorError): ConnectorError {
    return new ConnectorError(err.kind, redact(err.message), { status: err.status, retryAfterMs: err.retryAfterMs, field: err.field, cause: err.cause });
  }

  /**
   * The client credentials flow: a form POST to <loginUrl>/services/oauth2/token. The shared HTTP
   * client speaks JSON only, so this one call is made by hand, with the same timeout and address rules.
   */
  async function login(): Promise<Session> {
    const url = new URL('/services/oauth2/token', config.loginUrl);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret });
    let res: Response;
    try {
      res = await baseFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw fail('retryable', `Salesforce token request to ${url.host} ${timedOut ? `timed out after ${config.timeoutMs} ms` : `failed: ${(err as Error).message}`}`, { cause: err });
    }
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // A proxy's HTML page: classified by status below.
    }
    if (res.status >= 400 || res.status < 200) {
      const reason = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : `HTTP ${res.status}`;
      // A refused grant (wrong secret, app blocked or uninstalled, no run-as user) is for IT to fix:
      // `auth`, never retried in a loop.
      const kind: ConnectorErrorKind = res.status >= 500 ? 'retryable' : res.status === 429 ? 'rate_limited' : 'auth';
      throw fail(kind, `Salesforce refused the client credentials token request (HTTP ${res.status}): ${reason}`, { status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
    }
    const { access_token: accessToken, instance_url: instanceUrl, issued_at: issuedAt, token_type: tokenType, expires_in: expiresIn } = body;
    if (typeof accessToken !== 'string' || !accessToken || typeof instanceUrl !== 'string' || (tokenType !== undefined && String(tokenType).toLowerCase() !== 'bearer')) {
      throw fail('retryable', 'Salesforce token answer lacks access_token, instance_url or a Bearer token_type');
    }
    issuedTokens.add(accessToken);
    let instance: URL;
    try {
      instance = new URL(instanceUrl);
    } catch {
      throw fail('retryable', `Salesforce token answer has an instance_url that is not a URL: ${instanceUrl.slice(0, 100)}`);
    }
    if (!/^https?:$/.test(instance.protocol)) throw fail('invalid', `Salesforce instance_url ${instance.origin} is not http(s)`);
    if (!config.allowPrivateNetwork && isPrivateHost(instance.hostname)) {
      throw fail('invalid', `Salesforce instance_url ${instance.hostname} is a private or loopback address; an admin must allow private networks for this connector`);
    }
    const now = Date.now();
    // issued_at is Salesforce's clock; a clock ahead of ours must not make the token look younger.
    const issued = Math.min(Number(issuedAt) || now, now);
    const lifetimeSeconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : Number(expiresIn) > 0 ? Number(expiresIn) : config.sessionSeconds;
    const refreshAt = issued + Math.max(0, lifetimeSeconds - config.refreshMarginSeconds) * 1000;
    return { accessToken, instanceUrl: instance.origin, refreshAt };
  }

  let active: Session | undefined;
  let pending: Promise<Session> | undefined;
  /** The current session; one token request at a time, shared by concurrent calls. */
  function session(): Promise<Session> {
    if (pending) return pending;
    if (active && Date.now() < active.refreshAt) return Promise.resolve(active);
    pending = login().then(
      (s) => {
        active = s;
        pending = undefined;
        return s;
      },
      (err: unknown) => {
        active = undefined;
        pending = undefined;
        throw err;
      },
    );
    return pending;
  }

  function dataPath(path: string): string {
    return path.startsWith('/services/') ? path : `/services/data/${config.apiVersion}/${path}`;
  }

  /** One call with one token. HTTP failures come back as Salesforce's own errorCode and words. */
  async function send<T>(s: Session, method: string, path: string, init: { query?: Record<string, string>; body?: unknown }, what: string): Promise<HttpResponse<T>> {
    let failureText: string | undefined;
    const http = createHttpClient({
      baseUrl: s.instanceUrl,
      timeoutMs: config.timeoutMs,
      allowPrivateNetwork: config.allowPrivateNetwork,
      headers: { authorization: `Bearer ${s.accessToken}`, 'sforce-call-options': CALL_OPTIONS },
      fetch: async (input, reqInit) => {
        const res = await baseFetch(input, reqInit);
        if (res.status >= 400) failureText = await res.clone().text().catch(() => undefined);
        return res;
      },
    });
    try {
      return await http.request<T>(method, dataPath(path), init);
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      if (err.status === undefined) throw cleaned(new ConnectorError(err.kind, `Salesforce ${what}: ${err.message}`, { cause: err.cause }));
      let parsed: unknown;
      try {
        parsed = failureText ? JSON.parse(failureText) : undefined;
      } catch {
        parsed = undefined;
      }
      const errors = parseSalesforceErrors(parsed);
      if (errors.length) throw cleaned(salesforceError(errors, what, err.status, err.retryAfterMs));
      throw fail(err.kind, `Salesforce ${what} failed with HTTP ${err.status}: ${(failureText ?? '').slice(0, 200) || 'no body'}`, { status: err.status, retryAfterMs: err.retryAfterMs });
    }
  }

  async function call<T>(method: string, path: string, init: { query?: Record<string, string>; body?: unknown } = {}, what = `${method} ${path.split('?')[0]}`): Promise<HttpResponse<T>> {
    const first = await session();
    try {
      return await send<T>(first, method, path, init, what);
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.status !== 401) throw err;
      // The session expired early (a shorter timeout than sessionSeconds) or was revoked: one new
      // token and one more try. A second refusal is for IT to fix.
      if (active === first) active = undefined;
      const fresh = await session();
      try {
        return await send<T>(fresh, method, path, init, what);
      } catch (again) {
        if (again instanceof ConnectorError && again.status === 401) throw fail('auth', `${again.message} (also with a new access token)`, { status: 401 });
        throw again;
      }
    }
  }

  async function query(soql: string, options: { all?: boolean; max?: number } = {}): Promise<SObjectRow[]> {
    let page = (await call<QueryPage>('GET', options.all ? 'queryAll' : 'query', { query: { q: soql } }, options.all ? 'queryAll' : 'query')).body;
    const rows = [...(page.records ?? [])];
    while (!page.done && (options.max === undefined || rows.length < options.max)) {
      const next = page.nextRecordsUrl;
      // The bearer token goes only to the instance: a next URL must be a path of the data API.
      if (typeof next !== 'string' || !next.startsWith('/services/data/')) throw fail('retryable', `Salesforce query answer is not done but has no usable nextRecordsUrl (${String(next).slice(0, 80)})`);
      page = (await call<QueryPage>('GET', next, {}, 'query (next batch)')).body;
      rows.push(...(page.records ?? []));
    }
    return rows;
  }

  const described = new Map<string, Promise<ReadonlyMap<string, FieldInfo>>>();
  function describe(object: string): Promise<ReadonlyMap<string, FieldInfo>> {
    let found = described.get(object);
    if (!found) {
      found = call<{ fields?: FieldInfo[] }>('GET', `sobjects/${encodeURIComponent(object)}/describe`, {}, `describe ${object}`).then(
        ({ body }) => new Map((body.fields ?? []).map((f) => [f.name, { name: f.name, type: f.type, createable: f.createable === true, updateable: f.updateable === true, externalId: f.externalId === true }])),
      );
      described.set(object, found);
      found.catch(() => described.delete(object));
    }
    return found;
  }

  return { apiVersion: config.apiVersion, call, query, describe };
}
