// The Asana connector against the real asana v3 SDK, with Asana mocked by nock at the HTTP layer: the exact
// requests Baton sends, and what each kind of failure becomes.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import { unlimited, type RateLimiter } from '../../../connectors/common/rate-limiter.js';
import { createAsanaWorkTool } from '../../../connectors/asana/asana-work-tool.js';
import { renderDocumentMarkdown } from '../../../src/handoff/render-markdown.js';
import { HANDOFF_ID, doc, memoryProgress, plan, request, task } from './fixtures.js';

const BASE = 'http://asana.test/api/1.0';
const HOST = 'http://asana.test';
const TOKEN = '2/1200000000000000/1209999999999999:0123456789abcdef';
const WS = '1100000000000001';
const P = '1300000000000001';
const T = { kickoff: '1400000000000001', review: '1400000000000002', setup: '1400000000000003' };

const tool = (extra: Partial<Parameters<typeof createAsanaWorkTool>[0]> = {}) =>
  createAsanaWorkTool({ accessToken: TOKEN, baseUrl: BASE, workspaceGid: WS, limiter: unlimited, requestsPerSecond: 10, timeoutMs: 2_000, jobPollIntervalMs: 1, ...extra });

const asana = () => nock(HOST, { reqheaders: { authorization: `Bearer ${TOKEN}` } });
const PROJECT_SEARCH = { workspace: WS, archived: 'false', limit: '100', opt_fields: 'name,notes,permalink_url' };
const TASK_SEARCH = { limit: '100', opt_fields: 'name,notes,external,assignee,permalink_url,memberships.section' };
const PROJECT_NOTES = `${renderDocumentMarkdown(doc()).trimEnd()}\n\n---\nBaton ref ${HANDOFF_ID}`;
const ext = (id: string) => ({ gid: `baton-${HANDOFF_ID}-${id}`, data: JSON.stringify({ handoffId: HANDOFF_ID, taskId: id, mapping: 'services-onboarding' }) });

