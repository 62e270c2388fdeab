// `maintenance` queue, scheduled (BATON_RESUME_EVERY_SECONDS): the store is the truth, Redis holds work in
// flight. A Redis restarted empty (a failover to a lagging replica, persistence misconfigured) loses the
// jobs of handoffs that were pending or half-run; the store still knows each of them. This sweep re-queues
// every closed handoff that is `pending` or `running`, untouched for a while, with no job left in the
// handoff queue. Re-running is safe: steps are unique per handoff and idempotent on their markers, and the
// run lease (jobs/run-lease.ts) keeps two runs of one handoff apart. The job id is deterministic per
// (handoff, last update), so sweeps from several workers add one job.
import type { JobDeps } from './job-deps.js';
import { enqueueHandoff } from '../src/queue/enqueue.js';
import { runLeaseTtlMs } from './run-lease.js';
import { listUnfinishedHandoffs } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';

/** Job states in which a handoff's run is still coming or going on. */
const LIVE_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'] as const;
const PAGE = 1_000;

export async function resumeLostHandoffs(deps: Pick<JobDeps, 'store' | 'queues' | 'now' | 'config' | 'logger'>, limit = 500): Promise<number> {
  // Jobs first, then rows: a handoff created after the scan is younger than the grace and not picked.
  const live = await handoffsWithJobs(deps);
  // Route writes the row, then adds its job: a handoff touched within one lease TTL may not have its job yet.
  const untouchedSince = new Date(deps.now().getTime() - runLeaseTtlMs(deps.config)).toISOString();
  let resumed = 0;
  for (const h of await listUnfinishedHandoffs(deps.store, untouchedSince, limit)) {
    if (live.has(h.id)) continue;
    await enqueueHandoff(deps, h.id, `resume:${h.updatedAt}`);
    await appendAudit(deps.store, { handoffId: h.id, actor: 'worker', kind: 'handoff.resumed', message: 'Resumed: the handoff was unfinished and its job was no longer queued (Redis lost it)' });
    resumed++;
  }
  if (resumed > 0) deps.logger.warn({ resumed }, 'resumed unfinished handoffs whose jobs were lost');
  return resumed;
}

async function handoffsWithJobs(deps: Pick<JobDeps, 'queues'>): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let start = 0; ; start += PAGE) {
    const jobs = await deps.queues.handoff.getJobs([...LIVE_STATES], start, start + PAGE - 1);
    for (const j of jobs) {
      const id = (j?.data as { handoffId?: unknown } | undefined)?.handoffId;
      if (typeof id === 'string') ids.add(id);
    }
    if (jobs.length < PAGE) return ids;
  }
}
