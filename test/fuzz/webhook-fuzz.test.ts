// 10,000+ generated hostile requests against POST /webhooks/hubspot: never a crash or a 5xx, and
// nothing is queued without a valid signature.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, stageChange, type Harness, PUBLIC_URL, TEST_SECRET } from '../helpers/baton-harness.js';
import { signHubSpotRequest } from '../../connectors/hubspot/sign-request.js';

const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('<!channel>', '{"__proto__":{"x":1}}', '\u0000', '%00', '../../etc/passwd', 'NaN', '-1', '1e309', '\ud800'),
);
const eventLike = fc.record(
  {
    eventId: fc.oneof(fc.integer(), fc.double(), hostileString, fc.constant(null)),
    subscriptionId: fc.oneof(fc.integer(), hostileString),
    portalId: fc.oneof(fc.integer(), hostileString),
    occurredAt: fc.oneof(fc.integer(), fc.double(), hostileString),
    subscriptionType: fc.oneof(fc.constantFrom('deal.propertyChange', 'deal.creation', 'deal.merge', 'object.creation', 'contact.creation'), hostileString),
    objectId: fc.oneof(fc.integer(), fc.bigInt().map(String), hostileString),
    propertyName: hostileString,
    propertyValue: fc.oneof(hostileString, fc.integer()),
    objectTypeId: fc.constantFrom('0-3', '0-1', 3, null),
    mergedObjectIds: fc.array(fc.oneof(fc.integer(), hostileString), { maxLength: 5 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.array(eventLike, { maxLength: 120 }).map((a) => JSON.stringify(a)),
  eventLike.map((e) => JSON.stringify(e)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 500 }),
  fc.array(fc.constant(stageChange(1, 'closedwon')), { minLength: 1, maxLength: 3 }).map((a) => JSON.stringify(a)),
);
const headers = fc.record(
  {
    'x-hubspot-signature-v3': fc.oneof(fc.base64String({ maxLength: 60 }), hostileString.filter((s) => /^[\x20-\x7e]*$/.test(s))),
    'x-hubspot-request-timestamp': fc.oneof(fc.constant(String(Date.now())), fc.integer().map(String), fc.constantFrom('', 'abc', '99999999999999999999')),
    'x-hubspot-signature': fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 64 }),
    'x-hubspot-signature-version': fc.constantFrom('v1', 'v2', 'v3', 'v9', ''),
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
  },
  { requiredKeys: [] },
);

describe('webhook fuzz', () => {
  let b: Harness;
  beforeAll(async () => {
    // The failed-request limiter is off here so every hostile request reaches the handlers it probes.
    b = await startBaton({ workers: false, env: { BATON_WEBHOOK_MAX_BYTES: '65536', LOG_LEVEL: 'silent', BATON_UNAUTH_FAILURES_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await b.close();
  });

  const send = (raw: string, h: Record<string, string>) =>
    fetch(`${b.url}/webhooks/hubspot`, { method: 'POST', headers: h, body: raw }).then(async (r) => ({ status: r.status, text: await r.text() }));

  it('7,000 unsigned or forged requests: 4xx every time, never queued', async () => {
    await fc.assert(
      fc.asyncProperty(body, headers, async (raw, h) => {
        const res = await send(raw, h);
        expect([400, 401, 413]).toContain(res.status);
      }),
      { numRuns: 7_000 },
    );
    expect(await b.rt.queues.events.count()).toBe(0);
  }, 180_000);

  it('3,000 correctly signed hostile bodies: 200 or a 4xx with a reason, never a 5xx', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const h = { 'content-type': 'application/json', ...signHubSpotRequest({ version: 'v3', method: 'POST', url: `${PUBLIC_URL}/webhooks/hubspot`, body: raw, clientSecret: TEST_SECRET, timestampMs: Date.now() }) };
        const res = await send(raw, h);
        expect([200, 400, 413]).toContain(res.status);
        if (res.status === 400) expect(JSON.parse(res.text).error).toEqual(expect.any(String));
        if (res.status === 200) accepted += JSON.parse(res.text).accepted > 0 ? 1 : 0;
      }),
      { numRuns: 3_000 },
    );
    // Only batches that carried valid deal events were queued, one job per request.
    expect(await b.rt.queues.events.count()).toBe(accepted);
  }, 180_000);
});
