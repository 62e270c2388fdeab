// `watch` queue: escalation checks. Each (handoff, trigger, rung, snooze round) is ONE delayed BullMQ job
// with a deterministic id, so re-scheduling is a no-op and no worker can hold two copies. The real guard
// is the store: a fired rung is a row UNIQUE on (handoff, trigger, rung, round), inserted before the
// Slack post (insert-then-send; the post itself is idempotent through its metadata marker). When a check
// fires it reads the LIVE state (the task in Jira/Asana, the document, the deal) and escalates only if
// the condition still holds.
import { DelayedError, type Job, type JobsOptions } from 'bullmq';
import { createHash } from 'node:crypto';
import { isPermanent, isRetryable } from '../src/handoff/errors.js';
import type { CrmDeal } from '../src/handoff/ports.js';
import type { JobDeps } from './job-deps.js';
import { postMessageOnce } from './chat-post-claims.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import { CheckJobSchema, type CheckJob, type EscalationActionJob } from '../src/queue/job-schemas.js';
import type { EscalationSpec, Mapping } from '../src/mapping/schema.js';
import { buildHandoff } from '../src/mapping/build-handoff.js';
import { buildTemplateContext } from '../src/mapping/context.js';
import { getHandoff, updateHandoff, type HandoffRow } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import {
  cancelPendingChecks,
  claimEscalation,
  ensureCheck,
  getCheck,
  getCheckById,
  listEscalations,
  listOverdueChecks,
  listPendingChecks,
  markEscalation,
  markEscalationSnoozed,
  updateCheckIf,
  type CheckRow,
  type NotifiedPerson,
} from '../src/store/escalation-repo.js';
import { getTaskStatus, type TaskChange, type TaskStatusRow } from '../src/store/task-status-repo.js';
import type { ObservedTask } from '../src/store/task-status-repo.js';
import { rungsOf } from '../src/watch/escalation-ladder.js';
import { atTask, checkKey, dueDateToInstant, firstDue, nextRungDue } from '../src/watch/check-schedule.js';
import { conditionTask, describeStall, isResolved, parseUnless, type LiveState, type WatchCondition } from '../src/watch/watch-condition.js';
import { buildActionReply, buildEscalationMessage, ESCALATION_EVENT_TYPE, type EscalationRef } from '../src/watch/escalation-message.js';
import type { MessagePerson } from '../src/watch/slack-text.js';
import { refreshTasks } from './task-status.js';
import { readCurrentDeal } from './read-deal.js';
import { cancelFeedback } from './feedback.js';
import { handoffPageUrl } from '../src/handoff/handoff-url.js';
import { mappingOf } from './mapping-of.js';

/** A job that wakes this much before its check's due moment runs anyway (timer granularity). */
const EARLY_TOLERANCE_MS = 1_000;

/** Deterministic per (handoff, trigger, rung, round); 21 characters (120 bits of SHA-1) so the job stays small in Redis. */
export const checkJobId = (k: { handoffId: string; triggerId: string; rung: number; round: number }) =>
  `k${createHash('sha1').update(checkKey(k)).digest('base64url').slice(0, 20)}`;

/** Retries of a check that failed on a retryable error (Slack or the tool down): exponential, capped. */
const MAX_CHECK_RETRIES = 20;
const retryDelayMs = (n: number) => Math.min(600_000, 1_000 * 2 ** Math.max(0, n - 1));

type CheckRef = Pick<CheckRow, 'id' | 'handoffId' | 'triggerId' | 'rung' | 'round' | 'dueAt'>;

/**
 * The job of one check: data [check id, rung, round], a deterministic id, the delay, nothing else. Every
 * value stays under Redis' 64-byte listpack limit (~0.4 KB per pending check instead of ~1.1 KB). Retries and
 * removal of finished jobs are the watch worker's (processCheckJob, start-workers), not per-job options.
 */
export function checkJob(c: CheckRef, nowMs: number): { name: 'check'; data: CheckJob; opts: JobsOptions } {
  return { name: 'check', data: [c.id, c.rung, c.round], opts: { jobId: checkJobId(c), delay: Math.max(0, Date.parse(c.dueAt) - nowMs) } };
}

