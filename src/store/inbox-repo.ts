// The webhook inbox: every CRM event once, keyed by its composite identity. Insert is the dedupe.
import type { CrmEvent } from '../handoff/ports.js';
import type { Store } from './database.js';
import { fromJson, storableText, toJson } from './column-codecs.js';
import type { InboxStatus, NewInboxEventRecord } from './schema.js';

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits (9 per row). */
const INSERT_CHUNK = 500;
const SELECT_CHUNK = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Stores the events whose identity is not in the inbox yet and returns exactly those (first occurrence
 * wins when one call repeats an identity). One round trip per ≤500 events.
 */
export async function insertInboxEvents(store: Store, events: CrmEvent[], receivedAt: Date): Promise<CrmEvent[]> {
  const unique = new Map<string, CrmEvent>();
  for (const e of events) if (!unique.has(e.identity)) unique.set(e.identity, e);
  if (unique.size === 0) return [];

  const received = receivedAt.toISOString();
  const fresh = new Set<string>();
  for (const part of chunks([...unique.values()], INSERT_CHUNK)) {
    const rows: NewInboxEventRecord[] = part.map((e) => ({
      identity: e.identity,
      crm: e.crm,
      account_id: e.accountId,
      kind: e.kind,
      deal_id: e.dealId,
      occurred_at: e.occurredAt,
      received_at: received,
      payload: toJson(e),
      status: 'pending',
      note: null,
    }));
    const inserted = await store.db
      .insertInto('inbox_events')
      .values(rows)
      .onConflict((oc) => oc.column('identity').doNothing())
      .returning('identity')
      .execute();
    for (const r of inserted) fresh.add(r.identity);
  }
  return [...unique.values()].filter((e) => fresh.has(e.identity));
}

/** Of the given identities, those stored and still 'pending' (not yet routed/ignored/failed). */
export async function pendingIdentities(store: Store, identities: string[]): Promise<string[]> {
  const wanted = [...new Set(identities)];
  const out: string[] = [];
  for (const part of chunks(wanted, SELECT_CHUNK)) {
    const rows = await store.db
      .selectFrom('inbox_events')
      .select('identity')
      .where('identity', 'in', part)
      .where('status', '=', 'pending')
      .execute();
    for (const r of rows) out.push(r.identity);
  }
  return out;
}

export interface InboxEntry {
  event: CrmEvent;
  status: InboxStatus;
  note: string | null;
  receivedAt: string;
}

export async function getInboxEvent(store: Store, identity: string): Promise<InboxEntry | null> {
  const row = await store.db
    .selectFrom('inbox_events')
    .select(['payload', 'status', 'note', 'received_at'])
    .where('identity', '=', identity)
    .executeTakeFirst();
  if (!row) return null;
  return { event: fromJson<CrmEvent>(row.payload)!, status: row.status, note: row.note, receivedAt: row.received_at };
}

/** An event still pending this long after it arrived has lost its way (its route job runs within seconds, or retries). */
export const INBOX_STUCK_AFTER_MS = 5 * 60_000;

/** Events still pending that arrived before `receivedBefore`, oldest first: for a sweep that re-queues them. */
export async function listPendingInbox(store: Store, q: { receivedBefore: Date; limit: number }): Promise<CrmEvent[]> {
  const rows = await store.db
    .selectFrom('inbox_events')
    .select('payload')
    .where('status', '=', 'pending')
    .where('received_at', '<', q.receivedBefore.toISOString())
    .orderBy('received_at')
    .orderBy('id')
    .limit(q.limit)
    .execute();
  return rows.map((r) => fromJson<CrmEvent>(r.payload)!);
}

export async function setInboxStatus(
  store: Store,
  identity: string,
  status: Exclude<InboxStatus, 'pending'>,
  note?: string,
): Promise<void> {
  await store.db
    .updateTable('inbox_events')
    .set({ status, note: note === undefined ? null : storableText(note) })
    .where('identity', '=', identity)
    .execute();
}

export async function countInbox(store: Store, filter?: { status?: InboxStatus; receivedBefore?: Date }): Promise<number> {
  let q = store.db.selectFrom('inbox_events').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter?.status) q = q.where('status', '=', filter.status);
  if (filter?.receivedBefore) q = q.where('received_at', '<', filter.receivedBefore.toISOString());
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes up to `limit` handled events (routed, ignored, failed) received before `olderThan`; pending ones
 * are never touched (they still have work to do). Returns how many went. Batches keep each delete short.
 */
export async function pruneHandledInbox(store: Store, olderThan: string, limit: number): Promise<number> {
  const r = await store.db
    .deleteFrom('inbox_events')
    .where('id', 'in', (eb) => eb.selectFrom('inbox_events').select('id').where('status', '!=', 'pending').where('received_at', '<', olderThan).limit(limit))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
