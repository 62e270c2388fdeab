// The HubSpot stand-in behaves as documented, and Baton's HubSpot connectors (reader, writer, setup, preflight)
// work against it end to end through the real SDK.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';
import { BATON_PROPERTIES } from '../../connectors/hubspot/baton-properties.js';
import { createHubSpotCrm, ENTERED_STAGE_PROPERTY } from '../../connectors/hubspot/hubspot-crm.js';
import { hubspotPreflight } from '../../connectors/hubspot/hubspot-preflight.js';
import { setupHubSpotProperties } from '../../connectors/hubspot/hubspot-setup.js';
import { createHubSpotWriter } from '../../connectors/hubspot/hubspot-writer.js';
import { verifyHubSpotSignature } from '../../connectors/hubspot/verify-signature.js';
import { createRedisRateLimiter, unlimited, type RateLimiter } from '../../connectors/common/rate-limiter.js';
import type { WriteBackRequest } from '../../src/handoff/ports.js';
import { startHubSpotStandin, type HubSpotStandin } from './hubspot-standin.js';

let standin: HubSpotStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function start(opts: Parameters<typeof startHubSpotStandin>[0] = {}) {
  standin = await startHubSpotStandin(opts);
  return standin;
}

const writerFor = (s: HubSpotStandin) =>
  createHubSpotWriter({ accessToken: s.accessToken, basePath: s.url, limiter: unlimited, requestsPerSecond: 100, timeoutMs: 5_000 });

function writeBackRequest(dealId: string, handoffId: string, saved: Record<string, unknown> = {}): WriteBackRequest {
  return {
    handoffId,
    mapping: 'services-onboarding',
    idempotencyKey: `${handoffId}:write-back`,
    dealId,
    status: 'in_delivery',
    workUrl: 'https://acme.atlassian.net/browse/DEL-7',
    kickoffDue: '2025-09-03',
    handoffUrl: `https://baton.example/handoffs/${handoffId}`,
    clientThreadTs: null,
    note: 'Baton handoff: <ACME> & co\nOwners: project lead',
    progress: { saved, save: async (ids) => void Object.assign(saved, ids) },
  };
}

