// The domain's ports: CRM-neutral shapes and one interface per role. Connectors implement them; nothing
// outside connectors/<system>/ may know a vendor's payloads: HubSpot (first), Salesforce (next) normalise to these.
import type { HandoffDocument, IntroPlan, ResolvedPerson, WorkPlan } from './types.js';
import type { LoggedEmail } from './email-thread.js';

/** A property bag as the CRM stores it: string values, null when empty. Names are the CRM's internal names. */
export type PropertyBag = Record<string, string | null>;

export interface CrmStage {
  pipelineId: string;
  pipelineLabel: string;
  stageId: string;
  stageLabel: string;
  isClosed: boolean;
  /** Closed with probability 1.0: the CRM's own notion of "won", never a hard-coded stage id. */
  isWon: boolean;
}

export interface CrmPipeline {
  id: string;
  label: string;
  stages: CrmStage[];
}

export interface CrmPerson {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  properties: PropertyBag;
}

export interface CrmCompany {
  id: string;
  name: string | null;
  domain: string | null;
  properties: PropertyBag;
}

/**
 * One line of what was sold (HubSpot line item; Salesforce OpportunityLineItem plugs into the same shape). Mappings
 * list them in the document and generate tasks per matching line item.
 */
export interface CrmLineItem {
  id: string;
  name: string;
  sku: string | null;
  productId: string | null;
  quantity: number;
  unitPrice: number | null;
  /** The line's total as the CRM computed it (after discounts). */
  amount: number | null;
  /** Recurring billing: how often (the CRM's value, e.g. `monthly`), null when one-off. */
  billingFrequency: string | null;
  /** How long it recurs, ISO 8601 period (`P12M`); null when one-off or unknown. */
  term: string | null;
  properties: PropertyBag;
  /** The product it was made from, with the product's own properties; null for a custom line item. */
  product: { id: string; properties: PropertyBag } | null;
}

/** Everything a mapping may read about one deal, read fresh from the CRM (or from a payload snapshot in dry-run). */
export interface CrmDeal {
  crm: string;
  /** The CRM account (HubSpot portal id). */
  accountId: string;
  id: string;
  properties: PropertyBag;
  pipelineId: string | null;
  stageId: string | null;
  /** Deal page in the CRM UI, when known. */
  url: string | null;
  /**
   * How the CRM shows the deal's enumeration values, by property: `dealtype: "New Business"` for the stored
   * `newbusiness`. Documents print these; conditions keep comparing the stored values.
   */
  labels?: Record<string, string>;
  archived: boolean;
  company: CrmCompany | null;
  /** Associated contacts; the first is the primary contact. */
  contacts: CrmPerson[];
  owner: CrmPerson | null;
  /** What was sold, in the CRM's order; absent when not read (no loaded mapping refers to line items). */
  lineItems?: CrmLineItem[];
}

export type CrmEventKind =
  | 'deal.created'
  | 'deal.property_changed'
  | 'deal.deleted'
  | 'deal.merged'
  | 'deal.restored'
  | 'deal.association_changed'
  /** A payload that carried the deal's current properties (HubSpot workflow "Send a webhook"). */
  | 'deal.snapshot'
  /** Produced by reconciliation, not by a webhook: the deal was found in a trigger stage. */
  | 'deal.reconciled';

/** One inbound CRM notification, normalised. Thin: workers re-read the deal before acting. */
export interface CrmEvent {
  /** Composite dedupe key (the vendor's event id alone is not guaranteed unique). */
  identity: string;
  crm: string;
  accountId: string;
  kind: CrmEventKind;
  dealId: string;
  /** ms since epoch, from the CRM. Delivery order is not guaranteed; this is. */
  occurredAt: number;
  property?: { name: string; value: string | null };
  /** deal.merged: the ids that no longer exist. */
  mergedDealIds?: string[];
  /** Where the change came from, for loop prevention (Baton's own writes). */
  source?: { changeSource?: string; sourceId?: string; appId?: string };
  /** Deal properties carried in the payload itself (workflow webhooks), used when the CRM cannot be read. */
  snapshot?: {
    properties: PropertyBag;
    pipelineId: string | null;
    stageId: string | null;
    ownerId: string | null;
    contactIds: string[];
    companyIds: string[];
  };
}

export interface CrmReconcileHit {
  dealId: string;
  stageId: string;
  /** ms since epoch when the deal entered its current stage. */
  enteredStageAt: number;
}

