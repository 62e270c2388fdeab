// The Jira connector end to end against the local stand-in (real HTTP, real jira.js, real Redis limiter).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter, unlimited, type RateLimiter } from '../../connectors/common/rate-limiter.js';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';
import { createJiraWorkTool } from '../../connectors/jira/jira-work-tool.js';
import type { StepProgress } from '../../src/handoff/ports.js';
import { HANDOFF_ID, MARKER, recordingProgress, request, task, threeTaskPlan } from '../integration/jira/jira-test-data.js';
import { STANDIN_EMAIL, STANDIN_TOKEN, startJiraStandin, type JiraStandin, type JiraStandinOptions } from './jira-standin.js';

let redis: Redis;
let standin: JiraStandin | undefined;

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 1 });
});
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});
afterAll(async () => {
  await redis.quit();
});

async function start(opts: JiraStandinOptions = {}) {
  // The plan's kickoff task sets customfield_10020: put it on the create screen unless a test says otherwise.
  standin = await startJiraStandin({ optionalFields: ['customfield_10020'], ...opts });
  return standin;
}

const tool = (s: JiraStandin, limiter: RateLimiter = unlimited, requestsPerSecond = 50) =>
  createJiraWorkTool({ baseUrl: s.url, email: STANDIN_EMAIL, apiToken: STANDIN_TOKEN, limiter, requestsPerSecond, timeoutMs: 5_000 });

const byTask = (s: JiraStandin, taskId: string) => s.state.issues.filter((i) => i.labels.includes(`baton-task-${taskId}`));