/** Adds the check's job (a no-op when that exact job already waits). */
export async function enqueueCheck(deps: Pick<JobDeps, 'queues' | 'now'>, c: CheckRef): Promise<void> {
  const j = checkJob(c, deps.now().getTime());
  await deps.queues.watch.add(j.name, j.data, j.opts);
}

async function dropCheckJob(deps: Pick<JobDeps, 'queues'>, c: Pick<CheckRow, 'handoffId' | 'triggerId' | 'rung' | 'round'>): Promise<void> {
  const job = await deps.queues.watch.getJob(checkJobId(c));
  // An active job cannot be removed; it re-reads the row and stops by itself.
  if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
}

/**
 * The schedule-checks step: one check per escalation of the mapping (rung 0), due from the close or at
 * the task's due moment. Re-running is harmless: existing checks and jobs are kept.
 */
export async function scheduleChecks(deps: JobDeps, handoff: HandoffRow, mapping: Mapping): Promise<{ scheduled: string[]; skipped: string[] }> {
  const plan = handoff.plan as StoredPlan;
  const closedAt = new Date(handoff.closedAt ?? handoff.createdAt);
  const scheduled: string[] = [];
  const skipped: string[] = [];
  for (const spec of mapping.escalations) {
    const taskDueAt = async (taskId: string) => {
      const live = await getTaskStatus(deps.store, handoff.id, taskId);
      const planned = plan.work.tasks.find((t) => t.id === taskId);
      // The planned instant unless the tool already holds another date (moved before this step ran).
      if (live?.dueDate && live.dueDate !== planned?.dueDate) return dueDateToInstant(live.dueDate, plan.calendar);
      if (planned?.dueAt) return new Date(planned.dueAt);
      return live?.dueDate ? dueDateToInstant(live.dueDate, plan.calendar) : null;
    };
    const task = atTask(spec);
    const taskDue = task ? await taskDueAt(task) : null;
    const due = firstDue(spec, { closedAt, calendar: plan.calendar, taskDueAt: () => taskDue });
    if (!due) {
      skipped.push(`${spec.id} (task ${task ?? '?'} has no due date)`);
      continue;
    }
    const { check } = await ensureCheck(deps.store, { handoffId: handoff.id, triggerId: spec.id, mapping: mapping.name, dueAt: due.dueAt.toISOString(), since: due.since.toISOString() });
    if (check.status === 'pending') await enqueueCheck(deps, check);
    scheduled.push(spec.id);
  }
  return { scheduled, skipped };
}

/** A deleted or merged deal: every pending check stops (rows cancelled, delayed jobs removed). */
export async function cancelChecks(deps: Pick<JobDeps, 'store' | 'queues'>, handoffId: string, why = 'the handoff was stopped'): Promise<number> {
  const cancelled = await cancelPendingChecks(deps.store, handoffId, why);
  for (const c of cancelled) await dropCheckJob(deps, c);
  await cancelFeedback(deps, handoffId);
  if (cancelled.length > 0) {
    await appendAudit(deps.store, { handoffId, actor: 'worker', kind: 'escalation.cancelled', message: `${cancelled.length} escalation check(s) cancelled: ${why}`, data: { triggers: cancelled.map((c) => c.triggerId) } });
  }
  return cancelled.length;
}

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

/** The live state the condition needs: the tool's task status, the document's completeness, the deal. */
async function readLiveState(deps: JobDeps, handoff: HandoffRow, mapping: Mapping, c: WatchCondition): Promise<LiveState> {
  const live: LiveState = { tasks: {}, documentComplete: handoff.complete, deal: null };
  const task = conditionTask(c);
  if (task) {
    const [row] = await refreshTasks(deps, handoff, [task], 'check');
    live.tasks[task] = row?.category;
  }
  if (c.kind === 'document-complete' || c.kind === 'field') {
    const deal = await readDealNow(deps, handoff);
    if (deal) live.deal = buildTemplateContext(deal);
    if (c.kind === 'document-complete' && !handoff.complete && deal) live.documentComplete = await refreshDocument(deps, handoff, mapping, deal);
  }
  return live;
}

