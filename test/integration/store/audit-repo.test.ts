import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as auditRepo from '../../../src/store/audit-repo.js';
import { appendAudit, listAudit, listRecentAudit } from '../../../src/store/audit-repo.js';
import { createHandoffIfAbsent } from '../../../src/store/handoff-repo.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { sampleHandoff } from './support/samples.js';

describe.each(storeBackends())('audit repo on $name', (backend) => {
  let t: TestStore;
  let deal = 0;
  const newHandoff = async () => (await createHandoffIfAbsent(t.store, sampleHandoff({ dealId: `audit-${++deal}` }))).handoff.id;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('lists one handoff\'s trail oldest first, in append order when times tie, with data parsed', async () => {
    const id = await newHandoff();
    const other = await newHandoff();
    const at = new Date('2025-01-31T10:00:00.000Z');
    await appendAudit(t.store, { handoffId: id, actor: 'worker', kind: 'handoff.created', message: 'Created', data: { mapping: 'm', n: 1 }, at });
    await appendAudit(t.store, { handoffId: other, actor: 'worker', kind: 'handoff.created', message: 'Other handoff' });
    await appendAudit(t.store, { handoffId: id, actor: 'worker', kind: 'step.done', message: 'create-work: DEL-1', at });
    await appendAudit(t.store, { handoffId: id, actor: 'webhook', kind: 'deal.reentered', message: 'Earlier event', at: new Date('2025-01-31T09:00:00.000Z') });
    await appendAudit(t.store, { handoffId: id, actor: 'admin', kind: 'step.retry', message: 'Reset «create-work» 🚀', data: ['a', null, { deep: true }] });

    const trail = await listAudit(t.store, id);
    expect(trail.map((e) => [e.actor, e.kind, e.message])).toEqual([
      ['webhook', 'deal.reentered', 'Earlier event'],
      ['worker', 'handoff.created', 'Created'],
      ['worker', 'step.done', 'create-work: DEL-1'],
      ['admin', 'step.retry', 'Reset «create-work» 🚀'],
    ]);
    expect(trail[1]).toMatchObject({ at: '2025-01-31T10:00:00.000Z', data: { mapping: 'm', n: 1 } });
    expect(trail[2]!.data).toBeNull(); // no data given
    expect(trail[3]!.data).toEqual(['a', null, { deep: true }]);
    expect(trail[1]!.id).toBeLessThan(trail[2]!.id);
    expect(typeof trail[0]!.id).toBe('number');
  });

  it('takes system events without a handoff and lists recent activity newest first', async () => {
    await appendAudit(t.store, { handoffId: null, actor: 'system', kind: 'reconcile.run', message: 'Reconciled 3 deals', data: { found: 3 }, at: new Date('2030-01-01T00:00:00Z') });
    const recent = await listRecentAudit(t.store, { limit: 1 });
    expect(recent).toEqual([
      expect.objectContaining({ handoffId: null, actor: 'system', kind: 'reconcile.run', data: { found: 3 } }),
    ]);
    const system = await listRecentAudit(t.store, { limit: 50, systemOnly: true });
    expect(system.every((e) => e.handoffId === null)).toBe(true);
    expect(system).toHaveLength(1);
  });

  it('rejects an event for a handoff that does not exist', async () => {
    await expect(
      appendAudit(t.store, { handoffId: 'no-such-handoff', actor: 'worker', kind: 'x', message: 'x' }),
    ).rejects.toThrow(/foreign key/i);
  });

  it('is append-only: the module offers no way to change or remove entries', () => {
    expect(Object.keys(auditRepo).sort()).toEqual(['appendAudit', 'listAudit', 'listRecentAudit']);
  });
});
