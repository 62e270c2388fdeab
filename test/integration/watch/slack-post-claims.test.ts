// Watching-path Slack posts (escalations, the reply under one, DMs, client updates) with the LIVE Slack connector
// on the stand-in: Baton's own claim record (chat_posts) is the first line of idempotency. A first attempt reads
// no channel history (so no *:history scope and no paging); only an attempt whose answer was lost searches, from
// the moment of that attempt on, and nothing is posted twice. A missing scope fails for good and names the scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/baton-harness.js';
import { CLIENT_CHANNEL, ESC_CHANNEL, PEOPLE, jiraIssueUpdated, startWatchWorld, watchMapping, type WatchWorld } from './watch-world.js';
import { STANDIN_ALL_SCOPES } from '../../standins/slack-standin.js';
import { getEscalation } from '../../../src/store/escalation-repo.js';
import { listAudit } from '../../../src/store/audit-repo.js';
import { jobIdFor } from '../../../src/queue/queues.js';

const WATCHED = watchMapping(
  'watch-claims',
  `escalations:
  - { id: kickoff-not-done, after: 1 second, unless: task.kickoff.done, notify: [project_lead], channel: ${ESC_CHANNEL} }
feedback:
  after: 1 second
  ask: project_lead
client_updates:
  kickoff: "Our kickoff is on the calendar."`,
);
/** Without client updates: the check's task re-read would otherwise post one (and meet the same missing scope) first. */
const NO_UPDATES = watchMapping('watch-claims-dm', `escalations:\n  - { id: kickoff-not-done, after: 1 second, unless: task.kickoff.done, notify: [project_lead], channel: ${ESC_CHANNEL} }\nfeedback:\n  after: 1 second\n  ask: project_lead`);
const ESCALATION_ONLY = watchMapping('watch-claims-esc', `escalations:\n  - { id: kickoff-not-done, after: 1 second, unless: task.kickoff.done, notify: [project_lead], channel: ${ESC_CHANNEL} }`);
const rung0 = (handoffId: string) => ({ handoffId, triggerId: 'kickoff-not-done', rung: 0, round: 0 });
const dmTo = (user: string) => `D${user.slice(1)}`;
const without = (...drop: string[]) => STANDIN_ALL_SCOPES.filter((s) => !drop.includes(s));
const NO_HISTORY = 'xoxb-no-history-scopes';
const NO_CHAT_WRITE = 'xoxb-no-chat-write';

describe('watching posts with a full-scope token', () => {
  let w: WatchWorld;
  beforeAll(async () => {
    // A short client timeout, so a post whose answer is late times out after Slack made the message.
    w = await startWatchWorld({ mappings: { 'watch-claims': WATCHED, 'watch-claims-esc': ESCALATION_ONLY }, env: { BATON_HTTP_TIMEOUT_MS: '1500' } });
  });
  afterAll(async () => {
    await w.close();
  });

  it('escalation, Acknowledge reply, feedback DM and client update each post once and read no channel history', async () => {
    const { handoff, issues } = await w.seed({ mapping: 'watch-claims', dealId: '8701', jira: { status: 'To Do', category: 'new' } });
    const [esc] = await waitFor(async () => w.escalations(handoff.id).length === 1 && w.escalations(handoff.id), 'escalation', 15_000);
    await waitFor(async () => w.slack.state.messages.some((m) => m.channel === dmTo(PEOPLE.lead.slack) && JSON.stringify(m.blocks ?? []).includes(handoff.id)), 'feedback DM', 30_000);
    expect((await w.click('baton_escalation_ack', esc!)).status).toBe(200);
    const thread = (channel: string, ts: string) => w.slack.state.messages.filter((m) => m.channel === channel && m.thread_ts === ts);
    await waitFor(async () => thread(ESC_CHANNEL, esc!.ts).length === 1, 'ack reply', 10_000);
    w.jira.set(issues.kickoff!, { status: 'Scheduled', category: 'indeterminate' });
    expect((await w.jiraWebhook(jiraIssueUpdated(issues.kickoff!, { status: 'Scheduled', category: 'indeterminate' }), { id: 'claims-8701' })).status).toBe(200);
    await waitFor(async () => w.slack.state.messages.some((m) => m.channel === CLIENT_CHANNEL && m.text === 'Our kickoff is on the calendar.'), 'client update', 10_000);

    expect(w.slack.state.historyReads).toEqual([]);
    expect(await getEscalation(w.b.rt.store, rung0(handoff.id))).toMatchObject({ status: 'sent', messageTs: esc!.ts });
    // Each post is recorded on its claim with the message it made.
    const claims = await w.b.rt.store.db.selectFrom('chat_posts').selectAll().where('handoff_id', '=', handoff.id).execute();
    const keys = claims.map((c) => c.idempotency_key.replace(`${handoff.id}:`, ''));
    expect(keys).toHaveLength(4);
    expect(keys).toEqual(expect.arrayContaining(['client-update:kickoff', 'escalation-ack:kickoff-not-done', expect.stringMatching(/^escalation:/), 'feedback-ask']));
    for (const c of claims) expect(c.message_ts).toMatch(/^\d+\.\d{6}$/);
  });

  it('an escalation whose answer is lost (Slack posted it, the client timed out) is found on retry from the attempt on, never posted twice', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-claims-esc', dealId: '8702' });
    const before = w.slack.state.historyReads.length;
    // The next post is made by Slack but answered after the client's 1.5 s timeout.
    w.slack.faults.inject({ kind: 'slow', ms: 2_500 }, { match: /chat\.postMessage/, times: 1 });
    await waitFor(async () => (await getEscalation(w.b.rt.store, rung0(handoff.id)))?.status === 'sent', 'escalation recorded after the retry', 30_000);

    expect(w.slack.faults.count('slow')).toBe(1);
    expect(w.escalations(handoff.id)).toHaveLength(1);
    expect((await getEscalation(w.b.rt.store, rung0(handoff.id)))?.messageTs).toBe(w.escalations(handoff.id)[0]!.ts);
    const claim = await w.b.rt.store.db.selectFrom('chat_posts').selectAll().where('handoff_id', '=', handoff.id).executeTakeFirstOrThrow();
    const reads = w.slack.state.historyReads.slice(before);
    expect(reads.length).toBeGreaterThanOrEqual(1);
    for (const r of reads) {
      expect(r).toMatchObject({ method: 'conversations.history', args: { channel: ESC_CHANNEL } });
      // Bounded by the claim: from the attempt's time less the 5-minute clock-skew allowance, not a day back.
      expect(Number(r.args.oldest) * 1000).toBe(Date.parse(claim.attempted_at!) - 5 * 60_000);
    }
  });
});

