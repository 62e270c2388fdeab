// A Baton for the watching tests: real Redis (BullMQ delayed jobs), a real database, the Slack stand-in
// (live Slack connector), a small Jira status server (live Jira connector, readTasks only), and mappings
// whose escalations count in seconds. Handoffs are seeded as the handoff job leaves them after
// create-work, then the schedule-checks step runs for real.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBaton, type Harness } from '../../helpers/baton-harness.js';
import { startSlackStandin, STANDIN_TOKEN, type SlackStandin, type SlackStandinOptions, type StandinMessage } from '../../standins/slack-standin.js';
import { signSlackRequest } from '../../../connectors/slack/verify-request.js';
import { signJiraWebhook } from '../../../connectors/jira/verify-webhook.js';
import type { CrmDeal } from '../../../src/handoff/ports.js';
import { buildHandoff } from '../../../src/mapping/build-handoff.js';
import { createHandoffIfAbsent, getHandoff, updateHandoff, type HandoffRow } from '../../../src/store/handoff-repo.js';
import { ensureSteps, completeStep } from '../../../src/store/step-repo.js';
import { mappingOf } from '../../../jobs/mapping-of.js';
import type { StoredPlan } from '../../../src/mapping/build-handoff.js';
import { HANDOFF_STEPS, processHandoffJob } from '../../../jobs/handoff.js';

export const ESC_CHANNEL = 'C0ESCAL001';
export const CLIENT_CHANNEL = 'C0CLIENT01';
export const SIGNING_SECRET = 'slack-signing-secret-for-tests';
export const JIRA_SECRET = 'jira-webhook-secret-for-tests';
export const PEOPLE = {
  rep: { email: 'rita.rep@baton.example', slack: 'U0RITA0001', name: 'Rita Rep' },
  lead: { email: 'leo.lead@baton.example', slack: 'U0LEO00001', name: 'Leo Lead' },
  team: { email: 'tess.team@baton.example', slack: 'U0TESS0001', name: 'Tess Team' },
};

/** A mapping for the watch tests; `watch` is YAML placed at the top level (escalations, feedback, client_updates). */
export function watchMapping(name: string, watch: string): string {
  return `name: ${name}
trigger:
  pipeline: default
  stage: never-a-stage
timezone: UTC
people:
  sales_rep: { from: owner.email }
  project_lead: { email: ${PEOPLE.lead.email}, name: Leo Lead }
  team_lead: { email: ${PEOPLE.team.email}, name: Tess Team }
document:
  title: "Handoff: {{ company.name }} — {{ deal.dealname }}"
  sections:
    scope:
      - { label: Scope sold, field: deal.baton_scope, required: true }
    timeline:
      - { label: Timeline promised, field: deal.baton_promised_timeline }
work:
  tool: jira
  project: DEL
  parent: { summary: "Onboarding {{ deal.dealname }}" }
  tasks:
    - { id: kickoff, summary: Hold the kickoff, assignee: project_lead, due: 1 business day, milestone: kickoff }
    - { id: first-deliverable, summary: Deliver the first deliverable, assignee: project_lead, after: [kickoff], due: 2 business days, milestone: first_deliverable }
${watch}
`;
}

export interface JiraIssueState {
  key: string;
  status: string;
  category: 'new' | 'indeterminate' | 'done';
  assignee: string | null;
  duedate: string | null;
}

