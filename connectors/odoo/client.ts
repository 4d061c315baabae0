// Transport to Odoo: one `call(model, method, args)` over JSON-2 (Odoo 19+) or JSON-RPC (Odoo 17/18),
// every failure turned into a ConnectorError kind, and the API key kept out of every message.
import { ConnectorError, type ConnectorErrorKind } from '../errors';
import { createHttpClient, type HttpClientOptions } from '../http';
import type { OdooConfig } from './config';
import type { FieldTypes } from './values';

/** Named arguments of an ORM method: `ids` for record methods, `context`, and the method's parameters. */
export interface OdooCallArgs {
  ids?: number[];
  context?: Record<string, unknown>;
  [parameter: string]: unknown;
}

/**
 * An authenticated Odoo connection.
 * @example const client = createOdooClient(config)
 *          const rows = await client.call('res.partner', 'search_read', { domain: [['is_company', '=', true]], fields: ['name'], limit: 10 })
 */
export interface OdooClient {
  call<T = unknown>(model: string, method: string, args?: OdooCallArgs): Promise<T>;
  /** Like `call`, with Odoo's clock when it answered (its `Date` header, epoch ms), when it sent one. */
  callAt<T = unknown>(model: string, method: string, args?: OdooCallArgs): Promise<{ result: T; serverTime: number | undefined }>;
  /** The fields a model has on this server and their types, asked once with `fields_get`. */
  fieldTypes(model: string): Promise<FieldTypes>;
}

/** Odoo's serialised exception: the body of a JSON-2 error, the `data` of a JSON-RPC error. */
interface OdooException {
  name?: string;
  message?: string;
}

/** What an Odoo exception means, by its class name (the last part of `odoo.exceptions.ValidationError`). */
const KIND_BY_EXCEPTION: Record<string, ConnectorErrorKind> = {
  AccessDenied: 'auth',
  AccessError: 'auth',
  SessionExpiredException: 'auth',
  ValidationError: 'invalid',
  UserError: 'invalid',
  ValueError: 'invalid',
  MissingError: 'not_found',
};

function exceptionKind(name: string | undefined): ConnectorErrorKind | undefined {
  const short = name?.split('.').pop();
  return short === undefined ? undefined : KIND_BY_EXCEPTION[short];
}

/** The field an Odoo message names, for the few messages that name one plainly. */
function fieldOf(message: string): string | undefined {
  return /Invalid field '([\w.]+)'/.exec(message)?.[1] ?? /\(([a-z_][a-z0-9_]*)\)\s*$/.exec(message)?.[1];
}

function asException(value: unknown): OdooException | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, message } = value as Record<string, unknown>;
  return { name: typeof name === 'string' ? name : undefined, message: typeof message === 'string' ? message : undefined };
}