describe('watching posts with a token without any *:history scope', () => {
  let w: WatchWorld;
  beforeAll(async () => {
    w = await startWatchWorld({
      mappings: { 'watch-claims': WATCHED },
      slack: { tokens: { [NO_HISTORY]: without('channels:history', 'groups:history', 'im:history', 'mpim:history') } },
      env: { SLACK_BOT_TOKEN: NO_HISTORY },
    });
  });
  afterAll(async () => {
    await w.close();
  });

  it('still posts the escalation and the feedback DM', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-claims', dealId: '8711' });
    await waitFor(async () => w.escalations(handoff.id).length === 1, 'escalation', 15_000);
    await waitFor(async () => w.slack.state.messages.some((m) => m.channel === dmTo(PEOPLE.lead.slack) && JSON.stringify(m.blocks ?? []).includes(handoff.id)), 'feedback DM', 30_000);
    // Slack holds the message a moment before Baton has recorded its answer.
    await waitFor(async () => (await getEscalation(w.b.rt.store, rung0(handoff.id)))?.status === 'sent', 'escalation recorded sent', 15_000);
    expect(w.slack.state.historyReads).toEqual([]);
  });
});

describe('watching posts with a token without chat:write', () => {
  let w: WatchWorld;
  beforeAll(async () => {
    w = await startWatchWorld({ mappings: { 'watch-claims-dm': NO_UPDATES }, slack: { tokens: { [NO_CHAT_WRITE]: without('chat:write') } }, env: { SLACK_BOT_TOKEN: NO_CHAT_WRITE } });
  });
  afterAll(async () => {
    await w.close();
  });

  it('the escalation is recorded as failed (not skipped) with the scope named; the DM job fails naming it', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-claims-dm', dealId: '8721' });
    const failed = await waitFor(async () => {
      const e = await getEscalation(w.b.rt.store, rung0(handoff.id));
      return e && e.status !== 'claimed' && e;
    }, 'escalation outcome', 15_000);
    expect(failed.status).toBe('failed');
    expect(failed.reason).toContain('lacks the scope chat:write');
    const audit = await listAudit(w.b.rt.store, handoff.id);
    expect(audit.find((a) => a.kind === 'escalation.failed')?.message).toContain('chat:write');

    const ask = await waitFor(async () => {
      const job = await w.b.rt.queues.feedback.getJob(jobIdFor('feedback-ask', handoff.id));
      return job?.failedReason ? job : undefined;
    }, 'feedback job failure', 30_000);
    expect(ask.failedReason).toContain('lacks the scope chat:write');
    expect(w.slack.state.messages.filter((m) => m.channel !== CLIENT_CHANNEL)).toEqual([]);
  });
});
