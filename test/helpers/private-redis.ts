// A private redis-server on a free port in its own temp dir, for tests that kill and restart Redis
// without touching the shared one. AOF with fsync on every write: whatever Redis acknowledged survives
// a SIGKILL, as the production guide asks, so a lost job after a restart is Baton's fault, not Redis'.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL (no shutdown save) and wait until the process is gone. */
  kill(): Promise<void>;
  /** Start again on the same port and dir (reloading the AOF); resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGKILL, throw away everything it persisted, start again: a Redis restarted empty (a failover to a lagging replica). */
  restartEmpty(): Promise<void>;
  /** Start it again unless it is running (before a cleanup that needs Redis). */
  ensureRunning(): Promise<void>;
  /** Kill and remove the dir; safe to call twice. */
  close(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'baton-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const p = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
      { stdio: 'ignore' },
    );
    proc = p;
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        if ((await r.ping()) === 'PONG') return;
      } catch {
        // not up yet (or still loading the AOF)
      } finally {
        r.disconnect();
      }
      if (p.exitCode !== null || Date.now() > deadline) throw new Error(`private redis on ${port} did not start`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const running = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const kill = async () => {
    if (running()) proc!.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url,
    port,
    dir,
    kill,
    start,
    async restartEmpty() {
      await kill();
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await start();
    },
    ensureRunning: async () => {
      if (!running()) await start();
    },
    async close() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
