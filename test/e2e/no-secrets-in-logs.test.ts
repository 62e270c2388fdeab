// Secrets reach no log line: a whole Baton with every credential configured, driven through failures
// that echo requests (401s from every API, bad webhook signatures), at debug level.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { listHandoffs } from '../../src/store/handoff-repo.js';

describe('no secrets in logs', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  const secrets = {
    // Wrong tokens: every API answers 401, and error paths are where tokens tend to leak.
    HUBSPOT_ACCESS_TOKEN: 'pat-na1-11111111-2222-3333-4444-555555555555',
    JIRA_API_TOKEN: 'ATATT3xFfGF0-secret-jira-token-value',
    SLACK_BOT_TOKEN: 'xoxb-1234567890-secret-slack-token',
    SLACK_SIGNING_SECRET: 'slack-signing-secret-abcdef',
    BATON_API_TOKEN: 'baton-api-token-ghijkl',
  };
  beforeAll(async () => {
    world = await startWorld({ deals: 1 });
    b = await startBaton({ env: { ...world.env, ...secrets, LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await b.close();
    await world.close();
  });

  it('keeps every configured secret out of every log line', async () => {
    const event = world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon');
    expect((await b.post([event])).status).toBe(200);
    expect((await b.post([event], { secret: 'wrong' })).status).toBe(401);
    await fetch(`${b.url}/api/handoffs`, { headers: { authorization: 'Bearer nope' } });
    // The route job fails on HubSpot's 401 (permanent) and says so in the log.
    await waitFor(async () => b.logs.some((l) => /HUBSPOT_ACCESS_TOKEN/.test(l)), 'the 401 is logged', 15_000);
    expect((await listHandoffs(b.rt.store, { limit: 1 })).items).toHaveLength(0);
    const all = b.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries({ ...secrets, HUBSPOT_CLIENT_SECRET: b.env.HUBSPOT_CLIENT_SECRET! })) {
      expect(all.includes(value), `${name} leaked into the logs`).toBe(false);
    }
  });
});
