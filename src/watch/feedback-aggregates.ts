// Feedback figures for the dashboard: accuracy by rep, by mapping and by section, and how many asked
// leads answered. Pure: the repository hands in the rows.
export type FeedbackAnswers = Record<string, string | number | null>;

export interface FeedbackFact {
  status: string;
  repEmail: string | null;
  mapping: string;
  accuracy: number | null;
  wrongSections: string[];
}

export interface AccuracyGroup {
  key: string;
  answered: number;
  /** Mean of the 1–5 accuracy answers, 2 decimals; null when none rated. */
  averageAccuracy: number | null;
}

export interface FeedbackAggregates {
  asked: number;
  answered: number;
  /** answered / asked, 0–1 (2 decimals); null before anything was asked. */
  responseRate: number | null;
  averageAccuracy: number | null;
  byRep: AccuracyGroup[];
  byMapping: AccuracyGroup[];
  /** Times each section was named wrong, with the mean accuracy of those answers. */
  bySection: { section: string; flagged: number; averageAccuracy: number | null }[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const mean = (xs: number[]) => (xs.length ? round2(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

function group(facts: FeedbackFact[], keyOf: (f: FeedbackFact) => string): AccuracyGroup[] {
  const by = new Map<string, FeedbackFact[]>();
  for (const f of facts) by.set(keyOf(f), [...(by.get(keyOf(f)) ?? []), f]);
  return [...by.entries()]
    .map(([key, fs]) => ({ key, answered: fs.length, averageAccuracy: mean(fs.map((f) => f.accuracy).filter((a): a is number => a !== null)) }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

export function aggregateFeedback(facts: FeedbackFact[]): FeedbackAggregates {
  const asked = facts.filter((f) => f.status === 'asked' || f.status === 'answered').length;
  const answered = facts.filter((f) => f.status === 'answered');
  const sections = new Map<string, number[]>();
  const flagged = new Map<string, number>();
  for (const f of answered) {
    for (const s of new Set(f.wrongSections)) {
      flagged.set(s, (flagged.get(s) ?? 0) + 1);
      if (f.accuracy !== null) sections.set(s, [...(sections.get(s) ?? []), f.accuracy]);
    }
  }
  return {
    asked,
    answered: answered.length,
    responseRate: asked ? round2(answered.length / asked) : null,
    averageAccuracy: mean(answered.map((f) => f.accuracy).filter((a): a is number => a !== null)),
    byRep: group(answered, (f) => f.repEmail ?? '(unknown rep)'),
    byMapping: group(answered, (f) => f.mapping),
    bySection: [...flagged.entries()]
      .map(([section, n]) => ({ section, flagged: n, averageAccuracy: mean(sections.get(section) ?? []) }))
      .sort((a, b) => b.flagged - a.flagged || a.section.localeCompare(b.section)),
  };
}
