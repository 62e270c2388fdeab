// The ChatConnector for Slack (live mode, @slack/web-api 8): the intro in the client's thread, DMs to people
// by email, and general marked messages (escalations). Every post carries metadata as its marker. The caller's
// progress record (the intro's step, or a watching post's claim: jobs/chat-post-claims.ts) comes first: a
// message it already holds is returned without a call, a first attempt posts straight away, and only a retry
// whose earlier request may have posted searches for the marker, from that request's time on.
import { isPermanent, PermanentError } from '../../src/handoff/errors.js';
import type { ChannelMessageRequest, ChatConnector, DirectMessageRequest as ConnectorDirectMessageRequest, PostedMessage, PostIntroRequest, StepProgress } from '../../src/handoff/ports.js';
import { findMarkedMessage, markerSearchFrom } from './find-marked-message.js';
import { buildIntroText, mentionOrName, type IntroPerson } from './intro-text.js';
import { platformErrorCode } from './classify-error.js';
import { createSlackApi, type SlackApi, type SlackApiOptions } from './slack-api.js';
import { createSlackDirectory, type SlackDirectory } from './slack-directory.js';
import { slackPreflight, type PreflightProblem } from './slack-preflight.js';

/** The Web API client's options (slack-api.ts) plus the connector's caches. */
export interface SlackOptions extends SlackApiOptions {
  /** How long email → user id (and channel name → id) answers are reused. Default 1 hour. */
  userCacheMs?: number;
}

export const INTRO_EVENT_TYPE = 'baton_handoff_intro';
export const DM_EVENT_TYPE = 'baton_direct_message';
export const DEFAULT_USER_CACHE_MS = 60 * 60 * 1000;

export type MetadataValue = string | number | boolean;

/** The connector interface's DM without the handoff id (the idempotency key already names it). */
export type DirectMessageRequest = Omit<ConnectorDirectMessageRequest, 'handoffId'>;

/** The connector interface's message without the handoff id (the idempotency key already names it). */
export type PostMessageRequest = Omit<ChannelMessageRequest, 'handoffId'>;

export interface SlackChat extends ChatConnector {
  sendDirectMessage(req: DirectMessageRequest): Promise<{ channel: string; ts: string } | { skipped: string }>;
  postMessage(req: PostMessageRequest): Promise<PostedMessage>;
  preflight(req: { channels: string[]; emails: string[] }): Promise<PreflightProblem[]>;
  lookupUserId(email: string): Promise<string | null>;
  openView(triggerId: string, view: Record<string, unknown>): Promise<void>;
}

interface MarkedPost {
  channel: string;
  threadTs: string | null;
  text: string;
  blocks?: unknown[];
  eventType: string;
  payload: Record<string, MetadataValue>;
  /** Recognises this post's payload among earlier messages. */
  matches(payload: Record<string, unknown>): boolean;
  progress: StepProgress;
  /** Called only when nothing was found and a post is about to happen (e.g. resolve mentions). */
  prepare?: () => Promise<{ text: string }>;
}

export function createSlackChat(opts: SlackOptions): SlackChat {
  const api = createSlackApi(opts);
  const directory = createSlackDirectory(api, { cacheMs: opts.userCacheMs ?? DEFAULT_USER_CACHE_MS });
  const log = opts.logger?.child({ connector: 'slack' });

  return {
    tool: 'slack',
    mode: 'live',

    async postIntro(req: PostIntroRequest): Promise<PostedMessage> {
      const saved = savedMessage(req.progress, req.intro.threadTs);
      if (saved) return saved;
      const channel = await directory.resolveChannel(req.intro.channel);
      return postMarked(api, {
        channel,
        threadTs: req.intro.threadTs,
        text: req.intro.text,
        eventType: INTRO_EVENT_TYPE,
        payload: { handoff_id: req.handoffId, idempotency_key: req.idempotencyKey },
        matches: (p) => p.handoff_id === req.handoffId,
        progress: req.progress,
        prepare: async () => {
          const rep = await introPerson(directory, req.people.sales_rep, log);
          const lead = await introPerson(directory, req.people.project_lead, log);
          return { text: buildIntroText(req.intro.text, rep, lead) };
        },
      });
    },

    async sendDirectMessage(req) {
      const saved = savedMessage(req.progress, null);
      if (saved) return { channel: saved.channel, ts: saved.ts };
      const userId = await directory.lookupUser(req.email);
      if (!userId) return { skipped: `no Slack user for ${req.email}` };
      const opened = await api.call('conversations.open', { users: userId });
      const channel = (opened.channel as { id?: unknown } | undefined)?.id;
      if (typeof channel !== 'string') throw new Error(`Slack conversations.open returned no channel for ${req.email}`);
      const posted = await postMarked(api, {
        channel,
        threadTs: null,
        text: req.text,
        ...(req.blocks ? { blocks: req.blocks } : {}),
        eventType: DM_EVENT_TYPE,
        payload: { idempotency_key: req.idempotencyKey },
        matches: (p) => p.idempotency_key === req.idempotencyKey,
        progress: req.progress,
      });
      return { channel: posted.channel, ts: posted.ts };
    },

    async postMessage(req) {
      const saved = savedMessage(req.progress, req.threadTs ?? null);
      if (saved) return saved;
      const channel = await directory.resolveChannel(req.channel);
      return postMarked(api, {
        channel,
        threadTs: req.threadTs ?? null,
        text: req.text,
        ...(req.blocks ? { blocks: req.blocks } : {}),
        eventType: req.metadataType,
        payload: { ...req.metadata, idempotency_key: req.idempotencyKey },
        matches: (p) => p.idempotency_key === req.idempotencyKey,
        progress: req.progress,
      });
    },

    preflight(req) {
      return slackPreflight(api, directory, req);
    },

    // Watching (issue #4): mentions in escalations, and the feedback modal opened from a button.
    lookupUserId(email) {
      return directory.lookupUser(email);
    },

    async openView(triggerId, view) {
      await api.call('views.open', { trigger_id: triggerId, view });
    },
  };
}

