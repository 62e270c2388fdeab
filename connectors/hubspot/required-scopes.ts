// Every HubSpot API call Baton makes, in one place, with the scope each needs and the Baton feature behind it.
// The scopes an admin grants (the generated project app's requiredScopes, `validate --live`'s token check, the
// docs) are derived from this table, never listed by hand; test/integration/hubspot/required-scopes.test.ts runs
// the live connector against the stand-in with a token granted exactly these scopes and checks that every call
// it makes is listed here and that every scope here is needed.
//
// Paths are the numbered (v3/v4) paths @hubspot/api-client 13 calls. Scopes from HubSpot's API reference
// ("This API requires one of the following scopes"; the one listed is the narrowest that fits Baton's use):
//   objects (deals/companies/contacts): crm.objects.<object>.read / .write
//   notes (activities): crm.objects.contacts.read / crm.objects.contacts.write — notes are engagements, which
//     HubSpot scopes under contacts (docs: api-reference/latest/crm/activities/notes/guide)
//   owners: crm.objects.owners.read; pipelines: crm.objects.deals.read (for objectType deals)
//   properties and property groups: crm.schemas.deals.read / .write
//   token introspection (POST /oauth/v2/private-apps/get/access-token-info): no scope
// Webhook subscriptions to deal events need crm.objects.deals.read too (webhooks guide, "Scopes").

export type HubSpotFeature =
  | 'deal-read'
  | 'related-records'
  | 'pipelines'
  | 'write-back'
  | 'notes'
  | 'reconciliation'
  | 'setup'
  | 'preflight'
  | 'webhooks'
  | 'email-intro'
  | 'line-items';

/** Features only some mappings use: their scopes are optional (the app asks for them; Baton works without them). */
export const OPTIONAL_FEATURES: ReadonlySet<HubSpotFeature> = new Set(['email-intro', 'line-items']);

/** What each feature is, in the words an admin reads in `validate --live` and the docs. */
export const HUBSPOT_FEATURES: Record<HubSpotFeature, string> = {
  'deal-read': 'reading the closed deal (routing, the handoff document)',
  'related-records': "reading the deal's company, contacts and owner for the document",
  pipelines: 'reading deal pipelines and stages (triggers), and property labels for the document',
  'write-back': "writing Baton's status properties back on the deal",
  notes: 'the timeline note on the deal (handoff summary, delivery feedback)',
  reconciliation: 'the reconciliation sweep that finds deals whose webhook was missed',
  setup: '`baton hubspot setup` (creates the "Baton handoff" deal properties)',
  preflight: '`baton validate --live`',
  webhooks: 'deal webhooks (creation, stage and property changes, deletion, merge, restore)',
  'line-items': "reading what was sold (the deal's line items and their products) for mappings that use `line_items`",
  'email-intro': "the email intro (`thread.tool: email`): reading the rep's logged emails with the client to reply in their thread",
};

export interface HubSpotCall {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path template relative to HUBSPOT_API_BASE_URL; `{name}` is one path segment. */
  path: string;
  /** The scope the call needs; null for calls HubSpot does not scope (token introspection). */
  scope: string | null;
  feature: HubSpotFeature;
  /** Where Baton makes the call (for the reader of this table). */
  usedBy: string;
}

