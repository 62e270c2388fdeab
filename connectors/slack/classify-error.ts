// Turns whatever a Slack Web API call threw into RetryableError / PermanentError (src/handoff/errors.ts) so jobs
// never look at Slack details. Slack answers most failures with HTTP 200 and `ok:false, error:<code>`; the
// message for each code says what an admin has to change. Never the token.
import { formatWait, isObject, redactSecrets } from '../common/http-failure.js';
import { ErrorCode } from '@slack/web-api';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';

export const CONNECTOR = 'slack';

/** A 429 (or `ratelimited`) without a usable Retry-After: Slack's windows are per second / per minute. */
export const DEFAULT_429_BACKOFF_MS = 1_000;
/** Ceiling for any server-requested wait. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Where the bot token comes from, named in every auth/scope message. */
export const TOKEN_SETTING = 'SLACK_BOT_TOKEN';

export interface SlackClassifyContext {
  /** The Web API method, e.g. "chat.postMessage". Goes into the message. */
  operation: string;
  /** The channel the call was about, named in channel errors. */
  channel?: string;
  /** The thread ts the call was about, named in thread_not_found. */
  threadTs?: string;
  /** Scopes the method needs, named when Slack's missing_scope answer does not say. */
  scopes?: readonly string[];
  /** Strings that must never appear in a message (the token). */
  secrets?: readonly string[];
  /** The client timeout, for the timeout message. */
  timeoutMs?: number;
}

/** What Slack's error codes look like (invalid_auth, channel_not_found…); anything else was not a Slack answer. */
const ERROR_CODE = /^[a-z][a-z0-9_.]*$/;
const RETRYABLE_CODES = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const AUTH_CODES = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'no_permission', 'not_allowed_token_type']);

/** The `error` code of an ok:false answer, or undefined when `err` is not a platform error. */
export function platformErrorCode(err: unknown): string | undefined {
  if (!isObject(err) || err.code !== ErrorCode.PlatformError || !isObject(err.data)) return undefined;
  return typeof err.data.error === 'string' ? err.data.error : undefined;
}

export function classifySlackError(err: unknown, ctx: SlackClassifyContext): RetryableError | PermanentError {
  if (err instanceof RetryableError || err instanceof PermanentError) return err;
  const say = (m: string) => redactSecrets(`Slack ${ctx.operation}: ${m}`, ctx.secrets);
  const opts = { cause: err };
  const e = isObject(err) ? err : {};

  if (e.code === ErrorCode.RateLimitedError) {
    const wait = retryAfterMs(e.retryAfter);
    return new RetryableError(say(`rate limited (429); retrying in ${formatWait(wait)}`), CONNECTOR, wait, { ...opts, reason: 'rate-limited' });
  }
  if (e.code === ErrorCode.PlatformError && isObject(e.data)) {
    return classifyPlatformError(e.data, ctx, say, opts);
  }
  if (e.code === ErrorCode.HTTPError && typeof e.statusCode === 'number') {
    const s = e.statusCode;
    if (s >= 500 || s === 408) return new RetryableError(say(`Slack answered HTTP ${s}; will retry`), CONNECTOR, undefined, opts);
    return new PermanentError(say(`Slack answered HTTP ${s}: check SLACK_API_URL and that the method exists`), CONNECTOR, undefined, opts);
  }
  if (e.code === ErrorCode.RequestError) {
    const original = isObject(e.original) ? e.original : {};
    if (original.name === 'TimeoutError' || original.name === 'AbortError') {
      const after = ctx.timeoutMs ? ` after ${ctx.timeoutMs} ms` : '';
      return new RetryableError(say(`no answer from Slack${after} (timeout); will retry`), CONNECTOR, undefined, opts);
    }
    return new RetryableError(say(`network error (${networkCode(original) ?? describe(original)}); will retry`), CONNECTOR, undefined, opts);
  }
  // WebClient throws a plain Error for a 429 whose Retry-After it cannot read.
  if (err instanceof Error && /rate limit|Retry header/i.test(err.message)) {
    return new RetryableError(say(`rate limited (429 without a usable Retry-After); retrying in ${formatWait(DEFAULT_429_BACKOFF_MS)}`), CONNECTOR, DEFAULT_429_BACKOFF_MS, {
      ...opts,
      reason: 'rate-limited',
    });
  }
  // Not an HTTP answer and not a known failure: retry within the job's attempt budget, keep the cause.
  return new RetryableError(say(`unexpected failure (${describe(err)})`), CONNECTOR, undefined, opts);
}

