// A local Slack Web API for whole-process tests and the benchmark (node:http, no framework). It models the
// documented behaviour: POST /api/<method> with form or JSON bodies (GET query too), Bearer auth answered with
// HTTP 200 ok:false invalid_auth/not_authed, errors as {ok:false,error}, cursor pagination through
// response_metadata.next_cursor, message metadata returned only with include_all_metadata, and chat.postMessage
// limited per channel per one-second window with HTTP 429 + Retry-After (integer seconds ≥ 1). OAuth scopes per
// token: every answer carries the token's scopes in `x-oauth-scopes` (what auth.test reports), and a method the
// token lacks the scope for answers `missing_scope` with `needed` and `provided`, as Slack does. Injected faults
// (faults.ts): 5xx, 429 storms, stalls, slow and cut-off answers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { StandinFaults, bendBody, deliver, type Fault } from './faults.js';

export interface StandinChannel {
  id: string;
  name: string;
  /** Is the Baton app a member? (not_in_channel otherwise). Default true. */
  member?: boolean;
  archived?: boolean;
  private?: boolean;
}

export interface StandinUser {
  id: string;
  email: string;
  name?: string;
  deleted?: boolean;
}

export interface StandinMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Every other argument chat.postMessage received (parse, unfurl_links, ...), as sent. */
  args: Record<string, unknown>;
}

export interface SlackStandinOptions {
  port?: number;
  /** chat.postMessage per channel per second (Slack: ~1). Default 1. */
  ratePerSecond?: number;
  /** Other methods, per method per second (Slack's tiers are per minute; off by default). */
  methodRatePerSecond?: number;
  latencyMs?: number;
  token?: string;
  channels?: StandinChannel[];
  users?: StandinUser[];
  /** Largest page conversations.history/replies/list return, whatever `limit` asks (Slack caps too). Default 200. */
  maxPageSize?: number;
  /** Scopes of `token`. Default: every scope the stand-in knows (STANDIN_ALL_SCOPES). */
  scopes?: string[];
  /** More bot tokens of the same app, each with its own scopes (an install that lacks some). */
  tokens?: Record<string, string[]>;
}

/** Every bot scope a method of the stand-in can ask for. */
export const STANDIN_ALL_SCOPES = [
  'chat:write',
  'channels:read',
  'groups:read',
  'im:read',
  'im:write',
  'users:read',
  'users:read.email',
  'channels:history',
  'groups:history',
  'im:history',
  'mpim:history',
];

export interface SlackStandinState {
  messages: StandinMessage[];
  count429: number;
  /** Requests per method (including rejected ones). */
  requests: Record<string, number>;
  /** The arguments of every conversations.history / conversations.replies call, in order (how far back they read). */
  historyReads: { method: string; args: Record<string, unknown> }[];
  channels: StandinChannel[];
  users: StandinUser[];
}

export interface SlackStandin {
  /** Web API base to hand to the connector (ends with /api/). */
  url: string;
  token: string;
  state: SlackStandinState;
  /** Outages, storms, stalls and garbled answers, switched on and off by tests. */
  faults: StandinFaults;
  close(): Promise<void>;
}

export const STANDIN_BOT_USER = 'UBATONBOT';
export const STANDIN_BOT_ID = 'BBATON001';
export const STANDIN_TOKEN = 'xoxb-standin-token';

type Args = Record<string, unknown>;
type Reply = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };

