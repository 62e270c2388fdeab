// `handoff` queue: what happens on closed-won. Runs the handoff's steps in order; each step is
// recorded in the store (unique per handoff + step) and each connector checks its own idempotency
// marker before writing, so a crash between "the API call succeeded" and "we recorded it" repeats
// the call harmlessly instead of creating a second issue or message.
import { UnrecoverableError, type Job } from 'bullmq';
import type { CreatedWork, PostedMessage, StepProgress } from '../src/handoff/ports.js';
import { isPermanent, isRetryable, RetryableError, RunFenceLostError } from '../src/handoff/errors.js';
import type { JobDeps } from './job-deps.js';
import type { HandoffJob } from '../src/queue/job-schemas.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { HandoffDocument } from '../src/handoff/types.js';
import { buildTimelineNote, writeBackStatus } from '../src/handoff/timeline-note.js';
import { getHandoff, updateHandoff, type HandoffRow } from '../src/store/handoff-repo.js';
import { completeStep, ensureSteps, failStep, saveStepProgress, startStep, type StepRow } from '../src/store/step-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { handoffPageUrl } from '../src/handoff/handoff-url.js';
import { scheduleChecks } from './escalation/schedule-checks.js';
import { mappingOf } from './mapping-of.js';
import { scheduleFeedback } from './schedule-feedback.js';
import { seedTaskStatus } from './observe-task.js';
import { ensureBuilt } from './build-step.js';
import { escalateStepFailure } from './escalate-step-failure.js';
import type { StepPoint } from './job-deps.js';

// Watching starts as soon as the work exists: the intro and the write-back cannot hold it up (or stop it).
export const HANDOFF_STEPS = ['create-work', 'schedule-checks', 'post-intro', 'write-back'] as const;
export type HandoffStepId = (typeof HANDOFF_STEPS)[number];

interface StepContext {
  deps: JobDeps;
  /** The running step's progress: what earlier attempts saved, and saving more as it happens. */
  progress: StepProgress;
  handoff: HandoffRow & { document: HandoffDocument };
  plan: StoredPlan;
  outputs: Partial<Record<HandoffStepId, Record<string, unknown>>>;
}

interface StepResult {
  status: 'done' | 'skipped';
  externalIds: Record<string, unknown>;
  message: string;
}

const STEP_RUNNERS: Record<HandoffStepId, (ctx: StepContext) => Promise<StepResult>> = {
  'create-work': async ({ deps, handoff, plan, progress }) => {
    const tool = deps.connectors.workTool(plan.work.tool);
    const created: CreatedWork = await tool.createWork({
      handoffId: handoff.id,
      mapping: handoff.mapping,
      idempotencyKey: `${handoff.id}:create-work`,
      plan: plan.work,
      document: handoff.document,
      people: plan.people,
      progress,
    });
    for (const note of created.notes) {
      await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'work.note', message: note });
    }
    const verb = tool.mode === 'dry-run' ? 'would create' : 'created';
    return { status: 'done', externalIds: { ...created }, message: `${plan.work.tool} ${verb} the parent and ${plan.work.tasks.length} task(s)` };
  },

  'post-intro': async ({ deps, handoff, plan, progress }) => {
    if (!plan.intro.channel) {
      return { status: 'skipped', externalIds: {}, message: 'no client channel on the deal: the intro was not posted' };
    }
    const channel = deps.connectors.clientChannel(plan.intro.tool);
    const posted: PostedMessage = await channel.postIntro({
      handoffId: handoff.id,
      mapping: handoff.mapping,
      idempotencyKey: `${handoff.id}:post-intro`,
      intro: { ...plan.intro, channel: plan.intro.channel },
      document: handoff.document,
      people: plan.people,
      progress,
    });
    const verb = channel.mode === 'dry-run' ? 'would post' : 'posted';
    return { status: 'done', externalIds: { ...posted }, message: `${channel.tool} ${verb} the intro in ${posted.channel}${plan.intro.threadTs ? ' (existing thread)' : ''}` };
  },

  'write-back': async ({ deps, handoff, plan, outputs, progress }) => {
    const work = outputs['create-work'] as CreatedWork | undefined;
    const intro = outputs['post-intro'] as PostedMessage | undefined;
    const handoffUrl = handoffPageUrl(deps.config.publicUrl, handoff.id);
    const workUrl = work?.parent.url ?? null;
    const writer = deps.connectors.crm(handoff.crm).writer;
    const result = await writer.writeBack({
      handoffId: handoff.id,
      mapping: handoff.mapping,
      idempotencyKey: `${handoff.id}:write-back`,
      dealId: handoff.dealId,
      status: writeBackStatus(handoff.document),
      workUrl,
      kickoffDue: plan.kickoffDue,
      handoffUrl,
      clientThreadTs: intro?.threadTs ?? null,
      note: buildTimelineNote({ title: handoff.title, document: handoff.document, people: plan.people, workUrl, handoffUrl, kickoffDue: plan.kickoffDue }),
      progress,
    });
    const verb = writer.mode === 'dry-run' ? 'would write' : 'wrote';
    return { status: 'done', externalIds: { ...result }, message: `${writer.crm} ${verb} the status and a timeline note` };
  },

  'schedule-checks': async ({ deps, handoff, outputs }) => {
    // Watching (issue #4, jobs/escalation/, jobs/feedback.ts): delayed jobs, re-runnable without duplicates.
    const mapping = mappingOf(deps, handoff.mapping);
    if (!mapping) return { status: 'skipped', externalIds: {}, message: `mapping ${handoff.mapping} is not loaded: nothing to watch` };
    const work = outputs['create-work'] as CreatedWork | undefined;
    await seedTaskStatus(deps, handoff, work?.tasks ?? {});
    const checks = await scheduleChecks(deps, handoff, mapping);
    const feedbackAt = await scheduleFeedback(deps, handoff, mapping);
    if (checks.scheduled.length === 0 && !feedbackAt) {
      return { status: 'skipped', externalIds: {}, message: `no escalations or feedback in mapping ${mapping.name}${checks.skipped.length ? ` (skipped: ${checks.skipped.join(', ')})` : ''}` };
    }
    const parts = [`${checks.scheduled.length} escalation check(s)${checks.scheduled.length ? ` (${checks.scheduled.join(', ')})` : ''}`];
    if (checks.skipped.length) parts.push(`skipped ${checks.skipped.join(', ')}`);
    if (feedbackAt) parts.push(`feedback request at ${feedbackAt}`);
    return { status: 'done', externalIds: { checks: checks.scheduled, feedbackAt }, message: `scheduled ${parts.join('; ')}` };
  },
};