export const HUBSPOT_CALLS: readonly HubSpotCall[] = [
  { method: 'GET', path: '/crm/v3/objects/deals/{dealId}', scope: 'crm.objects.deals.read', feature: 'deal-read', usedBy: 'hubspot-crm getDeal; hubspot-writer note lookup on a retry' },
  { method: 'POST', path: '/crm/v3/objects/companies/batch/read', scope: 'crm.objects.companies.read', feature: 'related-records', usedBy: 'hubspot-crm getDeal' },
  { method: 'POST', path: '/crm/v3/objects/contacts/batch/read', scope: 'crm.objects.contacts.read', feature: 'related-records', usedBy: 'hubspot-crm getDeal' },
  { method: 'GET', path: '/crm/v3/owners/{ownerId}', scope: 'crm.objects.owners.read', feature: 'related-records', usedBy: 'hubspot-crm getDeal' },
  { method: 'GET', path: '/crm/v3/pipelines/deals', scope: 'crm.objects.deals.read', feature: 'pipelines', usedBy: 'hubspot-crm listPipelines; hubspot-preflight' },
  { method: 'GET', path: '/crm/v3/properties/deals', scope: 'crm.schemas.deals.read', feature: 'pipelines', usedBy: 'hubspot-crm option labels; hubspot-preflight' },
  { method: 'POST', path: '/crm/v3/objects/deals/search', scope: 'crm.objects.deals.read', feature: 'reconciliation', usedBy: 'hubspot-crm searchDealsEnteredStages' },
  { method: 'PATCH', path: '/crm/v3/objects/deals/{dealId}', scope: 'crm.objects.deals.write', feature: 'write-back', usedBy: 'hubspot-writer writeBack, writeMilestone' },
  { method: 'POST', path: '/crm/v3/objects/notes', scope: 'crm.objects.contacts.write', feature: 'notes', usedBy: 'hubspot-writer writeBack, addNote' },
  { method: 'POST', path: '/crm/v3/objects/notes/batch/read', scope: 'crm.objects.contacts.read', feature: 'notes', usedBy: 'hubspot-writer note lookup on a retry' },
  { method: 'GET', path: '/crm/v4/objects/deals/{dealId}/associations/notes', scope: 'crm.objects.deals.read', feature: 'notes', usedBy: 'hubspot-writer note lookup when the deal has more notes than one page' },
  { method: 'GET', path: '/crm/v3/properties/deals/groups/{groupName}', scope: 'crm.schemas.deals.read', feature: 'setup', usedBy: 'hubspot-setup' },
  { method: 'POST', path: '/crm/v3/properties/deals/groups', scope: 'crm.schemas.deals.write', feature: 'setup', usedBy: 'hubspot-setup' },
  { method: 'GET', path: '/crm/v3/properties/deals/{propertyName}', scope: 'crm.schemas.deals.read', feature: 'setup', usedBy: 'hubspot-setup' },
  { method: 'POST', path: '/crm/v3/properties/deals', scope: 'crm.schemas.deals.write', feature: 'setup', usedBy: 'hubspot-setup' },
  { method: 'PATCH', path: '/crm/v3/properties/deals/{propertyName}', scope: 'crm.schemas.deals.write', feature: 'setup', usedBy: 'hubspot-setup (adds baton_status options)' },
  { method: 'POST', path: '/crm/v3/objects/line_items/batch/read', scope: 'crm.objects.line_items.read', feature: 'line-items', usedBy: 'hubspot-crm getDeal (mappings that use line_items)' },
  { method: 'POST', path: '/crm/v3/objects/products/batch/read', scope: 'crm.objects.products.read', feature: 'line-items', usedBy: 'hubspot-crm getDeal (the line items\' products)' },
  { method: 'GET', path: '/crm/v4/objects/deals/{dealId}/associations/emails', scope: 'crm.objects.deals.read', feature: 'email-intro', usedBy: 'logged-emails readLoggedEmails' },
  { method: 'GET', path: '/crm/v4/objects/contacts/{contactId}/associations/emails', scope: 'crm.objects.contacts.read', feature: 'email-intro', usedBy: 'logged-emails readLoggedEmails' },
  // Without sales-email-read HubSpot redacts the email's details (changelog: "New scope required to get the content of email engagements").
  { method: 'POST', path: '/crm/v3/objects/emails/batch/read', scope: 'sales-email-read', feature: 'email-intro', usedBy: 'logged-emails readLoggedEmails' },
  { method: 'POST', path: '/oauth/v2/private-apps/get/access-token-info', scope: null, feature: 'preflight', usedBy: 'token-scopes (private-app / static tokens)' },
  { method: 'GET', path: '/oauth/v1/access-tokens/{token}', scope: null, feature: 'preflight', usedBy: 'token-scopes (OAuth tokens)' },
];

/** Deal webhook subscriptions (not API calls) need the deals read scope. */
export const WEBHOOK_SCOPE = 'crm.objects.deals.read';

/** The one call matching a concrete request (method + path without query), or undefined: an unlisted call. */
export function callFor(method: string, pathname: string): HubSpotCall | undefined {
  return HUBSPOT_CALLS.find((c) => c.method === method && templateRegex(c.path).test(pathname));
}

/** The scope of a listed call, for messages (a 403 names it when HubSpot's body does not). */
export function scopeOf(method: HubSpotCall['method'], path: string): string[] {
  const c = HUBSPOT_CALLS.find((x) => x.method === method && x.path === path);
  if (!c) throw new Error(`HubSpot call ${method} ${path} is not listed in connectors/hubspot/required-scopes.ts`);
  return c.scope === null ? [] : [c.scope];
}

/** Every scope Baton needs whatever the mappings say, sorted: what the app must grant. */
export function requiredScopes(): string[] {
  const all = new Set<string>([WEBHOOK_SCOPE]);
  for (const c of HUBSPOT_CALLS) if (c.scope !== null && !OPTIONAL_FEATURES.has(c.feature)) all.add(c.scope);
  return [...all].sort();
}

/** Scopes only optional features need (e.g. the email intro), sorted: the app's optionalScopes. */
export function optionalScopes(): string[] {
  const required = new Set(requiredScopes());
  return [...new Set(HUBSPOT_CALLS.filter((c) => c.scope !== null && OPTIONAL_FEATURES.has(c.feature) && !required.has(c.scope)).map((c) => c.scope as string))].sort();
}

/** The features that need a scope, in table order (for "missing scope X: needed for …" lines). */
export function featuresNeeding(scope: string): HubSpotFeature[] {
  const out = new Set<HubSpotFeature>();
  for (const c of HUBSPOT_CALLS) if (c.scope === scope) out.add(c.feature);
  if (scope === WEBHOOK_SCOPE) out.add('webhooks');
  return [...out];
}

function templateRegex(template: string): RegExp {
  const body = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+');
  return new RegExp(`^${body}/?$`);
}
