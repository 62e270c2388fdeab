// Resilience (issue 11, items 16-17): Redis restarted EMPTY — every job, lease and job scheduler gone — while
// 20 closed-won deals are mid-handoff, live connectors on the stand-ins, the same workers left running (no
// restart). The store is the truth: the store-driven sweep resumes every unfinished handoff whose job was
// lost, and each completes exactly once (one epic with its tasks, one intro, one note per deal); the job
// schedulers are back without a restart; and escalation checks and feedback requests whose delayed jobs were
// lost are re-added by the sweep once overdue.
import { describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { startPrivateRedis } from '../helpers/private-redis.js';
import { expectExactlyOnce } from '../helpers/exactly-once.js';
import { getCheck } from '../../src/store/escalation-repo.js';
import { getFeedbackRequest } from '../../src/store/feedback-repo.js';
import { checkJobId } from '../../jobs/escalation/check-jobs.js';
import { jobIdFor } from '../../src/queue/queues.js';
import { UNPACED, cleanupStack, handoffCounts, waitPipelineIdle } from './resilience-kit.js';

const DEALS = 20;

describe('resilience: Redis restarted empty mid-burst', () => {
  const onCleanup = cleanupStack();

  it('every handoff completes exactly once, the schedulers come back, lost checks and feedback are re-added — workers never restarted', async () => {
    const world = await startWorld({ deals: DEALS });
    onCleanup(() => world.close());
    const redis = await startPrivateRedis();
    onCleanup(() => redis.close());
    const b = await startBaton({
      env: {
        ...world.env,
        ...UNPACED,
        REDIS_URL: redis.url,
        ...(await ownAddressEnv()),
        BATON_RESUME_EVERY_SECONDS: '2',
        BATON_WATCH_POLL_SECONDS: '2',
      },
    });
    onCleanup(() => b.close());
    onCleanup(() => redis.ensureRunning()); // runs before b.close(): closing queues wants Redis
    const { store, queues } = b.rt;
    const handoffs = async () => (await store.db.selectFrom('handoffs').select(['id', 'deal_id', 'status']).execute()).map((r) => ({ id: r.id, dealId: r.deal_id, status: r.status }));

    // Slow intros keep the burst in flight: at the restart some handoffs have their Jira work and wait on Slack.
    world.slack.faults.inject({ kind: 'slow', ms: 2_000 }, { match: /chat\.postMessage/ });
    const target = `${b.url}/webhooks/hubspot`;
    const answers = await Promise.all(world.dealIds.map((d) => world.hubspot.sendWebhook(target, [world.hubspot.moveDealToStage(d, 'closedwon')], TEST_SECRET)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    // Every deal has its handoff row (routing done) and some are watched already (their check and feedback
    // jobs wait in Redis); then Redis dies and comes back with nothing.
    const watched = async () => (await store.db.selectFrom('handoff_steps').select('handoff_id').where('step_id', '=', 'schedule-checks').where('status', '=', 'done').execute()).length;
    await waitFor(async () => (await handoffs()).length === DEALS && (await watched()) > 0, `${DEALS} handoff rows, some watched`, 120_000);
    await redis.restartEmpty();
    const atRestart = await handoffCounts(store);
    world.slack.faults.clear();
    expect(atRestart.done, 'the restart came after the burst: nothing was in flight').toBeLessThan(DEALS);

    // Nothing re-sent, no worker restarted: the sweep finds what the store says is unfinished.
    await waitFor(async () => (await handoffCounts(store)).done === DEALS, `all ${DEALS} handoffs done after the restart`, 240_000);
    await waitPipelineIdle([queues.events, queues.route, queues.handoff], 60_000);
    const all = await handoffs();
    expect(all.filter((h) => h.status !== 'done')).toEqual([]);
    const effects = expectExactlyOnce(world, all);

    // The periodic jobs exist again in the emptied Redis.
    for (const [q, id] of [
      [queues.maintenance, 'resume'],
      [queues.watch, 'sweep'],
      [queues.status, 'poll'],
    ] as const) {
      await waitFor(async () => (await q.getJobScheduler(id)) !== undefined, `scheduler ${q.name}/${id} back`, 30_000);
    }

    // Checks and feedback requests scheduled before the restart lost their delayed jobs with Redis (due days
    // from now). Once overdue, the sweep re-adds them and they run: the document is complete, so the check
    // resolves quietly; the project lead gets the feedback DM.
    const lostCheck: string[] = [];
    const lostAsk: string[] = [];
    for (const h of all) {
      const check = (await getCheck(store, h.id, 'document-incomplete'))!;
      if (!(await queues.watch.getJob(checkJobId(check)))) lostCheck.push(h.id);
      if (!(await queues.feedback.getJob(jobIdFor('feedback-ask', h.id)))) lostAsk.push(h.id);
    }
    expect(lostCheck.length, 'checks lost with Redis').toBeGreaterThan(0);
    expect(lostAsk.length, 'feedback asks lost with Redis').toBeGreaterThan(0);
    const past = new Date(Date.now() - 5 * 60_000).toISOString(); // as if the days had passed
    await store.db.updateTable('watch_checks').set({ due_at: past }).where('handoff_id', '=', lostCheck[0]!).where('trigger_id', '=', 'document-incomplete').execute();
    await store.db.updateTable('feedback_requests').set({ due_at: past }).where('handoff_id', '=', lostAsk[0]!).execute();
    await waitFor(async () => (await getCheck(store, lostCheck[0]!, 'document-incomplete'))?.status === 'resolved', 'lost check re-added and run', 60_000);
    await waitFor(async () => (await getFeedbackRequest(store, lostAsk[0]!))?.status === 'asked', 'lost feedback ask re-added and sent', 60_000);
    expect(world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_escalation')).toEqual([]);

    console.info(`[resilience] redis restarted empty with ${DEALS - atRestart.done} of ${DEALS} handoffs unfinished; all done once: ${effects.issues} Jira issues, ${effects.intros} intros, ${effects.notes} notes`);
  }, 600_000);
});
