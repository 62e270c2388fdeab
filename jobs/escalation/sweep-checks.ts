// The watch sweep's check half (the feedback half is sweepFeedback in ../feedback.ts).
import type { JobDeps } from '../job-deps.js';
import { listOverdueChecks } from '../../src/store/escalation-repo.js';
import { checkJobId, enqueueCheck } from './check-jobs.js';
import { recordCheckFailed } from './failed-checks.js';

/**
 * The sweep: a pending check whose due moment passed more than a minute ago should have fired; its job
 * may have been lost with Redis (failover without AOF). It walks every such check page by page (a cursor
 * on due time and id) and acts on each by its job's state: none → re-added (same job id, and the store's
 * rung row refuses a second message); failed → the check is recorded failed (the worker's failed event
 * was lost); waiting, delayed or active → left alone. So checks it cannot act on never stall the rest.
 * Returns how many jobs it re-added.
 */
export async function sweepChecks(deps: JobDeps, pageSize = 1_000): Promise<number> {
  const before = new Date(deps.now().getTime() - 60_000).toISOString();
  let readded = 0;
  for (let page = await listOverdueChecks(deps.store, before, pageSize); page.length > 0; page = await listOverdueChecks(deps.store, before, pageSize, page.at(-1))) {
    const states = await Promise.all(page.map((c) => deps.queues.watch.getJobState(checkJobId(c))));
    for (const [i, c] of page.entries()) {
      if (states[i] === 'unknown') {
        await enqueueCheck(deps, c);
        readded++;
      } else if (states[i] === 'failed') {
        const job = await deps.queues.watch.getJob(checkJobId(c));
        await recordCheckFailed(deps, [c.id, c.rung, c.round], job?.failedReason || 'its job failed');
      }
    }
  }
  return readded;
}
