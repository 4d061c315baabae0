// What a connector is: its config, a connectivity check, and per entity a source, a sink, or both.
import type { z } from 'zod';

/** A record as the external system has it, with the time the system last changed it. */
export interface SourceRecord {
  externalId: string;
  /** ISO 8601 UTC time of the record's last change in the source system (e.g. Odoo's write_date). */
  sourceTime: string;
  /** The record in the provider's own shape, fields as the provider names them. */
  data: Record<string, unknown>;
  /** True when the source reports the record deleted or archived. */
  deleted?: boolean;
}

/**
 * Position in a source's change feed: records are listed by (sourceTime, externalId) ascending, so
 * several records changed in the same second are neither lost nor repeated at a page boundary.
 */
export interface ChangeCursor {
  sourceTime: string;
  externalId: string;
}

export interface ChangePage {
  records: SourceRecord[];
  /** Cursor just after the last record of this page; null when the page is empty. */
  next: ChangeCursor | null;
  /** Whether more records follow this page. */
  more: boolean;
}

export interface EntitySource {
  /** Records changed strictly after `cursor` (all when null), oldest first, at most `limit`. */
  listChanged(cursor: ChangeCursor | null, limit: number): Promise<ChangePage>;
  get(externalId: string): Promise<SourceRecord | undefined>;
}

/** One write to a target. `identity` is a field the sink can search to find a record it wrote before. */
export interface SinkWrite {
  idempotencyKey: string;
  canonicalId: string;
  /** The linked external record, when there is one: update it. Absent: create. */
  externalId?: string;
  data: Record<string, unknown>;
  identity?: { field: string; value: string };
}

export type SinkResult = { ok: true; externalId: string } | { ok: false; error: import('./errors').ConnectorError };

export interface EntitySink {
  /** Most writes one `upsert` call may carry. */
  maxBatch: number;
  /**
   * Set when the system takes no new records of this entity from Qiao, only updates of the ones linked
   * to it (a CRM's deals: orders start there). The text says why. Qiao then records, rather than
   * attempts, the delivery of a record that has no link here (it came from another system).
   */
  updatesOnly?: string;
  /** Writes a batch; one result per write, in order. A whole-batch failure throws a ConnectorError. */
  upsert(writes: SinkWrite[]): Promise<SinkResult[]>;
  /** Finds a record by its identity field: how a write whose answer was lost is found again. */
  findByIdentity(field: string, value: string): Promise<string | undefined>;
  /** Deletes (or archives) a record; absent when the system does not allow deletes. */
  delete?(externalId: string): Promise<void>;
}

/** A change announced by a webhook or a poll, appended to the inbox. */
export interface ChangeEvent {
  entity: string;
  /** Unique per connector for one change; the inbox ignores a second event with the same key. */
  eventKey: string;
  externalId: string;
  sourceTime: string;
  /** The record, when the event carries it; fetched with `get` otherwise. */
  data?: Record<string, unknown>;
  deleted?: boolean;
}

export interface WebhookRequest {
  rawBody: string;
  headers: Record<string, string>;
  /** The URL the provider called, as Qiao's configured public URL spells it (never the Host header). */
  url: string;
}

export interface WebhookReceiver {
  /** Throws ConnectorError('auth') on a bad signature or a timestamp outside the window. */
  verify(request: WebhookRequest, now: Date): void;
  parse(rawBody: string): ChangeEvent[];
}

export interface Connector {
  name: string;
  /** Throws a ConnectorError when the system cannot be reached or the credentials are refused. */
  check(): Promise<void>;
  entities: Record<string, { source?: EntitySource; sink?: EntitySink }>;
  webhooks?: WebhookReceiver;
}

/**
 * A kind of connector: its config schema (every field described; secrets by reference) and a factory.
 * @example export const odoo: ConnectorDefinition<OdooConfig> = { name: 'odoo', version: '0.1.0', config: OdooConfig, create: (c) => ... }
 */
export interface ConnectorDefinition<C = unknown> {
  name: string;
  /** semver of the connector code. */
  version: string;
  description: string;
  config: z.ZodType<C>;
  create(config: C, deps?: { fetch?: typeof fetch }): Connector;
}
