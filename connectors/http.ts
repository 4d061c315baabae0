// The HTTP client every connector uses: timeouts, Retry-After, error kinds, and no private
// addresses unless an admin allowed them (SSRF).
import { ConnectorError, kindForStatus, parseRetryAfter } from './errors';

export interface HttpClientOptions {
  /** Base URL of the provider, e.g. `https://acme.odoo.com`. */
  baseUrl: string;
  /** Abort a request after this long; a timeout is a `retryable` error. Default 30 s. */
  timeoutMs?: number;
  /** Headers sent with every request (auth goes here; never logged). */
  headers?: Record<string, string>;
  /** Loopback and private addresses are refused unless this is true (sandboxes, on-premise systems). */
  allowPrivateNetwork?: boolean;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Whether a host is a literal loopback, private or link-local address (or `localhost`). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  return host === '::1' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80');
}

/**
 * A small JSON-over-HTTP client that turns every failure into a ConnectorError.
 * @example const http = createHttpClient({ baseUrl: 'https://acme.odoo.com', headers: { authorization: `Bearer ${key}` } })
 *          const { body } = await http.request('POST', '/json/2/res.partner/search_read', { body: { domain: [] } })
 */
export function createHttpClient(options: HttpClientOptions) {
  const base = new URL(options.baseUrl);
  if (!options.allowPrivateNetwork && isPrivateHost(base.hostname)) {
    throw new ConnectorError('invalid', `${base.hostname} is a private or loopback address; an admin must allow private networks for this connector`);
  }
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function request<T = unknown>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; query?: Record<string, string> } = {}): Promise<HttpResponse<T>> {
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(url, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new ConnectorError('retryable', `${method} ${url.pathname} ${timedOut ? `timed out after ${timeoutMs} ms` : `failed: ${(err as Error).message}`}`, { cause: err });
    }
    const text = await res.text();
    let body: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ConnectorError('retryable', `${method} ${url.pathname}: answer is not valid JSON (HTTP ${res.status})`, { status: res.status });
      }
    }
    if (res.status >= 400) {
      const kind = kindForStatus(res.status);
      const detail = typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body).slice(0, 300);
      throw new ConnectorError(kind, `${method} ${url.pathname}: HTTP ${res.status} ${detail}`, { status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
    }
    return { status: res.status, headers: res.headers, body: body as T };
  }

  return { request, baseUrl: base };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
