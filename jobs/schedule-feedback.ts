// The feedback request's schedule: created by the schedule-checks step (or again when a stopped handoff
// resumes), its delayed `ask` job added; cancelled when the handoff stops. The processors are in feedback.ts.
import type { JobDeps } from './job-deps.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { FeedbackJob } from '../src/queue/job-schemas.js';
import { jobIdFor } from '../src/queue/queues.js';
import type { Mapping } from '../src/mapping/schema.js';
import { addDuration } from '../src/handoff/calendar.js';
import { parseDuration } from '../src/handoff/durations.js';
import type { HandoffRow } from '../src/store/handoff-repo.js';
import { ensureFeedbackRequest, skipFeedback } from '../src/store/feedback-repo.js';
import { DEFAULT_FEEDBACK_QUESTIONS } from '../src/watch/feedback-questions.js';

/** Ask and remind jobs: one per handoff each (deterministic id), delayed to their moment. */
export const feedbackJobOpts = (kind: string, handoffId: string, delay = 0) => ({ jobId: jobIdFor(`feedback-${kind}`, handoffId), delay, removeOnComplete: true });

/** Part of schedule-checks: the request row and its delayed `ask` job. Null when the mapping asks for none. */
export async function scheduleFeedback(deps: Pick<JobDeps, 'store' | 'queues' | 'now'>, handoff: HandoffRow, mapping: Mapping): Promise<string | null> {
  if (!mapping.feedback) return null;
  const plan = handoff.plan as StoredPlan;
  const closedAt = new Date(handoff.closedAt ?? handoff.createdAt);
  const dueAt = addDuration(closedAt, parseDuration(mapping.feedback.after), plan.calendar).dueAt;
  const { request } = await ensureFeedbackRequest(deps.store, {
    handoffId: handoff.id,
    mapping: mapping.name,
    askRole: mapping.feedback.ask,
    askEmail: plan.people[mapping.feedback.ask]?.email ?? null,
    repEmail: plan.people.sales_rep?.email ?? null,
    questions: mapping.feedback.questions ?? DEFAULT_FEEDBACK_QUESTIONS,
    dueAt: dueAt.toISOString(),
  });
  if (request.status === 'scheduled') {
    await deps.queues.feedback.add('ask', { handoffId: handoff.id } satisfies FeedbackJob, feedbackJobOpts('ask', handoff.id, Math.max(0, dueAt.getTime() - deps.now().getTime())));
  }
  return request.dueAt;
}

/** A stopped handoff asks nobody. */
export async function cancelFeedback(deps: Pick<JobDeps, 'store' | 'queues'>, handoffId: string): Promise<void> {
  await skipFeedback(deps.store, handoffId);
  for (const kind of ['ask', 'remind']) {
    const job = await deps.queues.feedback.getJob(jobIdFor(`feedback-${kind}`, handoffId));
    if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
  }
}
