// The Jira connector against the real jira.js v5 client, with Jira itself mocked by nock at the HTTP layer.
// Every request body is captured and asserted exactly.
import { createServer, type AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../../connectors/common/rate-limiter.js';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import { createJiraWorkTool, type JiraOptions } from '../../../connectors/jira/jira-work-tool.js';
import { renderDocumentAdf, type AdfNode } from '../../../src/handoff/render-adf.js';
import { HOSTILE, hostileDocument } from '../../unit/handoff/make-document.js';
import { HANDOFF_ID, MAPPING, MARKER, document, recordingProgress, request, task, threeTaskPlan } from './jira-test-data.js';

const BASE = 'http://jira.test';
const EMAIL = 'baton@example.com';
const TOKEN = 'jira-secret-api-token-0000-1111';
const AUTH = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;

const PROJECT = {
  id: '10000',
  key: 'DEL',
  name: 'Delivery',
  style: 'classic',
  simplified: false,
  issueTypes: [
    { id: '10003', name: 'Sub-task', hierarchyLevel: -1, subtask: true },
    { id: '10002', name: 'Task', hierarchyLevel: 0, subtask: false },
    { id: '10001', name: 'Epic', hierarchyLevel: 1, subtask: false },
  ],
};
const DANA = { accountId: 'acc-dana', accountType: 'atlassian', emailAddress: 'dana@example.com', displayName: 'Dana', active: true };
const SAM = { accountId: 'acc-sam', accountType: 'atlassian', emailAddress: 'sam@example.com', displayName: 'Sam', active: true };
const SEARCH_FIELDS = ['labels', 'summary', 'issuetype', 'issuelinks'];
const JQL = `project = "DEL" AND labels = "${MARKER}"`;

function countingLimiter(): RateLimiter & { takes: string[] } {
  const takes: string[] = [];
  return { takes, take: async (key) => (takes.push(key), 0) };
}

function tool(extra: Partial<JiraOptions> = {}) {
  return createJiraWorkTool({ baseUrl: BASE, email: EMAIL, apiToken: TOKEN, limiter: countingLimiter(), requestsPerSecond: 10, timeoutMs: 2_000, ...extra });
}

const jira = () => nock(BASE, { reqheaders: { authorization: AUTH } });

function mockProjectAndUsers(scope: nock.Scope, users: Record<string, unknown[]> = { 'dana@example.com': [DANA], 'sam@example.com': [SAM] }) {
  scope.get('/rest/api/3/project/DEL').query({ expand: 'issueTypes' }).reply(200, PROJECT);
  for (const [email, answer] of Object.entries(users)) {
    scope.get('/rest/api/3/user/search').query({ query: email, maxResults: '50' }).reply(200, answer);
  }
  return scope;
}

const created = (id: string, key: string) => ({ id, key, self: `${BASE}/rest/api/3/issue/${id}` });

/** Jira answering the three-task plan's bulk call (DEL-11..13) and its three links. */
const answersTasksAndLinks = (scope: nock.Scope, bulk: unknown[] = []) =>
  scope
    .post('/rest/api/3/issue/bulk', (b) => (bulk.push(b), true))
    .reply(201, { issues: [created('10501', 'DEL-11'), created('10502', 'DEL-12'), created('10503', 'DEL-13')], errors: [] })
    .post('/rest/api/3/issueLink')
    .times(3)
    .reply(201);

interface Captured {
  search: unknown[];
  parent: unknown[];
  bulk: { issueUpdates: { fields: Record<string, unknown>; properties: unknown[] }[] }[];
  links: unknown[];
}
const capture = (): Captured => ({ search: [], parent: [], bulk: [], links: [] });

/** Text of every ADF text node, and every node type, in document order. */
function walk(node: AdfNode, texts: string[] = [], types: string[] = []): { texts: string[]; types: string[] } {
  types.push(node.type);
  if (node.text !== undefined) texts.push(node.text);
  for (const c of node.content ?? []) walk(c, texts, types);
  return { texts, types };
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked Jira call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('createWork (happy path)', () => {
  it('creates one epic, the tasks in one bulk call with assignees, due dates, labels and custom fields, and Blocks links blocker → blocked', async () => {
    const c = capture();
    mockProjectAndUsers(jira())
      .post('/rest/api/3/search/jql', (b) => (c.search.push(b), true))
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue', (b) => (c.parent.push(b), true))
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk', (b) => (c.bulk.push(b), true))
      .reply(201, { issues: [created('10501', 'DEL-11'), created('10502', 'DEL-12'), created('10503', 'DEL-13')], errors: [] })
      .post('/rest/api/3/issueLink', (b) => (c.links.push(b), true))
      .times(3)
      .reply(201);
    const limiter = countingLimiter();
    const progress = recordingProgress();

    const out = await tool({ limiter }).createWork(request(threeTaskPlan(), progress));

    expect(c.search).toEqual([{ jql: JQL, fields: SEARCH_FIELDS, maxResults: 100 }]);
    expect(c.parent).toEqual([
      {
        fields: {
          project: { key: 'DEL' },
          issuetype: { id: '10001' },
          summary: 'ACME — Onboarding',
          description: renderDocumentAdf(document),
          labels: [MARKER, 'handoff'],
        },
        properties: [{ key: 'baton', value: { handoffId: HANDOFF_ID, mapping: MAPPING } }],
      },
    ]);
    expect(c.bulk).toHaveLength(1);
    const updates = c.bulk[0]!.issueUpdates;
    expect(updates.map((u) => u.fields.summary)).toEqual(['Kickoff call', 'Set up workspace', 'Review scope']);
    expect(updates[0]).toEqual({
      fields: {
        customfield_10020: 42,
        project: { key: 'DEL' },
        issuetype: { id: '10002' },
        summary: 'Kickoff call',
        description: {
          type: 'doc',
          version: 1,
          content: [
            { type: 'paragraph', content: [{ type: 'text', text: 'Do kickoff' }] },
            {
              type: 'paragraph',
              content: [
                { type: 'text', text: 'Handoff: ' },
                { type: 'text', text: 'DEL-10', marks: [{ type: 'link', attrs: { href: `${BASE}/browse/DEL-10` } }] },
              ],
            },
          ],
        },
        labels: [MARKER, 'baton-task-kickoff', 'handoff'],
        parent: { key: 'DEL-10' },
        assignee: { accountId: 'acc-dana' },
        duedate: '2025-07-01',
      },
      properties: [{ key: 'baton', value: { handoffId: HANDOFF_ID, mapping: MAPPING, taskId: 'kickoff' } }],
    });
    expect(updates[1]!.fields).toMatchObject({ assignee: { accountId: 'acc-sam' }, duedate: '2025-07-03', labels: [MARKER, 'baton-task-setup', 'handoff'] });
    expect(updates[2]!.fields).toMatchObject({ assignee: { accountId: 'acc-dana' }, duedate: '2025-07-08', labels: [MARKER, 'baton-task-review', 'handoff', 'review'] });
    // FACTS §2: {inwardIssue: X, outwardIssue: Y} ⇒ X blocks Y. kickoff (DEL-11) blocks setup (DEL-12), etc.
    expect(c.links).toEqual([
      { type: { name: 'Blocks' }, inwardIssue: { key: 'DEL-11' }, outwardIssue: { key: 'DEL-12' } },
      { type: { name: 'Blocks' }, inwardIssue: { key: 'DEL-11' }, outwardIssue: { key: 'DEL-13' } },
      { type: { name: 'Blocks' }, inwardIssue: { key: 'DEL-12' }, outwardIssue: { key: 'DEL-13' } },
    ]);

    expect(out).toEqual({
      parent: { id: '10500', key: 'DEL-10', url: `${BASE}/browse/DEL-10` },
      tasks: {
        kickoff: { id: '10501', key: 'DEL-11', url: `${BASE}/browse/DEL-11`, assignee: 'dana@example.com' },
        setup: { id: '10502', key: 'DEL-12', url: `${BASE}/browse/DEL-12`, assignee: 'sam@example.com' },
        review: { id: '10503', key: 'DEL-13', url: `${BASE}/browse/DEL-13`, assignee: 'dana@example.com' },
      },
      notes: [],
    });
    // Progress: each create recorded as sent before the call (ambiguous-create.ts), then its answer with the
    // record cleared: the parent the moment it exists, the tasks after the bulk call; then each link as made.
    expect(progress.saves.slice(0, 4)).toEqual([
      { parentSentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { parent: out.parent, parentSentAt: null },
      { tasksSentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { tasks: out.tasks, tasksSentAt: null },
    ]);
    expect(progress.saved.links).toEqual(['kickoff>setup', 'kickoff>review', 'setup>review']);
    // The shared limiter before every one of the 9 requests (project, 2 users, search, parent, bulk, 3 links).
    expect(limiter.takes).toEqual(Array(9).fill('jira'));
  });

  it('creates more than 50 tasks in bulk calls of at most 50', async () => {
    const plan = { ...threeTaskPlan(), tasks: Array.from({ length: 61 }, (_, i) => task(`t${i}`)) };
    const sizes: number[] = [];
    let next = 11;
    const scope = mockProjectAndUsers(jira(), { 'dana@example.com': [DANA] })
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'));
    scope
      .post('/rest/api/3/issue/bulk')
      .times(2)
      .reply(201, (_uri, body) => {
        const n = (body as Captured['bulk'][number]).issueUpdates.length;
        sizes.push(n);
        return { issues: Array.from({ length: n }, () => created(String(10_000 + next), `DEL-${next++}`)), errors: [] };
      });
    const out = await tool().createWork(request(plan));
    expect(sizes).toEqual([50, 11]);
    expect(Object.keys(out.tasks)).toHaveLength(61);
    expect(out.tasks.t60?.key).toBe('DEL-71');
  });

  it('uses the level-1 issue type of a team-managed project as the parent', async () => {
    const team = {
      ...PROJECT,
      key: 'TEAM',
      style: 'next-gen',
      simplified: true,
      issueTypes: [
        { id: '20002', name: 'Task', hierarchyLevel: 0, subtask: false },
        { id: '20001', name: 'Initiative', hierarchyLevel: 1, subtask: false },
      ],
    };
    const parents: { fields: { issuetype: unknown } }[] = [];
    const bulks: Captured['bulk'] = [];
    jira()
      .get('/rest/api/3/project/TEAM')
      .query(true)
      .reply(200, team)
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue', (b) => (parents.push(b), true))
      .reply(201, created('30000', 'TEAM-1'))
      .post('/rest/api/3/issue/bulk', (b) => (bulks.push(b), true))
      .reply(201, { issues: [created('30001', 'TEAM-2')], errors: [] });
    const plan = { ...threeTaskPlan('TEAM'), tasks: [task('kickoff', { assigneeEmail: null, assigneeRole: null })] };
    await tool().createWork(request(plan));
    expect(parents[0]!.fields.issuetype).toEqual({ id: '20001' });
    expect(bulks[0]!.issueUpdates[0]!.fields).toMatchObject({ issuetype: { id: '20002' }, parent: { key: 'TEAM-1' } });
  });

  it('pages the marker search with nextPageToken until Jira stops sending one', async () => {
    const searches: { nextPageToken?: string }[] = [];
    mockProjectAndUsers(jira(), { 'dana@example.com': [DANA] })
      .post('/rest/api/3/search/jql', (b) => (searches.push(b), true))
      .reply(200, { issues: [{ id: '10500', key: 'DEL-10', fields: { labels: [MARKER] } }], nextPageToken: 'page-2' })
      .post('/rest/api/3/search/jql', (b) => (searches.push(b), true))
      .reply(200, { issues: [{ id: '10501', key: 'DEL-11', fields: { labels: [MARKER, 'baton-task-kickoff'] } }] });
    const plan = { ...threeTaskPlan(), tasks: [task('kickoff')] };
    const out = await tool().createWork(request(plan));
    expect(searches.map((s) => s.nextPageToken)).toEqual([undefined, 'page-2']);
    expect(out.parent.key).toBe('DEL-10');
    expect(out.tasks.kickoff?.key).toBe('DEL-11');
  });
});

describe('idempotency', () => {
  it('a retry after a crash finds the parent and half the tasks by label, creates only the rest, and skips links that exist', async () => {
    const c = capture();
    // A new connector (new process) with empty progress: the crash lost everything the first attempt saved.
    mockProjectAndUsers(jira())
      .post('/rest/api/3/search/jql', (b) => (c.search.push(b), true))
      .reply(200, {
        issues: [
          { id: '10501', key: 'DEL-11', fields: { labels: [MARKER, 'baton-task-kickoff', 'handoff'], issuelinks: [] } },
          { id: '10500', key: 'DEL-10', fields: { labels: [MARKER, 'handoff'], issuelinks: [] } },
          {
            id: '10502',
            key: 'DEL-12',
            // Seen from the blocked issue: the blocker is on the inward side.
            fields: { labels: [MARKER, 'baton-task-setup', 'handoff'], issuelinks: [{ type: { name: 'Blocks' }, inwardIssue: { key: 'DEL-11' } }] },
          },
        ],
      })
      .post('/rest/api/3/issue/bulk', (b) => (c.bulk.push(b), true))
      .reply(201, { issues: [created('10503', 'DEL-13')], errors: [] })
      .post('/rest/api/3/issueLink', (b) => (c.links.push(b), true))
      .times(2)
      .reply(201);
    const progress = recordingProgress();

    const out = await tool().createWork(request(threeTaskPlan(), progress));

    expect(c.bulk).toHaveLength(1);
    expect(c.bulk[0]!.issueUpdates.map((u) => u.fields.summary)).toEqual(['Review scope']);
    expect(c.bulk[0]!.issueUpdates[0]!.fields.parent).toEqual({ key: 'DEL-10' });
    expect(c.links).toEqual([
      { type: { name: 'Blocks' }, inwardIssue: { key: 'DEL-11' }, outwardIssue: { key: 'DEL-13' } },
      { type: { name: 'Blocks' }, inwardIssue: { key: 'DEL-12' }, outwardIssue: { key: 'DEL-13' } },
    ]);
    expect(out.parent).toEqual({ id: '10500', key: 'DEL-10', url: `${BASE}/browse/DEL-10` });
    expect(Object.fromEntries(Object.entries(out.tasks).map(([k, v]) => [k, v.key]))).toEqual({ kickoff: 'DEL-11', setup: 'DEL-12', review: 'DEL-13' });
    // What the search found is recorded before anything is created.
    expect(progress.saves[0]).toMatchObject({ parent: { key: 'DEL-10' }, tasks: { kickoff: { key: 'DEL-11' }, setup: { key: 'DEL-12' } } });
    expect(progress.saved.links).toEqual(['kickoff>setup', 'kickoff>review', 'setup>review']);
  });

  it('runs the same request twice against one site: the second run creates nothing', async () => {
    // First run creates everything; the second (crash before the step was recorded) only searches.
    const issues: { id: string; key: string; fields: { labels: string[]; issuelinks: unknown[] } }[] = [];
    const scope = mockProjectAndUsers(jira());
    scope.post('/rest/api/3/search/jql').reply(200, { issues: [] });
    scope.post('/rest/api/3/issue').reply(201, (_u, b) => {
      issues.push({ id: '10500', key: 'DEL-10', fields: { labels: (b as { fields: { labels: string[] } }).fields.labels, issuelinks: [] } });
      return created('10500', 'DEL-10');
    });
    scope.post('/rest/api/3/issue/bulk').reply(201, (_u, b) => {
      const ups = (b as Captured['bulk'][number]).issueUpdates;
      const out = ups.map((u, i) => {
        const issue = { id: String(10501 + i), key: `DEL-${11 + i}`, fields: { labels: u.fields.labels as string[], issuelinks: [] as unknown[] } };
        issues.push(issue);
        return created(issue.id, issue.key);
      });
      return { issues: out, errors: [] };
    });
    scope.post('/rest/api/3/issueLink').times(3).reply(201, (_u, b) => {
      const { inwardIssue, outwardIssue } = b as { inwardIssue: { key: string }; outwardIssue: { key: string } };
      issues.find((i) => i.key === outwardIssue.key)!.fields.issuelinks.push({ type: { name: 'Blocks' }, inwardIssue });
      issues.find((i) => i.key === inwardIssue.key)!.fields.issuelinks.push({ type: { name: 'Blocks' }, outwardIssue });
      return '';
    });
    const first = await tool().createWork(request(threeTaskPlan()));

    mockProjectAndUsers(jira()).post('/rest/api/3/search/jql').reply(200, () => ({ issues }));
    const second = await tool().createWork(request(threeTaskPlan(), recordingProgress()));
    expect(second).toEqual(first);
  });

  it('trusts saved progress: with everything saved it makes no search and only the missing link', async () => {
    const links: unknown[] = [];
    mockProjectAndUsers(jira())
      .post('/rest/api/3/issueLink', (b) => (links.push(b), true))
      .reply(201);
    const saved = {
      parent: { id: '10500', key: 'DEL-10', url: `${BASE}/browse/DEL-10` },
      tasks: {
        kickoff: { id: '10501', key: 'DEL-11', url: `${BASE}/browse/DEL-11`, assignee: 'dana@example.com' },
        setup: { id: '10502', key: 'DEL-12', url: `${BASE}/browse/DEL-12`, assignee: 'sam@example.com' },
        review: { id: '10503', key: 'DEL-13', url: `${BASE}/browse/DEL-13`, assignee: 'dana@example.com' },
      },
      links: ['kickoff>setup', 'kickoff>review'],
    };
    const progress = recordingProgress(saved);
    const out = await tool().createWork(request(threeTaskPlan(), progress));
    expect(links).toEqual([{ type: { name: 'Blocks' }, inwardIssue: { key: 'DEL-12' }, outwardIssue: { key: 'DEL-13' } }]);
    expect(out.tasks).toEqual(saved.tasks);
    expect(progress.saved.links).toEqual(['kickoff>setup', 'kickoff>review', 'setup>review']);
  });
});

describe('ambiguous creates (an answer that never came) against a lagging search', () => {
  const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();
  const epicHit = { id: '10500', key: 'DEL-10', fields: { labels: [MARKER, 'handoff'], issuelinks: [] } };

  it('within the settle window a search miss is no proof: a told wait, no create; once search shows the epic it is adopted', async () => {
    mockProjectAndUsers(jira()).post('/rest/api/3/search/jql').reply(200, { issues: [] });
    const progress = recordingProgress({ parentSentAt: secondsAgo(3) });
    const jiraTool = tool({ searchSettleMs: 60_000 });
    const wait = await jiraTool.createWork(request(threeTaskPlan(), progress)).catch((e: unknown) => e);
    expect(wait).toBeInstanceOf(RetryableError);
    // Doubling back-off: about as long again as has passed since the send, bounded by the window's end.
    expect((wait as RetryableError).retryAfterMs).toBeGreaterThanOrEqual(2_900);
    expect((wait as RetryableError).retryAfterMs).toBeLessThanOrEqual(57_000);
    expect(wait).toMatchObject({ reason: 'busy', message: expect.stringContaining("mapping services-onboarding: Jira's search does not yet show the parent Epic Baton sent at") });
    expect(progress.saves).toEqual([]);

    // Search has caught up: the epic is adopted, only the tasks are created.
    const bulk: unknown[] = [];
    answersTasksAndLinks(jira().post('/rest/api/3/search/jql').reply(200, { issues: [epicHit] }), bulk);
    const out = await jiraTool.createWork(request(threeTaskPlan(), progress));
    expect(out.parent.key).toBe('DEL-10');
    expect(bulk).toHaveLength(1);
  });

  it('after the settle window a search miss is trusted: the parent is created (again)', async () => {
    answersTasksAndLinks(mockProjectAndUsers(jira()).post('/rest/api/3/search/jql').reply(200, { issues: [] }).post('/rest/api/3/issue').reply(201, created('10500', 'DEL-10')));
    const progress = recordingProgress({ parentSentAt: secondsAgo(61) });
    const out = await tool({ searchSettleMs: 60_000 }).createWork(request(threeTaskPlan(), progress));
    expect(out.parent.key).toBe('DEL-10');
    expect(progress.saved.parentSentAt).toBeNull();
  });

  it.each([
    ['a 400 (Jira refused it)', 400, { errorMessages: [], errors: { summary: 'You must specify a summary of the issue.' } }, {}],
    ['a 429 (never acted on)', 429, { errorMessages: ['Rate limit exceeded.'] }, { 'Retry-After': '2' }],
  ])('a create answered with %s was not made: the sent record is cleared, so the retry does not wait', async (_what, status, body, headers) => {
    mockProjectAndUsers(jira()).post('/rest/api/3/search/jql').reply(200, { issues: [] }).post('/rest/api/3/issue').reply(status, body, headers);
    const progress = recordingProgress();
    await expect(tool().createWork(request(threeTaskPlan(), progress))).rejects.toThrow();
    expect(progress.saves).toEqual([{ parentSentAt: expect.any(String) }, { parentSentAt: null }]);
  });

  it('a create answered with a 500 may have happened: the sent record stays', async () => {
    mockProjectAndUsers(jira()).post('/rest/api/3/search/jql').reply(200, { issues: [] }).post('/rest/api/3/issue').reply(503, { errorMessages: ['Service Unavailable'] });
    const progress = recordingProgress();
    await expect(tool().createWork(request(threeTaskPlan(), progress))).rejects.toBeInstanceOf(RetryableError);
    expect(progress.saves).toEqual([{ parentSentAt: expect.any(String) }]);
  });
});

describe('bulk partial failure', () => {
  it('saves the created tasks, then fails permanently naming the mapping, the task and the field', async () => {
    mockProjectAndUsers(jira())
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk')
      .reply(201, {
        issues: [created('10501', 'DEL-11'), created('10503', 'DEL-13')],
        errors: [{ status: 400, elementErrors: { errorMessages: [], errors: { customfield_10020: 'Field is required.' } }, failedElementNumber: 1 }],
      });
    const progress = recordingProgress();
    const err = await tool().createWork(request(threeTaskPlan(), progress)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).message).toContain('mapping services-onboarding, task setup: Jira field customfield_10020 is required');
    expect((err as PermanentError).field).toBe('customfield_10020');
    // Created ones are paired with their tasks by position, the failed element skipped.
    expect(progress.saved.tasks).toEqual({
      kickoff: { id: '10501', key: 'DEL-11', url: `${BASE}/browse/DEL-11`, assignee: 'dana@example.com' },
      review: { id: '10503', key: 'DEL-13', url: `${BASE}/browse/DEL-13`, assignee: 'dana@example.com' },
    });
  });

  it('treats a 400 where every element failed like a mixed answer', async () => {
    mockProjectAndUsers(jira(), { 'dana@example.com': [DANA] })
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk')
      .reply(400, {
        issues: [],
        errors: [{ status: 400, elementErrors: { errorMessages: [], errors: { duedate: "Field 'duedate' cannot be set. It is not on the appropriate screen, or unknown." } }, failedElementNumber: 0 }],
      });
    const plan = { ...threeTaskPlan(), tasks: [task('kickoff')] };
    const err = await tool().createWork(request(plan)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/^mapping services-onboarding, task kickoff: Jira field duedate cannot be set .*add it to the project's create screen/);
  });

  it('records nothing from a bulk answer it cannot pair with the tasks sent (the retry finds them by label)', async () => {
    mockProjectAndUsers(jira())
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk')
      .reply(201, { issues: [created('10501', 'DEL-11'), created('10502', 'DEL-12')], errors: [] });
    const progress = recordingProgress();
    const err = await tool().createWork(request(threeTaskPlan(), progress)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toContain('could not be matched');
    expect(progress.saved).not.toHaveProperty('tasks');
  });

  it('creates a task unassigned (with a note) when Jira rejects only its assignee', async () => {
    const bulks: Captured['bulk'] = [];
    mockProjectAndUsers(jira(), { 'dana@example.com': [DANA] })
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk', (b) => (bulks.push(b), true))
      .reply(400, {
        issues: [],
        errors: [{ status: 400, elementErrors: { errorMessages: [], errors: { assignee: "User 'acc-dana' cannot be assigned issues." } }, failedElementNumber: 0 }],
      })
      .post('/rest/api/3/issue/bulk', (b) => (bulks.push(b), true))
      .reply(201, { issues: [created('10501', 'DEL-11')], errors: [] });
    const plan = { ...threeTaskPlan(), tasks: [task('kickoff')] };
    const out = await tool().createWork(request(plan));
    expect(bulks[0]!.issueUpdates[0]!.fields.assignee).toEqual({ accountId: 'acc-dana' });
    expect(bulks[1]!.issueUpdates[0]!.fields).not.toHaveProperty('assignee');
    expect(out.tasks.kickoff).toMatchObject({ key: 'DEL-11', assignee: null });
    expect(out.notes).toEqual([expect.stringContaining('Jira would not assign task kickoff in DEL')]);
  });
});

describe('people', () => {
  it('leaves a task unassigned with a note when no Jira user has the email, and caches answers', async () => {
    const bulks: Captured['bulk'] = [];
    const scope = jira()
      .get('/rest/api/3/project/DEL')
      .query(true)
      .reply(200, PROJECT)
      // Prefix matches of other people are not our person.
      .get('/rest/api/3/user/search')
      .query({ query: 'ghost@example.com', maxResults: '50' })
      .reply(200, [{ ...DANA, emailAddress: 'ghost@example.com.au' }])
      .get('/rest/api/3/user/search')
      .query({ query: 'dana@example.com', maxResults: '50' })
      .reply(200, [DANA]);
    scope.post('/rest/api/3/search/jql').times(2).reply(200, { issues: [] });
    scope.post('/rest/api/3/issue').times(2).reply(201, created('10500', 'DEL-10'));
    scope
      .post('/rest/api/3/issue/bulk', (b) => (bulks.push(b), true))
      .times(2)
      .reply(201, { issues: [created('10501', 'DEL-11'), created('10502', 'DEL-12')], errors: [] });
    const plan = { ...threeTaskPlan(), tasks: [task('kickoff', { assigneeEmail: 'ghost@example.com' }), task('setup')] };
    const jiraTool = tool();

    const out = await jiraTool.createWork(request(plan));
    expect(bulks[0]!.issueUpdates[0]!.fields).not.toHaveProperty('assignee');
    expect(bulks[0]!.issueUpdates[1]!.fields.assignee).toEqual({ accountId: 'acc-dana' });
    expect(out.notes).toEqual(['no Jira user for ghost@example.com: task kickoff left unassigned']);
    expect(out.tasks.kickoff?.assignee).toBeNull();

    // A second handoff within the cache time: no project read, no user searches (nock would fail on extra calls).
    await jiraTool.createWork(request(plan, recordingProgress(), { handoffId: 'other-handoff' }));
  });

  it('takes the single active result when Jira hides emails, but not an ambiguous one', async () => {
    const bulks: Captured['bulk'] = [];
    mockProjectAndUsers(jira(), {
      'dana@example.com': [{ accountId: 'acc-hidden', accountType: 'atlassian', displayName: 'Dana', active: true }],
      'sam@example.com': [
        { accountId: 'acc-1', accountType: 'atlassian', displayName: 'Sam A', active: true },
        { accountId: 'acc-2', accountType: 'atlassian', displayName: 'Sam B', active: true },
      ],
    })
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk', (b) => (bulks.push(b), true))
      .reply(201, { issues: [created('10501', 'DEL-11'), created('10502', 'DEL-12'), created('10503', 'DEL-13')], errors: [] })
      .post('/rest/api/3/issueLink')
      .times(3)
      .reply(201);
    const out = await tool().createWork(request(threeTaskPlan()));
    expect(bulks[0]!.issueUpdates.map((u) => u.fields.assignee)).toEqual([{ accountId: 'acc-hidden' }, undefined, { accountId: 'acc-hidden' }]);
    expect(out.notes).toEqual(['no Jira user for sam@example.com: task setup left unassigned']);
  });
});

describe('errors', () => {
  it('429 with Retry-After → RetryableError with that delay', async () => {
    jira().get('/rest/api/3/project/DEL').query(true).reply(429, { errorMessages: ['Rate limit exceeded.'] }, { 'Retry-After': '7', 'RateLimit-Reason': 'jira-burst-based' });
    const err = await tool().createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(7_000);
    expect((err as Error).message).toContain('jira-burst-based');
  });

  it('500 on the bulk call is retryable and ambiguous: the retry waits for search, and after the settle window creates the tasks, never the parent twice', async () => {
    mockProjectAndUsers(jira())
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk')
      .reply(500, { errorMessages: ['Internal server error'] });
    const progress = recordingProgress();
    const jiraTool = tool();
    const err = await jiraTool.createWork(request(threeTaskPlan(), progress)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toContain('Jira answered 500');

    // A 500 may come after Jira created the tasks: they stay recorded as sent.
    expect(progress.saved.tasksSentAt).toEqual(expect.any(String));

    // The retry: progress has the parent, so it searches for tasks only. Search shows none, but it may lag behind
    // the bulk call: a told wait, nothing created.
    jira()
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [{ id: '10500', key: 'DEL-10', fields: { labels: [MARKER] } }] });
    const wait = await jiraTool.createWork(request(threeTaskPlan(), progress)).catch((e: unknown) => e);
    expect(wait).toBeInstanceOf(RetryableError);
    expect(wait).toMatchObject({ reason: 'busy', retryAfterMs: expect.any(Number) });
    expect((wait as Error).message).toMatch(/does not yet show the tasks \(3: kickoff, setup, review\) Baton sent at .* still missing at /);

    // The settle window has passed (as if a minute went by) and search still shows none: created now, once.
    progress.saved.tasksSentAt = new Date(Date.now() - 61_000).toISOString();
    answersTasksAndLinks(jira().post('/rest/api/3/search/jql').reply(200, { issues: [{ id: '10500', key: 'DEL-10', fields: { labels: [MARKER] } }] }));
    const out = await jiraTool.createWork(request(threeTaskPlan(), progress));
    expect(out.parent.key).toBe('DEL-10');
    expect(Object.keys(out.tasks)).toEqual(['kickoff', 'setup', 'review']);
  });

  it('a request slower than timeoutMs is a retryable timeout', async () => {
    jira().get('/rest/api/3/project/DEL').query(true).delay(500).reply(200, PROJECT);
    const err = await tool({ timeoutMs: 100 }).createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toMatch(/timeout/);
  });

  it('a network error (connection reset) is retryable', async () => {
    // A real socket failure from a loopback server (nock's replyWithError never settles axios' request).
    const server = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const err = await tool({ baseUrl }).createWork(request(threeTaskPlan())).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect((err as Error).message).toContain('network error ECONNRESET');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a 400 on the parent names the mapping and the field and is permanent', async () => {
    mockProjectAndUsers(jira())
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(400, { errorMessages: [], errors: { customfield_10011: 'Epic Name is required.' } });
    const err = await tool().createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).field).toBe('customfield_10011');
    expect((err as Error).message).toMatch(/^mapping services-onboarding: Jira field customfield_10011 is required \(Epic Name is required\.\)/);
  });

  it('404 on the project says it is not found or not visible to JIRA_EMAIL', async () => {
    jira().get('/rest/api/3/project/DEL').query(true).reply(404, { errorMessages: ["No project could be found with key 'DEL'."], errors: {} });
    const err = await tool().createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('mapping services-onboarding: Jira project DEL not found or not visible to JIRA_EMAIL');
  });

  it('401 names JIRA_EMAIL / JIRA_API_TOKEN and never the token', async () => {
    jira().get('/rest/api/3/project/DEL').query(true).reply(401, `Basic auth failed for ${TOKEN}`);
    const err = await tool().createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/JIRA_EMAIL.*JIRA_API_TOKEN/);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(TOKEN);
    expect(String((err as Error).cause)).not.toContain(AUTH.slice(6));
  });

  it('403 on link creation names the permission', async () => {
    mockProjectAndUsers(jira())
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk')
      .reply(201, { issues: [created('10501', 'DEL-11'), created('10502', 'DEL-12'), created('10503', 'DEL-13')], errors: [] })
      .post('/rest/api/3/issueLink')
      .reply(403, { errorMessages: ['You do not have permission to link issues.'], errors: {} });
    const err = await tool().createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('task setup: Jira refused link DEL-11 blocks DEL-12 (403)');
    expect((err as Error).message).toContain('"Link issues" permission in project DEL');
  });

  it('a project without the issue types fails permanently naming them', async () => {
    jira().get('/rest/api/3/project/DEL').query(true).reply(200, { ...PROJECT, issueTypes: [{ id: '1', name: 'Bug', hierarchyLevel: 0 }] });
    const err = await tool().createWork(request(threeTaskPlan())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe(
      'mapping services-onboarding: Jira project DEL has no issue type "Epic" (for the parent) and "Task" (for the task); add it to the project\'s issue type scheme',
    );
  });
});

describe('hostile text', () => {
  it('keeps deal text in ADF text nodes and plain summaries', async () => {
    const doc = hostileDocument();
    const parents: { fields: { description: AdfNode; summary: string } }[] = [];
    const bulks: Captured['bulk'] = [];
    const hostile = `${HOSTILE.channel}\n\n{"type":"mention","attrs":{"id":"all"}} ${HOSTILE.script} ${HOSTILE.markdownBlocks} ${HOSTILE.rtl} ${HOSTILE.emoji}`;
    mockProjectAndUsers(jira(), { 'dana@example.com': [DANA] })
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue', (b) => (parents.push(b), true))
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk', (b) => (bulks.push(b), true))
      .reply(201, { issues: [created('10501', 'DEL-11')], errors: [] });
    const plan = {
      ...threeTaskPlan(),
      parent: { summary: `ACME ${HOSTILE.channel}\n${HOSTILE.bold}` },
      tasks: [task('kickoff', { summary: HOSTILE.script, description: hostile })],
    };
    await tool().createWork(request(plan, recordingProgress(), { document: doc }));

    const parent = parents[0]!.fields;
    expect(parent.description).toEqual(renderDocumentAdf(doc));
    expect(parent.summary).toBe('ACME ping <!channel> now *bold* _italic_ ~strike~');
    const parentWalk = walk(parent.description);
    for (const value of Object.values(HOSTILE)) {
      for (const line of value.split('\n').filter((l) => l.trim() !== '')) {
        expect(parentWalk.texts.some((t) => t.includes(line.trim()))).toBe(true);
      }
    }
    expect(new Set(parentWalk.types)).not.toContain('mention');

    const fields = bulks[0]!.issueUpdates[0]!.fields;
    expect(fields.summary).toBe(HOSTILE.script);
    const taskWalk = walk(fields.description as AdfNode);
    expect(taskWalk.types.filter((t) => !['doc', 'paragraph', 'text', 'hardBreak'].includes(t))).toEqual([]);
    expect(taskWalk.texts.slice(0, 2)).toEqual([HOSTILE.channel, hostile.split('\n\n')[1]!.split('\n')[0]]);
    expect(taskWalk.texts.join('\n')).toContain('{"type":"mention","attrs":{"id":"all"}}');
  });

  it('cuts a 100 KB task description to fit Jira', async () => {
    const bulks: Captured['bulk'] = [];
    mockProjectAndUsers(jira(), { 'dana@example.com': [DANA] })
      .post('/rest/api/3/search/jql')
      .reply(200, { issues: [] })
      .post('/rest/api/3/issue')
      .reply(201, created('10500', 'DEL-10'))
      .post('/rest/api/3/issue/bulk', (b) => (bulks.push(b), true))
      .reply(201, { issues: [created('10501', 'DEL-11')], errors: [] });
    const plan = { ...threeTaskPlan(), tasks: [task('kickoff', { description: 'x'.repeat(100_000) })] };
    await tool().createWork(request(plan));
    expect(JSON.stringify(bulks[0]!.issueUpdates[0]!.fields.description).length).toBeLessThan(32_767);
  });
});
