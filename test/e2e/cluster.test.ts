// `baton cluster`: one server and two workers as local processes on one Redis and one PostgreSQL —
// the docker-compose topology — hand off a burst of deals, then stop cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends } from '../helpers/databases.js';
import { startWorld } from '../helpers/standin-world.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor, REDIS_URL, TEST_SECRET, TEST_API_TOKEN } from '../helpers/baton-harness.js';
import { countHandoffs } from '../../src/store/handoff-repo.js';

describe('baton cluster (server + 2 workers, PostgreSQL)', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let db: Awaited<ReturnType<ReturnType<typeof storeBackends>[number]['open']>>;
  beforeAll(async () => {
    world = await startWorld({ deals: 6 });
    db = await storeBackends().find((s) => s.name === 'postgres')!.open();
  });
  afterAll(async () => {
    await db.cleanup();
    await world.close();
  });

  it('hands off every deal once across processes and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const metricsBase = await freePort(); // workers serve /metrics on metricsBase + 1 and + 2
    const env = {
      ...process.env,
      ...world.env,
      PORT: String(port),
      BATON_HOST: '127.0.0.1',
      BATON_PUBLIC_URL: `http://127.0.0.1:${port}`,
      REDIS_URL,
      DATABASE_URL: db.databaseUrl,
      BATON_QUEUE_PREFIX: `c${randomBytes(4).toString('hex')}`,
      HUBSPOT_CLIENT_SECRET: TEST_SECRET,
      BATON_API_TOKEN: TEST_API_TOKEN,
      LOG_LEVEL: 'info',
      BATON_WORKER_METRICS_PORT: String(metricsBase),
    };
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cluster', '--workers', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d) => (output += String(d)));
    proc.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok, 'cluster server ready', 60_000);
      await waitFor(async () => (output.match(/workers started/g) ?? []).length === 2, 'both workers started', 60_000);
      const events = world.dealIds.map((id) => world.hubspot.moveDealToStage(id, 'closedwon'));
      expect((await world.hubspot.sendWebhook(`http://127.0.0.1:${port}/webhooks/hubspot`, events, TEST_SECRET)).status).toBe(200);
      await waitFor(async () => (await countHandoffs(db.store, { status: 'done' })) === 6, 'six handoffs done', 40_000);
      expect(output).toMatch(/\[server\]/);
      expect(output).toMatch(/\[worker-1\]/);
      expect(output).toMatch(/\[worker-2\]/);
      // Each worker counts its own steps: together they did create-work exactly once per deal.
      let createWork = 0;
      for (const n of [1, 2]) {
        const text = await (await fetch(`http://127.0.0.1:${metricsBase + n}/metrics`)).text();
        createWork += Number(/^baton_handoff_steps_total\{step="create-work",outcome="done"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      }
      expect(createWork).toBe(6);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- cluster output ---\n${output.slice(-4000)}`);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(6);
    expect(world.hubspot.state.notes.size).toBe(6);
  }, 150_000);
});
