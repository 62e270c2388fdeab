// The demo's signed HubSpot webhooks: deal 1001 closed won by a workflow (v2), deal 1002 in an app batch
// (v3) delivered three times, and one forged request. Shared by `npm run demo` and the dashboard's
// browser tests, so the pages are tested (and the README screenshot taken) on exactly what the demo shows.
import { signCrmRequest } from '../runtime/sign-crm-request.js';

/** The demo's workflow webhook is signed v2 (no timestamp): a Baton receiving it must accept v2 besides v3. */
export const DEMO_SIGNATURE_VERSIONS = 'v3,v2';

export interface DemoWebhookOptions {
  /** Where Baton listens. */
  base: string;
  /** Baton's public URL (BATON_PUBLIC_URL): the URL the signatures cover. */
  publicUrl: string;
  clientSecret: string;
  /** Told each request's label, status and answer. */
  report?: (label: string, status: number, body: string) => void;
}

export async function postDemoWebhooks(o: DemoWebhookOptions): Promise<void> {
  const url = `${o.publicUrl}/webhooks/hubspot`;
  const post = async (label: string, body: unknown, version: 'v2' | 'v3', tamper = false) => {
    const raw = JSON.stringify(body);
    const headers = signCrmRequest({ version, method: 'POST', url, body: raw, clientSecret: o.clientSecret, timestampMs: Date.now() });
    if (tamper) headers['x-hubspot-signature-v3'] = 'AAAA' + (headers['x-hubspot-signature-v3'] ?? '').slice(4);
    const res = await fetch(`${o.base}/webhooks/hubspot`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
    o.report?.(label, res.status, await res.text());
  };
  const now = Date.now();
  // 1) A workflow "Send a webhook" action for deal 1001 (signature v2).
  await post('workflow webhook, deal 1001 closed won (v2 signature)', {
    portalId: 62515,
    dealId: 1001,
    isDeleted: false,
    associations: { associatedVids: [7001], associatedCompanyIds: [9001] },
    properties: {
      dealname: { value: 'Analytics rollout', timestamp: now - 5000 },
      dealstage: { value: 'closedwon', timestamp: now - 5000 },
      pipeline: { value: 'default', timestamp: now - 86_400_000 },
    },
  }, 'v2');
  // 2) An app webhook batch: deal 1002 enters closed won, plus a contact event Baton ignores (v3).
  const batch = [
    { eventId: 4101, subscriptionId: 77, portalId: 62515, appId: 9090, occurredAt: now - 3000, subscriptionType: 'deal.propertyChange', attemptNumber: 0, objectId: 1002, propertyName: 'dealstage', propertyValue: 'closedwon', changeSource: 'CRM_UI' },
    { eventId: 4102, subscriptionId: 78, portalId: 62515, appId: 9090, occurredAt: now - 2500, subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 7002, changeFlag: 'CREATED' },
  ];
  await post('app webhook batch: deal 1002 closed won + a contact event (v3)', batch, 'v3');
  // 3) HubSpot redelivers the same batch twice (retries): deduped, still one handoff.
  await post('the same batch again (a HubSpot retry)', batch.map((e) => ({ ...e, attemptNumber: 1 })), 'v3');
  await post('and again', batch.map((e) => ({ ...e, attemptNumber: 2 })), 'v3');
  // 4) A forged request.
  await post('a forged request (bad signature)', batch, 'v3', true);
}
