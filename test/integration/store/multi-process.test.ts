// Several processes on one database at once (N `baton worker`s starting together and receiving the
// same events): migrations apply once, one handoff is created, each event is stored once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countInbox } from '../../../src/store/inbox-repo.js';
import { countHandoffs } from '../../../src/store/handoff-repo.js';
import { storeMigrations } from '../../../src/store/migrations.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'store-child.ts');
const PROCESSES = 4;

interface ChildResult {
  applied: string[];
  created: boolean;
  handoffId: string;
  fresh: string[];
}

function startChild(databaseUrl: string, dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, databaseUrl, dataDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => out.includes('ready\n') && resolve();
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ready: ${err}`)));
  });
  const result = new Promise<ChildResult>((resolve, reject) => {
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as ChildResult);
      else reject(new Error(`child exited ${code}: ${err || out}`));
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), result };
}

describe.each(storeBackends())('several processes on one $name database', (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await backend.open({ migrate: false });
    await t.store.close(); // the children do all the work; a fresh SQLite file is created by them
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('migrate once, create one handoff and store each event once', async () => {
    const children = Array.from({ length: PROCESSES }, () => startChild(t.databaseUrl, t.dataDir));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const results = await Promise.all(children.map((c) => c.result));

    expect(results.flatMap((r) => r.applied)).toEqual(Object.keys(storeMigrations(backend.name)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.handoffId)).size).toBe(1);
    const fresh = results.flatMap((r) => r.fresh);
    expect(fresh).toHaveLength(50);
    expect(new Set(fresh).size).toBe(50);

    const check = t.openAnother();
    expect(await countHandoffs(check)).toBe(1);
    expect(await countInbox(check)).toBe(50);
  }, 60_000);
});