/** Jira's enhanced search, enough for readTasks: `id in (…)` with status / assignee / duedate. */
export async function startJiraStatusServer() {
  const issues = new Map<string, JiraIssueState>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      if (req.method === 'POST' && req.url?.startsWith('/rest/api/3/search/jql')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { jql?: string };
        const ids = /id in \(([^)]*)\)/.exec(body.jql ?? '')?.[1]?.split(',').map((s) => s.trim()) ?? [];
        const found = ids.flatMap((id) => {
          const i = issues.get(id);
          return i
            ? [{ id, key: i.key, fields: { status: { name: i.status, statusCategory: { key: i.category } }, assignee: i.assignee ? { emailAddress: i.assignee, displayName: i.assignee } : null, duedate: i.duedate } }]
            : [];
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issues: found }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errorMessages: ['no such route'], errors: {} }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    issues,
    requests,
    set(id: string, patch: Partial<JiraIssueState>) {
      const cur = issues.get(id) ?? { key: `DEL-${id}`, status: 'To Do', category: 'new' as const, assignee: PEOPLE.lead.email, duedate: null };
      issues.set(id, { ...cur, ...patch });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let nextIssue = 20_000;

export interface WatchWorld {
  b: Harness;
  slack: SlackStandin;
  jira: Awaited<ReturnType<typeof startJiraStatusServer>>;
  dealsDir: string;
  writeDeal(id: string, props?: Record<string, string | null>): Promise<CrmDeal>;
  /** A closed handoff whose work exists (task ids in the Jira server), with schedule-checks run. */
  seed(o: {
    mapping: string;
    dealId: string;
    props?: Record<string, string | null>;
    dueAt?: Record<string, Date>;
    closedAt?: Date;
    jira?: Partial<JiraIssueState>;
    /** Tool ids to use instead of fresh Jira issue ids (e.g. Asana task gids). */
    taskIds?: Record<string, string>;
  }): Promise<{ handoff: HandoffRow; issues: Record<string, string> }>;
  escalations(handoffId?: string): StandinMessage[];
  click(action: 'baton_escalation_ack' | 'baton_escalation_snooze', message: StandinMessage, user?: { id: string; name: string }): Promise<Response>;
  interact(payload: unknown, o?: { secret?: string; timestampMs?: number }): Promise<Response>;
  jiraWebhook(body: unknown, o?: { id?: string; secret?: string; signature?: string }): Promise<Response>;
  close(): Promise<void>;
}

export async function startWatchWorld(o: { mappings: Record<string, string>; env?: Record<string, string>; workers?: boolean; slack?: Pick<SlackStandinOptions, 'tokens'> }): Promise<WatchWorld> {
  const slack = await startSlackStandin({
    ratePerSecond: 1000,
    channels: [
      { id: ESC_CHANNEL, name: 'delivery-escalations' },
      { id: CLIENT_CHANNEL, name: 'client-acme' },
    ],
    users: Object.values(PEOPLE).map((p) => ({ id: p.slack, email: p.email, name: p.name })),
    ...o.slack,
  });
  const jira = await startJiraStatusServer();
  const mappingsDir = await mkdtemp(join(tmpdir(), 'baton-watch-mappings-'));
  const dealsDir = await mkdtemp(join(tmpdir(), 'baton-watch-deals-'));
  for (const [name, yaml] of Object.entries(o.mappings)) await writeFile(join(mappingsDir, `${name}.yaml`), yaml);
  const b = await startBaton({
    workers: o.workers,
    env: {
      MAPPINGS_DIR: mappingsDir,
      BATON_SAMPLE_DEALS_DIR: dealsDir,
      SLACK_BOT_TOKEN: STANDIN_TOKEN,
      SLACK_API_URL: slack.url,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_MESSAGES_PER_SECOND_PER_CHANNEL: '1000',
      SLACK_REQUESTS_PER_SECOND: '1000',
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: 'baton@example.com',
      JIRA_API_TOKEN: 'jira-token-for-tests',
      JIRA_REQUESTS_PER_SECOND: '1000',
      JIRA_WEBHOOK_SECRET: JIRA_SECRET,
      BATON_SNOOZE_SECONDS: '2',
      BATON_WATCH_POLL_SECONDS: '0',
      LOG_LEVEL: 'warn',
      ...o.env,
    },
  });

  const writeDeal = async (id: string, props: Record<string, string | null> = {}): Promise<CrmDeal> => {
    const deal = JSON.parse(await readFile('mappings/samples/1002.json', 'utf8')) as CrmDeal;
    deal.id = id;
    deal.url = `https://app.hubspot.com/contacts/62515/record/0-3/${id}`;
    deal.owner = { ...deal.owner!, email: PEOPLE.rep.email, firstName: 'Rita', lastName: 'Rep' };
    deal.properties = { ...deal.properties, baton_scope: 'Support onboarding for 40 agents', baton_client_slack_channel: CLIENT_CHANNEL, ...props };
    await writeFile(join(dealsDir, `${id}.json`), JSON.stringify(deal));
    return deal;
  };

  const world: WatchWorld = {
    b,
    slack,
    jira,
    dealsDir,
    writeDeal,
    async seed(s) {
      const rt = b.rt;
      const mapping = mappingOf(rt.jobDeps, s.mapping);
      if (!mapping) throw new Error(`mapping ${s.mapping} not loaded: ${JSON.stringify(rt.mappingErrors)}`);
      const deal = await writeDeal(s.dealId, s.props);
      const closedAt = s.closedAt ?? new Date();
      const built = buildHandoff(mapping, deal, { closedAt });
      for (const t of built.work.tasks) if (s.dueAt?.[t.id]) t.dueAt = s.dueAt[t.id]!.toISOString();
      const { handoff } = await createHandoffIfAbsent(rt.store, {
        crm: 'hubspot',
        accountId: deal.accountId,
        dealId: deal.id,
        mapping: mapping.name,
        phase: 'closed',
        title: built.document.title,
        dealName: deal.properties.dealname ?? null,
        document: built.document,
        complete: built.document.complete,
        missing: built.document.missing,
        plan: { work: built.work, intro: built.intro, people: built.people, kickoffDue: built.kickoffDue, calendar: built.calendar } satisfies StoredPlan,
        deal,
        closedAt: closedAt.toISOString(),
      });
      const issues: Record<string, string> = {};
      const tasks: Record<string, { id: string; key: string; url: string; assignee: string | null }> = {};
      for (const t of built.work.tasks) {
        const id = s.taskIds?.[t.id] ?? String(nextIssue++);
        issues[t.id] = id;
        tasks[t.id] = { id, key: `DEL-${id}`, url: `${jira.url}/browse/DEL-${id}`, assignee: t.assigneeEmail };
        jira.set(id, { key: `DEL-${id}`, status: 'In Progress', category: 'indeterminate', assignee: t.assigneeEmail, duedate: t.dueDate, ...s.jira });
      }
      // As the handoff job leaves it after the earlier steps; then the real schedule-checks step runs.
      await ensureSteps(rt.store, handoff.id, [...HANDOFF_STEPS]);
      await completeStep(rt.store, handoff.id, 'create-work', { parent: { id: '19999', key: 'DEL-19999', url: null }, tasks, notes: [] });
      // The intro in the client channel (the thread later client updates go into).
      const intro = (await (
        await fetch(`${slack.url}chat.postMessage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${STANDIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ channel: CLIENT_CHANNEL, text: 'Hi! Meet Leo, your project lead.' }),
        })
      ).json()) as { ts: string };
      await completeStep(rt.store, handoff.id, 'post-intro', { channel: CLIENT_CHANNEL, ts: intro.ts, threadTs: intro.ts });
      await completeStep(rt.store, handoff.id, 'write-back', { noteId: null });
      await updateHandoff(rt.store, handoff.id, { status: 'running' });
      const fakeJob = { opts: { attempts: 1 }, attemptsMade: 0 } as never;
      await processHandoffJob(rt.jobDeps, fakeJob, { handoffId: handoff.id, reason: 'test' });
      return { handoff: (await getHandoff(rt.store, handoff.id))!, issues };
    },
    escalations(handoffId) {
      return slack.state.messages.filter(
        (m) => m.metadata?.event_type === 'baton_escalation' && m.metadata.event_payload.reply === undefined && (!handoffId || m.metadata.event_payload.handoff_id === handoffId),
      );
    },
    async click(action, message, user = { id: PEOPLE.team.slack, name: 'tess.team' }) {
      const blocks = (message.blocks ?? []) as { type: string; elements?: { action_id?: string; value?: string }[] }[];
      const button = blocks.flatMap((bl) => bl.elements ?? []).find((e) => e.action_id === action);
      if (!button) throw new Error(`no ${action} button on the message`);
      return world.interact({
        type: 'block_actions',
        user: { id: user.id, username: user.name, name: user.name, team_id: 'T0STANDIN' },
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel },
        trigger_id: '1234.5678.abcd',
        channel: { id: message.channel, name: 'delivery-escalations' },
        actions: [{ action_id: action, block_id: 'baton_escalation', type: 'button', value: button.value, action_ts: String(Date.now() / 1000) }],
      });
    },
    async interact(payload, io = {}) {
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const headers = signSlackRequest(body, io.secret ?? SIGNING_SECRET, io.timestampMs ?? Date.now());
      return fetch(`${b.url}/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    },
    async jiraWebhook(payload, io = {}) {
      const body = JSON.stringify(payload);
      return fetch(`${b.url}/webhooks/jira`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature': io.signature ?? signJiraWebhook(body, io.secret ?? JIRA_SECRET),
          ...(io.id ? { 'x-atlassian-webhook-identifier': io.id } : {}),
        },
        body,
      });
    },
    async close() {
      await b.close();
      await Promise.all([slack.close(), jira.close()]);
      await rm(mappingsDir, { recursive: true, force: true });
      await rm(dealsDir, { recursive: true, force: true });
    },
  };
  return world;
}

/** A Jira issue webhook as Jira sends it (fixture shape), for one of the seeded issues. */
export function jiraIssueUpdated(id: string, s: Partial<JiraIssueState> & { changed?: string[] }) {
  return {
    timestamp: Date.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: { accountId: '99:abc', displayName: 'Jira Admin' },
    issue: {
      id,
      key: s.key ?? `DEL-${id}`,
      fields: {
        status: { name: s.status ?? 'Done', statusCategory: { key: s.category ?? 'done' } },
        assignee: s.assignee ? { emailAddress: s.assignee, displayName: s.assignee } : null,
        duedate: s.duedate ?? null,
        labels: ['baton'],
      },
    },
    changelog: { id: '1', items: (s.changed ?? ['status']).map((f) => ({ field: f, fieldtype: 'jira', from: null, fromString: null, to: null, toString: null })) },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
