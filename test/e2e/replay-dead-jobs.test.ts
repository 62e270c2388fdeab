// One dead-letter view for every queue: a job that ended failed in any of Baton's queues is listed by
// `baton replay` and by the admin page alike, and `baton replay --job <queue>/<id>` runs it again.
import { Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, type Harness } from '../helpers/baton-harness.js';
import { runReplay } from '../helpers/replay-cli.js';
import { QUEUE_NAMES } from '../../src/queue/queues.js';
import { createWorkerConnection } from '../../src/queue/redis-connection.js';

describe('dead-lettered jobs in every queue', () => {
  let b: Harness;
  const saved = { ...process.env };
  const workers: Worker[] = [];
  let broken = true;
  beforeAll(async () => {
    // No Baton workers: each queue gets a stand-in processor that fails until the "cause" is fixed.
    b = await startBaton({ workers: false });
    Object.assign(process.env, b.env); // the CLI reads the same env as the running Baton
    for (const name of Object.values(QUEUE_NAMES)) {
      const processor = async (job: Job) => {
        if (broken) throw new Error(`${name} job ${job.id} failed: the cause is not fixed yet`);
        return 'ok';
      };
      workers.push(new Worker(name, processor, { connection: createWorkerConnection(b.rt.config.redisUrl, b.rt.config.redisOptions), prefix: b.rt.config.queuePrefix }));
    }
  });
  afterAll(async () => {
    process.env = saved;
    await Promise.all(workers.map((w) => w.close()));
    await b.close();
  });

  const cli = runReplay;

  it('lists a failed job of each queue in the CLI and on the admin page, and the CLI replays each', async () => {
    const dead: { queue: string; id: string }[] = [];
    for (const q of b.rt.queues.all()) {
      const job = await q.add('dead-letter-probe', { handoffId: `h-${q.name}` }, { jobId: `probe-${q.name}`, attempts: 1 });
      dead.push({ queue: q.name, id: job.id! });
    }
    expect(dead.map((d) => d.queue).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
    await waitFor(async () => (await Promise.all(b.rt.queues.all().map((q) => q.getFailedCount()))).every((n) => n === 1), 'one failed job per queue');

    const listed = await cli([]);
    const admin = (await b.api('/api/dashboard/admin')) as { dead: { jobs: { queue: string; id: string; failedReason: string; handoffId: string | null }[] } };
    for (const d of dead) {
      expect(listed.text).toContain(`${d.queue}/${d.id}`);
      expect(admin.dead.jobs).toContainEqual(expect.objectContaining({ queue: d.queue, id: d.id, handoffId: `h-${d.queue}` }));
    }

    broken = false; // the admin fixed the cause
    for (const d of dead) {
      const r = await cli([], { job: `${d.queue}/${d.id}` });
      expect(r).toEqual({ code: 0, text: `retried ${d.queue}/${d.id}\n` });
    }
    await waitFor(async () => {
      const states = await Promise.all(dead.map(async (d) => (await b.rt.queues.all().find((q) => q.name === d.queue)!.getJob(d.id))?.getState()));
      return states.every((s) => s === 'completed');
    }, 'every replayed job completed');
    expect((await cli([])).text).toContain('No dead-lettered jobs.');
    // A job that is not dead-lettered is refused with the form to use.
    expect(await cli([], { job: `${QUEUE_NAMES.watch}/no-such-job` })).toEqual({ code: 1, text: `no failed job ${QUEUE_NAMES.watch}/no-such-job (use queue/id as listed)\n` });
  });
});
