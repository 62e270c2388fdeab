// The Asana connector end to end against the stand-in (real SDK, real HTTP), and the stand-in's own contract:
// auth, error envelopes, pagination, the rate limit with Retry-After.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../../src/handoff/errors.js';
import { createRedisRateLimiter, unlimited } from '../../connectors/common/rate-limiter.js';
import { createAsanaWorkTool } from '../../connectors/asana/asana-work-tool.js';
import { HANDOFF_ID, memoryProgress, plan, request } from '../integration/asana/fixtures.js';
import { STANDIN_TEAM, STANDIN_TEMPLATE, STANDIN_TOKEN, STANDIN_WORKSPACE, startAsanaStandin, type AsanaStandin, type AsanaStandinOptions } from './asana-standin.js';

let standin: AsanaStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function start(opts: AsanaStandinOptions = {}) {
  standin = await startAsanaStandin(opts);
  return standin;
}

const tool = (s: AsanaStandin, extra: Partial<Parameters<typeof createAsanaWorkTool>[0]> = {}) =>
  createAsanaWorkTool({
    accessToken: STANDIN_TOKEN,
    baseUrl: s.url,
    workspaceGid: STANDIN_WORKSPACE,
    limiter: unlimited,
    requestsPerSecond: 100,
    timeoutMs: 5_000,
    jobPollIntervalMs: 5,
    ...extra,
  });

async function get(s: AsanaStandin, path: string, token = STANDIN_TOKEN) {
  const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('asana stand-in contract', () => {
  it('answers 401 in Asana\'s error format without the Bearer token', async () => {
    const s = await start();
    const r = await get(s, '/users/me', 'wrong');
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ errors: [{ message: 'Not Authorized' }] });
  });

  it('pages with opaque next_page.offset tokens and rejects limits above 100', async () => {
    const s = await start();
    const w = tool(s);
    for (const n of [1, 2, 3]) await w.createWork({ ...request(plan('plain', { parent: { summary: `P${n}` }, tasks: [] })), handoffId: `h${n}` });
    const first = await get(s, `/projects?workspace=${STANDIN_WORKSPACE}&limit=2`);
    expect((first.body.data as unknown[]).length).toBe(2);
    const offset = (first.body.next_page as { offset: string }).offset;
    const second = await get(s, `/projects?workspace=${STANDIN_WORKSPACE}&limit=2&offset=${offset}`);
    expect((second.body.data as unknown[]).length).toBe(1);
    expect(second.body.next_page).toBeNull();
    expect((await get(s, `/projects?workspace=${STANDIN_WORKSPACE}&limit=101`)).status).toBe(400);
  });

  it('enforces the per-second limit with 429 + integer Retry-After and counts every 429', async () => {
    const s = await start({ ratePerSecond: 2 });
    // Six at once: even if a window boundary falls among them, at most 4 fit (2 per window).
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(s, '/users/me')));
    const statuses = answers.map((r) => r.status);
    const retryAfter = answers.find((r) => r.status === 429)?.headers.get('retry-after') ?? null;
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(2);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(retryAfter))).toBe(true);
    expect(s.state.count429).toBe(statuses.filter((x) => x === 429).length);
  });
});

