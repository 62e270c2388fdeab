// Resilience: PostgreSQL stopped and started again under a 200-handoff drain on two worker processes.
// A private cluster (never the shared 5432 one). The last 50 webhooks are acknowledged just before the stop,
// so ingest, route and handoff jobs all meet the outage; every handoff must still finish, once, with no
// duplicate rows in the store and no duplicate objects in the stand-ins.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startBaton, TEST_SECRET } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { startPrivatePostgres } from '../helpers/private-postgres.js';
import { dropQueuePrefix } from '../helpers/drop-queue-prefix.js';
import { expectExactlyOnce } from '../helpers/exactly-once.js';
import { countHandoffs, listHandoffs } from '../../src/store/handoff-repo.js';
import { UNPACED, cleanupStack, handoffCounts, jobStats, waitAllDone, waitPipelineIdle, waitWorkers, workerProcesses } from './resilience-kit.js';

const DEALS = 200;
const LATE = 50; // acknowledged right before the stop
const DOWN_MS = 4_000;

describe('resilience: PostgreSQL restarted mid-drain', () => {
  const onCleanup = cleanupStack();

  it('200 handoffs, PostgreSQL down for 4 s: all finish, no duplicate rows or objects', async () => {
    const world = await startWorld({ deals: DEALS });
    onCleanup(() => world.close());
    const pg = await startPrivatePostgres();
    onCleanup(() => pg.close());
    const b = await startBaton({
      workers: false,
      env: { ...world.env, ...UNPACED, DATABASE_URL: pg.databaseUrl, ...(await ownAddressEnv()) },
    });
    onCleanup(() => dropQueuePrefix(b.env.REDIS_URL!, b.env.BATON_QUEUE_PREFIX!));
    onCleanup(() => b.close());
    const workers = workerProcesses(onCleanup, b.env);
    const procs = [workers.spawn(), workers.spawn()];
    await waitWorkers(b.rt.queues.handoff, 2);
    const pipeline = [b.rt.queues.events, b.rt.queues.route, b.rt.queues.handoff];

    const send = async (from: number, to: number) => {
      for (let i = from; i < to; i += 20) {
        const events = world.dealIds.slice(i, Math.min(i + 20, to)).map((id) => world.hubspot.moveDealToStage(id, 'closedwon'));
        const res = await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, events, TEST_SECRET);
        expect(res.status, res.body).toBe(200);
      }
    };
    const t0 = Date.now();
    await send(0, DEALS - LATE);
    let before = await handoffCounts(b.rt.store);
    while (before.done < (DEALS - LATE) / 4) {
      expect(Date.now() - t0, 'a quarter done in time').toBeLessThan(300_000);
      await new Promise((r) => setTimeout(r, 50));
      before = await handoffCounts(b.rt.store);
    }
    await send(DEALS - LATE, DEALS);
    const running = await countHandoffs(b.rt.store, { status: 'running' });
    const [events, routes, handoffs] = await Promise.all(pipeline.map((q) => q.getJobCounts('active', 'wait')));

    await pg.stop();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, DOWN_MS)); // the outage itself
    await pg.start();
    const downS = (Date.now() - stoppedAt) / 1000;

    const end = await waitAllDone(b.rt.store, pipeline, DEALS, 400_000);
    expect(end).toEqual({ done: DEALS, failed: 0, all: DEALS });
    await waitPipelineIdle(pipeline);
    const drainS = (Date.now() - t0) / 1000;

    // Store: one handoff per deal, one inbox row per event, the four steps once each and all done.
    const db = b.rt.store.db;
    const { items } = await listHandoffs(b.rt.store, { limit: DEALS + 10 });
    expect(new Set(items.map((h) => h.dealId)).size).toBe(DEALS);
    const inbox = await db.selectFrom('inbox_events').select(['status', sql<number>`count(*)`.as('n')]).groupBy('status').execute();
    expect(inbox.map((r) => ({ status: r.status, n: Number(r.n) }))).toEqual([{ status: 'routed', n: DEALS }]);
    const steps = await db.selectFrom('handoff_steps').select(['status', sql<number>`count(*)`.as('n')]).groupBy('status').execute();
    expect(steps.reduce((a, r) => a + Number(r.n), 0)).toBe(DEALS * 4);
    expect(steps.filter((r) => r.status !== 'done' && r.status !== 'skipped')).toEqual([]);
    // The outage really hit work in flight: jobs failed on it and were retried.
    const jobs = await jobStats(pipeline);
    expect(jobs.retried).toBeGreaterThan(0);

    const effects = expectExactlyOnce(world, items);
    // Both workers rode out the restart (a dropped pooled connection must not crash the process).
    for (const p of procs) expect({ code: p.child.exitCode, signal: p.child.signalCode }, p.stderr()).toEqual({ code: null, signal: null });
    console.info(
      `[resilience] postgres restart: stopped at ${before.done} done, ${running} running; active/waiting jobs events ${events!.active}/${events!.wait}, ` +
        `route ${routes!.active}/${routes!.wait}, handoff ${handoffs!.active}/${handoffs!.wait}; down ${downS.toFixed(1)} s; ` +
        `${jobs.retried} of ${jobs.jobs} jobs retried, ${jobs.stalled} stalled; drain ${drainS.toFixed(1)} s; ${effects.issues} Jira issues, ${effects.intros} intros, ${effects.notes} notes`,
    );
  }, 900_000);
});
