// One way to build and call the HubSpot SDK, shared by the reader, the writer, setup and preflight: SDK retries
// off (BullMQ owns retries), every call guarded by the shared circuit breaker and through the shared Redis rate
// limiter, a deadline on every call, and every failure classified into RetryableError / PermanentError with the
// token scrubbed.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Client } from '@hubspot/api-client';
import type pino from 'pino';
import { noCircuit, type CircuitBreaker } from '../common/circuit-breaker.js';
import { unlimited, type RateLimiter } from '../common/rate-limiter.js';
import { passFence } from '../common/run-fence.js';
import { RetryableError } from '../../src/handoff/errors.js';
import { createErrorBodyCapture } from './capture-error-body.js';
import { CONNECTOR, classifyHubSpotError, describeFailure } from './classify-error.js';

export interface HubSpotSdkOptions {
  accessToken: string;
  /** HUBSPOT_API_BASE_URL, e.g. https://api.hubapi.com (or a local stand-in). */
  basePath: string;
  /** Shared limiter; `unlimited` when absent (CLI one-offs, unit tests). */
  limiter?: RateLimiter;
  /** Sustained rate for the 'hubspot' limiter key (HubSpot's burst limit is per 10 s; stay under it). */
  requestsPerSecond?: number;
  /** Deadline of each call. Absent → no deadline (the reader's historic behaviour). */
  timeoutMs?: number;
  logger?: pino.Logger;
  /** Shared circuit breaker; none when absent. */
  breaker?: CircuitBreaker;
}

/** HubSpot's search API has its own limit (5 requests/s per token, FACTS 1d); keep a margin. */
export const SEARCH_REQUESTS_PER_SECOND = 4;
export const DEFAULT_REQUESTS_PER_SECOND = 9;

export interface SendOptions {
  /** Also take a slot on the search API's own limiter. */
  search?: boolean;
}

export interface HubSpotSdk {
  readonly client: Client;
  /** Per-call SDK options (error-body capture, agent); typed never because each generated API declares its own. */
  readonly call: never;
  /** Runs one SDK call: limiter slot, deadline, classification. */
  send<T>(operation: string, scopes: string[], fn: (call: never) => Promise<T>, opts?: SendOptions): Promise<T>;
  /** Like send, but a 404 resolves to undefined instead of failing. */
  sendOr404<T>(operation: string, scopes: string[], fn: (call: never) => Promise<T>, opts?: SendOptions): Promise<T | undefined>;
}

export function createHubSpotSdk(opts: HubSpotSdkOptions): HubSpotSdk {
  const basePath = opts.basePath.replace(/\/+$/, '');
  const capture = createErrorBodyCapture();
  const limiter = opts.limiter ?? unlimited;
  const breaker = opts.breaker ?? noCircuit;
  const perSecond = opts.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
  const agent = opts.timeoutMs === undefined ? undefined : socketTimeoutAgent(basePath, opts.timeoutMs);
  const client = new Client({ accessToken: opts.accessToken, basePath, numberOfApiCallRetries: 0 });
  // SDK 13 applies configured middleware only when a call passes its own, so capture (and agent) go per call.
  const middleware = {
    pre: async (ctx: unknown) => {
      if (agent) (ctx as { setAgent(a: http.Agent): void }).setAgent(agent);
      return ctx;
    },
    post: capture.middleware.post,
  };
  const call = { middleware: [middleware], middlewareMergeStrategy: 'append' } as never;

  /** Limiter slot(s), then the run's fence: nothing to classify, they throw Baton's own errors. */
  async function takeSlot(o: SendOptions): Promise<void> {
    await limiter.take('hubspot', { perSecond }, { connector: CONNECTOR });
    if (o.search) await limiter.take('hubspot:search', { perSecond: Math.min(perSecond, SEARCH_REQUESTS_PER_SECOND) }, { connector: CONNECTOR });
    await passFence();
  }

  function classify(err: unknown, operation: string, scopes: string[]): Error {
    const e = classifyHubSpotError(err, { operation, scopes, secrets: [opts.accessToken] }, capture.rawBodyOf(err));
    opts.logger?.warn({ operation, error: e.name, message: e.message }, 'HubSpot call failed');
    return e;
  }

  return {
    client,
    call,
    send: (operation, scopes, fn, o = {}) =>
      breaker.run(CONNECTOR, async () => {
        await takeSlot(o);
        try {
          return await withDeadline(fn(call), opts.timeoutMs, operation);
        } catch (err) {
          throw classify(err, operation, scopes);
        }
      }),
    sendOr404: (operation, scopes, fn, o = {}) =>
      breaker.run(CONNECTOR, async () => {
        await takeSlot(o);
        try {
          return await withDeadline(fn(call), opts.timeoutMs, operation);
        } catch (err) {
          if (!(err instanceof RetryableError) && describeFailure(err).status === 404) return undefined;
          throw classify(err, operation, scopes);
        }
      }),
  };
}

/** The call's promise, or a RetryableError once `timeoutMs` passed without an answer. */
function withDeadline<T>(p: Promise<T>, timeoutMs: number | undefined, operation: string): Promise<T> {
  if (timeoutMs === undefined) return p;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RetryableError(`HubSpot ${operation}: no answer within ${timeoutMs} ms; will retry`, CONNECTOR)),
      timeoutMs,
    );
  });
  // A late answer after the deadline is dropped; its rejection must not surface as unhandled.
  p.catch(() => undefined);
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * node-fetch 2 (inside the SDK) has no per-request timeout the SDK exposes, so the deadline above cannot abort
 * the socket. This agent destroys a socket that stays silent for `timeoutMs`, so an abandoned call frees it.
 */
function socketTimeoutAgent(basePath: string, timeoutMs: number): http.Agent {
  const Base = basePath.startsWith('https:') ? https.Agent : http.Agent;
  const agent = new Base({ keepAlive: true });
  const create = agent.createConnection.bind(agent) as (...a: unknown[]) => Socket;
  (agent as unknown as { createConnection: (...a: unknown[]) => Socket }).createConnection = (...args: unknown[]) => {
    const socket = create(...args);
    // No error argument: an idle pooled socket has no error listener; a request on it sees a hang-up.
    socket.setTimeout(timeoutMs, () => socket.destroy());
    return socket;
  };
  return agent;
}
