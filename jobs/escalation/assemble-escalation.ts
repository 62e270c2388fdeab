// Message assembly for a fired rung: what stalled and since when, its owner, what was promised (the
// document's timeline and the task's due date) and the links, rendered by src/watch/escalation-message.ts.
import type { CrmDeal } from '../../src/handoff/ports.js';
import type { JobDeps } from '../job-deps.js';
import type { StoredPlan } from '../../src/mapping/build-handoff.js';
import type { HandoffRow } from '../../src/store/handoff-repo.js';
import type { CheckRow } from '../../src/store/escalation-repo.js';
import { getTaskStatus, type TaskStatusRow } from '../../src/store/task-status-repo.js';
import { conditionTask, type WatchCondition } from '../../src/watch/watch-condition.js';
import { buildEscalationMessage, type EscalationRef } from '../../src/watch/escalation-message.js';
import { handoffPageUrl } from '../../src/handoff/handoff-url.js';
import { messagePerson, resolveOwner } from './resolve-owner.js';

export interface FiredRung {
  handoff: HandoffRow;
  plan: StoredPlan;
  check: Pick<CheckRow, 'since'>;
  condition: WatchCondition;
  /** What stalled, in words (describeStall). */
  stalled: string;
  /** The roles the rung notifies. */
  notify: string[];
  ref: EscalationRef;
}

export async function assembleEscalation(deps: JobDeps, { handoff, plan, check, condition, stalled, notify, ref }: FiredRung): Promise<ReturnType<typeof buildEscalationMessage>> {
  const task = conditionTask(condition);
  const taskRow: TaskStatusRow | null = task ? await getTaskStatus(deps.store, handoff.id, task) : null;
  const person = (role: string, fallbackEmail?: string | null) => messagePerson(deps, plan, role, fallbackEmail);
  const plannedTask = task ? plan.work.tasks.find((t) => t.id === task) : undefined;
  const owner = await resolveOwner(deps, plan, { condition, notify, taskRow, plannedTask });
  const promised = (handoff.document?.sections.find((s) => s.id === 'timeline')?.fields ?? [])
    .filter((f) => f.value !== null && !f.missing)
    .map((f) => ({ label: f.label, value: f.value ?? '' }));
  const due = taskRow?.dueDate ?? plannedTask?.dueDate;
  if (task && due) promised.unshift({ label: `${plannedTask?.summary ?? task} due`, value: due });

  return buildEscalationMessage({
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
}
