// A local Jira Cloud stand-in (node:http) for whole-process tests and the benchmark. It models the
// documented behaviour Baton depends on, not the convenient one: Basic auth or 401; Jira's error bodies
// ({errorMessages, errors}); createmeta-style required fields; bulk create capped at 50 with per-element
// errors (400 when every element failed); enhanced JQL search with token pagination and no `total`;
// "Blocks" links read as FACTS §2 says ({inwardIssue: X, outwardIssue: Y} ⇒ X blocks Y) and rendered
// from each issue's side; and a per-second rate limit answering 429 with an integer Retry-After.
// Search is eventually consistent, as Atlassian documents for /search/jql ("search and reconcile"): with a
// search lag set, a new issue is found by JQL only that long after it was created (GET by key sees it at once).
// Watching: each issue has a status (name + category) and an `updated` time that every change moves;
// `id in (…)` searches answer 400 when an id names no issue (Jira validates issue references in JQL), and a
// deleted issue is 404 on GET (transition() and deleteIssue() play the people working in Jira).
// Injected faults (faults.ts): 5xx and 429 with Jira's error body, stalls, slow and cut-off answers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StandinFaults, bendBody, deliver } from './faults.js';

export interface StandinIssueType {
  id: string;
  name: string;
  hierarchyLevel: number;
  subtask: boolean;
}

export interface StandinProject {
  id: string;
  key: string;
  name: string;
  /** "classic" = company-managed, "next-gen" = team-managed. */
  style: 'classic' | 'next-gen';
  issueTypes: StandinIssueType[];
}

export interface StandinUser {
  accountId: string;
  displayName: string;
  /** Undefined models a user whose privacy settings hide the email. */
  emailAddress?: string;
  active?: boolean;
}

export interface StandinIssue {
  id: string;
  key: string;
  projectKey: string;
  issueType: string;
  summary: string;
  description: unknown;
  labels: string[];
  assignee: string | null;
  duedate: string | null;
  parentKey: string | null;
  /** Every other field as sent (custom fields). */
  fields: Record<string, unknown>;
  properties: Record<string, unknown>;
  status: { name: string; category: 'new' | 'indeterminate' | 'done' };
  /** When the issue last changed, as Jira writes it (2026-12-06T03:58:43.123+0000). */
  updated: string;
}

export interface JiraStandinState {
  issues: StandinIssue[];
  /** Recorded as the FACTS reading: the inward issue blocks the outward issue. */
  links: { blocker: string; blocked: string }[];
  count429: number;
  /** Requests per endpoint, e.g. "POST /rest/api/3/issue/bulk". */
  requests: Record<string, number>;
}

export interface JiraStandinOptions {
  port?: number;
  /** Requests allowed per one-second window (all endpoints together); unlimited when absent. */
  ratePerSecond?: number;
  latencyMs?: number;
  email?: string;
  apiToken?: string;
  projects?: StandinProject[];
  users?: StandinUser[];
  /** Fields the Task create screen requires (answered with "Field is required." when missing). */
  requiredFields?: string[];
  /** Extra (custom) fields on the create screens besides the required ones. */
  optionalFields?: string[];
  /** How long a created issue stays invisible to /search/jql (Jira's index lag); 0 when absent. */
  searchLagMs?: number;
}

export interface JiraStandin {
  url: string;
  state: JiraStandinState;
  /** Outages, storms, stalls and garbled answers, switched on and off by tests. */
  faults: StandinFaults;
  /** Changes the search index lag for issues created from now on. */
  setSearchLag(ms: number): void;
  /** Someone moves the issue (status, assignee account id, due date): `updated` moves too. */
  transition(idOrKey: string, patch: { status?: string; category?: 'new' | 'indeterminate' | 'done'; assignee?: string | null; duedate?: string | null }): StandinIssue;
  /** Someone deletes the issue: searches naming it answer 400, GET answers 404. */
  deleteIssue(idOrKey: string): void;
  close(): Promise<void>;
}

/** Jira's timestamp format (offset without a colon). */
export const jiraTimestamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export const STANDIN_EMAIL = 'baton@example.com';
export const STANDIN_TOKEN = 'standin-api-token-0123456789';

