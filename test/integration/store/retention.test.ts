// Retention (jobs/prune.ts): handled inbox events and webhook delivery ids older than
// BATON_INBOX_RETENTION_DAYS go; pending events and anything younger stay; the workers schedule the prune.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInboxEvent, insertInboxEvents, setInboxStatus } from '../../../src/store/inbox-repo.js';
import { isDeliveryHandled, recordDelivery } from '../../../src/store/webhook-repo.js';
import { readEnvOptions } from '../../../src/config/read-env-options.js';
import { processPruneJob } from '../../../jobs/prune.js';
import type { JobDeps } from '../../../jobs/job-deps.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { startBaton } from '../../helpers/baton-harness.js';
import { sampleEvent } from './support/samples.js';

const DAY = 86_400_000;

describe.each(storeBackends())('retention on $name', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('prunes handled events and deliveries past the retention, never pending ones, nothing younger', async () => {
    const now = new Date();
    const config = readEnvOptions({ BATON_INBOX_RETENTION_DAYS: '30' });
    const deps = { store: t.store, config, now: () => now, logger: { info: () => undefined } } as unknown as JobDeps;
    const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
    const [oldRouted, oldIgnored, oldPending, youngRouted] = [0, 1, 2, 3].map((i) => sampleEvent(i, { identity: `retention:${backend.name}:${i}` }));
    await insertInboxEvents(t.store, [oldRouted!, oldIgnored!, oldPending!], at(31));
    await insertInboxEvents(t.store, [youngRouted!], at(29));
    await setInboxStatus(t.store, oldRouted!.identity, 'routed');
    await setInboxStatus(t.store, oldIgnored!.identity, 'ignored', 'not a trigger stage');
    await setInboxStatus(t.store, youngRouted!.identity, 'routed');
    await recordDelivery(t.store, 'jira', 'old-delivery');
    await recordDelivery(t.store, 'jira', 'young-delivery');
    await t.store.db.updateTable('webhook_deliveries').set({ received_at: at(31).toISOString() }).where('delivery_id', '=', 'old-delivery').execute();

    expect(await processPruneJob(deps)).toEqual({ inbox: 2, deliveries: 1 });
    expect(await getInboxEvent(t.store, oldRouted!.identity)).toBeNull();
    expect(await getInboxEvent(t.store, oldIgnored!.identity)).toBeNull();
    expect((await getInboxEvent(t.store, oldPending!.identity))?.status).toBe('pending');
    expect((await getInboxEvent(t.store, youngRouted!.identity))?.status).toBe('routed');
    expect(await isDeliveryHandled(t.store, 'jira', 'old-delivery')).toBe(false);
    expect(await isDeliveryHandled(t.store, 'jira', 'young-delivery')).toBe(true);
    // Nothing left to do: a second run deletes nothing.
    expect(await processPruneJob(deps)).toEqual({ inbox: 0, deliveries: 0 });
  });
});

describe('retention settings and schedule', () => {
  it('BATON_INBOX_RETENTION_DAYS defaults to 30 and refuses less than the 2 days redeliveries need', () => {
    expect(readEnvOptions({}).inboxRetentionMs).toBe(30 * DAY);
    expect(() => readEnvOptions({ BATON_INBOX_RETENTION_DAYS: '1' })).toThrow(/BATON_INBOX_RETENTION_DAYS=1: .*2/);
  });

  it('the workers schedule the prune on the maintenance queue', async () => {
    const b = await startBaton({ env: { BATON_WATCH_POLL_SECONDS: '0' } });
    try {
      const schedulers = await b.rt.queues.maintenance.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toContain('prune');
    } finally {
      await b.close();
    }
  });
});
