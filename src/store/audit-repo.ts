// The audit trail: append-only by construction (this module offers no update or delete).
import type { Store } from './database.js';
import { fromJson, storableText, toJson } from './column-codecs.js';

export interface AuditEntry {
  id: number;
  handoffId: string | null;
  at: string;
  actor: string;
  kind: string;
  message: string;
  data: unknown;
}

export async function appendAudit(
  store: Store,
  e: { handoffId: string | null; actor: string; kind: string; message: string; data?: unknown; at?: Date },
): Promise<void> {
  await store.db
    .insertInto('audit_events')
    .values({
      handoff_id: e.handoffId,
      at: (e.at ?? new Date()).toISOString(),
      actor: e.actor,
      kind: e.kind,
      message: storableText(e.message),
      data: e.data === undefined ? null : toJson(e.data),
    })
    .execute();
}

/** One handoff's trail, oldest first (by time, then insertion order). */
export async function listAudit(
  store: Store,
  handoffId: string,
): Promise<{ id: number; at: string; actor: string; kind: string; message: string; data: unknown }[]> {
  const rows = await store.db
    .selectFrom('audit_events')
    .select(['id', 'at', 'actor', 'kind', 'message', 'data'])
    .where('handoff_id', '=', handoffId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), at: r.at, actor: r.actor, kind: r.kind, message: r.message, data: fromJson(r.data) }));
}

/** System events (handoffId null) and everything else, newest first: for an admin activity view. */
export async function listRecentAudit(store: Store, q: { limit: number; systemOnly?: boolean }): Promise<AuditEntry[]> {
  let query = store.db.selectFrom('audit_events').selectAll();
  if (q.systemOnly) query = query.where('handoff_id', 'is', null);
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    handoffId: r.handoff_id,
    at: r.at,
    actor: r.actor,
    kind: r.kind,
    message: r.message,
    data: fromJson(r.data),
  }));
}
