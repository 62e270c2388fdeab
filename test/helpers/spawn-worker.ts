// A Baton child process (`baton worker`, `server` or `start`): real, separately killable, with the given env.
import { spawn } from 'node:child_process';

export function spawnBaton(role: 'worker' | 'server' | 'start', env: Record<string, string>) {
  return spawnScript(['src/cli/main.ts', role], env);
}

function spawnScript(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    // Tests run many workers on one machine: each listens on a free port unless the test names one.
    env: { ...process.env, BATON_WORKER_PORT: '0', ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr };
}

export const spawnWorker = (env: Record<string, string>) => spawnBaton('worker', env);

/** A `baton worker` that SIGKILLs itself at `<step>:<first-save|after-call>` of a handoff (test/helpers/crash-worker.ts). */
export const spawnCrashingWorker = (env: Record<string, string>, crashAt: string) => spawnScript(['test/helpers/crash-worker.ts'], { ...env, CRASH_AT: crashAt });
