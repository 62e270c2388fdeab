// The one place Jira HTTP happens: a jira.js v5 Version3Client (axios underneath, which never retries by
// itself: BullMQ owns retries) with a per-request timeout, every call guarded by the shared circuit breaker,
// preceded by the shared Redis rate limiter, and every failure classified.
import { Version3Client } from 'jira.js';
import type { Logger } from 'pino';
import { noCircuit, type CircuitBreaker } from '../common/circuit-breaker.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import { passFence } from '../common/run-fence.js';
import { CONNECTOR, classifyJiraError, type JiraErrorContext } from './classify-error.js';

export interface JiraClientOptions {
  /** JIRA_BASE_URL, e.g. https://your-site.atlassian.net (or a stand-in in tests). */
  baseUrl: string;
  /** JIRA_EMAIL: the Atlassian account the API token belongs to. */
  email: string;
  /** JIRA_API_TOKEN. */
  apiToken: string;
  limiter: RateLimiter;
  /** Shared by every worker through the limiter. */
  requestsPerSecond: number;
  timeoutMs: number;
  logger?: Logger;
  /** Shared circuit breaker (connectors/common/circuit-breaker.ts); none when absent. */
  breaker?: CircuitBreaker;
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
    // Strict JSON: a 200 whose body is not JSON (a proxy page, a cut-off answer) fails instead of handing a
    // string to code that expects an object.
    baseRequestConfig: { timeout: opts.timeoutMs, responseType: 'json', transitional: { silentJSONParsing: false } },
  });
  const secrets = [opts.apiToken, Buffer.from(`${opts.email}:${opts.apiToken}`).toString('base64')];
  const breaker = opts.breaker ?? noCircuit;
  const call = <T>(ctx: Omit<JiraErrorContext, 'secrets'>, fn: (c: Version3Client) => Promise<T>): Promise<T> =>
    breaker.run(CONNECTOR, async () => {
      await opts.limiter.take(JIRA_LIMIT_KEY, { perSecond: opts.requestsPerSecond }, { connector: CONNECTOR });
      await passFence();
      try {
        return await fn(client);
      } catch (err) {
        const classified = classifyJiraError(err, { ...ctx, secrets });
        opts.logger?.warn({ connector: CONNECTOR, operation: ctx.operation, kind: classified.name }, classified.message);
        throw classified;
      }
    });
  return Object.assign(call, { client, baseUrl }) as JiraCall;
}
