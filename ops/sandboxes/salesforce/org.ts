// The Salesforce sandbox's org: objects with their fields (as describe reports them), records in
// memory, writes checked the way Salesforce checks them (unknown and read-only fields, types,
// lengths, required fields, references, unique external ids, validation rules), system fields and
// roll-ups kept, and a Change Data Capture event for every change.
import { randomUUID } from 'node:crypto';

export type FieldType = 'id' | 'string' | 'textarea' | 'boolean' | 'double' | 'currency' | 'percent' | 'date' | 'datetime' | 'reference' | 'picklist' | 'email' | 'phone';

/** A field as describe reports it, plus what the sandbox needs to check writes. */
export interface FieldDef {
  name: string;
  type: FieldType;
  length?: number;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  externalId?: boolean;
  unique?: boolean;
  /** Required on create (not nillable, createable, no default). */
  required?: boolean;
  defaultValue?: unknown;
  referenceTo?: string;
  relationshipName?: string;
  picklistValues?: readonly string[];
}

export interface ObjectDef {
  name: string;
  /** The three characters every id of the object starts with (Account 001, Contact 003, ...). */
  prefix: string;
  fields: Map<string, FieldDef>;
}

/** A stored record: values as the sandbox keeps them (datetimes as ISO 8601 UTC, dates as YYYY-MM-DD). */
export type SRecord = { Id: string } & Record<string, unknown>;

/** One Salesforce error, as the REST API reports it. */
export class SalesforceFault extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly fields: string[] = [],
    readonly status = 400,
  ) {
    super(message);
  }
  toJSON() {
    return { message: this.message, errorCode: this.errorCode, fields: this.fields };
  }
}

/** A validation rule a test installs: records for which `when` is true are refused with `message`. */
export interface ValidationRule {
  object: string;
  when: (record: Readonly<SRecord>) => boolean;
  message: string;
  /** The field the error is shown at; none: at the top of the page (fields: []). */
  field?: string;
}

/** A Change Data Capture event as a subscriber (the relay) receives it. */
export interface ChangeEventMessage {
  ChangeEventHeader: {
    entityName: string;
    recordIds: string[];
    changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
    changedFields: string[];
    diffFields: string[];
    nulledFields: string[];
    changeOrigin: string;
    transactionKey: string;
    sequenceNumber: number;
    commitTimestamp: number;
    commitNumber: number;
    commitUser: string;
  };
  [field: string]: unknown;
}

/** Who made a change: the API (with the caller's Sforce-Call-Options client) or the UI. */
export interface ChangeOrigin {
  /** `changeOrigin` of the events: `com/salesforce/api/rest/67.0;client=qiao`, or the Lightning UI's. */
  origin: string;
}

/** Changes made through the sandbox's helpers look like changes made in Lightning Experience. */
export const UI_ORIGIN: ChangeOrigin = { origin: 'com/salesforce/api/soap/67.0;client=SfdcInternalAPI/' };

export const ORG_ID = '00D5g000004QiAoEAK';
export const API_USER_ID = '0055g00000QiAoAAAK';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * The 18-character form of a 15-character id: three characters encoding which letters are upper case.
 * @example toId18('001000000000001') // '001000000000001AAA'
 */
export function toId18(id15: string): string {
  let suffix = '';
  for (let i = 0; i < 3; i++) {
    let flags = 0;
    for (let j = 0; j < 5; j++) {
      const c = id15.charCodeAt(i * 5 + j);
      if (c >= 65 && c <= 90) flags |= 1 << j;
    }
    suffix += SUFFIX[flags];
  }
  return id15 + suffix;
}

/** A 15 or 18 character id as the 18-character one; undefined for anything else. */
export function normalizeId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(value)) return undefined;
  return toId18(value.slice(0, 15));
}

