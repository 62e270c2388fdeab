// A local Asana stand-in (node:http) for whole-process tests and the benchmark. It models the documented
// behaviour Baton depends on (FACTS §4), not the convenient one: Bearer auth or 401; {"data": …} envelopes in
// and out and {"errors":[{message}]} errors; opt_fields projections (compact records otherwise); offset
// pagination (limit ≤ 100, opaque `next_page.offset`); tasks with `external` (readable as external:<gid>),
// assignee by email or gid (unknown → 400), due_on xor due_at; addDependencies (≤ 30 dependencies + dependents
// per task); project templates (402 without a paid plan) whose instantiation is an asynchronous job that
// completes after it has been polled; and a per-second rate limit answering 429 with an integer Retry-After.
// Injected faults (faults.ts): 5xx and 429 with Asana's error body, stalls, slow and cut-off answers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StandinFaults, bendBody, deliver, type Fault } from './faults.js';

export const STANDIN_TOKEN = 'asana-standin-token';
export const STANDIN_WORKSPACE = '1100000000000001';
export const STANDIN_TEAM = '1100000000000002';
export const STANDIN_TEMPLATE = '1100000000000003';
export const API_PREFIX = '/api/1.0';

export interface StandinProject {
  gid: string;
  name: string;
  notes: string;
  workspace: string;
  team: string | null;
  archived: boolean;
  created_at: string;
  /** Set when instantiated from a template. */
  template: string | null;
}

export interface StandinSection {
  gid: string;
  name: string;
  project: string;
  created_at: string;
}

export interface StandinTask {
  gid: string;
  name: string;
  notes: string;
  assignee: string | null;
  due_on: string | null;
  due_at: string | null;
  projects: string[];
  memberships: { project: string; section: string | null }[];
  external: { gid?: string; data?: string } | null;
  /** Gids of the tasks this task depends on (its blockers). */
  dependencies: string[];
  /** Every other field as sent (custom_fields, followers…). */
  fields: Record<string, unknown>;
  created_at: string;
  /** When the task last changed (Asana's modified_at); created_at until then. */
  modified_at?: string;
}

export interface StandinUser {
  gid: string;
  email: string;
  name: string;
}

export interface StandinTemplate {
  gid: string;
  name: string;
  team: string | null;
  /** Date variables the instantiation must be given values for. */
  requested_dates: { gid: string; name: string }[];
  /** Tasks every instantiated project starts with. */
  tasks: string[];
}

export interface StandinJob {
  gid: string;
  template: string;
  body: Record<string, unknown>;
  status: 'in_progress' | 'succeeded' | 'failed';
  polls: number;
  project: string | null;
}

export interface AsanaStandinState {
  projects: StandinProject[];
  sections: StandinSection[];
  tasks: StandinTask[];
  jobs: StandinJob[];
  users: StandinUser[];
  templates: StandinTemplate[];
  count429: number;
  /** Requests per endpoint, e.g. "POST /tasks/{gid}/addDependencies". */
  requests: Record<string, number>;
}

export interface AsanaStandinOptions {
  port?: number;
  /** Requests allowed per one-second window (all endpoints together); unlimited when absent. */
  ratePerSecond?: number;
  latencyMs?: number;
  token?: string;
  /** Emails of the workspace's users (the token's own user is added as baton@example.com). */
  users?: string[];
  /** Paid plan: project templates available (default true; false answers 402 like a free workspace). */
  paid?: boolean;
  /** Organizations require a team for new projects (default false: a plain workspace). */
  organization?: boolean;
  /** GET /jobs answers in_progress this many times before the job has succeeded (default 1). */
  jobPollsUntilDone?: number;
  /** Reject `external` like Asana does for a non-OAuth token (default false). */
  externalNeedsOAuth?: boolean;
}

