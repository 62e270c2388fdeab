import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDryRuns, findDryRun, listDryRuns, recordDryRun } from '../../../src/store/dry-run-repo.js';
import { createHandoffIfAbsent } from '../../../src/store/handoff-repo.js';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { sampleHandoff } from './support/samples.js';

describe.each(storeBackends())('dry-run repo on $name', (backend) => {
  let t: TestStore;
  let deal = 0;
  const newHandoff = async () => (await createHandoffIfAbsent(t.store, sampleHandoff({ dealId: `dry-${++deal}` }))).handoff.id;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('records once per idempotency key and hands back the first record on repeats', async () => {
    const handoffId = await newHandoff();
    const payload = { fields: { summary: 'Acme onboarding', description: { type: 'doc', content: [] } }, labels: ['baton-h1'] };
    const first = await recordDryRun(t.store, { handoffId, connector: 'jira', action: 'createIssue', idempotencyKey: `${handoffId}:epic`, payload });
    expect(first.created).toBe(true);
    const repeat = await recordDryRun(t.store, { handoffId, connector: 'jira', action: 'createIssue', idempotencyKey: `${handoffId}:epic`, payload: { changed: true } });
    expect(repeat).toEqual({ created: false, id: first.id });
    expect(await findDryRun(t.store, `${handoffId}:epic`)).toEqual({ id: first.id, payload });
    expect(await findDryRun(t.store, 'nope')).toBeNull();
  });

  it('is idempotent under 10 parallel writers on the same key', async () => {
    const handoffId = await newHandoff();
    const stores = backend.name === 'postgres' ? [t.store, t.openAnother()] : [t.store];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        recordDryRun(stores[i % stores.length]!, { handoffId, connector: 'slack', action: 'postMessage', idempotencyKey: `${handoffId}:intro`, payload: { i } }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await listDryRuns(t.store, handoffId)).toHaveLength(1);
  });

  it('lists a handoff\'s records in order and counts by connector and action', async () => {
    const handoffId = await newHandoff();
    const before = { all: await countDryRuns(t.store), jira: await countDryRuns(t.store, { connector: 'jira' }) };
    const text = 'Hi <!channel> — 日本語 🚀 '.repeat(5_000); // ~150 KB
    await recordDryRun(t.store, { handoffId, connector: 'jira', action: 'createIssue', idempotencyKey: `${handoffId}:a`, payload: { n: 1 } });
    await recordDryRun(t.store, { handoffId, connector: 'jira', action: 'linkIssues', idempotencyKey: `${handoffId}:b`, payload: { n: 2 } });
    await recordDryRun(t.store, { handoffId, connector: 'slack', action: 'postMessage', idempotencyKey: `${handoffId}:c`, payload: { text } });
    const list = await listDryRuns(t.store, handoffId);
    expect(list.map((r) => [r.connector, r.action, r.idempotencyKey])).toEqual([
      ['jira', 'createIssue', `${handoffId}:a`],
      ['jira', 'linkIssues', `${handoffId}:b`],
      ['slack', 'postMessage', `${handoffId}:c`],
    ]);
    expect(list[2]!.payload).toEqual({ text });
    expect(list.every((r) => r.handoffId === handoffId && !Number.isNaN(Date.parse(r.createdAt)))).toBe(true);
    expect(await countDryRuns(t.store)).toBe(before.all + 3);
    expect(await countDryRuns(t.store, { connector: 'jira' })).toBe(before.jira + 2);
    expect(await countDryRuns(t.store, { connector: 'jira', action: 'linkIssues' })).toBeGreaterThanOrEqual(1);
    expect(await countDryRuns(t.store, { connector: 'asana' })).toBe(0);
    expect(await listDryRuns(t.store, 'other')).toEqual([]);
  });
});