export const DEFAULT_PROJECTS: StandinProject[] = [
  {
    id: '10000',
    key: 'DEL',
    name: 'Delivery',
    style: 'classic',
    issueTypes: [
      { id: '10001', name: 'Epic', hierarchyLevel: 1, subtask: false },
      { id: '10002', name: 'Task', hierarchyLevel: 0, subtask: false },
      { id: '10003', name: 'Sub-task', hierarchyLevel: -1, subtask: true },
    ],
  },
  {
    id: '10100',
    key: 'TEAM',
    name: 'Team-managed delivery',
    style: 'next-gen',
    issueTypes: [
      { id: '10101', name: 'Epic', hierarchyLevel: 1, subtask: false },
      { id: '10102', name: 'Task', hierarchyLevel: 0, subtask: false },
    ],
  },
];

export const DEFAULT_USERS: StandinUser[] = [
  { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Dana Delivery', emailAddress: 'dana@example.com' },
  { accountId: '5b10ac8d82e05b22cc7d4ef6', displayName: 'Sam Sales', emailAddress: 'sam@example.com' },
];

const STANDARD_FIELDS = ['project', 'issuetype', 'summary', 'description', 'labels', 'assignee', 'duedate', 'parent', 'reporter', 'priority'];
const MAX_BULK = 50;
const MAX_SEARCH_PAGE = 100;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

const jiraError = (status: number, errorMessages: string[], errors: Record<string, string> = {}) => new HttpError(status, { errorMessages, errors });

export async function startJiraStandin(opts: JiraStandinOptions = {}): Promise<JiraStandin> {
  const email = opts.email ?? STANDIN_EMAIL;
  const token = opts.apiToken ?? STANDIN_TOKEN;
  const expectedAuth = `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
  const projects = opts.projects ?? DEFAULT_PROJECTS;
  const users = (opts.users ?? DEFAULT_USERS).map((u) => ({ active: true, ...u }));
  const required = opts.requiredFields ?? [];
  const onScreen = new Set([...STANDARD_FIELDS, ...required, ...(opts.optionalFields ?? [])]);
  const state: JiraStandinState = { issues: [], links: [], count429: 0, requests: {} };
  const faults = new StandinFaults();
  const keyCounters = new Map<string, number>();
  let nextId = 10_000;
  let searchLagMs = opts.searchLagMs ?? 0;
  /** Issue id → when the search index shows it. */
  const indexedAt = new Map<string, number>();
  let window = { second: -1, count: 0 };
  let baseUrl = '';

  const count = (endpoint: string) => {
    state.requests[endpoint] = (state.requests[endpoint] ?? 0) + 1;
  };

  const issueByKey = (key: unknown) => (typeof key === 'string' ? state.issues.find((i) => i.key === key || i.id === key) : undefined);

  function validateAndCreate(body: unknown): StandinIssue {
    if (!isObject(body) || !isObject(body.fields)) throw jiraError(400, ['Issue must have fields'], {});
    const f = body.fields;
    const errors: Record<string, string> = {};
    const projectRef = isObject(f.project) ? f.project : {};
    const project = projects.find((p) => p.key === projectRef.key || p.id === projectRef.id);
    if (!project) errors.project = 'valid project is required';
    const typeRef = isObject(f.issuetype) ? f.issuetype : {};
    const type = project?.issueTypes.find((t) => t.id === typeRef.id || t.name === typeRef.name);
    if (project && !type) errors.issuetype = 'valid issue type is required';
    if (typeof f.summary !== 'string' || f.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    else if (f.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    if (f.description !== undefined && !(isObject(f.description) && f.description.type === 'doc' && f.description.version === 1)) {
      errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    }
    if (f.labels !== undefined) {
      if (!Array.isArray(f.labels) || f.labels.some((l) => typeof l !== 'string' || /\s/.test(l) || l.length > 255)) {
        errors.labels = 'The label contains spaces which is invalid.';
      }
    }
    let assignee: string | null = null;
    if (f.assignee !== undefined && f.assignee !== null) {
      const id = isObject(f.assignee) ? (f.assignee.accountId ?? f.assignee.id) : undefined;
      if (!users.some((u) => u.accountId === id && u.active)) errors.assignee = `User '${String(id)}' cannot be assigned issues.`;
      else assignee = String(id);
    }
    if (f.duedate !== undefined && f.duedate !== null && (typeof f.duedate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(f.duedate))) {
      errors.duedate = "Error parsing date string: " + String(f.duedate);
    }
    let parentKey: string | null = null;
    if (f.parent !== undefined) {
      const p = isObject(f.parent) ? issueByKey(f.parent.key ?? f.parent.id) : undefined;
      if (!p) errors.parent = 'Could not find issue by id or key.';
      else parentKey = p.key;
    }
    if (type && type.hierarchyLevel === 0) {
      for (const r of required) if (f[r] === undefined || f[r] === null || f[r] === '') errors[r] = 'Field is required.';
    }
    for (const k of Object.keys(f)) {
      if (!onScreen.has(k)) errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    if (Object.keys(errors).length > 0) throw jiraError(400, [], errors);
    if (!project || !type) throw jiraError(400, ['unreachable']);

    const n = (keyCounters.get(project.key) ?? 0) + 1;
    keyCounters.set(project.key, n);
    const properties: Record<string, unknown> = {};
    if (Array.isArray(body.properties)) for (const p of body.properties) if (isObject(p) && typeof p.key === 'string') properties[p.key] = p.value;
    const custom = Object.fromEntries(Object.entries(f).filter(([k]) => !STANDARD_FIELDS.includes(k)));
    const issue: StandinIssue = {
      id: String(nextId++),
      key: `${project.key}-${n}`,
      projectKey: project.key,
      issueType: type.name,
      summary: String(f.summary),
      description: f.description ?? null,
      labels: Array.isArray(f.labels) ? (f.labels as string[]) : [],
      assignee,
      duedate: typeof f.duedate === 'string' ? f.duedate : null,
      parentKey,
      fields: custom,
      properties,
      status: { name: 'To Do', category: 'new' },
      updated: jiraTimestamp(Date.now()),
    };
    state.issues.push(issue);
    indexedAt.set(issue.id, Date.now() + searchLagMs);
    return issue;
  }

  const created = (i: StandinIssue) => ({ id: i.id, key: i.key, self: `${baseUrl}/rest/api/3/issue/${i.id}` });

  function issueLinks(i: StandinIssue) {
    const type = { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' };
    const out: unknown[] = [];
    state.links.forEach((l, n) => {
      // Seen from the blocker, the other issue is on the outward side ("blocks"); from the blocked one, inward.
      if (l.blocker === i.key) out.push({ id: String(20_000 + n), type, outwardIssue: { id: issueByKey(l.blocked)?.id, key: l.blocked } });
      if (l.blocked === i.key) out.push({ id: String(20_000 + n), type, inwardIssue: { id: issueByKey(l.blocker)?.id, key: l.blocker } });
    });
    return out;
  }

  function renderIssue(i: StandinIssue, fields: string[] | undefined) {
    const all: Record<string, unknown> = {
      summary: i.summary,
      labels: i.labels,
      issuetype: { name: i.issueType },
      issuelinks: issueLinks(i),
      assignee: i.assignee ? { accountId: i.assignee } : null,
      duedate: i.duedate,
      description: i.description,
      parent: i.parentKey ? { key: i.parentKey } : undefined,
      project: { key: i.projectKey },
      status: { name: i.status.name, statusCategory: { key: i.status.category } },
      updated: i.updated,
      ...i.fields,
    };
    const wanted = fields === undefined || fields.includes('*all') ? Object.keys(all) : fields;
    return { id: i.id, key: i.key, self: `${baseUrl}/rest/api/3/issue/${i.id}`, fields: Object.fromEntries(wanted.filter((k) => k in all).map((k) => [k, all[k]])) };
  }

  function search(body: unknown) {
    if (!isObject(body) || typeof body.jql !== 'string') throw jiraError(400, ['The JQL query is missing.']);
    const byIds = /^\s*id\s+in\s+\(([^)]*)\)\s*$/i.exec(body.jql);
    if (byIds) return searchByIds((byIds[1] ?? '').split(',').map((x) => x.trim()), body);
    const m = /^\s*project\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s+AND\s+labels\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*$/i.exec(body.jql);
    if (!m) throw jiraError(400, [`Error in the JQL Query: this stand-in understands only project = X AND labels = Y, or id in (…) (got ${body.jql}).`]);
    const project = unquote(m[1] ?? '');
    const label = unquote(m[2] ?? '');
    if (!projects.some((p) => p.key === project)) throw jiraError(400, [`The value '${project}' does not exist for the field 'project'.`]);
    const max = Math.min(typeof body.maxResults === 'number' ? body.maxResults : 50, MAX_SEARCH_PAGE);
    const start = typeof body.nextPageToken === 'string' ? Number(Buffer.from(body.nextPageToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0) throw jiraError(400, ['Invalid nextPageToken.']);
    // Default fields: id only, as documented.
    const fields = Array.isArray(body.fields) ? (body.fields as string[]) : [];
    const now = Date.now();
    const hits = state.issues.filter((i) => i.projectKey === project && i.labels.includes(label) && (indexedAt.get(i.id) ?? 0) <= now);
    const page = hits.slice(start, start + max);
    const next = start + max < hits.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
    return { issues: page.map((i) => renderIssue(i, fields)), ...(next ? { nextPageToken: next } : {}) };
  }

  /** `id in (…)`: every id must name an issue, else the whole query is refused, as Jira validates issue references. */
  function searchByIds(ids: string[], body: Record<string, unknown>) {
    const missing = ids.filter((id) => !state.issues.some((i) => i.id === id));
    if (missing.length > 0) throw jiraError(400, missing.map((id) => `An issue with key '${id}' does not exist for field 'id'.`));
    const fields = Array.isArray(body.fields) ? (body.fields as string[]) : [];
    return { issues: state.issues.filter((i) => ids.includes(i.id)).map((i) => renderIssue(i, fields)) };
  }

  function createMeta(projectKey: string, typeId: string) {
    const project = projects.find((p) => p.key === projectKey || p.id === projectKey);
    const type = project?.issueTypes.find((t) => t.id === typeId);
    if (!project || !type) throw jiraError(404, ['Issue type with given ID does not exist or you do not have permission to view it.']);
    const requiredHere = type.hierarchyLevel === 0 ? required : [];
    const ids = [...new Set([...STANDARD_FIELDS.filter((f) => f !== 'parent' || type.hierarchyLevel === 0), ...required, ...(opts.optionalFields ?? [])])];
    const fields = ids.map((id) => ({
      fieldId: id,
      key: id,
      name: id,
      required: ['project', 'issuetype', 'summary'].includes(id) || requiredHere.includes(id),
      hasDefaultValue: id === 'reporter',
      operations: ['set'],
    }));
    return { startAt: 0, maxResults: fields.length, total: fields.length, fields };
  }

  async function route(req: IncomingMessage, url: URL, body: unknown): Promise<{ status: number; body?: unknown }> {
    const p = url.pathname;
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/rest\/api\/3\/project\/([^/]+)$/.exec(p))) {
      count('GET /rest/api/3/project/{key}');
      const key = decodeURIComponent(m[1] ?? '');
      const project = projects.find((x) => x.key === key || x.id === key);
      if (!project) throw jiraError(404, [`No project could be found with key '${key}'.`]);
      return { status: 200, body: { ...project, simplified: project.style === 'next-gen', self: `${baseUrl}/rest/api/3/project/${project.id}` } };
    }
    if (method === 'GET' && p === '/rest/api/3/user/search') {
      count('GET /rest/api/3/user/search');
      const q = (url.searchParams.get('query') ?? '').toLowerCase();
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const max = Number(url.searchParams.get('maxResults') ?? 50);
      const hits = users.filter(
        (u) => q !== '' && (u.emailAddress?.toLowerCase().startsWith(q) || u.displayName.toLowerCase().split(/\s+/).some((w) => w.startsWith(q)) || u.displayName.toLowerCase().startsWith(q)),
      );
      return { status: 200, body: hits.slice(startAt, startAt + max).map((u) => ({ accountType: 'atlassian', ...u })) };
    }
    if (method === 'POST' && p === '/rest/api/3/issue') {
      count('POST /rest/api/3/issue');
      return { status: 201, body: created(validateAndCreate(body)) };
    }
    if (method === 'POST' && p === '/rest/api/3/issue/bulk') {
      count('POST /rest/api/3/issue/bulk');
      const updates = isObject(body) && Array.isArray(body.issueUpdates) ? body.issueUpdates : null;
      if (!updates) throw jiraError(400, ['issueUpdates is required.']);
      if (updates.length > MAX_BULK) throw jiraError(400, [`The number of issues to create exceeds the limit of ${MAX_BULK}.`]);
      const issues: unknown[] = [];
      const errors: unknown[] = [];
      updates.forEach((u, n) => {
        try {
          issues.push(created(validateAndCreate(u)));
        } catch (e) {
          if (!(e instanceof HttpError)) throw e;
          errors.push({ status: e.status, elementErrors: e.body, failedElementNumber: n });
        }
      });
      return { status: issues.length === 0 && errors.length > 0 ? 400 : 201, body: { issues, errors } };
    }
    if (method === 'POST' && p === '/rest/api/3/search/jql') {
      count('POST /rest/api/3/search/jql');
      return { status: 200, body: search(body) };
    }
    if (method === 'POST' && p === '/rest/api/3/issueLink') {
      count('POST /rest/api/3/issueLink');
      const b = isObject(body) ? body : {};
      const type = isObject(b.type) ? b.type : {};
      if (type.name !== 'Blocks' && type.id !== '10000') throw jiraError(404, ['No issue link type with name or id found.']);
      const inward = issueByKey(isObject(b.inwardIssue) ? b.inwardIssue.key ?? b.inwardIssue.id : undefined);
      const outward = issueByKey(isObject(b.outwardIssue) ? b.outwardIssue.key ?? b.outwardIssue.id : undefined);
      if (!inward || !outward) throw jiraError(404, ['Issue Does Not Exist']);
      // FACTS §2: {inwardIssue: X, outwardIssue: Y} ⇒ X blocks Y. Duplicates report success, recorded once.
      if (!state.links.some((l) => l.blocker === inward.key && l.blocked === outward.key)) state.links.push({ blocker: inward.key, blocked: outward.key });
      return { status: 201 };
    }
    if (method === 'GET' && (m = /^\/rest\/api\/3\/issue\/createmeta\/([^/]+)\/issuetypes\/([^/]+)$/.exec(p))) {
      count('GET /rest/api/3/issue/createmeta/{key}/issuetypes/{id}');
      return { status: 200, body: createMeta(decodeURIComponent(m[1] ?? ''), decodeURIComponent(m[2] ?? '')) };
    }
    if (method === 'GET' && (m = /^\/rest\/api\/3\/issue\/([^/]+)$/.exec(p))) {
      count('GET /rest/api/3/issue/{key}');
      const issue = issueByKey(decodeURIComponent(m[1] ?? ''));
      if (!issue) throw jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
      const fields = url.searchParams.get('fields');
      return { status: 200, body: renderIssue(issue, fields ? fields.split(',') : undefined) };
    }
    count(`${method} (unknown)`);
    throw jiraError(404, [`No stand-in route for ${method} ${p}`]);
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const fault = faults.take(`${req.method ?? 'GET'} ${new URL(req.url ?? '/', 'http://standin').pathname}`);
    if (fault?.kind === 'stall') return; // read, never answered: the client's timeout ends it
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? undefined : bendBody(fault, JSON.stringify(body));
      deliver(fault, () => {
        if (res.destroyed) return;
        res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json;charset=UTF-8', ...headers });
        res.end(text);
      });
    };
    if (fault?.kind === 'error') {
      const status = fault.status ?? 500;
      send(status, { errorMessages: [status === 503 ? 'Service Unavailable' : 'Internal server error'], errors: {} });
      return;
    }
    if (fault?.kind === 'rate-limit') {
      state.count429 += 1;
      send(429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, { 'retry-after': String(fault.retryAfterS), 'ratelimit-reason': 'jira-quota-tenant-based' });
      return;
    }
    if (req.headers.authorization !== expectedAuth) {
      send(401, { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} });
      return;
    }
    if (opts.ratePerSecond !== undefined) {
      const now = Date.now();
      const second = Math.floor(now / 1000);
      if (window.second !== second) window = { second, count: 0 };
      if (window.count >= opts.ratePerSecond) {
        state.count429 += 1;
        const retryAfter = Math.max(1, Math.ceil(((second + 1) * 1000 - now) / 1000));
        send(429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, { 'retry-after': String(retryAfter), 'ratelimit-reason': 'jira-burst-based' });
        return;
      }
      window.count += 1;
    }
    const url = new URL(req.url ?? '/', 'http://standin');
    let body: unknown;
    if (chunks.length > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        send(400, { errorMessages: ['Unexpected character in the request body: not JSON.'], errors: {} });
        return;
      }
    }
    try {
      const out = await route(req, url, body);
      send(out.status, out.body);
    } catch (e) {
      if (e instanceof HttpError) send(e.status, e.body);
      else send(500, { errorMessages: [e instanceof Error ? e.message : String(e)], errors: {} });
    }
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    state,
    faults,
    setSearchLag: (ms) => {
      searchLagMs = ms;
    },
    transition(idOrKey, patch) {
      const issue = issueByKey(idOrKey);
      if (!issue) throw new Error(`no issue ${idOrKey}`);
      if (patch.status !== undefined) issue.status = { name: patch.status, category: patch.category ?? issue.status.category };
      if (patch.assignee !== undefined) issue.assignee = patch.assignee;
      if (patch.duedate !== undefined) issue.duedate = patch.duedate;
      // Strictly later than the last change, even within one millisecond.
      issue.updated = jiraTimestamp(Math.max(Date.now(), Date.parse(issue.updated.replace('+0000', 'Z')) + 1));
      return issue;
    },
    deleteIssue(idOrKey) {
      const issue = issueByKey(idOrKey);
      if (issue) state.issues.splice(state.issues.indexOf(issue), 1);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function unquote(v: string): string {
  return v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
