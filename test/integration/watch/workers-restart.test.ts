// No rung fires twice: three worker processes' worth of BullMQ workers share one Redis and one PostgreSQL,
// one of them is shut down and a fresh one started in the middle of the ladders, and a check job lost from
// Redis is re-added by the sweep. Every (handoff, rung) message exists exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, type Harness } from '../../helpers/baton-harness.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { ESC_CHANNEL, sleep, startWatchWorld, watchMapping, type WatchWorld } from './watch-world.js';
import { getCheck, listEscalations, updateCheckIf } from '../../../src/store/escalation-repo.js';
import { checkJobId } from '../../../jobs/escalation/check-jobs.js';
import { sweepChecks } from '../../../jobs/escalation/sweep-checks.js';

const LADDER = watchMapping(
  'watch-ladder',
  `escalations:
  - id: kickoff-not-done
    after: 2 seconds
    unless: task.kickoff.done
    notify: [project_lead]
    channel: ${ESC_CHANNEL}
    then: { after: 2 seconds, notify: [sales_rep] }`,
);
const HANDOFFS = 30;

describe('several workers and a restart', () => {
  let pg: TestStore;
  let w: WatchWorld;
  const extra: Harness[] = [];
  beforeAll(async () => {
    pg = await storeBackends().find((x) => x.name === 'postgres')!.open();
    w = await startWatchWorld({ mappings: { 'watch-ladder': LADDER }, env: { DATABASE_URL: pg.databaseUrl, BATON_WORKER_CONCURRENCY: '4' } });
  });
  afterAll(async () => {
    for (const h of extra) await h.close().catch(() => undefined);
    await w.close();
    await pg.cleanup();
  });

  it('each rung of each handoff is posted exactly once', async () => {
    // Two more "processes" (runtimes with their own workers and connections) on the same Redis prefix and database.
    const second = await startBaton({ env: w.b.env });
    extra.push(second);
    extra.push(await startBaton({ env: w.b.env }));

    const seeded: string[] = [];
    for (let i = 0; i < HANDOFFS; i++) seeded.push((await w.seed({ mapping: 'watch-ladder', dealId: String(8400 + i) })).handoff.id);

    // Mid-ladder: one worker process stops (graceful, jobs in flight finish or are taken over) and a new one starts.
    await waitFor(async () => w.escalations().length >= HANDOFFS / 2, 'half of rung 0', 15_000);
    await second.workers!.close();
    extra.push(await startBaton({ env: w.b.env }));

    await waitFor(async () => {
      for (const id of seeded) if ((await getCheck(w.b.rt.store, id, 'kickoff-not-done'))?.status !== 'finished') return false;
      return true;
    }, 'every ladder finished', 30_000);
    await sleep(2_500);

    const keys = w.escalations().map((m) => `${m.metadata!.event_payload.handoff_id}:${m.metadata!.event_payload.rung}:${m.metadata!.event_payload.round}`);
    expect(keys).toHaveLength(HANDOFFS * 2);
    expect(new Set(keys).size).toBe(HANDOFFS * 2);
    for (const id of seeded) {
      expect((await listEscalations(w.b.rt.store, id)).map((e) => [e.rung, e.status])).toEqual([
        [0, 'sent'],
        [1, 'sent'],
      ]);
    }
  });

  it('a check job lost from Redis is re-added by the sweep and fires once', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-ladder', dealId: '8499' });
    const key = { handoffId: handoff.id, triggerId: 'kickoff-not-done', rung: 0, round: 0 };
    await (await w.b.rt.queues.watch.getJob(checkJobId(key)))!.remove(); // Redis lost it (failover without AOF)
    // Its due moment passed a while ago.
    await updateCheckIf(w.b.rt.store, key, { status: 'pending', rung: 0, round: 0 }, { dueAt: new Date(Date.now() - 120_000).toISOString() });
    expect(await sweepChecks(w.b.rt.jobDeps)).toBeGreaterThanOrEqual(1);
    await waitFor(async () => w.escalations(handoff.id).length === 1, 'fired after the sweep', 10_000);
    // Sweeping again while rung 1 waits does not add anything that fires twice.
    await sweepChecks(w.b.rt.jobDeps);
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status === 'finished', 'finished', 10_000);
    await sleep(1_000);
    expect(w.escalations(handoff.id)).toHaveLength(2);
  });
});
