// The CrmConnector for HubSpot (CRM v3 through @hubspot/api-client 13). All I/O, no business rules: it reads
// deals, pipelines and reconciliation hits and turns every failure into RetryableError / PermanentError.
import type pino from 'pino';
import type { CircuitBreaker } from '../common/circuit-breaker.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import type {
  CrmCompany,
  CrmConnector,
  CrmDeal,
  CrmLineItem,
  CrmPerson,
  CrmPipeline,
  CrmReconcileHit,
  CrmStage,
  DealReadRequest,
  PropertyBag,
} from '../../src/handoff/ports.js';
import { HUBSPOT_DEFAULT_PIPELINE } from './default-pipeline.js';
import { createHubSpotSdk, type HubSpotSdk } from './hubspot-sdk.js';
import { readLoggedEmails } from './logged-emails.js';
import type { LoggedEmail } from '../../src/handoff/email-thread.js';
import { scopeOf } from './required-scopes.js';

export { HUBSPOT_DEFAULT_PIPELINE };

export interface HubSpotCrmOptions {
  /** Private-app or OAuth token (HUBSPOT_ACCESS_TOKEN). Absent → dry-run. */
  accessToken?: string;
  /** HUBSPOT_API_BASE_URL, e.g. https://api.hubapi.com (or a local stand-in in tests). */
  basePath: string;
  /** The HubSpot account id; used for deal URLs and CrmDeal.accountId. */
  portalId?: string;
  logger?: pino.Logger;
  /** How long listPipelines() answers from memory. Default 5 minutes. */
  pipelineCacheMs?: number;
  /** The shared HubSpot limiter (the writer takes slots on the same key); unlimited when absent. */
  limiter?: RateLimiter;
  requestsPerSecond?: number;
  /** Deadline of each call (RetryableError after it); none when absent. */
  timeoutMs?: number;
  /** Shared circuit breaker (connectors/common/circuit-breaker.ts); none when absent. */
  breaker?: CircuitBreaker;
}

/** Always read, whatever the mappings ask for: routing and the document need them. */
export const DEFAULT_DEAL_PROPERTIES = [
  'dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'hubspot_owner_id', 'dealtype', 'description',
  'createdate', 'hs_lastmodifieddate', 'deal_currency_code',
];
export const DEFAULT_COMPANY_PROPERTIES = ['name', 'domain', 'website', 'industry', 'phone', 'city', 'country'];
export const DEFAULT_CONTACT_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'jobtitle', 'company'];
/** Line item properties always read when line items are (HubSpot line items API: name, SKU, quantity, price, term). */
export const DEFAULT_LINE_ITEM_PROPERTIES = [
  'name', 'hs_sku', 'hs_product_id', 'quantity', 'price', 'amount', 'recurringbillingfrequency', 'hs_recurring_billing_period',
  'hs_position_on_quote', 'description',
];
export const DEFAULT_PRODUCT_PROPERTIES = ['name', 'hs_sku', 'description', 'price'];

/** The deal property that says when a deal entered its current stage (used by reconciliation). */
export const ENTERED_STAGE_PROPERTY = 'hs_v2_date_entered_current_stage';
export const SEARCH_PAGE_SIZE = 200;
export const BATCH_READ_LIMIT = 100;


export function createHubSpotCrm(opts: HubSpotCrmOptions): CrmConnector {
  return opts.accessToken ? new LiveHubSpotCrm({ ...opts, accessToken: opts.accessToken }) : new DryRunHubSpotCrm();
}

class DryRunHubSpotCrm implements CrmConnector {
  readonly crm = 'hubspot';
  readonly mode = 'dry-run' as const;
  async getDeal(): Promise<CrmDeal | null> {
    return null; // the route job falls back to the payload snapshot
  }
  async listPipelines(): Promise<CrmPipeline[]> {
    return [HUBSPOT_DEFAULT_PIPELINE];
  }
  async *searchDealsEnteredStages(): AsyncIterable<CrmReconcileHit> {
    // nothing to reconcile without credentials
  }
}

