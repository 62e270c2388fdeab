// Security headers on every route, and the failed-request limit on the public endpoints: a stranger
// probing with forged requests is cut off, while signed traffic, however much, never counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, stageChange, type Harness } from '../../helpers/baton-harness.js';

const LIMIT = 5;

describe('security middleware', () => {
  let b: Harness;
  beforeAll(async () => {
    b = await startBaton({ workers: false, env: { BATON_UNAUTH_FAILURES_PER_MINUTE: String(LIMIT), LOG_LEVEL: 'silent' } });
  });
  afterAll(async () => {
    await b.close();
  });

  it('sends helmet headers on JSON routes, HSTS without subdomains for an https public URL', async () => {
    const res = await fetch(`${b.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('strict-transport-security')).toBe('max-age=15552000'); // harness public URL is https
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('never limits signed webhooks, then answers 429 once an address made too many rejected requests', async () => {
    // Twice the limit of valid requests: all accepted, none counted.
    for (let i = 0; i < LIMIT * 2; i++) expect((await b.post([stageChange(9100 + i, 'appointmentscheduled', { eventId: 700 + i })])).status).toBe(200);

    const forged = () => b.post([stageChange(9200, 'closedwon')], { secret: 'not-the-secret' });
    for (let i = 0; i < LIMIT; i++) expect((await forged()).status).toBe(401);
    const limited = await forged();
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: expect.stringMatching(/too many rejected requests/) });

    // The same address is now limited on every public endpoint (/metrics too), and each 429 is counted.
    expect((await fetch(`${b.url}/api/handoffs`)).status).toBe(429);
    expect((await fetch(`${b.url}/metrics`)).status).toBe(429);
    const counted = (await b.rt.metrics.rateLimited.get()).values.map((v) => [v.labels.path, v.value]);
    expect(counted).toEqual(expect.arrayContaining([['/webhooks', 1], ['/api', 1], ['/metrics', 1]]));
    // Health checks stay open for load balancers.
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
  });
});
