// A check job that failed for good, and the way back: its check is recorded `failed` (with how to retry),
// and only a retry of that very job makes it pending again.
import type { Job } from 'bullmq';
import type { JobDeps } from '../job-deps.js';
import { CheckJobSchema, type CheckJob } from '../../src/queue/job-schemas.js';
import { appendAudit } from '../../src/store/audit-repo.js';
import { getCheckById, updateCheckIf, type CheckRow } from '../../src/store/escalation-repo.js';
import { checkJobId } from './check-jobs.js';

/**
 * A check job that failed for good (a permanent error, retries spent, bad data): its check leaves `pending`
 * for `failed`, with the reason and how to retry, on the handoff page and the admin page's failed work.
 * Compare-and-set on the rung and round the job was for: a check that moved on is left alone.
 */
export async function recordCheckFailed(deps: Pick<JobDeps, 'store'>, [checkId, rung, round]: CheckJob, reason: string): Promise<boolean> {
  const check = await getCheckById(deps.store, checkId);
  if (!check) return false;
  const key = { handoffId: check.handoffId, triggerId: check.triggerId };
  const retry = `baton replay --job watch/${checkJobId({ ...key, rung, round })}`;
  const note = `level ${rung + 1} failed: ${reason}. Fix the cause, then retry: ${retry}`;
  if (!(await updateCheckIf(deps.store, key, { status: 'pending', rung, round }, { status: 'failed', note }))) return false;
  await appendAudit(deps.store, { handoffId: key.handoffId, actor: 'worker', kind: 'escalation.failed', message: `Escalation ${key.triggerId} ${note}`, data: { trigger: key.triggerId, rung, round, reason } });
  return true;
}

/** The watch worker's failed event: a check job that left for good (finishedOn set) records its check failed. */
export async function onCheckJobFailed(deps: JobDeps, job: Job | undefined, err: Error): Promise<void> {
  if (job?.name !== 'check' || !job.finishedOn) return;
  const data = CheckJobSchema.safeParse(job.data);
  if (!data.success) return; // nothing to record against: the dead-letter view shows the job
  await recordCheckFailed(deps, data.data, err.message).catch((e: unknown) =>
    deps.logger.error({ jobId: job.id, err: e instanceof Error ? e.message : String(e) }, 'could not record a failed check (the sweep will)'),
  );
}

/** The only way back from `failed`: someone retried the dead-lettered job of that very rung and round. */
export async function reopenIfRetried(deps: JobDeps, check: CheckRow, data: { r: number; n: number }): Promise<boolean> {
  if (check.status !== 'failed' || check.rung !== data.r || check.round !== data.n) return false;
  const key = { handoffId: check.handoffId, triggerId: check.triggerId };
  if (!(await updateCheckIf(deps.store, key, { status: 'failed', rung: data.r, round: data.n }, { status: 'pending', note: null }))) return false;
  await appendAudit(deps.store, { handoffId: key.handoffId, actor: 'worker', kind: 'escalation.retried', message: `Escalation ${key.triggerId}: its failed check runs again (was: ${check.note ?? 'failed'})`, data: { trigger: key.triggerId, rung: data.r, round: data.n } });
  return true;
}
