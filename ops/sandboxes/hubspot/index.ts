// A HubSpot look-alike on 127.0.0.1 for end-to-end tests, demos and benchmarks: the date-versioned
// CRM API (`/crm/objects/<version>/...`, `/crm/associations/<version>/...`, `/crm/properties/<version>/...`)
// over an in-memory account, with HubSpot's answers, error bodies, 207 batches, search limits and
// rate limits, plus test hooks (seed, deals, faults, rejection rules, request log, clock, webhooks).
import { createHash, createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OBJECT_TYPE_IDS, type ObjectType, PROPERTIES, type PropertyDef, SINGULAR } from './schema';
import { HubspotError, HubspotStore, type JournalEvent, type RecordProblem, type Rejection } from './store';

export type { ObjectType } from './schema';

type Json = Record<string, unknown>;
/** Property values as a write gives them. */
export type Props = Record<string, string | number | boolean | null>;

/** One API call as the sandbox received it (the token is never logged). */
export interface SandboxRequest {
  method: string;
  path: string;
  /** `search`, `get`, `list`, `create`, `update`, `archive`, `batch/read`, `batch/upsert`, `batch/update`, `associations/batch/read`, `properties`, ... */
  operation: string;
  objectType?: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  /** HubSpot's error category, when the answer was an error. */
  category?: string;
}

export interface HubspotSandboxSeed {
  /** Companies by their properties (`name` is how contacts and deals refer to them), each with its contacts. */
  companies?: CompanySeed[];
  /** Products by their properties; `hs_sku` is how deal lines refer to them. */
  products?: Props[];
  /** Deals of a company (by name), with lines by SKU. */
  deals?: DealSeed[];
}

/** A company's properties, and its contacts (associated with it as their primary company). */
export interface CompanySeed {
  contacts?: Props[];
  [property: string]: string | number | boolean | null | Props[] | undefined;
}

export interface DealSeed {
  /** The company: its name in the seed, or its id. */
  company?: string | number;
  lines: { sku: string; quantity: number | string; price?: number | string; discount?: number | string; discountPercentage?: number | string }[];
  dealname?: string;
  dealstage?: string;
  /** `deal_currency_code`; default the sandbox's currency. */
  currency?: string;
  properties?: Props;
}

export interface SeededIds {
  /** Company ids by name. */
  companies: Record<string, string>;
  /** Contact ids by email (or first name when there is none). */
  contacts: Record<string, string>;
  /** Product ids by SKU (or name). */
  products: Record<string, string>;
  /** Deal ids by deal name. */
  deals: Record<string, string>;
}

/** A webhook event to send; what is left out is filled in as HubSpot would. */
export interface WebhookEventInput {
  subscriptionType: string;
  objectId?: number | string;
  propertyName?: string;
  propertyValue?: string;
  occurredAt?: number;
  eventId?: number;
  [field: string]: unknown;
}

export interface HubspotSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The private-app token the API accepts. */
  accessToken: string;
  /** Client secret webhooks are signed with (default: a random one, see `clientSecret` on the handle). */
  clientSecret?: string;
  /** Date versions served (default `2026-03` and `2026-09`); any other is a 404, as are the legacy `/crm/v3/` paths. */
  apiVersions?: string[];
  /** Currency of the account (and of new deals). Default EUR. */
  currency?: string;
  /** Rolling-window rate limit of the private app (HubSpot: 100 to 190 per 10 s). Default none. */
  rateLimit?: RateLimit;
  /** Search requests per second (HubSpot: 5). Default none. */
  searchPerSecond?: number;
  seed?: HubspotSandboxSeed;
}

export interface RateLimit {
  max: number;
  intervalMs: number;
}

/**
 * A running sandbox and its test hooks.
 * @example const hub = await startHubspotSandbox({ accessToken: 'pat-test' })
 *          const ids = hub.seed({ companies: [{ name: 'Acme' }], products: [{ name: 'Bolt', hs_sku: 'B1', price: 1.2 }] })
 *          const { dealId } = hub.createDeal({ company: 'Acme', lines: [{ sku: 'B1', quantity: 10 }] }); hub.winDeal(dealId); await hub.stop()
 */