function classifyPlatformError(
  data: Record<string, unknown>,
  ctx: SlackClassifyContext,
  say: (m: string) => string,
  opts: { cause: unknown },
): RetryableError | PermanentError {
  const code = typeof data.error === 'string' ? data.error : 'unknown_error';
  const channel = ctx.channel ?? '(unknown)';
  if (!ERROR_CODE.test(code)) {
    // WebClient turns a body that is not JSON into ok:false with the raw text as the "error". Slack answers JSON
    // only: this is a proxy page or a cut-off answer, not a request an admin can fix. Retry; the breaker counts it.
    return new RetryableError(
      say(`the answer is not JSON (${JSON.stringify(code.slice(0, 60))}); will retry. If it persists, check SLACK_API_URL and any proxy in front of Slack`),
      CONNECTOR,
      undefined,
      opts,
    );
  }
  if (RETRYABLE_CODES.has(code)) {
    const meta = isObject(data.response_metadata) ? data.response_metadata : {};
    const limited = code === 'ratelimited' || code === 'rate_limited';
    const wait = limited ? retryAfterMs(meta.retryAfter) : undefined;
    return new RetryableError(say(`Slack answered ${code}; ${wait === undefined ? 'will retry' : `retrying in ${formatWait(wait)}`}`), CONNECTOR, wait, {
      ...opts,
      reason: limited ? 'rate-limited' : 'unavailable',
    });
  }
  if (AUTH_CODES.has(code)) {
    return new PermanentError(
      say(`the bot token was rejected (${code}): set ${TOKEN_SETTING} to the bot token (xoxb-…) of the Baton app installed in your workspace`),
      CONNECTOR,
      TOKEN_SETTING,
      opts,
    );
  }
  switch (code) {
    case 'missing_scope': {
      const needed = typeof data.needed === 'string' && data.needed !== '' ? data.needed.split(',') : [...(ctx.scopes ?? [])];
      const scopes = needed.length > 0 ? needed.join(', ') : 'the missing scope';
      return new PermanentError(
        say(`the bot token lacks the scope ${scopes} (missing_scope): add it under OAuth & Permissions of the Baton Slack app, reinstall the app and update ${TOKEN_SETTING}`),
        CONNECTOR,
        TOKEN_SETTING,
        opts,
      );
    }
    case 'not_in_channel':
      return new PermanentError(say(`the Baton app is not in channel ${channel}: invite it with /invite @Baton`), CONNECTOR, 'channel', opts);
    case 'channel_not_found':
      return new PermanentError(
        say(`channel ${channel} not found: check baton_client_slack_channel on the deal or the mapping (use the channel id, and invite the Baton app to private channels)`),
        CONNECTOR,
        'channel',
        opts,
      );
    case 'is_archived':
      return new PermanentError(say(`channel ${channel} is archived: unarchive it or put another channel on the deal (baton_client_slack_channel)`), CONNECTOR, 'channel', opts);
    case 'thread_not_found':
      return new PermanentError(
        say(`thread ${ctx.threadTs ?? '(unknown)'} not found in channel ${channel}: check baton_client_thread_ts on the deal (the ts of the thread's first message), or clear it to start a new thread`),
        CONNECTOR,
        'thread_ts',
        opts,
      );
    case 'msg_too_long':
      return new PermanentError(say(`the message is too long for Slack (msg_too_long): shorten the mapping's thread.message`), CONNECTOR, 'text', opts);
    case 'invalid_blocks':
    case 'invalid_blocks_format':
      return new PermanentError(say(`Slack rejected the message blocks (${code}): check the blocks Baton sends for this message`), CONNECTOR, 'blocks', opts);
    case 'invalid_metadata_format':
    case 'invalid_metadata_schema':
      return new PermanentError(say(`Slack rejected the message metadata (${code})`), CONNECTOR, 'metadata', opts);
    default:
      return new PermanentError(say(`Slack answered ${code}`), CONNECTOR, undefined, opts);
  }
}

/** Retry-After in seconds (as WebClient reports it) → ms, at least 1 s, at most MAX_RETRY_AFTER_MS. */
function retryAfterMs(seconds: unknown): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return DEFAULT_429_BACKOFF_MS;
  return Math.min(Math.max(seconds * 1000, DEFAULT_429_BACKOFF_MS), MAX_RETRY_AFTER_MS);
}

function networkCode(e: Record<string, unknown>): string | undefined {
  if (typeof e.code === 'string') return e.code;
  const cause = isObject(e.cause) ? e.cause : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return undefined;
}

function describe(e: unknown): string {
  const m = e instanceof Error ? e.message : isObject(e) && typeof e.message === 'string' ? e.message : String(e);
  return m.slice(0, 200);
}
