// The periodic jobs (BullMQ job schedulers) live in Redis. A Redis restarted empty loses them, and nothing
// periodic would run again until a worker restarts: no reconciliation, no sweep for lost checks, feedback and
// handoffs, no task poll. So each worker process writes them at start, again whenever its Redis connection
// comes back (`ready` after a reconnect), and checks every interval that they still exist — re-adding a
// missing one. Existing schedulers are not rewritten by the checks: upserting moves their next run.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Runtime } from './build-runtime.js';

interface SchedulerSpec {
  queue: Queue;
  id: string;
  /** Milliseconds between runs; 0 removes the scheduler. */
  every: number;
}

/** Never check less often than this, whatever the intervals. */
const MAX_CHECK_MS = 60_000;

export function schedulerSpecs(rt: Runtime): SchedulerSpec[] {
  const { config, queues, jobDeps: deps } = rt;
  const liveTool = deps.connectors.workTools().some((t) => t.mode === 'live');
  return [
    // HubSpot gives up on a webhook after about a day: the CRM is swept for deals that closed without one.
    { queue: queues.maintenance, id: 'reconcile', every: deps.connectors.crms().some((c) => c.reader.mode === 'live') ? config.reconcileEveryMs : 0 },
    // Handoffs left unfinished with no job (jobs/resume-lost-handoffs.ts).
    { queue: queues.maintenance, id: 'resume', every: config.resumeEveryMs },
    // Inbox events left pending get their route job back (jobs/inbox-sweep.ts).
    { queue: queues.maintenance, id: 'inbox-sweep', every: config.inboxSweepEveryMs },
    // Retention (jobs/prune.ts): hourly, whatever the connectors.
    { queue: queues.maintenance, id: 'prune', every: 3_600_000 },
    // Overdue checks and feedback sends whose jobs were lost (sweepChecks, sweepFeedback).
    { queue: queues.watch, id: 'sweep', every: config.watch.pollEveryMs },
    // Live task status for webhooks that never came.
    { queue: queues.status, id: 'poll', every: liveTool ? config.watch.pollEveryMs : 0 },
  ];
}

export interface SchedulerKeeper {
  /** Adds the schedulers that are missing (all of them, when `force`, picking up changed intervals). */
  ensure(force?: boolean): Promise<string[]>;
  stop(): void;
}

/** Ensures the schedulers now, then on every reconnect of `connection` and every check interval. */
export async function keepSchedulers(rt: Runtime, connection: Redis): Promise<SchedulerKeeper> {
  const specs = schedulerSpecs(rt);
  const ensure = async (force = false) => {
    const added: string[] = [];
    for (const s of specs) {
      if (s.every <= 0) {
        if (force) await s.queue.removeJobScheduler(s.id);
        continue;
      }
      if (!force && (await s.queue.getJobScheduler(s.id))) continue;
      await s.queue.upsertJobScheduler(s.id, { every: s.every }, { name: s.id });
      added.push(`${s.queue.name}/${s.id}`);
    }
    return added;
  };
  const recheck = (why: string) => {
    ensure().then(
      (added) => added.length > 0 && rt.logger.warn({ schedulers: added, why }, 'job schedulers were missing in Redis (restarted empty?): added again'),
      (err: Error) => rt.logger.debug({ err: err.message }, 'could not check the job schedulers; next check soon'),
    );
  };
  await ensure(true);
  let connectedOnce = connection.status === 'ready';
  const onReady = () => {
    if (connectedOnce) recheck('redis reconnected');
    connectedOnce = true;
  };
  connection.on('ready', onReady);
  const intervals = specs.map((s) => s.every).filter((ms) => ms > 0);
  const timer = setInterval(() => recheck('periodic check'), Math.min(MAX_CHECK_MS, ...intervals));
  timer.unref();
  return {
    ensure,
    stop() {
      clearInterval(timer);
      connection.off('ready', onReady);
    },
  };
}