/** Which properties to read (the union of what the loaded mappings reference); defaults are the connector's. */
export interface DealReadRequest {
  dealProperties?: string[];
  companyProperties?: string[];
  contactProperties?: string[];
  /** Read the deal's line items (and their products) with these extra properties; absent: line items are not read. */
  lineItems?: { properties?: string[]; productProperties?: string[] };
}

/** The CRM role. HubSpot implements it first. */
export interface CrmConnector {
  readonly crm: string;
  /** 'live' when credentials are configured; 'dry-run' otherwise (reads fall back to payload snapshots). */
  readonly mode: 'live' | 'dry-run';
  /** Read a deal with company, contacts and owner. null when the CRM says it does not exist (404/archived). */
  getDeal(dealId: string, want?: DealReadRequest): Promise<CrmDeal | null>;
  /** All deal pipelines with stages (cached by the implementation). */
  listPipelines(): Promise<CrmPipeline[]>;
  /** Deals that entered one of the given stages at or after `sinceMs` (reconciliation of lost webhooks). */
  searchDealsEnteredStages(stageIds: string[], sinceMs: number): AsyncIterable<CrmReconcileHit>;
  /** The emails logged on the deal and these contacts (the email intro looks for the rep's thread); absent: none known. */
  listLoggedEmails?(dealId: string, contactIds: string[]): Promise<LoggedEmail[]>;
}

// ---- Roles that act on a handoff (Jira/Asana, Slack, CRM write-back). ----

export type ConnectorMode = 'live' | 'dry-run';

/**
 * What earlier attempts of this step already achieved, and a way to record each external object the
 * moment it exists. A crash then loses at most one call's result, and the connector's marker search
 * (Jira label, Slack metadata, HubSpot note marker) finds that one.
 */
export interface StepProgress {
  /** True when no earlier attempt of this step ever called out: marker searches can be skipped. */
  firstAttempt?: boolean;
  /** When an earlier attempt first sent its create request (ISO): a marker search need look no further back. */
  attemptedAt?: string;
  /** Called just before the request that creates the object goes out: from then on it may exist. */
  attempting?(): Promise<void>;
  saved: Record<string, unknown>;
  /**
   * Merges `ids` into the saved progress. `beforeCall` marks a write-ahead record (a create about to be sent,
   * connectors/jira/ambiguous-create.ts) rather than an object that exists.
   */
  save(ids: Record<string, unknown>, opts?: { beforeCall?: boolean }): Promise<void>;
}

export interface CreateWorkRequest {
  handoffId: string;
  mapping: string;
  /** Stable per (handoff, step): the marker a retry looks for before creating anything. */
  idempotencyKey: string;
  plan: WorkPlan;
  document: HandoffDocument;
  people: Record<string, ResolvedPerson>;
  progress: StepProgress;
}

export interface CreatedWork {
  parent: { id: string; key: string | null; url: string | null };
  tasks: Record<string, { id: string; key: string | null; url: string | null; assignee: string | null }>;
  /** Things the team should know that did not fail the step (e.g. "no Jira user for x@y: left unassigned"). */
  notes: string[];
}

/**
 * How far a task is, in the tool's own terms: Jira's status category, Asana's completed flag. `deleted`: the
 * tool said the task is gone (a 404 on reading it, a delete event); Baton stops watching it.
 */
export type TaskCategory = 'todo' | 'in_progress' | 'done' | 'unknown' | 'deleted';

/** A task Baton created, as the watcher refers to it. */
export interface TaskRef {
  /** The planned task id (mapping). */
  taskId: string;
  /** Jira issue id / Asana task gid. */
  externalId: string;
  /** Jira issue key; null for Asana. */
  key: string | null;
}

export interface TaskState {
  taskId: string;
  externalId: string;
  /** False when the tool no longer has the task (deleted, or no permission). */
  found: boolean;
  /** The tool said the task does not exist (404): deleted, not merely hidden from Baton's account. */
  deleted: boolean;
  /** When the tool last changed the task (Jira `updated`, Asana `modified_at`), ISO-8601 UTC; null when unknown. */
  updatedAt: string | null;
  statusName: string | null;
  category: TaskCategory;
  /** Email when the tool shows it, else the display name. */
  assignee: string | null;
  /** YYYY-MM-DD as the tool holds it. */
  dueDate: string | null;
  url: string | null;
}

export interface WorkToolConnector {
  readonly tool: 'jira' | 'asana';
  readonly mode: ConnectorMode;
  createWork(req: CreateWorkRequest): Promise<CreatedWork>;
  /** Live status of tasks Baton created (watching, issue #4). Absent or dry-run: nothing is known live. */
  readTasks?(refs: TaskRef[], ctx: { mapping: string }): Promise<TaskState[]>;
}