const kickoffBody = {
  name: 'Kickoff call',
  notes: `Baton ref ${HANDOFF_ID}/kickoff`,
  due_on: '2025-09-01',
  projects: [P],
  assignee: 'lead@example.com',
  external: ext('kickoff'),
};
const reviewBody = {
  name: 'Review the handoff',
  notes: `Read the document\n\n---\nBaton ref ${HANDOFF_ID}/review`,
  due_on: '2025-09-03',
  projects: [P],
  assignee: 'rep@example.com',
  external: ext('review'),
};
const setupBody = { name: 'Set up the workspace', notes: `Baton ref ${HANDOFF_ID}/setup`, projects: [P], external: ext('setup') };
const taskReply = (gid: string) => ({ data: { gid, resource_type: 'task', name: 'x', permalink_url: `https://app.asana.com/0/${P}/${gid}` } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked Asana call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('createWork: plain project', () => {
  it('searches for an earlier project, creates the project with the document, three tasks and the dependencies', async () => {
    asana().get('/api/1.0/projects').query(PROJECT_SEARCH).reply(200, { data: [{ gid: '9', name: 'Other', notes: 'Baton ref h-00010' }], next_page: null });
    asana()
      .post('/api/1.0/projects', { data: { name: 'ACME onboarding', notes: PROJECT_NOTES, workspace: WS } })
      .query({ opt_fields: 'name,permalink_url' })
      .reply(201, { data: { gid: P, name: 'ACME onboarding', permalink_url: `https://app.asana.com/0/${P}/list` } });
    const q = { opt_fields: 'name,assignee,permalink_url' };
    asana().post('/api/1.0/tasks', { data: kickoffBody }).query(q).reply(201, taskReply(T.kickoff));
    asana().post('/api/1.0/tasks', { data: reviewBody }).query(q).reply(201, taskReply(T.review));
    asana().post('/api/1.0/tasks', { data: setupBody }).query(q).reply(201, taskReply(T.setup));
    // Each task depends on its `after` tasks: review waits for kickoff; setup for kickoff and review.
    asana().post(`/api/1.0/tasks/${T.review}/addDependencies`, { data: { dependencies: [T.kickoff] } }).reply(200, { data: {} });
    asana().post(`/api/1.0/tasks/${T.setup}/addDependencies`, { data: { dependencies: [T.kickoff, T.review] } }).reply(200, { data: {} });

    const progress = memoryProgress();
    const created = await tool().createWork(request(plan('plain'), progress));
    expect(created).toEqual({
      parent: { id: P, key: null, url: `https://app.asana.com/0/${P}/list` },
      tasks: {
        kickoff: { id: T.kickoff, key: null, url: `https://app.asana.com/0/${P}/${T.kickoff}`, assignee: 'lead@example.com' },
        review: { id: T.review, key: null, url: `https://app.asana.com/0/${P}/${T.review}`, assignee: 'rep@example.com' },
        setup: { id: T.setup, key: null, url: `https://app.asana.com/0/${P}/${T.setup}`, assignee: null },
      },
      notes: [],
    });
    // Saved as each object came to exist.
    expect(Object.keys(progress.saved)).toEqual(['project', 'task:kickoff', 'task:review', 'task:setup', 'deps:review', 'deps:setup']);
  });

  it('waits for the shared limiter (key "asana", the configured rate) before every request', async () => {
    const takes: unknown[] = [];
    let requests = 0;
    const limiter: RateLimiter = {
      take: async (key, limit, opts) => {
        takes.push({ key, limit, opts });
        return 0;
      },
    };
    const count = () => {
      requests += 1;
      return true;
    };
    asana().get('/api/1.0/projects').query(count).reply(200, { data: [] });
    asana().post('/api/1.0/projects').query(count).reply(201, { data: { gid: P } });
    const gids = [T.kickoff, T.review, T.setup];
    asana().post('/api/1.0/tasks').query(count).times(3).reply(201, () => taskReply(gids.shift() ?? ''));
    asana().post(/addDependencies$/).query(count).times(2).reply(200, { data: {} });
    await tool({ limiter, requestsPerSecond: 2.5 }).createWork(request(plan('plain')));
    expect(requests).toBe(7);
    expect(takes).toHaveLength(7);
    expect(takes[0]).toEqual({ key: 'asana', limit: { perSecond: 2.5 }, opts: { connector: 'asana' } });
  });

  it('more than 30 blockers are sent in chunks of 30', async () => {
    const many = Array.from({ length: 31 }, (_, i) => task(`t${i}`));
    const last = task('last', { after: many.map((t) => t.id) });
    asana().get('/api/1.0/projects').query(true).reply(200, { data: [] });
    asana().post('/api/1.0/projects').query(true).reply(201, { data: { gid: P } });
    let n = 0;
    asana().post('/api/1.0/tasks').query(true).times(32).reply(201, () => taskReply(String(++n)));
    const first30 = Array.from({ length: 30 }, (_, i) => String(i + 1));
    asana().post('/api/1.0/tasks/32/addDependencies', { data: { dependencies: first30 } }).reply(200, { data: {} });
    asana().post('/api/1.0/tasks/32/addDependencies', { data: { dependencies: ['31'] } }).reply(200, { data: {} });
    await tool().createWork(request(plan('plain', { tasks: [...many, last] })));
  });
});

describe('createWork: retries', () => {
  it('after a crash (process killed after creating "review", before recording it), a rerun with nothing saved finds the project and the tasks and creates only what is missing', async () => {
    asana().get('/api/1.0/projects').query(PROJECT_SEARCH).reply(200, { data: [] });
    asana().post('/api/1.0/projects').query(true).reply(201, { data: { gid: P, permalink_url: `https://app.asana.com/0/${P}/list` } });
    asana().post('/api/1.0/tasks', { data: kickoffBody }).query(true).reply(201, taskReply(T.kickoff));
    asana().post('/api/1.0/tasks', { data: reviewBody }).query(true).reply(201, taskReply(T.review));
    // save #0 project, #1 kickoff, #2 review → the crash.
    await expect(tool().createWork(request(plan('plain'), memoryProgress({}, 2)))).rejects.toThrow('simulated crash');

    // Second attempt: the project is found by its notes footer on page 2, the tasks by their markers.
    asana()
      .get('/api/1.0/projects')
      .query(PROJECT_SEARCH)
      .reply(200, { data: [{ gid: '8', name: 'Unrelated', notes: '' }], next_page: { offset: 'tok2', path: '/projects?offset=tok2' } });
    asana()
      .get('/api/1.0/projects')
      .query({ ...PROJECT_SEARCH, offset: 'tok2' })
      .reply(200, { data: [{ gid: P, name: 'ACME onboarding', notes: PROJECT_NOTES, permalink_url: `https://app.asana.com/0/${P}/list` }], next_page: null });
    asana()
      .get(`/api/1.0/projects/${P}/tasks`)
      .query(TASK_SEARCH)
      .reply(200, {
        data: [
          // external is only visible to OAuth apps: kickoff is recognised by external, review by its notes footer.
          { gid: T.kickoff, name: 'Kickoff call', notes: 'edited by a human', external: { gid: `baton-${HANDOFF_ID}-kickoff` }, assignee: { gid: '77' } },
          { gid: T.review, name: 'Review the handoff', notes: `Read the document\n\n---\nBaton ref ${HANDOFF_ID}/review`, assignee: { gid: '78' } },
          { gid: '55', name: 'Someone else', notes: `Baton ref ${HANDOFF_ID}/setupx` },
        ],
        next_page: null,
      });
    asana().post('/api/1.0/tasks', { data: setupBody }).query(true).reply(201, taskReply(T.setup));
    asana().post(`/api/1.0/tasks/${T.review}/addDependencies`, { data: { dependencies: [T.kickoff] } }).reply(200, { data: {} });
    asana().post(`/api/1.0/tasks/${T.setup}/addDependencies`, { data: { dependencies: [T.kickoff, T.review] } }).reply(200, { data: {} });
    const created = await tool().createWork(request(plan('plain'), memoryProgress()));
    expect(created.tasks.review).toMatchObject({ id: T.review, assignee: 'rep@example.com' });
    expect(created.parent.id).toBe(P);
  });

  it('uses progress.saved first: nothing saved is looked up or created again', async () => {
    const saved = {
      project: { gid: P, url: 'u' },
      'task:kickoff': { gid: T.kickoff, url: 'k', assignee: null, note: 'No Asana user for lead@example.com (project_lead): task "Kickoff call" was left unassigned' },
      'task:review': { gid: T.review, url: 'r', assignee: 'rep@example.com', note: null },
      'task:setup': { gid: T.setup, url: 's', assignee: null, note: null },
      'deps:review': true,
    };
    asana().post(`/api/1.0/tasks/${T.setup}/addDependencies`, { data: { dependencies: [T.kickoff, T.review] } }).reply(200, { data: {} });
    const created = await tool().createWork(request(plan('plain'), memoryProgress(saved)));
    expect(created.notes).toEqual(['No Asana user for lead@example.com (project_lead): task "Kickoff call" was left unassigned']);
    expect(created.tasks.kickoff!.assignee).toBeNull();
  });
});

describe('createWork: template and existing-project paths', () => {
  it('template: reads the template, instantiates with a marked name and the date variables, polls the job, then writes name + notes', async () => {
    const TPL = '1500000000000001';
    const JOB = '1600000000000001';
    asana()
      .get(`/api/1.0/project_templates/${TPL}`)
      .query({ opt_fields: 'name,team,requested_dates,requested_dates.name' })
      .reply(200, { data: { gid: TPL, team: { gid: 'TEAM1' }, requested_dates: [{ gid: '1', name: 'Start date' }, { gid: '2', name: 'Go-live' }] } });
    asana().get('/api/1.0/projects').query({ team: 'TEAM1', archived: 'false', limit: '100', opt_fields: 'name,notes,permalink_url' }).reply(200, { data: [] });
    asana()
      // Sent through the SDK's callApi: the generated method would also copy the body into the query string.
      .post(`/api/1.0/project_templates/${TPL}/instantiateProject`, {
        data: {
          name: `ACME onboarding · Baton ref ${HANDOFF_ID}`,
          public: true,
          team: 'TEAM1',
          requested_dates: [{ gid: '1', value: '2025-08-20' }, { gid: '2', value: '2025-08-20' }],
        },
      })
      .query((q) => Object.keys(q).length === 0)
      .reply(201, { data: { gid: JOB, resource_type: 'job', status: 'in_progress' } });
    const jobQ = { opt_fields: 'status,new_project,new_project.name' };
    asana().get(`/api/1.0/jobs/${JOB}`).query(jobQ).reply(200, { data: { gid: JOB, status: 'in_progress', new_project: null } });
    asana().get(`/api/1.0/jobs/${JOB}`).query(jobQ).reply(200, { data: { gid: JOB, status: 'succeeded', new_project: { gid: P } } });
    asana()
      .put(`/api/1.0/projects/${P}`, { data: { name: 'ACME onboarding', notes: PROJECT_NOTES } })
      .query({ opt_fields: 'permalink_url' })
      .reply(200, { data: { gid: P, permalink_url: `https://app.asana.com/0/${P}/list` } });
    const progress = memoryProgress();
    const created = await tool({ now: () => new Date('2025-08-20T23:30:00Z') }).createWork(request(plan(`template:${TPL}`, { tasks: [] }), progress));
    expect(created.parent).toEqual({ id: P, key: null, url: `https://app.asana.com/0/${P}/list` });
    expect(progress.saved).toMatchObject({ job: JOB, project: { gid: P }, projectNotes: true });
  });

  it('template: a failed job is a permanent error that says what to check, and is forgotten so a later retry starts afresh', async () => {
    asana().get('/api/1.0/jobs/J1').query(true).reply(200, { data: { gid: 'J1', status: 'failed' } });
    const progress = memoryProgress({ job: 'J1' });
    const err = await tool().createWork(request(plan('template:T1', { tasks: [] }), progress)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('instantiating project template T1 failed');
    expect((err as Error).message).toContain('services-onboarding');
    expect(progress.saved.job).toBeNull();
  });

  it('template on a free plan (402): permanent, with the fix', async () => {
    asana()
      .get('/api/1.0/project_templates/T1')
      .query(true)
      .reply(402, { errors: [{ message: 'This feature is only available to premium users of Asana.' }] });
    const err = (await tool().createWork(request(plan('template:T1'))).catch((e: unknown) => e)) as PermanentError;
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/paid Asana plan \(402\): This feature is only available to premium users/);
    expect(err.message).toContain('"project:<gid>"');
    expect(err.field).toBe('work.project');
  });

  it('project:<gid>: reads the project, creates a section named after the parent, tasks go into it, the first one carries the document', async () => {
    const S = '1700000000000001';
    asana().get(`/api/1.0/projects/${P}`).query({ opt_fields: 'name,permalink_url' }).reply(200, { data: { gid: P, permalink_url: `https://app.asana.com/0/${P}/list` } });
    asana().get(`/api/1.0/projects/${P}/sections`).query({ limit: '100', opt_fields: 'name,created_at' }).reply(200, { data: [{ gid: 'S0', name: 'Backlog' }], next_page: null });
    asana().post(`/api/1.0/projects/${P}/sections`, { data: { name: 'ACME onboarding' } }).query({ opt_fields: 'name' }).reply(201, { data: { gid: S, name: 'ACME onboarding' } });
    const kickoff = {
      ...kickoffBody,
      notes: `${renderDocumentMarkdown(doc()).trimEnd()}\n\n---\nBaton ref ${HANDOFF_ID}/kickoff`,
      projects: undefined,
      memberships: [{ project: P, section: S }],
    };
    delete kickoff.projects;
    asana().post('/api/1.0/tasks', { data: kickoff }).query(true).reply(201, taskReply(T.kickoff));
    const created = await tool().createWork(request(plan(`project:${P}`, { tasks: [plan('x').tasks[0]!] })));
    expect(created.parent).toEqual({ id: S, key: null, url: `https://app.asana.com/0/${P}/list` });
  });

  it('project:<gid> that does not exist (404): permanent, names the mapping and work.project', async () => {
    asana().get('/api/1.0/projects/999').query(true).reply(404, { errors: [{ message: 'Unknown object: 999' }] });
    const err = (await tool().createWork(request(plan('project:999'))).catch((e: unknown) => e)) as PermanentError;
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(
      'Asana reading project 999 (mapping "services-onboarding"): not found (404): Unknown object: 999. ' +
        "Check the gid in the mapping's work.project (project:999) and ASANA_WORKSPACE_GID",
    );
  });

  it('plain project without ASANA_WORKSPACE_GID: permanent, says what to set', async () => {
    const err = (await tool({ workspaceGid: undefined }).createWork(request(plan('plain'))).catch((e: unknown) => e)) as PermanentError;
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.field).toBe('ASANA_WORKSPACE_GID');
  });
});

describe('createWork: failures', () => {
  const toCreateTask = () => {
    asana().get('/api/1.0/projects').query(true).reply(200, { data: [] });
    asana().post('/api/1.0/projects').query(true).reply(201, { data: { gid: P } });
  };

  it('429 with Retry-After (seconds) → RetryableError with that delay in ms', async () => {
    asana()
      .get('/api/1.0/projects')
      .query(true)
      .reply(429, { errors: [{ message: "You've made too many requests and hit a rate limit. Please retry after the given amount of time." }] }, { 'Retry-After': '7' });
    const err = (await tool().createWork(request(plan('plain'))).catch((e: unknown) => e)) as RetryableError;
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.retryAfterMs).toBe(7000);
    expect(err.connector).toBe('asana');
  });

  it('5xx → RetryableError; what was created before it is saved', async () => {
    toCreateTask();
    asana().post('/api/1.0/tasks').query(true).reply(503, { errors: [{ message: 'Service Unavailable' }] });
    const progress = memoryProgress();
    const err = (await tool().createWork(request(plan('plain'), progress)).catch((e: unknown) => e)) as RetryableError;
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.message).toContain('Asana answered 503: Service Unavailable; will retry');
    expect(progress.saved.project).toEqual({ gid: P, url: null });
  });

  it('no answer within timeoutMs → RetryableError (the SDK does not retry by itself)', async () => {
    asana().get('/api/1.0/projects').query(true).delay(500).reply(200, { data: [] });
    const err = (await tool({ timeoutMs: 100 }).createWork(request(plan('plain'))).catch((e: unknown) => e)) as RetryableError;
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.message).toMatch(/timeout/);
  });

  it('400 naming a field → PermanentError with Asana\'s message, the mapping, the task and the field', async () => {
    toCreateTask();
    asana().post('/api/1.0/tasks').query(true).reply(400, { errors: [{ message: 'custom_fields: Not a recognized ID: 123', help: 'https://developers.asana.com/docs/errors' }] });
    const err = (await tool().createWork(request(plan('plain'))).catch((e: unknown) => e)) as PermanentError;
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.field).toBe('custom_fields');
    expect(err.message).toBe(
      'Asana creating task "kickoff" (Kickoff call) (mapping "services-onboarding"): request rejected (400): custom_fields: Not a recognized ID: 123 [field custom_fields]',
    );
  });

  it('401 → permanent, names ASANA_ACCESS_TOKEN and never the token', async () => {
    asana().get('/api/1.0/projects').query(true).reply(401, { errors: [{ message: `Not Authorized ${TOKEN}` }] });
    const err = (await tool().createWork(request(plan('plain'))).catch((e: unknown) => e)) as PermanentError;
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.field).toBe('ASANA_ACCESS_TOKEN');
    expect(err.message).not.toContain(TOKEN);
  });

  it('unknown assignee (400) → the task is created again unassigned, the handoff gets a note, and the email is not offered again', async () => {
    toCreateTask();
    const q = { opt_fields: 'name,assignee,permalink_url' };
    asana().post('/api/1.0/tasks', { data: kickoffBody }).query(q).reply(400, { errors: [{ message: 'assignee: Not a recognized ID: lead@example.com' }] });
    const { assignee: _a, ...unassigned } = kickoffBody;
    asana().post('/api/1.0/tasks', { data: unassigned }).query(q).reply(201, taskReply(T.kickoff));
    asana().post('/api/1.0/tasks', { data: reviewBody }).query(q).reply(201, taskReply(T.review));
    const w = tool();
    const created = await w.createWork(request(plan('plain', { tasks: plan('x').tasks.slice(0, 2).map((t) => ({ ...t, after: [] })) })));
    expect(created.tasks.kickoff!.assignee).toBeNull();
    expect(created.notes).toEqual(['No Asana user for lead@example.com (project_lead): task "Kickoff call" was left unassigned']);

    // Same connector, next handoff: no second 400 for the same email.
    toCreateTask();
    asana().post('/api/1.0/tasks', { data: unassigned }).query(q).reply(201, taskReply(T.kickoff));
    const again = await w.createWork(request(plan('plain', { tasks: [plan('x').tasks[0]!] })));
    expect(again.notes).toHaveLength(1);
  });

  it('hostile deal text is sent as literal JSON strings: mentions, markup, emoji, right-to-left, 100 KB', async () => {
    const hostile = `<!channel> @here **bold** <b>x</b> & "q" 'a' \`code\` 🚀👩‍👩‍👧 مرحبا \u202Eevil ${'x'.repeat(100_000)}`;
    const summary = 'Kickoff <script>alert(1)</script> 🚀 שלום';
    toCreateTask();
    let sent: { name: string; notes: string } | undefined;
    asana()
      .post('/api/1.0/tasks')
      .query(true)
      .reply(201, (_u, body) => {
        sent = (body as { data: { name: string; notes: string } }).data;
        return taskReply(T.kickoff);
      });
    await tool().createWork(request(plan('plain', { tasks: [task('kickoff', { summary, description: hostile })] })));
    expect(sent!.name).toBe(summary);
    expect(sent!.notes).toBe(`${hostile}\n\n---\nBaton ref ${HANDOFF_ID}/kickoff`);
  });
});

