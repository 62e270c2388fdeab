// Asana task status with the live Asana connector on the stand-in: a slow read answered after a newer one
// never rolls a task back (Asana's modified_at orders them); a deleted task (404 on the re-read the delete
// event triggers) is recorded as deleted; one current handshake secret per webhook, told apart by the path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/baton-harness.js';
import { ESC_CHANNEL, PEOPLE, startWatchWorld, watchMapping, type WatchWorld } from './watch-world.js';
import { startAsanaStandin, STANDIN_TOKEN as ASANA_TOKEN, type AsanaStandin } from '../../standins/asana-standin.js';
import { signAsanaWebhook } from '../../../connectors/asana/verify-webhook.js';
import { processAsanaStatusJob, processPollJob } from '../../../jobs/task-status.js';
import { listAudit } from '../../../src/store/audit-repo.js';
import { getTaskStatus } from '../../../src/store/task-status-repo.js';
import { listWebhookSecrets } from '../../../src/store/webhook-repo.js';

const PROJECT = '1100000000000099';
const URL_TOKEN = 'asana-url-token-5678';
const MAPPING = watchMapping(
  'watch-asana',
  `escalations:
  - { id: kickoff-not-done, after: 1 hour, unless: task.kickoff.done, notify: [project_lead], channel: ${ESC_CHANNEL} }`,
).replace('tool: jira', 'tool: asana').replace('project: DEL', `project: "${PROJECT}"`);

describe('Asana task status (live connector, stand-in)', () => {
  let w: WatchWorld;
  let asana: AsanaStandin;
  let nextGid = 1_400_000_000_000_000;
  beforeAll(async () => {
    asana = await startAsanaStandin({ users: [PEOPLE.lead.email] });
    w = await startWatchWorld({
      mappings: { 'watch-asana': MAPPING },
      env: { ASANA_ACCESS_TOKEN: ASANA_TOKEN, ASANA_BASE_URL: asana.url, ASANA_WEBHOOK_SECRET: URL_TOKEN, ASANA_REQUESTS_PER_SECOND: '1000' },
    });
  });
  afterAll(async () => {
    await w.close();
    await asana.close();
  });

  /** A handoff whose two tasks exist in Asana, open. */
  async function seed(dealId: string) {
    const gids = { kickoff: String(nextGid++), 'first-deliverable': String(nextGid++) };
    for (const [id, gid] of Object.entries(gids)) {
      asana.state.tasks.push({ gid, name: id, notes: '', assignee: null, due_on: '2031-01-01', due_at: null, projects: [PROJECT], memberships: [], external: null, dependencies: [], fields: { completed: false }, created_at: new Date().toISOString() });
    }
    const { handoff } = await w.seed({ mapping: 'watch-asana', dealId, taskIds: gids });
    return { handoffId: handoff.id, gids };
  }

  const handshake = (path: string, secret: string) =>
    fetch(`${w.b.url}/webhooks/asana${path}?token=${URL_TOKEN}`, { method: 'POST', headers: { 'x-hook-secret': secret } });
  const deliver = (path: string, secret: string, events: unknown[]) => {
    const body = JSON.stringify({ events });
    return fetch(`${w.b.url}/webhooks/asana${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hook-signature': signAsanaWebhook(body, secret) }, body });
  };
  const taskEvent = (gid: string, action: string) => ({ action, created_at: new Date().toISOString(), resource: { gid, resource_type: 'task' }, ...(action === 'changed' ? { change: { field: 'completed', action: 'changed' } } : {}) });

  it('an older read answered after a newer one never rolls the task back', async () => {
    const { handoffId, gids } = await seed('8301');
    const deps = w.b.rt.jobDeps;
    asana.faults.inject({ kind: 'slow', ms: 2_500 }, { match: /^GET \/tasks\/\{gid\}$/, times: 1 });
    const late = processAsanaStatusJob(deps, { taskGids: [gids.kickoff] });
    await waitFor(async () => asana.faults.count('slow') === 1, 'the slow read asked');
    asana.updateTask(gids.kickoff, { completed: true });
    await processAsanaStatusJob(deps, { taskGids: [gids.kickoff] });
    expect(await getTaskStatus(w.b.rt.store, handoffId, 'kickoff')).toMatchObject({ category: 'done', statusName: 'Completed' });
    await late;
    expect(await getTaskStatus(w.b.rt.store, handoffId, 'kickoff')).toMatchObject({ category: 'done', statusName: 'Completed' });
  });

  it('a deleted task (the re-read answers 404) is recorded as deleted, on the trail, and no longer polled', async () => {
    const { handoffId, gids } = await seed('8302');
    expect((await handshake(`/${PROJECT}`, 'deletedtasksecret0001')).status).toBe(200);
    asana.deleteTask(gids['first-deliverable']);
    expect((await deliver(`/${PROJECT}`, 'deletedtasksecret0001', [taskEvent(gids['first-deliverable'], 'deleted')])).status).toBe(200);
    const row = await waitFor(async () => {
      const r = await getTaskStatus(w.b.rt.store, handoffId, 'first-deliverable');
      return r?.category === 'deleted' && r;
    }, 'task recorded as deleted');
    expect(row).toMatchObject({ statusName: 'Deleted in Asana', deletedAt: expect.any(String) });
    const trail = (await listAudit(w.b.rt.store, handoffId)).filter((a) => a.kind === 'task.deleted');
    expect(trail.map((a) => a.message)).toEqual([expect.stringMatching(/^Task first-deliverable .*was deleted in Asana: no longer watched$/)]);
    // The poll reads only the kickoff task now.
    const reads = () => asana.state.requests['GET /tasks/{gid}'] ?? 0;
    const before = reads();
    await processPollJob(w.b.rt.jobDeps);
    const polled = reads() - before;
    expect(polled).toBeGreaterThan(0);
    const after = reads();
    await processPollJob(w.b.rt.jobDeps);
    expect(reads() - after).toBe(polled);
    expect(asana.state.tasks.some((t) => t.gid === gids['first-deliverable'])).toBe(false);
  });

  it('one current secret per webhook: a new handshake on the same path replaces it; another path keeps its own', async () => {
    const a = '/2200000000000001';
    const b = '/2200000000000002';
    expect((await handshake(a, 'firstsecretforwebhookA')).status).toBe(200);
    expect((await handshake(a, 'secondsecretforwebhookA')).status).toBe(200);
    expect((await handshake(b, 'onlysecretforwebhookB')).status).toBe(200);
    const event = [taskEvent('1999999999999999', 'changed')];
    expect((await deliver(a, 'firstsecretforwebhookA', event)).status).toBe(401);
    expect((await deliver(a, 'secondsecretforwebhookA', event)).status).toBe(200);
    // Each delivery is checked against its own webhook's secret only.
    expect((await deliver(a, 'onlysecretforwebhookB', event)).status).toBe(401);
    expect((await deliver(b, 'onlysecretforwebhookB', event)).status).toBe(200);
    const kept = await listWebhookSecrets(w.b.rt.store, 'asana');
    expect(kept).toContain('secondsecretforwebhookA');
    expect(kept).not.toContain('firstsecretforwebhookA');
    expect(kept.filter((s) => s.endsWith('webhookA'))).toHaveLength(1);
  });
});
