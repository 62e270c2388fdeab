// The numbers behind the insights plots. One pass over closed handoffs' derived columns (no JSON
// parsing), grouped in memory; 10,000 handoffs are a few hundred kilobytes of rows.
import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import type { LoadedMapping } from '../../mapping/load-mappings.js';
import { groupBy, quantile } from '../stats.js';
import { dashDb, num, watchTables } from './dashboard-db.js';
import { feedbackScores, type FeedbackScores } from './feedback-query.js';

export interface Spread {
  label: string;
  n: number;
  median: number | null;
  p90: number | null;
}

export interface Insights {
  /** Where the kickoff moment comes from: the kickoff task done in the tool, or its planned due date. */
  kickoffSource: 'actual' | 'planned';
  kickoffByMapping: Spread[];
  kickoffByMonth: Spread[];
  stallsByStep: { step: string; failed: number; retried: number; waiting: number }[];
  /** null: live task status not available yet. */
  lateTasks: { task: string; late: number }[] | null;
  completenessByRep: { rep: string; n: number; completePct: number; meanMissing: number }[];
  feedback: FeedbackScores | null;
}

const DAY = 86_400_000;
const spread = (label: string, values: number[]): Spread => ({ label, n: values.length, median: quantile(values, 0.5), p90: quantile(values, 0.9) });

const CACHE_MS = 60_000;
interface CacheEntry {
  at: number;
  key: string;
  value: Promise<Insights>;
  refreshing: boolean;
}
const cache = new WeakMap<Store, CacheEntry>();

/** Mapping name → the id of its kickoff task (the `kickoff` milestone, else the task called kickoff). */
export function kickoffTasksOf(mappings: LoadedMapping[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { mapping } of mappings) {
    const t = mapping.work.tasks.find((x) => x.milestone === 'kickoff') ?? mapping.work.tasks.find((x) => x.id === 'kickoff');
    if (t) out.set(mapping.name, t.id);
  }
  return out;
}

/**
 * Insights are aggregates over months of handoffs: recomputed at most once a minute per process, in
 * the background (stale-while-revalidate), so only the first view after start waits for the
 * computation (tens to a hundred-odd milliseconds with 10,000 handoffs; see docs/dashboard.md).
 */
export function cachedInsights(store: Store, kickoffTasks: Map<string, string>, now: Date): Promise<Insights> {
  const key = JSON.stringify([...kickoffTasks]);
  const hit = cache.get(store);
  if (!hit || hit.key !== key) {
    const value = queryInsights(store, kickoffTasks, now);
    value.catch(() => cache.delete(store));
    cache.set(store, { at: now.getTime(), key, value, refreshing: false });
    return value;
  }
  const age = now.getTime() - hit.at;
  if ((age >= CACHE_MS || age < 0) && !hit.refreshing) {
    hit.refreshing = true;
    queryInsights(store, kickoffTasks, now).then(
      (fresh) => cache.set(store, { at: now.getTime(), key, value: Promise.resolve(fresh), refreshing: false }),
      () => {
        hit.refreshing = false;
      },
    );
  }
  return hit.value;
}

