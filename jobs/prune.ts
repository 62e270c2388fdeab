// `maintenance` queue, job `prune` (hourly): what the store no longer needs goes. Handled inbox events (each
// with its deal snapshot) and webhook delivery ids older than BATON_INBOX_RETENTION_DAYS are deleted; pending
// events never are. The retention is validated to exceed every redelivery window (HubSpot: 24 hours), so the
// dedupe that needs an identity still has it. The audit trail and handoffs are kept.
import type { JobDeps } from './job-deps.js';
import { pruneHandledInbox } from '../src/store/inbox-repo.js';
import { pruneDeliveries } from '../src/store/webhook-repo.js';

const BATCH = 1_000;

export async function processPruneJob(deps: JobDeps): Promise<{ inbox: number; deliveries: number }> {
  const olderThan = new Date(deps.now().getTime() - deps.config.inboxRetentionMs).toISOString();
  let inbox = 0;
  for (;;) {
    const n = await pruneHandledInbox(deps.store, olderThan, BATCH);
    inbox += n;
    if (n < BATCH) break;
  }
  const deliveries = await pruneDeliveries(deps.store, olderThan);
  if (inbox + deliveries > 0) deps.logger.info({ inbox, deliveries, olderThan }, 'pruned handled inbox events and webhook deliveries');
  return { inbox, deliveries };
}