/** What an earlier attempt recorded through progress.save, when it got as far as posting. */
function savedMessage(progress: StepProgress, threadTs: string | null): PostedMessage | null {
  const { channel, ts } = progress.saved;
  if (typeof channel !== 'string' || typeof ts !== 'string') return null;
  const savedThread = progress.saved.threadTs;
  return { channel, ts, threadTs: typeof savedThread === 'string' ? savedThread : (threadTs ?? ts) };
}

/** Find the earlier marked message when an earlier attempt may have posted it, else post one (and record it). */
async function postMarked(api: SlackApi, p: MarkedPost): Promise<PostedMessage> {
  // A first attempt has never posted: reading history for a marker would only cost rate-limited calls (and scopes).
  const found = p.progress.firstAttempt ? null : await findEarlierPost(api, p);
  if (found) {
    const posted = { channel: p.channel, ts: found.ts, threadTs: p.threadTs ?? found.threadTs };
    await p.progress.save({ ...posted });
    return posted;
  }
  const text = p.prepare ? (await p.prepare()).text : p.text;
  await p.progress.attempting?.();
  const res = await api.call(
    'chat.postMessage',
    {
      channel: p.channel,
      text,
      ...(p.threadTs ? { thread_ts: p.threadTs } : {}),
      ...(p.blocks ? { blocks: p.blocks } : {}),
      // Text is sent as written: no auto-linking of names/URLs, no link previews in the client's channel.
      parse: 'none',
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: p.eventType, event_payload: p.payload },
    },
    { channel: p.channel },
  );
  const ts = res.ts;
  if (typeof ts !== 'string') throw new Error('Slack chat.postMessage answered ok without a ts');
  const channel = typeof res.channel === 'string' ? res.channel : p.channel;
  // A new top-level message starts the thread: its ts is the client thread from now on.
  const posted = { channel, ts, threadTs: p.threadTs ?? ts };
  await p.progress.save({ ...posted });
  return posted;
}

/** The marker search after an attempt that may have posted; a token that may not read history says which scope. */
async function findEarlierPost(api: SlackApi, p: MarkedPost) {
  try {
    return await findMarkedMessage(api, { channel: p.channel, threadTs: p.threadTs, eventType: p.eventType, matches: p.matches, oldestMs: markerSearchFrom(p.progress) });
  } catch (e) {
    if (!isPermanent(e) || platformErrorCode(e.cause) !== 'missing_scope') throw e;
    throw new PermanentError(`${e.message} (needed to check whether an earlier attempt, whose answer never arrived, already posted this message)`, e.connector, e.field, { cause: e });
  }
}

/** Mention when Slack knows the email; the plain name when not (or when the bot may not look people up). */
async function introPerson(
  directory: SlackDirectory,
  person: PostIntroRequest['people'][string] | undefined,
  log: SlackApiOptions['logger'],
): Promise<IntroPerson> {
  if (!person) return null;
  let userId: string | null = null;
  if (person.email) {
    try {
      userId = await directory.lookupUser(person.email);
    } catch (e) {
      // A mention is a nicety: a missing users:read.email scope must not block the intro (preflight reports it).
      if (!isPermanent(e)) throw e;
      log?.warn({ role: person.role, err: e.message }, 'slack user lookup failed; naming the person in plain text');
    }
  }
  return mentionOrName(person, userId);
}
