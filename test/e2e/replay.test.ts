// A permanent failure an admin fixes outside Baton, then replays: the failed step runs again, the
// steps that succeeded do not, and nothing is created twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, type Harness } from '../helpers/baton-harness.js';
import { startWorld, channelId } from '../helpers/standin-world.js';
import { listHandoffs } from '../../src/store/handoff-repo.js';
import { listSteps } from '../../src/store/step-repo.js';
import { runReplay } from '../helpers/replay-cli.js';

describe('replay of failed work', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  const saved = { ...process.env };
  beforeAll(async () => {
    world = await startWorld({ deals: 1 });
    world.slack.state.channels.find((c) => c.id === channelId(0))!.member = false; // the app was never invited
    b = await startBaton({ env: world.env });
    Object.assign(process.env, b.env); // the CLI reads the same env as the running Baton
  });
  afterAll(async () => {
    process.env = saved;
    await b.close();
    await world.close();
  });

  const cli = runReplay;

  it('lists the failure with its fix, replays only the failed step, and finishes once', async () => {
    expect((await b.post([world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon')])).status).toBe(200);
    const failed = await waitFor(async () => {
      const [h] = (await listHandoffs(b.rt.store, { limit: 1 })).items;
      return h?.status === 'failed' && h;
    }, 'handoff failed on not_in_channel', 20_000);
    expect(failed.lastError).toMatch(/invite/i);

    const list = await cli([]);
    expect(list.text).toContain(failed.id);
    expect(list.text).toMatch(/post-intro|invite/);

    world.slack.state.channels.find((c) => c.id === channelId(0))!.member = true; // the admin invites the app
    const replay = await cli([failed.id]);
    expect(replay.text).toMatch(new RegExp(`replayed ${failed.id}: 1 failed step`));
    await waitFor(async () => (await listHandoffs(b.rt.store, { limit: 1 })).items[0]?.status === 'done', 'done after replay', 20_000);
    const steps = Object.fromEntries((await listSteps(b.rt.store, failed.id)).map((s) => [s.stepId, s.attempts]));
    expect(steps).toMatchObject({ 'create-work': 1, 'post-intro': 2, 'write-back': 1 });
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(1);
    expect(world.slack.state.messages).toHaveLength(1);
    expect((await cli([failed.id])).text).toContain('not failed');
  });
});
