// Building a handoff (rendering the mapping's templates for the deal) as a recorded step. The step only
// exists once a build failed: a template that cannot render (MappingRenderError) is a mapping error,
// permanent for that deal until an admin changes the mapping, so retrying the route job cannot help.
// Instead the handoff row exists, failed, with a `build` step naming mapping, template key and reason —
// on the board, on the handoff page and in the admin page's failed work with Retry. Retry (or, before the
// close, the deal's next event) builds it again from the deal as it is then, with the mappings as loaded then.
import { UnrecoverableError } from 'bullmq';
import type { CrmDeal } from '../src/handoff/ports.js';
import type { JobDeps } from './job-deps.js';
import type { Mapping } from '../src/mapping/schema.js';
import { buildHandoff, handoffRowFields, MappingRenderError, type BuiltHandoff } from '../src/mapping/build-handoff.js';
import { handoffPageUrl } from '../src/handoff/handoff-url.js';
import { getHandoff, updateHandoff, type HandoffRow } from '../src/store/handoff-repo.js';
import { completeStep, ensureSteps, failStep, listSteps } from '../src/store/step-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { mappingOf } from './mapping-of.js';
import { readCurrentDeal } from './read-deal.js';

export const BUILD_STEP = 'build';

/** The built handoff, or the message of a template that cannot render (any other error is thrown). */
export function tryBuild(
  deps: Pick<JobDeps, 'config'>,
  mapping: Mapping,
  deal: CrmDeal,
  handoffId: string,
  closedAt: Date,
): { built: BuiltHandoff } | { error: string } {
  try {
    return { built: buildHandoff(mapping, deal, { closedAt, handoffUrl: handoffPageUrl(deps.config.publicUrl, handoffId) }) };
  } catch (e) {
    if (!(e instanceof MappingRenderError)) throw e;
    return { error: `${e.message} (deal ${deal.id}); fix the mapping, then Retry` };
  }
}

/** A failed build: the build step failed for good, the handoff failed with the same message, one audit entry. */
export async function recordBuildFailure(deps: JobDeps, handoffId: string, message: string): Promise<void> {
  await ensureSteps(deps.store, handoffId, [BUILD_STEP]);
  await failStep(deps.store, handoffId, BUILD_STEP, message, true);
  await updateHandoff(deps.store, handoffId, { status: 'failed', lastError: message });
  await appendAudit(deps.store, { handoffId, actor: 'worker', kind: 'step.failed', message, data: { step: BUILD_STEP, permanent: true } });
  deps.metrics?.steps.inc({ step: BUILD_STEP, outcome: 'failed_permanent' });
}

/** After a build succeeded: a build step that failed (or waits after Retry) is done. True when there was one. */
export async function clearBuildFailure(deps: JobDeps, handoffId: string): Promise<boolean> {
  const step = (await listSteps(deps.store, handoffId)).find((s) => s.stepId === BUILD_STEP);
  if (!step || step.status === 'done') return false;
  await completeStep(deps.store, handoffId, BUILD_STEP, {});
  await appendAudit(deps.store, { handoffId, actor: 'worker', kind: 'step.done', message: `${BUILD_STEP}: the mapping renders for this deal now`, data: { step: BUILD_STEP } });
  deps.metrics?.steps.inc({ step: BUILD_STEP, outcome: 'done' });
  return true;
}

/**
 * First act of a handoff run: a handoff whose build waits (it failed, then an admin pressed Retry) is built
 * again; a build that still fails is recorded and ends the run. `stopped` when the build failed and nobody
 * asked for a retry yet.
 */
export async function ensureBuilt(deps: JobDeps, row: HandoffRow): Promise<{ row: HandoffRow } | { stopped: string }> {
  const step = (await listSteps(deps.store, row.id)).find((s) => s.stepId === BUILD_STEP);
  if (!step || step.status === 'done') return { row };
  if (step.status === 'failed') return { stopped: `stopped at ${BUILD_STEP}: ${step.lastError ?? ''}` };
  const fail = async (message: string): Promise<never> => {
    await recordBuildFailure(deps, row.id, message);
    throw new UnrecoverableError(message);
  };
  const mapping = mappingOf(deps, row.mapping);
  if (!mapping) return fail(`mapping ${row.mapping} is not loaded (see its errors on the admin page); fix it, then Retry`);
  const deal = (await readCurrentDeal(deps, row.crm, row.dealId)).deal ?? (row.deal as CrmDeal | null);
  if (!deal) return fail(`mapping ${row.mapping}: deal ${row.dealId} could not be read`);
  const closedAt = row.closedAt ? new Date(row.closedAt) : null;
  const result = tryBuild(deps, mapping, deal, row.id, closedAt ?? deps.now());
  if ('error' in result) return fail(result.error);
  await updateHandoff(deps.store, row.id, { ...handoffRowFields(result.built, deal, row.phase, closedAt), status: 'pending', lastError: null });
  await clearBuildFailure(deps, row.id);
  return { row: (await getHandoff(deps.store, row.id))! };
}
