// Feedback requests: one per handoff, scheduled at close, asked after the mapping's delay, answered once
// (the first submission wins: a second click or form post changes nothing). Aggregates for the dashboard.
import type { Store } from './database.js';
import { fromJson, nowIso, storableText, toJson } from './column-codecs.js';
import type { FeedbackRequestRecord, FeedbackStatus } from './watch-tables.js';
import type { FeedbackQuestion } from '../mapping/schema.js';
import { aggregateFeedback, type FeedbackAggregates, type FeedbackAnswers } from '../watch/feedback-aggregates.js';

export interface FeedbackRow {
  handoffId: string;
  mapping: string;
  askRole: string;
  askEmail: string | null;
  repEmail: string | null;
  questions: FeedbackQuestion[];
  status: FeedbackStatus;
  dueAt: string;
  askedAt: string | null;
  remindedAt: string | null;
  answeredAt: string | null;
  answeredBy: string | null;
  answers: FeedbackAnswers | null;
  accuracy: number | null;
  wrongSections: string[];
  createdAt: string;
  updatedAt: string;
}

function toRow(r: FeedbackRequestRecord): FeedbackRow {
  return {
    handoffId: r.handoff_id,
    mapping: r.mapping,
    askRole: r.ask_role,
    askEmail: r.ask_email,
    repEmail: r.rep_email,
    questions: fromJson<FeedbackQuestion[]>(r.questions) ?? [],
    status: r.status,
    dueAt: r.due_at,
    askedAt: r.asked_at,
    remindedAt: r.reminded_at,
    answeredAt: r.answered_at,
    answeredBy: r.answered_by,
    answers: fromJson<FeedbackAnswers>(r.answers),
    accuracy: r.accuracy === null ? null : Number(r.accuracy),
    wrongSections: fromJson<string[]>(r.wrong_sections) ?? [],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function ensureFeedbackRequest(
  store: Store,
  f: { handoffId: string; mapping: string; askRole: string; askEmail: string | null; repEmail: string | null; questions: FeedbackQuestion[]; dueAt: string },
): Promise<{ request: FeedbackRow; created: boolean }> {
  const now = nowIso();
  const inserted = await store.db
    .insertInto('feedback_requests')
    .values({
      handoff_id: f.handoffId,
      mapping: f.mapping,
      ask_role: f.askRole,
      ask_email: f.askEmail,
      rep_email: f.repEmail,
      questions: toJson(f.questions),
      status: 'scheduled',
      due_at: f.dueAt,
      asked_at: null,
      reminded_at: null,
      answered_at: null,
      answered_by: null,
      answers: null,
      accuracy: null,
      wrong_sections: '[]',
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('handoff_id').doNothing())
    .returning('handoff_id')
    .executeTakeFirst();
  const request = await getFeedbackRequest(store, f.handoffId);
  if (!request) throw new Error(`feedback request of handoff ${f.handoffId} vanished after insert`);
  return { request, created: inserted !== undefined };
}

export async function getFeedbackRequest(store: Store, handoffId: string): Promise<FeedbackRow | null> {
  const r = await store.db.selectFrom('feedback_requests').selectAll().where('handoff_id', '=', handoffId).executeTakeFirst();
  return r ? toRow(r) : null;
}

/** scheduled → asked (or a no-op when already asked/answered). */
export async function markFeedbackAsked(store: Store, handoffId: string): Promise<boolean> {
  const now = nowIso();
  const r = await store.db
    .updateTable('feedback_requests')
    .set({ status: 'asked', asked_at: now, updated_at: now })
    .where('handoff_id', '=', handoffId)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** The one reminder: true only for the first caller, and only while unanswered. */
export async function markFeedbackReminded(store: Store, handoffId: string): Promise<boolean> {
  const now = nowIso();
  const r = await store.db
    .updateTable('feedback_requests')
    .set({ reminded_at: now, updated_at: now })
    .where('handoff_id', '=', handoffId)
    .where('status', '=', 'asked')
    .where('reminded_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function skipFeedback(store: Store, handoffId: string): Promise<void> {
  await store.db
    .updateTable('feedback_requests')
    .set({ status: 'skipped', updated_at: nowIso() })
    .where('handoff_id', '=', handoffId)
    .where('status', 'in', ['scheduled', 'asked'])
    .execute();
}

/** A request skipped before it was ever asked (its deal was deleted) is scheduled again: true when it was. */
export async function unskipFeedback(store: Store, handoffId: string): Promise<boolean> {
  const r = await store.db
    .updateTable('feedback_requests')
    .set({ status: 'scheduled', updated_at: nowIso() })
    .where('handoff_id', '=', handoffId)
    .where('status', '=', 'skipped')
    .where('asked_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** First answer wins: false when the request was already answered (or skipped, or unknown). */
export async function recordFeedbackAnswers(
  store: Store,
  handoffId: string,
  a: { answers: FeedbackAnswers; answeredBy: string; accuracy: number | null; wrongSections: string[] },
): Promise<boolean> {
  const now = nowIso();
  const r = await store.db
    .updateTable('feedback_requests')
    .set({
      status: 'answered',
      answers: toJson(a.answers),
      answered_by: storableText(a.answeredBy),
      answered_at: now,
      accuracy: a.accuracy,
      wrong_sections: toJson(a.wrongSections),
      updated_at: now,
    })
    .where('handoff_id', '=', handoffId)
    .where('status', 'in', ['scheduled', 'asked'])
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Answered feedback, newest first. */
export async function listAnsweredFeedback(store: Store, limit = 100): Promise<FeedbackRow[]> {
  const rows = await store.db
    .selectFrom('feedback_requests')
    .selectAll()
    .where('status', '=', 'answered')
    .orderBy('answered_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

/** Accuracy by rep, by mapping and by section, and the response rate: what the dashboard shows. */
export async function feedbackAggregates(store: Store): Promise<FeedbackAggregates> {
  const rows = await store.db.selectFrom('feedback_requests').select(['status', 'rep_email', 'mapping', 'accuracy', 'wrong_sections']).execute();
  return aggregateFeedback(
    rows.map((r) => ({
      status: r.status,
      repEmail: r.rep_email,
      mapping: r.mapping,
      accuracy: r.accuracy === null ? null : Number(r.accuracy),
      wrongSections: fromJson<string[]>(r.wrong_sections) ?? [],
    })),
  );
}

/** Requests whose next job may have been lost with Redis: asks due before `before`, and asked ones not yet reminded. */
export async function listFeedbackToSweep(store: Store, before: string, limit: number): Promise<FeedbackRow[]> {
  const rows = await store.db
    .selectFrom('feedback_requests')
    .selectAll()
    .where((eb) => eb.or([eb.and([eb('status', '=', 'scheduled'), eb('due_at', '<', before)]), eb.and([eb('status', '=', 'asked'), eb('reminded_at', 'is', null)])]))
    .orderBy('due_at')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}