/** A datetime the way Salesforce writes it: `2026-03-01T09:30:00.000+0000`. */
export function salesforceDatetime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 23)}+0000`;
}

// ------------------------------------------------------------------------------------------ schema

type FieldSpec = Partial<FieldDef> & { type: FieldType };

function fields(specs: Record<string, FieldSpec>): Map<string, FieldDef> {
  const map = new Map<string, FieldDef>();
  for (const [name, spec] of Object.entries(specs)) {
    map.set(name, { name, createable: true, updateable: true, nillable: true, ...spec });
  }
  return map;
}

const readOnly = { createable: false, updateable: false } as const;
const SYSTEM: Record<string, FieldSpec> = {
  Id: { type: 'id', ...readOnly, nillable: false },
  IsDeleted: { type: 'boolean', ...readOnly, nillable: false },
  CreatedDate: { type: 'datetime', ...readOnly, nillable: false },
  LastModifiedDate: { type: 'datetime', ...readOnly, nillable: false },
  SystemModstamp: { type: 'datetime', ...readOnly, nillable: false },
};

/** Which optional org features the sandbox imitates. */
export interface OrgFeatures {
  /** The custom external id field Qiao upserts by (on Account, Contact, Product2, Order, Opportunity). */
  externalIdField: string;
  /** State and Country picklists: `BillingCountryCode` exists on Account. */
  countryPicklists: boolean;
  /** Multiple currencies: `CurrencyIsoCode` on Account, Order, Opportunity. */
  multiCurrency: boolean;
  /** Whether the external id field is marked Unique; without it, two records may share a value (an upsert then answers 300). */
  uniqueExternalId: boolean;
}

function schema(features: OrgFeatures): Map<string, ObjectDef> {
  const ext: Record<string, FieldSpec> = { [features.externalIdField]: { type: 'string', length: 255, externalId: true, unique: features.uniqueExternalId } };
  const currency: Record<string, FieldSpec> = features.multiCurrency ? { CurrencyIsoCode: { type: 'picklist', defaultValue: 'EUR', picklistValues: ['EUR', 'USD', 'GBP', 'JPY', 'CHF'] } } : {};
  const qiaoOrder: Record<string, FieldSpec> = { Qiao_Status__c: { type: 'string', length: 40 }, Qiao_Promised_Date__c: { type: 'date' } };
  const objects: [string, string, Record<string, FieldSpec>][] = [
    [
      'Account',
      '001',
      {
        Name: { type: 'string', length: 255, nillable: false, required: true },
        AccountNumber: { type: 'string', length: 40 },
        Phone: { type: 'phone', length: 40 },
        BillingStreet: { type: 'textarea', length: 255 },
        BillingCity: { type: 'string', length: 40 },
        BillingPostalCode: { type: 'string', length: 20 },
        BillingState: { type: 'string', length: 80 },
        BillingCountry: { type: 'string', length: 80 },
        ...(features.countryPicklists ? { BillingCountryCode: { type: 'picklist' as const, length: 2 } } : {}),
        Description: { type: 'textarea', length: 32_000 },
        ...currency,
        ...ext,
      },
    ],
    [
      'Contact',
      '003',
      {
        AccountId: { type: 'reference', referenceTo: 'Account', relationshipName: 'Account' },
        FirstName: { type: 'string', length: 40 },
        LastName: { type: 'string', length: 80, nillable: false, required: true },
        Name: { type: 'string', length: 121, ...readOnly },
        Title: { type: 'string', length: 128 },
        Email: { type: 'email', length: 80 },
        Phone: { type: 'phone', length: 40 },
        MobilePhone: { type: 'phone', length: 40 },
        ...ext,
      },
    ],
    [
      'Product2',
      '01t',
      {
        Name: { type: 'string', length: 255, nillable: false, required: true },
        ProductCode: { type: 'string', length: 255 },
        Description: { type: 'textarea', length: 4_000 },
        IsActive: { type: 'boolean', nillable: false, defaultValue: false },
        Family: { type: 'picklist', length: 40 },
        QuantityUnitOfMeasure: { type: 'picklist', length: 40, defaultValue: 'Each' },
        Qiao_Stock_On_Hand__c: { type: 'double' },
        Qiao_Stock_Available__c: { type: 'double' },
        Qiao_Stock_Incoming__c: { type: 'double' },
        Qiao_Stock_As_Of__c: { type: 'datetime' },
        ...ext,
      },
    ],
    [
      'Order',
      '801',
      {
        AccountId: { type: 'reference', referenceTo: 'Account', relationshipName: 'Account', nillable: false, required: true },
        OrderNumber: { type: 'string', length: 30, ...readOnly },
        Status: { type: 'picklist', nillable: false, defaultValue: 'Draft', picklistValues: ['Draft', 'Activated'] },
        EffectiveDate: { type: 'date', nillable: false, required: true },
        Description: { type: 'textarea', length: 32_000 },
        TotalAmount: { type: 'currency', ...readOnly },
        ...currency,
        ...qiaoOrder,
        ...ext,
      },
    ],
    [
      'OrderItem',
      '802',
      {
        OrderId: { type: 'reference', referenceTo: 'Order', relationshipName: 'Order', nillable: false, required: true, updateable: false },
        Product2Id: { type: 'reference', referenceTo: 'Product2', relationshipName: 'Product2', nillable: false, required: true, updateable: false },
        OrderItemNumber: { type: 'string', length: 10, ...readOnly },
        Quantity: { type: 'double', nillable: false, required: true },
        UnitPrice: { type: 'currency', nillable: false, required: true },
        Description: { type: 'string', length: 255 },
      },
    ],
    [
      'Opportunity',
      '006',
      {
        AccountId: { type: 'reference', referenceTo: 'Account', relationshipName: 'Account' },
        Name: { type: 'string', length: 120, nillable: false, required: true },
        StageName: { type: 'picklist', nillable: false, required: true, picklistValues: ['Prospecting', 'Qualification', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] },
        CloseDate: { type: 'date', nillable: false, required: true },
        IsWon: { type: 'boolean', ...readOnly, nillable: false },
        IsClosed: { type: 'boolean', ...readOnly, nillable: false },
        Description: { type: 'textarea', length: 32_000 },
        Amount: { type: 'currency', ...readOnly },
        ...currency,
        ...qiaoOrder,
        ...ext,
      },
    ],
    [
      'OpportunityLineItem',
      '00k',
      {
        OpportunityId: { type: 'reference', referenceTo: 'Opportunity', relationshipName: 'Opportunity', nillable: false, required: true, updateable: false },
        Product2Id: { type: 'reference', referenceTo: 'Product2', relationshipName: 'Product2', nillable: false, required: true, updateable: false },
        ProductCode: { type: 'string', length: 255, ...readOnly },
        Name: { type: 'string', length: 376, ...readOnly },
        Quantity: { type: 'double', nillable: false, required: true },
        UnitPrice: { type: 'currency', nillable: false, required: true },
        Discount: { type: 'percent' },
        Description: { type: 'string', length: 255 },
      },
    ],
  ];
  return new Map(objects.map(([name, prefix, specs]) => [name, { name, prefix, fields: fields({ ...SYSTEM, ...specs }) }]));
}

/** Line objects and the header whose total they roll up into. */
const ROLL_UPS: Record<string, { parentField: string; parent: string; total: string }> = {
  OrderItem: { parentField: 'OrderId', parent: 'Order', total: 'TotalAmount' },
  OpportunityLineItem: { parentField: 'OpportunityId', parent: 'Opportunity', total: 'Amount' },
};

// ------------------------------------------------------------------------------------------ the org

interface Transaction {
  key: string;
  sequence: number;
  origin: string;
}

/**
 * The org's data. Every change goes through `insert`, `update` or `remove`, inside a transaction
 * (one per API call) that gives its change events their key, sequence and origin.
 */
export class SandboxOrg {
  readonly objects: Map<string, ObjectDef>;
  readonly tables = new Map<string, Map<string, SRecord>>();
  readonly rules: ValidationRule[] = [];
  readonly events: ChangeEventMessage[] = [];
  private counter = 0;
  private commitNumber = 1_000_000;
  private orderNumber = 100;
  private tx: Transaction | undefined;

  constructor(
    readonly features: OrgFeatures,
    /** The org's clock (epoch ms); Salesforce keeps SystemModstamp to the second. */
    readonly clock: () => number,
  ) {
    this.objects = schema(features);
    for (const name of this.objects.keys()) this.tables.set(name, new Map());
  }

  now(): string {
    return new Date(Math.floor(this.clock() / 1000) * 1000).toISOString();
  }

  object(name: string): ObjectDef {
    const found = this.findObject(name);
    if (!found) throw new SalesforceFault('INVALID_TYPE', `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`, [], 400);
    return found;
  }

  /** Object names are case-insensitive. */
  findObject(name: string): ObjectDef | undefined {
    const lower = name.toLowerCase();
    for (const def of this.objects.values()) if (def.name.toLowerCase() === lower) return def;
    return undefined;
  }

  /** The field of an object by any spelling of its name; undefined when the object has none. */
  findField(def: ObjectDef, name: string): FieldDef | undefined {
    const direct = def.fields.get(name);
    if (direct) return direct;
    const lower = name.toLowerCase();
    for (const field of def.fields.values()) if (field.name.toLowerCase() === lower) return field;
    return undefined;
  }

  table(name: string): Map<string, SRecord> {
    return this.tables.get(this.object(name).name) as Map<string, SRecord>;
  }

  /** The record with this id (15 or 18 characters), whatever its object; deleted ones too. */
  byId(id: unknown): { def: ObjectDef; record: SRecord } | undefined {
    const id18 = normalizeId(id);
    if (!id18) return undefined;
    for (const def of this.objects.values()) {
      if (!id18.startsWith(def.prefix)) continue;
      const record = this.tables.get(def.name)?.get(id18);
      if (record) return { def, record };
    }
    return undefined;
  }

  newId(def: ObjectDef): string {
    this.counter++;
    let digits = '';
    for (let n = this.counter; n > 0; n = Math.floor(n / 62)) digits = BASE62[n % 62] + digits;
    // "5Q" stands where a real id has its pod characters; the counter keeps ids in creation order.
    return toId18(`${def.prefix}5Q${digits.padStart(10, '0')}`);
  }

  /** Runs `fn` as one transaction: its change events share a key and count up their sequence. */
  transaction<T>(origin: ChangeOrigin, fn: () => T): T {
    if (this.tx) return fn();
    this.tx = { key: randomUUID(), sequence: 0, origin: origin.origin };
    try {
      return fn();
    } finally {
      this.tx = undefined;
    }
  }

  private emit(def: ObjectDef, record: SRecord, changeType: ChangeEventMessage['ChangeEventHeader']['changeType'], changed: Record<string, unknown>): void {
    const tx = this.tx ?? { key: randomUUID(), sequence: 0, origin: UI_ORIGIN.origin };
    tx.sequence++;
    const changedFields = Object.keys(changed);
    const event: ChangeEventMessage = {
      ChangeEventHeader: {
        entityName: def.name,
        recordIds: [record.Id],
        changeType,
        changedFields: changeType === 'UPDATE' ? changedFields : [],
        diffFields: [],
        nulledFields: changeType === 'UPDATE' ? changedFields.filter((f) => changed[f] === null) : [],
        changeOrigin: tx.origin,
        transactionKey: tx.key,
        sequenceNumber: tx.sequence,
        commitTimestamp: Date.parse(this.now()),
        commitNumber: ++this.commitNumber,
        commitUser: API_USER_ID,
      },
    };
    if (changeType === 'CREATE' || changeType === 'UPDATE') {
      for (const [field, value] of Object.entries(changed)) if (value !== null || changeType === 'UPDATE') event[field] = value;
    }
    this.events.push(event);
  }

  // ---------------------------------------------------------------------------------- checking

  /**
   * The value of a JSON field for a field of this type, or a fault: what Salesforce's deserializer
   * refuses (a text for a number) fails the whole request; the rest is checked per record.
   */
  coerce(field: FieldDef, value: unknown): unknown {
    if (value === null) return null;
    const refuse = () => new SalesforceFault('JSON_PARSER_ERROR', `Cannot deserialize instance of ${field.type} from ${typeof value === 'string' ? 'VALUE_STRING' : typeof value === 'number' ? 'VALUE_NUMBER' : typeof value === 'boolean' ? 'VALUE_BOOLEAN' : 'START_OBJECT'} value ${JSON.stringify(value)} or request may be missing a required field`, [], 400);
    switch (field.type) {
      case 'boolean':
        if (typeof value !== 'boolean') throw refuse();
        return value;
      case 'double':
      case 'currency':
      case 'percent':
        if (typeof value === 'number' && Number.isFinite(value)) return value;
        if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
        throw refuse();
      case 'date':
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw refuse();
        return value;
      case 'datetime': {
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(value) || Number.isNaN(Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')))) throw refuse();
        return new Date(Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))).toISOString();
      }
      default:
        if (typeof value === 'object') throw refuse();
        // Salesforce stores an empty text as null (so an empty required field is missing).
        return String(value) === '' ? null : String(value);
    }
  }

  /** Field names and types of a write, before anything is written: the faults that fail a whole request. */
  parseValues(def: ObjectDef, values: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
      if (name === 'attributes') continue;
      const field = this.findField(def, name);
      if (!field) throw new SalesforceFault('INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`, [], 400);
      out[field.name] = this.coerce(field, value);
    }
    return out;
  }

  /** Faults of one record's write (the values already parsed): checked like Salesforce does, in its order. */
  private check(def: ObjectDef, values: Record<string, unknown>, existing: SRecord | undefined): void {
    const creating = existing === undefined;
    const locked = Object.keys(values).filter((name) => {
      const field = def.fields.get(name) as FieldDef;
      return creating ? !field.createable : !field.updateable;
    });
    if (locked.length) {
      throw new SalesforceFault('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${locked.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, locked);
    }
    for (const [name, value] of Object.entries(values)) {
      const field = def.fields.get(name) as FieldDef;
      if (value === null) {
        if (!field.nillable && !creating) throw new SalesforceFault('REQUIRED_FIELD_MISSING', `Required fields are missing: [${name}]`, [name]);
        continue;
      }
      if (typeof value === 'string' && field.length !== undefined && value.length > field.length) {
        throw new SalesforceFault('STRING_TOO_LONG', `${name}: data value too large: ${value.slice(0, 40)} (max length=${field.length})`, [name]);
      }
      if (field.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(value))) throw new SalesforceFault('INVALID_EMAIL_ADDRESS', `${name}: invalid email address: ${String(value)}`, [name]);
      if (field.picklistValues && !field.picklistValues.includes(String(value))) {
        throw new SalesforceFault('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${name}: bad value for restricted picklist field: ${String(value)}`, [name]);
      }
      if (field.name === 'BillingCountryCode' && !/^[A-Z]{2}$/.test(String(value))) {
        throw new SalesforceFault('FIELD_INTEGRITY_EXCEPTION', `There's a problem with this country, even though it may appear correct. Please select a country/territory from the list of valid countries.: Billing Country Code`, [name]);
      }
      if (field.type === 'reference') {
        const target = this.byId(value);
        if (!normalizeId(value)) throw new SalesforceFault('MALFORMED_ID', `${name.replace(/Id$/, ' ID')}: id value of incorrect type: ${String(value)}`, [name]);
        if (!target || target.def.name !== field.referenceTo || target.record.IsDeleted === true) throw new SalesforceFault('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [name]);
        values[name] = target.record.Id;
      }
      if (field.unique) {
        const clash = [...(this.tables.get(def.name) as Map<string, SRecord>).values()].find((r) => r.Id !== existing?.Id && r.IsDeleted !== true && typeof r[name] === 'string' && (r[name] as string).toLowerCase() === String(value).toLowerCase());
        if (clash) throw new SalesforceFault('DUPLICATE_VALUE', `duplicate value found: ${name} duplicates value on record with id: ${clash.Id}`, []);
      }
    }
    if (creating) {
      const missing = [...def.fields.values()].filter((f) => f.required && f.createable && (values[f.name] === undefined || values[f.name] === null) && f.defaultValue === undefined).map((f) => f.name);
      if (missing.length) throw new SalesforceFault('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    }
  }

  private validate(def: ObjectDef, record: SRecord): void {
    for (const rule of this.rules) {
      if (rule.object === def.name && rule.when(record)) throw new SalesforceFault('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, rule.field ? [rule.field] : []);
    }
  }

  /** The faults a write would meet, without writing (for allOrNone). */
  dryRun(def: ObjectDef, values: Record<string, unknown>, existing: SRecord | undefined): void {
    const copy = { ...values };
    this.check(def, copy, existing);
    this.validate(def, { ...(existing ?? { Id: '' }), ...copy } as SRecord);
  }

  // ---------------------------------------------------------------------------------- changing

  /** Creates a record from parsed values; returns it. */
  insert(objectName: string, values: Record<string, unknown>): SRecord {
    const def = this.object(objectName);
    const checked = { ...values };
    this.check(def, checked, undefined);
    const now = this.now();
    const record: SRecord = { Id: this.newId(def), IsDeleted: false, CreatedDate: now, LastModifiedDate: now, SystemModstamp: now };
    for (const field of def.fields.values()) {
      if (field.name in record) continue;
      record[field.name] = checked[field.name] !== undefined ? checked[field.name] : (field.defaultValue ?? (field.type === 'boolean' ? false : null));
    }
    this.derive(def, record);
    this.validate(def, record);
    this.table(def.name).set(record.Id, record);
    const created: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) if (k !== 'Id' && k !== 'IsDeleted' && v !== null) created[k] = v;
    this.emit(def, record, 'CREATE', created);
    this.rollUp(def, record);
    return record;
  }

  /** Changes a record with parsed values; a change to nothing still stamps it, as Salesforce does. */
  update(objectName: string, id: string, values: Record<string, unknown>): SRecord {
    const def = this.object(objectName);
    const record = this.table(def.name).get(normalizeId(id) ?? '');
    if (!record || record.IsDeleted === true) throw new SalesforceFault('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
    const checked = { ...values };
    this.check(def, checked, record);
    const next: SRecord = { ...record, ...checked };
    this.derive(def, next);
    this.validate(def, next);
    const changed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(next)) if (JSON.stringify(record[k]) !== JSON.stringify(v)) changed[k] = v;
    const now = this.now();
    Object.assign(record, next, { LastModifiedDate: now, SystemModstamp: now });
    this.emit(def, record, 'UPDATE', { ...changed, LastModifiedDate: now });
    this.rollUp(def, record);
    return record;
  }

  /** Moves a record to the recycle bin (IsDeleted, still in queryAll); its lines go with it. */
  remove(objectName: string, id: string): void {
    const def = this.object(objectName);
    const record = this.table(def.name).get(normalizeId(id) ?? '');
    if (!record || record.IsDeleted === true) throw new SalesforceFault('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
    const now = this.now();
    Object.assign(record, { IsDeleted: true, SystemModstamp: now, LastModifiedDate: now });
    this.emit(def, record, 'DELETE', {});
    for (const [line, spec] of Object.entries(ROLL_UPS)) {
      if (spec.parent !== def.name) continue;
      for (const child of this.table(line).values()) {
        if (child[spec.parentField] === record.Id && child.IsDeleted !== true) {
          Object.assign(child, { IsDeleted: true, SystemModstamp: now });
          this.emit(this.object(line), child, 'DELETE', {});
        }
      }
    }
    this.rollUp(def, record);
  }

  /** Fields Salesforce computes from others. */
  private derive(def: ObjectDef, record: SRecord): void {
    if (def.name === 'Contact') record.Name = [record.FirstName, record.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
    if (def.name === 'Opportunity') {
      record.IsWon = record.StageName === 'Closed Won';
      record.IsClosed = record.StageName === 'Closed Won' || record.StageName === 'Closed Lost';
    }
    if (def.name === 'Order' && record.OrderNumber === null) record.OrderNumber = String(this.orderNumber++).padStart(8, '0');
    if (def.name === 'OrderItem' && record.OrderItemNumber === null) record.OrderItemNumber = String(this.counter).padStart(10, '0');
    if (def.name === 'OpportunityLineItem') {
      const product = this.byId(record.Product2Id)?.record;
      const opportunity = this.byId(record.OpportunityId)?.record;
      record.ProductCode = product?.ProductCode ?? null;
      record.Name = `${String(opportunity?.Name ?? '')} ${String(product?.Name ?? '')}`.trim();
    }
  }

  /**
   * A header's total is a roll-up of its lines: recalculating it changes the header's SystemModstamp
   * (and sends its change event), so a change of a line lists its order again.
   */
  private rollUp(def: ObjectDef, line: SRecord): void {
    const spec = ROLL_UPS[def.name];
    if (!spec) return;
    const parentDef = this.object(spec.parent);
    const parent = this.table(spec.parent).get(String(line[spec.parentField]));
    if (!parent || parent.IsDeleted === true) return;
    let total = 0;
    for (const child of this.table(def.name).values()) {
      if (child[spec.parentField] !== parent.Id || child.IsDeleted === true) continue;
      const gross = Number(child.Quantity) * Number(child.UnitPrice);
      total += gross * (1 - Number(child.Discount ?? 0) / 100);
    }
    const now = this.now();
    Object.assign(parent, { [spec.total]: Math.round(total * 100) / 100, SystemModstamp: now });
    this.emit(parentDef, parent, 'UPDATE', { [spec.total]: parent[spec.total] });
  }
}
