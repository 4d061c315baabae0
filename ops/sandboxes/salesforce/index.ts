// A Salesforce look-alike on 127.0.0.1 for end-to-end tests and the demo: the OAuth 2.0 client
// credentials token endpoint and the REST API the Salesforce connector uses (SOQL query/queryAll with
// nextRecordsUrl, describe, sObject rows by id and by external id, sObject Collections), with
// Salesforce's answers and error bodies, plus test hooks on the returned handle: seed, clock,
// validation rules, API request limit, faults, token expiry and revocation, request log, and the
// Change Data Capture events of every change, which `sendChangeEvents` posts signed to a relay URL.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signSalesforceRelay } from '../../../connectors/salesforce/webhooks';
import { API_USER_ID, type ChangeEventMessage, type ChangeOrigin, type FieldDef, normalizeId, ORG_ID, type ObjectDef, SalesforceFault, SandboxOrg, type SRecord, UI_ORIGIN, type ValidationRule } from './org';
import { formatRow, parseSoql, type Resolved, runSoql } from './soql';

export type { ChangeEventMessage, SRecord, ValidationRule } from './org';

/** The newest API version the sandbox answers (Summer '26); v31.0 is the oldest. */
export const SANDBOX_LATEST_VERSION = 67;
const OLDEST_VERSION = 31;

/** One call as the sandbox received it. Tokens and the client secret are never logged. */
export interface SandboxRequest {
  method: string;
  /** Path without the query, e.g. `/services/data/v67.0/query`. */
  path: string;
  query: Record<string, string>;
  /** The `Sforce-Call-Options` header, when the caller sent one. */
  callOptions?: string;
  /** The JSON body (the token request's form without the secret). */
  body?: unknown;
  status: number;
  /** errorCode of a refused call (`INVALID_SESSION_ID`, `invalid_client`, ...). */
  error?: string;
}

/** Field values of a record to seed, by API name. */
export type Values = Record<string, unknown>;

export interface SeedLine {
  productCode: string;
  quantity: number;
  unitPrice: number;
  /** Opportunity lines only: percent. */
  discount?: number;
  description?: string;
}

export interface SalesforceSeed {
  /** Account values (Name required), each with its contacts' values (LastName required). */
  accounts?: (Values & { contacts?: Values[] })[];
  /** Product2 values (Name required; ProductCode is the SKU). */
  products?: Values[];
  /** Orders of an account (by Name) with lines (by ProductCode); `activated` activates them after the lines. */
  orders?: { account: string; activated?: boolean; effectiveDate?: string; values?: Values; lines: SeedLine[] }[];
  /** Opportunities of an account, with lines; `stage` defaults to Prospecting. */
  opportunities?: { account: string; name: string; stage?: string; closeDate?: string; values?: Values; lines: SeedLine[] }[];
}

export interface SeededIds {
  accounts: Record<string, string>;
  /** Contact ids by their full name. */
  contacts: Record<string, string>;
  /** Product2 ids by ProductCode (or Name). */
  products: Record<string, string>;
  orders: string[];
  opportunities: string[];
}

export interface SalesforceSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  clientId: string;
  clientSecret: string;
  /** The custom external id field on Account, Contact, Product2, Order and Opportunity. Default `Qiao_Id__c`. */
  externalIdField?: string;
  /** State and Country picklists (`BillingCountryCode`). Default true. */
  countryPicklists?: boolean;
  /** Multiple currencies (`CurrencyIsoCode`). Default false. */
  multiCurrency?: boolean;
  /** The external id field is Unique (default true); without it two records may share a value and an upsert answers 300. */
  uniqueExternalId?: boolean;
  /** Session timeout: a token is refused this many seconds (sandbox clock) after it was issued. Default 7200. */
  sessionSeconds?: number;
  /** Records per query batch when the caller sends no `Sforce-Query-Options: batchSize`. Default 2000; a test may go lower than Salesforce's 200. */
  queryBatchSize?: number;
  /** API requests allowed (24-hour allocation) before REQUEST_LIMIT_EXCEEDED. Default 100,000. */
  apiRequestLimit?: number;
  seed?: SalesforceSeed;
}

