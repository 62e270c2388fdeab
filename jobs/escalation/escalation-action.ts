// The buttons under an escalation message (queued by src/http/slack-interactions.ts): Acknowledge stops the
// ladder, Snooze checks the same rung again later. Both are compare-and-set on the check row, so a double
// click or a click racing the check changes nothing twice.
import type { JobDeps } from '../job-deps.js';
import type { EscalationActionJob } from '../../src/queue/job-schemas.js';
import { appendAudit } from '../../src/store/audit-repo.js';
import { getCheck, listEscalations, markEscalationSnoozed, updateCheckIf } from '../../src/store/escalation-repo.js';
import { checkKey } from '../../src/watch/check-schedule.js';
import { buildActionReply, ESCALATION_EVENT_TYPE } from '../../src/watch/escalation-message.js';
import { postMessageOnce } from '../chat-post-claims.js';
import { dropCheckJob, enqueueCheck } from './check-jobs.js';

/** Acknowledge (stops the ladder) or Snooze (re-check this rung after BATON_SNOOZE_SECONDS), from a Slack button. */
export async function processEscalationAction(deps: JobDeps, a: EscalationActionJob): Promise<string> {
  const { ref } = a;
  const key = { handoffId: ref.handoffId, triggerId: ref.triggerId };
  const check = await getCheck(deps.store, key.handoffId, key.triggerId);
  if (!check) return 'no such check';
  const who = a.user.name ? `${a.user.name} (${a.user.id})` : a.user.id;
  const fired = await listEscalations(deps.store, ref.handoffId);
  const clicked = fired.find((e) => e.triggerId === ref.triggerId && e.rung === ref.rung && e.round === ref.round);
  if (!clicked) return 'no such escalation';

  if (a.action === 'ack') {
    if (!(await updateCheckIf(deps.store, key, { status: ['pending', 'finished'] }, { status: 'acknowledged', ackedBy: who, ackedAt: a.at }))) return `already ${check.status}`;
    if (check.status === 'pending') await dropCheckJob(deps, check);
    await appendAudit(deps.store, { handoffId: ref.handoffId, actor: `slack:${a.user.id}`, kind: 'escalation.acknowledged', message: `Escalation ${ref.triggerId} acknowledged by ${who}: the ladder stops`, data: { ...ref, user: a.user } });
    await reply(deps, clicked, buildActionReply('ack', a.user.id), `${ref.handoffId}:escalation-ack:${ref.triggerId}`);
    return 'acknowledged';
  }

  // Snooze: only the latest message of the ladder can be snoozed, and each message once.
  const latest = fired.filter((e) => e.triggerId === ref.triggerId).at(-1);
  if (check.status !== 'pending' && check.status !== 'finished') return `already ${check.status}`;
  if (latest?.id !== clicked.id) return 'a newer escalation exists';
  if (!(await markEscalationSnoozed(deps.store, clicked.id, who))) return 'already snoozed';
  const until = new Date(Date.parse(a.at) + deps.config.watch.snoozeMs).toISOString();
  const next = { rung: ref.rung, round: ref.round + 1, dueAt: until };
  if (!(await updateCheckIf(deps.store, key, { status: check.status, rung: check.rung, round: check.round }, { status: 'pending', ...next, snoozedBy: who, snoozedUntil: until }))) return 'the check moved on';
  if (check.status === 'pending') await dropCheckJob(deps, check);
  await enqueueCheck(deps, { id: check.id, ...key, ...next });
  await appendAudit(deps.store, { handoffId: ref.handoffId, actor: `slack:${a.user.id}`, kind: 'escalation.snoozed', message: `Escalation ${ref.triggerId} snoozed by ${who} until ${until}: checked again then`, data: { ...ref, user: a.user, until } });
  await reply(deps, clicked, buildActionReply('snooze', a.user.id, new Date(until)), `${ref.handoffId}:escalation-snooze:${checkKey(ref)}`);
  return 'snoozed';
}

/** A short reply under the escalation message; best effort (the audit trail has the record). */
async function reply(deps: JobDeps, e: { handoffId: string; channel: string | null; messageTs: string | null; triggerId: string; rung: number; round: number }, text: string, idempotencyKey: string): Promise<void> {
  if (!e.channel || !e.messageTs || !deps.connectors.teamChat.postMessage) return;
  try {
    await postMessageOnce(deps, { handoffId: e.handoffId, idempotencyKey, channel: e.channel, threadTs: e.messageTs, text, metadataType: ESCALATION_EVENT_TYPE, metadata: { handoff_id: e.handoffId, trigger_id: e.triggerId, reply: true } });
  } catch (err) {
    deps.logger.warn({ handoffId: e.handoffId, err: err instanceof Error ? err.message : String(err) }, 'could not reply under the escalation');
  }
}
