// `handoff` queue: what happens on closed-won. Runs the handoff's steps in order; each step is
// recorded in the store (unique per handoff + step) and each connector checks its own idempotency
// marker before writing, so a crash between "the API call succeeded" and "we recorded it" repeats
// the call harmlessly instead of creating a second issue or message.
import { UnrecoverableError, type Job } from 'bullmq';
import type { CreatedWork, PostedMessage, StepProgress } from '../connectors/types.js';
import { isPermanent, RetryableError } from '../connectors/errors.js';
import { passFence, runFenced, RunFenceLostError } from '../connectors/common/run-fence.js';
import type { JobDeps } from './job-deps.js';
import type { HandoffJob } from '../src/queue/job-schemas.js';
import type { BuiltHandoff } from '../src/mapping/build-handoff.js';
import type { HandoffDocument } from '../src/handoff/types.js';
import { buildTimelineNote, writeBackStatus } from '../src/handoff/timeline-note.js';
import { getHandoff, updateHandoff, type HandoffRow } from '../src/store/handoff-repo.js';
import { completeStep, ensureSteps, failStep, saveStepProgress, startStep, type StepRow } from '../src/store/step-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { mappingOf, scheduleChecks } from './escalate.js';
import { scheduleFeedback } from './feedback.js';
import { seedTaskStatus } from './task-status.js';
import { ensureBuilt } from './build-step.js';

export const HANDOFF_STEPS = ['create-work', 'post-intro', 'write-back', 'schedule-checks'] as const;
export type HandoffStepId = (typeof HANDOFF_STEPS)[number];

/** What the route worker stored when it built the handoff. */
export type StoredPlan = Pick<BuiltHandoff, 'work' | 'intro' | 'people' | 'kickoffDue' | 'calendar'>;

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
    const tool = deps.workTools[plan.work.tool];
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
    const posted: PostedMessage = await deps.chat.postIntro({
      handoffId: handoff.id,
      mapping: handoff.mapping,
      idempotencyKey: `${handoff.id}:post-intro`,
      intro: { ...plan.intro, channel: plan.intro.channel },
      document: handoff.document,
      people: plan.people,
      progress,
    });
    const verb = deps.chat.mode === 'dry-run' ? 'would post' : 'posted';
    return { status: 'done', externalIds: { ...posted }, message: `slack ${verb} the intro in ${posted.channel}${plan.intro.threadTs ? ' (existing thread)' : ''}` };
  },

  'write-back': async ({ deps, handoff, plan, outputs, progress }) => {
    const work = outputs['create-work'] as CreatedWork | undefined;
    const intro = outputs['post-intro'] as PostedMessage | undefined;
    const handoffUrl = `${deps.config.publicUrl}/handoffs/${handoff.id}`;
    const workUrl = work?.parent.url ?? null;
    const result = await deps.crmWriter.writeBack({
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
    const verb = deps.crmWriter.mode === 'dry-run' ? 'would write' : 'wrote';
    return { status: 'done', externalIds: { ...result }, message: `${deps.crmWriter.crm} ${verb} the status and a timeline note` };
  },

  'schedule-checks': async ({ deps, handoff, outputs }) => {
    // Watching (issue #4, jobs/escalate.ts, jobs/feedback.ts): delayed jobs, re-runnable without duplicates.
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
    return await (lease ? runFenced(() => lease.renew(), () => runHandoff(deps, job, data)) : runHandoff(deps, job, data));
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

  const steps = await ensureSteps(deps.store, row.id, [...HANDOFF_STEPS]);
  let ran = 0;
  for (const step of steps) {
    const id = step.stepId as HandoffStepId;
    if (step.status === 'done' || step.status === 'skipped') {
      ctx.outputs[id] = step.externalIds;
      continue;
    }
    if (step.status === 'failed' && step.permanent) {
      return `stopped at ${id}: ${step.lastError}`;
    }
    if (ran++ === 0 && row.status !== 'running') await updateHandoff(deps.store, row.id, { status: 'running', lastError: null });
    await runStep(ctx, step, job);
  }
  // A job that waited for another run finds everything done: nothing new to say.
  if (ran === 0 && row.status === 'done') return 'already done';
  await updateHandoff(deps.store, row.id, { status: 'done', lastError: null });
  await appendAudit(deps.store, { handoffId: row.id, actor: 'worker', kind: 'handoff.done', message: 'All handoff steps finished' });
  return 'done';
}

/** Another run holds the handoff: come back when its lease would run out (the job is parked, not failed). */
function waitForOtherRun(deps: JobDeps, handoffId: string, busyForMs: number): never {
  const waitMs = Math.max(250, busyForMs + 100);
  deps.logger.info({ handoffId, waitMs }, 'another run holds this handoff; waiting for it');
  throw new RetryableError(`handoff ${handoffId} is being run by another worker`, 'baton', waitMs, { reason: 'busy' });
}

async function runStep(ctx: StepContext, step: StepRow, job: Job): Promise<void> {
  const { deps, handoff } = ctx;
  const id = step.stepId as HandoffStepId;
  const runner = STEP_RUNNERS[id];
  if (!runner) throw new UnrecoverableError(`unknown step ${id}`);
  await passFence(); // still ours before saying the step runs again
  const started = await startStep(deps.store, handoff.id, id);
  ctx.progress = {
    firstAttempt: started.attempts === 1,
    saved: { ...started.externalIds },
    save: async (ids, opts) => {
      if (!opts?.beforeCall) injectFault(id, 'first-save'); // a write-ahead record is not a created object
      Object.assign(ctx.progress.saved, ids);
      await saveStepProgress(deps.store, handoff.id, id, ids);
    },
  };
  let result: StepResult;
  try {
    result = await runner(ctx);
  } catch (e) {
    if (e instanceof RunFenceLostError) throw e; // another run owns the step now: record nothing
    await handleStepError(ctx, id, e, job);
    throw e; // handleStepError throws the queue-level error; this line is never reached
  }
  injectFault(id, 'after-call');
  await completeStep(deps.store, handoff.id, id, result.externalIds, result.status);
  await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: `step.${result.status}`, message: `${id}: ${result.message}`, data: { step: id } });
  deps.metrics?.steps.inc({ step: id, outcome: result.status });
  ctx.outputs[id] = result.externalIds;
}

