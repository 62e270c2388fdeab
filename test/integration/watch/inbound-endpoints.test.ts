// Every inbound endpoint of the watching work refuses what it cannot authenticate: Slack interactions
// (v0 signature, 5-minute window), Jira webhooks (X-Hub-Signature), Asana (handshake token, then
// X-Hook-Signature), and the feedback form (signed, expiring link).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESC_CHANNEL, JIRA_SECRET, SIGNING_SECRET, jiraIssueUpdated, startWatchWorld, watchMapping, type WatchWorld } from './watch-world.js';
import { signSlackRequest } from '../../../connectors/slack/verify-request.js';
import { signJiraWebhook } from '../../../connectors/jira/verify-webhook.js';
import { signAsanaWebhook } from '../../../connectors/asana/verify-webhook.js';
import { createFormToken } from '../../../src/watch/feedback-form-token.js';
import { listWebhookSecrets } from '../../../src/store/webhook-repo.js';

const ASANA_TOKEN = 'asana-handshake-token-1234';
const FORM_SECRET = 'feedback-form-secret-5678';

describe('inbound endpoints: signatures', () => {
  let w: WatchWorld;
  beforeAll(async () => {
    w = await startWatchWorld({
      mappings: { 'watch-min': watchMapping('watch-min', `escalations:\n  - { id: x, after: 1 hour, notify: [sales_rep], channel: ${ESC_CHANNEL} }`) },
      env: { ASANA_WEBHOOK_SECRET: ASANA_TOKEN, BATON_FEEDBACK_FORM_SECRET: FORM_SECRET },
      workers: false,
    });
  });
  afterAll(async () => {
    await w.close();
  });

  const slackPost = (body: string, headers: Record<string, string>) =>
    fetch(`${w.b.url}/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('Slack: a valid v0 signature is accepted; wrong secret, tampered body, stale or future timestamp, none → 401', async () => {
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [] }) }).toString();
    expect((await slackPost(body, signSlackRequest(body, SIGNING_SECRET, Date.now()))).status).toBe(200);
    expect((await slackPost(body, signSlackRequest(body, 'not-the-secret', Date.now()))).status).toBe(401);
    expect((await slackPost(body + 'x', signSlackRequest(body, SIGNING_SECRET, Date.now()))).status).toBe(401);
    expect((await slackPost(body, signSlackRequest(body, SIGNING_SECRET, Date.now() - 6 * 60_000))).status).toBe(401);
    expect((await slackPost(body, signSlackRequest(body, SIGNING_SECRET, Date.now() + 6 * 60_000))).status).toBe(401);
    expect((await slackPost(body, {})).status).toBe(401);
    // Inside the window (4 minutes old) is fine.
    expect((await slackPost(body, signSlackRequest(body, SIGNING_SECRET, Date.now() - 4 * 60_000))).status).toBe(200);
    // A forged Acknowledge never reaches the queue.
    const forged = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'baton_escalation_ack', value: '{"h":"x","t":"y","r":0,"n":0}' }] }) }).toString();
    expect((await slackPost(forged, signSlackRequest(forged, 'wrong', Date.now()))).status).toBe(401);
    expect(await w.b.rt.queues.watch.count()).toBe(0);
  });

  it('Jira: X-Hub-Signature sha256 HMAC of the raw body; anything else → 401', async () => {
    const body = JSON.stringify(jiraIssueUpdated('424242', { status: 'Done', category: 'done' }));
    const post = (headers: Record<string, string>, raw = body) => fetch(`${w.b.url}/webhooks/jira`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
    expect((await post({ 'x-hub-signature': signJiraWebhook(body, JIRA_SECRET), 'x-atlassian-webhook-identifier': 'sig-1' })).status).toBe(200);
    expect((await post({ 'x-hub-signature': signJiraWebhook(body, 'other') })).status).toBe(401);
    expect((await post({ 'x-hub-signature': signJiraWebhook(body, JIRA_SECRET) }, body.replace('Done', 'Dome'))).status).toBe(401);
    expect((await post({ 'x-hub-signature': signJiraWebhook(body, JIRA_SECRET).replace('sha256=', 'sha1=') })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    // A non-issue event is acknowledged and ignored; malformed JSON (signed) is 400.
    const comment = JSON.stringify({ webhookEvent: 'comment_created', timestamp: 1 });
    expect((await post({ 'x-hub-signature': signJiraWebhook(comment, JIRA_SECRET) }, comment)).status).toBe(200);
    expect((await post({ 'x-hub-signature': signJiraWebhook('{nope', JIRA_SECRET) }, '{nope')).status).toBe(400);
    // The same delivery id twice is one job.
    expect((await post({ 'x-hub-signature': signJiraWebhook(body, JIRA_SECRET), 'x-atlassian-webhook-identifier': 'sig-1' })).status).toBe(200);
    expect(await w.b.rt.queues.status.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('Asana: the handshake needs the URL token and is echoed; later deliveries need X-Hook-Signature', async () => {
    const hookSecret = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
    const handshake = (token: string | null) =>
      fetch(`${w.b.url}/webhooks/asana${token === null ? '' : `?token=${token}`}`, { method: 'POST', headers: { 'x-hook-secret': hookSecret } });
    expect((await handshake(null)).status).toBe(401);
    expect((await handshake('wrong')).status).toBe(401);
    expect(await listWebhookSecrets(w.b.rt.store, 'asana')).toEqual([]);
    const ok = await handshake(ASANA_TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-hook-secret')).toBe(hookSecret);
    expect(await listWebhookSecrets(w.b.rt.store, 'asana')).toEqual([hookSecret]);

    const body = JSON.stringify({ events: [{ action: 'changed', resource: { gid: '1200000000000001', resource_type: 'task' }, change: { field: 'completed' } }] });
    const post = (sig: string | null, raw = body) =>
      fetch(`${w.b.url}/webhooks/asana`, { method: 'POST', headers: { 'content-type': 'application/json', ...(sig ? { 'x-hook-signature': sig } : {}) }, body: raw });
    expect((await post(signAsanaWebhook(body, hookSecret))).status).toBe(200);
    expect((await post(signAsanaWebhook(body, 'other-secret-aaaaaaaaaaaaaaaaaaa'))).status).toBe(401);
    expect((await post(signAsanaWebhook(body, hookSecret), body + ' ')).status).toBe(401);
    expect((await post(null)).status).toBe(401);
  });

  it('Feedback form: only a signed, unexpired link for that handoff opens it', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-min', dealId: '8301' });
    const get = (token: string) => fetch(`${w.b.url}/feedback/${token}`);
    const good = createFormToken(FORM_SECRET, handoff.id, new Date());
    // No feedback request for this handoff (the mapping asks none): the link is valid but leads nowhere.
    expect((await get(good)).status).toBe(404);
    expect((await get(createFormToken('wrong-secret', handoff.id, new Date()))).status).toBe(401);
    expect((await get(good.replace(handoff.id, handoff.id.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))))).status).toBe(401);
    expect((await get(createFormToken(FORM_SECRET, handoff.id, new Date(Date.now() - 40 * 24 * 3600_000)))).status).toBe(401);
    expect((await get('garbage')).status).toBe(401);
  });
});
