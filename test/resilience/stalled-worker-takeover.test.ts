// Resilience: a worker that stops responding mid-handoff (SIGSTOP: what a CPU-starved or swapping process
// looks like to BullMQ) loses its job lock; BullMQ hands the stalled job to a second worker while the first
// still holds the run. The second must not run the steps alongside: it waits for the run's lease, the first
// finishes when it resumes, and every external object exists once (counted in the stand-ins).
import { describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { dropQueuePrefix } from '../helpers/drop-queue-prefix.js';
import { expectExactlyOnce } from '../helpers/exactly-once.js';
import { listHandoffs } from '../../src/store/handoff-repo.js';
import { listAudit } from '../../src/store/audit-repo.js';
import { cleanupStack, waitWorkers, workerProcesses } from './resilience-kit.js';

describe('resilience: a stalled worker loses its job to another', () => {
  const onCleanup = cleanupStack();

  it('the second worker waits for the first run instead of repeating it: each effect once', async () => {
    const world = await startWorld({ deals: 1 });
    onCleanup(() => world.close());
    // A 1 s lock: the stopped worker's job is handed on within ~2 s of the second worker starting. The run's
    // lease (timeout + 5 s = 20 s) outlasts the second worker's start-up even on a loaded machine.
    const b = await startBaton({
      workers: false,
      env: { ...world.env, ...(await ownAddressEnv()), BATON_JOB_LOCK_MS: '1000', BATON_HTTP_TIMEOUT_MS: '15000', BATON_RECONCILE_EVERY_SECONDS: '0' },
    });
    onCleanup(() => dropQueuePrefix(b.env.REDIS_URL!, b.env.BATON_QUEUE_PREFIX!));
    onCleanup(() => b.close());
    const workers = workerProcesses(onCleanup, b.env);
    const first = workers.spawn();
    await waitWorkers(b.rt.queues.handoff, 1);

    // Stop the first worker while its epic request is on the wire (the stand-in creates it and answers 1.5 s
    // later): it resumes with the epic made and its tasks still to create, the moment a second run would
    // find the epic by its marker and create the tasks too.
    world.jira.faults.inject({ kind: 'slow', ms: 1_500 }, { match: /^POST \/rest\/api\/3\/issue$/, times: 1 });
    const event = world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon');
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);
    await waitFor(async () => world.jira.faults.hits.length > 0, 'the epic request', 30_000);
    first.child.kill('SIGSTOP');

    workers.spawn();
    // The takeover: the second worker got the stalled job and parked it until the first run's lease ends.
    const [job] = await b.rt.queues.handoff.getJobs(['active', 'wait', 'delayed', 'completed']);
    expect(job, 'the handoff run job').toBeDefined();
    await waitFor(async () => (await b.rt.queues.handoff.getJobState(job!.id!)) === 'delayed', 'the second worker to defer the stalled job', 30_000);
    first.child.kill('SIGCONT');

    const handoff = await waitFor(async () => (await listHandoffs(b.rt.store, { limit: 5 })).items.find((h) => h.status === 'done'), 'handoff done', 30_000);
    // The deferred job runs again once the lease is gone and finds nothing left to do.
    await waitFor(async () => (await b.rt.queues.handoff.getJobState(job!.id!)) === 'completed', 'the deferred job to complete', 45_000);
    expectExactlyOnce(world, [{ id: handoff.id, dealId: world.dealIds[0]! }]);
    expect((await listAudit(b.rt.store, handoff.id)).filter((e) => e.kind === 'handoff.done')).toHaveLength(1);
  }, 120_000);
});
