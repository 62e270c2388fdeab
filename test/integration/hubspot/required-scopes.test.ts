// The scopes Baton asks an admin to grant are derived from the calls its HubSpot connector makes
// (connectors/hubspot/required-scopes.ts). The live connector runs a whole day — `baton hubspot setup`, the
// preflight, a deal read, reconciliation, the write-back (and its retry), a milestone, a feedback note — and a
// whole-process handoff, against the stand-in with a token granted exactly those scopes. The stand-in enforces
// HubSpot's own scope per path (403 MISSING_SCOPES) and answers only the paths it knows. Every call must succeed
// and be listed in the table; every scope in the table must be needed (a token without it is refused somewhere).
import { afterEach, describe, expect, it } from 'vitest';
import { unlimited } from '../../../connectors/common/rate-limiter.js';
import { createHubSpotCrm } from '../../../connectors/hubspot/hubspot-crm.js';
import { hubspotPreflight } from '../../../connectors/hubspot/hubspot-preflight.js';
import { setupHubSpotProperties } from '../../../connectors/hubspot/hubspot-setup.js';
import { createHubSpotWriter } from '../../../connectors/hubspot/hubspot-writer.js';
import { HUBSPOT_CALLS, WEBHOOK_SCOPE, callFor, optionalScopes, requiredScopes } from '../../../connectors/hubspot/required-scopes.js';
import type { WriteBackRequest } from '../../../src/handoff/ports.js';
import { startHubSpotStandin, type HubSpotStandin } from '../../standins/hubspot-standin.js';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../../helpers/baton-harness.js';
import { startWorld } from '../../helpers/standin-world.js';
import { ownAddressEnv } from '../../helpers/free-port.js';

let standin: HubSpotStandin | undefined;
let world: Awaited<ReturnType<typeof startWorld>> | undefined;
let baton: Harness | undefined;
afterEach(async () => {
  await baton?.close();
  await world?.close();
  await standin?.close();
  standin = world = baton = undefined;
});

function writeBack(dealId: string, handoffId: string, firstAttempt: boolean): WriteBackRequest {
  const saved: Record<string, unknown> = {};
  return {
    handoffId, mapping: 'services-onboarding', idempotencyKey: `${handoffId}:write-back`, dealId, status: 'in_delivery',
    workUrl: 'https://acme.atlassian.net/browse/DEL-1', kickoffDue: '2026-12-14', handoffUrl: `https://baton.example/handoffs/${handoffId}`,
    clientThreadTs: null, note: 'Baton handoff: ACME', progress: { saved, firstAttempt, save: async (ids) => void Object.assign(saved, ids) },
  };
}

/** Everything Baton does with HubSpot in a day, through the live connectors. Failures are collected, not thrown. */
async function aDayOfBaton(s: HubSpotStandin): Promise<unknown[]> {
  const failures: unknown[] = [];
  const step = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      failures.push(e);
    }
  };
  const opts = { accessToken: s.accessToken, basePath: s.url, timeoutMs: 5_000 };
  s.addCompany('901', { name: 'ACME', domain: 'acme.example' });
  s.addContact('11', { email: 'fay@acme.example', firstname: 'Fay', lastname: 'First' });
  s.addOwner({ id: '77001', userId: 555, email: 'rep@seller.example', firstName: 'Riley', lastName: 'Rep' });
  s.addDeal({ id: '123', properties: { dealname: 'ACME', dealstage: 'contractsent', hubspot_owner_id: '77001' }, companyIds: ['901'], contactIds: ['11'] });

  // Day one: setup on an empty portal, then again after someone removed a baton_status option (setup adds it back).
  await step(() => setupHubSpotProperties(opts));
  s.state.properties.get('baton_status')?.options?.pop();
  await step(() => setupHubSpotProperties(opts));
  await step(async () => {
    const problems = await hubspotPreflight(opts, { mapping: 'm', dealProperties: ['dealname', 'baton_scope'], pipeline: 'default', stages: ['won'] });
    if (problems.length > 0) throw new Error(problems.map((p) => p.problem).join('\n'));
  });

  // The deal closes: read it, reconcile, write back (and once more as a retry that must find the note), a milestone, feedback.
  const since = Date.now() - 1;
  s.moveDealToStage('123', 'closedwon');
  const crm = createHubSpotCrm({ ...opts, portalId: String(s.portalId) });
  await step(() => crm.listPipelines());
  await step(() => crm.getDeal('123', { dealProperties: ['baton_scope'] }));
  await step(async () => {
    for await (const _hit of crm.searchDealsEnteredStages(['closedwon'], since)) void _hit;
  });
  const writer = createHubSpotWriter({ ...opts, limiter: unlimited, requestsPerSecond: 100 });
  const milestone = writer.writeMilestone?.bind(writer);
  const addNote = writer.addNote?.bind(writer);
  if (!milestone || !addNote) throw new Error('the live HubSpot writer writes milestones and notes');
  await step(() => writer.writeBack(writeBack('123', 'h-1', true)));
  await step(() => addNote({ handoffId: 'h-1', dealId: '123', note: 'Delivery feedback: 5/5', idempotencyKey: 'h-1:feedback' }));
  // A retry of the write-back finds its note again; the deal now has more notes than one embedded page (v4 API).
  await step(() => writer.writeBack(writeBack('123', 'h-1', false)));
  await step(() => milestone({ handoffId: 'h-1', idempotencyKey: 'h-1:kickoff', dealId: '123', status: 'kickoff_done', milestone: 'kickoff', date: '2026-12-15' }));
  // A mapping with the email intro reads the rep's logged emails with the client (optional scope sales-email-read).
  s.addEmail({ dealIds: ['123'], contactIds: ['11'], properties: { hs_timestamp: '2026-11-02T09:00:00Z', hs_email_subject: 'Proposal' } });
  await step(() => crm.listLoggedEmails!('123', ['11']));
  // A mapping that uses line_items reads what was sold, with the products (optional scopes line_items/products read).
  s.addProduct('7001', { name: 'Implementation', hs_sku: 'IMPL' });
  s.addLineItem('123', { hs_product_id: '7001', quantity: '1' });
  await step(() => crm.getDeal('123', { lineItems: {} }));
  return failures;
}

