// Tables of the watching work (issue #4): escalation checks and the rungs they fired, the delivery
// tools' live task status, feedback requests, and webhook dedupe. Same conventions as schema.ts:
// ISO-8601 UTC text timestamps, JSON as text, portable types only.
import type { ColumnType, Selectable } from 'kysely';
import type { TaskCategory } from '../handoff/ports.js';

type JsonText = string;
type IsoTime = string;
type AutoId = ColumnType<number, never, never>;

/**
 * pending: waiting for its due moment; the rest are final except that a moved due date re-opens nothing.
 * failed: its job failed for good (a permanent error, or retries ran out); `note` says why and how to retry.
 * Retrying that dead-lettered job re-opens it (the only way back to pending).
 */
export type CheckStatus = 'pending' | 'resolved' | 'acknowledged' | 'cancelled' | 'finished' | 'failed';
/** skipped: nothing to post to (no channel); failed: the post failed for good (the reason names the fix). */
export type EscalationStatus = 'claimed' | 'sent' | 'skipped' | 'failed';
export type FeedbackStatus = 'scheduled' | 'asked' | 'answered' | 'skipped';

/** One row per (handoff, escalation trigger): where its ladder stands. */
export interface WatchChecksTable {
  id: AutoId;
  handoff_id: string;
  trigger_id: string;
  mapping: string;
  status: CheckStatus;
  /** The rung the next check fires (0 = the trigger itself). */
  rung: number;
  /** Snoozes of this rung so far: part of the job id and of the escalation row's key. */
  round: number;
  /** When the next check is due. */
  due_at: IsoTime;
  /** When the clock started (close, or the task's due moment): "stalled since". */
  since: IsoTime;
  last_fired_at: IsoTime | null;
  acked_by: string | null;
  acked_at: IsoTime | null;
  snoozed_by: string | null;
  snoozed_until: IsoTime | null;
  note: string | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

/** One row per fired rung (and snooze round): UNIQUE, the guard that no rung fires twice. */
export interface EscalationsTable {
  id: AutoId;
  handoff_id: string;
  trigger_id: string;
  rung: number;
  round: number;
  status: EscalationStatus;
  claimed_at: IsoTime;
  sent_at: IsoTime | null;
  channel: string | null;
  message_ts: string | null;
  /** [{role, email}] */
  notified: JsonText;
  reason: string;
  /** A snooze is taken once per fired message (the first click wins). */
  snoozed_by: string | null;
  snoozed_at: IsoTime | null;
}

/** The delivery tool's view of each planned task, from webhooks and polling. */
export interface TaskStatusTable {
  handoff_id: string;
  task_id: string;
  tool: string;
  external_id: string;
  external_key: string | null;
  url: string | null;
  status_name: string | null;
  category: TaskCategory;
  assignee: string | null;
  /** YYYY-MM-DD as the tool holds it. */
  due_date: string | null;
  started_at: IsoTime | null;
  done_at: IsoTime | null;
  /** When Baton last learned something about the task. */
  observed_at: IsoTime;
  source: string;
  /** When the tool last changed the task (its own clock): older observations are ignored (0004). */
  tool_updated_at: IsoTime | null;
  /** Bumped on every write: a write commits only over the revision it was computed from (0004). */
  revision: ColumnType<number, number | undefined, number>;
  /** The tool said the task is gone (404, a delete event): no longer polled (0004). */
  deleted_at: IsoTime | null;
}

export interface FeedbackRequestsTable {
  handoff_id: string;
  mapping: string;
  ask_role: string;
  ask_email: string | null;
  rep_email: string | null;
  questions: JsonText;
  status: FeedbackStatus;
  due_at: IsoTime;
  asked_at: IsoTime | null;
  reminded_at: IsoTime | null;
  answered_at: IsoTime | null;
  answered_by: string | null;
  answers: JsonText | null;
  /** The first rating answer (1–5), kept as a column for aggregates. */
  accuracy: number | null;
  /** Section ids the lead named as wrong (JSON array). */
  wrong_sections: JsonText;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface WebhookDeliveriesTable {
  source: string;
  delivery_id: string;
  received_at: IsoTime;
}

export interface WebhookSecretsTable {
  id: AutoId;
  source: string;
  /** Which webhook (Asana: the `resource` its target URL names; '' when it names none): one current secret each. */
  webhook: ColumnType<string, string | undefined, string>;
  secret: string;
  created_at: IsoTime;
}

/** One watching-path chat post (migration 0004): claimed before posting, the message recorded once it exists. */
export interface ChatPostsTable {
  idempotency_key: string;
  handoff_id: string;
  /** When a post request first went out (null: never attempted, so nothing can be in the channel). */
  attempted_at: IsoTime | null;
  channel: string | null;
  message_ts: string | null;
  thread_ts: string | null;
  posted_at: IsoTime | null;
  created_at: IsoTime;
}

export interface WatchTables {
  watch_checks: WatchChecksTable;
  escalations: EscalationsTable;
  task_status: TaskStatusTable;
  feedback_requests: FeedbackRequestsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_secrets: WebhookSecretsTable;
  chat_posts: ChatPostsTable;
}

export type WatchCheckRecord = Selectable<WatchChecksTable>;
export type EscalationRecord = Selectable<EscalationsTable>;
export type TaskStatusRecord = Selectable<TaskStatusTable>;
export type FeedbackRequestRecord = Selectable<FeedbackRequestsTable>;