export interface HubspotSandbox {
  url: string;
  port: number;
  portalId: number;
  appId: number;
  accessToken: string;
  /** The secret webhooks are signed with. */
  clientSecret: string;
  currency: string;
  stop(): Promise<void>;
  seed(seed: HubspotSandboxSeed): SeededIds;
  /** Creates a record (checked like an API write; a refused one throws). Returns its id. */
  create(type: ObjectType, properties: Props): string;
  update(type: ObjectType, id: string | number, properties: Props): void;
  archive(type: ObjectType, id: string | number): void;
  /** A record as the API returns it (all its properties when none are named); undefined when there is none. */
  record(type: ObjectType, id: string | number, properties?: string[]): Json | undefined;
  /** Every live record of a type, oldest id first, with all properties. */
  records(type: ObjectType): Json[];
  associate(from: ObjectType, fromId: string | number, to: ObjectType, toId: string | number, typeId?: number): void;
  /** Ids of the records associated with one record. */
  associations(from: ObjectType, fromId: string | number, to: ObjectType): string[];
  /** A deal with its company and line items (by product SKU, price from the product unless given). */
  createDeal(deal: DealSeed): { dealId: string; lineItemIds: string[] };
  /** Moves a deal to `closedwon` (and sets its close date). */
  winDeal(dealId: string | number): void;
  /** POSTs signed (v3) webhook batches of at most `batchSize` events to a loopback URL; returns each answer. */
  sendWebhooks(targetUrl: string, events: WebhookEventInput[], options?: { secret?: string; timestampMs?: number; batchSize?: number }): Promise<{ status: number; body: string }[]>;
  /** The changes made since the last call, as webhook events (creation, propertyChange, deletion). */
  takeEvents(): WebhookEventInput[];
  /** The next `count` API calls answer `status` (503 by default; 429 with HubSpot's rate-limit body and headers). */
  failNext(count: number, status?: number, options?: { retryAfterSeconds?: number }): void;
  /** Writes to `type` whose properties match are refused (a per-record error in a 207 batch). Returns a remover. */
  rejectWhen(type: ObjectType, predicate: Rejection['predicate'], message: string, property?: string): () => void;
  setRateLimit(limit: RateLimit | null): void;
  /** Associations per record in one `batch/read` page (HubSpot: 500). */
  setAssociationPageSize(size: number): void;
  /** Every API call so far, oldest first. */
  requests: SandboxRequest[];
  clearRequests(): void;
  /** Freezes the clock at `at` (every write then has the same last-modified millisecond), or lets it run again (null). */
  setClock(at: Date | string | number | null): void;
  /** Moves a frozen clock forward (fractions of a second allowed). */
  tick(seconds: number): void;
  /** Replaces the valid token (the old one is refused from then on). */
  setAccessToken(token: string): void;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json;charset=utf-8' } : {}), 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The percent-encodings HubSpot decodes in the URI it signs. */
function signedUri(url: string): string {
  const pairs: [RegExp, string][] = [
    [/%3A/gi, ':'],
    [/%2F/gi, '/'],
    [/%3F/gi, '?'],
    [/%40/gi, '@'],
    [/%21/gi, '!'],
    [/%24/gi, '$'],
    [/%27/gi, "'"],
    [/%28/gi, '('],
    [/%29/gi, ')'],
    [/%2A/gi, '*'],
    [/%2C/gi, ','],
    [/%3B/gi, ';'],
  ];
  return pairs.reduce((uri, [encoded, decoded]) => uri.replace(encoded, decoded), url);
}

const BATCH_LIMIT = 100;

/**
 * Starts the sandbox: an empty account (properties defined, qiao_* included) unless seeded.
 */
export async function startHubspotSandbox(options: HubspotSandboxOptions): Promise<HubspotSandbox> {
  let frozenAt: number | undefined;
  const store = new HubspotStore(() => frozenAt ?? Date.now());
  let accessToken = options.accessToken;
  const clientSecret = options.clientSecret ?? randomUUID();
  const versions = options.apiVersions ?? ['2026-03', '2026-09'];
  const currency = options.currency ?? 'EUR';
  const portalId = 62_515_001;
  const appId = 4_242_001;
  const requests: SandboxRequest[] = [];
  const faults = { count: 0, status: 503, retryAfterSeconds: undefined as number | undefined };
  let rateLimit = options.rateLimit ?? null;
  const calls: number[] = [];
  const searches: number[] = [];
  let nextEventId = 100_001;

  // ------------------------------------------------------------------------------- writes and batches

  /** Writes one record (create or update) from raw properties; the problem when HubSpot would refuse it. */
  function writeOne(type: ObjectType, properties: unknown, target: { rec?: ReturnType<HubspotStore['get']>; create?: Props; id?: string }): { rec: NonNullable<ReturnType<HubspotStore['get']>>; created: boolean } | { problem: RecordProblem } {
    const operation = target.rec ? 'update' : 'create';
    const merged = operation === 'create' && target.create ? { ...(isObject(properties) ? properties : {}), ...target.create } : properties;
    const checked = store.check(type, merged, { operation, rec: target.rec, id: target.id });
    if ('problem' in checked) return checked;
    if (target.rec) {
      store.apply(target.rec, checked.values);
      return { rec: target.rec, created: false };
    }
    return { rec: store.insert(type, checked.values), created: true };
  }

  function recordError(type: ObjectType, p: RecordProblem, context: Record<string, string[]>): Json {
    return {
      status: 'error',
      category: p.category,
      message: p.message,
      context,
      errors: [{ message: p.message, code: p.code, ...(p.propertyName ? { context: { propertyName: [p.propertyName] } } : {}) }],
      subCategory: p.category === 'VALIDATION_ERROR' ? `${SINGULAR[type]}.VALIDATION_ERROR` : undefined,
    };
  }

  function batchAnswer(results: Json[], errors: Json[], startedAt: string): { status: number; body: Json } {
    const body: Json = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (errors.length > 0) Object.assign(body, { numErrors: errors.length, errors });
    return { status: errors.length > 0 ? 207 : 200, body };
  }

  function inputsOf(body: unknown): Json[] {
    const inputs = isObject(body) ? body.inputs : undefined;
    if (!Array.isArray(inputs) || inputs.some((i) => !isObject(i))) throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs must be a list of objects');
    if (inputs.length > BATCH_LIMIT) throw new HubspotError(400, 'VALIDATION_ERROR', `Batch input limit exceeded: at most ${BATCH_LIMIT} inputs, got ${inputs.length}`, { context: { limit: [String(BATCH_LIMIT)] } });
    return inputs as Json[];
  }

  /**
   * `batch/upsert` (by a unique `idProperty`) and `batch/update` (by id, or a unique `idProperty`).
   * With an `objectWriteTraceId` on every input, refused records are reported one by one (207) and
   * the others written; without, one refused record fails the whole batch (400), as HubSpot does.
   */
  function batchWrite(type: ObjectType, body: unknown, mode: 'upsert' | 'update'): { status: number; body: Json } {
    const startedAt = new Date().toISOString();
    const inputs = inputsOf(body);
    const seen = new Set<string>();
    for (const input of inputs) {
      const idProperty = input.idProperty;
      if (mode === 'upsert' || idProperty !== undefined) {
        const def = typeof idProperty === 'string' ? store.property(type, idProperty) : undefined;
        if (!def) throw new HubspotError(400, 'VALIDATION_ERROR', `idProperty ${JSON.stringify(idProperty)} is not a ${SINGULAR[type]} property; ${mode} needs a property with unique values`);
        if (!def.hasUniqueValue) throw new HubspotError(400, 'VALIDATION_ERROR', `Unable to perform update/upsert by non-unique ${OBJECT_TYPE_IDS[type]} property ${def.name} in portal ID ${portalId}`);
      }
      if (typeof input.id !== 'string' && typeof input.id !== 'number') throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: every input needs an id');
      const key = String(input.id).toLowerCase();
      if (seen.has(key)) throw new HubspotError(400, 'VALIDATION_ERROR', `Duplicate IDs found in batch input: [${String(input.id)}]. IDs must be unique`);
      seen.add(key);
    }
    const traced = inputs.every((i) => typeof i.objectWriteTraceId === 'string' && i.objectWriteTraceId !== '');
    const targets = inputs.map((input) => {
      const id = String(input.id);
      const rec = typeof input.idProperty === 'string' ? store.byUnique(type, input.idProperty, id) : /^\d+$/.test(id) ? store.get(type, id) : undefined;
      return { input, id, rec };
    });
    const missing: RecordProblem = { category: 'OBJECT_NOT_FOUND', code: 'OBJECT_NOT_FOUND', message: `Could not get some ${type} objects, they may be deleted or not exist. Check that ids are valid.` };
    if (!traced) {
      // All or nothing: check every record before writing any.
      for (const t of targets) {
        if (mode === 'update' && !t.rec) throw new HubspotError(404, 'OBJECT_NOT_FOUND', missing.message, { context: { ids: [t.id] } });
        const create = t.rec ? undefined : { [t.input.idProperty as string]: t.id };
        const checked = store.check(type, t.rec ? t.input.properties : { ...(isObject(t.input.properties) ? t.input.properties : {}), ...create }, { operation: t.rec ? 'update' : 'create', rec: t.rec, id: t.id });
        if ('problem' in checked) throw new HubspotError(checked.problem.category === 'CONFLICT' ? 409 : 400, checked.problem.category, checked.problem.message, { errors: [{ message: checked.problem.message, code: checked.problem.code }] });
      }
    }
    const results: Json[] = [];
    const errors: Json[] = [];
    for (const t of targets) {
      const trace = typeof t.input.objectWriteTraceId === 'string' ? t.input.objectWriteTraceId : undefined;
      const context: Record<string, string[]> = trace ? { objectWriteTraceId: [trace] } : { ids: [t.id] };
      if (mode === 'update' && !t.rec) {
        errors.push(recordError(type, missing, trace ? { ...context, ids: [t.id] } : context));
        continue;
      }
      const written = writeOne(type, t.input.properties, { rec: t.rec, create: mode === 'upsert' ? { [t.input.idProperty as string]: t.id } : undefined, id: t.id });
      if ('problem' in written) {
        errors.push(recordError(type, written.problem, context));
        continue;
      }
      const shown = [...new Set([...Object.keys(isObject(t.input.properties) ? t.input.properties : {}), ...(typeof t.input.idProperty === 'string' ? [t.input.idProperty] : [])])];
      const extra: Json = trace ? { objectWriteTraceId: trace } : {};
      if (mode === 'upsert') extra.new = written.created;
      results.push(store.output(written.rec, shown, extra));
    }
    return batchAnswer(results, errors, startedAt);
  }

  function batchRead(type: ObjectType, body: unknown): { status: number; body: Json } {
    const startedAt = new Date().toISOString();
    const inputs = inputsOf(body);
    const request = body as Json;
    const properties = Array.isArray(request.properties) ? (request.properties as string[]) : undefined;
    const idProperty = typeof request.idProperty === 'string' ? request.idProperty : undefined;
    if (idProperty && !store.property(type, idProperty)?.hasUniqueValue) throw new HubspotError(400, 'VALIDATION_ERROR', `idProperty ${idProperty} is not a unique ${SINGULAR[type]} property`);
    const results: Json[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const id = String(input.id ?? '');
      const rec = idProperty ? store.byUnique(type, idProperty, id) : /^\d+$/.test(id) ? store.get(type, id) : undefined;
      if (rec) results.push(store.output(rec, properties));
      else missing.push(id);
    }
    const errors = missing.length
      ? [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `Could not get some ${type} objects, they may be deleted or not exist. Check that ids are valid.`, context: { ids: missing } }]
      : [];
    return batchAnswer(results, errors, startedAt);
  }