interface SdkObject {
  id: string;
  properties: Record<string, string | null | undefined>;
  archived?: boolean;
  updatedAt?: Date;
  associations?: Record<string, { results?: Array<{ id: string; type: string }> }>;
}

class LiveHubSpotCrm implements CrmConnector {
  readonly crm = 'hubspot';
  readonly mode = 'live' as const;
  /** SDK client, per-call options (error-body capture), limiter, deadline and classification: see hubspot-sdk.ts. */
  private readonly sdk: HubSpotSdk;
  private readonly cacheMs: number;
  private pipelines: { value: CrmPipeline[]; expiresAt: number } | undefined;
  private pipelinesInFlight: Promise<CrmPipeline[]> | undefined;

  constructor(private readonly opts: HubSpotCrmOptions & { accessToken: string }) {
    this.cacheMs = opts.pipelineCacheMs ?? 5 * 60 * 1000;
    this.sdk = createHubSpotSdk(opts);
  }

  async getDeal(dealId: string, want: DealReadRequest = {}): Promise<CrmDeal | null> {
    const op = `getDeal(${dealId})`;
    const found = await this.sdk.sendOr404(op, scopeOf('GET', '/crm/v3/objects/deals/{dealId}'), (call) =>
      this.sdk.client.crm.deals.basicApi.getById(
        dealId,
        union(DEFAULT_DEAL_PROPERTIES, want.dealProperties),
        undefined,
        want.lineItems ? ['contacts', 'companies', 'line_items'] : ['contacts', 'companies'],
        false,
        undefined,
        call,
      ),
    );
    if (found === undefined) return null;
    const deal = found as SdkObject;

    const companyIds = orderedAssociationIds(deal, 'companies', isPrimaryCompanyAssociation);
    const contactIds = orderedAssociationIds(deal, 'contacts', () => false);
    const ownerId = deal.properties.hubspot_owner_id ?? null;
    const [companies, contacts, owner, options, lineItems] = await Promise.all([
      this.batchRead('companies', companyIds, union(DEFAULT_COMPANY_PROPERTIES, want.companyProperties), op),
      this.batchRead('contacts', contactIds, union(DEFAULT_CONTACT_PROPERTIES, want.contactProperties), op),
      this.readOwner(ownerId, op),
      this.readOptionLabels(op),
      want.lineItems ? this.readLineItems(orderedAssociationIds(deal, 'line_items', () => false), want.lineItems, op) : undefined,
    ]);

    const properties = toBag(deal.properties);
    const primary = companyIds.map((id) => companies.get(id)).find((c) => c !== undefined);
    return {
      crm: 'hubspot',
      accountId: this.opts.portalId ?? '',
      id: deal.id,
      properties,
      pipelineId: properties.pipeline ?? null,
      stageId: properties.dealstage ?? null,
      url: this.opts.portalId ? `https://app.hubspot.com/contacts/${this.opts.portalId}/record/0-3/${deal.id}` : null,
      labels: optionLabelsOf(properties, options),
      archived: deal.archived ?? false,
      company: primary ? toCompany(primary) : null,
      contacts: contactIds.flatMap((id) => {
        const c = contacts.get(id);
        return c ? [toContact(c)] : [];
      }),
      owner,
      ...(lineItems ? { lineItems } : {}),
    };
  }

  listPipelines(): Promise<CrmPipeline[]> {
    if (this.pipelines && this.pipelines.expiresAt > Date.now()) return Promise.resolve(this.pipelines.value);
    // Concurrent callers share one request; a failure is not cached.
    this.pipelinesInFlight ??= this.fetchPipelines().finally(() => {
      this.pipelinesInFlight = undefined;
    });
    return this.pipelinesInFlight;
  }

