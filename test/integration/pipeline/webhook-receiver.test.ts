// The acknowledged path's answers: 401 / 400 / 413 / 503 / 2xx, and the API's guard.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startBaton, stageChange, waitFor, PUBLIC_URL, TEST_API_TOKEN, TEST_SECRET, type Harness } from '../../helpers/baton-harness.js';
import { signHubSpotRequest } from '../../../connectors/hubspot/sign-request.js';
import { countInbox } from '../../../src/store/inbox-repo.js';
import { freePort } from '../../helpers/free-port.js';

describe('POST /webhooks/hubspot answers', () => {
  let b: Harness;
  beforeAll(async () => {
    b = await startBaton({ env: { BATON_WEBHOOK_MAX_BYTES: '65536' } });
  });
  afterAll(async () => {
    await b.close();
  });

  it('401 for a bad signature, a wrong secret, a stale or future timestamp, and no signature', async () => {
    const batch = [stageChange(1001, 'closedwon')];
    const bad = await b.post(batch, { headers: { 'x-hubspot-signature-v3': 'bm90IGEgc2lnbmF0dXJl' } });
    expect(bad.status).toBe(401);
    expect((await b.post(batch, { secret: 'someone-else' })).status).toBe(401);
    const stale = await b.post(batch, { timestampMs: Date.now() - 6 * 60_000 });
    expect(stale).toMatchObject({ status: 401, body: { error: expect.stringContaining('stale') } });
    expect((await b.post(batch, { timestampMs: Date.now() + 6 * 60_000 })).status).toBe(401);
    const none = await fetch(`${b.url}/webhooks/hubspot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    expect(none.status).toBe(401);
    expect(await countInbox(b.rt.store)).toBe(0);
  });

  it('refuses a year-old v1-signed body replayed without its v3 headers, saying why in the 401 and the log (v3 only by default)', async () => {
    const { status, body } = await replayYearOldCapture(b, { stripV3: false });
    expect({ status, body }).toEqual({ status: 401, body: { error: 'invalid signature: stale timestamp' } });
    const stripped = await replayYearOldCapture(b, { stripV3: true });
    expect(stripped).toMatchObject({ status: 401, body: { error: 'invalid signature: v1 signature rejected: only v3 accepted (HUBSPOT_SIGNATURE_VERSIONS)' } });
    const line = b.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'hubspot webhook rejected: v1 signature rejected: only v3 accepted (HUBSPOT_SIGNATURE_VERSIONS)');
    expect(line).toMatchObject({ level: 40, reason: 'v1 signature rejected: only v3 accepted (HUBSPOT_SIGNATURE_VERSIONS)' });
    expect(b.logs.join('\n')).not.toContain(TEST_SECRET);
    expect(b.logs.join('\n')).not.toContain(stripped.signature);
    // A v2-signed workflow webhook is refused the same way until the operator enables v2.
    expect((await b.post([stageChange(1, 'appointmentscheduled', { eventId: 12 })], { version: 'v2' })).body.error).toBe(
      'invalid signature: v2 signature rejected: only v3 accepted (HUBSPOT_SIGNATURE_VERSIONS)',
    );
    expect(await countInbox(b.rt.store)).toBe(0);
    // v3 still works.
    expect((await b.post([stageChange(1, 'appointmentscheduled', { eventId: 13 })])).status).toBe(200);
  });

  it('400 with a reason for malformed JSON and for the wrong shape', async () => {
    const malformed = await b.post(null, { raw: '[{"eventId": 1,' });
    expect(malformed).toMatchObject({ status: 400, body: { error: expect.stringContaining('JSON') } });
    const shape = await b.post([{ eventId: 'x', subscriptionType: 'deal.creation' }]);
    expect(shape.status).toBe(400);
    expect(shape.body.error).toMatch(/event\[0\]/);
    const tooMany = await b.post(Array.from({ length: 101 }, (_, i) => stageChange(1, 'closedwon', { eventId: i })));
    expect(tooMany.status).toBe(400);
  });

  it('413 for a body over the limit', async () => {
    const big = [{ ...stageChange(1, 'closedwon'), propertyValue: 'x'.repeat(70_000) }];
    const res = await b.post(big);
    expect(res.status).toBe(413);
  });

  it('/healthz and /readyz', async () => {
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${b.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, redis: true, store: true, mappings: { valid: 1, rejected: [] } });
  });

  it('/api requires the bearer token', async () => {
    expect((await fetch(`${b.url}/api/handoffs`)).status).toBe(401);
    expect((await fetch(`${b.url}/api/handoffs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${b.url}/api/handoffs`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${b.url}/api/handoffs/nope`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).status).toBe(404);
  });
});

