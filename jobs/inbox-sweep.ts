// `maintenance` queue, scheduled (BATON_INBOX_SWEEP_SECONDS): a CRM event still `pending` in the inbox long
// after it arrived lost its route job (Redis restarted empty between ingest and route) or its route job
// failed for good. Re-adding the route job is safe: its id is the digest of the event's identity, so a job
// still waiting, delayed or retrying is left alone and only a lost one comes back. A route job that failed
// for good marks its event `failed` with the job's reason (it stays in the dead-letter list, where Retry
// re-runs it), so dead events never hold the sweep's window. What it found is logged and counted
// (`baton_inbox_stuck_events`), and the admin page shows the events still pending.
import type { JobDeps } from './job-deps.js';
import { INBOX_STUCK_AFTER_MS, listPendingInbox, setInboxStatus } from '../src/store/inbox-repo.js';
import { jobIdFor } from '../src/queue/queues.js';

export async function sweepInbox(deps: JobDeps, limit = 500): Promise<{ stuck: number; requeued: number; failed: number }> {
  const events = await listPendingInbox(deps.store, { receivedBefore: new Date(deps.now().getTime() - INBOX_STUCK_AFTER_MS), limit });
  let requeued = 0;
  let failed = 0;
  for (const event of events) {
    const jobId = jobIdFor('route', event.identity);
    const job = await deps.queues.route.getJob(jobId);
    if (!job) {
      await deps.queues.route.add(event.kind, { event }, { jobId });
      requeued++;
    } else if (await job.isFailed()) {
      await setInboxStatus(deps.store, event.identity, 'failed', `route job failed: ${job.failedReason ?? 'unknown reason'}`);
      failed++;
    }
  }
  deps.metrics?.inboxStuck.set(events.length - failed);
  if (events.length > 0) {
    deps.logger.warn({ stuck: events.length, requeued, failed }, 'inbox events were still pending minutes after they arrived: lost route jobs re-queued, dead ones marked failed');
  }
  return { stuck: events.length, requeued, failed };
}