async function handleStepError(ctx: StepContext, id: HandoffStepId, e: unknown, job: Job): Promise<never> {
  const { deps, handoff } = ctx;
  const message = e instanceof Error ? e.message : String(e);
  if (isPermanent(e)) {
    // An admin must act: name the mapping and the step so the message is actionable on its own.
    const full = `mapping ${handoff.mapping}, step ${id}: ${message}`;
    await failStep(deps.store, handoff.id, id, full, true);
    await updateHandoff(deps.store, handoff.id, { status: 'failed', lastError: full });
    await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'step.failed', message: full, data: { step: id, permanent: true, field: e.field ?? null } });
    deps.metrics?.steps.inc({ step: id, outcome: 'failed_permanent' });
    throw new UnrecoverableError(full);
  }
  await failStep(deps.store, handoff.id, id, message, false);
  const attempts = job.opts.attempts ?? 1;
  const last = job.attemptsMade + 1 >= attempts;
  await appendAudit(deps.store, {
    handoffId: handoff.id,
    actor: 'worker',
    kind: last ? 'step.failed' : 'step.retry',
    message: `${id}: ${message}${last ? ' (retries exhausted)' : ''}`,
    data: { step: id, attempt: job.attemptsMade + 1 },
  });
  deps.metrics?.steps.inc({ step: id, outcome: last ? 'failed' : 'retry' });
  if (last) await updateHandoff(deps.store, handoff.id, { status: 'failed', lastError: `mapping ${handoff.mapping}, step ${id}: ${message}` });
  throw e; // a told wait (Retry-After, open circuit) parks the job: src/runtime/retry-after.ts
}

/**
 * Test-only crash points (NODE_ENV=test, BATON_FAULT_CRASH_AT=<step>:<point>): `first-save` dies the moment
 * a connector has created its first external object and before anything is recorded (only the marker can
 * save the retry); `after-call` dies after the whole call, before the step is marked done.
 */
function injectFault(stepId: string, point: 'first-save' | 'after-call'): void {
  if (process.env.NODE_ENV === 'test' && process.env.BATON_FAULT_CRASH_AT === `${stepId}:${point}`) {
    process.kill(process.pid, 'SIGKILL');
  }
}
