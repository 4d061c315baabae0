// SOQL the connector writes: quoted literals, datetime literals, and Salesforce's datetimes read back
// as ISO 8601 UTC. Every value that reaches a query goes through here, never raw into the text.
import { ConnectorError } from '../errors';

/**
 * A SOQL string literal: single quotes, with backslash, quote and control characters escaped.
 * @example soqlString("O'Brien") // "'O\\'Brien'"
 */
export function soqlString(value: string): string {
  const escaped = value.replace(/[\\'"\n\r\t\f\b]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f', '\b': '\\b' })[c] as string);
  return `'${escaped}'`;
}

/**
 * A SOQL datetime literal (unquoted, UTC, whole seconds: Salesforce keeps SystemModstamp to the second).
 * @example soqlDatetime('2026-03-01T09:30:00.000Z') // '2026-03-01T09:30:00Z'
 */
export function soqlDatetime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new ConnectorError('invalid', `not an ISO 8601 time: ${JSON.stringify(iso).slice(0, 60)}`);
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** An API name of an object or field (`Account`, `Qiao_Id__c`, `Product2.ProductCode`); anything else is refused. */
export function soqlName(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/.test(name)) throw new ConnectorError('invalid', `${JSON.stringify(name).slice(0, 60)} is not a Salesforce field or object name`);
  return name;
}

const SALESFORCE_DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A Salesforce datetime (`2026-03-01T09:30:00.000+0000`) as ISO 8601 UTC, without `.000`.
 * @example fromSalesforceDatetime('2026-03-01T10:30:00.000+0100') // '2026-03-01T09:30:00Z'
 */
export function fromSalesforceDatetime(value: string): string {
  const match = SALESFORCE_DATETIME.exec(value);
  if (!match) throw new ConnectorError('retryable', `Salesforce sent a datetime that is not ISO 8601: ${JSON.stringify(value).slice(0, 60)}`);
  const zone = match[3] === 'Z' ? 'Z' : (match[3] as string).replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const iso = new Date(Date.parse(`${match[1]}.${(match[2] ?? '0').padEnd(3, '0')}${zone}`)).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}
