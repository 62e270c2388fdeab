// `watch` queue: escalation checks. Each (handoff, trigger, rung, snooze round) is ONE delayed BullMQ job
// with a deterministic id (check-jobs.ts), so re-scheduling is a no-op and no worker can hold two copies.
// The real guard is the store: a fired rung is a row UNIQUE on (handoff, trigger, rung, round), inserted
// before the Slack post (insert-then-send; the post itself is idempotent through its metadata marker). When
// a check fires it reads the LIVE state (the task in Jira/Asana, the document, the deal: live-state.ts) and
// escalates only if the condition still holds (fire-escalation.ts).
import { DelayedError, type Job } from 'bullmq';
import { isRetryable } from '../../src/handoff/errors.js';
import type { JobDeps } from '../job-deps.js';
import type { CheckJob } from '../../src/queue/job-schemas.js';
import { getHandoff } from '../../src/store/handoff-repo.js';
import { appendAudit } from '../../src/store/audit-repo.js';
import { getCheck, getCheckById, updateCheckIf, type CheckRow } from '../../src/store/escalation-repo.js';
import { rungsOf } from '../../src/watch/escalation-ladder.js';
import { isResolved, parseUnless, type WatchCondition } from '../../src/watch/watch-condition.js';
import { mappingOf } from '../mapping-of.js';
import { cancelChecks } from './schedule-checks.js';
import { readLiveState } from './live-state.js';
import { fire } from './fire-escalation.js';
import { reopenIfRetried } from './failed-checks.js';

/** A job that wakes this much before its check's due moment runs anyway (timer granularity). */
const EARLY_TOLERANCE_MS = 1_000;

/** Retries of a check that failed on a retryable error (Slack or the tool down): exponential, capped. */
const MAX_CHECK_RETRIES = 20;
const retryDelayMs = (n: number) => Math.min(600_000, 1_000 * 2 ** Math.max(0, n - 1));

export async function processCheckJob(deps: JobDeps, job: Job, data: CheckJob, token?: string): Promise<string> {
  try {
    return await runCheck(deps, job, data, token);
  } catch (e) {
    // A check job carries no retry options (see checkJob): park it with backoff here. A told wait (Retry-After,
    // an open circuit) is left to the worker's rule for every queue (src/runtime/retry-after.ts); anything
    // but a retryable failure (or too many) fails the job, which stays visible as failed.
    if (e instanceof DelayedError || !token || !isRetryable(e) || e.retryAfterMs !== undefined) throw e;
    if (job.attemptsStarted > MAX_CHECK_RETRIES) throw e;
    await job.moveToDelayed(Date.now() + retryDelayMs(job.attemptsStarted), token);
    throw new DelayedError();
  }
}

async function runCheck(deps: JobDeps, job: Job, [checkId, rungIndex, round]: CheckJob, token?: string): Promise<string> {
  const data = { r: rungIndex, n: round };
  const current = (check: CheckRow | null): check is CheckRow => check !== null && check.status === 'pending' && check.rung === data.r && check.round === data.n;
  let check = await getCheckById(deps.store, checkId);
  if (check && (await reopenIfRetried(deps, check, data))) check = await getCheckById(deps.store, checkId);
  if (!current(check)) return 'stale: the check moved on';
  const key = { handoffId: check.handoffId, triggerId: check.triggerId };
  await rescheduleIfEarly(deps, job, check, token);

  const handoff = await getHandoff(deps.store, key.handoffId);
  if (!handoff || handoff.status === 'stopped') {
    await cancelChecks(deps, key.handoffId, 'the handoff was stopped');
    return 'handoff stopped';
  }
  const mapping = mappingOf(deps, handoff.mapping);
  const spec = mapping?.escalations.find((e) => e.id === key.triggerId);
  const rung = spec ? rungsOf(spec)[data.r] : undefined;
  if (!mapping || !spec || !rung) {
    await updateCheckIf(deps.store, key, { status: 'pending', rung: data.r, round: data.n }, { status: 'cancelled', note: `escalation ${key.triggerId} is no longer in mapping ${handoff.mapping}` });
    return 'escalation removed from the mapping';
  }

  const condition = parseUnless(spec.unless);
  const live = await readLiveState(deps, handoff, mapping, condition);
  // Reading the live state may itself have moved the due date or resolved the check (task webhooks' logic).
  check = await getCheck(deps.store, key.handoffId, key.triggerId);
  if (!current(check)) return 'stale: the check moved on while reading live state';
  await rescheduleIfEarly(deps, job, check, token);

  if (isResolved(condition, live)) {
    if (await updateCheckIf(deps.store, key, { status: 'pending', rung: data.r, round: data.n }, { status: 'resolved', note: `resolved: ${spec.unless ? String(typeof spec.unless === 'string' ? spec.unless : spec.unless.field) : ''} holds` })) {
      await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.resolved', message: `Escalation ${spec.id}: nothing stalled (${describeCondition(condition)} holds), no message sent`, data: { trigger: spec.id, rung: data.r } });
    }
    return 'resolved';
  }
  return fire(deps, handoff, mapping, spec, check, condition);
}

/** The due moment moved later (a changed due date, a snooze): park the job until then instead of firing. */
async function rescheduleIfEarly(deps: JobDeps, job: Job, check: CheckRow, token: string | undefined): Promise<void> {
  const due = Date.parse(check.dueAt);
  if (due <= deps.now().getTime() + EARLY_TOLERANCE_MS || !token) return;
  await job.moveToDelayed(due, token);
  throw new DelayedError();
}

function describeCondition(c: WatchCondition): string {
  switch (c.kind) {
    case 'task':
      return `task.${c.taskId}.${c.state}`;
    case 'document-complete':
      return 'document.complete';
    case 'field':
      return `${c.condition.field} condition`;
    case 'none':
      return 'no condition';
  }
}
