// The database as Kysely sees it. Portable column types on SQLite and PostgreSQL: timestamps are
// ISO-8601 UTC strings (sortable as text), JSON is text the repositories (de)serialise, booleans are 0/1.
import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type { WatchTables } from './watch-tables.js';

export type InboxStatus = 'pending' | 'routed' | 'ignored' | 'failed';
export type HandoffPhase = 'preparing' | 'closed';
export type HandoffStatus = 'pending' | 'running' | 'done' | 'failed' | 'stopped';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** JSON serialised to text; repositories parse it, callers never see the string. */
type JsonText = string;
/** ISO-8601 UTC, e.g. 2025-01-31T09:00:00.000Z. */
type IsoTime = string;
type Flag = 0 | 1;
/** Auto-increment id: integer on SQLite, bigserial on PostgreSQL (parsed to number by the pool). */
type AutoId = ColumnType<number, never, never>;

export interface InboxEventsTable {
  id: AutoId;
  identity: string;
  crm: string;
  account_id: string;
  kind: string;
  deal_id: string;
  /** ms since epoch (bigint). */
  occurred_at: number;
  received_at: IsoTime;
  /** The whole CrmEvent. */
  payload: JsonText;
  status: ColumnType<InboxStatus, InboxStatus | undefined, InboxStatus>;
  note: string | null;
}

export interface HandoffsTable {
  id: string;
  crm: string;
  account_id: string;
  deal_id: string;
  mapping: string;
  phase: HandoffPhase;
  status: HandoffStatus;
  title: string;
  deal_name: string | null;
  document: JsonText | null;
  complete: Flag;
  missing: JsonText;
  plan: JsonText | null;
  deal: JsonText | null;
  closed_at: IsoTime | null;
  created_at: IsoTime;
  updated_at: IsoTime;
  last_error: string | null;
}

export interface HandoffStepsTable {
  handoff_id: string;
  step_id: string;
  position: number;
  status: StepStatus;
  attempts: number;
  last_error: string | null;
  permanent: Flag;
  external_ids: JsonText;
  started_at: IsoTime | null;
  finished_at: IsoTime | null;
  updated_at: IsoTime;
}

export interface AuditEventsTable {
  id: AutoId;
  handoff_id: string | null;
  at: IsoTime;
  actor: string;
  kind: string;
  message: string;
  data: JsonText | null;
}

export interface DryRunRecordsTable {
  id: AutoId;
  handoff_id: string;
  connector: string;
  action: string;
  idempotency_key: string;
  payload: JsonText;
  created_at: IsoTime;
}

export interface CursorsTable {
  name: string;
  value: string;
  updated_at: IsoTime;
}

/** The watching tables live in watch-tables.ts (migration 0002). */
export interface Database extends WatchTables {
  inbox_events: InboxEventsTable;
  handoffs: HandoffsTable;
  handoff_steps: HandoffStepsTable;
  audit_events: AuditEventsTable;
  dry_run_records: DryRunRecordsTable;
  cursors: CursorsTable;
}

export type InboxEventRecord = Selectable<InboxEventsTable>;
export type NewInboxEventRecord = Insertable<InboxEventsTable>;
export type HandoffRecord = Selectable<HandoffsTable>;
export type NewHandoffRecord = Insertable<HandoffsTable>;
export type HandoffRecordUpdate = Updateable<HandoffsTable>;
export type StepRecord = Selectable<HandoffStepsTable>;
export type NewStepRecord = Insertable<HandoffStepsTable>;
export type AuditEventRecord = Selectable<AuditEventsTable>;
export type NewAuditEventRecord = Insertable<AuditEventsTable>;
export type DryRunRecord = Selectable<DryRunRecordsTable>;
export type NewDryRunRecord = Insertable<DryRunRecordsTable>;
export type CursorRecord = Selectable<CursorsTable>;
