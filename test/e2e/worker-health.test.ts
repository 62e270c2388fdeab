// A `baton worker` container is healthy only when the worker can work: a real worker process answers
// /healthz on BATON_WORKER_PORT without any opt-in, `baton health` (the image's HEALTHCHECK) reports
// it, and both turn unhealthy while the worker's Redis is down and healthy again when it is back.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWorker } from '../helpers/spawn-worker.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/baton-harness.js';
import { healthCommand } from '../../src/cli/health-command.js';

describe('baton worker health', () => {
  let redis: PrivateRedis;
  let dir: string;
  let env: Record<string, string>;
  let worker: ReturnType<typeof spawnWorker>;
  let healthz: string;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    dir = await mkdtemp(join(tmpdir(), 'baton-worker-health-'));
    const port = await freePort();
    healthz = `http://127.0.0.1:${port}/healthz`;
    // Nothing opts the listener in: only where it listens is chosen (one machine runs many tests' workers).
    env = {
      REDIS_URL: redis.url,
      DATABASE_URL: `sqlite:${join(dir, 'baton.db')}`,
      BATON_DATA_DIR: dir,
      BATON_QUEUE_PREFIX: `w${randomBytes(4).toString('hex')}`,
      BATON_HOST: '127.0.0.1',
      BATON_WORKER_PORT: String(port),
      PORT: String(await freePort()), // nothing listens there: a worker has no HTTP server
    };
    worker = spawnWorker(env);
  });
  afterAll(async () => {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await worker.exited;
    await redis.close();
    await rm(dir, { recursive: true, force: true });
  });

  const probe = async () => {
    const res = await fetch(healthz).catch(() => null);
    return res ? { status: res.status, body: (await res.json()) as { ok: boolean; redis: boolean; store: boolean; workers: { running: number; total: number } } } : null;
  };
  const health = async (role?: string) => {
    let text = '';
    const out = new Writable({
      write(c, _e, cb) {
        text += String(c);
        cb();
      },
    });
    return { code: await healthCommand(role, out, { ...process.env, ...env }), text };
  };

  it('answers healthy, turns unhealthy while Redis is down, and recovers', async () => {
    const up = await waitFor(async () => (await probe())?.status === 200 && probe(), `worker /healthz (stderr: ${worker.stderr()})`, 60_000);
    expect(up!.body).toEqual({ ok: true, redis: true, store: true, workers: { running: 8, total: 8 } });

    // The image's HEALTHCHECK, as the container runs it: no role, so it asks both ports; only the worker's answers.
    const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'health'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    cli.stdout!.on('data', (d) => (printed += String(d)));
    const code = await new Promise<number | null>((r) => cli.on('exit', (c) => r(c)));
    expect(printed).toMatch(/^worker http:\/\/127\.0\.0\.1:\d+\/healthz: 200 /m);
    expect(printed).toMatch(/no answer/); // the server port: nothing listens
    expect({ code, last: printed.trim().split('\n').at(-1) }).toEqual({ code: 0, last: 'healthy' });
    expect((await health('worker')).code).toBe(0);
    expect(await health('server')).toMatchObject({ code: 1, text: expect.stringContaining('unhealthy') });

    await redis.kill();
    const down = await waitFor(async () => {
      const p = await probe();
      return p?.status === 503 && p;
    }, 'worker /healthz 503 while Redis is down', 20_000);
    expect(down.body).toMatchObject({ ok: false, redis: false, store: true });
    expect(await health()).toMatchObject({ code: 1, text: expect.stringMatching(/503[\s\S]*unhealthy\n$/) });

    await redis.start();
    await waitFor(async () => (await probe())?.status === 200, 'healthy again once Redis is back', 30_000);
    expect((await health()).code).toBe(0);
    expect(worker.child.exitCode).toBeNull(); // it rode the outage out
  }, 150_000);
});
