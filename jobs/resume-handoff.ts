// A stopped handoff (its deal was deleted in the CRM) resumes where it stopped: when the CRM says the deal
// was restored, or when an admin presses Retry. Its status goes back to what it was before the stop; steps
// already done stay done (a run skips them), unfinished ones run; a handoff that had finished gets back the
// escalation checks and the feedback request the stop cancelled. The audit trail records the stop's
// previous status (route.ts stopHandoffs), so nothing else has to remember it.
import type { JobDeps } from './job-deps.js';
import type { HandoffStatus } from '../src/store/schema.js';
import { updateHandoff, type HandoffRow } from '../src/store/handoff-repo.js';
import { appendAudit, listAudit } from '../src/store/audit-repo.js';
import { listChecks, updateCheckIf } from '../src/store/escalation-repo.js';
import { unskipFeedback } from '../src/store/feedback-repo.js';
import { enqueueCheck } from './escalation/check-jobs.js';
import { mappingOf } from './mapping-of.js';
import { scheduleFeedback } from './schedule-feedback.js';
import { enqueueHandoff } from '../src/queue/enqueue.js';

/** Why a handoff was stopped, as its `handoff.stopped` audit entry says. */
export type StopReason = 'deleted' | 'merged';
export const STOPPED_KIND = 'handoff.stopped';

export interface StopRecord {
  reason: StopReason;
  previousStatus: HandoffStatus;
  /** The note its cancelled escalation checks carry. */
  why: string;
}

/** The last stop of the handoff, from the audit trail; null when it has none Baton can resume from. */
export async function lastStop(deps: Pick<JobDeps, 'store'>, handoffId: string): Promise<StopRecord | null> {
  const entry = (await listAudit(deps.store, handoffId)).filter((a) => a.kind === STOPPED_KIND).at(-1);
  const data = (entry?.data ?? null) as Partial<StopRecord> | null;
  if (!data?.reason || !data.previousStatus || typeof data.why !== 'string') return null;
  return { reason: data.reason, previousStatus: data.previousStatus, why: data.why };
}

/** What resuming needs: the store and queues (a dashboard Retry resumes too, without worker connectors). */
export type ResumeDeps = Pick<JobDeps, 'store' | 'queues' | 'now' | 'mappings'>;

export async function resumeHandoff(
  deps: ResumeDeps,
  handoff: HandoffRow,
  how: { actor: string; kind: 'deal.restored' | 'handoff.resumed'; message: string; runReason: string; data?: Record<string, unknown> },
): Promise<HandoffStatus> {
  const stop = await lastStop(deps, handoff.id);
  // A run the stop interrupted starts again; a handoff stopped before any record of its status waits for its run.
  const status: HandoffStatus = !stop || stop.previousStatus === 'running' || stop.previousStatus === 'stopped' ? 'pending' : stop.previousStatus;
  await updateHandoff(deps.store, handoff.id, { status });
  await appendAudit(deps.store, { handoffId: handoff.id, actor: how.actor, kind: how.kind, message: `${how.message}; status ${status}`, data: { ...how.data, status } });
  if (stop) await rearmWatching(deps, { ...handoff, status }, stop.why);
  if (handoff.phase === 'closed' && status === 'pending') await enqueueHandoff(deps, handoff.id, how.runReason);
  return status;
}

/** The checks the stop cancelled wait again (an overdue one runs now, against the live state); so does an unasked feedback request. */
async function rearmWatching(deps: ResumeDeps, handoff: HandoffRow, why: string): Promise<void> {
  for (const c of await listChecks(deps.store, handoff.id)) {
    if (c.status !== 'cancelled' || c.note !== why) continue;
    if (await updateCheckIf(deps.store, c, { status: 'cancelled', rung: c.rung, round: c.round }, { status: 'pending', note: null })) await enqueueCheck(deps, c);
  }
  const mapping = mappingOf(deps, handoff.mapping);
  if (mapping && (await unskipFeedback(deps.store, handoff.id))) await scheduleFeedback(deps, handoff, mapping);
}