  async *searchDealsEnteredStages(stageIds: string[], sinceMs: number): AsyncIterable<CrmReconcileHit> {
    if (stageIds.length === 0) return;
    let after: string | undefined;
    do {
      const request = {
        filterGroups: [
          {
            filters: [
              { propertyName: 'dealstage', operator: 'IN', values: stageIds },
              { propertyName: ENTERED_STAGE_PROPERTY, operator: 'GTE', value: String(sinceMs) },
            ],
          },
        ],
        // The SDK types sorts as string[]; HubSpot documents (and the SDK passes through) sort objects.
        sorts: [{ propertyName: ENTERED_STAGE_PROPERTY, direction: 'ASCENDING' }] as unknown as string[],
        properties: ['dealstage', ENTERED_STAGE_PROPERTY, 'hs_lastmodifieddate'],
        limit: SEARCH_PAGE_SIZE,
        ...(after !== undefined ? { after } : {}),
      };
      const page = (await this.sdk.send(
        `searchDealsEnteredStages(${stageIds.join(',')})`,
        scopeOf('POST', '/crm/v3/objects/deals/search'),
        (call) => this.sdk.client.crm.deals.searchApi.doSearch(request as never, call),
        { search: true },
      )) as { results: SdkObject[]; paging?: { next?: { after: string } } };
      for (const d of page.results) {
        const stageId = d.properties.dealstage;
        if (!stageId) continue;
        const enteredStageAt =
          parseHubSpotTime(d.properties[ENTERED_STAGE_PROPERTY]) ??
          parseHubSpotTime(d.properties.hs_lastmodifieddate) ??
          d.updatedAt?.getTime() ??
          sinceMs;
        yield { dealId: d.id, stageId, enteredStageAt };
      }
      after = page.paging?.next?.after;
    } while (after !== undefined);
  }

  listLoggedEmails(dealId: string, contactIds: string[]): Promise<LoggedEmail[]> {
    return readLoggedEmails(this.sdk, dealId, contactIds);
  }

  // -------------------------------------------------------------------------------------------------------------

  private async fetchPipelines(): Promise<CrmPipeline[]> {
    const res: { results: Array<{ id: string; label: string; archived?: boolean; displayOrder?: number; stages: StageLike[] }> } =
      await this.sdk.send('listPipelines', scopeOf('GET', '/crm/v3/pipelines/deals'), (call) =>
        this.sdk.client.crm.pipelines.pipelinesApi.getAll('deals', call),
      );
    const value = res.results
      .filter((p) => p.archived !== true)
      .sort(byDisplayOrder)
      .map((p) => ({
        id: p.id,
        label: p.label,
        stages: p.stages
          .filter((s) => s.archived !== true)
          .sort(byDisplayOrder)
          .map((s) => toStage(p.id, p.label, s)),
      }));
    this.pipelines = { value, expiresAt: Date.now() + this.cacheMs };
    return value;
  }

  /** The deal's line items with their products, in the order the deal shows them. */
  private async readLineItems(ids: string[], want: NonNullable<DealReadRequest['lineItems']>, op: string): Promise<CrmLineItem[]> {
    const items = await this.batchRead('line_items', ids, union(DEFAULT_LINE_ITEM_PROPERTIES, want.properties), op);
    const productIds = [...new Set([...items.values()].map((i) => i.properties.hs_product_id).filter((id): id is string => !!id))];
    const products = await this.batchRead('products', productIds, union(DEFAULT_PRODUCT_PROPERTIES, want.productProperties), op);
    return ids
      .flatMap((id) => {
        const item = items.get(id);
        return item ? [toLineItem(item, products)] : [];
      })
      .sort((a, b) => position(a) - position(b));
  }

