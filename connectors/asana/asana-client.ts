// The official asana v3 SDK, set up the way Baton needs it: a timeout on every request, no retries (BullMQ owns
// them; the v3 client has none anyway), the shared circuit breaker around and the shared rate limiter before
// every request, and every failure turned into RetryableError / PermanentError. List endpoints are paged by hand
// (offset tokens) so each page also waits for the limiter.
import {
  ApiClient,
  JobsApi,
  ProjectTemplatesApi,
  ProjectsApi,
  SectionsApi,
  TasksApi,
  TeamsApi,
  UsersApi,
  WorkspacesApi,
} from 'asana';
import type { Logger } from 'pino';
import { noCircuit, type CircuitBreaker } from '../common/circuit-breaker.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import { passFence } from '../common/run-fence.js';
import { CONNECTOR, classifyAsanaError, malformedAnswer, type AsanaErrorContext } from './classify-error.js';

export interface AsanaClientOptions {
  accessToken: string;
  baseUrl: string;
  limiter: RateLimiter;
  requestsPerSecond: number;
  timeoutMs: number;
  logger?: Logger;
  /** Shared circuit breaker; none when absent. */
  breaker?: CircuitBreaker;
}

/** Asana's list envelope: a page of records and the token for the next page. */
export interface AsanaPage<T> {
  data: T[];
  next_page?: { offset?: string } | null;
}

export const PAGE_SIZE = 100;
const JSON_TYPE = ['application/json; charset=UTF-8'];

export interface AsanaClient {
  readonly tasks: TasksApi;
  readonly projects: ProjectsApi;
  readonly sections: SectionsApi;
  readonly templates: ProjectTemplatesApi;
  readonly jobs: JobsApi;
  readonly teams: TeamsApi;
  readonly users: UsersApi;
  readonly workspaces: WorkspacesApi;
  /** Waits for the limiter, runs one SDK call, classifies its failure. Resolves to Asana's body ({data, ...}). */
  call<T = { data: Record<string, unknown> }>(ctx: AsanaErrorContext, fn: () => Promise<T>): Promise<T>;
  /** A POST the generated SDK method gets wrong (it copies `body` into the query string), via the SDK's own callApi. */
  post(ctx: AsanaErrorContext, path: string, pathParams: Record<string, string>, body: unknown, query?: Record<string, string>): Promise<{ data: Record<string, unknown> }>;
  /** Every record of a paginated list, one limited request per page. */
  all<T>(ctx: AsanaErrorContext, page: (offset: string | undefined) => Promise<AsanaPage<T>>, stop?: (item: T) => boolean): Promise<T[]>;
}

export function createAsanaClient(opts: AsanaClientOptions): AsanaClient {
  const client = new ApiClient();
  client.basePath = opts.baseUrl.replace(/\/+$/, '');
  client.authentications.token = { type: 'personalAccessToken', accessToken: opts.accessToken };
  client.timeout = opts.timeoutMs;
  // Plain {data, next_page} bodies instead of Collection objects whose nextPage() would bypass the limiter.
  client.RETURN_COLLECTION = false;
  const secrets = [opts.accessToken];

  const breaker = opts.breaker ?? noCircuit;
  const call = <T>(ctx: AsanaErrorContext, fn: () => Promise<T>): Promise<T> =>
    breaker.run(CONNECTOR, async () => {
      await opts.limiter.take(CONNECTOR, { perSecond: opts.requestsPerSecond }, { connector: CONNECTOR });
      await passFence();
      try {
        const body = await fn();
        // Every Asana answer is a JSON object ({data…}); the SDK hands back raw text when the body was not JSON.
        if (typeof body !== 'object' || body === null) throw malformedAnswer({ ...ctx, secrets }, body);
        return body;
      } catch (err) {
        const classified = classifyAsanaError(err, { ...ctx, secrets });
        opts.logger?.warn({ connector: CONNECTOR, operation: ctx.operation, err: classified.message }, 'asana call failed');
        throw classified;
      }
    });

  return {
    tasks: new TasksApi(client),
    projects: new ProjectsApi(client),
    sections: new SectionsApi(client),
    templates: new ProjectTemplatesApi(client),
    jobs: new JobsApi(client),
    teams: new TeamsApi(client),
    users: new UsersApi(client),
    workspaces: new WorkspacesApi(client),
    call,
    post: (ctx, path, pathParams, body, query = {}) =>
      call(ctx, async () => {
        const res = (await client.callApi(path, 'POST', pathParams, query, {}, {}, body, ['personalAccessToken'], JSON_TYPE, JSON_TYPE, 'Blob')) as { data: { data: Record<string, unknown> } };
        return res.data;
      }),
    async all<T>(ctx: AsanaErrorContext, page: (offset: string | undefined) => Promise<AsanaPage<T>>, stop?: (item: T) => boolean): Promise<T[]> {
      const items: T[] = [];
      let offset: string | undefined;
      for (;;) {
        const res = await call(ctx, () => page(offset));
        for (const item of res.data ?? []) {
          items.push(item);
          if (stop?.(item)) return items;
        }
        const next = res.next_page?.offset;
        if (!next || (res.data ?? []).length === 0) return items;
        offset = next;
      }
    },
  };
}
