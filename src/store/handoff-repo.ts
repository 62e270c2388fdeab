// Handoffs: one per (CRM, deal, mapping). Rows are camelCase for callers; JSON columns arrive parsed.
import { randomUUID } from 'node:crypto';
import type { HandoffDocument, MissingField } from '../handoff/types.js';
import type { Store } from './database.js';
import { fromJson, nowIso, storableText, toJson } from './column-codecs.js';
import type { HandoffPhase, HandoffRecord, HandoffRecordUpdate, HandoffStatus } from './schema.js';

export interface HandoffRow {
  id: string;
  crm: string;
  accountId: string;
  dealId: string;
  mapping: string;
  phase: HandoffPhase;
  status: HandoffStatus;
  title: string;
  dealName: string | null;
  document: HandoffDocument | null;
  complete: boolean;
  missing: MissingField[];
  plan: unknown;
  deal: unknown;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  lastError: string | null;
}

export type NewHandoff = Omit<HandoffRow, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'lastError'> & {
  /** Default: a fresh UUID. Given when the content already names the handoff (its page URL in templates). */
  id?: string;
  /** Default 'pending'. */
  status?: HandoffStatus;
  lastError?: string | null;
};

export type HandoffPatch = Partial<
  Pick<
    HandoffRow,
    'phase' | 'status' | 'title' | 'dealName' | 'document' | 'complete' | 'missing' | 'plan' | 'deal' | 'closedAt' | 'lastError'
  >
>;

function toRow(r: HandoffRecord): HandoffRow {
  return {
    id: r.id,
    crm: r.crm,
    accountId: r.account_id,
    dealId: r.deal_id,
    mapping: r.mapping,
    phase: r.phase,
    status: r.status,
    title: r.title,
    dealName: r.deal_name,
    document: fromJson<HandoffDocument>(r.document),
    complete: Number(r.complete) === 1,
    missing: fromJson<MissingField[]>(r.missing) ?? [],
    plan: fromJson(r.plan),
    deal: fromJson(r.deal),
    closedAt: r.closed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastError: r.last_error,
  };
}

/**
 * Creates the handoff unless one exists for (crm, dealId, mapping); race-safe across workers and
 * processes (INSERT … ON CONFLICT DO NOTHING decides, exactly one caller sees `created: true`).
 */
export async function createHandoffIfAbsent(
  store: Store,
  input: NewHandoff,
): Promise<{ handoff: HandoffRow; created: boolean }> {
  const now = nowIso();
  const id = input.id ?? randomUUID();
  const inserted = await store.db
    .insertInto('handoffs')
    .values({
      id,
      crm: input.crm,
      account_id: input.accountId,
      deal_id: input.dealId,
      mapping: input.mapping,
      phase: input.phase,
      status: input.status ?? 'pending',
      title: storableText(input.title),
      deal_name: storableText(input.dealName),
      document: input.document === null ? null : toJson(input.document),
      complete: input.complete ? 1 : 0,
      missing: toJson(input.missing),
      plan: toJson(input.plan),
      deal: toJson(input.deal),
      closed_at: input.closedAt,
      created_at: now,
      updated_at: now,
      last_error: storableText(input.lastError ?? null),
    })
    .onConflict((oc) => oc.columns(['crm', 'deal_id', 'mapping']).doNothing())
    .returning('id')
    .executeTakeFirst();
  const handoff = inserted
    ? await getHandoff(store, id)
    : await findHandoff(store, input.crm, input.dealId, input.mapping);
  // Handoffs are never deleted, so the row the conflict pointed at is there.
  if (!handoff) throw new Error(`handoff for ${input.crm} deal ${input.dealId} / ${input.mapping} vanished after insert`);
  return { handoff, created: inserted !== undefined };
}

