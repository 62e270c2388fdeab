// The feedback form as data: the mapping's questions (or the defaults), checking answers from a Slack
// modal or the web form against them, and the figures the aggregates keep (accuracy, wrong sections). Pure.
import { SECTION_IDS, SECTION_TITLES, type SectionId } from '../handoff/types.js';
import type { FeedbackQuestion } from '../mapping/schema.js';
import type { FeedbackAnswers } from './feedback-aggregates.js';

export const DEFAULT_FEEDBACK_QUESTIONS: FeedbackQuestion[] = [
  { id: 'accuracy', text: 'How accurate was the handoff document? (1 = way off, 5 = spot on)', type: 'rating', required: true },
  { id: 'surprises', text: 'Were there surprises the handoff should have mentioned?', type: 'text', required: false },
  { id: 'expectations', text: "Did the client's expectations match what was handed off?", type: 'choice', options: ['yes', 'no', 'partly'], required: true },
  { id: 'wrong-section', text: 'Which section was most wrong (if any)?', type: 'section', required: false },
];

export const RATINGS = ['1', '2', '3', '4', '5'] as const;
export const MAX_TEXT_ANSWER = 3000;

/** The options a question offers, as [value, label]. Empty for text questions. */
export function questionOptions(q: FeedbackQuestion): [string, string][] {
  switch (q.type) {
    case 'rating':
      return RATINGS.map((r) => [r, r]);
    case 'choice':
      return (q.options ?? []).map((o) => [o, o]);
    case 'section':
      return SECTION_IDS.map((id) => [id, SECTION_TITLES[id]]);
    case 'text':
      return [];
  }
}

/**
 * Answers keyed by question id → checked values. Unknown keys are ignored; a missing optional answer is
 * null. `errors` names each problem per question id (shown next to the field).
 */
export function checkAnswers(questions: FeedbackQuestion[], raw: Record<string, string | null | undefined>): { answers: FeedbackAnswers; errors: Record<string, string> } {
  const answers: FeedbackAnswers = {};
  const errors: Record<string, string> = {};
  for (const q of questions) {
    const given = (raw[q.id] ?? '').trim();
    if (given === '') {
      if (q.required) errors[q.id] = 'Please answer this question.';
      answers[q.id] = null;
      continue;
    }
    if (q.type === 'text') {
      answers[q.id] = given.slice(0, MAX_TEXT_ANSWER);
      continue;
    }
    if (!questionOptions(q).some(([value]) => value === given)) {
      errors[q.id] = 'Pick one of the options.';
      answers[q.id] = null;
      continue;
    }
    answers[q.id] = q.type === 'rating' ? Number(given) : given;
  }
  return { answers, errors };
}

/** The first rating answer (1–5): the accuracy figure the dashboard averages. */
export function accuracyOf(questions: FeedbackQuestion[], answers: FeedbackAnswers): number | null {
  const q = questions.find((x) => x.type === 'rating');
  const v = q ? answers[q.id] : null;
  return typeof v === 'number' ? v : null;
}

/** Sections the lead named as wrong. */
export function wrongSectionsOf(questions: FeedbackQuestion[], answers: FeedbackAnswers): SectionId[] {
  return questions
    .filter((q) => q.type === 'section')
    .map((q) => answers[q.id])
    .filter((v): v is SectionId => typeof v === 'string' && (SECTION_IDS as readonly string[]).includes(v));
}

/** "Q: A" lines in question order, plain text (callers escape for their target). */
export function answerLines(questions: FeedbackQuestion[], answers: FeedbackAnswers): { question: string; answer: string }[] {
  return questions.map((q) => {
    const v = answers[q.id];
    const shown = v === null || v === undefined ? '(no answer)' : q.type === 'section' ? (SECTION_TITLES[v as SectionId] ?? String(v)) : q.type === 'rating' ? `${v}/5` : String(v);
    return { question: q.text, answer: shown };
  });
}
