// The fired rung's message goes out: once (postMessageOnce on a key per rung and round), in the rung's
// channel or SLACK_ESCALATION_CHANNEL; the escalation row and the audit trail say what happened.
import { isPermanent } from '../../src/handoff/errors.js';
import type { JobDeps } from '../job-deps.js';
import type { StoredPlan } from '../../src/mapping/build-handoff.js';
import type { EscalationSpec } from '../../src/mapping/schema.js';
import type { HandoffRow } from '../../src/store/handoff-repo.js';
import { appendAudit } from '../../src/store/audit-repo.js';
import { markEscalation, type CheckRow } from '../../src/store/escalation-repo.js';
import { checkKey } from '../../src/watch/check-schedule.js';
import type { WatchCondition } from '../../src/watch/watch-condition.js';
import { ESCALATION_EVENT_TYPE, type EscalationRef } from '../../src/watch/escalation-message.js';
import { postMessageOnce } from '../chat-post-claims.js';
import { assembleEscalation } from './assemble-escalation.js';

/** Posts the fired rung in its channel (or records why not) and settles its escalation row: sent, skipped or failed. */
export async function postEscalation(
  deps: JobDeps,
  handoff: HandoffRow,
  plan: StoredPlan,
  spec: EscalationSpec,
  channelName: string | null,
  notify: string[],
  check: CheckRow,
  condition: WatchCondition,
  stalled: string,
  escalationId: number,
  ref: EscalationRef,
): Promise<string> {
  const channel = channelName ?? deps.config.slack.escalationChannel ?? null;
  if (!channel || !deps.connectors.teamChat.postMessage) {
    const why = channel ? 'the chat connector cannot post to channels' : 'no channel: set `channel` on the escalation or SLACK_ESCALATION_CHANNEL';
    await markEscalation(deps.store, escalationId, 'skipped', { channel, ts: null, reason: `${stalled} (not sent: ${why})` });
    deps.metrics?.escalations.inc({ trigger: spec.id, outcome: 'skipped' });
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.skipped', message: `Escalation ${spec.id} (level ${ref.rung + 1}): ${stalled}; not sent: ${why}`, data: { ...ref } });
    return `not sent: ${why}`;
  }

  const message = await assembleEscalation(deps, { handoff, plan, check, condition, stalled, notify, ref });
  let posted;
  try {
    posted = await postMessageOnce(deps, {
      handoffId: handoff.id,
      idempotencyKey: `${handoff.id}:escalation:${checkKey(ref)}`,
      channel,
      text: message.text,
      blocks: message.blocks,
      metadataType: ESCALATION_EVENT_TYPE,
      metadata: { handoff_id: handoff.id, trigger_id: spec.id, rung: ref.rung, round: ref.round },
    });
  } catch (e) {
    if (!isPermanent(e)) throw e; // retried by BullMQ: the claim row lets the retry resume
    // Failed, not skipped: an admin has to act (the message names the fix, e.g. a missing Slack scope). The job
    // then fails for good and the check is recorded failed (recordCheckFailed); retrying that job posts it then.
    await markEscalation(deps.store, escalationId, 'failed', { channel, ts: null, reason: `${stalled} (not sent: ${e.message})` });
    deps.metrics?.escalations.inc({ trigger: spec.id, outcome: 'failed' });
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.failed', message: `Escalation ${spec.id} could not be posted to ${channel}: ${e.message}`, data: { ...ref } });
    throw e;
  }
  await markEscalation(deps.store, escalationId, 'sent', { channel: posted.channel, ts: posted.ts });
  deps.metrics?.escalations.inc({ trigger: spec.id, outcome: 'sent' });
  await appendAudit(deps.store, {
    handoffId: handoff.id,
    actor: 'worker',
    kind: 'escalation.sent',
    message: `Escalation ${spec.id}${ref.rung > 0 ? ` (level ${ref.rung + 1})` : ''}: ${stalled}; posted in ${channel}${deps.connectors.teamChat.mode === 'dry-run' ? ' (dry-run)' : ''}`,
    data: { ...ref, channel: posted.channel, ts: posted.ts, notify },
  });
  return `escalated in ${channel}`;
}
