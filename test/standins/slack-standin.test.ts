// The Slack connector end to end against the local stand-in (real HTTP, real WebClient, real Redis limiter).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter, unlimited, type RateLimiter } from '../../connectors/common/rate-limiter.js';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';
import { createSlackChat, INTRO_EVENT_TYPE } from '../../connectors/slack/slack-chat.js';
import type { PostIntroRequest, StepProgress } from '../../src/handoff/ports.js';
import { startSlackStandin, STANDIN_ALL_SCOPES, type SlackStandin, type SlackStandinOptions } from './slack-standin.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;
let standin: SlackStandin | undefined;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

const CLIENT = 'C0CLIENT01';
const USERS = [
  { id: 'U0RITA0001', email: 'rita@vendor.test', name: 'Rita Rep' },
  { id: 'U0LEE00001', email: 'lee@vendor.test', name: 'Lee Lead' },
];

async function start(opts: SlackStandinOptions = {}): Promise<SlackStandin> {
  standin = await startSlackStandin({
    users: USERS,
    channels: [
      { id: CLIENT, name: 'client-acme' },
      { id: 'C0OUTSIDE1', name: 'client-outside', member: false },
      { id: 'C0ESCAL001', name: 'delivery-escalations' },
    ],
    ...opts,
  });
  return standin;
}

const connector = (s: SlackStandin, limiter: RateLimiter = unlimited, over: { token?: string; messagesPerSecondPerChannel?: number } = {}) =>
  createSlackChat({ token: over.token ?? s.token, apiUrl: s.url, limiter, requestsPerSecond: 100, messagesPerSecondPerChannel: over.messagesPerSecondPerChannel ?? 1, timeoutMs: 5000 });

const progress = (saved: Record<string, unknown> = {}): StepProgress => ({ saved, save: async (ids) => void Object.assign(saved, ids) });
/** A watching post's claim (jobs/chat-post-claims.ts): never attempted, or attempted a minute ago and its answer lost. */
const firstPost = (): StepProgress => ({ ...progress(), firstAttempt: true });
const retriedPost = (attemptedAt = new Date(Date.now() - 60_000).toISOString()): StepProgress => ({ ...progress(), firstAttempt: false, attemptedAt });

function intro(handoffId: string, channel = CLIENT, threadTs: string | null = null): PostIntroRequest {
  return {
    handoffId,
    mapping: 'services-onboarding',
    idempotencyKey: `${handoffId}:post-intro`,
    intro: { tool: 'slack', channel, threadTs, text: `Welcome &lt;!channel&gt; (${handoffId})` },
    document: { title: 'Handoff', sections: [], complete: true, missing: [] },
    people: {
      sales_rep: { role: 'sales_rep', email: 'rita@vendor.test', name: 'Rita Rep', source: 'owner.email' },
      project_lead: { role: 'project_lead', email: 'nobody@vendor.test', name: 'Nora <@U0RITA0001>', source: 'deal' },
    },
    progress: progress(),
  };
}