export async function startSlackStandin(opts: SlackStandinOptions = {}): Promise<SlackStandin> {
  const token = opts.token ?? STANDIN_TOKEN;
  const ratePerSecond = opts.ratePerSecond ?? 1;
  const maxPage = opts.maxPageSize ?? 200;
  const state: SlackStandinState = {
    messages: [],
    count429: 0,
    requests: {},
    historyReads: [],
    channels: opts.channels ?? [{ id: 'C0CLIENT01', name: 'client-acme' }],
    users: opts.users ?? [],
  };
  const windows = new Map<string, { second: number; count: number }>();
  const faults = new StandinFaults();
  const scopesOf = new Map<string, string[]>([[token, opts.scopes ?? STANDIN_ALL_SCOPES], ...Object.entries(opts.tokens ?? {})]);
  let lastTsMicros = 0;

  const nextTs = (): string => {
    // Unique and increasing, in Slack's "seconds.micros" form.
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 1);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };
  const ok = (body: Record<string, unknown> = {}): Reply => ({ body: { ok: true, ...body } });
  const fail = (error: string, extra: Record<string, unknown> = {}): Reply => ({ body: { ok: false, error, ...extra } });

  /** true when this key already used its allowance in the current one-second window. */
  function overLimit(key: string, perSecond: number): boolean {
    const second = Math.floor(Date.now() / 1000);
    const w = windows.get(key);
    if (!w || w.second !== second) {
      windows.set(key, { second, count: 1 });
      return false;
    }
    if (w.count >= perSecond) return true;
    w.count += 1;
    return false;
  }
  const rateLimited = (): Reply => {
    state.count429 += 1;
    const untilNextWindow = 1000 - (Date.now() % 1000);
    return { status: 429, headers: { 'Retry-After': String(Math.max(1, Math.ceil(untilNextWindow / 1000))) }, body: { ok: false, error: 'ratelimited' } };
  };

  const findChannel = (id: unknown) => state.channels.find((c) => c.id === id || `#${c.name}` === id || c.name === id);
  /** The channel for a read or write: channel_not_found / not_in_channel as Slack answers them. */
  function channelFor(id: unknown, action: 'read' | 'write'): StandinChannel | Reply {
    if (typeof id === 'string' && id.startsWith('D')) return { id, name: id, member: true };
    const c = findChannel(id);
    // A private channel the bot is not in is invisible to it.
    if (!c || (c.private && c.member === false)) return fail('channel_not_found');
    if (c.member === false) return fail('not_in_channel');
    if (action === 'write' && c.archived) return fail('is_archived');
    return c;
  }
  const isReply = (v: StandinChannel | Reply): v is Reply => 'body' in v;

  /** The scopes Slack asks of this call: per method, and for conversations by the kind of conversation. */
  function neededScopes(method: string, args: Args): string[] {
    const kind = (): 'channels' | 'groups' | 'im' => {
      if (typeof args.channel === 'string' && args.channel.startsWith('D')) return 'im';
      return findChannel(args.channel)?.private ? 'groups' : 'channels';
    };
    switch (method) {
      case 'chat.postMessage':
        return ['chat:write'];
      case 'conversations.history':
      case 'conversations.replies':
        return [`${kind()}:history`];
      case 'conversations.info':
        return [`${kind()}:read`];
      case 'conversations.list':
        return String(args.types ?? 'public_channel').includes('private_channel') ? ['channels:read', 'groups:read'] : ['channels:read'];
      case 'conversations.open':
        return ['im:write'];
      case 'users.lookupByEmail':
        return ['users:read.email'];
      default:
        return [];
    }
  }

  function view(m: StandinMessage, withMetadata: boolean, replyCount?: number): Record<string, unknown> {
    return {
      type: 'message',
      user: STANDIN_BOT_USER,
      bot_id: STANDIN_BOT_ID,
      text: m.text,
      ts: m.ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(replyCount ? { thread_ts: m.ts, reply_count: replyCount } : {}),
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  function page<T>(items: T[], args: Args): { items: T[]; next: string } {
    const limit = Math.min(Math.max(1, Number(args.limit ?? 100) || 100), maxPage);
    const start = typeof args.cursor === 'string' && args.cursor !== '' ? Number(Buffer.from(args.cursor, 'base64url').toString().replace('offset:', '')) : 0;
    const slice = items.slice(start, start + limit);
    const next = start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString('base64url') : '';
    return { items: slice, next };
  }
  const bool = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;
  const json = (v: unknown) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  };

  const methods: Record<string, (args: Args) => Reply> = {
    'auth.test': () => ok({ url: 'https://standin.slack.test/', team: 'Standin', user: 'baton', team_id: 'T0STANDIN', user_id: STANDIN_BOT_USER, bot_id: STANDIN_BOT_ID }),

    'chat.postMessage': (args) => {
      const c = channelFor(args.channel, 'write');
      if (isReply(c)) return c;
      if (overLimit(`post:${c.id}`, ratePerSecond)) return rateLimited();
      const text = typeof args.text === 'string' ? args.text : '';
      const blocks = json(args.blocks);
      if (text === '' && !blocks) return fail('no_text');
      if (text.length > 40_000) return fail('msg_too_long');
      if (args.blocks !== undefined && !Array.isArray(blocks)) return fail('invalid_blocks');
      const threadTs = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : undefined;
      if (threadTs && !state.messages.some((m) => m.channel === c.id && m.ts === threadTs && !m.thread_ts)) {
        // Stricter than Slack (which may post it anyway): a reply to a ts that is not a thread root is a Baton bug to surface.
        return fail('thread_not_found');
      }
      const metadata = json(args.metadata) as StandinMessage['metadata'] | undefined;
      if (args.metadata !== undefined && (typeof metadata !== 'object' || metadata === null || typeof metadata.event_type !== 'string')) {
        return fail('invalid_metadata_format');
      }
      const { channel: _c, text: _t, blocks: _b, metadata: _m, thread_ts: _th, token: _tok, ...rest } = args;
      const m: StandinMessage = { channel: c.id, ts: nextTs(), text, args: rest, ...(threadTs ? { thread_ts: threadTs } : {}), ...(blocks ? { blocks } : {}), ...(metadata ? { metadata } : {}) };
      state.messages.push(m);
      return ok({ channel: c.id, ts: m.ts, message: view(m, true) });
    },

    'conversations.history': (args) => {
      const c = channelFor(args.channel, 'read');
      if (isReply(c)) return c;
      const oldest = Number(args.oldest ?? 0);
      const latest = args.latest !== undefined ? Number(args.latest) : Number.POSITIVE_INFINITY;
      const top = state.messages
        .filter((m) => m.channel === c.id && !m.thread_ts && Number(m.ts) > oldest && Number(m.ts) <= latest)
        .sort((a, b) => Number(b.ts) - Number(a.ts)); // newest first, as Slack returns them
      const { items, next } = page(top, args);
      const withMeta = bool(args.include_all_metadata);
      const replies = (ts: string) => state.messages.filter((r) => r.channel === c.id && r.thread_ts === ts).length;
      return ok({ messages: items.map((m) => view(m, withMeta, replies(m.ts))), has_more: next !== '', response_metadata: { next_cursor: next } });
    },

    'conversations.replies': (args) => {
      const c = channelFor(args.channel, 'read');
      if (isReply(c)) return c;
      const parent = state.messages.find((m) => m.channel === c.id && m.ts === args.ts);
      if (!parent) return fail('thread_not_found');
      const rootTs = parent.thread_ts ?? parent.ts;
      const root = state.messages.find((m) => m.channel === c.id && m.ts === rootTs);
      // `oldest` bounds the replies; the thread's first message always comes first, as Slack returns it.
      const oldest = Number(args.oldest ?? 0);
      const thread = [root, ...state.messages.filter((m) => m.channel === c.id && m.thread_ts === rootTs && Number(m.ts) > oldest)].filter((m): m is StandinMessage => !!m);
      const { items, next } = page(thread, args); // oldest first
      const withMeta = bool(args.include_all_metadata);
      return ok({ messages: items.map((m) => view(m, withMeta)), has_more: next !== '', response_metadata: { next_cursor: next } });
    },

    'conversations.info': (args) => {
      const c = findChannel(args.channel);
      if (!c || (c.private && c.member === false)) return fail('channel_not_found');
      return ok({ channel: { id: c.id, name: c.name, is_channel: !c.private, is_private: !!c.private, is_archived: !!c.archived, is_member: c.member !== false } });
    },

    'conversations.list': (args) => {
      const excludeArchived = bool(args.exclude_archived);
      const visible = state.channels.filter((c) => !(c.private && c.member === false) && !(excludeArchived && c.archived));
      const { items, next } = page(visible, args);
      return ok({ channels: items.map((c) => ({ id: c.id, name: c.name, is_archived: !!c.archived, is_member: c.member !== false })), response_metadata: { next_cursor: next } });
    },

    'conversations.open': (args) => {
      const users = typeof args.users === 'string' ? args.users.split(',') : [];
      const user = users.length === 1 ? state.users.find((u) => u.id === users[0]) : undefined;
      if (!user) return fail(users.length === 0 ? 'users_list_not_supplied' : 'user_not_found');
      return ok({ channel: { id: `D${user.id.slice(1)}` } });
    },

    'users.lookupByEmail': (args) => {
      const email = typeof args.email === 'string' ? args.email.toLowerCase() : '';
      const u = state.users.find((x) => x.email.toLowerCase() === email);
      if (!u) return fail('users_not_found');
      return ok({ user: { id: u.id, team_id: 'T0STANDIN', name: u.name ?? u.email, deleted: !!u.deleted, profile: { email: u.email, real_name: u.name ?? '' } } });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = url.pathname.replace(/^\/api\//, '');
    state.requests[method] = (state.requests[method] ?? 0) + 1;
    const raw = await readBody(req);
    const fault = faults.take(`${req.method ?? 'POST'} ${url.pathname}`);
    if (fault?.kind === 'stall') return; // read, never answered: the client's timeout ends it
    const reply = (r: Reply) => deliver(fault, () => send(res, r, fault));
    if (fault?.kind === 'error') return reply({ status: fault.status ?? 503, body: { ok: false, error: 'service_unavailable' } });
    if (fault?.kind === 'rate-limit') {
      state.count429 += 1;
      return reply({ status: 429, headers: { 'Retry-After': String(fault.retryAfterS) }, body: { ok: false, error: 'ratelimited' } });
    }
    let args: Args = Object.fromEntries(url.searchParams);
    const type = req.headers['content-type'] ?? '';
    if (type.includes('application/json')) {
      try {
        args = { ...args, ...(JSON.parse(raw || '{}') as Args) };
      } catch {
        return reply(fail('invalid_json'));
      }
    } else if (raw !== '') {
      args = { ...args, ...(parseQuery(raw) as Args) };
    }
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));

    if (method === 'conversations.history' || method === 'conversations.replies') state.historyReads.push({ method, args });
    const handler = methods[method];
    if (!handler) return reply({ status: 404, body: { ok: false, error: 'unknown_method' } });
    // Bearer header, or (form posts only) a token argument — as Slack accepts.
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' && !type.includes('application/json') ? args.token : undefined;
    if (given === undefined) return reply(fail('not_authed'));
    const scopes = scopesOf.get(given);
    if (!scopes) return reply(fail('invalid_auth'));
    const scopeHeader = { 'x-oauth-scopes': scopes.join(',') };
    const needed = neededScopes(method, args).find((scope) => !scopes.includes(scope));
    if (needed) return reply({ headers: scopeHeader, body: { ok: false, error: 'missing_scope', needed, provided: scopes.join(',') } });
    if (method !== 'chat.postMessage' && opts.methodRatePerSecond && overLimit(`method:${method}`, opts.methodRatePerSecond)) {
      return reply(rateLimited());
    }
    const answer = handler(args);
    reply({ ...answer, headers: { ...scopeHeader, ...answer.headers } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, { status: 500, body: { ok: false, error: 'fatal_error', detail: String(e) } }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    state,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply, fault?: Fault): void {
  if (res.destroyed) return;
  const body = bendBody(fault, JSON.stringify(reply.body));
  res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers });
  res.end(body);
}
