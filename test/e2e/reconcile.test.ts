// HubSpot stops retrying after about a day: the reconciliation sweep finds closed deals whose webhooks
// were lost and hands them off through the same deduped path — once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { processReconcileJob } from '../../jobs/reconcile.js';
import { countHandoffs, listHandoffsForDeal } from '../../src/store/handoff-repo.js';

describe('reconciliation of lost webhooks', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  beforeAll(async () => {
    world = await startWorld({ deals: 3 });
    b = await startBaton({ env: { ...world.env, BATON_RECONCILE_EVERY_SECONDS: '0' } });
  });
  afterAll(async () => {
    await b.close();
    await world.close();
  });

  it('hands off a deal that closed without any webhook, and a second sweep queues nothing', async () => {
    const [lost, notClosed] = world.dealIds;
    world.hubspot.moveDealToStage(lost!, 'closedwon', Date.now() - 10 * 60_000); // its webhook never came
    world.hubspot.moveDealToStage(notClosed!, 'closedwon'); // just now: its webhook may still be on the way
    const first = await processReconcileJob(b.rt.jobDeps);
    expect(first).toEqual({ found: 1, queued: 1 });
    await waitFor(async () => (await listHandoffsForDeal(b.rt.store, 'hubspot', lost!))[0]?.status === 'done', 'reconciled handoff done', 20_000);
    expect(await listHandoffsForDeal(b.rt.store, 'hubspot', notClosed!)).toHaveLength(0); // left for the next sweep
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(1);

    const second = await processReconcileJob(b.rt.jobDeps);
    expect(second).toEqual({ found: 1, queued: 0 });
    expect(await countHandoffs(b.rt.store, {})).toBe(1);
  });
});