/** Creates the transport for a parsed config. Throws ConnectorError('invalid') for a private URL unless allowed. */
export function createOdooClient(config: OdooConfig, deps: { fetch?: typeof fetch } = {}): OdooClient {
  // Looked up at call time, so a fetch patched after creation (a proxy agent, msw) is the one used.
  const baseFetch: typeof fetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const headers: Record<string, string> = { 'user-agent': 'Qiao-Odoo/0.1.0' };
  if (config.protocol === 'json2') {
    headers.authorization = `Bearer ${config.apiKey}`;
    if (config.database) headers['x-odoo-database'] = config.database;
  }
  const httpOptions: HttpClientOptions = { baseUrl: config.url, timeoutMs: config.timeoutMs, allowPrivateNetwork: config.allowPrivateNetwork, headers };
  // Fails here, at connector creation, for a private address.
  createHttpClient(httpOptions);

  /** Removes the key from a message: Odoo or a proxy may echo a request back in an error. */
  const redact = (text: string) => text.split(config.apiKey).join('[redacted]');

  function fail(kind: ConnectorErrorKind, message: string, options: { status?: number; retryAfterMs?: number; field?: string; cause?: unknown } = {}): ConnectorError {
    return new ConnectorError(kind, redact(message), options);
  }

  /**
   * POSTs JSON and returns the parsed answer. The shared client classifies HTTP failures; the
   * fetch wrapper keeps the failed answer's body, so the message can carry Odoo's own words.
   */
  async function post(path: string, body: unknown, what: string): Promise<{ body: unknown; serverTime: number | undefined }> {
    let failure: OdooException | undefined;
    const http = createHttpClient({
      ...httpOptions,
      fetch: async (input, init) => {
        const res = await baseFetch(input, init);
        if (res.status >= 400) failure = asException(await res.clone().json().catch(() => undefined));
        return res;
      },
    });
    let res: Awaited<ReturnType<typeof http.request>>;
    try {
      res = await http.request('POST', path, { body });
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      // Network failures and timeouts: the cause (e.g. ECONNREFUSED) helps, and carries no request data.
      if (err.status === undefined) throw fail(err.kind, `Odoo ${what}: ${err.message}`, { cause: err.cause });
      // A 5xx that is really a validation error (JSON-2 answers a Python ValueError with 500) is not retried.
      const named = exceptionKind(failure?.name);
      const kind = err.status >= 500 && (named === 'invalid' || named === 'not_found') ? named : err.kind;
      const detail = failure?.message ? `${failure.message}${failure.name ? ` (${failure.name})` : ''}` : `HTTP ${err.status}`;
      throw fail(kind, `Odoo ${what} failed with HTTP ${err.status}: ${detail}`, { status: err.status, retryAfterMs: err.retryAfterMs, field: failure?.message ? fieldOf(failure.message) : undefined });
    }
    // A login page or a proxy's maintenance page is not an answer, even with status 200.
    if (!(res.headers.get('content-type') ?? '').includes('json')) {
      throw fail('retryable', `Odoo ${what}: the answer is not JSON (content-type ${res.headers.get('content-type') ?? 'none'})`, { status: res.status });
    }
    const date = Date.parse(res.headers.get('date') ?? '');
    return { body: res.body, serverTime: Number.isNaN(date) ? undefined : date };
  }

  async function callJson2(model: string, method: string, args: OdooCallArgs): Promise<{ body: unknown; serverTime: number | undefined }> {
    return post(`/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`, args, `${model}.${method}`);
  }

  let rpcId = 0;
  async function rpc(service: string, method: string, args: unknown[], what: string): Promise<{ body: unknown; serverTime: number | undefined }> {
    const id = ++rpcId;
    const { body: answer, serverTime } = await post('/jsonrpc', { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id }, what);
    if (typeof answer !== 'object' || answer === null) throw fail('retryable', `Odoo ${what}: the answer is not a JSON-RPC response`);
    const { result, error } = answer as { result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
    if (error === undefined) return { body: result, serverTime };
    // JSON-RPC reports failures inside an HTTP 200 answer; the exception class says what happened.
    const exception = asException(error.data);
    const kind = error.code === 100 ? 'auth' : (exceptionKind(exception?.name) ?? 'retryable');
    const message = exception?.message || error.message || 'unknown error';
    throw fail(kind, `Odoo ${what} failed: ${message}${exception?.name ? ` (${exception.name})` : ''}`, { field: fieldOf(message) });
  }

  let uid: Promise<number> | undefined;
  /** JSON-RPC needs the user id with every call: asked once with common.authenticate. */
  function userId(): Promise<number> {
    uid ??= (async () => {
      const { body: result } = await rpc('common', 'authenticate', [config.database, config.login, config.apiKey, {}], 'common.authenticate');
      if (typeof result !== 'number' || result <= 0) {
        throw fail('auth', `Odoo refused the login ${JSON.stringify(config.login)} with this API key on database ${JSON.stringify(config.database)}`);
      }
      return result;
    })();
    uid.catch(() => {
      uid = undefined;
    });
    return uid;
  }

  async function callJsonRpc(model: string, method: string, args: OdooCallArgs): Promise<{ body: unknown; serverTime: number | undefined }> {
    const { ids, ...kwargs } = args;
    let positional: unknown[] = ids === undefined ? [] : [ids];
    // Odoo 17's RPC `create` reads its first positional argument: vals_list cannot go by name.
    if (method === 'create') {
      positional = [kwargs.vals_list];
      delete kwargs.vals_list;
    }
    const user = await userId();
    return rpc('object', 'execute_kw', [config.database, user, config.apiKey, model, method, positional, kwargs], `${model}.${method}`);
  }

  const fieldCache = new Map<string, Promise<FieldTypes>>();
  const client: OdooClient = {
    async callAt<T>(model: string, method: string, args: OdooCallArgs = {}) {
      const { body, serverTime } = await (config.protocol === 'json2' ? callJson2(model, method, args) : callJsonRpc(model, method, args));
      return { result: body as T, serverTime };
    },
    async call<T>(model: string, method: string, args: OdooCallArgs = {}): Promise<T> {
      return (await client.callAt<T>(model, method, args)).result;
    },
    fieldTypes(model) {
      let types = fieldCache.get(model);
      if (!types) {
        types = client.call<Record<string, { type?: string }>>(model, 'fields_get', { attributes: ['type'] }).then((fields) => Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.type ?? 'unknown'])));
        fieldCache.set(model, types);
        types.catch(() => fieldCache.delete(model));
      }
      return types;
    },
  };
  return client;
}
