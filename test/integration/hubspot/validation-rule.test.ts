// A write-back refused by one of the portal's validation rules (HubSpot enforces admin-configured conditional
// required properties on API writes from the 2026-09 API version) is a permanent error that quotes the rule and
// names the property — through the live writer and the real SDK, against the stand-in answering HubSpot's body.
import { afterEach, expect, it } from 'vitest';
import { unlimited } from '../../../connectors/common/rate-limiter.js';
import { createHubSpotWriter } from '../../../connectors/hubspot/hubspot-writer.js';
import { PermanentError } from '../../../src/handoff/errors.js';
import type { WriteBackRequest } from '../../../src/handoff/ports.js';
import { startHubSpotStandin, type HubSpotStandin } from '../../standins/hubspot-standin.js';

let standin: HubSpotStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

it('a conditional required property rule: permanent, quotes the rule, names the property, nothing half-written', async () => {
  standin = await startHubSpotStandin();
  standin.addDeal({ id: '42', properties: { dealname: 'ACME', dealstage: 'closedwon' } });
  standin.state.validationRules.push({ propertyName: 'baton_kickoff_due', basedOn: 'baton_status' });
  const writer = createHubSpotWriter({ accessToken: standin.accessToken, basePath: standin.url, limiter: unlimited, requestsPerSecond: 100, timeoutMs: 5_000 });
  const saved: Record<string, unknown> = {};
  const req: WriteBackRequest = {
    handoffId: 'h-42', mapping: 'services-onboarding', idempotencyKey: 'h-42:write-back', dealId: '42', status: 'in_delivery',
    workUrl: null, kickoffDue: null, handoffUrl: 'https://baton.example/handoffs/h-42', clientThreadTs: null, note: 'Baton handoff: ACME',
    progress: { saved, firstAttempt: true, save: async (ids) => void Object.assign(saved, ids) },
  };
  const e = await writer.writeBack(req).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(PermanentError);
  expect((e as PermanentError).field).toBe('baton_kickoff_due');
  expect((e as Error).message).toBe(
    'HubSpot writeBack(deal 42) properties: refused by a validation rule of the HubSpot portal (400 MISSING_CONDITIONAL_REQUIRED_PROPERTY): ' +
      '"baton_kickoff_due is required because of a conditional property rule based on [baton_status]" [property baton_kickoff_due]. ' +
      'Ask a HubSpot admin to give baton_kickoff_due a value on this deal or to change the rule (Settings → Properties → baton_kickoff_due, ' +
      'conditional logic; or Settings → Objects → Deals → Create Record), then retry the handoff',
  );
  expect(standin.state.deals.get('42')?.properties.baton_status).toBeUndefined();
});
