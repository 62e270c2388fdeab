// One demo per data directory: a second `npm run demo` must not delete the running demo's database or empty
// its queues (it used to, then failed on the port). The demo holds <data dir>/demo.lock (pid and URL) while it
// runs; another demo finding a live holder refuses to start. A lock left by a killed demo (its pid is gone)
// is taken over. Queues are kept apart too: the demo's queue prefix is derived from its data directory.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StartupError } from '../runtime/startup-error.js';

interface Holder {
  pid: number;
  url: string;
}

/** `baton-demo-<8 hex>`: demos with different data directories never share queues in one Redis. */
export function demoQueuePrefix(dataDir: string): string {
  return `baton-demo-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 8)}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readHolder(file: string): Holder | 'starting' | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, url: String(parsed.url ?? '') } : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Created but not yet written by a demo starting this very moment: not stale.
    const age = Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return age < 5_000 ? 'starting' : null;
  }
}

/** Takes the data directory's demo lock (released when the process exits), or throws the two lines to print. */
export function acquireDemoLock(dataDir: string, url: string): { file: string; release(): void } {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'demo.lock');
  const mine = JSON.stringify({ pid: process.pid, url } satisfies Holder);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx' }); // fails if the file exists: only one demo creates it
      const release = () => {
        try {
          if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { file, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    if (holder === 'starting' || (holder && isAlive(holder.pid))) {
      const who = holder === 'starting' ? 'starting' : `pid ${holder.pid}, ${holder.url}`;
      throw new StartupError([
        `Cannot start the demo: another demo is running from ${dir} (${who}); starting would delete its database and queues.`,
        `Fix: open that one, or stop it (Ctrl-C in its terminal) first; for a second demo beside it, set its own BATON_DATA_DIR and PORT. (No demo running? Delete ${file}.)`,
      ]);
    }
    rmSync(file, { force: true }); // left by a demo that was killed
  }
  throw new StartupError([`Cannot start the demo: could not take ${file}.`, 'Fix: make sure no other demo is starting from the same directory, then run it again.']);
}