  private async batchRead(
    object: 'companies' | 'contacts' | 'line_items' | 'products',
    ids: string[],
    properties: string[],
    op: string,
  ): Promise<Map<string, SdkObject>> {
    const out = new Map<string, SdkObject>();
    const crm = this.sdk.client.crm;
    const api = object === 'line_items' ? crm.lineItems.batchApi : crm[object].batchApi;
    for (let i = 0; i < ids.length; i += BATCH_READ_LIMIT) {
      const inputs = ids.slice(i, i + BATCH_READ_LIMIT).map((id) => ({ id }));
      const res = await this.sdk.send(`${op} ${object}`, scopeOf('POST', `/crm/v3/objects/${object}/batch/read`), (call) =>
        api.read({ inputs, properties, propertiesWithHistory: [] }, false, call),
      );
      for (const r of res.results as SdkObject[]) out.set(r.id, r);
    }
    return out;
  }

  // The option labels of the portal's enumeration deal properties, cached like pipelines. Labels only dress
  // the document: when they cannot be read the deal is still read, with its stored values (logged).
  private options: { at: number; value: Promise<OptionLabels> } | undefined;

  private readOptionLabels(op: string): Promise<OptionLabels> {
    if (this.options && Date.now() - this.options.at < this.cacheMs) return this.options.value;
    const value = this.sdk.send(`${op} property labels`, scopeOf('GET', '/crm/v3/properties/deals'), (call) =>
      this.sdk.client.crm.properties.coreApi.getAll('deals', false, undefined, call),
    ).then((res) => {
      const out: OptionLabels = new Map();
      for (const p of res.results) if (p.options?.length) out.set(p.name, new Map(p.options.map((o) => [o.value, o.label])));
      return out;
    });
    const entry = { at: Date.now(), value };
    this.options = entry;
    return value.catch((e: unknown) => {
      if (this.options === entry) this.options = undefined; // failures are not cached
      this.opts.logger?.warn({ err: e instanceof Error ? e.message : String(e) }, 'HubSpot deal property labels unreadable; the document shows stored values');
      return new Map();
    });
  }

  // Owners are a handful of sales reps read for every deal: cached like pipelines (shared in-flight reads too).
  private readonly owners = new Map<string, { at: number; value: Promise<CrmPerson | null> }>();

  private readOwner(ownerId: string | null, op: string): Promise<CrmPerson | null> {
    if (ownerId === null || !/^\d+$/.test(ownerId)) return Promise.resolve(null);
    const hit = this.owners.get(ownerId);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.value;
    const value = this.fetchOwner(ownerId, op);
    this.owners.set(ownerId, { at: Date.now(), value });
    value.catch(() => this.owners.delete(ownerId)); // failures are not cached
    return value;
  }

  private async fetchOwner(ownerId: string, op: string): Promise<CrmPerson | null> {
    const o = await this.sdk.sendOr404(`${op} owner`, scopeOf('GET', '/crm/v3/owners/{ownerId}'), (call) =>
      this.sdk.client.crm.owners.ownersApi.getById(Number(ownerId), 'id', false, call),
    );
    // A deactivated owner is gone from the active list: the deal simply has no readable owner.
    if (o === undefined) {
      this.opts.logger?.warn({ ownerId }, 'HubSpot owner not found; reading deal without owner');
      return null;
    }
    const properties: PropertyBag = {
      email: o.email ?? null,
      firstName: o.firstName ?? null,
      lastName: o.lastName ?? null,
      userId: o.userId === undefined ? null : String(o.userId),
      type: o.type ?? null,
    };
    return { id: o.id, email: o.email ?? null, firstName: o.firstName ?? null, lastName: o.lastName ?? null, properties };
  }
}

// ---------------------------------------------------------------------------------------------------------------

type OptionLabels = Map<string, Map<string, string>>;

/** Labels of the deal's enumeration values; a multi-select value ("a;b") reads as "A, B". */
function optionLabelsOf(properties: PropertyBag, options: OptionLabels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) {
    const labels = options.get(name);
    if (!labels || !value) continue;
    out[name] = value.split(';').map((v) => labels.get(v) ?? v).join(', ');
  }
  return out;
}

