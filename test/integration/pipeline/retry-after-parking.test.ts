// A told wait (a 429's Retry-After, an open circuit's cooldown) parks a job in every queue instead of
// spending its attempts: a HubSpot 429 storm longer than the route job's whole backoff schedule (8 attempts)
// ends with the deal routed and handed off, not dead-lettered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../../helpers/baton-harness.js';
import { startWorld } from '../../helpers/standin-world.js';
import { ownAddressEnv } from '../../helpers/free-port.js';
import { listHandoffs } from '../../../src/store/handoff-repo.js';

describe('Retry-After parks jobs instead of spending attempts', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  beforeAll(async () => {
    world = await startWorld({ deals: 1 });
    // The circuit breaker stays out of it: 429 says HubSpot is up.
    b = await startBaton({ env: { ...world.env, ...(await ownAddressEnv()), BATON_RECONCILE_EVERY_SECONDS: '0' } });
  });
  afterAll(async () => {
    await b?.close();
    await world?.close();
  });

  it('ten 429s on the deal read: the route job waits as told each time and never uses an attempt', async () => {
    world.hubspot.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: /^GET \/crm\/v3\/objects\/deals\//, times: 10 });
    const event = world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon');
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);

    const handoff = await waitFor(async () => (await listHandoffs(b.rt.store, { limit: 5 })).items.find((h) => h.status === 'done'), 'handoff done', 60_000);
    expect(handoff.dealId).toBe(world.dealIds[0]);
    expect(world.hubspot.faults.count('rate-limit')).toBe(10);
    const [route] = await b.rt.queues.route.getJobs(['completed']);
    expect(route!.attemptsMade).toBe(1); // the one that succeeded; BullMQ's backoff would have failed it for good after 8
    expect(route!.attemptsStarted).toBeGreaterThan(10);
    expect(await b.rt.queues.route.getJobs(['failed'])).toEqual([]);
  }, 90_000);
});
