// The feedback loop's answers (issue #4's feedback_requests table): one handoff's, and scores by rep
// and by document section for the insights page. null = the table is absent ("not available yet").
import type { Store } from '../../store/database.js';
import { dashDb, num, parseJson, watchTables } from './dashboard-db.js';

export interface FeedbackView {
  status: string;
  askEmail: string | null;
  dueAt: string;
  askedAt: string | null;
  answeredAt: string | null;
  answeredBy: string | null;
  accuracy: number | null;
  wrongSections: string[];
  answers: unknown;
}

export async function feedbackFor(store: Store, handoffId: string): Promise<FeedbackView | null | 'absent'> {
  if (!(await watchTables(store)).feedback_requests) return 'absent';
  const r: any = await dashDb(store).selectFrom('feedback_requests').selectAll().where('handoff_id', '=', handoffId).executeTakeFirst();
  if (!r) return null;
  return {
    status: r.status,
    askEmail: r.ask_email,
    dueAt: r.due_at,
    askedAt: r.asked_at,
    answeredAt: r.answered_at,
    answeredBy: r.answered_by,
    accuracy: r.accuracy === null ? null : num(r.accuracy),
    wrongSections: parseJson<string[]>(r.wrong_sections) ?? [],
    answers: parseJson(r.answers),
  };
}

export interface FeedbackScores {
  answered: number;
  byRep: { rep: string; n: number; meanAccuracy: number }[];
  /** How often each section was named wrong, of the answered requests. */
  bySection: { section: string; wrong: number }[];
}

export async function feedbackScores(store: Store): Promise<FeedbackScores | null> {
  if (!(await watchTables(store)).feedback_requests) return null;
  const rows = (await dashDb(store)
    .selectFrom('feedback_requests')
    .select(['rep_email', 'accuracy', 'wrong_sections'])
    .where('status', '=', 'answered')
    .execute()) as { rep_email: string | null; accuracy: number | null; wrong_sections: string }[];
  const reps = new Map<string, { sum: number; n: number }>();
  const sections = new Map<string, number>();
  for (const r of rows) {
    if (r.accuracy !== null) {
      const k = r.rep_email ?? '(unknown)';
      const acc = reps.get(k) ?? { sum: 0, n: 0 };
      acc.sum += num(r.accuracy);
      acc.n += 1;
      reps.set(k, acc);
    }
    for (const s of parseJson<string[]>(r.wrong_sections) ?? []) sections.set(s, (sections.get(s) ?? 0) + 1);
  }
  return {
    answered: rows.length,
    byRep: [...reps].map(([rep, a]) => ({ rep, n: a.n, meanAccuracy: a.sum / a.n })).sort((a, b) => a.rep.localeCompare(b.rep)),
    bySection: [...sections].map(([section, wrong]) => ({ section, wrong })).sort((a, b) => b.wrong - a.wrong),
  };
}