describe('Asana connector against the stand-in', () => {
  it('plain project: one project, three tasks, dependencies from each task to its `after` tasks', async () => {
    const s = await start();
    const created = await tool(s).createWork(request(plan('plain')));
    expect(s.state.projects).toHaveLength(1);
    const project = s.state.projects[0]!;
    expect(project.name).toBe('ACME onboarding');
    expect(project.notes).toContain('# ACME onboarding');
    expect(project.notes.trimEnd().endsWith(`Baton ref ${HANDOFF_ID}`)).toBe(true);
    expect(s.state.tasks).toHaveLength(3);
    const byName = (n: string) => s.state.tasks.find((t) => t.name === n)!;
    const kickoff = byName('Kickoff call');
    const review = byName('Review the handoff');
    const setup = byName('Set up the workspace');
    expect(kickoff.due_on).toBe('2025-09-01');
    expect(kickoff.assignee).toBe(s.state.users.find((u) => u.email === 'lead@example.com')!.gid);
    expect(review.dependencies).toEqual([kickoff.gid]);
    expect(setup.dependencies.sort()).toEqual([kickoff.gid, review.gid].sort());
    expect(kickoff.dependencies).toEqual([]);
    expect(created.parent).toEqual({ id: project.gid, key: null, url: `https://app.asana.com/0/${project.gid}/list` });
    expect(created.tasks.kickoff).toMatchObject({ id: kickoff.gid, assignee: 'lead@example.com' });
    expect(created.notes).toEqual([]);
    // A fresh project needs no marker search for tasks.
    expect(s.state.requests['GET /projects/{gid}/tasks']).toBeUndefined();
  });

  it('template: instantiates, polls the job until it succeeds, writes the document into the project, adds the tasks', async () => {
    const s = await start({ jobPollsUntilDone: 2 });
    const created = await tool(s, { now: () => new Date('2025-08-20T12:00:00Z') }).createWork(request(plan(`template:${STANDIN_TEMPLATE}`)));
    expect(s.state.jobs).toHaveLength(1);
    // Until the notes are written, the name carries the marker; the notes update restores the plain name.
    expect(s.state.jobs[0]!.body).toMatchObject({ name: `ACME onboarding · Baton ref ${HANDOFF_ID}`, team: STANDIN_TEAM, requested_dates: [{ gid: '1', value: '2025-08-20' }] });
    expect(s.state.requests['GET /jobs/{gid}']).toBe(3);
    expect(s.state.projects).toHaveLength(1);
    const p = s.state.projects[0]!;
    expect(p.template).toBe(STANDIN_TEMPLATE);
    expect(p.name).toBe('ACME onboarding');
    expect(p.notes).toContain(`Baton ref ${HANDOFF_ID}`);
    expect(created.parent.id).toBe(p.gid);
    // The template's own task plus the three planned ones.
    expect(s.state.tasks.filter((t) => t.projects.includes(p.gid))).toHaveLength(4);
  });

  it('section in an existing project: the tasks go into a new section named after the parent', async () => {
    const s = await start();
    const existing = await tool(s).createWork({ ...request(plan('plain', { parent: { summary: 'Client delivery board' }, tasks: [] })), handoffId: 'other' });
    const created = await tool(s).createWork(request(plan(`project:${existing.parent.id}`)));
    expect(s.state.sections).toHaveLength(1);
    const section = s.state.sections[0]!;
    expect(section).toMatchObject({ name: 'ACME onboarding', project: existing.parent.id });
    expect(created.parent.id).toBe(section.gid);
    expect(created.parent.url).toBe(`https://app.asana.com/0/${existing.parent.id}/list`);
    const tasks = s.state.tasks.filter((t) => t.memberships.some((m) => m.section === section.gid));
    expect(tasks).toHaveLength(3);
    // No project description to hold the document: the first task carries it.
    expect(tasks.find((t) => t.name === 'Kickoff call')!.notes).toContain('# ACME onboarding');
  });

  for (const [label, project] of [
    ['plain', 'plain'],
    ['template', `template:${STANDIN_TEMPLATE}`],
    ['section', 'project:EXISTING'],
  ] as const) {
    it(`${label}: a crash after every single call, then a rerun with nothing saved, never creates anything twice`, async () => {
      const s = await start();
      let target: string = project;
      if (project === 'project:EXISTING') {
        const board = await tool(s).createWork({ ...request(plan('plain', { parent: { summary: 'Board' }, tasks: [] })), handoffId: 'other' });
        target = `project:${board.parent.id}`;
      }
      const baseline = { projects: s.state.projects.length, tasks: s.state.tasks.length };
      // Crash at each save point in turn; every rerun starts from an empty progress (the record was lost).
      let crashes = 0;
      for (let crashAt = 0; ; crashAt++) {
        const outcome = await tool(s)
          .createWork(request(plan(target), memoryProgress({}, crashAt)))
          .then(() => 'done', (e: Error) => e.message);
        if (outcome === 'done') break;
        expect(outcome).toBe('simulated crash before recording');
        crashes += 1;
      }
      // project (+ job + notes) + 3 tasks + 2 dependency sets: every one of those saves was a crash point once.
      expect(crashes).toBeGreaterThanOrEqual(6);
      const done = await tool(s).createWork(request(plan(target)));
      const planned = 3 + (label === 'template' ? 1 : 0);
      expect(s.state.projects.length - baseline.projects).toBe(label === 'section' ? 0 : 1);
      expect(s.state.tasks.length - baseline.tasks).toBe(planned);
      expect(s.state.sections.length).toBe(label === 'section' ? 1 : 0);
      const setup = s.state.tasks.find((t) => t.gid === done.tasks.setup!.id)!;
      expect(setup.dependencies.sort()).toEqual([done.tasks.kickoff!.id, done.tasks.review!.id].sort());
    });
  }

  it('unknown assignee: the task is created unassigned and the handoff gets a note', async () => {
    const s = await start({ users: ['rep@example.com'] });
    const created = await tool(s).createWork(request(plan('plain')));
    expect(s.state.tasks).toHaveLength(3);
    expect(s.state.tasks.find((t) => t.name === 'Kickoff call')!.assignee).toBeNull();
    expect(created.tasks.kickoff!.assignee).toBeNull();
    expect(created.tasks.review!.assignee).toBe('rep@example.com');
    expect(created.notes).toEqual(['No Asana user for lead@example.com (project_lead): task "Kickoff call" was left unassigned']);
  });

  it('a token that may not set external data: tasks are marked by their notes only, and a rerun still finds them', async () => {
    const s = await start({ externalNeedsOAuth: true });
    await expect(tool(s).createWork(request(plan('plain'), memoryProgress({}, 3)))).rejects.toThrow('simulated crash');
    await tool(s).createWork(request(plan('plain')));
    expect(s.state.tasks).toHaveLength(3);
    expect(s.state.tasks.every((t) => t.external === null)).toBe(true);
  });

  it('under the stand-in\'s rate limit the connector reports 429 as RetryableError with Retry-After', async () => {
    const s = await start({ ratePerSecond: 1 });
    const err = await tool(s).createWork(request(plan('plain'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(s.state.count429).toBe(1);
  });

  it('two workers sharing the Redis limiter stay under the stand-in\'s limit: no 429 at all', async () => {
    const s = await start({ ratePerSecond: 4 });
    const prefix = `baton-test-${randomUUID()}`;
    const conns = [new Redis('redis://127.0.0.1:6379'), new Redis('redis://127.0.0.1:6379')];
    try {
      const workers = conns.map((c) => tool(s, { limiter: createRedisRateLimiter(c, prefix), requestsPerSecond: 3.5 }));
      await Promise.all(
        workers.map((w, i) => w.createWork({ ...request(plan('plain', { parent: { summary: `Deal ${i}` } })), handoffId: `h-worker-${i}` })),
      );
    } finally {
      await Promise.all(conns.map((c) => c.quit()));
    }
    expect(s.state.count429).toBe(0);
    expect(s.state.projects).toHaveLength(2);
    expect(s.state.tasks).toHaveLength(6);
  });
});
