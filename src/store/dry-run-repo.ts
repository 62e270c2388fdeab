// What dry-run connectors would have sent. The idempotency key is unique, so a step that runs again
// finds its earlier record instead of "sending" twice — the same contract the live connectors keep.
import type { Store } from './database.js';
import { fromJson, nowIso, toJson } from './column-codecs.js';

export interface DryRunRow {
  id: number;
  handoffId: string;
  connector: string;
  action: string;
  idempotencyKey: string;
  payload: unknown;
  createdAt: string;
}

export async function recordDryRun(
  store: Store,
  r: { handoffId: string; connector: string; action: string; idempotencyKey: string; payload: unknown },
): Promise<{ created: boolean; id: number }> {
  const inserted = await store.db
    .insertInto('dry_run_records')
    .values({
      handoff_id: r.handoffId,
      connector: r.connector,
      action: r.action,
      idempotency_key: r.idempotencyKey,
      payload: toJson(r.payload),
      created_at: nowIso(),
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { created: true, id: Number(inserted.id) };
  const existing = await findDryRun(store, r.idempotencyKey);
  if (!existing) throw new Error(`dry-run record ${r.idempotencyKey} vanished after a conflicting insert`);
  return { created: false, id: existing.id };
}

export async function findDryRun(store: Store, idempotencyKey: string): Promise<{ id: number; payload: unknown } | null> {
  const row = await store.db
    .selectFrom('dry_run_records')
    .select(['id', 'payload'])
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row ? { id: Number(row.id), payload: fromJson(row.payload) } : null;
}

/** One handoff's records in the order they were made. */
export async function listDryRuns(store: Store, handoffId: string): Promise<DryRunRow[]> {
  const rows = await store.db
    .selectFrom('dry_run_records')
    .selectAll()
    .where('handoff_id', '=', handoffId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    handoffId: r.handoff_id,
    connector: r.connector,
    action: r.action,
    idempotencyKey: r.idempotency_key,
    payload: fromJson(r.payload),
    createdAt: r.created_at,
  }));
}

export async function countDryRuns(store: Store, filter?: { connector?: string; action?: string }): Promise<number> {
  let q = store.db.selectFrom('dry_run_records').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter?.connector) q = q.where('connector', '=', filter.connector);
  if (filter?.action) q = q.where('action', '=', filter.action);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