export async function getHandoff(store: Store, id: string): Promise<HandoffRow | null> {
  const row = await store.db.selectFrom('handoffs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRow(row) : null;
}

export async function findHandoff(store: Store, crm: string, dealId: string, mapping: string): Promise<HandoffRow | null> {
  const row = await store.db
    .selectFrom('handoffs')
    .selectAll()
    .where('crm', '=', crm)
    .where('deal_id', '=', dealId)
    .where('mapping', '=', mapping)
    .executeTakeFirst();
  return row ? toRow(row) : null;
}

/** Every mapping's handoff for the deal, oldest first. */
export async function listHandoffsForDeal(store: Store, crm: string, dealId: string): Promise<HandoffRow[]> {
  const rows = await store.db
    .selectFrom('handoffs')
    .selectAll()
    .where('crm', '=', crm)
    .where('deal_id', '=', dealId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toRow);
}

/** Applies the patch and bumps updated_at. Throws when the handoff does not exist (a caller bug, not a race: handoffs are never deleted). */
export async function updateHandoff(store: Store, id: string, patch: HandoffPatch): Promise<void> {
  const set: HandoffRecordUpdate = { updated_at: nowIso() };
  if (patch.phase !== undefined) set.phase = patch.phase;
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.title !== undefined) set.title = storableText(patch.title);
  if (patch.dealName !== undefined) set.deal_name = storableText(patch.dealName);
  if (patch.document !== undefined) set.document = patch.document === null ? null : toJson(patch.document);
  if (patch.complete !== undefined) set.complete = patch.complete ? 1 : 0;
  if (patch.missing !== undefined) set.missing = toJson(patch.missing);
  if ('plan' in patch) set.plan = toJson(patch.plan);
  if ('deal' in patch) set.deal = toJson(patch.deal);
  if (patch.closedAt !== undefined) set.closed_at = patch.closedAt;
  if (patch.lastError !== undefined) set.last_error = storableText(patch.lastError);
  const result = await store.db.updateTable('handoffs').set(set).where('id', '=', id).executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new Error(`handoff ${id} does not exist`);
}

/** Opaque to callers; `${created_at}_${id}` (neither an ISO time nor a UUID contains "_"). A bare created_at is accepted too. */
function encodeCursor(row: HandoffRow): string {
  return `${row.createdAt}_${row.id}`;
}

function decodeCursor(cursor: string): { createdAt: string; id: string | null } {
  const at = cursor.indexOf('_');
  return at < 0 ? { createdAt: cursor, id: null } : { createdAt: cursor.slice(0, at), id: cursor.slice(at + 1) };
}

/** Newest first, keyset-paginated on (created_at, id): stable while new handoffs arrive. */
export async function listHandoffs(
  store: Store,
  q: { limit: number; before?: string | undefined; status?: string | undefined; mapping?: string | undefined },
): Promise<{ items: HandoffRow[]; nextCursor: string | null }> {
  if (!Number.isInteger(q.limit) || q.limit < 1) throw new RangeError(`limit must be a positive integer, got ${q.limit}`);
  let query = store.db.selectFrom('handoffs').selectAll();
  if (q.status) query = query.where('status', '=', q.status as HandoffStatus);
  if (q.mapping) query = query.where('mapping', '=', q.mapping);
  if (q.before) {
    const c = decodeCursor(q.before);
    query = query.where((eb) =>
      c.id === null
        ? eb('created_at', '<', c.createdAt)
        : eb.or([
            eb('created_at', '<', c.createdAt),
            eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)]),
          ]),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const items = rows.slice(0, q.limit).map(toRow);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}

export async function countHandoffs(store: Store, filter?: { status?: HandoffStatus; mapping?: string }): Promise<number> {
  let q = store.db.selectFrom('handoffs').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter?.status) q = q.where('status', '=', filter.status);
  if (filter?.mapping) q = q.where('mapping', '=', filter.mapping);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/**
 * Closed handoffs still `pending` or `running` that nothing touched since `untouchedSince`, oldest first: the
 * store-driven sweep (jobs/resume-lost-handoffs.ts) resumes those whose job Redis no longer holds.
 */
export async function listUnfinishedHandoffs(store: Store, untouchedSince: string, limit: number): Promise<{ id: string; updatedAt: string }[]> {
  const rows = await store.db
    .selectFrom('handoffs')
    .select(['id', 'updated_at'])
    .where('phase', '=', 'closed')
    .where('status', 'in', ['pending', 'running'])
    .where('updated_at', '<', untouchedSince)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, updatedAt: r.updated_at }));
}
