// The Slack connector against the real @slack/web-api WebClient (fetch), with Slack mocked by nock at the HTTP
// layer. WebClient sends form bodies: nock hands us the parsed form (metadata/blocks as JSON strings).
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../../connectors/common/rate-limiter.js';
import { unlimited } from '../../../connectors/common/rate-limiter.js';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import { createSlackChat, INTRO_EVENT_TYPE, type SlackOptions } from '../../../connectors/slack/slack-chat.js';
import type { PostIntroRequest, StepProgress } from '../../../src/handoff/ports.js';
import { escapeMrkdwn } from '../../../src/handoff/escape.js';
import type { HandoffDocument, ResolvedPerson } from '../../../src/handoff/types.js';

const HOST = 'http://slack.test';
const TOKEN = 'xoxb-test-0000-secret-token';
const CHANNEL = 'C0CLIENT01';
const THREAD = '1700000000.000100';
const DAY_S = 24 * 60 * 60;

const chat = (over: Partial<SlackOptions> = {}) =>
  createSlackChat({ token: TOKEN, apiUrl: `${HOST}/api/`, limiter: unlimited, requestsPerSecond: 50, messagesPerSecondPerChannel: 1, timeoutMs: 2000, ...over });

const slack = () => nock(HOST, { reqheaders: { authorization: `Bearer ${TOKEN}` } });
type Form = Record<string, string>;

/** Intercept one call to `method`, capturing the form body it received. */
function expectCall(method: string, reply: Record<string, unknown> | ((body: Form) => Record<string, unknown>), seen: Form[] = []): Form[] {
  slack()
    .post(`/api/${method}`, (body: Form) => {
      seen.push(body);
      return true;
    })
    .reply(200, (_uri, body) => (typeof reply === 'function' ? reply(body as Form) : { ok: true, ...reply }));
  return seen;
}

function progress(saved: Record<string, unknown> = {}): StepProgress & { saves: Record<string, unknown>[] } {
  const saves: Record<string, unknown>[] = [];
  return {
    saved,
    saves,
    async save(ids) {
      saves.push(ids);
      Object.assign(saved, ids);
    },
  };
}

const people: Record<string, ResolvedPerson> = {
  sales_rep: { role: 'sales_rep', email: 'rita@vendor.test', name: 'Rita Rep', source: 'owner.email' },
  project_lead: { role: 'project_lead', email: 'lee@vendor.test', name: 'Lee Lead', source: 'deal.baton_project_lead_email' },
};
const document: HandoffDocument = { title: 'Handoff: ACME', sections: [], complete: true, missing: [] };

function introRequest(over: Partial<PostIntroRequest> = {}, intro: Partial<PostIntroRequest['intro']> = {}): PostIntroRequest {
  return {
    handoffId: 'h-1',
    mapping: 'services-onboarding',
    idempotencyKey: 'h-1:post-intro',
    intro: { tool: 'slack', channel: CHANNEL, threadTs: THREAD, text: 'Hi team, meet *Lee Lead*.', ...intro },
    document,
    people,
    progress: progress(),
    ...over,
  };
}

