// SIGTERM: stop taking webhooks, let in-flight jobs finish (or release them), exit 0; a restarted
// process completes whatever was left, with every effect exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { freePort } from '../helpers/free-port.js';
import { spawnBaton } from '../helpers/spawn-worker.js';
import { countHandoffs } from '../../src/store/handoff-repo.js';
import { startJiraStandin } from '../standins/jira-standin.js';
import { PEOPLE } from '../helpers/standin-world.js';

describe('graceful shutdown', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let slowJira: Awaited<ReturnType<typeof startJiraStandin>>;
  let store: Harness; // an in-process Baton used only to read the same database
  beforeAll(async () => {
    world = await startWorld({ deals: 4 });
    // A slow Jira keeps handoffs in flight when the signal arrives.
    slowJira = await startJiraStandin({ latencyMs: 150, users: Object.values(PEOPLE).map((p) => ({ accountId: p.jira, displayName: p.first, emailAddress: p.email })) });
  });
  afterAll(async () => {
    await store?.close();
    await slowJira.close();
    await world.close();
  });

  it('SIGTERM mid-drain exits 0, refuses nothing it acknowledged, and a restart finishes the rest once', async () => {
    const port = await freePort();
    store = await startBaton({ workers: false, env: { ...world.env, JIRA_BASE_URL: slowJira.url } });
    const env = { ...store.env, PORT: String(port), BATON_PUBLIC_URL: `http://127.0.0.1:${port}`, JIRA_BASE_URL: slowJira.url };
    const first = spawnBaton('start', env);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok, 'baton start ready', 20_000);
    const events = world.dealIds.map((id) => world.hubspot.moveDealToStage(id, 'closedwon'));
    expect((await world.hubspot.sendWebhook(`http://127.0.0.1:${port}/webhooks/hubspot`, events, TEST_SECRET)).status).toBe(200);
    await waitFor(async () => slowJira.state.issues.length > 0, 'work under way');

    const t0 = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit, first.stderr()).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(25_000);
    // Stopped: no new webhooks are taken.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    const second = spawnBaton('start', env);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok, 'restarted baton ready', 20_000);
      await waitFor(async () => (await countHandoffs(store.rt.store, { status: 'done' })) === 4, 'all handoffs done after restart', 40_000);
    } finally {
      second.child.kill('SIGTERM');
      const e2 = await second.exited;
      expect(e2, second.stderr()).toEqual({ code: 0, signal: null });
    }
    expect(slowJira.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(4);
    expect(slowJira.state.issues).toHaveLength(4 * 8);
    expect(world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro')).toHaveLength(4);
    expect(world.hubspot.state.notes.size).toBe(4);
  }, 90_000);
});
