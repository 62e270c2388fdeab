// The dashboard's queries on both databases: the board's filters, risk order (the SQL score and
// risk.ts agree), pagination, the watching overlay (escalations, overdue tasks), insights numbers and
// the admin's failed work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { storeBackends, type TestStore } from '../../helpers/databases.js';
import { PAGE_SIZE, queryBoard, filterOptions, type BoardFilter } from '../../../src/dashboard/queries/board-query.js';
import { cachedInsights, queryInsights } from '../../../src/dashboard/queries/insights-query.js';
import { queryFailedSteps } from '../../../src/dashboard/queries/admin-query.js';
import { dashDb } from '../../../src/dashboard/queries/dashboard-db.js';
import { updateHandoff } from '../../../src/store/handoff-repo.js';
import type { Mapping } from '../../../src/mapping/schema.js';
import { backdate, defaultMapping, seedMany, seedOne } from './seed-handoffs.js';

const DAY = 86_400_000;
const now = new Date();
const filter = (f: Partial<BoardFilter> = {}): BoardFilter => ({ state: 'open', sort: 'risk', page: 1, ...f });

describe.each(storeBackends())('dashboard queries on $name', (backend) => {
  let t: TestStore;
  let m: Mapping;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await backend.open();
    m = await defaultMapping();
    const s = t.store;
    ids.failed = await seedOne(s, m, { dealId: '1', company: 'Failed', closedAt: new Date(now.getTime() - 2 * DAY), progress: 'failed', repEmail: 'ben.rep@x.example' });
    ids.stalled = await seedOne(s, m, { dealId: '2', company: 'Stalled', closedAt: new Date(now.getTime() - 5 * DAY), progress: 'stalled', updatedAt: new Date(now.getTime() - 3 * DAY) });
    ids.incomplete = await seedOne(s, m, { dealId: '3', company: 'Incomplete', closedAt: new Date(now.getTime() - 10 * DAY), progress: 'done', drop: ['baton_risks', 'baton_scope'], leadEmail: 'omar.lead@x.example' });
    ids.fine = await seedOne(s, m, { dealId: '4', company: 'Fine', closedAt: new Date(now.getTime() - 20 * DAY), progress: 'done' });
    ids.running = await seedOne(s, m, { dealId: '5', company: 'Running now', closedAt: new Date(now.getTime() - 1 * DAY), progress: 'stalled' }); // moved recently: not stalled
    ids.old = await seedOne(s, m, { dealId: '6', company: 'Old', closedAt: new Date(now.getTime() - 90 * DAY), progress: 'done' });
    ids.stopped = await seedOne(s, m, { dealId: '7', company: 'Stopped', closedAt: new Date(now.getTime() - 3 * DAY), progress: 'done' });
    await updateHandoff(s, ids.stopped, { status: 'stopped' });
    ids.preparing = await seedOne(s, m, { dealId: '8', company: 'Preparing', closedAt: now, progress: 'preparing' });
    await backdate(s, ids.old, new Date(now.getTime() - 89 * DAY));
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('lists open handoffs riskiest first, with the reasons risk.ts gives', async () => {
    const page = await queryBoard(t.store, filter(), now);
    const order = page.rows.map((r) => r.id);
    expect(order.slice(0, 3)).toEqual([ids.failed, ids.stalled, ids.incomplete]);
    expect(order).toContain(ids.preparing);
    expect(order).toContain(ids.running);
    expect(order).not.toContain(ids.stopped);
    expect(order).not.toContain(ids.old); // handed off 90 days ago: no longer on the board
    expect(page.total).toBe(order.length);
    const scores = page.rows.map((r) => r.risk.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const stalled = page.rows.find((r) => r.id === ids.stalled)!;
    expect(stalled.risk.stalled).toBe(true);
    expect(stalled.risk.reasons).toEqual(['no progress for 3 days']);
    expect(page.rows.find((r) => r.id === ids.running)!.risk.stalled).toBe(false);
    const incomplete = page.rows.find((r) => r.id === ids.incomplete)!;
    expect(incomplete).toMatchObject({ complete: false, missingCount: 2, client: 'Incomplete', leadEmail: 'omar.lead@x.example', repEmail: 'sam.rep@baton.example', repName: 'Sam Rep', amount: '48000' });
    expect(incomplete.kickoffDue).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(incomplete.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'done', 'done']);
  });

  it('filters by state, rep, lead and mapping, and offers the distinct values', async () => {
    const idsOf = async (f: Partial<BoardFilter>) => (await queryBoard(t.store, filter(f), now)).rows.map((r) => r.id).sort();
    expect(await idsOf({ state: 'attention' })).toEqual([ids.failed, ids.stalled].sort());
    expect(await idsOf({ state: 'failed' })).toEqual([ids.failed]);
    expect(await idsOf({ state: 'stopped' })).toEqual([ids.stopped]);
    expect(await idsOf({ state: 'preparing' })).toEqual([ids.preparing]);
    expect(await idsOf({ state: 'all', rep: 'ben.rep@x.example' })).toEqual([ids.failed]);
    expect(await idsOf({ state: 'all', lead: 'omar.lead@x.example' })).toEqual([ids.incomplete]);
    expect(await idsOf({ state: 'all', mapping: 'nope' })).toEqual([]);
    expect((await idsOf({ state: 'all' })).length).toBe(8);
    const newest = (await queryBoard(t.store, filter({ state: 'all', sort: 'newest' }), now)).rows.map((r) => r.id);
    expect(newest.at(-1)).toBe(ids.old);
    const options = await filterOptions(t.store);
    expect(options.reps).toEqual(['ben.rep@x.example', 'sam.rep@baton.example']);
    expect(options.leads).toEqual(['omar.lead@x.example', 'priya.lead@baton.example']);
    expect(options.mappings).toEqual(['services-onboarding']);
  });

  it('counts open escalations and overdue tasks from the watching tables, and ranks by them', async () => {
    const db = dashDb(t.store);
    const iso = now.toISOString();
    await db.insertInto('watch_checks').values({ handoff_id: ids.fine, trigger_id: 'kickoff-late', mapping: m.name, status: 'pending', rung: 1, round: 0, due_at: iso, since: iso, last_fired_at: iso, acked_by: null, acked_at: null, snoozed_by: null, snoozed_until: null, note: null, created_at: iso, updated_at: iso }).execute();
    await db.insertInto('task_status').values([
      { handoff_id: ids.fine, task_id: 'kickoff', tool: 'jira', external_id: '1', external_key: 'DEL-1', url: null, status_name: 'To Do', category: 'todo', assignee: null, due_date: '2000-01-01', started_at: null, done_at: null, observed_at: iso, source: 'test' },
      { handoff_id: ids.fine, task_id: 'review-doc', tool: 'jira', external_id: '2', external_key: 'DEL-2', url: null, status_name: 'Blocked', category: 'in_progress', assignee: null, due_date: '2999-01-01', started_at: null, done_at: null, observed_at: iso, source: 'test' },
      { handoff_id: ids.incomplete, task_id: 'kickoff', tool: 'jira', external_id: '3', external_key: 'DEL-3', url: null, status_name: 'Done', category: 'done', assignee: null, due_date: '2000-01-01', started_at: null, done_at: '2000-01-05T10:00:00.000Z', observed_at: iso, source: 'test' },
    ]).execute();
    try {
      const page = await queryBoard(t.store, filter(), now);
      const fine = page.rows.find((r) => r.id === ids.fine)!;
      expect(fine).toMatchObject({ openEscalations: 1, overdueTasks: 1, blockedTasks: 1 });
      expect(fine.risk.reasons).toEqual(['1 open escalation', '1 overdue task']);
      // Escalated + overdue (300 + 200) ties with stalled (500): the older close comes first.
      expect(page.rows.map((r) => r.id).slice(0, 3)).toEqual([ids.failed, ids.fine, ids.stalled]);
      expect((await queryBoard(t.store, filter({ state: 'attention' }), now)).rows.map((r) => r.id)).toContain(ids.fine);
      // Actual kickoffs, once the tool reports them, replace planned due dates in insights.
      const insights = await queryInsights(t.store, new Map([[m.name, 'kickoff']]), now);
      expect(insights.kickoffSource).toBe('actual');
      expect(insights.lateTasks).toEqual([{ task: 'kickoff', late: 2 }]);
    } finally {
      await db.deleteFrom('watch_checks').execute();
      await db.deleteFrom('task_status').execute();
    }
  });

  it('computes insights: close → planned kickoff by mapping and month, stalls by step, completeness by rep', async () => {
    const i = await queryInsights(t.store, new Map([[m.name, 'kickoff']]), now);
    expect(i.kickoffSource).toBe('planned');
    expect(i.kickoffByMapping).toHaveLength(1);
    expect(i.kickoffByMapping[0]!.label).toBe(m.name);
    expect(i.kickoffByMapping[0]!.n).toBe(6); // closed, not stopped: failed, stalled, incomplete, fine, running, old
    expect(i.kickoffByMapping[0]!.median).toBeGreaterThan(0);
    expect(i.kickoffByMapping[0]!.p90!).toBeGreaterThanOrEqual(i.kickoffByMapping[0]!.median!);
    expect(i.kickoffByMonth.reduce((a, s) => a + s.n, 0)).toBe(6);
    expect(i.stallsByStep[0]).toEqual({ step: 'create-work', failed: 1, retried: 0, waiting: 0 });
    const sam = i.completenessByRep.find((r) => r.rep === 'sam.rep@baton.example')!;
    expect(sam.n).toBe(5);
    expect(sam.completePct).toBeCloseTo(80);
    expect(sam.meanMissing).toBeCloseTo(2 / 5);
    expect(i.completenessByRep.find((r) => r.rep === 'ben.rep@x.example')).toMatchObject({ n: 1, completePct: 100 });
    expect(i.feedback).toEqual({ answered: 0, byRep: [], bySection: [] });
  });

  it('serves insights from a per-minute cache, refreshed in the background', async () => {
    const k = new Map([[m.name, 'kickoff']]);
    const t0 = new Date(now.getTime() + 1000);
    const first = await cachedInsights(t.store, k, t0);
    const extra = await seedOne(t.store, m, { dealId: '99', company: 'Late arrival', closedAt: now, progress: 'done', repEmail: 'new.rep@x.example' });
    const reps = (i: { completenessByRep: { rep: string }[] }) => i.completenessByRep.map((r) => r.rep);
    expect(await cachedInsights(t.store, k, new Date(t0.getTime() + 30_000))).toBe(first);
    // Stale: the old numbers now, the new ones once the background refresh lands.
    expect(reps(await cachedInsights(t.store, k, new Date(t0.getTime() + 61_000)))).not.toContain('new.rep@x.example');
    let fresh = first;
    for (let i = 0; i < 50 && !reps(fresh).includes('new.rep@x.example'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      fresh = await cachedInsights(t.store, k, new Date(t0.getTime() + 62_000));
    }
    expect(reps(fresh)).toContain('new.rep@x.example');
    await updateHandoff(t.store, extra, { status: 'stopped' });
  });

  it('lists failed work with its classification, newest first', async () => {
    const failed = await queryFailedSteps(t.store);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ handoffId: ids.failed, stepId: 'create-work', stepStatus: 'failed', permanent: true, handoffStatus: 'failed' });
    expect(failed[0]!.lastError).toContain('customfield_10020');
  });

  it('pages through many handoffs without gaps or repeats', async () => {
    await seedMany(t.store, m, 120, now, 30);
    const seen: string[] = [];
    const first = await queryBoard(t.store, filter({ state: 'all' }), now);
    for (let p = 1; p <= first.pages; p++) seen.push(...(await queryBoard(t.store, filter({ state: 'all', page: p }), now)).rows.map((r) => r.id));
    expect(first.total).toBe(129); // 8 seeded above, the late arrival, 120 in bulk
    expect(first.pages).toBe(Math.ceil(129 / PAGE_SIZE));
    expect(new Set(seen).size).toBe(129);
    // A page past the end shows the last page.
    expect((await queryBoard(t.store, filter({ state: 'all', page: 99 }), now)).page).toBe(first.pages);
    const n = (await sql<{ n: number }>`select count(*) as n from handoffs`.execute(t.store.db)).rows[0]!.n;
    expect(Number(n)).toBe(129);
  });
});