  // --------------------------------------------------------------------------------------- the routes

  function objectRoute(method: string, type: ObjectType, rest: string[], query: Record<string, string>, body: unknown, entry: SandboxRequest): { status: number; body?: unknown } {
    const [first, second] = rest;
    if (first === undefined) {
      if (method === 'GET') {
        entry.operation = 'list';
        const limit = Math.min(Number(query.limit ?? 10) || 10, 100);
        const after = Number(query.after ?? 0) || 0;
        const all = [...store.tables[type].live.values()].filter((r) => r.id > after).sort((a, b) => a.id - b.id);
        const page = all.slice(0, limit);
        const answer: Json = { results: page.map((r) => store.output(r, query.properties?.split(','))) };
        const last = page[page.length - 1];
        if (all.length > limit && last) answer.paging = { next: { after: String(last.id), link: `?after=${last.id}` } };
        return { status: 200, body: answer };
      }
      if (method === 'POST') {
        entry.operation = 'create';
        const written = writeOne(type, isObject(body) ? body.properties : undefined, {});
        if ('problem' in written) throw new HubspotError(written.problem.category === 'CONFLICT' ? 409 : 400, written.problem.category, written.problem.message);
        return { status: 201, body: store.output(written.rec, null) };
      }
    }
    if (first === 'search' && second === undefined && method === 'POST') {
      entry.operation = 'search';
      const now = Date.now();
      if (options.searchPerSecond !== undefined) {
        while (searches.length > 0 && (searches[0] as number) <= now - 1000) searches.shift();
        if (searches.length >= options.searchPerSecond) throw new HubspotError(429, 'RATE_LIMITS', 'You have reached your secondly limit.', { context: { policyName: ['SECONDLY'] } });
        searches.push(now);
      }
      if (!isObject(body)) throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: the search request must be an object');
      return { status: 200, body: store.search(type, body) };
    }
    if (first === 'batch' && method === 'POST' && second !== undefined) {
      entry.operation = `batch/${second}`;
      if (second === 'read') return batchRead(type, body);
      if (second === 'upsert') return batchWrite(type, body, 'upsert');
      if (second === 'update') return batchWrite(type, body, 'update');
      if (second === 'archive') {
        for (const input of inputsOf(body)) store.archive(type, Number(input.id));
        return { status: 204 };
      }
    }
    if (first !== undefined && first !== 'batch' && first !== 'search' && second === undefined) {
      const idProperty = query.idProperty;
      const byUnique = idProperty !== undefined;
      if (byUnique && !store.property(type, idProperty)?.hasUniqueValue) throw new HubspotError(400, 'VALIDATION_ERROR', `idProperty ${idProperty} is not a unique ${SINGULAR[type]} property`);
      const live = byUnique ? store.byUnique(type, idProperty, first) : /^\d+$/.test(first) ? store.get(type, first) : undefined;
      const notFound = () => new HubspotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', { context: { id: [first] } });
      if (method === 'GET') {
        entry.operation = 'get';
        const archived = query.archived === 'true';
        const rec = archived ? (/^\d+$/.test(first) ? store.getArchived(type, first) : undefined) : live;
        if (!rec) throw notFound();
        return { status: 200, body: store.output(rec, query.properties ? query.properties.split(',') : null) };
      }
      if (method === 'PATCH') {
        entry.operation = 'update';
        if (!live) throw notFound();
        const written = writeOne(type, isObject(body) ? body.properties : undefined, { rec: live });
        if ('problem' in written) throw new HubspotError(written.problem.category === 'CONFLICT' ? 409 : 400, written.problem.category, written.problem.message);
        return { status: 200, body: store.output(written.rec, null) };
      }
      if (method === 'DELETE') {
        entry.operation = 'archive';
        if (live) store.archive(type, live.id);
        return { status: 204 };
      }
    }
    throw new HubspotError(405, 'INVALID_PARAMS', `${method} is not supported on this path`);
  }