describe('preflight', () => {
  it('reports the template that needs a paid plan and the person Asana does not know, one problem each with a fix', async () => {
    asana().get('/api/1.0/users/me').query({ opt_fields: 'name' }).reply(200, { data: { gid: '1' } });
    asana().get(`/api/1.0/workspaces/${WS}`).query(true).reply(200, { data: { gid: WS } });
    asana().get('/api/1.0/project_templates/T1').query(true).reply(402, { errors: [{ message: 'This feature is only available to premium users of Asana.' }] });
    asana().get('/api/1.0/users/rep%40example.com').query({ workspace: WS, opt_fields: 'name,email' }).reply(200, { data: { gid: '2' } });
    asana().get('/api/1.0/users/ghost%40example.com').query(true).reply(404, { errors: [{ message: 'Unknown object: ghost@example.com' }] });
    const problems = await tool().preflight({ mapping: 'm1', project: 'template:T1', emails: ['rep@example.com', 'ghost@example.com', 'rep@example.com'] });
    expect(problems).toEqual([
      {
        problem: 'mapping "m1": project templates need a paid Asana plan (Asana answered 402 for template T1)',
        fix: 'Upgrade the Asana workspace, or change work.project to "project:<gid>" or a plain project',
      },
      {
        problem: 'mapping "m1": no Asana user for ghost@example.com; their tasks would be left unassigned',
        fix: "Invite ghost@example.com to the Asana workspace, or change the mapping's people so the role resolves to an Asana user",
      },
    ]);
  });

  it('a rejected token is one problem, and nothing else is checked', async () => {
    asana().get('/api/1.0/users/me').query(true).reply(401, { errors: [{ message: 'Not Authorized' }] });
    const problems = await tool().preflight({ mapping: 'm1', project: 'project:P1', emails: ['a@b.c'] });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.fix).toBe('Set ASANA_ACCESS_TOKEN to a valid personal access token or OAuth token');
  });

  it('a missing project and an unset workspace', async () => {
    asana().get('/api/1.0/users/me').query(true).reply(200, { data: { gid: '1' } });
    asana().get('/api/1.0/projects/P404').query(true).reply(404, { errors: [{ message: 'Unknown object: P404' }] });
    expect(await tool().preflight({ mapping: 'm1', project: 'project:P404', emails: [] })).toEqual([
      {
        problem: 'mapping "m1": project P404 (work.project "project:P404") was not found',
        fix: "Put the gid of an existing project the token's user can see in \"project:<gid>\" (it is in the project's URL)",
      },
    ]);
    asana().get('/api/1.0/users/me').query(true).reply(200, { data: { gid: '1' } });
    const problems = await tool({ workspaceGid: undefined }).preflight({ mapping: 'm1', project: 'Onboarding', emails: [] });
    expect(problems.map((p) => p.problem)).toEqual(['mapping "m1": work.project "Onboarding" creates a plain project in the workspace, but ASANA_WORKSPACE_GID is not set']);
  });
});