/** A v1+v3-signed batch as HubSpot sent it a year ago, replayed now, optionally with the v3 headers stripped. */
async function replayYearOldCapture(b: Harness, o: { stripV3: boolean }) {
  const yearAgo = Date.now() - 365 * 86_400_000;
  const raw = JSON.stringify([stageChange(4242, 'closedwon', { eventId: 990_001, occurredAt: yearAgo })]);
  const sign = (version: 'v1' | 'v3') =>
    signHubSpotRequest({ version, method: 'POST', url: `${PUBLIC_URL}/webhooks/hubspot`, body: raw, clientSecret: TEST_SECRET, timestampMs: yearAgo });
  const captured = { ...sign('v1'), ...sign('v3') };
  const headers: Record<string, string> = { 'content-type': 'application/json', ...captured };
  if (o.stripV3) {
    delete headers['x-hubspot-signature-v3'];
    delete headers['x-hubspot-request-timestamp'];
  }
  const res = await fetch(`${b.url}/webhooks/hubspot`, { method: 'POST', headers, body: raw });
  return { status: res.status, body: (await res.json()) as unknown, signature: captured['x-hubspot-signature']! };
}

describe('POST /webhooks/hubspot with HUBSPOT_SIGNATURE_VERSIONS=v3,v2,v1 (timestamp-less versions enabled by the operator)', () => {
  it('accepts v1 and v2 signatures, the stripped year-old capture included, and still judges v3 by its window', async () => {
    const b = await startBaton({ env: { HUBSPOT_SIGNATURE_VERSIONS: 'v3,v2,v1' }, workers: false });
    try {
      expect((await b.post([stageChange(1, 'appointmentscheduled', { eventId: 11 })], { version: 'v1' })).status).toBe(200);
      expect((await b.post([stageChange(1, 'appointmentscheduled', { eventId: 12 })], { version: 'v2' })).status).toBe(200);
      expect((await replayYearOldCapture(b, { stripV3: true })).status).toBe(200);
      expect((await replayYearOldCapture(b, { stripV3: false })).body).toEqual({ error: 'invalid signature: stale timestamp' });
      expect((await b.post([stageChange(1, 'appointmentscheduled', { eventId: 13 })])).status).toBe(200);
    } finally {
      await b.close();
    }
  });
});

describe('/api with no BATON_API_TOKEN', () => {
  it('refuses everyone', async () => {
    const b = await startBaton({ env: { BATON_API_TOKEN: '' }, workers: false });
    try {
      const res = await fetch(`${b.url}/api/handoffs`, { headers: { authorization: 'Bearer ' } });
      expect(res.status).toBe(401);
    } finally {
      await b.close();
    }
  });
});

// Persistence as the production guide asks (AOF, fsync always here), so a restart keeps acknowledged work.
function startRedis(port: number, dir: string): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
}

describe('503 while Redis is down, and nothing acknowledged is lost', () => {
  it('answers 503 while Redis is stopped, 200 again after, and processes every acknowledged event', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'baton-redis-'));
    let redis = startRedis(port, dir);
    const url = `redis://127.0.0.1:${port}`;
    await waitFor(async () => {
      const { Redis } = await import('ioredis');
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    }, 'private redis up');
    const b = await startBaton({ env: { REDIS_URL: url } });
    try {
      expect((await b.post([stageChange(1001, 'closedwon', { eventId: 501 })])).status).toBe(200);
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      const during = await b.post([stageChange(1002, 'closedwon', { eventId: 502 })]);
      expect(during.status).toBe(503);
      redis = startRedis(port, dir);
      // HubSpot retries the batch that got 503.
      const after = await waitFor(async () => {
        const r = await b.post([stageChange(1002, 'closedwon', { eventId: 502 })]);
        return r.status === 200 && r;
      }, 'webhook accepted again', 20_000);
      expect(after.status).toBe(200);
      await waitFor(async () => {
        const page = await b.api('/api/handoffs');
        const deals = page.items.map((h: { dealId: string }) => h.dealId);
        return deals.includes('1001') && deals.includes('1002') && page;
      }, 'handoffs from the batch acknowledged before the outage and the retried one', 30_000);
    } finally {
      await b.close();
      redis.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('503 while the database is down', () => {
  it('refuses webhooks while PostgreSQL is unreachable and reports it on /readyz', async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
    await admin.connect();
    const dbName = `baton_down_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${dbName}`);
    const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
    base.pathname = `/${dbName}`;
    const b = await startBaton({ env: { DATABASE_URL: base.toString() } });
    try {
      expect((await b.post([stageChange(1001, 'closedwon', { eventId: 601 })])).status).toBe(200);
      // The database disappears from under Baton (connections terminated).
      await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
      await b.rt.health.check();
      const res = await b.post([stageChange(1002, 'closedwon', { eventId: 602 })]);
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/store/);
      const ready = await fetch(`${b.url}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      await b.close().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  });
});
