// A check that failed for good is recorded `failed` (the handoff page and the admin page show why and
// how to retry), and the sweep for lost check jobs never stalls behind such checks: real Redis, a real
// database, the live Slack connector on the Slack stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/baton-harness.js';
import { DashboardClient, USERS, usersEnv } from '../dashboard/dashboard-client.js';
import { runReplay } from '../../helpers/replay-cli.js';
import { ESC_CHANNEL, startWatchWorld, watchMapping, type WatchWorld } from './watch-world.js';
import { getCheck, newCheckRow, updateCheckIf } from '../../../src/store/escalation-repo.js';
import { checkJobId } from '../../../jobs/escalation/check-jobs.js';
import { sweepChecks } from '../../../jobs/escalation/sweep-checks.js';

const NO_SUCH_CHANNEL = 'C0GONE0001'; // Slack answers channel_not_found
const watchOf = (channel: string) => `escalations:
  - id: kickoff-not-done
    after: 1 second
    unless: task.kickoff.done
    notify: [project_lead]
    channel: ${channel}`;

describe('escalation checks that fail for good', () => {
  let w: WatchWorld;
  const saved = { ...process.env };
  beforeAll(async () => {
    w = await startWatchWorld({
      mappings: { 'watch-ok': watchMapping('watch-ok', watchOf(ESC_CHANNEL)), 'watch-gone': watchMapping('watch-gone', watchOf(NO_SUCH_CHANNEL)) },
      env: { BATON_USERS: await usersEnv(), BATON_SESSION_SECRET: 's'.repeat(40) },
    });
    Object.assign(process.env, w.b.env); // the CLI reads the same env as the running Baton
  });
  afterAll(async () => {
    process.env = saved;
    await w.close();
  });

  it('a lost check is re-added by the sweep even behind 1,001 checks whose jobs failed for good', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-ok', dealId: '8801' });
    const rt = w.b.rt;
    const lost = { handoffId: handoff.id, triggerId: 'kickoff-not-done', rung: 0, round: 0 };
    // Its job is lost (Redis failover) and its due moment passed an hour ago.
    await (await rt.queues.watch.getJob(checkJobId(lost)))?.remove();
    await updateCheckIf(rt.store, lost, { status: 'pending', rung: 0, round: 0 }, { dueAt: new Date(Date.now() - 3_600_000).toISOString() });

    // 1,001 older pending checks whose jobs failed for good before anything recorded it (as on a Baton
    // that did not record failures): rows inserted directly, jobs dead-lettered by the real watch worker.
    const due = (i: number) => new Date(Date.now() - 7_200_000 + i).toISOString();
    const ids: number[] = [];
    for (let start = 0; start < 1_001; start += 200) {
      const rows = Array.from({ length: Math.min(200, 1_001 - start) }, (_, k) =>
        newCheckRow({ handoffId: handoff.id, triggerId: `gone-${start + k}`, mapping: 'watch-ok', dueAt: due(start + k), since: due(start + k) }, new Date().toISOString()),
      );
      ids.push(...(await rt.store.db.insertInto('watch_checks').values(rows).returning('id').execute()).map((r) => Number(r.id)));
    }
    await rt.queues.watch.addBulk(
      ids.map((id, i) => ({ name: 'check', data: ['unreadable job data', id], opts: { jobId: checkJobId({ handoffId: handoff.id, triggerId: `gone-${i}`, rung: 0, round: 0 }) } })),
    );
    await waitFor(async () => (await rt.queues.watch.getFailedCount()) >= 1_001, '1,001 dead-lettered check jobs', 60_000);

    expect(await sweepChecks(rt.jobDeps)).toBe(1);
    await waitFor(async () => w.escalations(handoff.id).length === 1, 'the lost check fired after the sweep', 15_000);
    // The dead-lettered ones are recorded failed, with the job's error and how to retry it.
    const gone = await getCheck(rt.store, handoff.id, 'gone-1000');
    expect(gone).toMatchObject({ status: 'failed', note: expect.stringContaining(`baton replay --job watch/${checkJobId({ handoffId: handoff.id, triggerId: 'gone-1000', rung: 0, round: 0 })}`) });
    const stillPending = await rt.store.db.selectFrom('watch_checks').select('id').where('handoff_id', '=', handoff.id).where('status', '=', 'pending').execute();
    expect(stillPending).toEqual([]);
    expect(await sweepChecks(rt.jobDeps)).toBe(0);
  }, 120_000);

  it('a check whose escalation post fails permanently is recorded failed, shown, and runs again when retried', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-gone', dealId: '8802' });
    const rt = w.b.rt;
    const failed = await waitFor(async () => {
      const c = await getCheck(rt.store, handoff.id, 'kickoff-not-done');
      return c?.status === 'failed' && c;
    }, 'check recorded failed', 20_000);
    const jobId = checkJobId({ handoffId: handoff.id, triggerId: 'kickoff-not-done', rung: 0, round: 0 });
    expect(failed.note).toContain(`channel ${NO_SUCH_CHANNEL} not found`);
    expect(failed.note).toContain(`baton replay --job watch/${jobId}`);

    // Shown on the handoff page and in the admin page's failed work.
    const browser = new DashboardClient(w.b.url);
    await browser.login(USERS.admin.name, USERS.admin.password);
    const page = await browser.get(`/handoffs/${handoff.id}`);
    expect(page.text).toMatch(/badge bad">failed<\/span>[^<]*not found/);
    const admin = await browser.get('/admin');
    expect(admin.text).toContain('Escalation checks that failed');
    expect(admin.text).toContain(`watch/${jobId}`);
    expect((await w.b.api('/api/dashboard/admin')).failedChecks).toContainEqual(expect.objectContaining({ handoffId: handoff.id, triggerId: 'kickoff-not-done' }));

    // The admin creates the channel and retries the job as the note says: the check re-opens and posts once.
    w.slack.state.channels.push({ id: NO_SUCH_CHANNEL, name: 'delivery-gone' } as (typeof w.slack.state.channels)[number]);
    expect((await runReplay([], { job: `watch/${jobId}` })).code).toBe(0);
    await waitFor(async () => (await getCheck(rt.store, handoff.id, 'kickoff-not-done'))?.status === 'finished', 'the retried check finished', 20_000);
    expect(w.escalations(handoff.id).map((m) => m.channel)).toEqual([NO_SUCH_CHANNEL]);
  }, 60_000);
});
