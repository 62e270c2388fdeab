// Owner resolution for an escalation: who the message names as owning what stalled, and every role as the
// chat tool can mention it.
import { isPermanent } from '../../src/handoff/errors.js';
import type { JobDeps } from '../job-deps.js';
import type { StoredPlan } from '../../src/mapping/build-handoff.js';
import type { TaskStatusRow } from '../../src/store/task-status-repo.js';
import { conditionTask, type WatchCondition } from '../../src/watch/watch-condition.js';
import type { MessagePerson } from '../../src/watch/slack-text.js';

/** A role of the handoff as the chat tool can mention it (`<@U…>` when it knows the email, else the name). */
export async function messagePerson(deps: JobDeps, plan: StoredPlan, role: string, fallbackEmail?: string | null): Promise<MessagePerson> {
  const p = plan.people[role];
  const email = fallbackEmail ?? p?.email ?? null;
  let userId: string | null = null;
  if (email && deps.connectors.teamChat.lookupUserId) {
    try {
      userId = await deps.connectors.teamChat.lookupUserId(email);
    } catch (e) {
      if (!isPermanent(e)) throw e; // a missing users:read.email scope leaves the name in plain text
    }
  }
  return { role, email, name: fallbackEmail && fallbackEmail !== p?.email ? null : (p?.name ?? null), userId };
}
/**
 * The owner the message names: the watched task's assignee (the tool's when it knows an email, else the
 * planned one), the rep for an incomplete document, else the first role the rung notifies.
 */
export async function resolveOwner(
  deps: JobDeps,
  plan: StoredPlan,
  what: { condition: WatchCondition; notify: string[]; taskRow: TaskStatusRow | null; plannedTask: StoredPlan['work']['tasks'][number] | undefined },
): Promise<MessagePerson | null> {
  const { condition, notify, taskRow, plannedTask } = what;
  const task = conditionTask(condition);
  const person = (role: string, fallbackEmail?: string | null) => messagePerson(deps, plan, role, fallbackEmail);
  return task && (taskRow?.assignee || plannedTask?.assigneeEmail)
    ? await person(plannedTask?.assigneeRole ?? 'assignee', taskRow?.assignee?.includes('@') ? taskRow.assignee : (plannedTask?.assigneeEmail ?? taskRow?.assignee ?? null))
    : condition.kind === 'document-complete'
      ? await person('sales_rep')
      : notify[0]
        ? await person(notify[0])
        : null;
}