const lookups = (found: Record<string, string>) => {
  for (const email of Object.keys(people).map((r) => people[r]?.email)) {
    if (!email) continue;
    const id = found[email];
    expectCall('users.lookupByEmail', id ? { user: { id, profile: { email } } } : { ok: false, error: 'users_not_found' });
  }
};
const introMetadata = (handoffId = 'h-1', key = 'h-1:post-intro') => ({ event_type: INTRO_EVENT_TYPE, event_payload: { handoff_id: handoffId, idempotency_key: key } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked Slack call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('postIntro', () => {
  it('replies in the existing client thread, mentioning the rep and the lead, with the metadata marker', async () => {
    const replies = expectCall('conversations.replies', { messages: [{ ts: THREAD, text: 'earlier', thread_ts: THREAD }], response_metadata: { next_cursor: '' } });
    lookups({ 'rita@vendor.test': 'U0RITA', 'lee@vendor.test': 'U0LEE' });
    const posts = expectCall('chat.postMessage', { channel: CHANNEL, ts: '1700000100.000200' });
    const req = introRequest();

    const posted = await chat().postIntro(req);

    expect(posted).toEqual({ channel: CHANNEL, ts: '1700000100.000200', threadTs: THREAD });
    // No record of when an earlier attempt went out (the intro's step progress): a day back.
    expect(replies).toEqual([{ channel: CHANNEL, ts: THREAD, include_all_metadata: 'true', limit: '200', oldest: expect.stringMatching(/^\d+\.\d{6}$/) }]);
    expect(posts).toEqual([
      {
        channel: CHANNEL,
        thread_ts: THREAD,
        text: 'Hi team, meet *Lee Lead*.\nFrom <@U0RITA> to <@U0LEE>',
        parse: 'none',
        unfurl_links: 'false',
        unfurl_media: 'false',
        metadata: JSON.stringify(introMetadata()),
      },
    ]);
    expect((req.progress as ReturnType<typeof progress>).saves).toEqual([{ channel: CHANNEL, ts: '1700000100.000200', threadTs: THREAD }]);
  });

  it('starts a new thread when the deal has none: searches a day of history (all pages) and returns threadTs = ts', async () => {
    const history: Form[] = [];
    expectCall('conversations.history', {
      messages: [
        { ts: '1700000050.000001', text: 'another handoff', metadata: introMetadata('h-other', 'h-other:post-intro') },
        { ts: '1700000040.000001', text: 'chatter' },
      ],
      has_more: true,
      response_metadata: { next_cursor: 'page2' },
    }, history);
    expectCall('conversations.history', { messages: [], has_more: false, response_metadata: { next_cursor: '' } }, history);
    lookups({ 'rita@vendor.test': 'U0RITA', 'lee@vendor.test': 'U0LEE' });
    const posts = expectCall('chat.postMessage', { channel: CHANNEL, ts: '1700000200.000300' });

    const before = Date.now() / 1000;
    const posted = await chat().postIntro(introRequest({}, { threadTs: null }));

    expect(posted).toEqual({ channel: CHANNEL, ts: '1700000200.000300', threadTs: '1700000200.000300' });
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ channel: CHANNEL, include_all_metadata: 'true', limit: '200' });
    expect(history[1]).toMatchObject({ channel: CHANNEL, include_all_metadata: 'true', cursor: 'page2' });
    const oldest = Number(history[0]?.oldest);
    expect(oldest).toBeGreaterThan(before - DAY_S - 5);
    expect(oldest).toBeLessThan(before - DAY_S + 5);
    expect(posts[0]).not.toHaveProperty('thread_ts');
  });

  it('a retry after a crash (progress lost) finds the metadata message and posts nothing', async () => {
    const connector = chat();
    expectCall('conversations.history', { messages: [], response_metadata: { next_cursor: '' } });
    lookups({ 'rita@vendor.test': 'U0RITA', 'lee@vendor.test': 'U0LEE' });
    expectCall('chat.postMessage', { channel: CHANNEL, ts: '1700000300.000400' });
    const first = await connector.postIntro(introRequest({}, { threadTs: null }));

    // The crash lost the recorded progress: the second attempt starts from nothing. No chat.postMessage is mocked,
    // and nock refuses any unmocked request, so a second post would fail the test.
    expectCall('conversations.history', {
      messages: [{ ts: '1700000300.000400', text: 'Hi team', reply_count: 0, metadata: introMetadata() }],
      response_metadata: { next_cursor: '' },
    });
    const retryProgress = progress();
    const second = await connector.postIntro(introRequest({ progress: retryProgress }, { threadTs: null }));

    expect(second).toEqual(first);
    expect(retryProgress.saves).toEqual([first]);
  });

  it('a retry with recorded progress makes no Slack call at all', async () => {
    const saved = { channel: CHANNEL, ts: '1700000300.000400', threadTs: '1700000300.000400' };
    const posted = await chat().postIntro(introRequest({ progress: progress({ ...saved }) }, { threadTs: null }));
    expect(posted).toEqual(saved);
  });

  it('the retry in an existing thread finds its reply by handoff id', async () => {
    expectCall('conversations.replies', {
      messages: [
        { ts: THREAD, thread_ts: THREAD, text: 'root' },
        { ts: '1700000400.000001', thread_ts: THREAD, text: 'intro', metadata: introMetadata() },
      ],
      response_metadata: { next_cursor: '' },
    });
    const posted = await chat().postIntro(introRequest());
    expect(posted).toEqual({ channel: CHANNEL, ts: '1700000400.000001', threadTs: THREAD });
  });

  it('names people in plain (escaped) text when Slack does not know their email, or may not look it up', async () => {
    expectCall('conversations.replies', { messages: [], response_metadata: {} });
    expectCall('users.lookupByEmail', { ok: false, error: 'users_not_found' });
    expectCall('users.lookupByEmail', { ok: false, error: 'missing_scope', needed: 'users:read.email' });
    const posts = expectCall('chat.postMessage', { channel: CHANNEL, ts: '1700000500.000001' });
    const hostilePeople = {
      sales_rep: { ...people.sales_rep!, name: 'Rita <!channel> & co' },
      project_lead: { ...people.project_lead!, name: null },
    };
    await chat().postIntro(introRequest({ people: hostilePeople }));
    expect(posts[0]?.text).toBe('Hi team, meet *Lee Lead*.\nFrom Rita &lt;!channel&gt; &amp; co to lee@vendor.test');
  });

  it('caches email lookups across intros', async () => {
    const connector = chat();
    lookups({ 'rita@vendor.test': 'U0RITA', 'lee@vendor.test': 'U0LEE' });
    for (const [i, id] of ['h-1', 'h-2'].entries()) {
      expectCall('conversations.replies', { messages: [], response_metadata: {} });
      expectCall('chat.postMessage', { channel: CHANNEL, ts: `170000060${i}.000001` });
      await connector.postIntro(introRequest({ handoffId: id, idempotencyKey: `${id}:post-intro` }));
    }
    // Two lookups mocked in total (one per person): a second round of lookups would be unmocked and fail.
  });

  it('hostile deal text never reaches Slack as a mention, a broadcast or a link', async () => {
    // What the mapping layer produces: deal values escaped with escapeMrkdwn before interpolation.
    const hostile = '<!channel> <!here|here> <@U1> <https://evil.test|click me> & <!everyone>';
    const text = `Hi ${escapeMrkdwn(hostile)}, welcome!\nNotes: ${escapeMrkdwn('x'.repeat(100_000))} 👋 مرحبا`;
    expectCall('conversations.replies', { messages: [], response_metadata: {} });
    expectCall('users.lookupByEmail', { ok: false, error: 'users_not_found' }); // only the rep: no project lead
    const posts = expectCall('chat.postMessage', { channel: CHANNEL, ts: '1700000700.000001' });

    await chat().postIntro(introRequest({ people: { sales_rep: { ...people.sales_rep!, name: '<@U2> <!here>' } } }, { text: `${text} <!here>` }));

    const sent = posts[0]?.text ?? '';
    expect(sent.startsWith('Hi &lt;!channel&gt; &lt;!here|here&gt; &lt;@U1&gt; &lt;https://evil.test|click me&gt; &amp; &lt;!everyone&gt;, welcome!')).toBe(true);
    expect(sent).not.toMatch(/<!|<@U1>|<@U2>|<https?:/);
    expect(sent.length).toBeLessThanOrEqual(40_000);
    expect(sent.endsWith('\nFrom &lt;@U2&gt; &lt;!here&gt;')).toBe(true);
    expect(posts[0]?.parse).toBe('none');
  });
});

