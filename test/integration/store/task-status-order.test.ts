// The task row only moves forward: an observation older than the stored one (by the tool's clock) is
// stale, and a write computed from an outdated revision commits nothing (the payload path, without a live
// read: Jira in dry-run applies the webhook's own fields).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandoffIfAbsent } from '../../../src/store/handoff-repo.js';
import { commitObservedTask, getTaskStatus, isStaleObservation, seedTasks } from '../../../src/store/task-status-repo.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { sampleHandoff } from './support/samples.js';

describe.each(storeBackends())('task status order on $name', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('an older observation is stale; a write over an outdated revision commits nothing', async () => {
    const { handoff } = await createHandoffIfAbsent(t.store, sampleHandoff({ dealId: 'order-1' }));
    await seedTasks(t.store, handoff.id, 'jira', [{ taskId: 'kickoff', externalId: '10001', externalKey: 'DEL-1', url: null, assignee: null, dueDate: null }]);
    const seeded = (await getTaskStatus(t.store, handoff.id, 'kickoff'))!;
    const done = { statusName: 'Done', category: 'done' as const, assignee: null, dueDate: null, updatedAt: '2026-12-06T10:00:00.000Z' };
    const inProgress = { statusName: 'In Progress', category: 'in_progress' as const, assignee: null, dueDate: null, updatedAt: '2026-12-06T09:00:00.000Z' };

    expect(await commitObservedTask(t.store, seeded, done, 'webhook')).toBe(true);
    const stored = (await getTaskStatus(t.store, handoff.id, 'kickoff'))!;
    expect(stored).toMatchObject({ category: 'done', toolUpdatedAt: done.updatedAt, revision: seeded.revision + 1 });
    // The older state arrives late: stale against what is stored, and no time means never stale.
    expect(isStaleObservation(stored, inProgress)).toBe(true);
    expect(isStaleObservation(stored, { ...inProgress, updatedAt: null })).toBe(false);
    // A writer that computed its change from the seeded row loses: nothing is written.
    expect(await commitObservedTask(t.store, seeded, inProgress, 'poll')).toBe(false);
    expect(await getTaskStatus(t.store, handoff.id, 'kickoff')).toMatchObject({ category: 'done', statusName: 'Done', revision: stored.revision });
  });
});
