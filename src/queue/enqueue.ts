// The one small API for adding jobs from outside the workers: the HTTP receivers, the dashboard and the
// CLI enqueue here (never by importing a processor), and the processors use the same helpers, so each
// kind of job has one deterministic id wherever it is added.
import type { Queue } from 'bullmq';
import type { BatonQueues } from './queues.js';
import { DEFAULT_JOB_OPTIONS, jobIdFor } from './queues.js';
import type { AsanaStatusJob, EscalationActionJob, FeedbackAnswersJob, HandoffJob, IngestJob, JiraStatusJob, NudgeJob } from './job-schemas.js';

/** Queueing a handoff run: the route job, an admin's Retry, a replay and a resumed handoff. */
export async function enqueueHandoff(deps: { queues: Pick<BatonQueues, 'handoff'> }, handoffId: string, reason: string): Promise<void> {
  // While a run for this handoff is waiting, another add is a no-op; steps are idempotent either way.
  await deps.queues.handoff.add('run', { handoffId, reason } satisfies HandoffJob, { jobId: jobIdFor('handoff', `${handoffId}:${reason}`) });
}

/** Before close: the rep's DM about what the document lacks, delayed (BATON_NUDGE_DELAY_SECONDS) and keyed by the missing set, so a burst of edits is one DM. */
export async function enqueueNudge(deps: { queues: Pick<BatonQueues, 'nudge'>; config: { nudgeDelayMs: number } }, handoffId: string, missingKey: string): Promise<void> {
  await deps.queues.nudge.add('nudge', { handoffId, missingKey } satisfies NudgeJob, { jobId: jobIdFor('nudge', `${handoffId}:${missingKey}`), delay: deps.config.nudgeDelayMs });
}

/** Feedback answers from the Slack modal or the web form (one job per handoff, channel and person: a double submit is one job). */
export async function enqueueFeedbackAnswers(queues: Pick<BatonQueues, 'feedback'>, job: FeedbackAnswersJob): Promise<void> {
  await queues.feedback.add('answers', job, { jobId: jobIdFor('feedback-answers', `${job.handoffId}:${job.via}:${job.by}`), removeOnComplete: { age: 24 * 3600 } });
}

/** An Acknowledge or Snooze click under an escalation message. */
export async function enqueueEscalationAction(queues: Pick<BatonQueues, 'watch'>, job: EscalationActionJob): Promise<void> {
  // A double click is one job; the worker's compare-and-set makes any repeat a no-op anyway.
  await queues.watch.add(job.action, job, {
    jobId: jobIdFor('escalation-action', `${job.action}:${JSON.stringify(job.ref)}:${job.user.id}`),
    // The watch queue has no defaults (see queues.ts): a click brings its own retry policy.
    ...DEFAULT_JOB_OPTIONS,
    removeOnComplete: { age: 3600 },
  });
}

/** A HubSpot webhook batch on the `events` queue: the receiver's one durable write before it answers 200. */
export async function enqueueWebhookBatch(eventsQueue: Queue, job: IngestJob): Promise<void> {
  await eventsQueue.add('hubspot', job);
}

/** A Jira webhook on the `status` queue; a redelivery (same X-Atlassian-Webhook-Identifier) is the same job. */
export async function enqueueJiraStatus(statusQueue: Queue, job: JiraStatusJob): Promise<void> {
  await statusQueue.add('jira-event', job, {
    ...(job.deliveryId ? { jobId: jobIdFor('jira-delivery', job.deliveryId) } : {}),
    removeOnComplete: { age: 24 * 3600 },
  });
}

/** An Asana delivery on the `status` queue: the tasks it names are re-read (its events are thin). */
export async function enqueueAsanaStatus(statusQueue: Queue, job: AsanaStatusJob): Promise<void> {
  await statusQueue.add('asana-event', job, { removeOnComplete: { age: 3600 } });
}
