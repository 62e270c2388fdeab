// `feedback` queue: two weeks (the mapping's `feedback.after`) after the close, DM the delivery lead a short
// form (a Slack modal from a button; a signed web link as the fallback); one reminder if unanswered after
// BATON_FEEDBACK_REMINDER (3 business days); the answers go to the store, to the rep and onto the deal as a
// note. Jobs have deterministic ids and every send is idempotent on its key, so nothing goes twice.
// Scheduling and cancelling the request: schedule-feedback.ts.
import type { JobDeps } from './job-deps.js';
import { sendDirectMessageOnce } from './chat-post-claims.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { FeedbackAnswersJob, FeedbackJob } from '../src/queue/job-schemas.js';
import { addDuration } from '../src/handoff/calendar.js';
import { parseDuration } from '../src/handoff/durations.js';
import { getHandoff } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import {
  getFeedbackRequest,
  listFeedbackToSweep,
  markFeedbackAsked,
  markFeedbackReminded,
  recordFeedbackAnswers,
  skipFeedback,
} from '../src/store/feedback-repo.js';
import { accuracyOf, checkAnswers, wrongSectionsOf } from '../src/watch/feedback-questions.js';
import { buildFeedbackAsk, buildFeedbackNote, buildRepSummary } from '../src/watch/feedback-messages.js';
import { createFormToken } from '../src/watch/feedback-form-token.js';
import { handoffPageUrl } from '../src/handoff/handoff-url.js';
import { feedbackJobOpts } from './schedule-feedback.js';

/** The web form link, when BATON_FEEDBACK_FORM_SECRET is set. */
export function feedbackFormUrl(deps: Pick<JobDeps, 'config' | 'now'>, handoffId: string): string | null {
  const secret = deps.config.watch.feedbackFormSecret;
  return secret ? `${deps.config.publicUrl}/feedback/${createFormToken(secret, handoffId, deps.now())}` : null;
}

export async function processFeedbackAsk(deps: JobDeps, { handoffId }: FeedbackJob, reminder = false): Promise<string> {
  const req = await getFeedbackRequest(deps.store, handoffId);
  const handoff = await getHandoff(deps.store, handoffId);
  if (!req || !handoff) return 'no feedback request';
  if (reminder ? req.status !== 'asked' || req.remindedAt !== null : req.status !== 'scheduled') return `nothing to do (${req.status})`;
  if (handoff.status === 'stopped') {
    await skipFeedback(deps.store, handoffId);
    return 'handoff stopped';
  }
  if (!req.askEmail) {
    await skipFeedback(deps.store, handoffId);
    await appendAudit(deps.store, { handoffId, actor: 'worker', kind: 'feedback.skipped', message: `No email for the ${req.askRole} role: feedback not requested` });
    return 'no email';
  }
  const message = buildFeedbackAsk({ handoffId, title: handoff.title, formUrl: feedbackFormUrl(deps, handoffId), reminder });
  const sent = await sendDirectMessageOnce(deps, { idempotencyKey: `${handoffId}:feedback-${reminder ? 'reminder' : 'ask'}`, handoffId, email: req.askEmail, text: message.text, blocks: message.blocks });
  if ('skipped' in sent) {
    if (!reminder) await skipFeedback(deps.store, handoffId);
    await appendAudit(deps.store, { handoffId, actor: 'worker', kind: 'feedback.skipped', message: `Feedback ${reminder ? 'reminder' : 'request'} not sent: ${sent.skipped}` });
    return sent.skipped;
  }
  if (reminder) {
    await markFeedbackReminded(deps.store, handoffId);
    await appendAudit(deps.store, { handoffId, actor: 'worker', kind: 'feedback.reminded', message: `Reminded ${req.askEmail} about the feedback` });
    return 'reminded';
  }
  await markFeedbackAsked(deps.store, handoffId);
  await appendAudit(deps.store, { handoffId, actor: 'worker', kind: 'feedback.asked', message: `Asked ${req.askEmail} (${req.askRole}) for feedback on the handoff` });
  const plan = handoff.plan as StoredPlan;
  const remindAt = addDuration(deps.now(), parseDuration(deps.config.watch.feedbackReminder), plan.calendar).dueAt;
  await deps.queues.feedback.add('remind', { handoffId } satisfies FeedbackJob, feedbackJobOpts('remind', handoffId, Math.max(0, remindAt.getTime() - deps.now().getTime())));
  return 'asked';
}