/**
 * A running sandbox and its test hooks.
 * @example const sf = await startSalesforceSandbox({ clientId: 'id', clientSecret: 'secret' })
 *          const ids = sf.seed({ accounts: [{ Name: 'Acme' }] }); sf.failNext(1, 503); await sf.stop()
 */
export interface SalesforceSandbox {
  /** The My Domain URL (login) and instance URL. */
  url: string;
  port: number;
  org: SandboxOrg;
  stop(): Promise<void>;
  seed(seed: SalesforceSeed): SeededIds;
  /** Changes as a user makes them in Lightning (changeOrigin `client=SfdcInternalAPI/`). Ids are 18 characters. */
  insert(object: string, values: Values): string;
  update(object: string, id: string, values: Values): void;
  remove(object: string, id: string): void;
  /** A copy of a record, datetimes as ISO 8601 UTC; deleted ones too. */
  record(object: string, id: string): SRecord | undefined;
  records(object: string, options?: { includeDeleted?: boolean }): SRecord[];
  /** Status → Activated (an order needs lines first). */
  activateOrder(id: string): void;
  /** StageName → Closed Won. */
  winOpportunity(id: string): void;
  /** Adds a line (by ProductCode) to an Order or an Opportunity; returns its id. */
  addLine(headerId: string, line: SeedLine): string;
  /** Refuses creates and updates the rule matches with FIELD_CUSTOM_VALIDATION_EXCEPTION. Returns a remover. */
  addValidationRule(rule: ValidationRule): () => void;
  /** API requests allowed from now on before REQUEST_LIMIT_EXCEEDED (403). */
  setRequestLimit(remaining: number): void;
  /** The next `count` data API calls answer `status` (503 by default; 429 and 503 carry Retry-After when given). */
  failNext(count: number, status?: number, options?: { retryAfterSeconds?: number }): void;
  requests: SandboxRequest[];
  clearRequests(): void;
  /** Freezes the clock at `at` (every change then has the same SystemModstamp), or lets it run (null). */
  setClock(at: Date | string | null): void;
  /** Moves the clock forward (frozen or not). */
  tick(seconds: number): void;
  /** Every token issued so far is expired (as after the session timeout); new ones are issued. */
  expireTokens(): void;
  /** Every token issued so far is revoked; with `blockApp`, the token endpoint refuses the app until `blockApp: false`. */
  revokeTokens(options?: { blockApp?: boolean }): void;
  /** Rotates the consumer secret: the old one is refused (`invalid_client`) from now on. */
  setClientSecret(secret: string): void;
  /** Every change event so far, oldest first. */
  changeEvents: ChangeEventMessage[];
  clearChangeEvents(): void;
  /**
   * Posts the change events not sent yet to a relay URL on this machine, as `{"events": [...]}` in
   * batches, signed like the Qiao relay signs (HMAC-SHA256 over "<timestamp>.<body>"). Stops at the
   * first answer that is not 2xx; what was not accepted is sent again next time.
   */
  sendChangeEvents(targetUrl: string, options: { secret: string; batchSize?: number; timestamp?: number }): Promise<{ sent: number; statuses: number[] }>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const NOT_FOUND = () => new SalesforceFault('NOT_FOUND', 'The requested resource does not exist', [], 404);

/** A batch of a query answer; the rest waits under a locator. */
interface QueryCursor {
  rows: Record<string, unknown>[];
  batch: number;
}

/**
 * Starts the sandbox. A new org is empty; `seed` (or `options.seed`) fills it.
 */
export async function startSalesforceSandbox(options: SalesforceSandboxOptions): Promise<SalesforceSandbox> {
  let frozenAt: number | undefined;
  let offsetMs = 0;
  const clock = () => frozenAt ?? Date.now() + offsetMs;
  const org = new SandboxOrg(
    {
      externalIdField: options.externalIdField ?? 'Qiao_Id__c',
      countryPicklists: options.countryPicklists ?? true,
      multiCurrency: options.multiCurrency ?? false,
      uniqueExternalId: options.uniqueExternalId ?? true,
    },
    clock,
  );
  const sessionMs = (options.sessionSeconds ?? 7_200) * 1000;
  let clientSecret = options.clientSecret;
  let appBlocked = false;
  const tokens = new Map<string, { issuedAt: number; revoked: boolean }>();
  const requests: SandboxRequest[] = [];
  const faults = { count: 0, status: 503, retryAfterSeconds: undefined as number | undefined };
  const limit = { max: options.apiRequestLimit ?? 100_000, used: 0 };
  const cursors = new Map<string, QueryCursor>();
  let locatorCounter = 0;
  let sentEvents = 0;
  let url = '';

  function issueToken(): { token: string; issuedAt: number } {
    const token = `${ORG_ID.slice(0, 15)}!AQ${randomBytes(48).toString('base64url')}`;
    const issuedAt = clock();
    tokens.set(token, { issuedAt, revoked: false });
    return { token, issuedAt };
  }

  function tokenValid(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const token = match ? tokens.get(match[1] as string) : undefined;
    return token !== undefined && !token.revoked && clock() < token.issuedAt + sessionMs;
  }

  async function handleToken(req: http.IncomingMessage, res: http.ServerResponse, entry: SandboxRequest, raw: string): Promise<void> {
    const refuse = (status: number, error: string, description: string) => {
      entry.status = status;
      entry.error = error;
      sendJson(res, status, { error, error_description: description });
    };
    if (req.method !== 'POST') return refuse(405, 'invalid_request', 'must use HTTP POST');
    if (!(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return refuse(400, 'invalid_request', 'unsupported content type');
    const form = new URLSearchParams(raw);
    entry.body = { grant_type: form.get('grant_type'), client_id: form.get('client_id') };
    if (form.get('grant_type') !== 'client_credentials') return refuse(400, 'unsupported_grant_type', 'grant type not supported');
    if (form.get('client_id') !== options.clientId) return refuse(400, 'invalid_client_id', 'client identifier invalid');
    if (form.get('client_secret') !== clientSecret) return refuse(400, 'invalid_client', 'invalid client credentials');
    if (appBlocked) return refuse(400, 'invalid_grant', 'app must be installed into org');
    const { token, issuedAt } = issueToken();
    entry.status = 200;
    sendJson(res, 200, {
      access_token: token,
      signature: randomBytes(32).toString('base64'),
      scope: 'api',
      instance_url: url,
      id: `${url}/id/${ORG_ID}/${API_USER_ID}`,
      token_type: 'Bearer',
      issued_at: String(issuedAt),
    });
  }

  function originOf(version: string, callOptions: string | undefined): ChangeOrigin {
    const client = /(?:^|,)\s*client\s*=\s*([^,\s]+)/.exec(callOptions ?? '')?.[1];
    return { origin: `com/salesforce/api/rest/${version.slice(1)}${client ? `;client=${client}` : ''}` };
  }

  function queryPage(version: string, locator: string, cursor: QueryCursor, offset: number) {
    const records = cursor.rows.slice(offset, offset + cursor.batch);
    const next = offset + records.length;
    const done = next >= cursor.rows.length;
    if (done) cursors.delete(locator);
    return { totalSize: cursor.rows.length, done, ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${locator}-${next}` }), records };
  }

  function batchSizeOf(req: http.IncomingMessage): number {
    const asked = /batchSize\s*=\s*(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''))?.[1];
    if (asked) return Math.min(2_000, Math.max(200, Number(asked)));
    return options.queryBatchSize ?? 2_000;
  }

  /** The fields of a GET by id: the `fields` parameter, or all of them. */
  function selected(def: ObjectDef, fieldsParam: string | null): Resolved[] {
    const names = fieldsParam ? fieldsParam.split(',').map((f) => f.trim()).filter(Boolean) : [...def.fields.keys()];
    return names.map((name) => {
      const field = org.findField(def, name);
      if (!field) throw new SalesforceFault('INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`);
      return { path: field.name, field };
    });
  }

  function parseJson(raw: string): unknown {
    try {
      return raw ? JSON.parse(raw) : {};
    } catch (err) {
      throw new SalesforceFault('JSON_PARSER_ERROR', `Unexpected character: ${(err as Error).message}`);
    }
  }

  function asObject(value: unknown): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SalesforceFault('JSON_PARSER_ERROR', 'Cannot deserialize instance of SObject from START_ARRAY value');
    return value as Record<string, unknown>;
  }

