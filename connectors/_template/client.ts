// Transport to the template's REST API: list, get, create, update, delete records. No mapping here,
// only HTTP; failures arrive as ConnectorError kinds from the shared client.
import { createHttpClient } from '../http';
import type { TemplateConfig } from './config';

/** A record as the API returns it: its id, last change time and its own fields. */
export interface ApiRecord {
  id: string;
  /** ISO 8601 UTC. */
  updated_at: string;
  deleted?: boolean;
  [field: string]: unknown;
}

/** One page of `GET /records`. */
export interface ApiPage {
  data: ApiRecord[];
  has_more: boolean;
}

/**
 * The API client.
 * @example const api = createTemplateClient(config); const page = await api.listRecords({ limit: 100 })
 */
export function createTemplateClient(config: TemplateConfig, deps: { fetch?: typeof fetch } = {}) {
  const http = createHttpClient({
    // A trailing slash keeps a base path (`/v1/`) when relative paths are resolved against it.
    baseUrl: config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`,
    timeoutMs: config.timeoutMs,
    allowPrivateNetwork: config.allowPrivateNetwork,
    headers: { authorization: `Bearer ${config.apiToken}` },
    fetch: deps.fetch,
  });

  return {
    /**
     * `GET records?updated_after=&after_id=&limit=`: records whose (updated_at, id) is after the
     * given pair, oldest first. `after_id` breaks ties between records changed at the same time.
     */
    async listRecords(query: { updatedAfter?: string; afterId?: string; limit: number }): Promise<ApiPage> {
      const params: Record<string, string> = { limit: String(query.limit) };
      if (query.updatedAfter) params.updated_after = query.updatedAfter;
      if (query.afterId) params.after_id = query.afterId;
      return (await http.request<ApiPage>('GET', 'records', { query: params })).body;
    },
    /** `GET records?<field>=<value>`: the records whose field has that value. */
    async findRecords(field: string, value: string): Promise<ApiRecord[]> {
      return (await http.request<ApiPage>('GET', 'records', { query: { [field]: value, limit: '2' } })).body.data;
    },
    async getRecord(id: string): Promise<ApiRecord> {
      return (await http.request<ApiRecord>('GET', `records/${encodeURIComponent(id)}`)).body;
    },
    /** `POST records` with an Idempotency-Key: the API answers a replay with the first record. */
    async createRecord(data: Record<string, unknown>, idempotencyKey: string): Promise<ApiRecord> {
      return (await http.request<ApiRecord>('POST', 'records', { body: data, headers: { 'idempotency-key': idempotencyKey } })).body;
    },
    async updateRecord(id: string, data: Record<string, unknown>): Promise<ApiRecord> {
      return (await http.request<ApiRecord>('PATCH', `records/${encodeURIComponent(id)}`, { body: data })).body;
    },
    async deleteRecord(id: string): Promise<void> {
      await http.request('DELETE', `records/${encodeURIComponent(id)}`);
    },
  };
}

export type TemplateClient = ReturnType<typeof createTemplateClient>;