describe('Jira connector against the stand-in', () => {
  it('creates one epic and the tasks with assignees, due dates, labels and links in the FACTS direction', async () => {
    const s = await start();
    const out = await tool(s).createWork(request(threeTaskPlan()));

    expect(s.state.issues).toHaveLength(4);
    const epic = s.state.issues.find((i) => i.issueType === 'Epic')!;
    expect(epic).toMatchObject({ key: out.parent.key, labels: [MARKER, 'handoff'], properties: { baton: { handoffId: HANDOFF_ID, mapping: 'services-onboarding' } } });
    const [kickoff, setup, review] = ['kickoff', 'setup', 'review'].map((t) => byTask(s, t)[0]!);
    expect(kickoff).toMatchObject({ issueType: 'Task', assignee: '5b10ac8d82e05b22cc7d4ef5', duedate: '2025-07-01', parentKey: epic.key, fields: { customfield_10020: 42 } });
    expect(setup).toMatchObject({ assignee: '5b10ac8d82e05b22cc7d4ef6', duedate: '2025-07-03' });
    expect(review!.labels).toEqual([MARKER, 'baton-task-review', 'handoff', 'review']);
    expect(s.state.links).toEqual([
      { blocker: kickoff!.key, blocked: setup!.key },
      { blocker: kickoff!.key, blocked: review!.key },
      { blocker: setup!.key, blocked: review!.key },
    ]);
    expect(s.state.requests['POST /rest/api/3/issue/bulk']).toBe(1);

    // Jira shows the link from each side: the blocked issue sees the blocker as inwardIssue ("is blocked by").
    const auth = `Basic ${Buffer.from(`${STANDIN_EMAIL}:${STANDIN_TOKEN}`).toString('base64')}`;
    const res = await fetch(`${s.url}/rest/api/3/issue/${setup!.key}?fields=issuelinks`, { headers: { authorization: auth } });
    const body = (await res.json()) as { fields: { issuelinks: { inwardIssue?: { key: string }; outwardIssue?: { key: string } }[] } };
    expect(body.fields.issuelinks.map((l) => [l.inwardIssue?.key, l.outwardIssue?.key])).toEqual([
      [kickoff!.key, undefined],
      [undefined, review!.key],
    ]);
  });

  it('a process killed after the bulk call, before recording: the rerun creates nothing twice', async () => {
    const s = await start();
    // The first attempt dies the moment it tries to record the tasks (the bulk call already succeeded).
    const dying: StepProgress = {
      saved: {},
      save: async (ids) => {
        if ('tasks' in ids) throw new Error('killed');
      },
    };
    await expect(tool(s).createWork(request(threeTaskPlan(), dying))).rejects.toThrow('killed');
    expect(s.state.issues).toHaveLength(4);
    expect(s.state.links).toHaveLength(0);

    // A new process, nothing recorded: the label search finds all four, only the links are made.
    const out = await tool(s).createWork(request(threeTaskPlan(), recordingProgress()));
    expect(s.state.issues).toHaveLength(4);
    expect(s.state.links).toHaveLength(3);
    expect(Object.keys(out.tasks)).toEqual(['kickoff', 'setup', 'review']);

    // And once more (crash before the step was marked done): still nothing new, not even a link.
    await tool(s).createWork(request(threeTaskPlan(), recordingProgress()));
    expect(s.state.issues).toHaveLength(4);
    expect(s.state.links).toHaveLength(3);
    expect(s.state.requests['POST /rest/api/3/issue']).toBe(1);
    expect(s.state.requests['POST /rest/api/3/issue/bulk']).toBe(1);
    expect(s.state.requests['POST /rest/api/3/issueLink']).toBe(3);
  });

  it('search lags behind creates (as Jira documents); a retry after a lost answer waits for it instead of creating twice', async () => {
    const s = await start({ searchLagMs: 1_500 });
    // Jira creates the epic but answers after the connector's timeout.
    s.faults.inject({ kind: 'slow', ms: 1_000 }, { match: /^POST \/rest\/api\/3\/issue$/, times: 1 });
    const jira = createJiraWorkTool({ baseUrl: s.url, email: STANDIN_EMAIL, apiToken: STANDIN_TOKEN, limiter: unlimited, requestsPerSecond: 50, timeoutMs: 500, searchSettleMs: 20_000 });
    const progress = recordingProgress();
    const lost = await jira.createWork(request(threeTaskPlan(), progress)).catch((e: unknown) => e);
    expect(lost).toMatchObject({ name: 'RetryableError', reason: 'unavailable' });
    expect(s.state.issues).toHaveLength(1);

    // The stand-in as Jira: GET by key sees the new issue at once, the label search not yet.
    const auth = { authorization: `Basic ${Buffer.from(`${STANDIN_EMAIL}:${STANDIN_TOKEN}`).toString('base64')}`, 'content-type': 'application/json' };
    expect((await fetch(`${s.url}/rest/api/3/issue/${s.state.issues[0]!.key}`, { headers: auth })).status).toBe(200);
    const search = await fetch(`${s.url}/rest/api/3/search/jql`, { method: 'POST', headers: auth, body: JSON.stringify({ jql: `project = DEL AND labels = ${MARKER}` }) });
    expect(((await search.json()) as { issues: unknown[] }).issues).toEqual([]);

    // Retries as the queue runs them: each told wait is honoured, until search shows the epic.
    let out;
    for (let attempt = 0; out === undefined; attempt++) {
      expect(attempt).toBeLessThan(10);
      const r = await jira.createWork(request(threeTaskPlan(), progress)).catch((e: unknown) => e);
      if (r instanceof RetryableError) {
        expect(r.message).toContain("Jira's search does not yet show the parent Epic");
        await new Promise((done) => setTimeout(done, r.retryAfterMs));
      } else out = r as Awaited<ReturnType<typeof jira.createWork>>;
    }
    expect(s.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(1);
    expect(s.state.issues).toHaveLength(4);
    expect(out.parent.key).toBe(s.state.issues[0]!.key);
    expect(s.state.requests['POST /rest/api/3/issue']).toBe(1);
  });

  it('finds 120 tasks across search pages on a rerun', async () => {
    const s = await start();
    const plan = { ...threeTaskPlan(), tasks: Array.from({ length: 120 }, (_, i) => task(`t${i}`)) };
    await tool(s).createWork(request(plan));
    expect(s.state.requests['POST /rest/api/3/issue/bulk']).toBe(3);
    const again = await tool(s).createWork(request(plan, recordingProgress()));
    expect(s.state.issues).toHaveLength(121);
    expect(Object.keys(again.tasks)).toHaveLength(120);
    expect(s.state.requests['POST /rest/api/3/search/jql']).toBe(1 + 2);
  });

  it('a required field the mapping does not set: permanent error naming the task and field; preflight says so first', async () => {
    const s = await start({ requiredFields: ['customfield_10030'], optionalFields: [] });
    const problems = await tool(s).preflight({ mapping: 'services-onboarding', project: 'DEL', fields: ['customfield_10020'], emails: ['dana@example.com', 'nobody@example.com'] });
    expect(problems.map((p) => p.fix)).toEqual([
      "add customfield_10030 to the mapping's task fields, or remove it from the create screen",
      "add customfield_10020 to the create screen of DEL, or remove it from the mapping's task fields",
      expect.stringContaining('invite nobody@example.com to Jira'),
    ]);

    const plan = { ...threeTaskPlan(), tasks: [task('kickoff')] };
    const err = await tool(s).createWork(request(plan)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('mapping services-onboarding, task kickoff: Jira field customfield_10030 is required');
  });

  it('wrong credentials: 401 → permanent, naming JIRA_EMAIL and JIRA_API_TOKEN', async () => {
    const s = await start();
    const bad = createJiraWorkTool({ baseUrl: s.url, email: STANDIN_EMAIL, apiToken: 'wrong-token', limiter: unlimited, requestsPerSecond: 10, timeoutMs: 5_000 });
    const err = await bad.createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/JIRA_EMAIL.*JIRA_API_TOKEN/);
  });

  it('over the rate limit the stand-in answers 429 + Retry-After, which becomes a RetryableError with that delay', async () => {
    const s = await start({ ratePerSecond: 2 });
    const err = await tool(s).createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(1_000);
    expect(s.state.count429).toBe(1);
  });

  it('two connectors (two workers) sharing the Redis limiter stay under the limit: no 429 at all', async () => {
    const s = await start({ ratePerSecond: 10 });
    const limiter = createRedisRateLimiter(redis, `baton-test-${randomUUID()}`);
    const a = tool(s, limiter, 8);
    const b = tool(s, limiter, 8);
    const plan = (h: string) => request(threeTaskPlan(), recordingProgress(), { handoffId: h });
    const started = Date.now();
    await Promise.all([a.createWork(plan('h-a')), b.createWork(plan('h-b')), a.createWork(plan('h-c')), b.createWork(plan('h-d'))]);
    expect(s.state.count429).toBe(0);
    expect(s.state.issues).toHaveLength(16);
    const total = Object.values(s.state.requests).reduce((x, y) => x + y, 0);
    // Paced at 8/s (one slot up front), so the run cannot be faster than (total - 1) / 8 seconds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(((total - 1) / 8) * 1000 - 50);
  });
});