describe('Slack connector against the stand-in', () => {
  it('starts the client thread, then the next message continues it; retries after a crash post nothing twice', async () => {
    const s = await start({ ratePerSecond: 100 }); // pacing is tested below
    const chat = connector(s);

    const first = await chat.postIntro(intro('h-1'));
    expect(first.threadTs).toBe(first.ts);
    // A crash lost the progress: the retry finds the message by its metadata.
    expect(await chat.postIntro(intro('h-1'))).toEqual(first);

    const update = { idempotencyKey: 'h-1:kickoff', threadTs: first.threadTs, text: 'Kickoff scheduled', metadataType: 'baton_client_update', metadata: { handoff_id: 'h-1' } };
    const follow = await chat.postMessage({ ...update, channel: 'client-acme', progress: firstPost() });
    // A retry whose earlier request may have posted finds the reply by its metadata.
    expect(await chat.postMessage({ ...update, channel: CLIENT, progress: retriedPost() })).toEqual(follow);
    expect(follow.threadTs).toBe(first.ts);

    expect(s.state.messages).toHaveLength(2);
    const [root, reply] = s.state.messages;
    expect(root).toMatchObject({
      channel: CLIENT,
      text: 'Welcome &lt;!channel&gt; (h-1)\nFrom <@U0RITA0001> to Nora &lt;@U0RITA0001&gt;',
      metadata: { event_type: INTRO_EVENT_TYPE, event_payload: { handoff_id: 'h-1', idempotency_key: 'h-1:post-intro' } },
      args: { parse: 'none', unfurl_links: 'false' },
    });
    expect(root?.thread_ts).toBeUndefined();
    expect(reply).toMatchObject({ thread_ts: first.ts, metadata: { event_type: 'baton_client_update' } });
    expect(s.state.requests['chat.postMessage']).toBe(2);
  });

  it('finds its intro across history pages among other handoffs’ messages', async () => {
    const s = await start({ maxPageSize: 2, ratePerSecond: 100 });
    const chat = connector(s);
    const mine = await chat.postIntro(intro('h-mine'));
    for (let i = 0; i < 5; i++) await chat.postIntro(intro(`h-other-${i}`));

    const before = s.state.requests['conversations.history'] ?? 0;
    expect(await chat.postIntro(intro('h-mine'))).toEqual(mine);
    expect((s.state.requests['conversations.history'] ?? 0) - before).toBe(3); // newest first: 2 + 2 + 2 messages
    expect(s.state.messages.filter((m) => m.metadata?.event_payload.handoff_id === 'h-mine')).toHaveLength(1);
  });

  it('replies in an existing thread', async () => {
    const s = await start();
    const chat = connector(s);
    const root = await chat.postMessage({ idempotencyKey: 'seed', channel: CLIENT, text: 'Earlier conversation', metadataType: 'seed', metadata: {}, progress: firstPost() });
    await new Promise((r) => setTimeout(r, 1100)); // the stand-in allows 1 post per second per channel
    const posted = await chat.postIntro(intro('h-2', CLIENT, root.ts));
    expect(posted.threadTs).toBe(root.ts);
    expect(s.state.messages[1]).toMatchObject({ thread_ts: root.ts });
  });

  it('a 429 from Slack becomes RetryableError(Retry-After ms) and is counted', async () => {
    const s = await start();
    const chat = connector(s);
    await chat.postIntro(intro('h-a'));
    const err = await chat.postIntro(intro('h-b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(1000);
    expect(s.state.count429).toBe(1);
    expect(s.state.messages).toHaveLength(1);
  });

  it('two workers sharing the Redis limiter stay under 1 message per second per channel', async () => {
    const s = await start();
    const limiter = createRedisRateLimiter(redis, `test-slack-${randomBytes(4).toString('hex')}`);
    // 0.8/s leaves room for network jitter against the stand-in's fixed one-second windows.
    const workers = [connector(s, limiter, { messagesPerSecondPerChannel: 0.8 }), connector(s, limiter, { messagesPerSecondPerChannel: 0.8 })];
    const started = Date.now();
    await Promise.all([0, 1, 2, 3].map((i) => workers[i % 2]!.postIntro(intro(`h-w${i}`))));
    expect(s.state.count429).toBe(0);
    expect(s.state.messages).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 1250 - 50);
  });

  it('not_in_channel, channel_not_found and a bad token are permanent, with what to do', async () => {
    const s = await start();
    const outside = await connector(s).postIntro(intro('h-x', 'C0OUTSIDE1')).catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(PermanentError);
    expect((outside as Error).message).toContain('the Baton app is not in channel C0OUTSIDE1: invite it with /invite @Baton');
    const missing = await connector(s).postIntro(intro('h-x', 'C0MISSING1')).catch((e: unknown) => e);
    expect((missing as Error).message).toContain('channel C0MISSING1 not found');
    const badToken = await connector(s, unlimited, { token: 'xoxb-wrong' }).postIntro(intro('h-x')).catch((e: unknown) => e);
    expect(badToken).toBeInstanceOf(PermanentError);
    expect((badToken as Error).message).toContain('invalid_auth');
    expect((badToken as Error).message).toContain('SLACK_BOT_TOKEN');
    expect(s.state.messages).toHaveLength(0);
  });

  it('DMs a person once per key and skips unknown people', async () => {
    const s = await start();
    const chat = connector(s);
    const dm = { idempotencyKey: 'prep:1', email: 'lee@vendor.test', text: 'Two fields missing' };
    const sent = await chat.sendDirectMessage({ ...dm, progress: firstPost() });
    expect(s.state.historyReads).toEqual([]); // a first attempt never reads history
    expect(await chat.sendDirectMessage({ ...dm, progress: retriedPost() })).toEqual(sent);
    expect(await chat.sendDirectMessage({ idempotencyKey: 'prep:1', email: 'ghost@vendor.test', text: 'x', progress: firstPost() })).toEqual({ skipped: 'no Slack user for ghost@vendor.test' });
    expect(s.state.messages).toEqual([expect.objectContaining({ channel: 'D0LEE00001', text: 'Two fields missing' })]);
  });

  it('preflight lists what the admin must fix', async () => {
    const s = await start({ channels: [{ id: CLIENT, name: 'client-acme' }, { id: 'C0OUTSIDE1', name: 'client-outside', member: false }, { id: 'C0OLD00001', name: 'old', archived: true }] });
    const problems = await connector(s).preflight({ channels: [CLIENT, 'C0OUTSIDE1', 'C0OLD00001', '#client-acme'], emails: ['rita@vendor.test', 'ghost@vendor.test'] });
    expect(problems.map((p) => p.problem)).toEqual([
      'the Baton app is not in Slack channel C0OUTSIDE1',
      'Slack channel C0OLD00001 is archived',
      expect.stringContaining('no Slack user for ghost@vendor.test'),
    ]);
  });
});

describe('Slack scopes (live connector against the stand-in)', () => {
  const NO_HISTORY = 'xoxb-no-history';
  const NO_WRITE = 'xoxb-no-chat-write';
  const without = (...drop: string[]) => STANDIN_ALL_SCOPES.filter((x) => !drop.includes(x));
  const tokens = { [NO_HISTORY]: without('channels:history', 'groups:history', 'im:history', 'mpim:history'), [NO_WRITE]: without('chat:write') };

  it('a token without any *:history scope still posts channel messages and DMs (first attempts read no history)', async () => {
    const s = await start({ tokens, ratePerSecond: 100 });
    const chat = connector(s, unlimited, { token: NO_HISTORY });
    const posted = await chat.postMessage({ idempotencyKey: 'h-1:esc', channel: 'C0ESCAL001', text: 'Stalled', metadataType: 'baton_escalation', metadata: { handoff_id: 'h-1' }, progress: firstPost() });
    const dm = await chat.sendDirectMessage({ idempotencyKey: 'h-1:nudge', email: 'lee@vendor.test', text: 'Missing: scope', progress: firstPost() });
    expect(posted.channel).toBe('C0ESCAL001');
    expect(dm).toMatchObject({ channel: 'D0LEE00001' });
    expect(s.state.messages).toHaveLength(2);
    expect(s.state.historyReads).toEqual([]);
  });

  it('a retry that must check history, without the scope, is a permanent error naming the scope and why', async () => {
    const s = await start({ tokens });
    const err = await connector(s, unlimited, { token: NO_HISTORY })
      .postMessage({ idempotencyKey: 'h-1:esc', channel: 'C0ESCAL001', text: 'Stalled', metadataType: 'baton_escalation', metadata: {}, progress: retriedPost() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('lacks the scope channels:history');
    expect((err as Error).message).toContain('already posted this message');
    expect(s.state.messages).toHaveLength(0);
  });

  it('a token without chat:write: a permanent error naming chat:write (Slack says which scope in `needed`)', async () => {
    const s = await start({ tokens });
    const err = await connector(s, unlimited, { token: NO_WRITE })
      .postMessage({ idempotencyKey: 'h-1:esc', channel: 'C0ESCAL001', text: 'Stalled', metadataType: 'baton_escalation', metadata: {}, progress: firstPost() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe(
      'Slack chat.postMessage: the bot token lacks the scope chat:write (missing_scope): add it under OAuth & Permissions of the Baton Slack app, reinstall the app and update SLACK_BOT_TOKEN',
    );
  });

  it('preflight names every scope Baton needs that the token lacks, with what it is for', async () => {
    const s = await start({ tokens });
    const problems = (token: string) => connector(s, unlimited, { token }).preflight({ channels: [CLIENT], emails: ['lee@vendor.test'] });
    const noHistory = await problems(NO_HISTORY);
    expect(noHistory.map((p) => p.problem)).toEqual([
      expect.stringMatching(/^the Slack bot token lacks the scope channels:history: Baton needs it to after a post/),
      expect.stringContaining('lacks the scope groups:history'),
      expect.stringContaining('lacks the scope im:history'),
    ]);
    expect(noHistory[0]!.fix).toContain('add channels:history under OAuth & Permissions');
    expect((await problems(NO_WRITE)).map((p) => p.problem)).toEqual([expect.stringContaining('lacks the scope chat:write')]);
    expect(await problems(s.token)).toEqual([]);
  });
});

describe('the stand-in itself', () => {
  it('accepts JSON bodies with a Bearer token and answers auth failures like Slack (HTTP 200, ok:false)', async () => {
    const s = await start();
    const post = (body: unknown, headers: Record<string, string>) =>
      fetch(`${s.url}chat.postMessage`, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });
    const okRes = await post({ channel: CLIENT, text: 'json', metadata: { event_type: 't', event_payload: { a: 1 } } }, { Authorization: `Bearer ${s.token}` });
    expect(okRes.status).toBe(200);
    expect(await okRes.json()).toMatchObject({ ok: true, channel: CLIENT, message: { text: 'json', metadata: { event_type: 't' } } });
    const noAuth = await post({ channel: CLIENT, text: 'x' }, {});
    expect([noAuth.status, await noAuth.json()]).toEqual([200, { ok: false, error: 'not_authed' }]);
    const badAuth = await post({ channel: CLIENT, text: 'x' }, { Authorization: 'Bearer nope' });
    expect(await badAuth.json()).toEqual({ ok: false, error: 'invalid_auth' });
    const history = await fetch(`${s.url}conversations.history?channel=${CLIENT}`, { headers: { Authorization: `Bearer ${s.token}` } });
    const body = (await history.json()) as { messages: Array<Record<string, unknown>> };
    expect(body.messages[0]).not.toHaveProperty('metadata'); // only with include_all_metadata
    expect(s.state.requests['chat.postMessage']).toBe(3);
  });

  it('models scopes per token: x-oauth-scopes on every answer, missing_scope with needed and provided', async () => {
    const s = await start({ tokens: { 'xoxb-read-only': ['channels:read'] } });
    const call = (method: string, token: string) => fetch(`${s.url}${method}?channel=${CLIENT}&text=x`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    const auth = await call('auth.test', 'xoxb-read-only');
    expect(auth.headers.get('x-oauth-scopes')).toBe('channels:read');
    expect((await call('auth.test', s.token)).headers.get('x-oauth-scopes')).toBe(STANDIN_ALL_SCOPES.join(','));
    expect(await (await call('chat.postMessage', 'xoxb-read-only')).json()).toEqual({ ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'channels:read' });
    expect(await (await call('conversations.history', 'xoxb-read-only')).json()).toMatchObject({ error: 'missing_scope', needed: 'channels:history' });
    expect(s.state.messages).toHaveLength(0);
  });
});