describe('HubSpot stand-in', () => {
  it('write-back end to end: properties stored (date as a day), one note associated, a retry creates nothing new', async () => {
    const s = await start();
    s.addDeal({ id: '123', properties: { dealname: 'ACME', dealstage: 'closedwon' } });

    const w = writerFor(s);
    const first = await w.writeBack(writeBackRequest('123', 'h-1'));
    expect(s.state.notes.size).toBe(1);
    const note = s.state.notes.get(first.noteId ?? '');
    expect(note?.dealIds).toEqual(['123']);
    expect(note?.properties.hs_note_body).toBe('<p>Baton handoff: &lt;ACME&gt; &amp; co<br>Owners: project lead</p><p>Baton ref h-1</p>');
    const deal = s.state.deals.get('123');
    expect(deal?.properties).toMatchObject({
      baton_status: 'in_delivery',
      baton_kickoff_due: '2025-09-03',
      baton_work_url: 'https://acme.atlassian.net/browse/DEL-7',
      baton_note_id: first.noteId,
      dealstage: 'closedwon',
    });

    // a crash lost everything the step recorded: the retry still finds the note (by baton_note_id and its marker)
    const again = await w.writeBack(writeBackRequest('123', 'h-1'));
    expect(again.noteId).toBe(first.noteId);
    expect(s.state.notes.size).toBe(1);
    expect(s.state.patches).toHaveLength(2);
    expect(s.state.requests['POST /crm/v3/objects/notes']).toBe(1);
    expect(s.state.requests['POST /crm/v3/objects/{objectType}/batch/read']).toBe(1);
  });

  it('setup on a bare portal, then preflight passes; preflight before setup says to run it', async () => {
    const s = await start({ batonProperties: false });
    const o = { accessToken: s.accessToken, basePath: s.url, timeoutMs: 5_000 };
    const req = { mapping: 'services-onboarding', dealProperties: ['dealname', 'baton_scope'], pipeline: 'default', stages: ['won', 'contractsent'] };
    const before = await hubspotPreflight(o, req);
    expect(before.map((p) => p.fix)).toEqual(['run `baton hubspot setup` to create the Baton handoff properties', 'run `baton hubspot setup` to create the Baton handoff properties']);

    const r1 = await setupHubSpotProperties(o);
    expect(r1.created).toHaveLength(BATON_PROPERTIES.length + 1);
    const r2 = await setupHubSpotProperties(o);
    expect(r2.created).toEqual([]);
    expect(s.state.requests['POST /crm/v3/properties/deals']).toBe(BATON_PROPERTIES.length);
    expect(await hubspotPreflight(o, req)).toEqual([]);

    // a write-back before setup is a permanent error naming the property
    const s2 = await startHubSpotStandin({ batonProperties: false });
    try {
      s2.addDeal({ id: '5' });
      const e = await writerFor(s2).writeBack(writeBackRequest('5', 'h-5')).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(PermanentError);
      expect((e as PermanentError).field).toBe('baton_status');
      expect((e as Error).message).toContain('Run `baton hubspot setup`');
    } finally {
      await s2.close();
    }
  });

  it('the reader reads deals with company, contacts and owner, and reconciles through paged search', async () => {
    const s = await start();
    s.addCompany('901', { name: 'ACME', domain: 'acme.example' });
    s.addContact('11', { email: 'fay@acme.example', firstname: 'Fay', lastname: 'First' });
    s.addOwner({ id: '77001', userId: 555, email: 'rep@seller.example', firstName: 'Riley', lastName: 'Rep' });
    s.addDeal({ id: '123', properties: { dealname: 'ACME', dealstage: 'contractsent', hubspot_owner_id: '77001', baton_scope: 'Impl' }, companyIds: ['901'], contactIds: ['11'] });
    const since = Date.now() - 1;
    for (let i = 0; i < 250; i++) s.addDeal({ id: String(2000 + i), properties: { dealname: `D${i}`, dealstage: 'appointmentscheduled' } });
    for (let i = 0; i < 210; i++) s.moveDealToStage(String(2000 + i), 'closedwon', since + 10 + i);

    const crm = createHubSpotCrm({ accessToken: s.accessToken, basePath: s.url, portalId: String(s.portalId) });
    const deal = await crm.getDeal('123', { dealProperties: ['baton_scope'] });
    expect(deal).toMatchObject({
      id: '123', stageId: 'contractsent', company: { id: '901', name: 'ACME' }, owner: { email: 'rep@seller.example' },
      contacts: [expect.objectContaining({ email: 'fay@acme.example' })],
    });
    expect(deal?.properties.baton_scope).toBe('Impl');
    expect(await crm.getDeal('999')).toBeNull();

    const pipelines = await crm.listPipelines();
    expect(pipelines[0]?.stages.find((x) => x.isWon)?.stageId).toBe('closedwon');

    const hits: string[] = [];
    for await (const h of crm.searchDealsEnteredStages(['closedwon'], since)) hits.push(h.dealId);
    expect(hits).toHaveLength(210);
    expect(hits[0]).toBe('2000');
    expect(hits[209]).toBe('2209');
    expect(s.state.requests['POST /crm/v3/objects/deals/search']).toBe(2);
    expect(s.state.deals.get('2000')?.properties[ENTERED_STAGE_PROPERTY]).toBe(new Date(since + 10).toISOString());
  });

  it('requires the Bearer token: 401 in HubSpot\'s format → PermanentError', async () => {
    const s = await start();
    s.addDeal({ id: '1' });
    const res = await fetch(`${s.url}/crm/v3/objects/deals/1`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    const w = createHubSpotWriter({ accessToken: 'pat-wrong', basePath: s.url, limiter: unlimited, requestsPerSecond: 10, timeoutMs: 5_000 });
    const e = await w.writeBack(writeBackRequest('1', 'h')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as Error).message).not.toContain('pat-wrong');
  });

  it('enforces TEN_SECONDLY_ROLLING: ratePerSecond × 10 per 10 s, then 429 with policyName and Retry-After; the writer turns it into RetryableError', async () => {
    const s = await start({ ratePerSecond: 1 });
    s.addDeal({ id: '1' });
    const auth = { authorization: `Bearer ${s.accessToken}` };
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await fetch(`${s.url}/crm/v3/objects/deals/1`, { headers: auth })).status);
    expect(statuses).toEqual(Array(10).fill(200));
    const limited = await fetch(`${s.url}/crm/v3/objects/deals/1`, { headers: auth });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 10).toBe(true);
    expect(await limited.json()).toMatchObject({ policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' });

    const e = await writerFor(s).writeBack(writeBackRequest('1', 'h')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(retryAfter * 1000);
    expect(s.state.count429).toBe(2);
    expect(s.state.notes.size).toBe(0);
  });

  it('rejects what HubSpot rejects: unknown properties, bad enum values, dates not at midnight, read-only properties', async () => {
    const s = await start();
    s.addDeal({ id: '1' });
    const patch = (properties: Record<string, string>) =>
      fetch(`${s.url}/crm/v3/objects/deals/1`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${s.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { message?: string; category?: string } }));
    expect((await patch({ baton_statuss: 'x' })).body.message).toContain('PROPERTY_DOESNT_EXIST');
    expect((await patch({ baton_status: 'done' })).body.message).toContain('INVALID_OPTION');
    expect((await patch({ baton_kickoff_due: String(Date.UTC(2025, 0, 2, 5)) })).body.message).toContain('INVALID_DATE');
    expect((await patch({ hs_object_id: '5' })).status).toBe(400);
    expect((await patch({ baton_kickoff_due: String(Date.UTC(2025, 0, 2)) })).status).toBe(200);
    expect(s.state.deals.get('1')?.properties.baton_kickoff_due).toBe('2025-01-02');
  });

  it('sendWebhook signs like HubSpot: Baton\'s verifier accepts it (v3)', async () => {
    const s = await start();
    const event = s.moveDealToStage(s.addDeal({ properties: { dealstage: 'contractsent' } }).id, 'closedwon');
    const received: Array<{ ok: boolean; body: string }> = [];
    const target = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}${req.url}`;
        const check = verifyHubSpotSignature({ method: 'POST', url, rawBody, headers: req.headers, clientSecret: 'shh-secret', nowMs: Date.now() });
        received.push({ ok: check.ok && check.version === 'v3', body: rawBody.toString() });
        res.writeHead(check.ok ? 204 : 401).end();
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/webhooks/hubspot`;
      expect((await s.sendWebhook(url, [event], 'shh-secret')).status).toBe(204);
      expect((await s.sendWebhook(url, [event], 'other-secret')).status).toBe(401);
      expect(received[0]).toEqual({ ok: true, body: JSON.stringify([event]) });
      expect(event).toMatchObject({ subscriptionType: 'deal.propertyChange', propertyName: 'dealstage', propertyValue: 'closedwon', portalId: s.portalId });
    } finally {
      target.close();
    }
  });

  it('two writers sharing the Redis limiter drain under the TEN_SECONDLY limit: no 429, one note per handoff', async () => {
    const s = await start({ ratePerSecond: 2 }); // 20 requests per rolling 10 s
    const prefix = `hsw${randomBytes(4).toString('hex')}`;
    const conns = [new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'), new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379')];
    try {
      const writers = conns.map((c) =>
        createHubSpotWriter({ accessToken: s.accessToken, basePath: s.url, limiter: createRedisRateLimiter(c, prefix), requestsPerSecond: 1.8, timeoutMs: 5_000 }),
      );
      for (let i = 0; i < 8; i++) s.addDeal({ id: String(300 + i) });
      const started = Date.now();
      // each "worker" handles 4 handoffs one after another: 24 requests, more than one 10 s window allows
      await Promise.all(writers.map(async (w, k) => {
        for (let i = 0; i < 4; i++) await w.writeBack(writeBackRequest(String(300 + k * 4 + i), `h-${k}-${i}`));
      }));
      expect(Date.now() - started).toBeGreaterThan(11_000);
      expect(s.state.count429).toBe(0);
      expect(s.state.notes.size).toBe(8);
      expect(s.state.patches).toHaveLength(8);
    } finally {
      conns.forEach((c) => c.disconnect());
    }
  }, 30_000);

  it('the reader takes slots on the same limiter key as the writer, and search also on its own', async () => {
    const s = await start();
    s.addDeal({ id: '1', properties: { dealstage: 'closedwon' } });
    const taken: string[] = [];
    const limiter: RateLimiter = { take: async (key) => (taken.push(key), 0) };
    const crm = createHubSpotCrm({ accessToken: s.accessToken, basePath: s.url, limiter, requestsPerSecond: 5, timeoutMs: 5_000 });
    await crm.getDeal('1');
    for await (const _ of crm.searchDealsEnteredStages(['closedwon'], 0)) void _;
    // getDeal: the deal, then its property option labels (cached after); search: both keys.
    expect(taken).toEqual(['hubspot', 'hubspot', 'hubspot', 'hubspot:search']);
  });
});