/** The deal as it is now (the same read as routing: every property the mappings use), else as it was at the close. */
async function readDealNow(deps: JobDeps, handoff: HandoffRow): Promise<CrmDeal | null> {
  try {
    const { deal } = await readCurrentDeal(deps, handoff.dealId);
    if (deal) return deal;
  } catch (e) {
    if (!isPermanent(e)) throw e;
  }
  return (handoff.deal as CrmDeal | null) ?? null;
}

/** The rep may fill in what was missing after the close: rebuild the document from the deal as it is now. */
async function refreshDocument(deps: JobDeps, handoff: HandoffRow, mapping: Mapping, deal: CrmDeal): Promise<boolean> {
  let doc;
  try {
    doc = buildHandoff(mapping, deal, { closedAt: new Date(handoff.closedAt ?? handoff.createdAt), handoffUrl: handoffPageUrl(deps.config.publicUrl, handoff.id) }).document;
  } catch {
    return handoff.complete;
  }
  if (doc.complete && !handoff.complete) {
    await updateHandoff(deps.store, handoff.id, { document: doc, complete: true, missing: [] });
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'document.updated', message: 'Document now complete (fields filled in on the deal after the close)' });
  }
  return doc.complete;
}

async function fire(deps: JobDeps, handoff: HandoffRow, mapping: Mapping, spec: EscalationSpec, check: CheckRow, condition: WatchCondition): Promise<string> {
  const plan = handoff.plan as StoredPlan;
  const rungs = rungsOf(spec);
  const rung = rungs[check.rung]!;
  const key = { handoffId: handoff.id, triggerId: spec.id };
  const ref: EscalationRef = { ...key, rung: check.rung, round: check.round };
  const notified: NotifiedPerson[] = rung.notify.map((role) => ({ role, email: plan.people[role]?.email ?? null }));
  const stalled = describeStall(condition, (id) => plan.work.tasks.find((t) => t.id === id)?.summary ?? null);

  const { escalation, claimed } = await claimEscalation(deps.store, { ...ref, reason: stalled, notified });
  let outcome: string;
  // Post unless already settled: claimed = an earlier attempt may have posted (postMessageOnce resolves it);
  // failed = the admin retried the dead-lettered job.
  if (!claimed && escalation.status !== 'claimed' && escalation.status !== 'failed') {
    outcome = `rung ${check.rung} already ${escalation.status}`;
  } else {
    outcome = await send(deps, handoff, plan, spec, rung.channel, rung.notify, check, condition, stalled, escalation.id, ref);
  }

  // Next rung, or the end of the ladder. Compare-and-set: a click or a resolution in between wins.
  const now = deps.now();
  const next = rungs[check.rung + 1];
  if (next?.after) {
    const dueAt = nextRungDue(next.after, now, plan.calendar).toISOString();
    if (await updateCheckIf(deps.store, key, { status: 'pending', rung: check.rung, round: check.round }, { rung: next.index, round: 0, dueAt, lastFiredAt: now.toISOString() })) {
      await enqueueCheck(deps, { id: check.id, ...key, rung: next.index, round: 0, dueAt });
    }
  } else {
    await updateCheckIf(deps.store, key, { status: 'pending', rung: check.rung, round: check.round }, { status: 'finished', lastFiredAt: now.toISOString() });
  }
  return outcome;
}

