// Fault injection at every step boundary with live connectors: a worker SIGKILLed right after an API
// call succeeded (before Baton recorded anything, or before the step was marked done) is replaced by
// another; the stand-ins then hold exactly one of each object.
import { afterEach, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { spawnCrashingWorker, spawnWorker } from '../helpers/spawn-worker.js';
import { listHandoffs } from '../../src/store/handoff-repo.js';
import { listSteps } from '../../src/store/step-repo.js';

const CASES = ['create-work:first-save', 'create-work:after-call', 'post-intro:first-save', 'post-intro:after-call', 'write-back:first-save', 'write-back:after-call'];

describe('live connectors: worker killed at every step boundary', () => {
  let world: Awaited<ReturnType<typeof startWorld>> | undefined;
  let b: Harness | undefined;
  afterEach(async () => {
    await b?.close();
    await world?.close();
    b = undefined;
    world = undefined;
  });

  it.each(CASES)('crash at %s: the restarted worker finishes with exactly one of everything', async (fault) => {
    world = await startWorld({ deals: 1 });
    b = await startBaton({ workers: false, env: { ...world.env, ...(await ownAddressEnv()) } });
    const first = spawnCrashingWorker(b.env, fault);
    const event = world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon');
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);
    expect((await first.exited).signal, first.stderr()).toBe('SIGKILL');

    const second = spawnWorker(b.env);
    try {
      await waitFor(async () => (await listHandoffs(b!.rt.store, { limit: 5 })).items[0]?.status === 'done', 'handoff done after restart', 80_000);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const id = (await listHandoffs(b.rt.store, { limit: 5 })).items[0]!.id;
    const [step] = fault.split(':');
    expect((await listSteps(b.rt.store, id)).find((s) => s.stepId === step)?.attempts).toBe(2);
    expect(world.jira.state.issues).toHaveLength(8); // 1 epic + 7 tasks
    expect(world.jira.state.links).toHaveLength(new Set(world.jira.state.links.map((l) => `${l.blocker}>${l.blocked}`)).size);
    expect(world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro')).toHaveLength(1);
    expect(world.hubspot.state.notes.size).toBe(1);
    expect(world.hubspot.state.deals.get(world.dealIds[0]!)!.properties.baton_status).toBe('in_delivery');
  }, 120_000);
});
