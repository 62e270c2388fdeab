// Two `npm run demo`s, as real processes: a second one from the same directory refuses to start and leaves
// the running demo's database and queues alone (it used to delete them, then fail on the port); one from
// another directory on the same port fails on the port, also without touching the first; a lock left by a
// killed demo does not block the next one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { demoQueuePrefix } from '../../src/demo/demo-lock.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function demo(dataDir: string, port: number, args: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), BATON_HOST: '127.0.0.1', BATON_DATA_DIR: dataDir, REDIS_URL, LOG_LEVEL: 'silent' };
  // The demo's own defaults: its queue prefix comes from the data directory.
  for (const k of ['DATABASE_URL', 'BATON_QUEUE_PREFIX', 'BATON_USERS', 'HUBSPOT_ACCESS_TOKEN', 'JIRA_BASE_URL', 'SLACK_BOT_TOKEN', 'ASANA_ACCESS_TOKEN', 'BATON_PUBLIC_URL', 'BATON_API_TOKEN', 'MAPPINGS_DIR']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/run-demo.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { child, exited, out: () => stdout, lines: () => stderr.split('\n').filter(Boolean) };
}

async function until(what: string, ok: () => boolean, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (ok()) return;
    if (child.exitCode !== null) throw new Error(`${what}: the demo exited ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within 60 s`);
}

describe('npm run demo, twice', () => {
  const dirs: string[] = [];
  const redis = new Redis(REDIS_URL);
  const running: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
    for (const d of dirs) {
      const keys = await redis.keys(`${demoQueuePrefix(d)}:*`);
      if (keys.length) await redis.del(...keys);
      await rm(d, { recursive: true, force: true });
    }
    redis.disconnect();
  });

  it("a second demo never deletes the running demo's database or empties its queues", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-demo-a-'));
    const other = await mkdtemp(join(tmpdir(), 'baton-demo-b-'));
    dirs.push(dir, other);
    const port = await freePort();
    const a = demo(dir, port);
    running.push(a.child);
    await until('first demo running', () => a.out().includes('Baton keeps running'), a.child);

    const prefix = demoQueuePrefix(dir);
    const db = join(dir, 'demo.db');
    const before = { inode: (await stat(db)).ino, meta: await redis.exists(`${prefix}:handoff:meta`), keys: (await redis.keys(`${prefix}:*`)).length };
    expect(before.meta).toBe(1);
    const stillIntact = async () => {
      expect((await stat(db)).ino).toBe(before.inode); // the same file, not deleted and recreated
      expect(await redis.exists(`${prefix}:handoff:meta`)).toBe(1); // obliterate would have removed it
      expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThanOrEqual(before.keys);
      const res = await fetch(`http://127.0.0.1:${port}/api/handoffs`, { headers: { authorization: 'Bearer demo-api-token' } });
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(2);
    };

    // Same directory (another port): refused before it touches anything.
    const b = demo(dir, await freePort());
    expect(await b.exited).toBe(1);
    expect(b.lines()).toEqual([
      `Cannot start the demo: another demo is running from ${dir} (pid ${a.child.pid}, http://localhost:${port}); starting would delete its database and queues.`,
      `Fix: open that one, or stop it (Ctrl-C in its terminal) first; for a second demo beside it, set its own BATON_DATA_DIR and PORT. (No demo running? Delete ${join(dir, 'demo.lock')}.)`,
    ]);
    await stillIntact();

    // Another directory, the same port: its own database and queues, and the port-in-use lines.
    const c = demo(other, port);
    expect(await c.exited).toBe(1);
    expect(c.lines()).toEqual([
      `Cannot start: port ${port} on 127.0.0.1 is already in use (PORT=${port}).`,
      'Fix: stop the process listening there (another Baton, or `npm run demo`?), or set PORT to a free port.',
    ]);
    expect(demoQueuePrefix(other)).not.toBe(prefix);
    expect(existsSync(join(other, 'demo.lock'))).toBe(false); // released on exit
    await stillIntact();

    a.child.kill('SIGINT');
    expect(await a.exited).toBe(0);
    expect(existsSync(join(dir, 'demo.lock'))).toBe(false);
  }, 180_000);

  it('a lock left by a killed demo does not block the next one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-demo-stale-'));
    dirs.push(dir);
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    await writeFile(join(dir, 'demo.lock'), JSON.stringify({ pid: gone.pid, url: 'http://localhost:3000' }));
    const d = demo(dir, await freePort(), ['--exit']);
    running.push(d.child);
    expect(await d.exited, d.lines().join('\n')).toBe(0);
    expect(d.out()).toContain('2 handoff(s):');
    expect(existsSync(join(dir, 'demo.lock'))).toBe(false);
  }, 120_000);
});
