// What the HubSpot sandbox's account holds: the object types, their properties (HubSpot's defaults
// plus Qiao's custom qiao_* properties), deal stages and the association types between objects.

export type ObjectType = 'companies' | 'contacts' | 'deals' | 'products' | 'line_items';

export const OBJECT_TYPES: readonly ObjectType[] = ['companies', 'contacts', 'deals', 'products', 'line_items'];

/** HubSpot's object type ids, which the API accepts in place of the names. */
export const OBJECT_TYPE_IDS: Readonly<Record<ObjectType, string>> = { contacts: '0-1', companies: '0-2', deals: '0-3', products: '0-7', line_items: '0-8' };

/** The singular name webhooks use (`deal.propertyChange`). */
export const SINGULAR: Readonly<Record<ObjectType, string>> = { companies: 'company', contacts: 'contact', deals: 'deal', products: 'product', line_items: 'line_item' };

export type PropertyType = 'string' | 'number' | 'datetime' | 'date' | 'enumeration' | 'bool';

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  options?: readonly string[];
  hasUniqueValue?: boolean;
  /** Set by HubSpot only (ids, timestamps, calculated values). */
  readOnly?: boolean;
  /** Text that must be an email address. */
  email?: boolean;
  /** Needed to create a record. */
  required?: boolean;
  /** Value a new record gets when the create does not give one. */
  default?: string;
  /** Defined by the integration (Qiao), not HubSpot. */
  custom?: boolean;
}

/** Deal stages of the default pipeline (internal values). */
export const DEAL_STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'] as const;

export const ORDER_STATUSES = ['draft', 'confirmed', 'in_production', 'shipped', 'invoiced', 'paid', 'closed', 'cancelled'] as const;

const LIFECYCLE_STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'] as const;

type Spec = [type: PropertyType, extra?: Partial<PropertyDef>];

const text: Spec = ['string'];
const number: Spec = ['number'];
const qiaoId: Spec = ['string', { hasUniqueValue: true, custom: true, label: 'Qiao id' }];

const SPECS: Readonly<Record<ObjectType, Record<string, Spec>>> = {
  companies: {
    name: text,
    domain: text,
    website: text,
    phone: text,
    address: text,
    address2: text,
    city: text,
    zip: text,
    state: text,
    country: text,
    industry: text,
    lifecyclestage: ['enumeration', { options: LIFECYCLE_STAGES }],
    description: text,
    numberofemployees: number,
    qiao_id: qiaoId,
  },
  contacts: {
    firstname: text,
    lastname: text,
    email: ['string', { email: true, hasUniqueValue: true }],
    phone: text,
    mobilephone: text,
    jobtitle: text,
    company: text,
    lifecyclestage: ['enumeration', { options: LIFECYCLE_STAGES }],
    associatedcompanyid: ['number', { readOnly: true, label: 'Primary associated company ID' }],
    qiao_id: qiaoId,
  },
  products: {
    name: ['string', { required: true }],
    hs_sku: text,
    price: number,
    description: text,
    hs_cost_of_goods_sold: number,
    qiao_id: qiaoId,
    qiao_stock_on_hand: ['number', { custom: true, label: 'Stock on hand (Qiao)' }],
    qiao_stock_available: ['number', { custom: true, label: 'Stock available (Qiao)' }],
    qiao_stock_incoming: ['number', { custom: true, label: 'Stock incoming (Qiao)' }],
    qiao_stock_as_of: ['datetime', { custom: true, label: 'Stock as of (Qiao)' }],
  },
  deals: {
    dealname: ['string', { required: true }],
    dealstage: ['enumeration', { options: DEAL_STAGES, required: true }],
    pipeline: ['enumeration', { options: ['default'], default: 'default' }],
    amount: number,
    closedate: ['datetime'],
    deal_currency_code: text,
    description: text,
    qiao_id: qiaoId,
    qiao_order_status: ['enumeration', { options: ORDER_STATUSES, custom: true, label: 'Order status (Qiao)' }],
    qiao_promised_date: ['date', { custom: true, label: 'Promised date (Qiao)' }],
  },
  line_items: {
    name: ['string', { required: true }],
    hs_sku: text,
    quantity: number,
    price: number,
    discount: number,
    hs_discount_percentage: number,
    amount: ['number', { readOnly: true, label: 'Net price' }],
    hs_product_id: number,
    hs_position_on_quote: number,
    description: text,
  },
};

/** The last-modified datetime property: `lastmodifieddate` on contacts, `hs_lastmodifieddate` elsewhere. */
export function modifiedProperty(type: ObjectType): string {
  return type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

const FIELD_TYPES: Record<PropertyType, string> = { string: 'text', number: 'number', datetime: 'date', date: 'date', enumeration: 'select', bool: 'booleancheckbox' };

function define(type: ObjectType): Map<string, PropertyDef> {
  const defs = new Map<string, PropertyDef>();
  const add = (name: string, [kind, extra = {}]: Spec) => defs.set(name, { name, label: extra.label ?? name, type: kind, fieldType: FIELD_TYPES[kind], groupName: extra.custom ? 'qiao' : `${SINGULAR[type]}information`, ...extra });
  add('hs_object_id', ['number', { readOnly: true, label: 'Record ID' }]);
  add('createdate', ['datetime', { readOnly: true, label: 'Create date' }]);
  add(modifiedProperty(type), ['datetime', { readOnly: true, label: 'Last modified date' }]);
  for (const [name, spec] of Object.entries(SPECS[type])) add(name, spec);
  return defs;
}

/** Every property of every object type. */
export const PROPERTIES: Readonly<Record<ObjectType, ReadonlyMap<string, PropertyDef>>> = Object.fromEntries(OBJECT_TYPES.map((t) => [t, define(t)])) as Record<ObjectType, Map<string, PropertyDef>>;

/** What GET and batch read return when no `properties` are asked for. */
export const DEFAULT_PROPERTIES: Readonly<Record<ObjectType, readonly string[]>> = {
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
  products: ['createdate', 'description', 'hs_lastmodifieddate', 'hs_object_id', 'name', 'price'],
  line_items: ['amount', 'createdate', 'hs_lastmodifieddate', 'hs_object_id', 'hs_product_id', 'name', 'price', 'quantity'],
};

/** An association type between two object types, one direction. */
export interface AssociationKind {
  typeId: number;
  label: string | null;
  /** The other direction's type id. */
  reverse: number;
  /** A record has one association of this type at most (a contact's primary company). */
  single?: boolean;
}

/** HubSpot-defined association types by `from/to`: the unlabeled default first, then labeled ones. */
export const ASSOCIATION_KINDS: Readonly<Record<string, readonly AssociationKind[]>> = {
  'contacts/companies': [
    { typeId: 279, label: null, reverse: 280 },
    { typeId: 1, label: 'Primary', reverse: 2, single: true },
  ],
  'companies/contacts': [
    { typeId: 280, label: null, reverse: 279 },
    { typeId: 2, label: 'Primary', reverse: 1 },
  ],
  'deals/companies': [
    { typeId: 341, label: null, reverse: 342 },
    { typeId: 5, label: 'Primary', reverse: 6, single: true },
  ],
  'companies/deals': [
    { typeId: 342, label: null, reverse: 341 },
    { typeId: 6, label: 'Primary', reverse: 5 },
  ],
  'deals/line_items': [{ typeId: 19, label: null, reverse: 20 }],
  'line_items/deals': [{ typeId: 20, label: null, reverse: 19, single: true }],
  'contacts/deals': [{ typeId: 4, label: null, reverse: 3 }],
  'deals/contacts': [{ typeId: 3, label: null, reverse: 4 }],
};
