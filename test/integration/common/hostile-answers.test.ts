// Every connector's client against answers the APIs never document but proxies and outages produce (nock at the
// HTTP layer): a 200 whose body is not JSON, and a run of 5xx that must open the shared circuit so the next
// request is refused without going out. One guard (CircuitBreaker.run) serves all four clients.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCircuitBreaker, type CircuitBreaker } from '../../../connectors/common/circuit-breaker.js';
import { unlimited } from '../../../connectors/common/rate-limiter.js';
import { RetryableError } from '../../../src/handoff/errors.js';
import { createJiraCall } from '../../../connectors/jira/jira-client.js';
import { createAsanaClient } from '../../../connectors/asana/asana-client.js';
import { createHubSpotSdk } from '../../../connectors/hubspot/hubspot-sdk.js';
import { createSlackApi } from '../../../connectors/slack/slack-api.js';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const TOKEN = 'hostile-test-token-1234';
/** A body cut off mid-object, as a proxy that drops the connection (or a truncating gateway) delivers it. */
const CUT_OFF = '{"data": {"gid": "1200", "name": "Kick';
const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' };

interface Target {
  name: 'jira' | 'asana' | 'hubspot' | 'slack';
  host: string;
  setting: string;
  /** Intercepts the one request `call` makes. */
  intercept(): nock.Interceptor;
  /** One request through the connector's own client (limiter, breaker, classification). */
  call(breaker?: CircuitBreaker): Promise<unknown>;
}

const targets: Target[] = [
  {
    name: 'jira',
    host: 'http://jira.hostile.test',
    setting: 'JIRA_BASE_URL',
    intercept: () => nock('http://jira.hostile.test').get('/rest/api/3/project/DEL'),
    call: (breaker) =>
      createJiraCall({ baseUrl: 'http://jira.hostile.test', email: 'baton@example.com', apiToken: TOKEN, limiter: unlimited, requestsPerSecond: 100, timeoutMs: 2_000, breaker })(
        { operation: 'read project DEL' },
        (c) => c.projects.getProject({ projectIdOrKey: 'DEL' }),
      ),
  },
  {
    name: 'asana',
    host: 'http://asana.hostile.test',
    setting: 'ASANA_BASE_URL',
    intercept: () => nock('http://asana.hostile.test').get('/api/1.0/tasks/1200').query(true),
    call: (breaker) => {
      const api = createAsanaClient({ accessToken: TOKEN, baseUrl: 'http://asana.hostile.test/api/1.0', limiter: unlimited, requestsPerSecond: 100, timeoutMs: 2_000, breaker });
      return api.call({ operation: 'reading task 1200' }, () => api.tasks.getTask('1200', {}) as Promise<{ data: Record<string, unknown> }>);
    },
  },
  {
    name: 'hubspot',
    host: 'http://hubspot.hostile.test',
    setting: 'HUBSPOT_API_BASE_URL',
    intercept: () => nock('http://hubspot.hostile.test').get('/crm/v3/objects/deals/1200').query(true),
    call: (breaker) => {
      const sdk = createHubSpotSdk({ accessToken: TOKEN, basePath: 'http://hubspot.hostile.test', timeoutMs: 2_000, breaker });
      return sdk.send('getDeal(1200)', ['crm.objects.deals.read'], (call) => sdk.client.crm.deals.basicApi.getById('1200', ['dealname'], undefined, undefined, false, undefined, call));
    },
  },
  {
    name: 'slack',
    host: 'http://slack.hostile.test',
    setting: 'SLACK_API_URL',
    intercept: () => nock('http://slack.hostile.test').post('/api/chat.postMessage'),
    call: (breaker) =>
      createSlackApi({ token: `xoxb-${TOKEN}`, apiUrl: 'http://slack.hostile.test/api/', limiter: unlimited, requestsPerSecond: 100, messagesPerSecondPerChannel: 100, timeoutMs: 2_000, breaker }).call(
        'chat.postMessage',
        { channel: 'C0CLIENT01', text: 'hello' },
        { channel: 'C0CLIENT01' },
      ),
  },
];

/** A 5xx with the body each API documents for it. */
const serverError = (t: Target): [number, unknown] =>
  t.name === 'jira'
    ? [503, { errorMessages: ['Service Unavailable'], errors: {} }]
    : t.name === 'asana'
      ? [500, { errors: [{ message: 'Server Error', phrase: '6 sad squid snuggle softly' }] }]
      : t.name === 'hubspot'
        ? [502, { status: 'error', message: 'Bad Gateway', category: 'BAD_GATEWAY' }]
        : [503, '<html><body>Service Unavailable</body></html>'];

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  redis.disconnect();
});

describe.each(targets)('$name client under hostile answers', (t) => {
  it('a 200 whose body is not JSON is a RetryableError (reason unavailable) naming the setting to check', async () => {
    t.intercept().reply(200, CUT_OFF, JSON_TYPE);
    const err = (await t.call().catch((e: unknown) => e)) as RetryableError;
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.reason).toBe('unavailable');
    expect(err.connector).toBe(t.name);
    expect(err.message).toMatch(/not JSON/);
    expect(err.message).toContain(t.setting);
    expect(err.message).not.toContain(TOKEN);
  });

  it('the same garbage labelled text/html is not taken for an answer either', async () => {
    t.intercept().reply(200, '<html><body>Please log in to the corporate proxy</body></html>', { 'content-type': 'text/html' });
    const err = await t.call().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).message).toMatch(/not JSON/);
  });

  it('consecutive 5xx open the shared circuit: the next request is refused without going out', async () => {
    const breaker = createRedisCircuitBreaker(redis, `hx${randomBytes(4).toString('hex')}`, { failures: 2, openMs: 10_000 });
    const [status, body] = serverError(t);
    t.intercept().times(2).reply(status, body as nock.Body, typeof body === 'string' ? { 'content-type': 'text/html' } : JSON_TYPE);
    for (let i = 0; i < 2; i++) expect(await t.call(breaker).catch((e: unknown) => e)).toMatchObject({ reason: 'unavailable' });
    expect(nock.isDone()).toBe(true);
    // Nothing intercepts a third request (and the network is closed): only the breaker can answer.
    const refused = (await t.call(breaker).catch((e: unknown) => e)) as RetryableError;
    expect(refused).toBeInstanceOf(RetryableError);
    expect(refused.reason).toBe('circuit-open');
    expect(refused.retryAfterMs).toBeGreaterThan(9_000);
    expect(refused.message).toContain(`${t.name} looks down`);
    expect(await breaker.inspect(t.name)).toMatchObject({ state: 'open', failures: 2 });
  });
});
