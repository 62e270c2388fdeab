// `events` queue: one job per accepted webhook batch (or reconciliation sweep). Dedupe into the inbox,
// then fan out one `route` job per event that is still pending. Re-selecting "pending" rather than
// "newly inserted" makes a retry after a crash between the two writes enqueue what the crash missed.
import type { JobDeps } from './job-deps.js';
import type { IngestJob } from '../src/queue/job-schemas.js';
import { insertInboxEvents, pendingIdentities } from '../src/store/inbox-repo.js';
import { jobIdFor } from '../src/queue/queues.js';

export async function processIngestJob(deps: JobDeps, job: IngestJob): Promise<{ fresh: number; queued: number }> {
  const fresh = await insertInboxEvents(deps.store, job.events, new Date(job.receivedAt));
  const pending = new Set(await pendingIdentities(deps.store, job.events.map((e) => e.identity)));
  const seen = new Set<string>();
  const toRoute = job.events.filter((e) => pending.has(e.identity) && !seen.has(e.identity) && seen.add(e.identity));
  if (toRoute.length > 0) {
    await deps.queues.route.addBulk(
      toRoute.map((event) => ({ name: event.kind, data: { event }, opts: { jobId: jobIdFor('route', event.identity) } })),
    );
  }
  return { fresh: fresh.length, queued: toRoute.length };
}
