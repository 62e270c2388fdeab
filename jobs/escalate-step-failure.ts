// A handoff step that failed for good after the work exists (the intro, the write-back) is itself an
// escalation: the team lead hears about it in the escalation channel, with the fix the error names, instead
// of the failure waiting on the dashboard for someone to look. Exactly once per (handoff, step): the
// `escalations` row (trigger `step:<id>`, rung 0, round 0) is the claim, inserted before the post, and the
// post carries its own idempotency key, so a retry after a crash resumes the claim without a second message.
import { isPermanent } from '../src/handoff/errors.js';
import type { CrmDeal } from '../src/handoff/ports.js';
import type { JobDeps } from './job-deps.js';
import { postMessageOnce } from './chat-post-claims.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { HandoffRow } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { handoffPageUrl } from '../src/handoff/handoff-url.js';
import { claimEscalation, markEscalation } from '../src/store/escalation-repo.js';
import { buildStepFailureMessage, ESCALATION_EVENT_TYPE } from '../src/watch/escalation-message.js';
import { messagePerson } from './escalation/resolve-owner.js';
import { mappingOf } from './mapping-of.js';

/** Who hears about a failed step: the mapping's `team_lead` role when it declares one. */
export const STEP_FAILURE_NOTIFY_ROLE = 'team_lead';

export const stepFailureTrigger = (stepId: string) => `step:${stepId}`;

/** Posts (once) that `stepId` failed for good; returns what happened, for the audit trail and logs. */
export async function escalateStepFailure(deps: JobDeps, handoff: HandoffRow, stepId: string, error: string): Promise<string> {
  const plan = handoff.plan as StoredPlan;
  const roles = plan.people[STEP_FAILURE_NOTIFY_ROLE] ? [STEP_FAILURE_NOTIFY_ROLE] : [];
  const ref = { handoffId: handoff.id, triggerId: stepFailureTrigger(stepId), rung: 0, round: 0 };
  const reason = `step ${stepId} failed: ${error}`;
  const { escalation, claimed } = await claimEscalation(deps.store, { ...ref, reason, notified: roles.map((role) => ({ role, email: plan.people[role]?.email ?? null })) });
  if (!claimed && escalation.status !== 'claimed') return `already ${escalation.status}`;

  // The channel team leads read: SLACK_ESCALATION_CHANNEL, else the first channel the mapping's escalations name.
  const channel = deps.config.slack.escalationChannel ?? mappingOf(deps, handoff.mapping)?.escalations.find((e) => e.channel)?.channel ?? null;
  const skip = async (why: string) => {
    await markEscalation(deps.store, escalation.id, 'skipped', { channel, ts: null, reason: `${reason} (not sent: ${why})` });
    deps.metrics?.escalations.inc({ trigger: ref.triggerId, outcome: 'skipped' });
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.skipped', message: `Failed step ${stepId} not escalated: ${why}`, data: { ...ref } });
    return `not sent: ${why}`;
  };
  if (!channel || !deps.connectors.teamChat.postMessage) {
    return skip(channel ? 'the chat connector cannot post to channels' : 'no channel: set SLACK_ESCALATION_CHANNEL or `channel` on an escalation of the mapping');
  }
  const message = buildStepFailureMessage({
    title: handoff.title,
    step: stepId,
    error,
    dealUrl: (handoff.deal as CrmDeal | null)?.url ?? null,
    handoffUrl: handoffPageUrl(deps.config.publicUrl, handoff.id),
    notify: await Promise.all(roles.map((r) => messagePerson(deps, plan, r))),
  });
  let posted;
  try {
    posted = await postMessageOnce(deps, {
      handoffId: handoff.id,
      idempotencyKey: `${handoff.id}:escalation:${ref.triggerId}`,
      channel,
      text: message.text,
      blocks: message.blocks,
      metadataType: ESCALATION_EVENT_TYPE,
      metadata: { handoff_id: handoff.id, trigger_id: ref.triggerId, rung: 0, round: 0 },
    });
  } catch (e) {
    if (!isPermanent(e)) throw e; // the run is retried; the claim row lets the retry resume the post
    return skip(e.message);
  }
  await markEscalation(deps.store, escalation.id, 'sent', { channel: posted.channel, ts: posted.ts });
  deps.metrics?.escalations.inc({ trigger: ref.triggerId, outcome: 'sent' });
  await appendAudit(deps.store, {
    handoffId: handoff.id,
    actor: 'worker',
    kind: 'escalation.sent',
    message: `Failed step ${stepId} escalated in ${channel}${roles.length ? ` to the ${roles.join(', ').replace(/_/g, ' ')}` : ''}${deps.connectors.teamChat.mode === 'dry-run' ? ' (dry-run)' : ''}`,
    data: { ...ref, channel: posted.channel, ts: posted.ts },
  });
  return `escalated in ${channel}`;
}