const listed = (c: { method: string; path: string }) => callFor(c.method, c.path) !== undefined;

describe('HubSpot scopes derived from the calls', () => {
  it('a token with exactly the required scopes runs the whole day: every call succeeds and is listed; every scope is used', async () => {
    standin = await startHubSpotStandin({ batonProperties: false, scopes: [...requiredScopes(), ...optionalScopes()], embeddedAssociationLimit: 1 });
    const failures = await aDayOfBaton(standin);
    expect(failures).toEqual([]);
    const calls = standin.state.calls;
    expect(calls.filter((c) => c.status >= 400 && c.status !== 404)).toEqual([]); // 404s are setup's "not there yet" reads
    expect(calls.filter((c) => !listed(c)), 'calls missing from connectors/hubspot/required-scopes.ts').toEqual([]);

    const usedScopes = new Set(calls.map((c) => callFor(c.method, c.path)?.scope).filter((s): s is string => typeof s === 'string'));
    usedScopes.add(WEBHOOK_SCOPE);
    expect([...usedScopes].sort(), 'a scope in the table that no call needs').toEqual([...requiredScopes(), ...optionalScopes()].sort());
    // Only the OAuth token endpoint stays unexercised (the stand-in's token is a private-app token).
    const unexercised = HUBSPOT_CALLS.filter((t) => !calls.some((c) => callFor(c.method, c.path) === t)).map((t) => `${t.method} ${t.path}`);
    expect(unexercised).toEqual(['GET /oauth/v1/access-tokens/{token}']);
    // The write-back retry found its note: one note per purpose, no duplicate.
    expect(standin.state.notes.size).toBe(2);
  });

  it.each([...requiredScopes(), ...optionalScopes()])('without %s some call Baton makes is refused with 403 MISSING_SCOPES', async (scope) => {
    standin = await startHubSpotStandin({ batonProperties: false, scopes: [...requiredScopes(), ...optionalScopes()].filter((s) => s !== scope), embeddedAssociationLimit: 1 });
    const failures = await aDayOfBaton(standin);
    expect(standin.state.calls.some((c) => c.status === 403)).toBe(true);
    expect(failures.map((e) => (e as Error).message).join('\n')).toContain(scope);
  });

  it('validate --live names each missing scope once, with the feature that needs it and the fix', async () => {
    standin = await startHubSpotStandin({ scopes: requiredScopes().filter((s) => s !== 'crm.objects.contacts.write' && s !== 'crm.objects.owners.read') });
    const problems = await hubspotPreflight(
      { accessToken: standin.accessToken, basePath: standin.url, timeoutMs: 5_000 },
      { mapping: 'services-onboarding', dealProperties: ['dealname'], pipeline: 'default', stages: ['won'] },
    );
    expect(problems).toEqual([
      {
        problem: 'mapping services-onboarding: the HubSpot token lacks the scope crm.objects.contacts.write, needed for the timeline note on the deal (handoff summary, delivery feedback)',
        fix: expect.stringMatching(/^add crm\.objects\.contacts\.write to the app's scopes — project app: `baton hubspot app` writes it .*then set HUBSPOT_ACCESS_TOKEN/),
      },
      {
        problem: "mapping services-onboarding: the HubSpot token lacks the scope crm.objects.owners.read, needed for reading the deal's company, contacts and owner for the document",
        fix: expect.stringContaining('add crm.objects.owners.read'),
      },
    ]);
    // With every scope granted the check is silent.
    standin.state.grants.set(standin.accessToken, new Set(requiredScopes()));
    expect(await hubspotPreflight(
      { accessToken: standin.accessToken, basePath: standin.url, timeoutMs: 5_000 },
      { mapping: 'services-onboarding', dealProperties: ['dealname'], pipeline: 'default', stages: ['won'] },
    )).toEqual([]);
  });

  it('a whole-process handoff with exactly the required scopes is done, and every HubSpot call it made is listed', async () => {
    world = await startWorld({ deals: 1 });
    world.hubspot.state.grants.set(world.hubspot.accessToken, new Set(requiredScopes()));
    baton = await startBaton({ env: { ...world.env, ...(await ownAddressEnv()) } });
    const event = world.hubspot.moveDealToStage(world.dealIds[0] as string, 'closedwon');
    expect((await world.hubspot.sendWebhook(`${baton.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);
    const b = baton;
    await waitFor(async () => (await b.api('/api/handoffs')).items[0]?.status === 'done', 'handoff done', 20_000);
    const calls = world.hubspot.state.calls;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.status >= 400)).toEqual([]);
    expect(calls.filter((c) => !listed(c))).toEqual([]);
  });
});
