// Escalation checks (one row per handoff + trigger: where its ladder stands) and the rungs they fired
// (UNIQUE per handoff + trigger + rung + round: the guard that no rung fires twice, whatever Redis does).
// Every state change is a compare-and-set on the row, so concurrent workers and clicks cannot interleave.
import type { Store } from './database.js';
import { fromJson, nowIso, storableText, toJson } from './column-codecs.js';
import type { CheckStatus, EscalationRecord, EscalationStatus, WatchCheckRecord } from './watch-tables.js';

export interface CheckRow {
  id: number;
  handoffId: string;
  triggerId: string;
  mapping: string;
  status: CheckStatus;
  rung: number;
  round: number;
  dueAt: string;
  since: string;
  lastFiredAt: string | null;
  ackedBy: string | null;
  ackedAt: string | null;
  snoozedBy: string | null;
  snoozedUntil: string | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NotifiedPerson {
  role: string;
  email: string | null;
}

export interface EscalationRow {
  id: number;
  handoffId: string;
  triggerId: string;
  rung: number;
  round: number;
  status: EscalationStatus;
  claimedAt: string;
  sentAt: string | null;
  channel: string | null;
  messageTs: string | null;
  notified: NotifiedPerson[];
  reason: string;
  snoozedBy: string | null;
  snoozedAt: string | null;
}

function toCheck(r: WatchCheckRecord): CheckRow {
  return {
    id: Number(r.id),
    handoffId: r.handoff_id,
    triggerId: r.trigger_id,
    mapping: r.mapping,
    status: r.status,
    rung: Number(r.rung),
    round: Number(r.round),
    dueAt: r.due_at,
    since: r.since,
    lastFiredAt: r.last_fired_at,
    ackedBy: r.acked_by,
    ackedAt: r.acked_at,
    snoozedBy: r.snoozed_by,
    snoozedUntil: r.snoozed_until,
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toEscalation(r: EscalationRecord): EscalationRow {
  return {
    id: Number(r.id),
    handoffId: r.handoff_id,
    triggerId: r.trigger_id,
    rung: Number(r.rung),
    round: Number(r.round),
    status: r.status,
    claimedAt: r.claimed_at,
    sentAt: r.sent_at,
    channel: r.channel,
    messageTs: r.message_ts,
    notified: fromJson<NotifiedPerson[]>(r.notified) ?? [],
    reason: r.reason,
    snoozedBy: r.snoozed_by,
    snoozedAt: r.snoozed_at,
  };
}

/** A fresh pending check at rung 0 (also what benches bulk-insert). */
export function newCheckRow(c: { handoffId: string; triggerId: string; mapping: string; dueAt: string; since: string }, now: string) {
  return {
    handoff_id: c.handoffId,
    trigger_id: c.triggerId,
    mapping: c.mapping,
    status: 'pending' as const,
    rung: 0,
    round: 0,
    due_at: c.dueAt,
    since: c.since,
    last_fired_at: null,
    acked_by: null,
    acked_at: null,
    snoozed_by: null,
    snoozed_until: null,
    note: null,
    created_at: now,
    updated_at: now,
  };
}

/** Creates the check (pending) unless it exists; an existing check is returned untouched (schedule-checks may re-run). */
export async function ensureCheck(
  store: Store,
  c: { handoffId: string; triggerId: string; mapping: string; dueAt: string; since: string },
): Promise<{ check: CheckRow; created: boolean }> {
  const inserted = await store.db
    .insertInto('watch_checks')
    .values(newCheckRow(c, nowIso()))
    .onConflict((oc) => oc.columns(['handoff_id', 'trigger_id']).doNothing())
    .returning('handoff_id')
    .executeTakeFirst();
  const check = await getCheck(store, c.handoffId, c.triggerId);
  if (!check) throw new Error(`check ${c.triggerId} of handoff ${c.handoffId} vanished after insert`);
  return { check, created: inserted !== undefined };
}

export async function getCheck(store: Store, handoffId: string, triggerId: string): Promise<CheckRow | null> {
  const r = await store.db.selectFrom('watch_checks').selectAll().where('handoff_id', '=', handoffId).where('trigger_id', '=', triggerId).executeTakeFirst();
  return r ? toCheck(r) : null;
}

export async function getCheckById(store: Store, id: number): Promise<CheckRow | null> {
  const r = await store.db.selectFrom('watch_checks').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toCheck(r) : null;
}

export async function listChecks(store: Store, handoffId: string): Promise<CheckRow[]> {
  const rows = await store.db.selectFrom('watch_checks').selectAll().where('handoff_id', '=', handoffId).orderBy('trigger_id').execute();
  return rows.map(toCheck);
}

export type CheckPatch = Partial<Pick<CheckRow, 'status' | 'rung' | 'round' | 'dueAt' | 'since' | 'lastFiredAt' | 'ackedBy' | 'ackedAt' | 'snoozedBy' | 'snoozedUntil' | 'note'>>;

/**
 * Applies the patch only while the row still is what the caller read (status and, when given, rung and
 * round): a compare-and-set. False when another worker or click got there first.
 */
export async function updateCheckIf(
  store: Store,
  key: { handoffId: string; triggerId: string },
  expect: { status: CheckStatus | CheckStatus[]; rung?: number; round?: number },
  patch: CheckPatch,
): Promise<boolean> {
  let q = store.db
    .updateTable('watch_checks')
    .set({
      updated_at: nowIso(),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.rung !== undefined ? { rung: patch.rung } : {}),
      ...(patch.round !== undefined ? { round: patch.round } : {}),
      ...(patch.dueAt !== undefined ? { due_at: patch.dueAt } : {}),
      ...(patch.since !== undefined ? { since: patch.since } : {}),
      ...(patch.lastFiredAt !== undefined ? { last_fired_at: patch.lastFiredAt } : {}),
      ...(patch.ackedBy !== undefined ? { acked_by: patch.ackedBy === null ? null : storableText(patch.ackedBy) } : {}),
      ...(patch.ackedAt !== undefined ? { acked_at: patch.ackedAt } : {}),
      ...(patch.snoozedBy !== undefined ? { snoozed_by: patch.snoozedBy === null ? null : storableText(patch.snoozedBy) } : {}),
      ...(patch.snoozedUntil !== undefined ? { snoozed_until: patch.snoozedUntil } : {}),
      ...(patch.note !== undefined ? { note: patch.note === null ? null : storableText(patch.note) } : {}),
    })
    .where('handoff_id', '=', key.handoffId)
    .where('trigger_id', '=', key.triggerId);
  q = Array.isArray(expect.status) ? q.where('status', 'in', expect.status) : q.where('status', '=', expect.status);
  if (expect.rung !== undefined) q = q.where('rung', '=', expect.rung);
  if (expect.round !== undefined) q = q.where('round', '=', expect.round);
  const r = await q.executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Every still-pending check of the handoff becomes `cancelled`; returns the rows as they were (to drop their jobs). */
export async function cancelPendingChecks(store: Store, handoffId: string, note: string): Promise<CheckRow[]> {
  const pending = (await listChecks(store, handoffId)).filter((c) => c.status === 'pending');
  const cancelled: CheckRow[] = [];
  for (const c of pending) {
    if (await updateCheckIf(store, c, { status: 'pending', rung: c.rung, round: c.round }, { status: 'cancelled', note })) cancelled.push(c);
  }
  return cancelled;
}

/**
 * One page of the pending checks due before `before`, in (due_at, id) order after the cursor `after`: the sweep
 * walks them all, page by page, so checks it cannot act on never hide the ones behind them.
 */
export async function listOverdueChecks(store: Store, before: string, limit: number, after?: Pick<CheckRow, 'dueAt' | 'id'>): Promise<CheckRow[]> {
  let q = store.db.selectFrom('watch_checks').selectAll().where('status', '=', 'pending').where('due_at', '<', before);
  if (after) q = q.where((eb) => eb.or([eb('due_at', '>', after.dueAt), eb.and([eb('due_at', '=', after.dueAt), eb('id', '>', after.id)])]));
  const rows = await q.orderBy('due_at').orderBy('id').limit(limit).execute();
  return rows.map(toCheck);
}

/** Pending checks of a handoff whose condition names a task: candidates when that task changes. */
export async function listPendingChecks(store: Store, handoffId: string): Promise<CheckRow[]> {
  return (await listChecks(store, handoffId)).filter((c) => c.status === 'pending');
}

/** Checks that fired and are neither resolved nor acknowledged: what is stalled right now (dashboard). */
export async function listStalledChecks(store: Store, limit = 200): Promise<CheckRow[]> {
  const rows = await store.db
    .selectFrom('watch_checks')
    .selectAll()
    .where('status', 'in', ['pending', 'finished'])
    .where('last_fired_at', 'is not', null)
    .orderBy('since')
    .limit(limit)
    .execute();
  return rows.map(toCheck);
}

/**
 * Insert-then-send: the row is the claim. `claimed` is true for exactly one caller per rung and round;
 * a caller that finds an unsent row it did not create may resume it (the send is idempotent).
 */
export async function claimEscalation(
  store: Store,
  e: { handoffId: string; triggerId: string; rung: number; round: number; reason: string; notified: NotifiedPerson[] },
): Promise<{ escalation: EscalationRow; claimed: boolean }> {
  const inserted = await store.db
    .insertInto('escalations')
    .values({
      handoff_id: e.handoffId,
      trigger_id: e.triggerId,
      rung: e.rung,
      round: e.round,
      status: 'claimed',
      claimed_at: nowIso(),
      sent_at: null,
      channel: null,
      message_ts: null,
      notified: toJson(e.notified),
      reason: storableText(e.reason),
      snoozed_by: null,
      snoozed_at: null,
    })
    .onConflict((oc) => oc.columns(['handoff_id', 'trigger_id', 'rung', 'round']).doNothing())
    .returning('id')
    .executeTakeFirst();
  const row = await getEscalation(store, e);
  if (!row) throw new Error(`escalation ${e.triggerId}/${e.rung}/${e.round} of handoff ${e.handoffId} vanished after insert`);
  return { escalation: row, claimed: inserted !== undefined };
}

export async function getEscalation(store: Store, k: { handoffId: string; triggerId: string; rung: number; round: number }): Promise<EscalationRow | null> {
  const r = await store.db
    .selectFrom('escalations')
    .selectAll()
    .where('handoff_id', '=', k.handoffId)
    .where('trigger_id', '=', k.triggerId)
    .where('rung', '=', k.rung)
    .where('round', '=', k.round)
    .executeTakeFirst();
  return r ? toEscalation(r) : null;
}

export async function markEscalation(store: Store, id: number, status: Exclude<EscalationStatus, 'claimed'>, sent: { channel: string | null; ts: string | null; reason?: string }): Promise<void> {
  await store.db
    .updateTable('escalations')
    .set({
      status,
      sent_at: status === 'sent' ? nowIso() : null,
      channel: sent.channel,
      message_ts: sent.ts,
      ...(sent.reason !== undefined ? { reason: storableText(sent.reason) } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** First click wins: false when this message was already snoozed. */
export async function markEscalationSnoozed(store: Store, id: number, by: string): Promise<boolean> {
  const r = await store.db
    .updateTable('escalations')
    .set({ snoozed_by: storableText(by), snoozed_at: nowIso() })
    .where('id', '=', id)
    .where('snoozed_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** One handoff's fired rungs, oldest first. */
export async function listEscalations(store: Store, handoffId: string): Promise<EscalationRow[]> {
  const rows = await store.db.selectFrom('escalations').selectAll().where('handoff_id', '=', handoffId).orderBy('claimed_at').orderBy('id').execute();
  return rows.map(toEscalation);
}

/** Every handoff's escalations, newest first (dashboard activity). */
export async function listRecentEscalations(store: Store, limit = 100): Promise<EscalationRow[]> {
  const rows = await store.db.selectFrom('escalations').selectAll().orderBy('claimed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toEscalation);
}

/** Escalations sent per trigger id (where handoffs stall), for the dashboard. */
export async function countEscalationsByTrigger(store: Store): Promise<{ triggerId: string; sent: number }[]> {
  const rows = await store.db
    .selectFrom('escalations')
    .select(['trigger_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'sent')
    .groupBy('trigger_id')
    .orderBy('trigger_id')
    .execute();
  return rows.map((r) => ({ triggerId: r.trigger_id, sent: Number(r.n) }));
}