async function send(
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
  if (!channel || !deps.chat.postMessage) {
    const why = channel ? 'the chat connector cannot post to channels' : 'no channel: set `channel` on the escalation or SLACK_ESCALATION_CHANNEL';
    await markEscalation(deps.store, escalationId, 'skipped', { channel, ts: null, reason: `${stalled} (not sent: ${why})` });
    deps.metrics?.escalations.inc({ trigger: spec.id, outcome: 'skipped' });
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.skipped', message: `Escalation ${spec.id} (level ${ref.rung + 1}): ${stalled}; not sent: ${why}`, data: { ...ref } });
    return `not sent: ${why}`;
  }

  const task = conditionTask(condition);
  const taskRow: TaskStatusRow | null = task ? await getTaskStatus(deps.store, handoff.id, task) : null;
  const person = (role: string, fallbackEmail?: string | null) => messagePerson(deps, plan, role, fallbackEmail);
  const plannedTask = task ? plan.work.tasks.find((t) => t.id === task) : undefined;
  const owner =
    task && (taskRow?.assignee || plannedTask?.assigneeEmail)
      ? await person(plannedTask?.assigneeRole ?? 'assignee', taskRow?.assignee?.includes('@') ? taskRow.assignee : (plannedTask?.assigneeEmail ?? taskRow?.assignee ?? null))
      : condition.kind === 'document-complete'
        ? await person('sales_rep')
        : notify[0]
          ? await person(notify[0])
          : null;
  const promised = (handoff.document?.sections.find((s) => s.id === 'timeline')?.fields ?? [])
    .filter((f) => f.value !== null && !f.missing)
    .map((f) => ({ label: f.label, value: f.value ?? '' }));
  const due = taskRow?.dueDate ?? plannedTask?.dueDate;
  if (task && due) promised.unshift({ label: `${plannedTask?.summary ?? task} due`, value: due });

  const message = buildEscalationMessage({
    ref,
    title: handoff.title,
    stalled,
    since: new Date(check.since),
    owner,
    promised,
    taskUrl: taskRow?.url ?? null,
    dealUrl: (handoff.deal as CrmDeal | null)?.url ?? null,
    handoffUrl: handoffPageUrl(deps.config.publicUrl, handoff.id),
    notify: await Promise.all(notify.map((r) => person(r))),
    snoozed: ref.round > 0,
    snoozeMs: deps.config.watch.snoozeMs,
  });
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
    message: `Escalation ${spec.id}${ref.rung > 0 ? ` (level ${ref.rung + 1})` : ''}: ${stalled}; posted in ${channel}${deps.chat.mode === 'dry-run' ? ' (dry-run)' : ''}`,
    data: { ...ref, channel: posted.channel, ts: posted.ts, notify },
  });
  return `escalated in ${channel}`;
}

/** A role of the handoff as the chat tool can mention it (`<@U…>` when it knows the email, else the name). */
export async function messagePerson(deps: JobDeps, plan: StoredPlan, role: string, fallbackEmail?: string | null): Promise<MessagePerson> {
  const p = plan.people[role];
  const email = fallbackEmail ?? p?.email ?? null;
  let userId: string | null = null;
  if (email && deps.chat.lookupUserId) {
    try {
      userId = await deps.chat.lookupUserId(email);
    } catch (e) {
      if (!isPermanent(e)) throw e; // a missing users:read.email scope leaves the name in plain text
    }
  }
  return { role, email, name: fallbackEmail && fallbackEmail !== p?.email ? null : (p?.name ?? null), userId };
}

/**
 * A task changed in the tool: checks waiting on it are resolved when the condition now holds, and an
 * `at: task.<id>.due` check that has not fired yet moves with the due date.
 */
