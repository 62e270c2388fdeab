// A job run that must be the only one calling out for its subject (one handoff's steps) sets a fence for its
// async scope; every live connector request passes it right before going out (after the rate limiter's wait).
// The fence renews the run's lease, or throws RunFenceLostError when another run has taken the subject over
// (this run stalled past its lease: a CPU-starved worker whose BullMQ lock was handed to another). The run
// then stops before its next call instead of creating a second issue or message. The jobs reach this through
// the RunFencing port (src/handoff/fence-ports.ts), which src/runtime hands them as `runFencing`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Fence, RunFencing } from '../../src/handoff/fence-ports.js';

export type { Fence } from '../../src/handoff/fence-ports.js';
export { RunFenceLostError } from '../../src/handoff/errors.js';

const scope = new AsyncLocalStorage<Fence>();

/** Runs `fn` with `fence` guarding every connector request made inside it (however deep, whatever awaits). */
export function runFenced<T>(fence: Fence, fn: () => Promise<T>): Promise<T> {
  return scope.run(fence, fn);
}

/** Called by each connector's request wrapper: a no-op outside a fenced run. */
export async function passFence(): Promise<void> {
  const fence = scope.getStore();
  if (fence) await fence();
}

/** The RunFencing port over this module's one async scope. */
export const runFencing: RunFencing = { runFenced, passFence };
