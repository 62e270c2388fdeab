// Resilience: both worker processes SIGKILLed a third of the way through a 500-handoff drain. Their
// in-flight jobs stall; replacements take them over, and every handoff ends done with exactly one of
// each external object, counted in the stand-ins (no rate limits, so the drain is as dense as it gets).
// PostgreSQL, as docs/operations.md asks for more than one process (a fresh database on the shared server).
import { describe, expect, it } from 'vitest';
import { startBaton, TEST_SECRET } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { dropQueuePrefix } from '../helpers/drop-queue-prefix.js';
import { countEffects, expectExactlyOnce } from '../helpers/exactly-once.js';
import { countHandoffs, listHandoffs } from '../../src/store/handoff-repo.js';
import { storeBackends } from '../helpers/databases.js';
import { UNPACED, cleanupStack, handoffCounts, jobStats, waitAllDone, waitPipelineIdle, waitWorkers, workerProcesses } from './resilience-kit.js';

const DEALS = 500;

describe('resilience: workers SIGKILLed mid-drain', () => {
  const onCleanup = cleanupStack();

  it('500 handoffs, both workers killed at a third: replacements finish every one, each effect once', async () => {
    const world = await startWorld({ deals: DEALS });
    onCleanup(() => world.close());
    const db = await storeBackends().find((s) => s.name === 'postgres')!.open();
    onCleanup(() => db.cleanup());
    const b = await startBaton({
      workers: false,
      env: { ...world.env, ...UNPACED, DATABASE_URL: db.databaseUrl, ...(await ownAddressEnv()) },
    });
    onCleanup(() => dropQueuePrefix(b.env.REDIS_URL!, b.env.BATON_QUEUE_PREFIX!));
    onCleanup(() => b.close());
    const { spawn } = workerProcesses(onCleanup, b.env);
    const first = [spawn(), spawn()];
    await waitWorkers(b.rt.queues.handoff, 2);

    const t0 = Date.now();
    for (let i = 0; i < DEALS; i += 20) {
      const events = world.dealIds.slice(i, i + 20).map((id) => world.hubspot.moveDealToStage(id, 'closedwon'));
      const res = await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, events, TEST_SECRET);
      expect(res.status, res.body).toBe(200);
    }

    // Kill both the moment a third is done: dozens of handoffs are then between steps or mid-call.
    let atKill = await handoffCounts(b.rt.store);
    while (atKill.done < DEALS / 3) {
      expect(Date.now() - t0, 'a third done in time').toBeLessThan(300_000);
      await new Promise((r) => setTimeout(r, 50));
      atKill = await handoffCounts(b.rt.store);
    }
    for (const p of first) p.child.kill('SIGKILL');
    const killedAt = Date.now();
    for (const p of first) expect((await p.exited).signal, p.stderr()).toBe('SIGKILL');
    // Measured after both are dead: nothing moves until the replacements start.
    const running = await countHandoffs(b.rt.store, { status: 'running' });
    const pipeline = [b.rt.queues.events, b.rt.queues.route, b.rt.queues.handoff];
    const [activeEvents, activeRoute, active] = await Promise.all(pipeline.map((q) => q.getActiveCount()));
    const stalledBefore = (await jobStats(pipeline)).stalled;
    const snapshot = await handoffCounts(b.rt.store);

    spawn();
    spawn();
    const end = await waitAllDone(b.rt.store, pipeline, DEALS, 400_000);
    const drainS = (Date.now() - t0) / 1000;
    const recoverS = (Date.now() - killedAt) / 1000;
    expect(end).toEqual({ done: DEALS, failed: 0, all: DEALS });
    await waitPipelineIdle(pipeline);

    // Stalled jobs beyond those the dead workers held mean a live worker lost a lock (see UNPACED): say so.
    const jobs = await jobStats(pipeline);
    const effects = countEffects(world, (await listHandoffs(b.rt.store, { limit: DEALS + 10 })).items.map((h) => h.id));
    console.info(
      `[resilience] worker SIGKILL: killed at ${atKill.done} done (${snapshot.done} after both died), ${running} handoffs running; ` +
        `active jobs at the kill: ${activeEvents} events, ${activeRoute} route, ${active} handoff; ` +
        `${jobs.stalled} jobs taken over after stalling (${stalledBefore} before the kill); drain ${drainS.toFixed(1)} s, ` +
        `${recoverS.toFixed(1)} s after the kill; ${effects.issues} Jira issues, ${effects.intros} intros, ${effects.notes} notes`,
    );
    expect(running, 'handoffs were in flight when the workers died').toBeGreaterThan(0);
    // The replacements took over the dead workers' jobs (BullMQ's stalled-job check), not only fresh ones.
    expect(jobs.stalled).toBeGreaterThan(0);

    // One handoff row per deal, and each deal's effects exactly once in the stand-ins.
    const { items } = await listHandoffs(b.rt.store, { limit: DEALS + 10 });
    expect(new Set(items.map((h) => h.dealId)).size).toBe(DEALS);
    expectExactlyOnce(world, items);
  }, 900_000);
});