describe('errors', () => {
  const failPost = (reply: nock.Interceptor) => {
    expectCall('conversations.replies', { messages: [], response_metadata: {} });
    lookups({ 'rita@vendor.test': 'U0RITA', 'lee@vendor.test': 'U0LEE' });
    return reply;
  };

  it('429 → RetryableError with the Retry-After delay, and the client does not stall', async () => {
    failPost(slack().post('/api/chat.postMessage')).reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '7' });
    const connector = chat();
    const err = await connector.postIntro(introRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(7000);

    // WebClient's default would pause its whole queue for 7 s; ours answers the next call at once.
    expectCall('conversations.replies', { messages: [], response_metadata: {} });
    expectCall('chat.postMessage', { channel: CHANNEL, ts: '1700000800.000001' });
    const started = Date.now();
    await connector.postIntro(introRequest({ handoffId: 'h-2', idempotencyKey: 'h-2:post-intro' }));
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('5xx → RetryableError', async () => {
    failPost(slack().post('/api/chat.postMessage')).reply(503, 'upstream unavailable');
    const err = await chat().postIntro(introRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toContain('HTTP 503');
  });

  it('timeout → RetryableError', async () => {
    slack().post('/api/conversations.replies').delay(1500).reply(200, { ok: true, messages: [] });
    const err = await chat({ timeoutMs: 200 }).postIntro(introRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toContain('after 200 ms (timeout)');
  });

  it('network error → RetryableError', async () => {
    slack().post('/api/conversations.replies').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const err = await chat().postIntro(introRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toContain('network error');
  });

  it('not_in_channel → PermanentError telling the admin to invite the app', async () => {
    expectCall('conversations.history', { ok: false, error: 'not_in_channel' });
    const err = await chat().postIntro(introRequest({}, { threadTs: null })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe('Slack conversations.history: the Baton app is not in channel C0CLIENT01: invite it with /invite @Baton');
  });

  it('channel_not_found on post → PermanentError naming the deal property', async () => {
    failPost(slack().post('/api/chat.postMessage')).reply(200, { ok: false, error: 'channel_not_found' });
    const err = await chat().postIntro(introRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('channel C0CLIENT01 not found: check baton_client_slack_channel on the deal or the mapping');
  });

  it('invalid_auth → PermanentError naming SLACK_BOT_TOKEN, not the token', async () => {
    expectCall('conversations.replies', { ok: false, error: 'invalid_auth' });
    const err = await chat().postIntro(introRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('SLACK_BOT_TOKEN');
    expect((err as Error).message).not.toContain(TOKEN);
  });
});

describe('rate limits', () => {
  it('takes the per-channel key before each post and the workspace key before every other call', async () => {
    const taken: Array<{ key: string; perSecond: number }> = [];
    const limiter: RateLimiter = {
      async take(key, limit) {
        taken.push({ key, perSecond: limit.perSecond });
        return 0;
      },
    };
    expectCall('conversations.replies', { messages: [], response_metadata: {} });
    lookups({ 'rita@vendor.test': 'U0RITA', 'lee@vendor.test': 'U0LEE' });
    expectCall('chat.postMessage', { channel: CHANNEL, ts: '1700000900.000001' });
    await chat({ limiter, requestsPerSecond: 40, messagesPerSecondPerChannel: 1 }).postIntro(introRequest());
    expect(taken).toEqual([
      { key: 'slack', perSecond: 40 },
      { key: 'slack', perSecond: 40 },
      { key: 'slack', perSecond: 40 },
      { key: `slack:post:${CHANNEL}`, perSecond: 1 },
    ]);
  });
});

/** A watching post's claim: never attempted (attempting() counts the moments a request went out). */
function firstPost(): StepProgress & { saves: Record<string, unknown>[]; attempts: number } {
  const p = { ...progress(), firstAttempt: true, attempts: 0 };
  return Object.assign(p, { attempting: async () => void (p.attempts += 1) });
}
/** The claim of a post whose earlier request went out at `attemptedAt` and whose answer never arrived. */
const retriedPost = (attemptedAt: string) => ({ ...progress(), firstAttempt: false, attemptedAt });

describe('sendDirectMessage', () => {
  it('looks the person up, opens the DM and posts with metadata (no history read on a first attempt)', async () => {
    const connector = chat();
    const lookup = expectCall('users.lookupByEmail', { user: { id: 'U0RITA' } });
    const open = expectCall('conversations.open', { channel: { id: 'D0RITA' } });
    const posts = expectCall('chat.postMessage', { channel: 'D0RITA', ts: '1700001000.000001' });
    const claim = firstPost();

    const sent = await connector.sendDirectMessage({ idempotencyKey: 'prep:deal-9:v3', email: 'Rita@Vendor.test', text: 'Missing: *Scope*', progress: claim });

    expect(sent).toEqual({ channel: 'D0RITA', ts: '1700001000.000001' });
    expect(claim.attempts).toBe(1);
    expect(claim.saves).toEqual([{ channel: 'D0RITA', ts: '1700001000.000001', threadTs: '1700001000.000001' }]);
    expect(lookup).toEqual([{ email: 'rita@vendor.test' }]);
    expect(open).toEqual([{ users: 'U0RITA' }]);
    expect(posts[0]).toMatchObject({
      channel: 'D0RITA',
      text: 'Missing: *Scope*',
      metadata: JSON.stringify({ event_type: 'baton_direct_message', event_payload: { idempotency_key: 'prep:deal-9:v3' } }),
    });

    // A claim that holds the message: returned without a call.
    expect(await connector.sendDirectMessage({ idempotencyKey: 'prep:deal-9:v3', email: 'rita@vendor.test', text: 'again', progress: progress({ channel: 'D0RITA', ts: '1700001000.000001' }) })).toEqual(sent);

    // An earlier request went out and its answer was lost: the DM's history is read from that moment (less clock skew) on.
    expectCall('conversations.open', { channel: { id: 'D0RITA' } });
    const history = expectCall('conversations.history', {
      messages: [{ ts: '1700001000.000001', metadata: { event_type: 'baton_direct_message', event_payload: { idempotency_key: 'prep:deal-9:v3' } } }],
      response_metadata: {},
    });
    expect(await connector.sendDirectMessage({ idempotencyKey: 'prep:deal-9:v3', email: 'rita@vendor.test', text: 'again', progress: retriedPost('2023-11-14T22:20:00.000Z') })).toEqual(sent);
    expect(history[0]).toMatchObject({ channel: 'D0RITA', include_all_metadata: 'true', oldest: '1700000100.000000' });
  });

  it('skips people Slack does not know', async () => {
    expectCall('users.lookupByEmail', { ok: false, error: 'users_not_found' });
    expect(await chat().sendDirectMessage({ idempotencyKey: 'k', email: 'ghost@vendor.test', text: 'x', progress: firstPost() })).toEqual({ skipped: 'no Slack user for ghost@vendor.test' });
  });
});

describe('postMessage', () => {
  it('resolves a channel name, posts in the thread with the caller’s metadata, and finds it on an ambiguous retry', async () => {
    const connector = chat();
    const list = expectCall('conversations.list', { channels: [{ id: 'C0OTHER001', name: 'general' }], response_metadata: { next_cursor: 'p2' } });
    expectCall('conversations.list', { channels: [{ id: 'C0ESCAL001', name: 'delivery-escalations' }], response_metadata: { next_cursor: '' } }, list);
    const posts = expectCall('chat.postMessage', { channel: 'C0ESCAL001', ts: '1700001100.000001' });
    const req = {
      idempotencyKey: 'h-1:kickoff-not-scheduled:1',
      channel: '#delivery-escalations',
      threadTs: THREAD,
      text: 'Kickoff not scheduled',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Kickoff not scheduled' } }],
      metadataType: 'baton_escalation',
      metadata: { handoff_id: 'h-1', rung: 1, urgent: true },
    };

    const posted = await connector.postMessage({ ...req, progress: firstPost() });

    expect(posted).toEqual({ channel: 'C0ESCAL001', ts: '1700001100.000001', threadTs: THREAD });
    expect(list[0]).toMatchObject({ types: 'public_channel,private_channel', exclude_archived: 'true', limit: '200' });
    expect(list[1]).toMatchObject({ cursor: 'p2' });
    expect(posts[0]).toMatchObject({
      channel: 'C0ESCAL001',
      thread_ts: THREAD,
      blocks: JSON.stringify(req.blocks),
      metadata: JSON.stringify({ event_type: 'baton_escalation', event_payload: { handoff_id: 'h-1', rung: 1, urgent: true, idempotency_key: 'h-1:kickoff-not-scheduled:1' } }),
    });

    // Retry after a lost answer: the channel name is cached, the reply is found by its key from the attempt on.
    const replies = expectCall('conversations.replies', {
      messages: [
        { ts: THREAD, thread_ts: THREAD },
        { ts: '1700001100.000001', thread_ts: THREAD, metadata: { event_type: 'baton_escalation', event_payload: { idempotency_key: 'h-1:kickoff-not-scheduled:1' } } },
      ],
      response_metadata: {},
    });
    expect(await connector.postMessage({ ...req, progress: retriedPost('2023-11-14T22:20:00.000Z') })).toEqual(posted);
    expect(replies[0]).toMatchObject({ ts: THREAD, oldest: '1700000100.000000' });
  });

  it('an unknown channel name is a permanent error', async () => {
    expectCall('conversations.list', { channels: [], response_metadata: { next_cursor: '' } });
    const err = await chat().postMessage({ idempotencyKey: 'k', channel: '#nope', text: 'x', metadataType: 't', metadata: {}, progress: firstPost() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('channel #nope not found');
  });
});

describe('preflight', () => {
  it('reports one problem per channel or person, each with a fix', async () => {
    expectCall('auth.test', { user_id: 'UBOT' });
    expectCall('conversations.info', { channel: { id: 'C0OK000001', is_member: true, is_archived: false } });
    expectCall('conversations.info', { channel: { id: 'C0OUT00001', is_member: false, is_archived: false } });
    expectCall('conversations.info', { channel: { id: 'C0OLD00001', is_member: true, is_archived: true } });
    expectCall('conversations.info', { ok: false, error: 'channel_not_found' });
    expectCall('users.lookupByEmail', { user: { id: 'U0RITA' } });
    expectCall('users.lookupByEmail', { ok: false, error: 'users_not_found' });

    const problems = await chat().preflight({
      channels: ['C0OK000001', 'C0OUT00001', 'C0OLD00001', 'C0GONE0001'],
      emails: ['rita@vendor.test', 'ghost@vendor.test'],
    });

    expect(problems.map((p) => p.problem)).toEqual([
      'the Baton app is not in Slack channel C0OUT00001',
      'Slack channel C0OLD00001 is archived',
      'Slack channel C0GONE0001 not found (or the Baton app cannot see it)',
      'no Slack user for ghost@vendor.test: intros name them in plain text instead of mentioning them, and DMs to them are skipped',
    ]);
    expect(problems[0]?.fix).toBe('invite it: /invite @Baton in C0OUT00001');
    for (const p of problems) expect(p.fix.length).toBeGreaterThan(10);
  });

  it('stops at a rejected token with one actionable problem', async () => {
    expectCall('auth.test', { ok: false, error: 'invalid_auth' });
    const problems = await chat().preflight({ channels: ['C0OK000001'], emails: ['rita@vendor.test'] });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.problem).toContain('SLACK_BOT_TOKEN');
    expect(problems[0]?.fix).toContain('SLACK_BOT_TOKEN');
  });
});
