// Queueing a handoff run: one place for the route job, an admin's Retry, a replay and a resumed handoff.
import type { JobDeps } from './job-deps.js';
import { jobIdFor } from '../src/queue/queues.js';

export async function enqueueHandoff(deps: Pick<JobDeps, 'queues'>, handoffId: string, reason: string): Promise<void> {
  // While a run for this handoff is waiting, another add is a no-op; steps are idempotent either way.
  await deps.queues.handoff.add('run', { handoffId, reason }, { jobId: jobIdFor('handoff', `${handoffId}:${reason}`) });
}