  function associationRoute(method: string, from: ObjectType, to: ObjectType, rest: string[], body: unknown, entry: SandboxRequest): { status: number; body?: unknown } {
    const op = rest.join('/');
    entry.operation = `associations/${op}`;
    if (method !== 'POST' || !['batch/read', 'batch/create', 'batch/associate/default'].includes(op)) throw new HubspotError(405, 'INVALID_PARAMS', `${method} ${op} is not supported on associations`);
    if (!store.kinds(from, to)) throw new HubspotError(400, 'VALIDATION_ERROR', `${from} cannot be associated with ${to}`);
    const startedAt = new Date().toISOString();
    const inputs = isObject(body) && Array.isArray(body.inputs) ? (body.inputs as Json[]) : undefined;
    if (!inputs || inputs.some((i) => !isObject(i))) throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs must be a list of objects');
    if (op === 'batch/read') {
      if (inputs.length > 1_000) throw new HubspotError(400, 'VALIDATION_ERROR', `Batch input limit exceeded: at most 1000 inputs, got ${inputs.length}`);
      const results: Json[] = [];
      const errors: Json[] = [];
      for (const input of inputs) {
        const id = String(input.id ?? '');
        const all = /^\d+$/.test(id) ? store.associated(from, Number(id), to) : [];
        if (all.length === 0) {
          errors.push({ status: 'error', category: 'OBJECT_NOT_FOUND', message: `No ${SINGULAR[to]} is associated with ${SINGULAR[from]} ${id}.`, context: { fromObjectId: [id] } });
          continue;
        }
        const offset = Number(input.after ?? 0) || 0;
        const page = all.slice(offset, offset + store.associationPageSize);
        const result: Json = { from: { id }, to: page };
        if (offset + store.associationPageSize < all.length) result.paging = { next: { after: String(offset + store.associationPageSize), link: null } };
        results.push(result);
      }
      return batchAnswer(results, errors, startedAt);
    }
    if (inputs.length > BATCH_LIMIT) throw new HubspotError(400, 'VALIDATION_ERROR', `Batch input limit exceeded: at most ${BATCH_LIMIT} inputs, got ${inputs.length}`);
    const results: Json[] = [];
    const errors: Json[] = [];
    for (const input of inputs) {
      const fromId = String((input.from as Json | undefined)?.id ?? '');
      const toId = String((input.to as Json | undefined)?.id ?? '');
      const types = op === 'batch/create' ? (Array.isArray(input.types) ? (input.types as Json[]) : []) : [{ associationTypeId: store.kinds(from, to)?.[0]?.typeId }];
      if (types.length === 0) throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: every input needs types');
      try {
        for (const t of types) {
          const typeId = Number(t.associationTypeId);
          if (!Number.isInteger(typeId)) throw new HubspotError(400, 'VALIDATION_ERROR', 'associationTypeId must be an integer');
          store.associate(from, Number(fromId), to, Number(toId), typeId);
        }
        results.push({ fromObjectTypeId: OBJECT_TYPE_IDS[from], fromObjectId: Number(fromId), toObjectTypeId: OBJECT_TYPE_IDS[to], toObjectId: Number(toId), labels: [] });
      } catch (err) {
        if (!(err instanceof HubspotError)) throw err;
        if (err.status !== 404) throw err;
        errors.push({ status: 'error', category: err.category, message: err.message, context: { fromObjectId: [fromId], toObjectId: [toId] } });
      }
    }
    return batchAnswer(results, errors, startedAt);
  }

