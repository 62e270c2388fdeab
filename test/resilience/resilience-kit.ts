// Shared plumbing for the resilience tests: a cleanup stack that runs even when a test fails, env for
// live connectors with Baton's own pacing out of the way, and "the pipeline is idle" for final counts.
import type { Queue } from 'bullmq';
import { afterEach } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { countHandoffs } from '../../src/store/handoff-repo.js';
import { spawnWorker } from '../helpers/spawn-worker.js';

/**
 * `baton worker` processes for one test, each killed at cleanup if still alive (resumed first, so a
 * SIGSTOPped one exits too). Register it after the server so the workers go first.
 */
export function workerProcesses(onCleanup: ReturnType<typeof cleanupStack>, env: Record<string, string>) {
  const procs: ReturnType<typeof spawnWorker>[] = [];
  onCleanup(async () => {
    for (const p of procs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
    await Promise.all(procs.map((p) => p.exited));
  });
  return {
    procs,
    spawn() {
      const p = spawnWorker({ ...env });
      procs.push(p);
      return p;
    },
  };
}

export function cleanupStack() {
  const steps: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    // Last registered first: workers before the server, the server before Redis/PostgreSQL.
    while (steps.length > 0) {
      try {
        await steps.pop()!();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
  });
  return (fn: () => Promise<unknown> | unknown) => void steps.push(fn);
}

/** Zero-latency stand-ins without limits: Baton's limiter must not be what paces the drain either. */
export const UNPACED = {
  HUBSPOT_REQUESTS_PER_SECOND: '10000',
  JIRA_REQUESTS_PER_SECOND: '10000',
  SLACK_REQUESTS_PER_SECOND: '10000',
  // The safety net re-finds deals after ~5 min; these tests prove the acknowledged path on its own.
  BATON_RECONCILE_EVERY_SECONDS: '0',
  // A CPU-starved worker that misses its lock renewals has its job handed to another; the run lease keeps the
  // two from calling out together (test/resilience/stalled-worker-takeover.test.ts), but each handover parks
  // the job until the lease ends. 10 s locks keep that churn out of a drain on a loaded 2-core box.
  BATON_JOB_LOCK_MS: '10000',
  BATON_WORKER_CONCURRENCY: '10',
  LOG_LEVEL: 'error',
};

export async function handoffCounts(store: Store) {
  const [done, failed, all] = await Promise.all([
    countHandoffs(store, { status: 'done' }),
    countHandoffs(store, { status: 'failed' }),
    countHandoffs(store),
  ]);
  return { done, failed, all };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pipelineIdle(queues: Queue[]): Promise<boolean> {
  const counts = await Promise.all(queues.map((q) => q.getJobCounts('active', 'wait', 'delayed', 'prioritized')));
  return counts.every((c) => Object.values(c).every((n) => n === 0));
}

/**
 * Polls `probe` until it says done. Fails early, with the last state, when the pipeline's queues stay empty
 * (nothing waiting, delayed or running) while it is not done: work was lost, waiting longer cannot help.
 * Errors (Redis or the database restarting) count as "not yet".
 */
export async function waitSettled<T>(queues: Queue[], probe: () => Promise<{ done: boolean; state: T }>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let idle = 0;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      const r = await probe();
      last = r.state;
      if (r.done) return r.state;
      idle = (await pipelineIdle(queues)) ? idle + 1 : 0;
    } catch (e) {
      error = e;
      idle = 0;
    }
    if (idle >= 5) throw new Error(`${what}: stuck, nothing is queued or running any more: ${JSON.stringify(last)}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out: ${JSON.stringify(last)}${error ? `; last error ${String(error)}` : ''}`);
    await sleep(200);
  }
}

/** Until `total` handoffs are done; returns early (for the assertion to report) when any failed. */
export function waitAllDone(store: Store, queues: Queue[], total: number, timeoutMs: number) {
  return waitSettled(
    queues,
    async () => {
      const c = await handoffCounts(store);
      return { done: c.done >= total || c.failed > 0, state: c };
    },
    `${total} handoffs done`,
    timeoutMs,
  );
}

/** No job waiting, delayed or running on the pipeline's queues: the stand-ins' counts are final. */
export async function waitPipelineIdle(queues: Queue[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pipelineIdle(queues))) {
    if (Date.now() > deadline) throw new Error('pipeline queues still busy');
    await sleep(100);
  }
}

/** Until `n` worker processes are connected to the queue (a `baton worker` takes seconds to boot under tsx). */
export async function waitWorkers(queue: Queue, n: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await queue.getWorkersCount()) < n) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} workers on ${queue.name} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Of the finished jobs on these queues: how many failed at least once and were retried, how many stalled (taken over). */
export async function jobStats(queues: Queue[]) {
  let jobs = 0;
  let retried = 0;
  let stalled = 0;
  for (const q of queues) {
    for (const j of await q.getJobs(['completed'], 0, -1)) {
      jobs++;
      if (j.attemptsMade > 1) retried++; // BullMQ counts the successful attempt too
      if (j.stalledCounter > 0) stalled++;
    }
  }
  return { jobs, retried, stalled };
}