interface StageLike {
  id: string;
  label: string;
  archived?: boolean;
  displayOrder?: number;
  metadata?: Record<string, string>;
}

function toStage(pipelineId: string, pipelineLabel: string, s: StageLike): CrmStage {
  // Won/lost come from metadata, never from stage ids: custom pipelines use numeric ids.
  const isClosed = s.metadata?.isClosed === 'true';
  const probability = Number(s.metadata?.probability);
  return { pipelineId, pipelineLabel, stageId: s.id, stageLabel: s.label, isClosed, isWon: isClosed && probability === 1 };
}

const byDisplayOrder = (a: { displayOrder?: number }, b: { displayOrder?: number }) =>
  (a.displayOrder ?? 0) - (b.displayOrder ?? 0);

// v3 getById lists the primary company as "deal_to_company" (plus an "_unlabeled" twin of every association).
function isPrimaryCompanyAssociation(type: string): boolean {
  return type === 'deal_to_company' || type.includes('primary');
}

/** Distinct associated ids in HubSpot's order, with those `isPreferred` marks moved to the front. */
function orderedAssociationIds(deal: SdkObject, key: string, isPreferred: (type: string) => boolean): string[] {
  const results = deal.associations?.[key]?.results ?? [];
  const preferred: string[] = [];
  const rest: string[] = [];
  const seen = new Set<string>();
  for (const pass of [true, false]) {
    for (const r of results) {
      if (seen.has(r.id) || (pass && !isPreferred(r.type))) continue;
      seen.add(r.id);
      (pass ? preferred : rest).push(r.id);
    }
  }
  return [...preferred, ...rest];
}

const numberOr = (v: string | null | undefined, fallback: number | null): number | null => {
  const n = v === null || v === undefined || v.trim() === '' ? NaN : Number(v);
  return Number.isFinite(n) ? n : fallback;
};
// Line items keep the order the rep gave them (hs_position_on_quote); the rest follow in HubSpot's order.
const position = (i: CrmLineItem): number => numberOr(i.properties.hs_position_on_quote, Number.MAX_SAFE_INTEGER)!;

function toLineItem(item: SdkObject, products: Map<string, SdkObject>): CrmLineItem {
  const properties = toBag(item.properties);
  const productId = properties.hs_product_id || null;
  const product = productId ? products.get(productId) : undefined;
  return {
    id: item.id,
    name: properties.name ?? '',
    sku: properties.hs_sku || (product?.properties.hs_sku ?? null) || null,
    productId,
    quantity: numberOr(properties.quantity, 1)!,
    unitPrice: numberOr(properties.price, null),
    amount: numberOr(properties.amount, null),
    billingFrequency: properties.recurringbillingfrequency || null,
    term: properties.hs_recurring_billing_period || null,
    properties,
    product: product ? { id: product.id, properties: toBag(product.properties) } : null,
  };
}

function toBag(props: SdkObject['properties']): PropertyBag {
  const bag: PropertyBag = {};
  for (const [k, v] of Object.entries(props)) bag[k] = v ?? null;
  return bag;
}

function toCompany(c: SdkObject): CrmCompany {
  const properties = toBag(c.properties);
  return { id: c.id, name: properties.name ?? null, domain: properties.domain ?? null, properties };
}

function toContact(c: SdkObject): CrmPerson {
  const properties = toBag(c.properties);
  return {
    id: c.id,
    email: properties.email ?? null,
    firstName: properties.firstname ?? null,
    lastName: properties.lastname ?? null,
    properties,
  };
}

function union(base: string[], extra: string[] | undefined): string[] {
  return extra && extra.length > 0 ? [...new Set([...base, ...extra])] : base;
}

/** HubSpot datetime property values: ISO 8601 in v3 responses, epoch ms in some older payloads. */
export function parseHubSpotTime(v: string | null | undefined): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}
