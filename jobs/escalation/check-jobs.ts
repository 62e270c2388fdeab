// The `watch` queue's check jobs: one delayed job per (handoff, trigger, rung, snooze round) under a
// deterministic id (run-check.ts says why). Adding, dropping and moving a check's job happen here only.
import type { JobsOptions } from 'bullmq';
import { createHash } from 'node:crypto';
import type { JobDeps } from '../job-deps.js';
import type { CheckJob } from '../../src/queue/job-schemas.js';
import type { CheckRow } from '../../src/store/escalation-repo.js';
import { checkKey } from '../../src/watch/check-schedule.js';

/** Deterministic per (handoff, trigger, rung, round); 21 characters (120 bits of SHA-1) so the job stays small in Redis. */
export const checkJobId = (k: { handoffId: string; triggerId: string; rung: number; round: number }) =>
  `k${createHash('sha1').update(checkKey(k)).digest('base64url').slice(0, 20)}`;

export type CheckRef = Pick<CheckRow, 'id' | 'handoffId' | 'triggerId' | 'rung' | 'round' | 'dueAt'>;

/**
 * The job of one check: data [check id, rung, round], a deterministic id, the delay, nothing else. Every
 * value stays under Redis' 64-byte listpack limit (~0.4 KB per pending check instead of ~1.1 KB). Retries and
 * removal of finished jobs are the watch worker's (processCheckJob, start-workers), not per-job options.
 */
export function checkJob(c: CheckRef, nowMs: number): { name: 'check'; data: CheckJob; opts: JobsOptions } {
  return { name: 'check', data: [c.id, c.rung, c.round], opts: { jobId: checkJobId(c), delay: Math.max(0, Date.parse(c.dueAt) - nowMs) } };
}

/** Adds the check's job (a no-op when that exact job already waits). */
export async function enqueueCheck(deps: Pick<JobDeps, 'queues' | 'now'>, c: CheckRef): Promise<void> {
  const j = checkJob(c, deps.now().getTime());
  await deps.queues.watch.add(j.name, j.data, j.opts);
}

export async function dropCheckJob(deps: Pick<JobDeps, 'queues'>, c: Pick<CheckRow, 'handoffId' | 'triggerId' | 'rung' | 'round'>): Promise<void> {
  const job = await deps.queues.watch.getJob(checkJobId(c));
  // An active job cannot be removed; it re-reads the row and stops by itself.
  if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
}

/** Same job id, new time: change the delay of the waiting job (or add it when Redis lost it). */
export async function moveCheckJob(deps: JobDeps, c: CheckRow): Promise<void> {
  const job = await deps.queues.watch.getJob(checkJobId(c));
  const delay = Math.max(0, Date.parse(c.dueAt) - deps.now().getTime());
  if (!job) return enqueueCheck(deps, c);
  // An active job re-reads the row and parks itself until the new moment (rescheduleIfEarly).
  if (await job.isDelayed()) await job.changeDelay(delay).catch(() => undefined);
}