  /** One record's result in an sObject Collections answer. */
  function failure(err: unknown): { statusCode: string; message: string; fields: string[] }[] {
    if (err instanceof SalesforceFault) return [{ statusCode: err.errorCode, message: err.message, fields: err.fields }];
    throw err;
  }

  /** Answers a data API call under /services/data/<version>/. */
  function route(method: string, version: string, rest: string[], query: URLSearchParams, raw: string, req: http.IncomingMessage, entry: SandboxRequest): { status: number; body?: unknown } {
    const [head, a, b, c] = rest;
    const versionNumber = Number(version.slice(1));
    const origin = originOf(version, entry.callOptions);
    if (head === undefined && method === 'GET') {
      return { status: 200, body: Object.fromEntries(['sobjects', 'query', 'queryAll', 'composite', 'limits'].map((r) => [r, `/services/data/${version}/${r}`])) };
    }
    if (head === 'limits' && a === undefined && method === 'GET') {
      return { status: 200, body: { DailyApiRequests: { Max: limit.max, Remaining: Math.max(0, limit.max - limit.used) } } };
    }
    if ((head === 'query' || head === 'queryAll') && method === 'GET') {
      if (a !== undefined) {
        const match = /^(.+)-(\d+)$/.exec(a);
        const cursor = match ? cursors.get(match[1] as string) : undefined;
        if (!match || !cursor) throw new SalesforceFault('INVALID_QUERY_LOCATOR', 'invalid query locator', [], 400);
        return { status: 200, body: queryPage(version, match[1] as string, cursor, Number(match[2])) };
      }
      const soql = query.get('q');
      if (!soql) throw new SalesforceFault('MALFORMED_QUERY', 'A query string has to be specified', [], 400);
      const parsed = parseSoql(soql);
      const { def, fields, rows } = runSoql(org, parsed, { all: head === 'queryAll' });
      const locator = `01g5Q${String(++locatorCounter).padStart(10, '0')}`;
      const cursor: QueryCursor = { rows: rows.map((r) => formatRow(org, version, def, r, fields)), batch: batchSizeOf(req) };
      cursors.set(locator, cursor);
      return { status: 200, body: queryPage(version, locator, cursor, 0) };
    }
    if (head === 'sobjects' && a !== undefined) {
      const def = org.findObject(a);
      if (!def) throw NOT_FOUND();
      if (b === 'describe' && c === undefined && method === 'GET') {
        return {
          status: 200,
          body: {
            name: def.name,
            keyPrefix: def.prefix,
            fields: [...def.fields.values()].map((f) => ({
              name: f.name,
              type: f.type,
              length: f.length ?? 0,
              createable: f.createable,
              updateable: f.updateable,
              nillable: f.nillable,
              externalId: f.externalId === true,
              unique: f.unique === true,
              referenceTo: f.referenceTo ? [f.referenceTo] : [],
              relationshipName: f.relationshipName ?? null,
              picklistValues: (f.picklistValues ?? []).map((value) => ({ value, label: value, active: true })),
            })),
          },
        };
      }
      if (b === undefined && method === 'POST') {
        const values = org.parseValues(def, asObject(parseJson(raw)));
        const record = org.transaction(origin, () => org.insert(def.name, values));
        return { status: 201, body: { id: record.Id, success: true, errors: [] } };
      }
      if (b !== undefined && c === undefined) {
        const id = normalizeId(b);
        const found = id ? org.table(def.name).get(id) : undefined;
        if (method === 'GET') {
          if (!found || found.IsDeleted === true) throw NOT_FOUND();
          return { status: 200, body: formatRow(org, version, def, found, selected(def, query.get('fields'))) };
        }
        if (method === 'PATCH') {
          if (!found || found.IsDeleted === true) throw NOT_FOUND();
          const body = asObject(parseJson(raw));
          if (Object.keys(body).some((k) => k.toLowerCase() === 'id')) throw new SalesforceFault('INVALID_FIELD', 'The Id field should not be specified in the sobject data.');
          const values = org.parseValues(def, body);
          org.transaction(origin, () => org.update(def.name, found.Id, values));
          return { status: 204 };
        }
        if (method === 'DELETE') {
          if (!found) throw NOT_FOUND();
          if (found.IsDeleted === true) throw new SalesforceFault('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
          org.transaction(origin, () => org.remove(def.name, found.Id));
          return { status: 204 };
        }
      }
      if (b !== undefined && c !== undefined && method === 'PATCH') {
        // sObject Rows by External ID: upsert.
        const field = org.findField(def, b);
        if (!field?.externalId) throw new SalesforceFault('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${b}`, [], 404);
        const value = decodeURIComponent(c);
        const values = org.parseValues(def, asObject(parseJson(raw)));
        if (values[field.name] !== undefined && String(values[field.name]).toLowerCase() !== value.toLowerCase()) {
          throw new SalesforceFault('INVALID_FIELD', `The external ID value in the URL does not match the value of ${field.name} in the body`);
        }
        const matches = [...org.table(def.name).values()].filter((r) => r.IsDeleted !== true && typeof r[field.name] === 'string' && (r[field.name] as string).toLowerCase() === value.toLowerCase());
        if (matches.length > 1) return { status: 300, body: matches.map((r) => `/services/data/${version}/sobjects/${def.name}/${r.Id}`) };
        const only = matches[0];
        if (only) {
          org.transaction(origin, () => org.update(def.name, only.Id, values));
          // Before v46 an update by external id answered 204 without a body.
          return versionNumber >= 46 ? { status: 200, body: { id: only.Id, success: true, errors: [], created: false } } : { status: 204 };
        }
        const record = org.transaction(origin, () => org.insert(def.name, { ...values, [field.name]: value }));
        return { status: 201, body: { id: record.Id, success: true, errors: [], ...(versionNumber >= 46 ? { created: true } : {}) } };
      }
      throw NOT_FOUND();
    }
    if (head === 'composite' && a === 'sobjects' && method === 'PATCH' && (c !== undefined || b === undefined)) {
      if (versionNumber < (c !== undefined ? 46 : 42)) throw NOT_FOUND();
      const body = asObject(parseJson(raw));
      const records = body.records;
      if (!Array.isArray(records)) throw new SalesforceFault('JSON_PARSER_ERROR', 'records is required and must be a list');
      if (records.length > 200) throw new SalesforceFault('EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
      const allOrNone = body.allOrNone === true;
      // Parsed first: a value the deserializer refuses fails the whole request, as in Salesforce.
      const items = records.map((item) => {
        const record = asObject(item);
        const type = (record.attributes as { type?: unknown } | undefined)?.type;
        if (typeof type !== 'string') throw new SalesforceFault('INVALID_TYPE', 'When using sObject Collections, each record must have attributes with a type');
        const def = org.findObject(type);
        if (!def) throw new SalesforceFault('INVALID_TYPE', `sObject type '${type}' is not supported.`);
        if (c !== undefined && def.name.toLowerCase() !== (b as string).toLowerCase()) throw new SalesforceFault('INVALID_TYPE', `records must all be of type ${b}, got ${type}`);
        const { id: lowerId, Id: upperId, ...fields } = record;
        return { def, id: lowerId ?? upperId, values: org.parseValues(def, fields) };
      });
      let externalField: FieldDef | undefined;
      if (c !== undefined) {
        const upsertDef = org.findObject(b as string);
        if (!upsertDef) throw NOT_FOUND();
        externalField = org.findField(upsertDef, c);
        if (!externalField?.externalId) throw new SalesforceFault('INVALID_FIELD', `Field ${c} is not an external id field`);
      }

      type Plan = { run: () => { id: string; created?: boolean }; check: () => void };
      const plans: (Plan | { error: unknown })[] = items.map(({ def, id, values }) => {
        try {
          if (externalField) {
            const value = values[externalField.name];
            if (value === undefined || value === null || value === '') throw new SalesforceFault('MISSING_ARGUMENT', `${externalField.name} not specified`, [externalField.name]);
            const matches = [...org.table(def.name).values()].filter((r) => r.IsDeleted !== true && String(r[externalField.name] ?? '').toLowerCase() === String(value).toLowerCase());
            if (matches.length > 1) throw new SalesforceFault('DUPLICATE_EXTERNAL_ID', `${externalField.name}: more than one record found for external id field: [${matches.map((m) => m.Id).join(', ')}]`, [externalField.name]);
            const existing = matches[0];
            return {
              check: () => org.dryRun(def, values, existing),
              run: () => (existing ? { id: org.update(def.name, existing.Id, values).Id, created: false } : { id: org.insert(def.name, values).Id, created: true }),
            };
          }
          if (id === undefined || id === null) throw new SalesforceFault('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
          const existing = org.table(def.name).get(normalizeId(id) ?? '');
          if (!existing) throw new SalesforceFault('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
          if (existing.IsDeleted === true) throw new SalesforceFault('ENTITY_IS_DELETED', 'entity is deleted', []);
          return { check: () => org.dryRun(def, values, existing), run: () => ({ id: org.update(def.name, existing.Id, values).Id }) };
        } catch (err) {
          return { error: err };
        }
      });
      const results = org.transaction(origin, () => {
        if (allOrNone) {
          const errors = plans.map((p) => {
            if ('error' in p) return failure(p.error);
            try {
              p.check();
              return undefined;
            } catch (err) {
              return failure(err);
            }
          });
          if (errors.some(Boolean)) {
            return errors.map((e) => ({ id: null, success: false, errors: e ?? [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }] }));
          }
        }
        return plans.map((p) => {
          try {
            if ('error' in p) throw p.error;
            const done = p.run();
            return { id: done.id, success: true, errors: [], ...(done.created !== undefined ? { created: done.created } : {}) };
          } catch (err) {
            return { id: null, success: false, errors: failure(err) };
          }
        });
      });
      return { status: 200, body: results };
    }
    throw NOT_FOUND();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parsedUrl = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const callOptions = req.headers['sforce-call-options'];
    const entry: SandboxRequest = { method, path: parsedUrl.pathname, query: Object.fromEntries(parsedUrl.searchParams), status: 0 };
    if (typeof callOptions === 'string') entry.callOptions = callOptions;
    requests.push(entry);
    const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      if (body === undefined) {
        res.writeHead(status, headers);
        res.end();
      } else sendJson(res, status, body, headers);
    };
    const fault = (err: SalesforceFault, headers: Record<string, string> = {}) => {
      entry.error = err.errorCode;
      answer(err.status, [err.fields.length ? err.toJSON() : { message: err.message, errorCode: err.errorCode }], headers);
    };

    if (parsedUrl.pathname === '/services/oauth2/token') return handleToken(req, res, entry, raw);
    if (/^\/services\/data\/?$/.test(parsedUrl.pathname) && method === 'GET') {
      const versions = [];
      for (let v = OLDEST_VERSION; v <= SANDBOX_LATEST_VERSION; v++) versions.push({ label: `v${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
      return answer(200, versions);
    }
    const data = /^\/services\/data\/(v\d+\.\d)(?:\/(.*))?$/.exec(parsedUrl.pathname);
    if (!data) return fault(NOT_FOUND());
    if (raw && method !== 'GET') {
      try {
        entry.body = JSON.parse(raw);
      } catch {
        entry.body = raw.slice(0, 200);
      }
    }
    const version = data[1] as string;
    const versionNumber = Number(version.slice(1));
    if (faults.count > 0) {
      // A failure of Salesforce's front door, before the request is authenticated or counted.
      faults.count--;
      const headers: Record<string, string> = faults.retryAfterSeconds !== undefined ? { 'retry-after': String(faults.retryAfterSeconds) } : {};
      const code = faults.status === 503 ? 'SERVER_UNAVAILABLE' : faults.status >= 500 ? 'UNKNOWN_EXCEPTION' : faults.status === 429 ? 'REQUEST_LIMIT_EXCEEDED' : 'UNKNOWN_EXCEPTION';
      return fault(new SalesforceFault(code, faults.status >= 500 ? 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-123456789)' : 'Too many requests', [], faults.status), headers);
    }
    if (!tokenValid(req.headers.authorization)) return fault(new SalesforceFault('INVALID_SESSION_ID', 'Session expired or invalid', [], 401));
    if (versionNumber < OLDEST_VERSION || versionNumber > SANDBOX_LATEST_VERSION || !/\.0$/.test(version)) return fault(NOT_FOUND());
    if (limit.used >= limit.max) return fault(new SalesforceFault('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', [], 403));
    limit.used++;
    const usage = { 'sforce-limit-info': `api-usage=${limit.used}/${limit.max}` };
    const rest = (data[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
    try {
      const { status, body } = route(method, version, rest, parsedUrl.searchParams, raw, req, entry);
      answer(status, body, usage);
    } catch (err) {
      if (err instanceof SalesforceFault) return fault(err, usage);
      throw err;
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: String(err) }]);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;

  // ------------------------------------------------------------------------------------ helpers

  const ui = <T>(fn: () => T): T => org.transaction(UI_ORIGIN, fn);
  const parsed = (object: string, values: Values) => org.parseValues(org.object(object), values);
  const copy = (record: SRecord): SRecord => structuredClone(record);
  const productByCode = (code: string): string => {
    const found = [...org.table('Product2').values()].find((p) => p.IsDeleted !== true && p.ProductCode === code);
    if (!found) throw new Error(`salesforce sandbox: no product with ProductCode ${code}`);
    return found.Id;
  };

  function addLine(headerId: string, line: SeedLine): string {
    const header = org.byId(headerId);
    if (!header || (header.def.name !== 'Order' && header.def.name !== 'Opportunity')) throw new Error(`salesforce sandbox: ${headerId} is no order or opportunity`);
    const product = productByCode(line.productCode);
    const values: Values =
      header.def.name === 'Order'
        ? { OrderId: header.record.Id, Product2Id: product, Quantity: line.quantity, UnitPrice: line.unitPrice, Description: line.description ?? null }
        : { OpportunityId: header.record.Id, Product2Id: product, Quantity: line.quantity, UnitPrice: line.unitPrice, Discount: line.discount ?? null, Description: line.description ?? null };
    return ui(() => org.insert(header.def.name === 'Order' ? 'OrderItem' : 'OpportunityLineItem', parsed(header.def.name === 'Order' ? 'OrderItem' : 'OpportunityLineItem', values))).Id;
  }

  function activateOrder(id: string): void {
    const order = org.byId(id);
    if (order?.def.name !== 'Order') throw new Error(`salesforce sandbox: no order ${id}`);
    const hasLines = [...org.table('OrderItem').values()].some((i) => i.OrderId === order.record.Id && i.IsDeleted !== true);
    if (!hasLines) throw new Error(`salesforce sandbox: order ${id} has no products; Salesforce does not activate it`);
    ui(() => org.update('Order', order.record.Id, { Status: 'Activated' }));
  }

  function seed(input: SalesforceSeed): SeededIds {
    const ids: SeededIds = { accounts: {}, contacts: {}, products: {}, orders: [], opportunities: [] };
    const account = (name: string) => {
      const id = ids.accounts[name] ?? [...org.table('Account').values()].find((a) => a.Name === name)?.Id;
      if (!id) throw new Error(`salesforce sandbox: no account ${name}`);
      return id;
    };
    for (const { contacts = [], ...values } of input.accounts ?? []) {
      const accountId = ui(() => org.insert('Account', parsed('Account', values))).Id;
      ids.accounts[String(values.Name)] = accountId;
      for (const contact of contacts) {
        const record = ui(() => org.insert('Contact', parsed('Contact', { AccountId: accountId, ...contact })));
        ids.contacts[String(record.Name)] = record.Id;
      }
    }
    for (const values of input.products ?? []) {
      const record = ui(() => org.insert('Product2', parsed('Product2', { IsActive: true, ...values })));
      ids.products[String(values.ProductCode ?? values.Name)] = record.Id;
    }
    for (const order of input.orders ?? []) {
      const id = ui(() => org.insert('Order', parsed('Order', { AccountId: account(order.account), EffectiveDate: order.effectiveDate ?? org.now().slice(0, 10), Status: 'Draft', ...order.values }))).Id;
      for (const line of order.lines) addLine(id, line);
      if (order.activated) activateOrder(id);
      ids.orders.push(id);
    }
    for (const opportunity of input.opportunities ?? []) {
      const id = ui(() =>
        org.insert(
          'Opportunity',
          parsed('Opportunity', { AccountId: account(opportunity.account), Name: opportunity.name, StageName: opportunity.stage ?? 'Prospecting', CloseDate: opportunity.closeDate ?? org.now().slice(0, 10), ...opportunity.values }),
        ),
      ).Id;
      for (const line of opportunity.lines) addLine(id, line);
      ids.opportunities.push(id);
    }
    return ids;
  }

  if (options.seed) seed(options.seed);

  return {
    url,
    port,
    org,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    seed,
    insert: (object, values) => ui(() => org.insert(object, parsed(object, values))).Id,
    update: (object, id, values) => {
      ui(() => org.update(object, id, parsed(object, values)));
    },
    remove: (object, id) => {
      ui(() => org.remove(object, id));
    },
    record: (object, id) => {
      const found = org.table(object).get(normalizeId(id) ?? '');
      return found ? copy(found) : undefined;
    },
    records: (object, opts = {}) => [...org.table(object).values()].filter((r) => opts.includeDeleted || r.IsDeleted !== true).map(copy),
    activateOrder,
    winOpportunity: (id) => {
      ui(() => org.update('Opportunity', id, { StageName: 'Closed Won' }));
    },
    addLine,
    addValidationRule(rule) {
      org.rules.push(rule);
      return () => {
        const i = org.rules.indexOf(rule);
        if (i >= 0) org.rules.splice(i, 1);
      };
    },
    setRequestLimit(remaining) {
      limit.max = limit.used + remaining;
    },
    failNext(count, status = 503, opts = {}) {
      Object.assign(faults, { count, status, retryAfterSeconds: opts.retryAfterSeconds });
    },
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    setClock(at) {
      if (at === null) {
        offsetMs = (frozenAt ?? Date.now() + offsetMs) - Date.now();
        frozenAt = undefined;
      } else frozenAt = new Date(at).getTime();
    },
    tick(seconds) {
      if (frozenAt !== undefined) frozenAt += seconds * 1000;
      else offsetMs += seconds * 1000;
    },
    expireTokens() {
      for (const token of tokens.values()) token.issuedAt = -Infinity;
    },
    revokeTokens(opts = {}) {
      for (const token of tokens.values()) token.revoked = true;
      if (opts.blockApp !== undefined) appBlocked = opts.blockApp;
    },
    setClientSecret(secret) {
      clientSecret = secret;
    },
    changeEvents: org.events,
    clearChangeEvents() {
      org.events.length = 0;
      sentEvents = 0;
    },
    async sendChangeEvents(targetUrl, opts) {
      const target = new URL(targetUrl);
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error(`salesforce sandbox: sends change events to this machine only, not to ${target.hostname}`);
      const batchSize = opts.batchSize ?? 100;
      const statuses: number[] = [];
      let sent = 0;
      while (sentEvents < org.events.length) {
        const batch = org.events.slice(sentEvents, sentEvents + batchSize);
        const body = JSON.stringify({ events: batch });
        const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
        const res = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-qiao-relay-timestamp': String(timestamp), 'x-qiao-relay-signature': signSalesforceRelay(opts.secret, timestamp, body) },
          body,
        });
        await res.arrayBuffer();
        statuses.push(res.status);
        if (!res.ok) break;
        sentEvents += batch.length;
        sent += batch.length;
      }
      return { sent, statuses };
    },
  };
}
