// The circuit breaker's state machine against the real Redis: two breaker instances on separate connections
// stand for two worker processes. Failures are the connectors' own classified errors, so the test also pins
// which answers count (5xx, timeouts) and which do not (429, permanent 4xx).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisCircuitBreaker, outcomeOf, type CircuitBreakerOptions, type CircuitState } from '../../../connectors/common/circuit-breaker.js';
import { createRedisRateLimiter } from '../../../connectors/common/rate-limiter.js';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import { classifyJiraError, classifyJiraFailure } from '../../../connectors/jira/classify-error.js';
import { classifyAsanaFailure } from '../../../connectors/asana/classify-error.js';
import { classifyFailure as classifyHubSpotFailure } from '../../../connectors/hubspot/classify-error.js';
import { classifySlackError } from '../../../connectors/slack/classify-error.js';
import { AxiosError } from 'axios';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const conns: Redis[] = [];
const conn = () => {
  const r = new Redis(url);
  conns.push(r);
  return r;
};
afterAll(() => conns.forEach((c) => c.disconnect()));

const ctx = { operation: 'create the parent issue in DEL' };
const serverError = () => classifyJiraFailure({ status: 503, body: { errorMessages: ['Service Unavailable'], errors: {} } }, ctx);
const timeout = () => classifyJiraError(new AxiosError('timeout of 1500ms exceeded', 'ECONNABORTED'), ctx);
const tooMany = () => classifyJiraFailure({ status: 429, headers: { 'retry-after': '5' }, body: { errorMessages: ['Rate limit exceeded.'] } }, ctx);
const badField = () => classifyJiraFailure({ status: 400, body: { errorMessages: [], errors: { customfield_10020: 'Field is required.' } } }, ctx);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(ok: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await sleep(5);
  }
}

/** Two "processes" sharing one circuit, and a log of the transitions each reported. */
function world(opts: Partial<CircuitBreakerOptions> = {}) {
  const prefix = `cb${randomBytes(4).toString('hex')}`;
  const seen: CircuitState[] = [];
  const observer = { onTransition: (_c: string, to: CircuitState) => seen.push(to) };
  const o: CircuitBreakerOptions = { failures: 3, openMs: 1_000, ...opts };
  return { a: createRedisCircuitBreaker(conn(), prefix, o, observer), b: createRedisCircuitBreaker(conn(), prefix, o, observer), seen, prefix };
}

/** Runs one request through `breaker` that ends with `result` (thrown when an Error); returns what run() did. */
async function attempt(breaker: ReturnType<typeof world>['a'], result: unknown, calls = { n: 0 }): Promise<unknown> {
  try {
    return await breaker.run('jira', async () => {
      calls.n += 1;
      if (result instanceof Error) throw result;
      return result;
    });
  } catch (e) {
    return e;
  }
}