export interface PostIntroRequest {
  handoffId: string;
  mapping: string;
  idempotencyKey: string;
  intro: IntroPlan & { channel: string };
  document: HandoffDocument;
  people: Record<string, ResolvedPerson>;
  progress: StepProgress;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  /** The client thread this message belongs to (its own ts when it started the thread). */
  threadTs: string;
}

export interface DirectMessageRequest {
  /** Stable per message: the marker a retry looks for before sending again. */
  idempotencyKey: string;
  handoffId: string;
  email: string;
  /** mrkdwn, untrusted parts already escaped. */
  text: string;
  /** Block Kit blocks (text stays the notification fallback). */
  blocks?: unknown[];
  /** The post's claim record (jobs/chat-post-claims.ts): what earlier attempts did, saved as it happens. */
  progress: StepProgress;
}

/** A marked message in a channel (escalations, client-thread updates): idempotent on the key. */
export interface ChannelMessageRequest {
  handoffId: string;
  idempotencyKey: string;
  channel: string;
  threadTs?: string | null;
  /** mrkdwn, untrusted parts already escaped. */
  text: string;
  blocks?: unknown[];
  metadataType: string;
  metadata: Record<string, string | number | boolean>;
  /** The post's claim record (jobs/chat-post-claims.ts): what earlier attempts did, saved as it happens. */
  progress: StepProgress;
}

export interface ChatConnector {
  readonly tool: 'slack';
  readonly mode: ConnectorMode;
  postIntro(req: PostIntroRequest): Promise<PostedMessage>;
  /** A DM to a person found by email; `skipped` when the chat tool has no such person. */
  sendDirectMessage(req: DirectMessageRequest): Promise<{ channel: string; ts: string } | { skipped: string }>;
  /** Watching (issue #4): escalations and client-thread updates. */
  postMessage?(req: ChannelMessageRequest): Promise<PostedMessage>;
  /** The chat tool's user id for an email (to mention people); null when unknown. */
  lookupUserId?(email: string): Promise<string | null>;
  /** Opens a modal (Slack views.open) for an interaction's trigger id. */
  openView?(triggerId: string, view: Record<string, unknown>): Promise<void>;
}

/**
 * Where the client hears from Baton: the intro, and milestone updates in the same thread. The Slack chat
 * connector is one today (a Slack Connect channel); the client's email thread is the next.
 */
export interface ClientChannel {
  /** The intro plan's `tool` this channel serves (e.g. slack). */
  readonly tool: string;
  readonly mode: ConnectorMode;
  postIntro(req: PostIntroRequest): Promise<PostedMessage>;
  /** A marked update in the client's thread; idempotent on the key. */
  postMessage?(req: ChannelMessageRequest): Promise<PostedMessage>;
}

export interface WriteBackRequest {
  handoffId: string;
  mapping: string;
  idempotencyKey: string;
  dealId: string;
  /** CRM-neutral status fields; the connector maps them to its property names. */
  status: string;
  workUrl: string | null;
  kickoffDue: string | null;
  handoffUrl: string;
  clientThreadTs: string | null;
  /** Plain-text timeline note (the connector formats it for its CRM). */
  note: string;
  progress: StepProgress;
}

/** A delivery milestone reached (watching, issue #4): the status and its date on the deal. */
export interface MilestoneWriteRequest {
  handoffId: string;
  idempotencyKey: string;
  dealId: string;
  milestone: 'kickoff' | 'first_deliverable';
  /** CRM-neutral status (e.g. kickoff_done). */
  status: string;
  /** YYYY-MM-DD the milestone was reached. */
  date: string;
}

export interface NoteRequest {
  handoffId: string;
  idempotencyKey: string;
  dealId: string;
  /** Plain text. */
  note: string;
}

export interface CrmWriter {
  readonly crm: string;
  readonly mode: ConnectorMode;
  writeBack(req: WriteBackRequest): Promise<{ noteId: string | null }>;
  /** Watching: kickoff done / first deliverable done on the deal. */
  writeMilestone?(req: MilestoneWriteRequest): Promise<void>;
  /** Watching: one more note on the deal (feedback); idempotent on the key. */
  addNote?(req: NoteRequest): Promise<{ noteId: string | null }>;
}

/** Where dry-run connectors record what they would have sent. Idempotent on the key. */
export interface DryRunSink {
  record(r: { handoffId: string; connector: string; action: string; idempotencyKey: string; payload: unknown }): Promise<{ created: boolean; id: number }>;
}