/** `kickoffTasks`: mapping name → the id of its kickoff task (to read the actual kickoff from live task status). */
export async function queryInsights(store: Store, kickoffTasks: Map<string, string>, now: Date, months = 12): Promise<Insights> {
  const db = dashDb(store);
  const watch = await watchTables(store);
  const rows = (await db
    .selectFrom('handoffs')
    .select(['id', 'mapping', 'closed_at', 'kickoff_due', 'rep_email', 'complete', 'missing_count'])
    .where('phase', '=', 'closed')
    .where('status', '<>', 'stopped')
    .where('closed_at', 'is not', null)
    .execute()) as { id: string; mapping: string; closed_at: string; kickoff_due: string | null; rep_email: string | null; complete: number; missing_count: number | null }[];

  // Actual kickoffs, when the delivery tool has told us.
  const actual = new Map<string, string>();
  if (watch.task_status && kickoffTasks.size > 0) {
    const done = (await db
      .selectFrom('task_status')
      .select(['handoff_id', 'task_id', 'done_at'])
      .where('category', '=', 'done')
      .where('done_at', 'is not', null)
      .where('task_id', 'in', [...new Set(kickoffTasks.values())])
      .execute()) as { handoff_id: string; task_id: string; done_at: string }[];
    for (const d of done) actual.set(`${d.handoff_id}:${d.task_id}`, d.done_at);
  }
  const kickoffSource = actual.size > 0 ? 'actual' : 'planned';
  const withKickoff = rows
    .map((r) => {
      const task = kickoffTasks.get(r.mapping);
      const at = kickoffSource === 'actual' ? (task ? actual.get(`${r.id}:${task}`) : undefined) : r.kickoff_due ? `${r.kickoff_due}T12:00:00.000Z` : undefined;
      return at ? { mapping: r.mapping, month: r.closed_at.slice(0, 7), days: Math.max(0, (Date.parse(at) - Date.parse(r.closed_at)) / DAY) } : null;
    })
    .filter((x): x is { mapping: string; month: string; days: number } => x !== null);

  const firstMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1)).toISOString().slice(0, 7);
  const kickoffByMapping = [...groupBy(withKickoff, (k) => k.mapping)].map(([m, ks]) => spread(m, ks.map((k) => k.days))).sort((a, b) => a.label.localeCompare(b.label));
  const kickoffByMonth = [...groupBy(withKickoff.filter((k) => k.month >= firstMonth), (k) => k.month)]
    .map(([m, ks]) => spread(m, ks.map((k) => k.days)))
    .sort((a, b) => a.label.localeCompare(b.label));

  // Three small aggregates instead of one scan of every step row (each is index-only).
  const [byStatus, retriedRows, waitingRows] = (await Promise.all([
    db.selectFrom('handoff_steps').select(['step_id', 'status', sql<number>`count(*)`.as('n')]).groupBy(['step_id', 'status']).execute(),
    db.selectFrom('handoff_steps').select(['step_id', sql<number>`count(*)`.as('n')]).where('attempts', '>', 1).groupBy('step_id').execute(),
    db.selectFrom('handoff_steps').select(['step_id', sql<number>`count(*)`.as('n')]).where('status', '=', 'pending').where('last_error', 'is not', null).groupBy('step_id').execute(),
  ])) as { step_id: string; status?: string; n: unknown }[][];
  const stalls = new Map<string, { step: string; failed: number; retried: number; waiting: number }>();
  const stall = (step: string) => stalls.get(step) ?? stalls.set(step, { step, failed: 0, retried: 0, waiting: 0 }).get(step)!;
  for (const r of byStatus!) {
    const s = stall(r.step_id);
    if (r.status === 'failed') s.failed += num(r.n);
  }
  for (const r of retriedRows!) stall(r.step_id).retried += num(r.n);
  for (const r of waitingRows!) stall(r.step_id).waiting += num(r.n);
  const stallsByStep = [...stalls.values()].sort((a, b) => b.failed + b.waiting + b.retried - (a.failed + a.waiting + a.retried) || a.step.localeCompare(b.step));

  let lateTasks: Insights['lateTasks'] = null;
  if (watch.task_status) {
    const today = now.toISOString().slice(0, 10);
    const late = (await db
      .selectFrom('task_status')
      .select(['task_id', sql<number>`count(*)`.as('n')])
      .where((eb: any) =>
        eb.or([
          eb.and([eb('category', 'not in', ['done', 'deleted']), eb('due_date', '<', today)]),
          // Done, but after its due date (done_at is an instant, due_date the local day: compare the day).
          eb.and([eb('category', '=', 'done'), eb('due_date', 'is not', null), eb(sql`substr(done_at, 1, 10)`, '>', sql.ref('due_date'))]),
        ]),
      )
      .groupBy('task_id')
      .execute()) as { task_id: string; n: unknown }[];
    lateTasks = late.map((r) => ({ task: r.task_id, late: num(r.n) })).sort((a, b) => b.late - a.late);
  }

  const completenessByRep = [...groupBy(rows, (r) => r.rep_email ?? '(no rep)')]
    .map(([rep, rs]) => ({
      rep,
      n: rs.length,
      completePct: (100 * rs.filter((r) => num(r.complete) === 1).length) / rs.length,
      meanMissing: rs.reduce((a, r) => a + num(r.missing_count), 0) / rs.length,
    }))
    .sort((a, b) => a.completePct - b.completePct || a.rep.localeCompare(b.rep));

  return { kickoffSource, kickoffByMapping, kickoffByMonth, stallsByStep, lateTasks, completenessByRep, feedback: await feedbackScores(store) };
}