describe('circuit breaker (Redis, shared by workers)', () => {
  it('opens after N consecutive 5xx/timeouts, then fails fast without calling, with the rest of the cooldown as retryAfterMs', async () => {
    const { a, seen } = world({ failures: 3, openMs: 1_000 });
    const calls = { n: 0 };
    expect(await attempt(a, serverError(), calls)).toBeInstanceOf(RetryableError);
    expect(await attempt(a, timeout(), calls)).toBeInstanceOf(RetryableError);
    expect((await a.inspect('jira')).state).toBe('closed');
    const openedAfter = Date.now();
    await attempt(a, serverError(), calls);
    const openedBefore = Date.now();
    expect(calls.n).toBe(3);
    expect(await a.inspect('jira')).toMatchObject({ state: 'open', failures: 3 });
    expect(seen).toEqual(['open']);

    await sleep(300);
    const askedAfter = Date.now();
    const refused = (await attempt(a, 'never', calls)) as RetryableError;
    const askedBefore = Date.now();
    expect(calls.n).toBe(3); // not called
    expect(refused).toBeInstanceOf(RetryableError);
    expect(refused.reason).toBe('circuit-open');
    expect(refused.connector).toBe('jira');
    // The rest of the 1 s cooldown, as far as this process can tell the moments apart (+ ms rounding).
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1_000 - (askedBefore - openedAfter) - 2);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000 - (askedAfter - openedBefore) + 2);
    expect(refused.message).toMatch(/circuit open after 3 consecutive failures; last: Jira answered 503/);
    // The breaker's own refusal does not count as a failure.
    expect((await a.inspect('jira')).failures).toBe(3);
  });

  it('429s (with Retry-After) and permanent 4xx never open it; a 4xx or a success resets the count', async () => {
    const { a } = world({ failures: 3 });
    for (let i = 0; i < 10; i++) expect(await attempt(a, tooMany())).toMatchObject({ reason: 'rate-limited', retryAfterMs: 5_000 });
    expect(await a.inspect('jira')).toMatchObject({ state: 'closed', failures: 0 });
    for (let i = 0; i < 10; i++) expect(await attempt(a, badField())).toBeInstanceOf(PermanentError);
    expect((await a.inspect('jira')).state).toBe('closed');

    // 2 failures, a permanent answer (Jira is up), 2 failures: never 3 in a row.
    await attempt(a, serverError());
    await attempt(a, serverError());
    await attempt(a, badField());
    expect((await a.inspect('jira')).failures).toBe(0);
    await attempt(a, serverError());
    await attempt(a, serverError());
    await attempt(a, 'ok');
    await attempt(a, serverError());
    await attempt(a, tooMany()); // neutral: neither resets nor counts
    await attempt(a, serverError());
    expect(await a.inspect('jira')).toMatchObject({ state: 'closed', failures: 2 });
    await attempt(a, serverError());
    expect((await a.inspect('jira')).state).toBe('open');
  });

  it('two instances (two worker processes) count together and both see the open circuit', async () => {
    const { a, b } = world({ failures: 4, openMs: 5_000 });
    await attempt(a, serverError());
    await attempt(b, timeout());
    await attempt(a, serverError());
    expect((await b.inspect('jira')).failures).toBe(3);
    await attempt(b, serverError());
    const calls = { n: 0 };
    expect(await attempt(a, 'x', calls)).toMatchObject({ reason: 'circuit-open' });
    expect(await attempt(b, 'x', calls)).toMatchObject({ reason: 'circuit-open' });
    expect(calls.n).toBe(0);
    // Another connector's circuit is untouched.
    expect(await b.run('slack', async () => 'posted')).toBe('posted');
  });

  it('after the cooldown exactly one of many concurrent callers (across processes) probes; its success closes the circuit', async () => {
    const { a, b, seen } = world({ failures: 2, openMs: 300, probeWaitMs: 500 });
    await attempt(a, serverError());
    await attempt(b, serverError());
    await sleep(350);
    expect((await a.inspect('jira')).state).toBe('half-open');
    const calls = { n: 0 };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowOk = async () => {
      calls.n += 1;
      await gate;
      return 'probe ok';
    };
    let refusedSoFar = 0;
    const runs = Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).run('jira', slowOk).catch((e: unknown) => ((refusedSoFar += 1), Promise.reject(e))));
    const settled = Promise.allSettled(runs);
    // Everyone but the probe is turned away while the probe is still in flight.
    await waitUntil(() => refusedSoFar === 11);
    expect(calls.n).toBe(1);
    release();
    const results = await settled;
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as RetryableError] : []));
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(11);
    for (const e of refused) {
      expect(e.reason).toBe('circuit-open');
      // Told to come back soon (the probe may close it), not a whole cooldown.
      expect(e.retryAfterMs).toBeGreaterThan(0);
      expect(e.retryAfterMs).toBeLessThanOrEqual(500);
    }
    expect(await a.inspect('jira')).toMatchObject({ state: 'closed', failures: 0 });
    expect(seen).toEqual(['open', 'half-open', 'closed']);
    expect(await attempt(b, 'through', calls)).toBe('through');
  });

  it('a failed probe re-opens the circuit for a whole cooldown', async () => {
    const { a, b, seen } = world({ failures: 2, openMs: 400 });
    await attempt(a, serverError());
    await attempt(a, serverError());
    await sleep(450);
    const calls = { n: 0 };
    expect(await attempt(b, timeout(), calls)).toMatchObject({ reason: 'unavailable' });
    expect(calls.n).toBe(1);
    const reopenedBefore = Date.now();
    const s = await a.inspect('jira');
    expect(s).toMatchObject({ state: 'open', failures: 3 });
    // A whole new cooldown from the probe's failure, not the rest of the old one.
    expect(s.retryAfterMs).toBeGreaterThanOrEqual(400 - (Date.now() - reopenedBefore) - 2);
    expect(await attempt(a, 'x', calls)).toMatchObject({ reason: 'circuit-open' });
    expect(calls.n).toBe(1);
    expect(seen).toEqual(['open', 'half-open', 'open']);
  });

  it('a probe that ends neutral (429, limiter refusal) hands the probe to the next caller at once', async () => {
    const { a, b } = world({ failures: 1, openMs: 200, probeLeaseMs: 60_000 });
    await attempt(a, serverError());
    await sleep(250);
    const limiter = createRedisRateLimiter(conn(), `rl${randomBytes(4).toString('hex')}`);
    // The probe is refused by the shared limiter before it reaches Jira (a long wait is handed back).
    await limiter.take('jira', { perSecond: 0.1 });
    const viaLimiter = await b
      .run('jira', async () => {
        await limiter.take('jira', { perSecond: 0.1 }, { maxWaitMs: 10 });
        return 'called';
      })
      .catch((e: unknown) => e);
    expect(viaLimiter).toMatchObject({ reason: 'rate-limited' });
    expect(await attempt(a, tooMany())).toMatchObject({ reason: 'rate-limited' });
    expect(await attempt(b, 'recovered')).toBe('recovered');
    expect((await a.inspect('jira')).state).toBe('closed');
  });

  it('a probe whose worker died is given up after the lease: another caller probes', async () => {
    const { a, b } = world({ failures: 1, openMs: 150, probeLeaseMs: 300, probeWaitMs: 100 });
    await attempt(a, serverError());
    await sleep(200);
    // A probe that never ends (its process was killed mid-request).
    let started = false;
    void a.run('jira', () => ((started = true), new Promise(() => undefined)));
    await waitUntil(() => started);
    expect(await attempt(b, 'x')).toMatchObject({ reason: 'circuit-open' });
    await sleep(350);
    expect(await attempt(b, 'second probe')).toBe('second probe');
  });

  it('BATON_CIRCUIT_FAILURES=0 turns it off: no Redis state, every request goes through', async () => {
    const { a, prefix } = world({ failures: 0 });
    const calls = { n: 0 };
    for (let i = 0; i < 20; i++) await attempt(a, serverError(), calls);
    expect(calls.n).toBe(20);
    expect(await conn().exists(`${prefix}:circuit:jira`)).toBe(0);
  });
});

