// A local HubSpot CRM API for whole-process tests and the benchmark (node:http, no framework). It models the
// documented behaviour (FACTS 1d): Bearer auth (401 INVALID_AUTHENTICATION otherwise), errors as
// {status:"error", message, correlationId, category}, the TEN_SECONDLY_ROLLING burst limit (ratePerSecond × 10 per
// rolling 10 s) answered with 429 + policyName + Retry-After (integer seconds ≥ 1), search paging with `after`
// (at most 200 per page), batch reads of at most 100, date properties stored as YYYY-MM-DD and written as
// midnight-UTC ms, enumeration values checked against their options, unknown properties rejected (400).
// It also sends webhooks signed like HubSpot (v1 + v3) to a Baton under test. Injected faults (faults.ts): 5xx
// and 429 with HubSpot's error body, stalls, slow and cut-off answers.
// Scopes: each token has a set of granted scopes (all by default); a route names the scopes HubSpot's API reference
// accepts for it ("requires one of"), and a token holding none of them gets HubSpot's 403 MISSING_SCOPES body.
// Every request is recorded in state.calls (method, path, status), and only the paths below are answered: a path
// Baton's SDK changes to (e.g. the date-based /crm/objects/2026-03/…) is a 404, which fails the tests loudly.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BATON_PROPERTIES, BATON_PROPERTY_GROUP, toPropertyCreate } from '../../connectors/hubspot/baton-properties.js';
import { HUBSPOT_DEFAULT_PIPELINE } from '../../connectors/hubspot/default-pipeline.js';
import { StandinFaults, bendBody, deliver, type Fault } from './faults.js';
import { signHubSpotRequest } from '../../connectors/hubspot/sign-request.js';

export const STANDIN_HUBSPOT_TOKEN = 'pat-na1-standin-token';
export const STANDIN_PORTAL_ID = 62515;
export const STANDIN_APP_ID = 1160452;

export interface HubSpotStandinOptions {
  port?: number;
  /** Requests per second allowed on average; the limit is ratePerSecond × 10 per rolling 10 s. Unlimited when absent. */
  ratePerSecond?: number;
  latencyMs?: number;
  accessToken?: string;
  portalId?: number;
  appId?: number;
  /** Seed the Baton handoff group and properties (as after `baton hubspot setup`). Default true. */
  batonProperties?: boolean;
  /** Scopes granted to `accessToken`; absent = every scope. */
  scopes?: string[];
  /** More tokens with their granted scopes (null = every scope). */
  tokens?: Record<string, string[] | null>;
  /** Notes embedded in a deal read before HubSpot pages them (paging.next; the rest via the v4 associations API). */
  embeddedAssociationLimit?: number;
}

export type Props = Record<string, string | null>;

export interface StandinDeal {
  id: string;
  properties: Props;
  contactIds: string[];
  /** The first one is the primary company. */
  companyIds: string[];
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}
export interface StandinRecord {
  id: string;
  properties: Props;
  createdAt: string;
  updatedAt: string;
}
export interface StandinOwner {
  id: string;
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
}
export interface StandinNote extends StandinRecord {
  dealIds: string[];
}
/** A line item: belongs to one deal (HubSpot: "line items belong to one single parent object"). */
export interface StandinLineItem extends StandinRecord {
  dealId: string;
}
/** A logged email (engagement): `hs_email_headers` is the JSON string HubSpot keeps (from / to / cc / bcc). */
export interface StandinEmail extends StandinRecord {
  dealIds: string[];
  contactIds: string[];
}
export interface StandinStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: { isClosed: string; probability: string };
  archived: boolean;
}
export interface StandinPipeline {
  id: string;
  label: string;
  displayOrder: number;
  archived: boolean;
  stages: StandinStage[];
}
export interface StandinProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description?: string;
  options?: Array<{ label: string; value: string; displayOrder?: number; hidden?: boolean }>;
  [k: string]: unknown;
}

export interface HubSpotStandinState {
  deals: Map<string, StandinDeal>;
  companies: Map<string, StandinRecord>;
  contacts: Map<string, StandinRecord>;
  owners: Map<string, StandinOwner>;
  notes: Map<string, StandinNote>;
  emails: Map<string, StandinEmail>;
  lineItems: Map<string, StandinLineItem>;
  products: Map<string, StandinRecord>;
  pipelines: StandinPipeline[];
  properties: Map<string, StandinProperty>;
  groups: Map<string, { name: string; label: string; displayOrder: number }>;
  /** Every successful deal PATCH, in order. */
  patches: Array<{ dealId: string; properties: Props }>;
  /** Requests per endpoint ("PATCH /crm/v3/objects/deals/{dealId}"), including rejected ones. */
  requests: Record<string, number>;
  /** Every authenticated write (not GET) as received: method, path with query, JSON body. */
  writes: Array<{ method: string; path: string; body: unknown }>;
  /** Every request as received (path without query) and the status it was answered with. */
  calls: Array<{ method: string; path: string; status: number }>;
  /** Granted scopes per token (null = every scope). Tests may change them. */
  grants: Map<string, Set<string> | null>;
  /** Portal validation rules (conditional required properties) checked on deal writes. */
  validationRules: Array<{ propertyName: string; basedOn: string }>;
  count429: number;
}

export interface HubSpotEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  propertyName?: string;
  propertyValue?: string;
  sourceId?: string;
}