export async function processHandoffJob(deps: JobDeps, job: Job, data: HandoffJob): Promise<string> {
  // One run per handoff at a time: the first run, an admin Retry and a stalled job BullMQ handed on to another
  // worker are different jobs (or the same job twice) for the same external objects.
  const held = deps.leases ? await deps.leases.acquire(`handoff:${data.handoffId}`) : null;
  if (held && 'busyForMs' in held) waitForOtherRun(deps, data.handoffId, held.busyForMs);
  const lease = held?.lease;
  try {
    return await (lease ? deps.fencing.runFenced(() => lease.renew(), () => runHandoff(deps, job, data)) : runHandoff(deps, job, data));
  } catch (e) {
    if (e instanceof RunFenceLostError) deps.logger.warn({ handoffId: data.handoffId, err: e.message }, 'handoff run stopped: another run holds it');
    throw e;
  } finally {
    await lease?.release().catch(() => undefined); // left to expire when Redis is away
  }
}

async function runHandoff(deps: JobDeps, job: Job, data: HandoffJob): Promise<string> {
  const loaded = await getHandoff(deps.store, data.handoffId);
  if (!loaded) return 'handoff not found';
  if (loaded.status === 'stopped') return 'handoff stopped';
  // A handoff whose build failed (a mapping error) is built again first, after an admin's Retry.
  const build = await ensureBuilt(deps, loaded);
  if ('stopped' in build) return build.stopped;
  const row = build.row;
  if (row.phase !== 'closed') return 'handoff not closed yet';
  if (!row.document) throw new UnrecoverableError(`handoff ${row.id} has no document`);
  const ctx: StepContext = {
    deps,
    handoff: { ...row, document: row.document },
    plan: row.plan as StoredPlan,
    outputs: {},
    progress: { saved: {}, save: async () => undefined },
  };

  // In HANDOFF_STEPS order whatever positions older rows were stored with (the order changed: watching first).
  const order = (id: string) => HANDOFF_STEPS.indexOf(id as HandoffStepId);
  const steps = (await ensureSteps(deps.store, row.id, [...HANDOFF_STEPS])).sort((a, b) => order(a.stepId) - order(b.stepId));
  const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  /** Steps that failed for good (this run or before): the handoff ends failed, each one escalated. */
  const failed: { id: HandoffStepId; error: string }[] = [];
  let retryLater: unknown;
  let ran = 0;
  for (const step of steps) {
    const id = step.stepId as HandoffStepId;
    if (step.status === 'done' || step.status === 'skipped') {
      ctx.outputs[id] = step.externalIds;
      continue;
    }
    if (step.status === 'failed' && step.permanent) {
      if (id === 'create-work') return `stopped at ${id}: ${step.lastError}`;
      failed.push({ id, error: step.lastError ?? 'failed' });
      continue;
    }
    if (ran++ === 0 && row.status !== 'running') await updateHandoff(deps.store, row.id, { status: 'running', lastError: null });
    try {
      await runStep(ctx, step);
    } catch (e) {
      if (e instanceof RunFenceLostError) throw e; // another run owns the step now: record nothing
      const outcome = await recordStepFailure(ctx, id, e, job, last);
      // Nothing exists to watch, introduce or write back without the work: the run stops here.
      if (id === 'create-work') throw isPermanent(e) ? new UnrecoverableError(outcome.error) : e;
      // Once the work exists each later step stands alone: the others still run, watching included.
      if (outcome.final) failed.push({ id, error: outcome.error });
      else retryLater ??= e;
    }
  }
  if (retryLater) throw retryLater; // a told wait (Retry-After, open circuit) parks the job: src/runtime/retry-after.ts
  if (failed.length > 0) return finishFailed(ctx, failed);
  // A job that waited for another run finds everything done: nothing new to say.
  if (ran === 0 && row.status === 'done') return 'already done';
  await updateHandoff(deps.store, row.id, { status: 'done', lastError: null });
  await appendAudit(deps.store, { handoffId: row.id, actor: 'worker', kind: 'handoff.done', message: 'All handoff steps finished' });
  return 'done';
}

