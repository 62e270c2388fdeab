// Escalations and live task status (issue #4's tables), read for the board and the handoff page.
// Every function answers null when its table does not exist yet, and the page says "not available yet".
import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { dashDb, num, parseJson, watchTables, type TablePresence } from './dashboard-db.js';

export interface TaskStatusView {
  taskId: string;
  tool: string;
  key: string | null;
  url: string | null;
  statusName: string | null;
  category: string;
  assignee: string | null;
  dueDate: string | null;
  doneAt: string | null;
  observedAt: string;
}

export interface EscalationView {
  triggerId: string;
  rung: number;
  round: number;
  status: string;
  sentAt: string | null;
  claimedAt: string;
  reason: string;
  channel: string | null;
  notified: { role: string; email: string | null }[];
  snoozedBy: string | null;
}

export interface CheckView {
  triggerId: string;
  status: string;
  rung: number;
  dueAt: string;
  since: string;
  lastFiredAt: string | null;
  ackedBy: string | null;
  ackedAt: string | null;
  snoozedUntil: string | null;
  /** Why it ended (resolved, cancelled) or, when failed, the error and how to retry. */
  note: string | null;
}

const todayUtc = (now: Date) => now.toISOString().slice(0, 10);

/** Per handoff id: open escalations and overdue / blocked tasks. null parts = that table is absent. */
export async function watchOverlay(
  store: Store,
  ids: string[],
  now: Date,
): Promise<{ escalations: Map<string, number> | null; overdue: Map<string, number> | null; blocked: Map<string, number> | null }> {
  const t = await watchTables(store);
  const db = dashDb(store);
  const none = ids.length === 0;
  const escalations = t.watch_checks
    ? new Map<string, number>(
        none
          ? []
          : (
              await db
                .selectFrom('watch_checks')
                .select(['handoff_id', sql<number>`count(*)`.as('n')])
                .where('handoff_id', 'in', ids)
                .where('status', '=', 'pending')
                .where('last_fired_at', 'is not', null)
                .groupBy('handoff_id')
                .execute()
            ).map((r: any) => [r.handoff_id as string, num(r.n)]),
      )
    : null;
  let overdue: Map<string, number> | null = null;
  let blocked: Map<string, number> | null = null;
  if (t.task_status) {
    overdue = new Map();
    blocked = new Map();
    if (!none) {
      const rows = await db
        .selectFrom('task_status')
        .select(['handoff_id', 'category', 'due_date', 'status_name'])
        .where('handoff_id', 'in', ids)
        .where('category', 'not in', ['done', 'deleted'])
        .execute();
      for (const r of rows as { handoff_id: string; due_date: string | null; status_name: string | null }[]) {
        if (r.due_date && r.due_date < todayUtc(now)) overdue.set(r.handoff_id, (overdue.get(r.handoff_id) ?? 0) + 1);
        if (r.status_name && /block/i.test(r.status_name)) blocked.set(r.handoff_id, (blocked.get(r.handoff_id) ?? 0) + 1);
      }
    }
  }
  return { escalations, overdue, blocked };
}

export async function taskStatuses(store: Store, handoffId: string): Promise<Map<string, TaskStatusView> | null> {
  if (!(await watchTables(store)).task_status) return null;
  const rows = await dashDb(store).selectFrom('task_status').selectAll().where('handoff_id', '=', handoffId).execute();
  return new Map(
    rows.map((r: any) => [
      r.task_id as string,
      {
        taskId: r.task_id,
        tool: r.tool,
        key: r.external_key,
        url: r.url,
        statusName: r.status_name,
        category: r.category,
        assignee: r.assignee,
        dueDate: r.due_date,
        doneAt: r.done_at,
        observedAt: r.observed_at,
      },
    ]),
  );
}

export async function escalationHistory(store: Store, handoffId: string): Promise<{ checks: CheckView[]; fired: EscalationView[] } | null> {
  const t = await watchTables(store);
  if (!t.watch_checks || !t.escalations) return null;
  const db = dashDb(store);
  const [checks, fired] = await Promise.all([
    db.selectFrom('watch_checks').selectAll().where('handoff_id', '=', handoffId).orderBy('due_at').execute(),
    db.selectFrom('escalations').selectAll().where('handoff_id', '=', handoffId).orderBy('claimed_at').orderBy('id').execute(),
  ]);
  return {
    checks: checks.map((r: any) => ({
      triggerId: r.trigger_id,
      status: r.status,
      rung: num(r.rung),
      dueAt: r.due_at,
      since: r.since,
      lastFiredAt: r.last_fired_at,
      ackedBy: r.acked_by,
      ackedAt: r.acked_at,
      snoozedUntil: r.snoozed_until,
      note: r.note,
    })),
    fired: fired.map((r: any) => ({
      triggerId: r.trigger_id,
      rung: num(r.rung),
      round: num(r.round),
      status: r.status,
      sentAt: r.sent_at,
      claimedAt: r.claimed_at,
      reason: r.reason,
      channel: r.channel,
      notified: parseJson<{ role: string; email: string | null }[]>(r.notified) ?? [],
      snoozedBy: r.snoozed_by,
    })),
  };
}