export async function onTaskChanged(deps: JobDeps, handoff: HandoffRow, taskId: string, seen: ObservedTask, changes: TaskChange[]): Promise<void> {
  const mapping = mappingOf(deps, handoff.mapping);
  if (!mapping) return;
  const plan = handoff.plan as StoredPlan;
  for (const check of await listPendingChecks(deps.store, handoff.id)) {
    const spec = mapping.escalations.find((e) => e.id === check.triggerId);
    if (!spec) continue;
    const key = { handoffId: handoff.id, triggerId: check.triggerId };
    const condition = parseUnless(spec.unless);
    if (conditionTask(condition) === taskId && isResolved(condition, { tasks: { [taskId]: seen.category }, documentComplete: handoff.complete, deal: null })) {
      if (await updateCheckIf(deps.store, key, { status: 'pending', rung: check.rung, round: check.round }, { status: 'resolved', note: `resolved: task ${taskId} is ${seen.statusName ?? seen.category}` })) {
        await dropCheckJob(deps, check);
        await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.resolved', message: `Escalation ${spec.id} resolved: task ${taskId} is ${seen.statusName ?? seen.category}; pending checks cancelled`, data: { trigger: spec.id } });
      }
      continue;
    }
    if (atTask(spec) === taskId && check.rung === 0 && changes.some((c) => c.field === 'due') && seen.dueDate) {
      const dueAt = dueDateToInstant(seen.dueDate, plan.calendar);
      if (!dueAt || dueAt.toISOString() === check.dueAt) continue;
      const moved = { dueAt: dueAt.toISOString(), since: dueAt.toISOString() };
      if (await updateCheckIf(deps.store, key, { status: 'pending', rung: 0, round: check.round }, moved)) {
        await moveCheckJob(deps, { ...check, ...moved });
        await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.moved', message: `Escalation ${spec.id} moved with task ${taskId}'s due date: now ${moved.dueAt}`, data: { trigger: spec.id, from: check.dueAt, to: moved.dueAt } });
      }
    }
  }
}

/** Same job id, new time: change the delay of the waiting job (or add it when Redis lost it). */
async function moveCheckJob(deps: JobDeps, c: CheckRow): Promise<void> {
  const job = await deps.queues.watch.getJob(checkJobId(c));
  const delay = Math.max(0, Date.parse(c.dueAt) - deps.now().getTime());
  if (!job) return enqueueCheck(deps, c);
  // An active job re-reads the row and parks itself until the new moment (rescheduleIfEarly).
  if (await job.isDelayed()) await job.changeDelay(delay).catch(() => undefined);
}

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
  if (!e.channel || !e.messageTs || !deps.chat.postMessage) return;
  try {
    await postMessageOnce(deps, { handoffId: e.handoffId, idempotencyKey, channel: e.channel, threadTs: e.messageTs, text, metadataType: ESCALATION_EVENT_TYPE, metadata: { handoff_id: e.handoffId, trigger_id: e.triggerId, reply: true } });
  } catch (err) {
    deps.logger.warn({ handoffId: e.handoffId, err: err instanceof Error ? err.message : String(err) }, 'could not reply under the escalation');
  }
}

/**
 * The sweep: a pending check whose due moment passed more than a minute ago should have fired; its job
 * may have been lost with Redis (failover without AOF). It walks every such check page by page (a cursor
 * on due time and id) and acts on each by its job's state: none → re-added (same job id, and the store's
 * rung row refuses a second message); failed → the check is recorded failed (the worker's failed event
 * was lost); waiting, delayed or active → left alone. So checks it cannot act on never stall the rest.
 * Returns how many jobs it re-added.
 */
export async function sweepChecks(deps: JobDeps, pageSize = 1_000): Promise<number> {
  const before = new Date(deps.now().getTime() - 60_000).toISOString();
  let readded = 0;
  for (let page = await listOverdueChecks(deps.store, before, pageSize); page.length > 0; page = await listOverdueChecks(deps.store, before, pageSize, page.at(-1))) {
    const states = await Promise.all(page.map((c) => deps.queues.watch.getJobState(checkJobId(c))));
    for (const [i, c] of page.entries()) {
      if (states[i] === 'unknown') {
        await enqueueCheck(deps, c);
        readded++;
      } else if (states[i] === 'failed') {
        const job = await deps.queues.watch.getJob(checkJobId(c));
        await recordCheckFailed(deps, [c.id, c.rung, c.round], job?.failedReason || 'its job failed');
      }
    }
  }
  return readded;
}

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
async function reopenIfRetried(deps: JobDeps, check: CheckRow, data: { r: number; n: number }): Promise<boolean> {
  if (check.status !== 'failed' || check.rung !== data.r || check.round !== data.n) return false;
  const key = { handoffId: check.handoffId, triggerId: check.triggerId };
  if (!(await updateCheckIf(deps.store, key, { status: 'failed', rung: data.r, round: data.n }, { status: 'pending', note: null }))) return false;
  await appendAudit(deps.store, { handoffId: key.handoffId, actor: 'worker', kind: 'escalation.retried', message: `Escalation ${key.triggerId}: its failed check runs again (was: ${check.note ?? 'failed'})`, data: { trigger: key.triggerId, rung: data.r, round: data.n } });
  return true;
}
