// When checks are due: the first rung from the close (`after`) or from a task's due moment (`at`), the
// next rung from when the previous fired, a snooze from the click. In the mapping's calendar (business
// days, holidays), as UTC instants. Pure.
import { DateTime } from 'luxon';
import { addDuration, DUE_HOUR_LOCAL, type Calendar } from '../handoff/calendar.js';
import { parseDuration } from '../handoff/durations.js';
import { AT_PATTERN, type EscalationSpec } from '../mapping/schema.js';

/** The natural key of one check job: one per (handoff, trigger, rung, snooze round). */
export function checkKey(k: { handoffId: string; triggerId: string; rung: number; round: number }): string {
  return `${k.handoffId}:${k.triggerId}:${k.rung}:${k.round}`;
}

/** The task whose due moment an `at:` names, or null for `after:` triggers. */
export function atTask(spec: EscalationSpec): string | null {
  return spec.at ? (AT_PATTERN.exec(spec.at)?.[1] ?? null) : null;
}

/**
 * Rung 0's due moment and the "since" it reports. `after`: from the close. `at: task.X.due`: the task's
 * due moment (null when the task has none: nothing to check).
 */
export function firstDue(
  spec: EscalationSpec,
  o: { closedAt: Date; calendar: Calendar; taskDueAt: (taskId: string) => Date | null },
): { dueAt: Date; since: Date } | null {
  if (spec.after !== undefined) {
    return { dueAt: addDuration(o.closedAt, parseDuration(spec.after), o.calendar).dueAt, since: o.closedAt };
  }
  const task = atTask(spec);
  const due = task ? o.taskDueAt(task) : null;
  return due ? { dueAt: due, since: due } : null;
}

/** The next rung fires `after` (a duration in the mapping's calendar) from the previous rung's firing. */
export function nextRungDue(after: string, firedAt: Date, calendar: Calendar): Date {
  return addDuration(firedAt, parseDuration(after), calendar).dueAt;
}

/** A due date as the tool holds it (YYYY-MM-DD) → the due moment: end of that working day, local time. */
export function dueDateToInstant(dueDate: string, calendar: Calendar): Date | null {
  const d = DateTime.fromISO(dueDate, { zone: calendar.timezone }).set({ hour: DUE_HOUR_LOCAL, minute: 0, second: 0, millisecond: 0 });
  return d.isValid ? d.toJSDate() : null;
}