/**
 * Some step after create-work failed for good: the handoff is `failed` (its failed steps visible, Retry
 * resets them), and each failure goes to the team lead with its fix, once (jobs/escalate-step-failure.ts).
 */
async function finishFailed(ctx: StepContext, failed: { id: HandoffStepId; error: string }[]): Promise<never> {
  const { deps, handoff } = ctx;
  const lastError = failed.map((f) => f.error).join('; ');
  await updateHandoff(deps.store, handoff.id, { status: 'failed', lastError });
  for (const f of failed) await escalateStepFailure(deps, handoff, f.id, f.error);
  throw new UnrecoverableError(lastError);
}

/** Another run holds the handoff: come back when its lease would run out (the job is parked, not failed). */
function waitForOtherRun(deps: JobDeps, handoffId: string, busyForMs: number): never {
  const waitMs = Math.max(250, busyForMs + 100);
  deps.logger.info({ handoffId, waitMs }, 'another run holds this handoff; waiting for it');
  throw new RetryableError(`handoff ${handoffId} is being run by another worker`, 'baton', waitMs, { reason: 'busy' });
}

async function runStep(ctx: StepContext, step: StepRow): Promise<void> {
  const { deps, handoff } = ctx;
  const id = step.stepId as HandoffStepId;
  const runner = STEP_RUNNERS[id];
  if (!runner) throw new UnrecoverableError(`unknown step ${id}`);
  await deps.fencing.passFence(); // still ours before saying the step runs again
  const started = await startStep(deps.store, handoff.id, id);
  const at = (point: StepPoint) => deps.onStepPoint?.({ handoffId: handoff.id, stepId: id, point });
  ctx.progress = {
    firstAttempt: started.attempts === 1,
    saved: { ...started.externalIds },
    save: async (ids, opts) => {
      if (!opts?.beforeCall) await at('first-save'); // a write-ahead record is not a created object
      Object.assign(ctx.progress.saved, ids);
      await saveStepProgress(deps.store, handoff.id, id, ids);
    },
  };
  const result = await runner(ctx);
  await at('after-call');
  await completeStep(deps.store, handoff.id, id, result.externalIds, result.status);
  await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: `step.${result.status}`, message: `${id}: ${result.message}`, data: { step: id } });
  deps.metrics?.steps.inc({ step: id, outcome: result.status });
  ctx.outputs[id] = result.externalIds;
}

/**
 * Records a step's failure. `final` when no retry of this job will run it again: a permanent error (an admin
 * must act, so the message names the mapping and the step) or the job's last attempt.
 */
async function recordStepFailure(ctx: StepContext, id: HandoffStepId, e: unknown, job: Job, lastAttempt: boolean): Promise<{ final: boolean; error: string }> {
  const { deps, handoff } = ctx;
  const message = e instanceof Error ? e.message : String(e);
  const error = `mapping ${handoff.mapping}, step ${id}: ${message}`;
  if (isPermanent(e)) {
    await failStep(deps.store, handoff.id, id, error, true);
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'step.failed', message: error, data: { step: id, permanent: true, field: e.field ?? null } });
    deps.metrics?.steps.inc({ step: id, outcome: 'failed_permanent' });
    if (id === 'create-work') await updateHandoff(deps.store, handoff.id, { status: 'failed', lastError: error });
    return { final: true, error };
  }
  await failStep(deps.store, handoff.id, id, message, false);
  // A told wait (Retry-After, an open circuit) parks the job without spending an attempt: not the last one yet.
  lastAttempt &&= !(isRetryable(e) && e.retryAfterMs !== undefined);
  await appendAudit(deps.store, {
    handoffId: handoff.id,
    actor: 'worker',
    kind: lastAttempt ? 'step.failed' : 'step.retry',
    message: `${id}: ${message}${lastAttempt ? ' (retries exhausted)' : ''}`,
    data: { step: id, attempt: job.attemptsMade + 1 },
  });
  deps.metrics?.steps.inc({ step: id, outcome: lastAttempt ? 'failed' : 'retry' });
  if (lastAttempt && id === 'create-work') await updateHandoff(deps.store, handoff.id, { status: 'failed', lastError: error });
  return { final: lastAttempt, error: lastAttempt ? `${error} (retries exhausted)` : error };
}