describe('what counts against a circuit (each connector classifies, the breaker only reads the reason)', () => {
  it('5xx, timeouts, network errors and garbled answers fail; 429s, 409/423 and the breaker itself are neutral; 4xx proves the API is up', () => {
    expect(outcomeOf(serverError())).toBe('failure');
    expect(outcomeOf(timeout())).toBe('failure');
    expect(outcomeOf(classifyJiraError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), ctx))).toBe('failure');
    expect(outcomeOf(classifyJiraFailure({ malformedBody: '<html>' }, ctx))).toBe('failure');
    expect(outcomeOf(tooMany())).toBe('neutral');
    expect(outcomeOf(classifyJiraFailure({ status: 409, body: {} }, ctx))).toBe('neutral');
    expect(outcomeOf(badField())).toBe('success');
    expect(outcomeOf(new RetryableError('open', 'jira', 10, { reason: 'circuit-open' }))).toBe('neutral');
    expect(outcomeOf(new TypeError('x is undefined'))).toBe('neutral');

    const asana = { operation: 'creating task "kickoff"' };
    expect(outcomeOf(classifyAsanaFailure({ status: 429, headers: { 'retry-after': '30' } }, asana))).toBe('neutral');
    expect(outcomeOf(classifyAsanaFailure({ status: 502 }, asana))).toBe('failure');
    expect(outcomeOf(classifyAsanaFailure({ timedOut: true }, asana))).toBe('failure');
    expect(outcomeOf(classifyAsanaFailure({ status: 404 }, asana))).toBe('success');

    const hs = { operation: 'getDeal(1)' };
    expect(outcomeOf(classifyHubSpotFailure({ status: 429, body: { policyName: 'TEN_SECONDLY_ROLLING' } }, hs))).toBe('neutral');
    expect(outcomeOf(classifyHubSpotFailure({ status: 429, body: { policyName: 'DAILY' } }, hs))).toBe('neutral');
    expect(outcomeOf(classifyHubSpotFailure({ status: 423 }, hs))).toBe('neutral');
    expect(outcomeOf(classifyHubSpotFailure({ status: 500 }, hs))).toBe('failure');
    expect(outcomeOf(classifyHubSpotFailure({ status: 401 }, hs))).toBe('success');

    const slack = { operation: 'chat.postMessage', channel: 'C1' };
    const platform = (error: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(error), { code: 'slack_webapi_platform_error', data: { ok: false, error, ...extra } });
    expect(outcomeOf(classifySlackError(Object.assign(new Error('429'), { code: 'slack_webapi_rate_limited_error', retryAfter: 3 }), slack))).toBe('neutral');
    expect(outcomeOf(classifySlackError(platform('ratelimited', { response_metadata: { retryAfter: 3 } }), slack))).toBe('neutral');
    expect(outcomeOf(classifySlackError(platform('service_unavailable'), slack))).toBe('failure');
    expect(outcomeOf(classifySlackError(platform('<html><body>Bad gateway'), slack))).toBe('failure');
    expect(outcomeOf(classifySlackError(platform('channel_not_found'), slack))).toBe('success');
  });
});
