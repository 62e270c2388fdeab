// Two runs of one handoff must never call out at the same time: a stalled worker whose BullMQ lock was handed
// on, an admin Retry while the first run is still going, or a replay all start a second run of the same steps.
// Live connectors against the stand-ins; effects are counted in the stand-ins themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../../helpers/baton-harness.js';
import { startWorld } from '../../helpers/standin-world.js';
import { ownAddressEnv } from '../../helpers/free-port.js';
import { expectExactlyOnce } from '../../helpers/exactly-once.js';
import { processHandoffJob } from '../../../jobs/handoff.js';
import { RetryableError } from '../../../src/handoff/errors.js';
import { RunFenceLostError } from '../../../connectors/common/run-fence.js';
import { listAudit } from '../../../src/store/audit-repo.js';
import { getHandoff, listHandoffs } from '../../../src/store/handoff-repo.js';
import { listSteps } from '../../../src/store/step-repo.js';

describe('concurrent runs of one handoff', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  beforeAll(async () => {
    world = await startWorld({ deals: 2 });
    b = await startBaton({ env: { ...world.env, ...(await ownAddressEnv()) } });
    // Route runs; handoff jobs wait, so the test starts the runs itself.
    await b.rt.queues.handoff.pause();
  });
  afterAll(async () => {
    await b?.close();
    await world?.close();
  });

  /** Closes the deal and returns its handoff id and queued run job once the route worker built it. */
  async function closedHandoff(dealId: string): Promise<{ id: string; job: Job }> {
    const event = world.hubspot.moveDealToStage(dealId, 'closedwon');
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);
    const handoff = await waitFor(async () => (await listHandoffs(b.rt.store, { limit: 10 })).items.find((h) => h.dealId === dealId), `handoff for deal ${dealId}`);
    const job = await waitFor(async () => (await b.rt.queues.handoff.getJobs(['wait', 'prioritized'])).find((j) => j.data.handoffId === handoff.id), 'queued run');
    return { id: handoff.id, job };
  }

  const doneAudits = async (id: string) => (await listAudit(b.rt.store, id)).filter((e) => e.kind === 'handoff.done').length;

  it('two runs started together: one does the work, the other is told to come back; each effect once', async () => {
    const { id, job } = await closedHandoff(world.dealIds[0]!);
    const results = await Promise.allSettled([processHandoffJob(b.rt.jobDeps, job, job.data), processHandoffJob(b.rt.jobDeps, job, job.data)]);
    const done = results.filter((r) => r.status === 'fulfilled');
    const waiting = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(done.map((r) => (r as PromiseFulfilledResult<string>).value)).toEqual(['done']);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.reason).toBeInstanceOf(RetryableError);
    expect(waiting[0]!.reason).toMatchObject({ reason: 'busy' });
    expect(waiting[0]!.reason.retryAfterMs).toBeGreaterThan(0);

    // The waiting job comes back later and finds nothing left to do (and says nothing new on the trail).
    await expect(processHandoffJob(b.rt.jobDeps, job, job.data)).resolves.toBe('already done');
    expect(await doneAudits(id)).toBe(1);
    expectExactlyOnce(world, [{ id, dealId: world.dealIds[0]! }]);
  });

  it('a run that lost its lease mid-step stops before its next call and records nothing; the next run finishes', async () => {
    const dealId = world.dealIds[1]!;
    const { id, job } = await closedHandoff(dealId);
    const before = world.jira.state.issues.length;
    // The epic answer takes a while; meanwhile another run takes the lease over (as after a long stall).
    world.jira.faults.inject({ kind: 'slow', ms: 400 }, { match: /^POST \/rest\/api\/3\/issue$/, times: 1 });
    const hits = world.jira.faults.hits.length;
    const run = processHandoffJob(b.rt.jobDeps, job, job.data);
    await waitFor(async () => world.jira.faults.hits.length > hits, 'the epic request');
    await b.rt.redis.set(`${b.env.BATON_QUEUE_PREFIX}:lease:handoff:${id}`, 'another-run', 'PX', 60_000);

    await expect(run).rejects.toBeInstanceOf(RunFenceLostError);
    expect(world.jira.state.issues.length - before).toBe(1); // the epic that was already on its way; no tasks
    const step = (await listSteps(b.rt.store, id)).find((s) => s.stepId === 'create-work')!;
    expect(step.status).toBe('running'); // not marked failed: it is the other run's now
    expect((await getHandoff(b.rt.store, id))!.status).toBe('running');
    expect((await listAudit(b.rt.store, id)).filter((e) => e.kind.startsWith('step.'))).toEqual([]);

    // The other run ends (its lease goes); the next run finds the epic by its marker and finishes the rest.
    await b.rt.redis.del(`${b.env.BATON_QUEUE_PREFIX}:lease:handoff:${id}`);
    await expect(processHandoffJob(b.rt.jobDeps, job, job.data)).resolves.toBe('done');
    expectExactlyOnce(world, [
      { id: (await listHandoffs(b.rt.store, { limit: 10 })).items.find((h) => h.dealId === world.dealIds[0])!.id, dealId: world.dealIds[0]! },
      { id, dealId },
    ]);
  });
});