/**
 * Answers from the modal or the web form. The first submission is stored; the rep's DM and the CRM note
 * always come from the stored answers with fixed keys, so a retry after a crash completes them and a
 * second submission changes nothing.
 */
export async function processFeedbackAnswers(deps: JobDeps, job: FeedbackAnswersJob): Promise<string> {
  const req = await getFeedbackRequest(deps.store, job.handoffId);
  const handoff = await getHandoff(deps.store, job.handoffId);
  if (!req || !handoff) return 'no feedback request';
  if (req.status !== 'answered') {
    const { answers, errors } = checkAnswers(req.questions, job.raw);
    if (Object.keys(errors).length > 0) return `invalid answers: ${Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`;
    const recorded = await recordFeedbackAnswers(deps.store, job.handoffId, {
      answers,
      answeredBy: job.by,
      accuracy: accuracyOf(req.questions, answers),
      wrongSections: wrongSectionsOf(req.questions, answers),
    });
    if (recorded) {
      await appendAudit(deps.store, { handoffId: job.handoffId, actor: job.via === 'slack' ? `slack:${job.by}` : 'web-form', kind: 'feedback.answered', message: `Feedback answered by ${job.by} (${job.via === 'slack' ? 'Slack' : 'web form'})`, data: { answers } });
    }
  }
  const stored = await getFeedbackRequest(deps.store, job.handoffId);
  if (!stored?.answers) return 'not answered';
  const from = stored.askEmail ?? stored.answeredBy ?? 'the delivery lead';
  if (stored.repEmail) {
    await sendDirectMessageOnce(deps, {
      idempotencyKey: `${job.handoffId}:feedback-to-rep`,
      handoffId: job.handoffId,
      email: stored.repEmail,
      text: buildRepSummary({ title: handoff.title, from, questions: stored.questions, answers: stored.answers, handoffUrl: handoffPageUrl(deps.config.publicUrl, handoff.id) }),
    });
  }
  const writer = deps.connectors.crm(handoff.crm).writer;
  if (writer.addNote) {
    await writer.addNote({ handoffId: job.handoffId, idempotencyKey: `${job.handoffId}:feedback`, dealId: handoff.dealId, note: buildFeedbackNote({ title: handoff.title, from, questions: stored.questions, answers: stored.answers }) });
  }
  return stored.answeredBy === job.by && stored.answeredAt ? 'answered' : 'already answered';
}

/**
 * The feedback half of the sweep (the check half is sweepChecks): an ask or reminder more than a minute overdue
 * may have lost its delayed job with Redis. Re-adding is safe: same job id, and the processor acts only on a
 * request still waiting for that send (the DM itself is idempotent on its key).
 */
export async function sweepFeedback(deps: Pick<JobDeps, 'store' | 'queues' | 'now' | 'config'>, limit = 1_000): Promise<number> {
  const before = deps.now().getTime() - 60_000;
  let added = 0;
  for (const req of await listFeedbackToSweep(deps.store, new Date(before).toISOString(), limit)) {
    if (req.status === 'scheduled') {
      await deps.queues.feedback.add('ask', { handoffId: req.handoffId } satisfies FeedbackJob, feedbackJobOpts('ask', req.handoffId));
      added++;
      continue;
    }
    const handoff = await getHandoff(deps.store, req.handoffId);
    if (!handoff || !req.askedAt) continue;
    const remindAt = addDuration(new Date(req.askedAt), parseDuration(deps.config.watch.feedbackReminder), (handoff.plan as StoredPlan).calendar).dueAt;
    if (remindAt.getTime() >= before) continue; // its job is still due later: a later sweep covers it if lost
    await deps.queues.feedback.add('remind', { handoffId: req.handoffId } satisfies FeedbackJob, feedbackJobOpts('remind', req.handoffId));
    added++;
  }
  return added;
}
