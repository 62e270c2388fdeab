// The one place Jira HTTP happens: a jira.js v5 Version3Client (axios underneath, which never retries by
// itself: BullMQ owns retries) with a per-request timeout, every call preceded by the shared Redis rate
// limiter and every failure classified.
import { Version3Client } from 'jira.js';
import type { Logger } from 'pino';
import type { RateLimiter } from '../common/rate-limiter.js';
import { CONNECTOR, classifyJiraError, type JiraErrorContext } from './classify-error.js';

export interface JiraClientOptions {
  baseUrl: string;
  email: string;
  apiToken: string;
  limiter: RateLimiter;
  requestsPerSecond: number;
  timeoutMs: number;
  logger?: Logger;
}

/** The limiter key every Jira worker shares (Jira's burst limit is per tenant). */
export const JIRA_LIMIT_KEY = 'jira';

export interface JiraCall {
  readonly client: Version3Client;
  readonly baseUrl: string;
  /** Takes a limiter slot, runs `fn`, and turns any failure into RetryableError / PermanentError. */
  <T>(ctx: Omit<JiraErrorContext, 'secrets'>, fn: (client: Version3Client) => Promise<T>): Promise<T>;
}

export function createJiraCall(opts: JiraClientOptions): JiraCall {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const client = new Version3Client({
    host: baseUrl,
    authentication: { basic: { email: opts.email, apiToken: opts.apiToken } },
    baseRequestConfig: { timeout: opts.timeoutMs },
  });
  const secrets = [opts.apiToken, Buffer.from(`${opts.email}:${opts.apiToken}`).toString('base64')];
  const call = async <T>(ctx: Omit<JiraErrorContext, 'secrets'>, fn: (c: Version3Client) => Promise<T>): Promise<T> => {
    await opts.limiter.take(JIRA_LIMIT_KEY, { perSecond: opts.requestsPerSecond }, { connector: CONNECTOR });
    try {
      return await fn(client);
    } catch (err) {
      const classified = classifyJiraError(err, { ...ctx, secrets });
      opts.logger?.warn({ connector: CONNECTOR, operation: ctx.operation, kind: classified.name }, classified.message);
      throw classified;
    }
  };
  return Object.assign(call, { client, baseUrl }) as JiraCall;
}
