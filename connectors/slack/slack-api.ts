// One place where Baton calls the Slack Web API: a WebClient with its own retries and 429 queue-pausing off
// (BullMQ owns retries; a 429 must delay the job, not stall the worker), the shared circuit breaker around and
// the shared Redis rate limiter before every request, and every failure classified into RetryableError /
// PermanentError.
import { LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type pino from 'pino';
import { noCircuit, type CircuitBreaker } from '../common/circuit-breaker.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import { passFence } from '../common/run-fence.js';
import { CONNECTOR, classifySlackError, platformErrorCode } from './classify-error.js';

export interface SlackApiOptions {
  token: string;
  /** Web API base, e.g. https://slack.com/api/ (or a stand-in). */
  apiUrl: string;
  limiter: RateLimiter;
  /** Every method except chat.postMessage, per workspace (Slack's tiers are per method; this is the sum). */
  requestsPerSecond: number;
  /** chat.postMessage per channel (Slack: about 1 per second per channel). */
  messagesPerSecondPerChannel: number;
  timeoutMs: number;
  logger?: pino.Logger;
  /** Shared circuit breaker (connectors/common/circuit-breaker.ts); none when absent. */
  breaker?: CircuitBreaker;
}

/** The scopes each method needs: named in missing_scope messages when Slack does not say. */
export const METHOD_SCOPES: Record<string, readonly string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history'],
  'conversations.info': ['channels:read', 'groups:read'],
  'conversations.list': ['channels:read', 'groups:read'],
  'conversations.open': ['im:write'],
  'users.lookupByEmail': ['users:read', 'users:read.email'],
};

export type SlackResult = Record<string, unknown> & { ok: boolean; error?: string };

export interface SlackCallMeta {
  /** The channel this call concerns (rate-limit key for posts; named in errors). */
  channel?: string;
  threadTs?: string;
  /** ok:false codes the caller handles itself: returned as `{ ok: false, error }` instead of thrown. */
  tolerate?: readonly string[];
}

export interface SlackApi {
  call(method: string, args: Record<string, unknown>, meta?: SlackCallMeta): Promise<SlackResult>;
}

export function createSlackApi(opts: SlackApiOptions): SlackApi {
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs,
    logger: slackLogger(opts.logger),
    // Only the configured API base: a method name can never send the token elsewhere.
    allowAbsoluteUrls: false,
  });
  const breaker = opts.breaker ?? noCircuit;
  return {
    call: (method, args, meta = {}) =>
      breaker.run(CONNECTOR, async () => {
        if (method === 'chat.postMessage') {
          // Slack's posting limit is per channel; a channel id is its key whatever name a mapping used.
          await opts.limiter.take(`slack:post:${meta.channel ?? String(args.channel)}`, { perSecond: opts.messagesPerSecondPerChannel }, { connector: CONNECTOR });
        } else {
          await opts.limiter.take('slack', { perSecond: opts.requestsPerSecond }, { connector: CONNECTOR });
        }
        await passFence();
        try {
          return (await client.apiCall(method, args)) as SlackResult;
        } catch (err) {
          const code = platformErrorCode(err);
          if (code !== undefined && meta.tolerate?.includes(code)) return { ok: false, error: code };
          const classified = classifySlackError(err, {
            operation: method,
            channel: meta.channel ?? (typeof args.channel === 'string' ? args.channel : undefined),
            threadTs: meta.threadTs,
            scopes: METHOD_SCOPES[method],
            secrets: [opts.token],
            timeoutMs: opts.timeoutMs,
          });
          opts.logger?.warn({ method, err: classified.message, retryable: classified.name === 'RetryableError' }, 'slack call failed');
          throw classified;
        }
      }),
  };
}

/** WebClient logs through @slack/logger's interface; route it to pino (or nowhere). */
function slackLogger(logger: pino.Logger | undefined): SlackLogger {
  const child = logger?.child({ component: 'slack-web-api' });
  let level = LogLevel.WARN;
  const noop = () => undefined;
  const emit = (fn: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => child?.[fn](msg.map(String).join(' '));
  return {
    debug: child ? emit('debug') : noop,
    info: child ? emit('info') : noop,
    warn: child ? emit('warn') : noop,
    error: child ? emit('error') : noop,
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: noop,
  };
}
