// An admin's Retry: a permanently failed step goes back to pending (resetStepForRetry), a step whose
// retries ran out is already pending; either way the handoff is queued again under a fresh job id
// (the old one is kept as a failed job) and the audit trail says who asked. A stopped handoff (its deal
// deleted or merged) is resumed where it stopped instead.
import { getHandoff, updateHandoff } from '../../store/handoff-repo.js';
import { listSteps, resetStepForRetry } from '../../store/step-repo.js';
import { appendAudit } from '../../store/audit-repo.js';
import { enqueueHandoff } from '../../queue/enqueue.js';
import type { Store } from '../../store/database.js';
import type { BatonQueues } from '../../queue/queues.js';
import type { HandoffRow } from '../../store/handoff-repo.js';

export type RetryOutcome = { ok: true; message: string } | { ok: false; status: 404 | 409; message: string };

/**
 * Resuming a stopped handoff re-arms its watching (escalation checks, the feedback request): the workers'
 * logic, shared with a restored deal (jobs/resume-handoff.ts). The runtime passes it in (start-server.ts).
 */
export type ResumeStoppedHandoff = (
  handoff: HandoffRow,
  how: { actor: string; kind: 'handoff.resumed'; message: string; runReason: string; data?: Record<string, unknown> },
) => Promise<unknown>;

export interface RetryDeps {
  store: Store;
  queues: Pick<BatonQueues, 'handoff'>;
  resumeHandoff: ResumeStoppedHandoff;
}

export async function retryStep(deps: RetryDeps, handoffId: string, stepId: string, by: string): Promise<RetryOutcome> {
  const handoff = await getHandoff(deps.store, handoffId);
  if (!handoff) return { ok: false, status: 404, message: 'no such handoff' };
  if (handoff.status === 'stopped') {
    // Stopped with its deal (deleted or merged): the admin resumes it where it stopped (jobs/resume-handoff.ts).
    await resetStepForRetry(deps.store, handoffId, stepId);
    await deps.resumeHandoff(handoff, { actor: `user:${by}`, kind: 'handoff.resumed', message: `${by} resumed the stopped handoff`, runReason: `retry:${stepId}:${Date.now()}`, data: { step: stepId, by } });
    return { ok: true, message: 'Resumed: the handoff is queued again.' };
  }
  const step = (await listSteps(deps.store, handoffId)).find((s) => s.stepId === stepId);
  if (!step) return { ok: false, status: 404, message: `handoff has no step ${stepId}` };
  const reset = await resetStepForRetry(deps.store, handoffId, stepId);
  const exhausted = !reset && handoff.status === 'failed' && step.status === 'pending' && step.lastError !== null;
  if (!reset && !exhausted) return { ok: false, status: 409, message: `step ${stepId} is ${step.status}: nothing to retry (someone may have retried it already)` };
  if (handoff.status === 'failed') await updateHandoff(deps.store, handoffId, { status: 'pending', lastError: null });
  await appendAudit(deps.store, {
    handoffId,
    actor: `user:${by}`,
    kind: 'step.retry_requested',
    message: `${by} asked to retry ${stepId}${step.lastError ? ` (last error: ${step.lastError})` : ''}`,
    data: { step: stepId, by },
  });
  await enqueueHandoff(deps, handoffId, `retry:${stepId}:${Date.now()}`);
  return { ok: true, message: `Retrying ${stepId}: the handoff is queued again.` };
}
