// Replay of failed work (CLI `baton replay`; the admin page's Retry is src/dashboard/admin/retry-step.ts):
// a failed handoff's failed steps go back to pending and the handoff runs again. Steps that succeeded are not repeated (they are done, and
// each connector finds its marker anyway). Dead-lettered queue jobs (every queue) are listed and retried
// by src/queue/dead-letter.ts, shared with the admin page.
import type { Store } from '../store/database.js';
import type { BatonQueues } from '../queue/queues.js';
import { getHandoff, listHandoffs, updateHandoff, type HandoffRow } from '../store/handoff-repo.js';
import { listSteps, resetStepForRetry } from '../store/step-repo.js';
import { appendAudit } from '../store/audit-repo.js';
import { enqueueHandoff } from '../queue/enqueue.js';

/** Store and queues only: replaying resets rows and queues a run; the workers do the rest. */
export interface ReplayDeps {
  store: Store;
  queues: Pick<BatonQueues, 'handoff'>;
}

export async function replayHandoff(deps: ReplayDeps, handoffId: string, actor: string): Promise<{ replayed: boolean; reason: string }> {
  const h = await getHandoff(deps.store, handoffId);
  if (!h) return { replayed: false, reason: 'no such handoff' };
  if (h.status !== 'failed') return { replayed: false, reason: `handoff is ${h.status}, not failed` };
  const failed = (await listSteps(deps.store, h.id)).filter((s) => s.status === 'failed');
  for (const s of failed) await resetStepForRetry(deps.store, h.id, s.stepId);
  await updateHandoff(deps.store, h.id, { status: 'pending', lastError: null });
  await appendAudit(deps.store, {
    handoffId: h.id,
    actor,
    kind: 'handoff.replayed',
    message: `Replayed by ${actor}${failed.length ? `: ${failed.map((s) => s.stepId).join(', ')} reset` : ''} (was: ${h.lastError ?? 'failed'})`,
  });
  // A fresh job id: the failed run's job is kept in the dead-letter set for the record.
  await enqueueHandoff(deps, h.id, `replay:${Date.now()}`);
  return { replayed: true, reason: `${failed.length} failed step(s) reset` };
}

export async function listFailedHandoffs(deps: ReplayDeps, limit = 200): Promise<HandoffRow[]> {
  return (await listHandoffs(deps.store, { limit, status: 'failed' })).items;
}