export interface HubSpotStandin {
  /** Base path to hand to the SDK (no trailing slash). */
  url: string;
  accessToken: string;
  portalId: number;
  state: HubSpotStandinState;
  /** Outages, storms, stalls and garbled answers, switched on and off by tests. */
  faults: StandinFaults;
  addDeal(d: { id?: string; properties?: Props; contactIds?: string[]; companyIds?: string[]; archived?: boolean }): StandinDeal;
  addCompany(id: string, properties: Props): StandinRecord;
  addContact(id: string, properties: Props): StandinRecord;
  addOwner(o: StandinOwner): StandinOwner;
  /** A product in the library (line items made from it carry hs_product_id). */
  addProduct(id: string, properties: Props): StandinRecord;
  /** A line item on a deal; from a product when properties.hs_product_id names one (name/SKU/price copied as HubSpot does). */
  addLineItem(dealId: string, properties: Props): StandinLineItem;
  /** Logs an email on deals and contacts, as a connected inbox or the BCC address would. */
  addEmail(e: { id?: string; properties: Props; dealIds?: string[]; contactIds?: string[] }): StandinEmail;
  /** Moves a deal into a stage as a rep would, and returns the deal.propertyChange event HubSpot would send. */
  moveDealToStage(dealId: string, stageId: string, at?: number): HubSpotEvent;
  /** Deletes a deal as a rep would (it goes to the recycle bin: archived, 404 on read) and returns the deal.deletion event. */
  deleteDeal(dealId: string, at?: number): HubSpotEvent;
  /** Restores a deleted deal from the recycle bin and returns the deal.restore event. */
  restoreDeal(dealId: string, at?: number): HubSpotEvent;
  /** POSTs events to a webhook target signed as HubSpot signs them (v1 + v3 headers). */
  sendWebhook(targetUrl: string, events: unknown[], clientSecret: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Query = URLSearchParams;
type Route = {
  method: string;
  pattern: RegExp;
  name: string;
  /** The scopes HubSpot accepts for the call (any one suffices); absent = not scoped. */
  scopes?: (m: RegExpExecArray) => string[];
  handle: (m: RegExpExecArray, q: Query, body: unknown) => Reply;
};

const TEN_SECONDS = 10_000;
/** What an unrestricted token reports as its scopes. */
const ALL_SCOPES = [
  'crm.objects.deals.read', 'crm.objects.deals.write', 'crm.objects.companies.read', 'crm.objects.contacts.read', 'crm.objects.contacts.write',
  'crm.objects.owners.read', 'crm.schemas.deals.read', 'crm.schemas.deals.write', 'sales-email-read', 'crm.objects.line_items.read', 'crm.objects.products.read', 'oauth',
];
const STANDARD_DEAL_PROPERTIES: Array<[string, string, string]> = [
  ['dealname', 'string', 'text'], ['amount', 'number', 'number'], ['dealstage', 'enumeration', 'radio'], ['pipeline', 'enumeration', 'select'],
  ['closedate', 'datetime', 'date'], ['hubspot_owner_id', 'enumeration', 'select'], ['dealtype', 'enumeration', 'radio'],
  ['description', 'string', 'textarea'], ['createdate', 'datetime', 'date'], ['hs_lastmodifieddate', 'datetime', 'date'],
  ['deal_currency_code', 'enumeration', 'select'], ['hs_object_id', 'number', 'number'],
  ['hs_v2_date_entered_current_stage', 'datetime', 'date'], ['hs_pinned_engagement_id', 'number', 'number'],
];
/** HubSpot's default options of its standard enumeration deal properties (values as stored, labels as shown). */
const STANDARD_OPTIONS: Record<string, Array<{ label: string; value: string; displayOrder: number; hidden: boolean }>> = {
  dealtype: [
    { label: 'New Business', value: 'newbusiness', displayOrder: 0, hidden: false },
    { label: 'Existing Business', value: 'existingbusiness', displayOrder: 1, hidden: false },
  ],
};
/** Properties HubSpot computes itself: writing them is rejected. */
const READ_ONLY = new Set(['hs_object_id', 'createdate', 'hs_lastmodifieddate', 'hs_v2_date_entered_current_stage']);
const DEFAULT_DEAL_READ = ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'createdate', 'hs_lastmodifieddate', 'hs_object_id'];

const err = (status: number, category: string, message: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { status: 'error', message, correlationId: randomUUID(), category, ...extra },
});
const notFound = (message: string) => err(404, 'OBJECT_NOT_FOUND', message);
/** Batch reads are scoped per object type; notes (engagements) under contacts. */
const BATCH_READ_SCOPE: Record<string, string> = {
  deals: 'crm.objects.deals.read', companies: 'crm.objects.companies.read', contacts: 'crm.objects.contacts.read', notes: 'crm.objects.contacts.read',
  emails: 'sales-email-read', line_items: 'crm.objects.line_items.read', products: 'crm.objects.products.read',
};
/** HubSpot's 403 for a token without the call's scope (category MISSING_SCOPES, errors[].context.requiredGranularScopes). */
const missingScopes = (accepted: string[]): Reply => err(403, 'MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call.", {
  errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: accepted } }],
});
const iso = (ms = Date.now()) => new Date(ms).toISOString();

