// Handoff steps: one row per (handoff, step id), the record that makes re-running a handoff skip
// what already happened. Status moves pending → running → done|skipped, or → failed (permanent)
// / back to pending (retryable).
import type { Store } from './database.js';
import { fromJson, nowIso, storableText, toJson } from './column-codecs.js';
import type { NewStepRecord, StepRecord, StepStatus } from './schema.js';

export interface StepRow {
  handoffId: string;
  stepId: string;
  position: number;
  status: StepStatus;
  attempts: number;
  lastError: string | null;
  permanent: boolean;
  externalIds: Record<string, unknown>;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

/** startStep on a step that is done, skipped or permanently failed: running it again would repeat an effect. */
export class StepNotRunnableError extends Error {
  override readonly name = 'StepNotRunnableError';
  constructor(
    readonly handoffId: string,
    readonly stepId: string,
    readonly status: StepStatus,
  ) {
    super(
      `step ${stepId} of handoff ${handoffId} is ${status}: only pending or interrupted (running) steps start` +
        (status === 'failed' ? '; reset it for retry first' : ''),
    );
  }
}

function toRow(r: StepRecord): StepRow {
  return {
    handoffId: r.handoff_id,
    stepId: r.step_id,
    position: Number(r.position),
    status: r.status,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    permanent: Number(r.permanent) === 1,
    externalIds: fromJson<Record<string, unknown>>(r.external_ids) ?? {},
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
  };
}

async function getStep(store: Store, handoffId: string, stepId: string): Promise<StepRow | null> {
  const row = await store.db
    .selectFrom('handoff_steps')
    .selectAll()
    .where('handoff_id', '=', handoffId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  return row ? toRow(row) : null;
}

const missingStep = (handoffId: string, stepId: string) =>
  new Error(`step ${stepId} of handoff ${handoffId} does not exist (ensureSteps first)`);

/** Inserts the steps not recorded yet as pending (position = index in `stepIds`), keeps existing ones as they are. */
export async function ensureSteps(store: Store, handoffId: string, stepIds: string[]): Promise<StepRow[]> {
  if (stepIds.length > 0) {
    const now = nowIso();
    const rows: NewStepRecord[] = stepIds.map((stepId, position) => ({
      handoff_id: handoffId,
      step_id: stepId,
      position,
      status: 'pending',
      attempts: 0,
      last_error: null,
      permanent: 0,
      external_ids: '{}',
      started_at: null,
      finished_at: null,
      updated_at: now,
    }));
    await store.db
      .insertInto('handoff_steps')
      .values(rows)
      .onConflict((oc) => oc.columns(['handoff_id', 'step_id']).doNothing())
      .execute();
  }
  return listSteps(store, handoffId);
}

export async function listSteps(store: Store, handoffId: string): Promise<StepRow[]> {
  const rows = await store.db
    .selectFrom('handoff_steps')
    .selectAll()
    .where('handoff_id', '=', handoffId)
    .orderBy('position')
    .orderBy('step_id')
    .execute();
  return rows.map(toRow);
}

/**
 * Marks the step running and counts the attempt. Only pending steps, or running ones a killed worker
 * left behind, may start; the check and the update are one statement, so it holds under concurrency.
 */
export async function startStep(store: Store, handoffId: string, stepId: string): Promise<StepRow> {
  const now = nowIso();
  const row = await store.db
    .updateTable('handoff_steps')
    .set((eb) => ({
      status: 'running',
      attempts: eb('attempts', '+', 1),
      started_at: now,
      finished_at: null,
      updated_at: now,
    }))
    .where('handoff_id', '=', handoffId)
    .where('step_id', '=', stepId)
    .where('status', 'in', ['pending', 'running'])
    .returningAll()
    .executeTakeFirst();
  if (row) return toRow(row);
  const existing = await getStep(store, handoffId, stepId);
  if (!existing) throw missingStep(handoffId, stepId);
  throw new StepNotRunnableError(handoffId, stepId, existing.status);
}

/**
 * Reads the step's external ids and writes them back merged with `add` (later keys win), with the
 * extra column changes, in one transaction so concurrent writers cannot drop each other's ids.
 */
async function mergeExternalIds(
  store: Store,
  handoffId: string,
  stepId: string,
  add: Record<string, unknown>,
  extra: Partial<Omit<StepRecord, 'handoff_id' | 'step_id' | 'external_ids'>>,
): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    let select = trx
      .selectFrom('handoff_steps')
      .select('external_ids')
      .where('handoff_id', '=', handoffId)
      .where('step_id', '=', stepId);
    // SQLite transactions already hold the write lock (BEGIN IMMEDIATE); PostgreSQL needs the row lock.
    if (store.dialect === 'postgres') select = select.forUpdate();
    const current = await select.executeTakeFirst();
    if (!current) throw missingStep(handoffId, stepId);
    const merged = { ...(fromJson<Record<string, unknown>>(current.external_ids) ?? {}), ...add };
    await trx
      .updateTable('handoff_steps')
      .set({ ...extra, external_ids: toJson(merged), updated_at: nowIso() })
      .where('handoff_id', '=', handoffId)
      .where('step_id', '=', stepId)
      .execute();
  });
}

/**
 * Records external ids produced so far (e.g. the epic key before its tasks) without changing the
 * status, so a retry can find what the previous attempt created.
 */
export async function saveStepProgress(
  store: Store,
  handoffId: string,
  stepId: string,
  externalIds: Record<string, unknown>,
): Promise<void> {
  await mergeExternalIds(store, handoffId, stepId, externalIds, {});
}

/** Finishes the step; `externalIds` are merged into those already recorded. Clears the last error. */
export async function completeStep(
  store: Store,
  handoffId: string,
  stepId: string,
  externalIds: Record<string, unknown>,
  status: 'done' | 'skipped' = 'done',
): Promise<void> {
  await mergeExternalIds(store, handoffId, stepId, externalIds, {
    status,
    finished_at: nowIso(),
    last_error: null,
    permanent: 0,
  });
}

/** Permanent: status 'failed' until an admin resets it. Retryable: back to 'pending' for the next attempt. */
export async function failStep(
  store: Store,
  handoffId: string,
  stepId: string,
  message: string,
  permanent: boolean,
): Promise<void> {
  const now = nowIso();
  const result = await store.db
    .updateTable('handoff_steps')
    .set({
      status: permanent ? 'failed' : 'pending',
      last_error: storableText(message),
      permanent: permanent ? 1 : 0,
      finished_at: permanent ? now : null,
      updated_at: now,
    })
    .where('handoff_id', '=', handoffId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw missingStep(handoffId, stepId);
}

/** Admin retry: a failed step goes back to pending (last_error kept for context). False when the step was not failed. */
export async function resetStepForRetry(store: Store, handoffId: string, stepId: string): Promise<boolean> {
  const result = await store.db
    .updateTable('handoff_steps')
    .set({ status: 'pending', permanent: 0, finished_at: null, updated_at: nowIso() })
    .where('handoff_id', '=', handoffId)
    .where('step_id', '=', stepId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
