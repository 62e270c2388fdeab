import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandoffIfAbsent } from '../../../src/store/handoff-repo.js';
import {
  completeStep,
  ensureSteps,
  failStep,
  listSteps,
  resetStepForRetry,
  saveStepProgress,
  startStep,
  StepNotRunnableError,
} from '../../../src/store/step-repo.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { sampleHandoff } from './support/samples.js';

const STEPS = ['create-work', 'post-intro', 'write-back', 'schedule-checks'];

describe.each(storeBackends())('step repo on $name', (backend) => {
  let t: TestStore;
  let handoffId: string;
  let deal = 0;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t.cleanup();
  });
  beforeEach(async () => {
    handoffId = (await createHandoffIfAbsent(t.store, sampleHandoff({ dealId: `step-deal-${++deal}` }))).handoff.id;
  });

  it('ensureSteps inserts missing steps as pending in order and keeps existing ones', async () => {
    const steps = await ensureSteps(t.store, handoffId, STEPS);
    expect(steps.map((s) => [s.stepId, s.position, s.status, s.attempts, s.permanent, s.externalIds])).toEqual(
      STEPS.map((id, i) => [id, i, 'pending', 0, false, {}]),
    );
    expect(steps.every((s) => s.handoffId === handoffId && s.startedAt === null && s.finishedAt === null && s.lastError === null)).toBe(true);

    await startStep(t.store, handoffId, 'create-work');
    await completeStep(t.store, handoffId, 'create-work', { epicKey: 'DEL-1' });
    // Called again (a retried job), possibly with a new step appended: nothing existing changes.
    const again = await ensureSteps(t.store, handoffId, [...STEPS, 'feedback']);
    expect(again.map((s) => s.stepId)).toEqual([...STEPS, 'feedback']);
    expect(again[0]).toMatchObject({ status: 'done', attempts: 1, externalIds: { epicKey: 'DEL-1' } });
    expect(again[4]).toMatchObject({ position: 4, status: 'pending' });
    // Concurrent ensureSteps calls do not conflict.
    await Promise.all([ensureSteps(t.store, handoffId, STEPS), ensureSteps(t.store, handoffId, STEPS)]);
    expect(await listSteps(t.store, handoffId)).toHaveLength(5);
  });

  it('runs pending → running → done, counting attempts and keeping external ids', async () => {
    await ensureSteps(t.store, handoffId, STEPS);
    const running = await startStep(t.store, handoffId, 'create-work');
    expect(running).toMatchObject({ status: 'running', attempts: 1, finishedAt: null });
    expect(running.startedAt).not.toBeNull();

    await saveStepProgress(t.store, handoffId, 'create-work', { epicKey: 'DEL-7' });
    expect((await listSteps(t.store, handoffId))[0]).toMatchObject({ status: 'running', externalIds: { epicKey: 'DEL-7' } });

    await completeStep(t.store, handoffId, 'create-work', { taskKeys: ['DEL-8', 'DEL-9'], url: 'https://x.atlassian.net/browse/DEL-7' });
    const [done] = await listSteps(t.store, handoffId);
    expect(done).toMatchObject({
      status: 'done',
      attempts: 1,
      lastError: null,
      permanent: false,
      externalIds: { epicKey: 'DEL-7', taskKeys: ['DEL-8', 'DEL-9'], url: 'https://x.atlassian.net/browse/DEL-7' },
    });
    expect(done!.finishedAt! >= done!.startedAt!).toBe(true);

    await completeStep(t.store, handoffId, 'post-intro', {}, 'skipped');
    expect((await listSteps(t.store, handoffId))[1]).toMatchObject({ status: 'skipped', attempts: 0 });
  });

  it('sends a retryable failure back to pending and counts every attempt', async () => {
    await ensureSteps(t.store, handoffId, STEPS);
    await startStep(t.store, handoffId, 'post-intro');
    await failStep(t.store, handoffId, 'post-intro', 'Slack 429: rate limited', false);
    expect((await listSteps(t.store, handoffId))[1]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'Slack 429: rate limited',
      permanent: false,
      finishedAt: null,
    });
    await startStep(t.store, handoffId, 'post-intro');
    const third = await startStep(t.store, handoffId, 'post-intro'); // a killed worker's step is resumed
    expect(third).toMatchObject({ status: 'running', attempts: 3 });
    await completeStep(t.store, handoffId, 'post-intro', { ts: '1700000000.000100' });
    expect((await listSteps(t.store, handoffId))[1]).toMatchObject({ status: 'done', attempts: 3, lastError: null });
  });

  it('stops on a permanent failure until an admin resets the step', async () => {
    await ensureSteps(t.store, handoffId, STEPS);
    await startStep(t.store, handoffId, 'create-work');
    const message = 'mapping services-onboarding, task kickoff: Jira field customfield_10020 is required';
    await failStep(t.store, handoffId, 'create-work', message, true);
    const [failed] = await listSteps(t.store, handoffId);
    expect(failed).toMatchObject({ status: 'failed', permanent: true, lastError: message, attempts: 1 });
    expect(failed!.finishedAt).not.toBeNull();

    const err = await startStep(t.store, handoffId, 'create-work').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepNotRunnableError);
    expect(err).toMatchObject({ status: 'failed', stepId: 'create-work' });
    expect((err as Error).message).toMatch(/reset it for retry/);

    expect(await resetStepForRetry(t.store, handoffId, 'create-work')).toBe(true);
    expect((await listSteps(t.store, handoffId))[0]).toMatchObject({ status: 'pending', permanent: false, lastError: message, attempts: 1 });
    expect(await resetStepForRetry(t.store, handoffId, 'create-work')).toBe(false); // not failed any more
    expect(await startStep(t.store, handoffId, 'create-work')).toMatchObject({ status: 'running', attempts: 2 });
  });

  it('refuses to start a finished step, so a re-run never repeats an effect', async () => {
    await ensureSteps(t.store, handoffId, STEPS);
    await startStep(t.store, handoffId, 'write-back');
    await completeStep(t.store, handoffId, 'write-back', { noteId: '77' });
    await expect(startStep(t.store, handoffId, 'write-back')).rejects.toMatchObject({ name: 'StepNotRunnableError', status: 'done' });
    await completeStep(t.store, handoffId, 'schedule-checks', {}, 'skipped');
    await expect(startStep(t.store, handoffId, 'schedule-checks')).rejects.toBeInstanceOf(StepNotRunnableError);
    expect((await listSteps(t.store, handoffId))[2]).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('names the missing step when it was never ensured', async () => {
    await expect(startStep(t.store, handoffId, 'nope')).rejects.toThrow(/step nope of handoff .* does not exist/);
    await expect(failStep(t.store, handoffId, 'nope', 'x', true)).rejects.toThrow(/does not exist/);
    await expect(completeStep(t.store, handoffId, 'nope', {})).rejects.toThrow(/does not exist/);
    expect(await resetStepForRetry(t.store, handoffId, 'nope')).toBe(false);
    expect(await listSteps(t.store, 'no-such-handoff')).toEqual([]);
  });

  it('does not lose external ids when progress is saved concurrently', async () => {
    await ensureSteps(t.store, handoffId, STEPS);
    const stores = backend.name === 'postgres' ? [t.store, t.openAnother()] : [t.store];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => saveStepProgress(stores[i % stores.length]!, handoffId, 'create-work', { [`task${i}`]: `DEL-${i}` })),
    );
    const [step] = await listSteps(t.store, handoffId);
    expect(Object.keys(step!.externalIds).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `task${i}`).sort());
  });
});