export interface AsanaStandin {
  /** Base URL for the connector (…/api/1.0). */
  url: string;
  state: AsanaStandinState;
  /** Outages, storms, stalls and garbled answers, switched on and off by tests. */
  faults: StandinFaults;
  /** Someone edits the task (e.g. {completed: true}): modified_at moves. */
  updateTask(gid: string, fields: Record<string, unknown>): StandinTask;
  /** Someone deletes the task: GET answers 404. */
  deleteTask(gid: string): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;
const MAX_DEPENDENCY_LINKS = 30;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function startAsanaStandin(opts: AsanaStandinOptions = {}): Promise<AsanaStandin> {
  const token = opts.token ?? STANDIN_TOKEN;
  let nextGid = 1200000000000001;
  const newGid = () => String(nextGid++);
  const now = () => new Date().toISOString();
  const me: StandinUser = { gid: newGid(), email: 'baton@example.com', name: 'Baton' };
  const state: AsanaStandinState = {
    projects: [],
    sections: [],
    tasks: [],
    jobs: [],
    users: [me, ...(opts.users ?? ['rep@example.com', 'lead@example.com', 'pm@example.com']).map((email) => ({ gid: newGid(), email, name: email.split('@')[0] ?? email }))],
    templates: [
      { gid: STANDIN_TEMPLATE, name: 'Client onboarding', team: STANDIN_TEAM, requested_dates: [{ gid: '1', name: 'Start date' }], tasks: ['Welcome call (from template)'] },
    ],
    count429: 0,
    requests: {},
  };
  let origin = '';

  // ---- rate limit: a fixed one-second window (longer when the rate is below 1/s) ----
  const rate = opts.ratePerSecond;
  const windowMs = rate !== undefined ? 1000 * Math.max(1, Math.ceil(1 / rate)) : 1000;
  const allowed = rate !== undefined ? Math.max(1, Math.floor((rate * windowMs) / 1000)) : Infinity;
  let windowStart = 0;
  let windowCount = 0;
  function limited(): number | null {
    const t = Date.now();
    if (t - windowStart >= windowMs) {
      windowStart = t - ((t - windowStart) % windowMs);
      if (t - windowStart >= windowMs) windowStart = t;
      windowCount = 0;
    }
    windowCount += 1;
    if (windowCount <= allowed) return null;
    return Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000));
  }

  // ---- helpers ----
  const user = (ref: string): StandinUser | undefined =>
    ref === 'me' ? me : state.users.find((u) => u.gid === ref || u.email.toLowerCase() === ref.toLowerCase());
  const project = (gid: string) => state.projects.find((p) => p.gid === gid);
  const findTask = (ref: string) =>
    ref.startsWith('external:') ? state.tasks.find((t) => t.external?.gid === ref.slice('external:'.length)) : state.tasks.find((t) => t.gid === ref);
  const notFound = (ref: string): never => {
    throw new HttpError(404, `Unknown object: ${ref}`);
  };
  const projectPermalink = (gid: string) => `https://app.asana.com/0/${gid}/list`;

  function projectJson(p: StandinProject): Json {
    return {
      gid: p.gid,
      resource_type: 'project',
      name: p.name,
      notes: p.notes,
      archived: p.archived,
      created_at: p.created_at,
      workspace: { gid: p.workspace, resource_type: 'workspace' },
      team: p.team ? { gid: p.team, resource_type: 'team' } : null,
      permalink_url: projectPermalink(p.gid),
    };
  }
  function sectionJson(s: StandinSection): Json {
    return { gid: s.gid, resource_type: 'section', name: s.name, created_at: s.created_at, project: { gid: s.project, resource_type: 'project' } };
  }
  function taskJson(t: StandinTask): Json {
    const a = t.assignee ? state.users.find((u) => u.gid === t.assignee) : undefined;
    return {
      ...t.fields,
      gid: t.gid,
      resource_type: 'task',
      name: t.name,
      notes: t.notes,
      assignee: a ? { gid: a.gid, resource_type: 'user', name: a.name } : null,
      due_on: t.due_on,
      due_at: t.due_at,
      created_at: t.created_at,
      modified_at: t.modified_at ?? t.created_at,
      external: t.external,
      projects: t.projects.map((gid) => ({ gid, resource_type: 'project' })),
      memberships: t.memberships.map((m) => ({ project: { gid: m.project, resource_type: 'project' }, section: m.section ? { gid: m.section, resource_type: 'section' } : null })),
      dependencies: t.dependencies.map((gid) => ({ gid, resource_type: 'task' })),
      permalink_url: `https://app.asana.com/0/${t.projects[0] ?? t.memberships[0]?.project ?? '0'}/${t.gid}`,
    };
  }
  function userJson(u: StandinUser): Json {
    return { gid: u.gid, resource_type: 'user', name: u.name, email: u.email };
  }

  /** Compact record (gid, resource_type, name) plus what opt_fields asked for (first path segment). */
  function project_(record: Json, query: URLSearchParams): Json {
    const fields = (query.get('opt_fields') ?? '').split(',').map((f) => f.trim().split('.')[0] ?? '').filter((f) => f !== '');
    const out: Json = { gid: record.gid, resource_type: record.resource_type };
    if ('name' in record) out.name = record.name;
    for (const f of fields) if (f in record) out[f] = record[f];
    return out;
  }

  /** Asana's offset pagination: opaque tokens, limit 1..100, everything at once when no limit is given. */
  function page(items: Json[], query: URLSearchParams, path: string): Json {
    const projected = items.map((i) => project_(i, query));
    const limitRaw = query.get('limit');
    if (limitRaw === null) return { data: projected };
    const limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'limit: Must be between 1 and 100');
    let start = 0;
    const offset = query.get('offset');
    if (offset !== null) {
      const decoded = /^p(\d+)$/.exec(Buffer.from(offset, 'base64url').toString());
      if (!decoded) throw new HttpError(400, 'offset: Your pagination token is invalid');
      start = Number(decoded[1]);
    }
    const data = projected.slice(start, start + limit);
    if (start + limit >= projected.length) return { data, next_page: null };
    const token = Buffer.from(`p${start + limit}`).toString('base64url');
    return { data, next_page: { offset: token, path: `${path}?limit=${limit}&offset=${token}`, uri: `${origin}${API_PREFIX}${path}?limit=${limit}&offset=${token}` } };
  }

  function dataOf(body: unknown): Json {
    if (typeof body !== 'object' || body === null || typeof (body as Json).data !== 'object' || (body as Json).data === null) {
      throw new HttpError(400, 'data: Missing input');
    }
    return (body as Json).data as Json;
  }

  function createProject(data: Json, template: string | null): StandinProject {
    const workspace = typeof data.workspace === 'string' ? data.workspace : null;
    const team = typeof data.team === 'string' ? data.team : null;
    if (!workspace && !team) throw new HttpError(400, 'workspace: Missing input');
    if (workspace && workspace !== STANDIN_WORKSPACE) throw new HttpError(400, `workspace: Not a recognized ID: ${workspace}`);
    if (team && team !== STANDIN_TEAM) throw new HttpError(400, `team: Not a recognized ID: ${team}`);
    if (opts.organization && !team) throw new HttpError(400, 'team: Missing input. You should specify a team when creating a project in an organization.');
    const p: StandinProject = {
      gid: newGid(),
      name: typeof data.name === 'string' ? data.name : '',
      notes: typeof data.notes === 'string' ? data.notes : '',
      workspace: STANDIN_WORKSPACE,
      team,
      archived: false,
      created_at: now(),
      template,
    };
    state.projects.push(p);
    return p;
  }

  function createTask(data: Json): StandinTask {
    if (data.due_on !== undefined && data.due_at !== undefined) throw new HttpError(400, 'You may only provide one of due_on or due_at!');
    if (data.due_on !== undefined && (typeof data.due_on !== 'string' || !DATE.test(data.due_on))) {
      throw new HttpError(400, `due_on: Invalid date: ${String(data.due_on)}`);
    }
    if (data.html_notes !== undefined && !/^<body>[\s\S]*<\/body>$/.test(String(data.html_notes))) throw new HttpError(400, 'html_notes: XML is invalid');
    const projects: string[] = [];
    const memberships: StandinTask['memberships'] = [];
    if (data.projects !== undefined) {
      if (!Array.isArray(data.projects)) throw new HttpError(400, 'projects: Must be an array');
      for (const gid of data.projects) {
        if (typeof gid !== 'string' || !project(gid)) throw new HttpError(400, `projects: Not a recognized ID: ${String(gid)}`);
        projects.push(gid);
        memberships.push({ project: gid, section: null });
      }
    }
    if (data.memberships !== undefined) {
      if (!Array.isArray(data.memberships)) throw new HttpError(400, 'memberships: Must be an array');
      for (const m of data.memberships as Json[]) {
        const p = typeof m.project === 'string' ? project(m.project) : undefined;
        if (!p) throw new HttpError(400, `memberships: Not a recognized ID: ${String(m.project)}`);
        const s = typeof m.section === 'string' ? state.sections.find((x) => x.gid === m.section) : undefined;
        if (m.section !== undefined && (!s || s.project !== p.gid)) throw new HttpError(400, `memberships: Section ${String(m.section)} is not in project ${p.gid}`);
        if (!projects.includes(p.gid)) projects.push(p.gid);
        memberships.push({ project: p.gid, section: s?.gid ?? null });
      }
    }
    if (projects.length === 0 && data.workspace === undefined && data.parent === undefined) {
      throw new HttpError(400, 'workspace: Missing input. You should specify one of workspace, parent, projects');
    }
    let assignee: string | null = null;
    if (data.assignee !== undefined && data.assignee !== null) {
      const u = typeof data.assignee === 'string' ? user(data.assignee) : undefined;
      if (!u) throw new HttpError(400, `assignee: Not a recognized ID: ${String(data.assignee)}`);
      assignee = u.gid;
    }
    let external: StandinTask['external'] = null;
    if (data.external !== undefined) {
      if (opts.externalNeedsOAuth) throw new HttpError(400, 'external: You must authenticate with OAuth to set external data');
      const e = data.external as Json;
      if (typeof e.gid === 'string' && e.gid.length > 1024) throw new HttpError(400, 'external.gid: Too long');
      external = { ...(typeof e.gid === 'string' ? { gid: e.gid } : {}), ...(typeof e.data === 'string' ? { data: e.data } : {}) };
    }
    const known = new Set(['name', 'notes', 'html_notes', 'assignee', 'due_on', 'due_at', 'projects', 'memberships', 'external', 'workspace', 'parent']);
    const t: StandinTask = {
      gid: newGid(),
      name: typeof data.name === 'string' ? data.name : '',
      notes: typeof data.notes === 'string' ? data.notes : typeof data.html_notes === 'string' ? data.html_notes : '',
      assignee,
      due_on: typeof data.due_on === 'string' ? data.due_on : null,
      due_at: typeof data.due_at === 'string' ? data.due_at : null,
      projects,
      memberships,
      external,
      dependencies: [],
      fields: Object.fromEntries(Object.entries(data).filter(([k]) => !known.has(k))),
      created_at: now(),
    };
    state.tasks.push(t);
    return t;
  }

  function completeJob(job: StandinJob): void {
    const tmpl = state.templates.find((t) => t.gid === job.template);
    const p = createProject({ ...job.body, notes: `Created from the template "${tmpl?.name ?? ''}"` }, job.template);
    for (const name of tmpl?.tasks ?? []) createTask({ name, projects: [p.gid] });
    job.status = 'succeeded';
    job.project = p.gid;
  }

  function jobJson(job: StandinJob): Json {
    const p = job.project ? project(job.project) : undefined;
    return {
      gid: job.gid,
      resource_type: 'job',
      resource_subtype: 'instantiate_project',
      status: job.status,
      new_project: p ? { gid: p.gid, resource_type: 'project', name: p.name } : null,
      new_task: null,
      new_project_template: null,
    };
  }

  function requirePaid(): void {
    if (opts.paid === false) throw new HttpError(402, 'This feature is only available to premium users of Asana.');
  }

  // ---- routes: [method, pattern, handler(params, query, body)] ----
  type Handler = (p: string[], q: URLSearchParams, body: unknown, path: string) => { status?: number; body: Json };
  const routes: [string, RegExp, string, Handler][] = [
    ['GET', /^\/users\/([^/]+)$/, '/users/{gid}', ([ref]) => ({ body: { data: userJson(user(ref ?? '') ?? notFound(ref ?? '')) } })],
    ['GET', /^\/workspaces\/([^/]+)$/, '/workspaces/{gid}', ([gid]) => {
      if (gid !== STANDIN_WORKSPACE) notFound(gid ?? '');
      return { body: { data: { gid, resource_type: 'workspace', name: 'Baton test workspace', is_organization: opts.organization === true } } };
    }],
    ['GET', /^\/teams\/([^/]+)$/, '/teams/{gid}', ([gid]) => {
      if (gid !== STANDIN_TEAM) notFound(gid ?? '');
      return { body: { data: { gid, resource_type: 'team', name: 'Delivery' } } };
    }],
    ['GET', /^\/projects$/, '/projects', (_p, q, _b, path) => {
      const workspace = q.get('workspace');
      const team = q.get('team');
      if (!workspace && !team) throw new HttpError(400, 'workspace: Missing input. Must specify one of workspace or team');
      const archived = q.get('archived');
      const list = state.projects.filter(
        (p) => (!workspace || p.workspace === workspace) && (!team || p.team === team) && (archived === null || String(p.archived) === archived),
      );
      return { body: page(list.map(projectJson), q, path) };
    }],
    ['POST', /^\/projects$/, '/projects', (_p, q, b) => ({ status: 201, body: { data: project_(projectJson(createProject(dataOf(b), null)), q) } })],
    ['GET', /^\/projects\/([^/]+)$/, '/projects/{gid}', ([gid], q) => ({ body: { data: project_(projectJson(project(gid ?? '') ?? notFound(gid ?? '')), q) } })],
    ['PUT', /^\/projects\/([^/]+)$/, '/projects/{gid}', ([gid], q, b) => {
      const p = project(gid ?? '') ?? notFound(gid ?? '');
      const data = dataOf(b);
      if (typeof data.name === 'string') p.name = data.name;
      if (typeof data.notes === 'string') p.notes = data.notes;
      return { body: { data: project_(projectJson(p), q) } };
    }],
    ['GET', /^\/projects\/([^/]+)\/sections$/, '/projects/{gid}/sections', ([gid], q, _b, path) => {
      project(gid ?? '') ?? notFound(gid ?? '');
      return { body: page(state.sections.filter((s) => s.project === gid).map(sectionJson), q, path) };
    }],
    ['POST', /^\/projects\/([^/]+)\/sections$/, '/projects/{gid}/sections', ([gid], q, b) => {
      const p = project(gid ?? '') ?? notFound(gid ?? '');
      const data = dataOf(b);
      if (typeof data.name !== 'string' || data.name === '') throw new HttpError(400, 'name: Missing input');
      const s: StandinSection = { gid: newGid(), name: data.name, project: p.gid, created_at: now() };
      state.sections.push(s);
      return { status: 201, body: { data: project_(sectionJson(s), q) } };
    }],
    ['GET', /^\/projects\/([^/]+)\/tasks$/, '/projects/{gid}/tasks', ([gid], q, _b, path) => {
      project(gid ?? '') ?? notFound(gid ?? '');
      return { body: page(state.tasks.filter((t) => t.projects.includes(gid ?? '')).map(taskJson), q, path) };
    }],
    ['GET', /^\/sections\/([^/]+)\/tasks$/, '/sections/{gid}/tasks', ([gid], q, _b, path) => {
      if (!state.sections.some((s) => s.gid === gid)) notFound(gid ?? '');
      return { body: page(state.tasks.filter((t) => t.memberships.some((m) => m.section === gid)).map(taskJson), q, path) };
    }],
    ['POST', /^\/tasks$/, '/tasks', (_p, q, b) => ({ status: 201, body: { data: project_(taskJson(createTask(dataOf(b))), q) } })],
    ['GET', /^\/tasks\/([^/]+)$/, '/tasks/{gid}', ([ref], q) => ({ body: { data: project_(taskJson(findTask(ref ?? '') ?? notFound(ref ?? '')), q) } })],
    ['GET', /^\/tasks\/([^/]+)\/dependencies$/, '/tasks/{gid}/dependencies', ([ref], q, _b, path) => {
      const t = findTask(ref ?? '') ?? notFound(ref ?? '');
      return { body: page(t.dependencies.map((gid) => taskJson(findTask(gid) ?? notFound(gid))), q, path) };
    }],
    ['POST', /^\/tasks\/([^/]+)\/addDependencies$/, '/tasks/{gid}/addDependencies', ([ref], _q, b) => {
      const t = findTask(ref ?? '') ?? notFound(ref ?? '');
      const deps = dataOf(b).dependencies;
      if (!Array.isArray(deps) || deps.length === 0) throw new HttpError(400, 'dependencies: Missing input');
      const blockers = deps.map((d) => {
        const found = typeof d === 'string' ? findTask(d) : undefined;
        if (!found) throw new HttpError(400, `dependencies: Not a recognized ID: ${String(d)}`);
        if (found.gid === t.gid) throw new HttpError(400, 'dependencies: A task cannot depend on itself');
        return found;
      });
      const merged = new Set([...t.dependencies, ...blockers.map((x) => x.gid)]);
      const dependents = state.tasks.filter((x) => x.dependencies.includes(t.gid)).length;
      if (merged.size + dependents > MAX_DEPENDENCY_LINKS) {
        throw new HttpError(400, `dependencies: A task can have at most ${MAX_DEPENDENCY_LINKS} dependencies and dependents combined`);
      }
      t.dependencies = [...merged];
      return { body: { data: {} } };
    }],
    ['GET', /^\/project_templates\/([^/]+)$/, '/project_templates/{gid}', ([gid], q) => {
      requirePaid();
      const t = state.templates.find((x) => x.gid === gid) ?? notFound(gid ?? '');
      return {
        body: {
          data: project_(
            { gid: t.gid, resource_type: 'project_template', name: t.name, team: t.team ? { gid: t.team, resource_type: 'team' } : null, requested_dates: t.requested_dates },
            q,
          ),
        },
      };
    }],
    ['POST', /^\/project_templates\/([^/]+)\/instantiateProject$/, '/project_templates/{gid}/instantiateProject', ([gid], _q, b) => {
      requirePaid();
      const t = state.templates.find((x) => x.gid === gid) ?? notFound(gid ?? '');
      const data = dataOf(b);
      if (typeof data.name !== 'string' || data.name === '') throw new HttpError(400, 'name: Missing input');
      if (!data.team && !data.workspace) throw new HttpError(400, 'team: Missing input');
      const given = Array.isArray(data.requested_dates) ? (data.requested_dates as Json[]) : [];
      for (const d of t.requested_dates) {
        const v = given.find((g) => g.gid === d.gid)?.value;
        if (typeof v !== 'string' || !DATE.test(v)) throw new HttpError(400, `requested_dates: Missing value for the date variable ${d.gid} (${d.name})`);
      }
      const job: StandinJob = { gid: newGid(), template: t.gid, body: data, status: 'in_progress', polls: 0, project: null };
      state.jobs.push(job);
      return { status: 201, body: { data: jobJson(job) } };
    }],
    ['GET', /^\/jobs\/([^/]+)$/, '/jobs/{gid}', ([gid]) => {
      const job = state.jobs.find((j) => j.gid === gid) ?? notFound(gid ?? '');
      job.polls += 1;
      const body = { data: jobJson(job) };
      // Answer in_progress N times; the project exists from the poll after.
      if (job.status === 'in_progress' && job.polls >= (opts.jobPollsUntilDone ?? 1)) completeJob(job);
      return { body };
    }],
  ];

  const faults = new StandinFaults();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let fault: Fault | undefined;
    const send = (status: number, body: Json, headers: Record<string, string> = {}) => {
      const text = bendBody(fault, JSON.stringify(body));
      deliver(fault, () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
        res.end(text);
      });
    };
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith(API_PREFIX)) return send(404, { errors: [{ message: 'No matching route for request' }] });
    const path = url.pathname.slice(API_PREFIX.length);
    const route = routes.find(([m, re]) => m === method && re.test(path));
    const endpoint = `${method} ${route?.[2] ?? path}`;
    state.requests[endpoint] = (state.requests[endpoint] ?? 0) + 1;
    fault = faults.take(endpoint);
    if (fault?.kind === 'stall') return; // read, never answered: the client's timeout ends it
    if (fault?.kind === 'error') return send(fault.status ?? 500, { errors: [{ message: 'Server Error', phrase: '6 sad squid snuggle softly' }] });
    if (fault?.kind === 'rate-limit') {
      state.count429 += 1;
      return send(429, { errors: [{ message: "You've made too many requests and hit a rate limit. Please retry after the given amount of time." }] }, { 'retry-after': String(fault.retryAfterS) });
    }

    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(401, { errors: [{ message: 'Not Authorized', help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' }] });
    }
    const wait = limited();
    if (wait !== null) {
      state.count429 += 1;
      return send(429, { errors: [{ message: "You've made too many requests and hit a rate limit. Please retry after the given amount of time." }] }, { 'retry-after': String(wait) });
    }
    if (!route) return send(404, { errors: [{ message: 'No matching route for request' }] });
    let body: unknown;
    if (chunks.length > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { errors: [{ message: 'Could not parse request data, invalid JSON' }] });
      }
    }
    try {
      const params = (route[1].exec(path) ?? []).slice(1).map((s) => decodeURIComponent(s));
      const out = route[3](params, url.searchParams, body, path);
      send(out.status ?? 200, out.body);
    } catch (err) {
      if (err instanceof HttpError) return send(err.status, { errors: [{ message: err.message, help: 'https://developers.asana.com/docs/errors' }] });
      send(500, { errors: [{ message: 'Server Error', phrase: 'standin failure' }] });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${API_PREFIX}`,
    state,
    faults,
    updateTask(gid, fields) {
      const t = state.tasks.find((x) => x.gid === gid);
      if (!t) throw new Error(`no task ${gid}`);
      Object.assign(t.fields, fields);
      // Strictly later than the last change, even within one millisecond.
      t.modified_at = new Date(Math.max(Date.now(), Date.parse(t.modified_at ?? t.created_at) + 1)).toISOString();
      return t;
    },
    deleteTask(gid) {
      state.tasks = state.tasks.filter((x) => x.gid !== gid);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
