// The run fence as the jobs see it: one run per handoff calls out at a time. A job sets the fence (its lease's
// renewal) around a run; every live connector request passes it just before going out, and throws
// RunFenceLostError (errors.ts) once another run holds the handoff. connectors/common/run-fence.ts implements
// it; src/runtime hands it to the jobs.

/** Renews the run's lease; throws RunFenceLostError when it is no longer this run's. */
export type Fence = () => Promise<void>;

export interface RunFencing {
  /** Runs `fn` with `fence` guarding every connector request made inside it (however deep, whatever awaits). */
  runFenced<T>(fence: Fence, fn: () => Promise<T>): Promise<T>;
  /** Passes the current run's fence: a no-op outside a fenced run. */
  passFence(): Promise<void>;
}