export async function startHubSpotStandin(opts: HubSpotStandinOptions = {}): Promise<HubSpotStandin> {
  const token = opts.accessToken ?? STANDIN_HUBSPOT_TOKEN;
  const portalId = opts.portalId ?? STANDIN_PORTAL_ID;
  const appId = opts.appId ?? STANDIN_APP_ID;
  const limit = opts.ratePerSecond === undefined ? Infinity : Math.max(1, Math.floor(opts.ratePerSecond * 10));
  const state: HubSpotStandinState = {
    deals: new Map(), companies: new Map(), contacts: new Map(), owners: new Map(), notes: new Map(), emails: new Map(), lineItems: new Map(), products: new Map(),
    pipelines: [defaultPipeline()], properties: new Map(), groups: new Map(), patches: [], requests: {}, writes: [], count429: 0,
    calls: [], grants: new Map(), validationRules: [],
  };
  state.grants.set(token, opts.scopes ? new Set(opts.scopes) : null);
  for (const [t, scopes] of Object.entries(opts.tokens ?? {})) state.grants.set(t, scopes ? new Set(scopes) : null);
  state.groups.set('dealinformation', { name: 'dealinformation', label: 'Deal information', displayOrder: 0 });
  for (const [name, type, fieldType] of STANDARD_DEAL_PROPERTIES) {
    state.properties.set(name, { name, label: name, type, fieldType, groupName: 'dealinformation', ...(STANDARD_OPTIONS[name] ? { options: STANDARD_OPTIONS[name] } : {}) });
  }
  if (opts.batonProperties !== false) {
    state.groups.set(BATON_PROPERTY_GROUP.name, { ...BATON_PROPERTY_GROUP });
    for (const p of BATON_PROPERTIES) state.properties.set(p.name, toPropertyCreate(p) as StandinProperty);
  }
  let nextId = 50_000_000;
  const newId = () => String(nextId++);
  const served: number[] = []; // timestamps of requests inside the rolling window

  // ---- records -------------------------------------------------------------------------------------------
  const project = (props: Props, wanted: string[]): Props => {
    const out: Props = {};
    for (const k of wanted) out[k] = props[k] ?? null;
    return out;
  };
  const wantedProps = (q: Query | string[] | undefined, defaults: string[]): string[] => {
    const list = Array.isArray(q) ? q : (q?.getAll('properties') ?? []).flatMap((v) => v.split(','));
    const names = list.map((s) => s.trim()).filter(Boolean);
    return [...new Set([...(names.length > 0 ? names : defaults), 'hs_object_id', 'createdate', 'hs_lastmodifieddate'])];
  };
  const recordJson = (r: StandinRecord, wanted: string[]) => ({
    id: r.id,
    properties: project(r.properties, wanted),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    archived: false,
  });

  function dealAssociations(d: StandinDeal, kinds: string[]) {
    const out: Record<string, { results: Array<{ id: string; type: string }> }> = {};
    for (const kind of kinds) {
      if (kind === 'contacts' && d.contactIds.length > 0) {
        out.contacts = { results: d.contactIds.map((id) => ({ id, type: 'deal_to_contact' })) };
      } else if (kind === 'companies' && d.companyIds.length > 0) {
        out.companies = {
          results: d.companyIds.flatMap((id, i) =>
            i === 0 ? [{ id, type: 'deal_to_company' }, { id, type: 'deal_to_company_unlabeled' }] : [{ id, type: 'deal_to_company_unlabeled' }]),
        };
      } else if (kind === 'line_items') {
        const ids = [...state.lineItems.values()].filter((l) => l.dealId === d.id).map((l) => l.id);
        if (ids.length > 0) out.line_items = { results: ids.map((id) => ({ id, type: 'deal_to_line_item' })) };
      } else if (kind === 'notes') {
        const ids = [...state.notes.values()].filter((n) => n.dealIds.includes(d.id)).map((n) => n.id);
        const limit = opts.embeddedAssociationLimit ?? Infinity;
        const results = ids.slice(0, limit).map((id) => ({ id, type: 'deal_to_note' }));
        if (ids.length > 0) out.notes = { results, ...(ids.length > limit ? { paging: { next: { after: String(limit) } } } : {}) };
      }
    }
    return out;
  }

  /** Validates property values against their definitions; returns HubSpot's 400 or the values to store. */
  function validateProps(input: unknown): { error: Reply } | { props: Props } {
    if (typeof input !== 'object' || input === null) return { error: err(400, 'VALIDATION_ERROR', 'Invalid input JSON: properties must be an object') };
    const problems: Array<Record<string, unknown>> = [];
    const out: Props = {};
    for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
      const def = state.properties.get(name);
      const value = raw === null || raw === undefined ? null : String(raw);
      const bad = (error: string, message: string) => problems.push({ isValid: false, message, error, name, localizedErrorMessage: message, portalId });
      if (!def) {
        bad('PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`);
        continue;
      }
      if (READ_ONLY.has(name)) {
        bad('READ_ONLY_VALUE', `"${name}" is a read only property; its value cannot be set.`);
        continue;
      }
      if (value === null || value === '') {
        out[name] = null;
        continue;
      }
      if (def.type === 'enumeration' && def.options && def.options.length > 0 && !def.options.some((o) => o.value === value)) {
        bad('INVALID_OPTION', `${value} was not one of the allowed options: [${def.options.map((o) => o.value).join(', ')}]`);
        continue;
      }
      if (def.type === 'date') {
        const day = toDay(value);
        if (day === undefined) {
          bad('INVALID_DATE', `${value} is at ${value} UTC, not midnight!`);
          continue;
        }
        out[name] = day;
        continue;
      }
      out[name] = value;
    }
    if (problems.length > 0) {
      return { error: err(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(problems)}`) };
    }
    return { props: out };
  }

  /**
   * Admin-configured conditional required properties, as HubSpot enforces them on API writes from the 2026-09
   * API version (changelog "CRM API Write Validation Enforcement"): 400 VALIDATION_ERROR with
   * errors[{code: MISSING_CONDITIONAL_REQUIRED_PROPERTY, message, context.propertyName: [name]}]. The stand-in
   * applies them to the v3 paths too, so Baton's handling is tested before its SDK moves to date-based paths.
   */
  function brokenRules(after: Props): Reply | undefined {
    const errors = state.validationRules
      .filter((r) => (after[r.basedOn] ?? '') !== '' && (after[r.propertyName] ?? '') === '')
      .map((r) => ({
        code: 'MISSING_CONDITIONAL_REQUIRED_PROPERTY',
        message: `${r.propertyName} is required because of a conditional property rule based on [${r.basedOn}]`,
        context: { propertyName: [r.propertyName] },
      }));
    return errors.length > 0 ? { status: 400, body: { status: 'error', category: 'VALIDATION_ERROR', correlationId: randomUUID(), errors } } : undefined;
  }

  function setDealProps(d: StandinDeal, props: Props, at = Date.now()) {
    if (props.dealstage !== undefined && props.dealstage !== d.properties.dealstage) {
      d.properties.hs_v2_date_entered_current_stage = iso(at);
    }
    Object.assign(d.properties, props);
    d.properties.hs_lastmodifieddate = iso(at);
    d.updatedAt = iso(at);
  }

  // ---- search --------------------------------------------------------------------------------------------
  interface Filter { propertyName: string; operator: string; value?: unknown; values?: unknown[] }
  const comparable = (v: string | null | undefined): number | string | null => {
    if (v === null || v === undefined || v === '') return null;
    if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    const t = Date.parse(v);
    return Number.isFinite(t) && /^\d{4}-\d{2}-\d{2}/.test(v) ? t : v;
  };
  function matches(d: StandinDeal, f: Filter): boolean {
    const have = d.properties[f.propertyName] ?? null;
    const a = comparable(have);
    const b = comparable(f.value === undefined ? undefined : String(f.value));
    const cmp = () => (a === null || b === null ? NaN : typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)));
    switch (f.operator) {
      case 'EQ': return have !== null && (a === b || String(have).toLowerCase() === String(f.value).toLowerCase());
      case 'NEQ': return !(have !== null && String(have).toLowerCase() === String(f.value).toLowerCase());
      case 'IN': return have !== null && (f.values ?? []).map(String).includes(have);
      case 'NOT_IN': return have === null || !(f.values ?? []).map(String).includes(have);
      case 'GT': return cmp() > 0;
      case 'GTE': return cmp() >= 0;
      case 'LT': return cmp() < 0;
      case 'LTE': return cmp() <= 0;
      case 'HAS_PROPERTY': return have !== null && have !== '';
      case 'NOT_HAS_PROPERTY': return have === null || have === '';
      default: return false;
    }
  }
  function search(body: unknown): Reply {
    const b = (body ?? {}) as { filterGroups?: Array<{ filters?: Filter[] }>; sorts?: unknown[]; properties?: string[]; limit?: number; after?: string | number };
    const pageSize = b.limit ?? 10;
    if (pageSize > 200) return err(400, 'VALIDATION_ERROR', 'Search limit must be at most 200');
    const groups = b.filterGroups ?? [];
    if (groups.length > 5) return err(400, 'VALIDATION_ERROR', 'Too many filter groups (max 5)');
    for (const g of groups) {
      for (const f of g.filters ?? []) {
        if (!['EQ', 'NEQ', 'IN', 'NOT_IN', 'GT', 'GTE', 'LT', 'LTE', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY'].includes(f.operator)) {
          return err(400, 'VALIDATION_ERROR', `Unsupported operator ${f.operator}`);
        }
      }
    }
    let found = [...state.deals.values()].filter(
      (d) => !d.archived && (groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => matches(d, f)))),
    );
    const sorts = (b.sorts ?? []).map((s) =>
      typeof s === 'string'
        ? { propertyName: s.replace(/^-/, ''), direction: s.startsWith('-') ? 'DESCENDING' : 'ASCENDING' }
        : (s as { propertyName: string; direction?: string }),
    );
    found = found.sort((x, y) => {
      for (const s of sorts) {
        const a = comparable(x.properties[s.propertyName]);
        const c = comparable(y.properties[s.propertyName]);
        const diff = a === c ? 0 : a === null ? 1 : c === null ? -1 : a < c ? -1 : 1;
        if (diff !== 0) return s.direction === 'DESCENDING' ? -diff : diff;
      }
      return Number(x.id) - Number(y.id);
    });
    const offset = Number(b.after ?? 0) || 0;
    const page = found.slice(offset, offset + pageSize);
    const wanted = wantedProps(b.properties, ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage']);
    return {
      status: 200,
      body: {
        total: found.length,
        results: page.map((d) => recordJson(d, wanted)),
        ...(offset + pageSize < found.length ? { paging: { next: { after: String(offset + pageSize) } } } : {}),
      },
    };
  }

  // ---- routes ----------------------------------------------------------------------------------------------
  const tables: Record<string, Map<string, StandinRecord>> = {
    companies: state.companies, contacts: state.contacts, notes: state.notes, deals: state.deals, emails: state.emails, line_items: state.lineItems, products: state.products,
  };
  const routes: Route[] = [
    {
      // Private-app / static token introspection (no scope needed): {userId, hubId, appId, scopes}.
      method: 'POST', pattern: /^\/oauth\/v2\/private-apps\/get\/access-token-info$/, name: 'POST /oauth/v2/private-apps/get/access-token-info',
      handle: (_m, _q, body) => {
        const key = (body as { tokenKey?: unknown } | undefined)?.tokenKey;
        if (typeof key !== 'string' || !state.grants.has(key)) return err(400, 'VALIDATION_ERROR', 'tokenKey is not a valid private app access token');
        const granted = state.grants.get(key);
        return { status: 200, body: { userId: 864745280, hubId: portalId, appId, scopes: granted ? [...granted].sort() : [...ALL_SCOPES].sort() } };
      },
    },
    {
      method: 'POST', pattern: /^\/crm\/v3\/objects\/deals\/search$/, name: 'POST /crm/v3/objects/deals/search',
      scopes: () => ['crm.objects.deals.read'],
      handle: (_m, _q, body) => search(body),
    },
    {
      method: 'POST', pattern: /^\/crm\/v3\/objects\/(companies|contacts|notes|deals|emails|line_items|products)\/batch\/read$/, name: 'POST /crm/v3/objects/{objectType}/batch/read',
      scopes: (m) => [BATCH_READ_SCOPE[m[1] as string] as string],
      handle: (m, _q, body) => {
        const b = (body ?? {}) as { inputs?: Array<{ id: string }>; properties?: string[] };
        const inputs = b.inputs ?? [];
        if (inputs.length > 100) return err(400, 'VALIDATION_ERROR', 'Batch input must contain at most 100 inputs');
        const table = tables[m[1] as string] as Map<string, StandinRecord>;
        const wanted = wantedProps(b.properties, []);
        const results = inputs.flatMap(({ id }) => {
          const r = table.get(String(id));
          return r ? [recordJson(r, wanted)] : [];
        });
        const missing = inputs.map(({ id }) => String(id)).filter((id) => !table.has(id));
        const base = { status: 'COMPLETE', results, startedAt: iso(), completedAt: iso() };
        if (missing.length === 0) return { status: 200, body: base };
        return {
          status: 207,
          body: {
            ...base,
            numErrors: 1,
            errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `Could not get some ${m[1]} objects, they may be deleted or not exist.`, context: { ids: missing } }],
          },
        };
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/objects\/deals\/(\d+)$/, name: 'GET /crm/v3/objects/deals/{dealId}',
      scopes: () => ['crm.objects.deals.read'],
      handle: (m, q) => {
        const d = state.deals.get(m[1] as string);
        if (!d || (d.archived && q.get('archived') !== 'true')) return notFound('Object not found.  objectId are usually numeric.');
        const kinds = q.getAll('associations').flatMap((v) => v.split(',')).filter(Boolean);
        const associations = dealAssociations(d, kinds);
        return {
          status: 200,
          body: { ...recordJson(d, wantedProps(q, DEFAULT_DEAL_READ)), archived: d.archived, ...(Object.keys(associations).length ? { associations } : {}) },
        };
      },
    },
    {
      method: 'PATCH', pattern: /^\/crm\/v3\/objects\/deals\/(\d+)$/, name: 'PATCH /crm/v3/objects/deals/{dealId}',
      scopes: () => ['crm.objects.deals.write'],
      handle: (m, _q, body) => {
        const d = state.deals.get(m[1] as string);
        if (!d || d.archived) return notFound('Object not found.  objectId are usually numeric.');
        const checked = validateProps((body as { properties?: unknown } | null)?.properties);
        if ('error' in checked) return checked.error;
        const broken = brokenRules({ ...d.properties, ...checked.props });
        if (broken) return broken;
        setDealProps(d, checked.props);
        state.patches.push({ dealId: d.id, properties: checked.props });
        return { status: 200, body: recordJson(d, Object.keys(d.properties)) };
      },
    },
    {
      method: 'POST', pattern: /^\/crm\/v3\/objects\/notes$/, name: 'POST /crm/v3/objects/notes',
      scopes: () => ['crm.objects.contacts.write'],
      handle: (_m, _q, body) => {
        const b = (body ?? {}) as { properties?: Record<string, unknown>; associations?: Array<{ to?: { id?: unknown }; types?: Array<{ associationCategory?: string; associationTypeId?: number }> }> };
        const props = b.properties ?? {};
        if (props.hs_timestamp === undefined || props.hs_timestamp === '') {
          return err(400, 'VALIDATION_ERROR', 'Property values were not valid: [{"isValid":false,"message":"hs_timestamp is required","error":"REQUIRED_PROPERTY","name":"hs_timestamp"}]');
        }
        const noteBody = props.hs_note_body === undefined ? '' : String(props.hs_note_body);
        if (noteBody.length > 65_536) return err(400, 'VALIDATION_ERROR', 'hs_note_body exceeds 65536 characters');
        const dealIds: string[] = [];
        for (const a of b.associations ?? []) {
          const to = String(a.to?.id ?? '');
          const type = a.types?.[0];
          if (!state.deals.has(to)) return err(400, 'VALIDATION_ERROR', `One or more associations are invalid: no deal ${to}`);
          if (type?.associationCategory !== 'HUBSPOT_DEFINED' || type.associationTypeId !== 214) {
            return err(400, 'VALIDATION_ERROR', `Association type ${type?.associationCategory}/${type?.associationTypeId} is not note to deal (HUBSPOT_DEFINED/214)`);
          }
          dealIds.push(to);
        }
        const id = newId();
        const now = iso();
        const note: StandinNote = {
          id,
          properties: { hs_note_body: noteBody, hs_timestamp: String(props.hs_timestamp), hs_object_id: id, hs_createdate: now, createdate: now, hs_lastmodifieddate: now },
          dealIds,
          createdAt: now,
          updatedAt: now,
        };
        state.notes.set(id, note);
        return { status: 201, body: recordJson(note, Object.keys(note.properties)) };
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/objects\/notes\/(\d+)$/, name: 'GET /crm/v3/objects/notes/{noteId}',
      scopes: () => ['crm.objects.contacts.read'],
      handle: (m, q) => {
        const n = state.notes.get(m[1] as string);
        return n ? { status: 200, body: recordJson(n, wantedProps(q, ['hs_note_body'])) } : notFound('Object not found.');
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v4\/objects\/(contacts?|0-1)\/(\d+)\/associations\/emails?$/,
      name: 'GET /crm/v4/objects/contacts/{contactId}/associations/emails',
      scopes: () => ['crm.objects.contacts.read'],
      handle: (m, q) => {
        const c = state.contacts.get(m[2] as string);
        if (!c) return notFound('Object not found.');
        const size = Math.min(Number(q.get('limit') ?? 500) || 500, 500);
        const all = [...state.emails.values()].filter((e) => e.contactIds.includes(c.id)).map((e) => ({ toObjectId: Number(e.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 197, label: null }] })); // contact_to_email
        const offset = Number(q.get('after') ?? 0) || 0;
        return {
          status: 200,
          body: { results: all.slice(offset, offset + size), ...(offset + size < all.length ? { paging: { next: { after: String(offset + size) } } } : {}) },
        };
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v4\/objects\/(deals?|0-3)\/(\d+)\/associations\/(notes?|contacts?|compan(?:y|ies)|emails?)$/,
      name: 'GET /crm/v4/objects/deals/{dealId}/associations/{toObjectType}',
      scopes: () => ['crm.objects.deals.read'],
      handle: (m, q) => {
        const d = state.deals.get(m[2] as string);
        if (!d) return notFound('Object not found.');
        const to = m[3] as string;
        const size = Math.min(Number(q.get('limit') ?? 500) || 500, 500);
        const all: Array<{ toObjectId: number; associationTypes: unknown[] }> = to.startsWith('note')
          ? [...state.notes.values()].filter((n) => n.dealIds.includes(d.id)).map((n) => ({ toObjectId: Number(n.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 213, label: null }] }))
          : to.startsWith('email') // deal_to_email
            ? [...state.emails.values()].filter((e) => e.dealIds.includes(d.id)).map((e) => ({ toObjectId: Number(e.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 209, label: null }] }))
          : to.startsWith('contact')
            ? d.contactIds.map((id) => ({ toObjectId: Number(id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] }))
            : d.companyIds.map((id, i) => ({
                toObjectId: Number(id),
                associationTypes: [...(i === 0 ? [{ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }] : []), { category: 'HUBSPOT_DEFINED', typeId: 341, label: null }],
              }));
        const offset = Number(q.get('after') ?? 0) || 0;
        return {
          status: 200,
          body: { results: all.slice(offset, offset + size), ...(offset + size < all.length ? { paging: { next: { after: String(offset + size) } } } : {}) },
        };
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/owners\/(\d+)$/, name: 'GET /crm/v3/owners/{ownerId}',
      scopes: () => ['crm.objects.owners.read'],
      handle: (m, q) => {
        const key = m[1] as string;
        const o = q.get('idProperty') === 'userId' ? [...state.owners.values()].find((x) => String(x.userId) === key) : state.owners.get(key);
        return o ? { status: 200, body: ownerJson(o) } : notFound(`No owner found with id ${key}`);
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/owners\/?$/, name: 'GET /crm/v3/owners',
      scopes: () => ['crm.objects.owners.read'],
      handle: (_m, q) => {
        const email = q.get('email');
        const all = [...state.owners.values()].filter((o) => !email || o.email.toLowerCase() === email.toLowerCase());
        const size = Math.min(Number(q.get('limit') ?? 100) || 100, 500);
        const offset = Number(q.get('after') ?? 0) || 0;
        return {
          status: 200,
          body: { results: all.slice(offset, offset + size).map(ownerJson), ...(offset + size < all.length ? { paging: { next: { after: String(offset + size) } } } : {}) },
        };
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/pipelines\/deals$/, name: 'GET /crm/v3/pipelines/deals',
      scopes: () => ['crm.objects.deals.read'],
      handle: () => ({ status: 200, body: { results: state.pipelines.map(pipelineJson) } }),
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/pipelines\/deals\/([^/]+)\/stages$/, name: 'GET /crm/v3/pipelines/deals/{pipelineId}/stages',
      scopes: () => ['crm.objects.deals.read'],
      handle: (m) => {
        const p = state.pipelines.find((x) => x.id === m[1]);
        return p ? { status: 200, body: { results: pipelineJson(p).stages } } : notFound(`Unable to find pipeline ${m[1]}`);
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/properties\/deals\/groups\/([^/]+)$/, name: 'GET /crm/v3/properties/deals/groups/{groupName}',
      scopes: () => ['crm.schemas.deals.read'],
      handle: (m) => {
        const g = state.groups.get(decodeURIComponent(m[1] as string));
        return g ? { status: 200, body: { ...g, archived: false } } : notFound(`Unable to find property group ${m[1]} for object type deals`);
      },
    },
    {
      method: 'POST', pattern: /^\/crm\/v3\/properties\/deals\/groups$/, name: 'POST /crm/v3/properties/deals/groups',
      scopes: () => ['crm.schemas.deals.write'],
      handle: (_m, _q, body) => {
        const b = (body ?? {}) as { name?: string; label?: string; displayOrder?: number };
        if (!b.name || !b.label) return err(400, 'VALIDATION_ERROR', 'Property group name and label are required');
        if (state.groups.has(b.name)) return err(409, 'OBJECT_ALREADY_EXISTS', `A property group named ${b.name} already exists`);
        const g = { name: b.name, label: b.label, displayOrder: b.displayOrder ?? -1 };
        state.groups.set(g.name, g);
        return { status: 201, body: { ...g, archived: false } };
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/properties\/deals$/, name: 'GET /crm/v3/properties/deals',
      scopes: () => ['crm.schemas.deals.read'],
      handle: () => ({ status: 200, body: { results: [...state.properties.values()].map(propertyJson) } }),
    },
    {
      method: 'POST', pattern: /^\/crm\/v3\/properties\/deals$/, name: 'POST /crm/v3/properties/deals',
      scopes: () => ['crm.schemas.deals.write'],
      handle: (_m, _q, body) => {
        const b = (body ?? {}) as StandinProperty;
        for (const k of ['name', 'label', 'type', 'fieldType', 'groupName'] as const) {
          if (typeof b[k] !== 'string' || b[k] === '') return err(400, 'VALIDATION_ERROR', `Invalid input JSON: ${k} is required`);
        }
        if (state.properties.has(b.name)) return err(409, 'OBJECT_ALREADY_EXISTS', `Property named '${b.name}' already exists.`);
        if (!state.groups.has(b.groupName)) return err(400, 'VALIDATION_ERROR', `Unable to create property: group ${b.groupName} does not exist`);
        if (b.type === 'enumeration' && (!Array.isArray(b.options) || b.options.length === 0)) {
          return err(400, 'VALIDATION_ERROR', 'Enumeration properties need at least one option');
        }
        state.properties.set(b.name, { ...b });
        return { status: 201, body: propertyJson(b) };
      },
    },
    {
      method: 'GET', pattern: /^\/crm\/v3\/properties\/deals\/([^/]+)$/, name: 'GET /crm/v3/properties/deals/{propertyName}',
      scopes: () => ['crm.schemas.deals.read'],
      handle: (m) => {
        const p = state.properties.get(decodeURIComponent(m[1] as string));
        return p ? { status: 200, body: propertyJson(p) } : notFound(`Unable to find property ${m[1]} for object type deals`);
      },
    },
    {
      method: 'PATCH', pattern: /^\/crm\/v3\/properties\/deals\/([^/]+)$/, name: 'PATCH /crm/v3/properties/deals/{propertyName}',
      scopes: () => ['crm.schemas.deals.write'],
      handle: (m, _q, body) => {
        const name = decodeURIComponent(m[1] as string);
        const p = state.properties.get(name);
        if (!p) return notFound(`Unable to find property ${name} for object type deals`);
        const next = { ...p, ...(body as object), name };
        state.properties.set(name, next);
        return { status: 200, body: propertyJson(next) };
      },
    },
  ];

  // ---- server --------------------------------------------------------------------------------------------
  const faults = new StandinFaults();
  /** The fault each in-flight response is under (send() bends or delays it). */
  const faulted = new WeakMap<ServerResponse, Fault>();
  /** The recorded call of each in-flight response (send() stamps its status). */
  const calls = new WeakMap<ServerResponse, { status: number }>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => send(res, err(500, 'INTERNAL_ERROR', e instanceof Error ? e.message : 'internal error')));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const url = new URL(req.url ?? '/', 'http://standin');
    const route = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    const name = route?.name ?? `${req.method} ${url.pathname}`;
    state.requests[name] = (state.requests[name] ?? 0) + 1;
    const call = { method: req.method ?? '', path: url.pathname, status: 0 };
    state.calls.push(call);
    calls.set(res, call);
    const fault = faults.take(name);
    if (fault?.kind === 'stall') return; // read, never answered: the client's timeout ends it
    if (fault) faulted.set(res, fault);
    if (fault?.kind === 'error') return send(res, err(fault.status ?? 502, 'BAD_GATEWAY', 'Bad Gateway'));
    if (fault?.kind === 'rate-limit') {
      state.count429 += 1;
      return send(res, {
        status: 429,
        headers: { 'Retry-After': String(fault.retryAfterS) },
        body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: 'TEN_SECONDLY_ROLLING', groupName: `publicapi:app-private:${appId}` },
      });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !state.grants.has(bearer)) {
      return send(res, err(401, 'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'));
    }
    const now = Date.now();
    while (served.length > 0 && (served[0] as number) <= now - TEN_SECONDS) served.shift();
    if (served.length >= limit) {
      state.count429 += 1;
      const retryAfter = Math.max(1, Math.ceil(((served[0] as number) + TEN_SECONDS - now) / 1000));
      return send(res, {
        status: 429,
        headers: { 'Retry-After': String(retryAfter) },
        body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: 'TEN_SECONDLY_ROLLING', groupName: `publicapi:app-private:${appId}` },
      });
    }
    served.push(now);
    if (!route) return send(res, notFound(`No route for ${req.method} ${url.pathname}`));
    const granted = state.grants.get(bearer);
    const accepted = route.scopes?.(route.pattern.exec(url.pathname) as RegExpExecArray);
    if (granted && accepted && !accepted.some((s) => granted.has(s))) return send(res, missingScopes(accepted));
    let body: unknown;
    if (chunks.length > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, err(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1'));
      }
    }
    if (req.method !== 'GET') state.writes.push({ method: req.method ?? '', path: url.pathname + url.search, body });
    send(res, route.handle(route.pattern.exec(url.pathname) as RegExpExecArray, url.searchParams, body), limit - served.length);
  }

  function send(res: ServerResponse, r: Reply, remaining?: number) {
    const fault = faulted.get(res);
    const call = calls.get(res);
    if (call) call.status = r.status;
    const text = r.body === undefined ? '' : bendBody(fault, JSON.stringify(r.body));
    const headers: Record<string, string> = { 'content-type': 'application/json;charset=utf-8', ...(r.headers ?? {}) };
    if (remaining !== undefined && Number.isFinite(limit)) {
      headers['x-hubspot-ratelimit-interval-milliseconds'] = String(TEN_SECONDS);
      headers['x-hubspot-ratelimit-max'] = String(limit);
      headers['x-hubspot-ratelimit-remaining'] = String(Math.max(0, remaining));
    }
    deliver(fault, () => {
      if (!res.destroyed) res.writeHead(r.status, headers).end(text);
    });
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let eventId = 1000;

  // Deletion and restore events carry no property (HubSpot's deal.deletion / deal.restore subscriptions).
  const archiveEvent = (dealId: string, archived: boolean, at: number): HubSpotEvent => {
    const d = state.deals.get(dealId);
    if (!d) throw new Error(`stand-in has no deal ${dealId}`);
    d.archived = archived;
    d.updatedAt = iso(at);
    return {
      eventId: eventId++, subscriptionId: archived ? 2102 : 2103, portalId, appId, occurredAt: at,
      subscriptionType: archived ? 'deal.deletion' : 'deal.restore', attemptNumber: 0, objectId: Number(dealId), changeSource: 'CRM_UI',
    };
  };

  return {
    url,
    accessToken: token,
    portalId,
    state,
    faults,
    addDeal(d) {
      const id = d.id ?? newId();
      const now = iso();
      const deal: StandinDeal = {
        id,
        properties: { hs_object_id: id, createdate: now, hs_lastmodifieddate: now, pipeline: 'default', ...d.properties },
        contactIds: d.contactIds ?? [],
        companyIds: d.companyIds ?? [],
        archived: d.archived ?? false,
        createdAt: now,
        updatedAt: now,
      };
      deal.properties.hs_v2_date_entered_current_stage ??= now;
      state.deals.set(id, deal);
      return deal;
    },
    addCompany(id, properties) {
      const r = { id, properties: { hs_object_id: id, ...properties }, createdAt: iso(), updatedAt: iso() };
      state.companies.set(id, r);
      return r;
    },
    addProduct(id, properties) {
      const r = { id, properties: { hs_object_id: id, ...properties }, createdAt: iso(), updatedAt: iso() };
      state.products.set(id, r);
      return r;
    },
    addLineItem(dealId, properties) {
      const id = newId();
      const product = properties.hs_product_id ? state.products.get(properties.hs_product_id) : undefined;
      const base: Props = product ? { name: product.properties.name ?? null, hs_sku: product.properties.hs_sku ?? null, price: product.properties.price ?? null } : {};
      const merged: Props = { hs_object_id: id, quantity: '1', ...base, ...properties };
      const amount = Number(merged.price ?? 'NaN') * Number(merged.quantity ?? '1');
      const item: StandinLineItem = { id, dealId, properties: { ...merged, ...(Number.isFinite(amount) && merged.amount === undefined ? { amount: String(amount) } : {}) }, createdAt: iso(), updatedAt: iso() };
      state.lineItems.set(id, item);
      return item;
    },
    addEmail(e) {
      const id = e.id ?? newId();
      const email: StandinEmail = { id, properties: { hs_object_id: id, ...e.properties }, createdAt: iso(), updatedAt: iso(), dealIds: e.dealIds ?? [], contactIds: e.contactIds ?? [] };
      state.emails.set(id, email);
      return email;
    },
    addContact(id, properties) {
      const r = { id, properties: { hs_object_id: id, ...properties }, createdAt: iso(), updatedAt: iso() };
      state.contacts.set(id, r);
      return r;
    },
    addOwner(o) {
      state.owners.set(o.id, o);
      return o;
    },
    moveDealToStage(dealId, stageId, at = Date.now()) {
      const d = state.deals.get(dealId);
      if (!d) throw new Error(`stand-in has no deal ${dealId}`);
      setDealProps(d, { dealstage: stageId }, at);
      return {
        eventId: eventId++,
        subscriptionId: 2101,
        portalId,
        appId,
        occurredAt: at,
        subscriptionType: 'deal.propertyChange',
        attemptNumber: 0,
        objectId: Number(dealId),
        changeSource: 'CRM_UI',
        propertyName: 'dealstage',
        propertyValue: stageId,
        sourceId: 'userId:864745280',
      };
    },
    deleteDeal(dealId, at = Date.now()) {
      return archiveEvent(dealId, true, at);
    },
    restoreDeal(dealId, at = Date.now()) {
      return archiveEvent(dealId, false, at);
    },
    async sendWebhook(targetUrl, events, clientSecret) {
      const body = JSON.stringify(events);
      const timestampMs = Date.now();
      const headers = {
        'content-type': 'application/json',
        ...signHubSpotRequest({ version: 'v1', method: 'POST', url: targetUrl, body, clientSecret, timestampMs }),
        ...signHubSpotRequest({ version: 'v3', method: 'POST', url: targetUrl, body, clientSecret, timestampMs }),
      };
      const res = await fetch(targetUrl, { method: 'POST', headers, body });
      return { status: res.status, body: await res.text() };
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Date property input: YYYY-MM-DD, or ms at midnight UTC (HubSpot rejects any other time of day). */
function toDay(v: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  if (!/^\d+$/.test(v)) return undefined;
  const ms = Number(v);
  return ms % 86_400_000 === 0 ? new Date(ms).toISOString().slice(0, 10) : undefined;
}

function defaultPipeline(): StandinPipeline {
  const probability: Record<string, string> = {
    appointmentscheduled: '0.2', qualifiedtobuy: '0.4', presentationscheduled: '0.6', decisionmakerboughtin: '0.8',
    contractsent: '0.9', closedwon: '1.0', closedlost: '0.0',
  };
  return {
    id: HUBSPOT_DEFAULT_PIPELINE.id,
    label: HUBSPOT_DEFAULT_PIPELINE.label,
    displayOrder: 0,
    archived: false,
    stages: HUBSPOT_DEFAULT_PIPELINE.stages.map((s, i) => ({
      id: s.stageId,
      label: s.stageLabel,
      displayOrder: i,
      archived: false,
      metadata: { isClosed: String(s.isClosed), probability: probability[s.stageId] ?? '0.5' },
    })),
  };
}

const STAMP = '2020-01-01T00:00:00.000Z';
function pipelineJson(p: StandinPipeline) {
  return {
    ...p,
    createdAt: STAMP,
    updatedAt: STAMP,
    stages: p.stages.map((s) => ({ ...s, createdAt: STAMP, updatedAt: STAMP, writePermissions: 'CRUD_ALL' })),
  };
}
function ownerJson(o: StandinOwner) {
  return { ...o, type: 'PERSON', archived: false, createdAt: STAMP, updatedAt: STAMP, teams: [] };
}
function propertyJson(p: StandinProperty) {
  return {
    description: '', options: [], displayOrder: -1, calculated: false, externalOptions: false, hasUniqueValue: false,
    hidden: false, formField: true, createdAt: STAMP, updatedAt: STAMP,
    modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: READ_ONLY.has(p.name) },
    ...p,
  };
}
