// A worker killed (SIGKILL) after an external call but before recording it: the next worker takes the
// stalled job over and every effect still happens exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { startBaton, stageChange, waitFor, type Harness } from '../../helpers/baton-harness.js';
import { listDryRuns } from '../../../src/store/dry-run-repo.js';
import { listSteps } from '../../../src/store/step-repo.js';
import { listHandoffs } from '../../../src/store/handoff-repo.js';
import { spawnCrashingWorker, spawnWorker } from '../../helpers/spawn-worker.js';

describe('worker killed mid-handoff', () => {
  let b: Harness | undefined;
  afterEach(async () => {
    await b?.close();
    b = undefined;
  });

  it.each(['create-work', 'post-intro', 'write-back'])('crash right after the %s call: restarted worker finishes, each effect once', async (step) => {
    b = await startBaton({ workers: false });
    const first = spawnCrashingWorker(b.env, `${step}:after-call`);
    expect((await b.post([stageChange(1001, 'closedwon', { eventId: 7 })])).status).toBe(200);
    const died = await first.exited;
    expect(died.signal, first.stderr()).toBe('SIGKILL');

    const { items } = await listHandoffs(b.rt.store, { limit: 10 });
    expect(items).toHaveLength(1);
    const id = items[0]!.id;
    expect((await listSteps(b.rt.store, id)).find((s) => s.stepId === step)?.status).toBe('running');

    const second = spawnWorker(b.env);
    try {
      await waitFor(async () => (await listHandoffs(b!.rt.store, { limit: 10 })).items[0]?.status === 'done', 'handoff done after restart', 30_000);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const records = await listDryRuns(b.rt.store, id);
    expect(records.map((r) => `${r.connector}.${r.action}`).sort()).toEqual(['hubspot.writeBack', 'jira.createWork', 'slack.postIntro']);
    const steps = await listSteps(b.rt.store, id);
    const attempts = Object.fromEntries(steps.map((s) => [s.stepId, s.attempts]));
    expect(attempts[step]).toBe(2); // the crashed call ran again and found its marker
    for (const s of steps) if (s.stepId !== step) expect(s.attempts, s.stepId).toBe(1);
  }, 60_000);
});
