// Two worker processes share one Jira limiter (the stand-in enforces the limit and counts 429s), and a
// permanent Jira error lands on the handoff with a message an admin can act on.
import { afterEach, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { spawnWorker } from '../helpers/spawn-worker.js';
import { countHandoffs, listHandoffs } from '../../src/store/handoff-repo.js';
import { startJiraStandin } from '../standins/jira-standin.js';

describe('live connectors under limits and permanent errors', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('two worker processes together pace Jira at the configured rate (shared limiter)', async () => {
    const world = await startWorld({ deals: 8, rates: { jira: 20 } });
    cleanups.push(() => world.close());
    const b: Harness = await startBaton({
      workers: false,
      env: { ...world.env, ...(await ownAddressEnv()), JIRA_REQUESTS_PER_SECOND: '18' },
    });
    cleanups.push(() => b.close());
    const workers = [spawnWorker(b.env), spawnWorker(b.env)];
    cleanups.push(async () => {
      workers.forEach((w) => w.child.kill('SIGTERM'));
      await Promise.all(workers.map((w) => w.exited));
    });
    const events = world.dealIds.map((id) => world.hubspot.moveDealToStage(id, 'closedwon'));
    const t0 = Date.now();
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, events, TEST_SECRET)).status).toBe(200);
    await waitFor(async () => (await countHandoffs(b.rt.store, { status: 'done' })) === 8, '8 handoffs done', 45_000);
    const elapsedS = (Date.now() - t0) / 1000;
    const jiraCalls = Object.values(world.jira.state.requests).reduce((a, n) => a + n, 0);
    expect(jiraCalls).toBeGreaterThanOrEqual(8 * 9); // epic + bulk + 7 links per handoff
    // Together the two workers never ran faster than 18/s on average: two private limiters would allow 36/s
    // and draw a stream of 429s from a Jira that allows 20/s.
    expect(jiraCalls / elapsedS).toBeLessThanOrEqual(18.5);
    // Timer jitter between the limiter's slot and the stand-in's one-second window can tip a rare call over.
    expect(world.jira.state.count429).toBeLessThanOrEqual(2);
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(8);
  }, 60_000);

  it('a Jira field the create screen requires fails the handoff permanently, naming mapping, task and field', async () => {
    const world = await startWorld({ deals: 1 });
    cleanups.push(() => world.close());
    const jira = await startJiraStandin({ requiredFields: ['customfield_10020'], users: [] });
    cleanups.push(() => jira.close());
    const b = await startBaton({ env: { ...world.env, JIRA_BASE_URL: jira.url } });
    cleanups.push(() => b.close());
    const event = world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon');
    const res = await b.post([event]);
    expect(res.status).toBe(200);
    const h = await waitFor(async () => {
      const [row] = (await listHandoffs(b.rt.store, { limit: 1 })).items;
      return row?.status === 'failed' && row;
    }, 'handoff failed', 20_000);
    expect(h.lastError).toMatch(/mapping services-onboarding/);
    expect(h.lastError).toMatch(/customfield_10020/);
    expect(h.lastError).toMatch(/task [a-z-]+/);
    const detail = await b.api(`/api/handoffs/${h.id}`);
    const step = detail.steps.find((s: { stepId: string }) => s.stepId === 'create-work');
    expect(step).toMatchObject({ status: 'failed', permanent: true });
    expect(step.attempts).toBe(1); // permanent: not retried
    expect(detail.steps.find((s: { stepId: string }) => s.stepId === 'post-intro').status).toBe('pending');
  }, 40_000);
});
