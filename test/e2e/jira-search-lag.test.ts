// Ambiguous creates against an eventually consistent Jira search (DESIGN invariant 10), whole process, live
// Jira connector on the stand-in: Jira creates the epic (and later the tasks) but answers after Baton's timeout,
// and its search index shows new issues only seconds later, as Atlassian documents for /search/jql. A retry
// whose label search comes back empty must not take that as "never created" while the index may still lag.
import { afterEach, describe, expect, it } from 'vitest';
import { startBaton, waitFor, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { listHandoffs } from '../../src/store/handoff-repo.js';
import { listAudit } from '../../src/store/audit-repo.js';

/** Longer than the first retries come (BullMQ's 1 s, 2 s backoff after a 1 s timeout), shorter than the settle window. */
const SEARCH_LAG_MS = 6_000;
const SETTLE_SECONDS = 30;

describe('Jira search lags behind an ambiguous create (whole process, stand-ins)', () => {
  let world: Awaited<ReturnType<typeof startWorld>> | undefined;
  let b: Harness | undefined;
  afterEach(async () => {
    await b?.close();
    await world?.close();
    b = undefined;
    world = undefined;
  });

  it('the epic and the bulk tasks are created but answered too late, search lags: exactly one epic and one set of tasks', async () => {
    world = await startWorld({ deals: 1 });
    world.jira.setSearchLag(SEARCH_LAG_MS);
    b = await startBaton({
      env: { ...world.env, BATON_HTTP_TIMEOUT_MS: '1000', JIRA_SEARCH_SETTLE_SECONDS: String(SETTLE_SECONDS), BATON_WATCH_POLL_SECONDS: '0' },
    });
    // Jira does the work at once and answers after Baton gave up: both creates are ambiguous.
    world.jira.faults.inject({ kind: 'slow', ms: 2_500 }, { match: /^POST \/rest\/api\/3\/issue$/, times: 1 });
    world.jira.faults.inject({ kind: 'slow', ms: 2_500 }, { match: /^POST \/rest\/api\/3\/issue\/bulk$/, times: 1 });
    expect((await b.post([world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon')])).status).toBe(200);

    const [h] = await waitFor(async () => {
      const rows = (await listHandoffs(b!.rt.store, { limit: 1, status: 'done' })).items;
      return rows.length === 1 && rows;
    }, 'handoff done', 90_000);

    const issues = world.jira.state.issues;
    expect(issues.filter((i) => i.issueType === 'Epic')).toHaveLength(1);
    const tasks = issues.filter((i) => i.issueType === 'Task');
    expect(tasks).toHaveLength(7);
    expect(new Set(tasks.map((t) => t.labels.find((l) => l.startsWith('baton-task-')))).size).toBe(7);
    expect(tasks.every((t) => t.parentKey === issues.find((i) => i.issueType === 'Epic')!.key)).toBe(true);
    expect(world.jira.state.requests['POST /rest/api/3/issue']).toBe(1);
    expect(world.jira.state.requests['POST /rest/api/3/issue/bulk']).toBe(1);
    expect(world.jira.faults.count('slow')).toBe(2);

    // The waits are on the handoff's trail, saying what Baton waits for and why.
    const audit = await listAudit(b.rt.store, h!.id);
    const retries = audit.filter((e) => e.kind === 'step.retry' && e.message.startsWith('create-work:')).map((e) => e.message);
    expect(retries.some((m) => /did not answer .* in time \(timeout\)/.test(m))).toBe(true);
    expect(retries.some((m) => /Jira's search does not yet show the parent Epic Baton sent at /.test(m))).toBe(true);
    expect(retries.some((m) => /Jira's search does not yet show the tasks \(7: /.test(m))).toBe(true);
  }, 120_000);
});
