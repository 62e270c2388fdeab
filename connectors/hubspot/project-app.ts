// `baton hubspot app`: the HubSpot developer-platform project (platform version 2026.03) an admin uploads with
// `hs project upload` — a private app with static auth holding exactly the scopes Baton's calls need
// (required-scopes.ts), and a webhooks component sending Baton's deal events to <public-url>/webhooks/hubspot.
// Pure: returns the files; the command writes them.
//
// Format (looked up, not guessed):
//  - hsproject.json {name, srcDir, platformVersion}: HubSpot's 2026.03 templates
//    (github.com/HubSpot/hubspot-project-components, 2026.03/defaultFiles/hsproject.json);
//  - src/app/app-hsmeta.json {uid, type: "app", config: {name, description, distribution, auth: {type, requiredScopes,
//    optionalScopes, conditionallyRequiredScopes}, permittedUrls}}: HubSpot's 2026.03 static-private template
//    (2026.03/components/app/static-private) and the app configuration reference
//    (developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration). Static auth needs
//    distribution "private" and can only define required scopes (docs: "Scopes", app scope types);
//  - src/app/webhooks/webhooks-hsmeta.json {uid, type: "webhooks", config: {settings: {targetUrl,
//    maxConcurrentRequests}, subscriptions: {crmObjects, legacyCrmObjects, hubEvents}}}: the webhooks reference
//    (developers.hubspot.com/docs/apps/developer-platform/add-features/configure-webhooks) and the 2026.03 template.
//    Baton subscribes with the classic deal.* types (legacyCrmObjects): the shape its receiver's fixtures are.
import type { Mapping } from '../../src/mapping/schema.js';
import { requiredScopes } from './required-scopes.js';

export const PLATFORM_VERSION = '2026.03';
/** HubSpot's own static-app templates list `oauth` among the required scopes; it grants no CRM data. */
export const PLATFORM_SCOPES = ['oauth'];
export const WEBHOOK_PATH = '/webhooks/hubspot';

export interface HubSpotProjectOptions {
  /** BATON_PUBLIC_URL: where HubSpot reaches Baton (https). */
  publicUrl: string;
  /** The mappings whose trigger properties get property-change subscriptions. */
  mappings: Mapping[];
  /** Project name (hsproject.json). */
  name?: string;
}

/** Deal properties whose change can start a handoff: the stage, and every deal property a trigger condition reads. */
export function triggerProperties(mappings: Mapping[]): string[] {
  const out = new Set(['dealstage']);
  for (const m of mappings) {
    for (const c of m.trigger.when) {
      const [root, prop] = c.field.split('.', 2);
      if (root === 'deal' && prop && /^[A-Za-z0-9_]+$/.test(prop)) out.add(prop);
    }
  }
  return [...out];
}

/** The project's files, path relative to the project directory → JSON content. */
export function buildHubSpotProject(opts: HubSpotProjectOptions): Record<string, unknown> {
  const targetUrl = `${opts.publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  const legacyCrmObjects = [
    { subscriptionType: 'deal.creation', active: true },
    ...triggerProperties(opts.mappings).map((propertyName) => ({ subscriptionType: 'deal.propertyChange', propertyName, active: true })),
    { subscriptionType: 'deal.deletion', active: true },
    { subscriptionType: 'deal.merge', active: true },
    { subscriptionType: 'deal.restore', active: true },
    { subscriptionType: 'deal.associationChange', active: true },
  ];
  return {
    'hsproject.json': { name: opts.name ?? 'baton', srcDir: 'src', platformVersion: PLATFORM_VERSION },
    'src/app/app-hsmeta.json': {
      uid: 'baton_app',
      type: 'app',
      config: {
        name: 'Baton',
        description: 'Carries a won deal from HubSpot into delivery: reads the deal, writes the handoff status and a timeline note back, receives deal webhooks.',
        distribution: 'private',
        auth: {
          type: 'static',
          requiredScopes: [...PLATFORM_SCOPES, ...requiredScopes()],
          optionalScopes: [],
          conditionallyRequiredScopes: [],
        },
        permittedUrls: { fetch: [], iframe: [], img: [] },
      },
    },
    'src/app/webhooks/webhooks-hsmeta.json': {
      uid: 'baton_webhooks',
      type: 'webhooks',
      config: {
        settings: { targetUrl, maxConcurrentRequests: 10 },
        subscriptions: { crmObjects: [], legacyCrmObjects, hubEvents: [] },
      },
    },
  };
}