  function propertyJson(type: ObjectType, def: PropertyDef): Json {
    return {
      name: def.name,
      label: def.label,
      type: def.type,
      fieldType: def.fieldType,
      groupName: def.groupName,
      options: (def.options ?? []).map((value, i) => ({ label: value, value, displayOrder: i, hidden: false })),
      hasUniqueValue: def.hasUniqueValue === true,
      hidden: false,
      calculated: def.name === 'amount' && type === 'line_items',
      hubspotDefined: !def.custom,
      formField: !def.readOnly,
      modificationMetadata: { archivable: Boolean(def.custom), readOnlyDefinition: !def.custom, readOnlyValue: Boolean(def.readOnly) },
    };
  }

  function route(method: string, parts: string[], query: Record<string, string>, body: unknown, entry: SandboxRequest): { status: number; body?: unknown } {
    const [crm, api, version, ...rest] = parts;
    const notFound = (message: string) => new HubspotError(404, 'OBJECT_NOT_FOUND', message);
    if (crm !== 'crm' || api === undefined || version === undefined) throw notFound(`resource not found: /${parts.join('/')}`);
    if (/^v\d+$/.test(api) || /^v\d+$/.test(version)) throw notFound(`the sandbox speaks the date-versioned CRM API only (/crm/${api === 'objects' || /^v\d+$/.test(api) ? 'objects' : api}/<version>/...), not /crm/${api}/${version}`);
    if (!versions.includes(version)) throw notFound(`API version ${version} does not exist; this account serves ${versions.join(', ')}`);
    const typeOf = (name: string | undefined) => {
      const type = name === undefined ? undefined : HubspotStore.objectType(name);
      if (!type) throw new HubspotError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${name}`);
      return type;
    };
    if (api === 'objects') {
      const type = typeOf(rest[0]);
      entry.objectType = type;
      return objectRoute(method, type, rest.slice(1), query, body, entry);
    }
    if (api === 'associations') {
      const from = typeOf(rest[0]);
      const to = typeOf(rest[1]);
      entry.objectType = `${from}/${to}`;
      return associationRoute(method, from, to, rest.slice(2), body, entry);
    }
    if (api === 'properties' && method === 'GET') {
      const type = typeOf(rest[0]);
      entry.objectType = type;
      entry.operation = 'properties';
      if (rest[1] === undefined) return { status: 200, body: { results: [...PROPERTIES[type].values()].map((d) => propertyJson(type, d)) } };
      const def = store.property(type, rest[1]);
      if (!def) throw notFound(`Unable to find property ${rest[1]} on object type ${OBJECT_TYPE_IDS[type]}`);
      return { status: 200, body: propertyJson(type, def) };
    }
    throw notFound(`resource not found: /${parts.join('/')}`);
  }

  function rateHeaders(remaining: number): Record<string, string> {
    if (!rateLimit) return {};
    return {
      'x-hubspot-ratelimit-interval-milliseconds': String(rateLimit.intervalMs),
      'x-hubspot-ratelimit-max': String(rateLimit.max),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, remaining)),
    };
  }

  function rateLimited(headers: Record<string, string> = {}): { status: number; body: Json; headers: Record<string, string> } {
    return {
      status: 429,
      body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: 'TEN_SECONDLY_ROLLING', groupName: `publicapi:private-app:${appId}:${portalId}` },
      headers,
    };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    const text = await readBody(req);
    const entry: SandboxRequest = { method, path: url.pathname, operation: 'unknown', query, status: 200 };
    requests.push(entry);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      if (isObject(body) && body.status === 'error') entry.category = String(body.category ?? body.errorType ?? '');
      sendJson(res, status, status === 204 ? undefined : body, { 'x-hubspot-correlation-id': randomUUID(), ...headers });
    };
    if (text) {
      try {
        entry.body = JSON.parse(text);
      } catch {
        return answer(400, new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: the body is not JSON').body());
      }
    }
    if (faults.count > 0) {
      // A failure in front of the API (load balancer, throttling), before anything is read or written.
      faults.count--;
      if (faults.status === 429) {
        const limited = rateLimited({ ...(faults.retryAfterSeconds !== undefined ? { 'retry-after': String(faults.retryAfterSeconds) } : {}), 'x-hubspot-ratelimit-interval-milliseconds': String(rateLimit?.intervalMs ?? 10_000), 'x-hubspot-ratelimit-max': String(rateLimit?.max ?? 190), 'x-hubspot-ratelimit-remaining': '0' });
        return answer(limited.status, limited.body, limited.headers);
      }
      return answer(faults.status, new HubspotError(faults.status, 'INTERNAL_ERROR', faults.status === 503 ? 'Service Unavailable' : 'internal error').body());
    }
    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    if (bearer !== accessToken) {
      const message = bearer
        ? 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'
        : 'Any of the listed authentication credentials are missing';
      return answer(401, new HubspotError(401, 'INVALID_AUTHENTICATION', message).body());
    }
    let remaining = Number.POSITIVE_INFINITY;
    if (rateLimit) {
      // The window is real time, so a frozen clock does not freeze the limit.
      const now = Date.now();
      while (calls.length > 0 && (calls[0] as number) <= now - rateLimit.intervalMs) calls.shift();
      if (calls.length >= rateLimit.max) {
        const limited = rateLimited(rateHeaders(0));
        return answer(limited.status, limited.body, limited.headers);
      }
      calls.push(now);
      remaining = rateLimit.max - calls.length;
    }
    if (entry.body !== undefined && !(req.headers['content-type'] ?? '').includes('application/json')) {
      return answer(415, new HubspotError(415, 'VALIDATION_ERROR', 'Content-Type must be application/json').body());
    }
    try {
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const result = route(method, parts, query, entry.body, entry);
      answer(result.status, result.body, rateHeaders(remaining));
    } catch (err) {
      if (!(err instanceof HubspotError)) throw err;
      answer(err.status, err.body(), rateHeaders(remaining));
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, new HubspotError(500, 'INTERNAL_ERROR', `sandbox failure: ${err instanceof Error ? err.message : String(err)}`).body());
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  // ------------------------------------------------------------------------------------------ helpers

  function mustCreate(type: ObjectType, properties: Props): NonNullable<ReturnType<HubspotStore['get']>> {
    const checked = store.check(type, properties, { operation: 'create' });
    if ('problem' in checked) throw new Error(`hubspot sandbox: cannot create ${SINGULAR[type]}: ${checked.problem.message}`);
    return store.insert(type, checked.values);
  }

  function mustGet(type: ObjectType, id: string | number) {
    const rec = store.get(type, id);
    if (!rec) throw new Error(`hubspot sandbox: no ${SINGULAR[type]} ${id}`);
    return rec;
  }

  function companyId(company: string | number): number {
    if (typeof company === 'number' || /^\d+$/.test(company)) return mustGet('companies', company).id;
    for (const rec of store.tables.companies.live.values()) if (rec.values.name === company) return rec.id;
    throw new Error(`hubspot sandbox: no company named ${company}`);
  }

  const productsBySku = new Map<string, number>();
  function productBySku(sku: string) {
    const cached = productsBySku.get(sku);
    const hit = cached === undefined ? undefined : store.get('products', cached);
    if (hit && hit.values.hs_sku === sku) return hit;
    for (const rec of store.tables.products.live.values()) {
      if (rec.values.hs_sku === sku) {
        productsBySku.set(sku, rec.id);
        return rec;
      }
    }
    throw new Error(`hubspot sandbox: no product with hs_sku ${sku}`);
  }

  function createDeal(deal: DealSeed): { dealId: string; lineItemIds: string[] } {
    const company = deal.company === undefined ? undefined : companyId(deal.company);
    const lines = deal.lines.map((line, i) => {
      const product = productBySku(line.sku);
      const price = line.price ?? product.values.price ?? 0;
      const props: Props = { name: product.values.name ?? line.sku, hs_sku: line.sku, quantity: String(line.quantity), price: String(price), hs_product_id: product.id, hs_position_on_quote: i };
      if (line.discount !== undefined) props.discount = String(line.discount);
      if (line.discountPercentage !== undefined) props.hs_discount_percentage = String(line.discountPercentage);
      return mustCreate('line_items', props);
    });
    const amount = lines.reduce((sum, l) => sum + Number(l.values.amount ?? 0), 0);
    const companyName = company === undefined ? 'walk-in' : store.get('companies', company)?.values.name;
    const rec = mustCreate('deals', {
      dealname: deal.dealname ?? `${companyName} – ${lines.length} line${lines.length === 1 ? '' : 's'}`,
      dealstage: deal.dealstage ?? 'qualifiedtobuy',
      deal_currency_code: deal.currency ?? currency,
      amount: String(Math.round(amount * 100) / 100),
      ...deal.properties,
    });
    if (company !== undefined) store.associate('deals', rec.id, 'companies', company, 5);
    for (const line of lines) store.associate('deals', rec.id, 'line_items', line.id);
    return { dealId: String(rec.id), lineItemIds: lines.map((l) => String(l.id)) };
  }

  function seed(data: HubspotSandboxSeed): SeededIds {
    const ids: SeededIds = { companies: {}, contacts: {}, products: {}, deals: {} };
    // A seed is the account's past, not news: no webhook events for it.
    store.journaling = false;
    try {
      for (const { contacts, ...properties } of data.companies ?? []) {
        const company = properties as Props;
        const rec = mustCreate('companies', company);
        ids.companies[String(company.name ?? rec.id)] = String(rec.id);
        for (const contact of contacts ?? []) {
          const c = mustCreate('contacts', contact);
          ids.contacts[String(contact.email ?? contact.firstname ?? c.id)] = String(c.id);
          store.associate('contacts', c.id, 'companies', rec.id, 1);
        }
      }
      for (const product of data.products ?? []) {
        const rec = mustCreate('products', product);
        const sku = product.hs_sku;
        if (typeof sku === 'string') productsBySku.set(sku, rec.id);
        ids.products[String(sku ?? product.name ?? rec.id)] = String(rec.id);
      }
      for (const deal of data.deals ?? []) {
        const { dealId } = createDeal(deal);
        ids.deals[String(store.get('deals', dealId)?.values.dealname)] = dealId;
      }
    } finally {
      store.journaling = true;
    }
    return ids;
  }
  if (options.seed) seed(options.seed);

  function toWebhookEvent(event: JournalEvent): WebhookEventInput {
    const out: WebhookEventInput = { subscriptionType: event.subscriptionType, objectId: event.objectId, occurredAt: event.occurredAt };
    if (event.propertyName !== undefined) Object.assign(out, { propertyName: event.propertyName, propertyValue: event.propertyValue ?? '' });
    if (event.changeFlag) out.changeFlag = event.changeFlag;
    return out;
  }

  async function sendWebhooks(targetUrl: string, events: WebhookEventInput[], opts: { secret?: string; timestampMs?: number; batchSize?: number } = {}): Promise<{ status: number; body: string }[]> {
    const target = new URL(targetUrl);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error(`hubspot sandbox: webhooks go to loopback addresses only, not ${target.hostname}`);
    const size = Math.max(1, Math.min(opts.batchSize ?? 100, 100));
    const answers: { status: number; body: string }[] = [];
    for (let i = 0; i < events.length; i += size) {
      const batch = events.slice(i, i + size).map((e) => ({
        eventId: e.eventId ?? nextEventId++,
        subscriptionId: 2_000_000 + e.subscriptionType.length,
        portalId,
        appId,
        occurredAt: e.occurredAt ?? store.now(),
        attemptNumber: 0,
        changeSource: 'CRM',
        ...e,
      }));
      const body = JSON.stringify(batch);
      const secret = opts.secret ?? clientSecret;
      // The request time is when it is sent (real time); occurredAt follows the sandbox clock.
      const timestamp = String(opts.timestampMs ?? Date.now());
      const signature = createHmac('sha256', secret).update(`POST${signedUri(targetUrl)}${body}${timestamp}`, 'utf8').digest('base64');
      const res = await fetch(targetUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/)',
          'x-hubspot-signature-v3': signature,
          'x-hubspot-request-timestamp': timestamp,
          'x-hubspot-signature': createHash('sha256').update(`${secret}${body}`).digest('hex'),
          'x-hubspot-signature-version': 'v1',
        },
        body,
      });
      answers.push({ status: res.status, body: await res.text() });
    }
    return answers;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    portalId,
    appId,
    get accessToken() {
      return accessToken;
    },
    clientSecret,
    currency,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    seed,
    create: (type, properties) => String(mustCreate(type, properties).id),
    update(type, id, properties) {
      const rec = mustGet(type, id);
      const checked = store.check(type, properties, { operation: 'update', rec });
      if ('problem' in checked) throw new Error(`hubspot sandbox: cannot update ${SINGULAR[type]} ${id}: ${checked.problem.message}`);
      store.apply(rec, checked.values);
    },
    archive(type, id) {
      store.archive(type, Number(id));
    },
    record(type, id, properties) {
      const rec = store.get(type, id) ?? store.getArchived(type, id);
      return rec ? store.output(rec, properties ?? [...PROPERTIES[type].keys()]) : undefined;
    },
    records: (type) => [...store.tables[type].live.values()].sort((a, b) => a.id - b.id).map((r) => store.output(r, [...PROPERTIES[type].keys()])),
    associate(from, fromId, to, toId, typeId) {
      store.associate(from, Number(fromId), to, Number(toId), typeId);
    },
    associations: (from, fromId, to) => store.associated(from, Number(fromId), to).map((a) => String(a.toObjectId)),
    createDeal,
    winDeal(dealId) {
      store.apply(mustGet('deals', dealId), { dealstage: 'closedwon', closedate: new Date(store.now()).toISOString() });
    },
    sendWebhooks,
    takeEvents: () => store.journal.splice(0).map(toWebhookEvent),
    failNext(count, status = 503, opts = {}) {
      Object.assign(faults, { count, status, retryAfterSeconds: opts.retryAfterSeconds });
    },
    rejectWhen(type, predicate, message, property) {
      const rule: Rejection = { type, predicate, message, property };
      store.rejections.push(rule);
      return () => {
        const i = store.rejections.indexOf(rule);
        if (i >= 0) store.rejections.splice(i, 1);
      };
    },
    setRateLimit(limit) {
      rateLimit = limit;
      calls.length = 0;
    },
    setAssociationPageSize(size) {
      store.associationPageSize = size;
    },
    requests,
    clearRequests() {
      requests.length = 0;
    },
    setClock(at) {
      frozenAt = at === null ? undefined : new Date(at).getTime();
    },
    tick(seconds) {
      frozenAt = Math.round((frozenAt ?? Date.now()) + seconds * 1000);
    },
    setAccessToken(token) {
      accessToken = token;
    },
  };
}

