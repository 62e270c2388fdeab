// One circuit per downstream system, shared by every worker process through Redis (like the rate limiter):
// after `failures` consecutive signs that the service is down (5xx, timeouts, network errors, garbled
// answers: RetryableError reason 'unavailable') the circuit opens for `openMs`. While open, requests fail
// at once with a RetryableError whose retryAfterMs is the rest of the cooldown, so the job is parked as
// delayed instead of holding a worker on a dead API; other connectors' jobs keep the workers. After the
// cooldown exactly one caller (across all processes) is let through as a probe; its success closes the
// circuit, its failure opens it for another cooldown.
//
// 429s and permanent 4xx do not count: the service is answering (a 429 already says when to come back),
// and a permanent error or a success proves it is alive (any success resets the count and closes).
// All state changes are single Lua scripts timed by Redis' clock, so concurrent workers agree.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open a circuit (BATON_CIRCUIT_FAILURES). 0 turns the breaker off. */
  failures: number;
  /** How long an open circuit refuses requests before one probe is let through (BATON_CIRCUIT_OPEN_SECONDS). */
  openMs: number;
  /** How long a probe may stay unanswered before another caller may probe (its worker may have died). Default openMs. */
  probeLeaseMs?: number;
  /** What callers refused while a probe is in flight are told to wait at most. Default 2 s. */
  probeWaitMs?: number;
}

/** What the breaker reports when a circuit changes state (in the process that changed it). */
export interface CircuitObserver {
  onTransition(circuit: string, to: CircuitState): void;
}

export interface CircuitBreaker {
  /**
   * The guard every connector puts around one request (rate-limit slot, call and classification inside
   * `request`). Throws RetryableError (reason 'circuit-open', retryAfterMs) without calling while `circuit`
   * is open; otherwise runs `request` and counts how it ended.
   */
  run<T>(circuit: string, request: () => Promise<T>): Promise<T>;
  /** The circuit as Redis has it now. */
  inspect(circuit: string): Promise<{ state: CircuitState; failures: number; retryAfterMs: number }>;
}

export type RequestOutcome = 'failure' | 'success' | 'neutral';

/** How an ended request counts: only a sign the service is down is a failure. */
export function outcomeOf(err: unknown): RequestOutcome {
  if (err instanceof RetryableError) return err.reason === 'unavailable' ? 'failure' : 'neutral';
  // The API answered and refused: it is up.
  if (err instanceof PermanentError) return 'success';
  // Not classified (a bug of ours, Redis trouble): says nothing about the service.
  return 'neutral';
}

export const DEFAULT_PROBE_WAIT_MS = 2_000;
/** Failures older than this (with none since) are forgotten: "consecutive" means within a while. */
const MIN_FAILURE_MEMORY_MS = 10 * 60_000;

// KEYS[1] = circuit hash {f: consecutive failures, until: open until (ms), probe: id, plu: probe lease until, last}.
// ARGV = probe id, lease ms, probe wait ms. Returns {verdict, wait ms, failures, last}: verdict 1 = closed, go;
// 2 = half-open, go as the probe; 0 = refused for wait ms.
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'until', 'plu', 'f', 'last')
local f = tonumber(h[3]) or 0
local last = h[4] or ''
local openUntil = tonumber(h[1])
if not openUntil then return {1, 0, f, last} end
if now < openUntil then return {0, openUntil - now, f, last} end
local plu = tonumber(h[2]) or 0
if plu > now then return {0, math.max(1, math.min(plu - now, tonumber(ARGV[3]))), f, last} end
redis.call('HSET', KEYS[1], 'probe', ARGV[1], 'plu', now + tonumber(ARGV[2]))
return {2, 0, f, last}
`;

// KEYS[1] = circuit hash; ARGV = outcome, probe id ('' when not the probe), threshold, open ms, memory ms, message.
// Returns the state the circuit moved to ('open' / 'closed'), or '' when it did not move.
const RECORD = `
local outcome = ARGV[1]
if outcome == 'success' then
  if redis.call('EXISTS', KEYS[1]) == 0 then return '' end
  local wasOpen = redis.call('HEXISTS', KEYS[1], 'until') == 1
  redis.call('DEL', KEYS[1])
  if wasOpen then return 'closed' end
  return ''
end
local isProbe = ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'probe') == ARGV[2]
if outcome ~= 'failure' then
  if isProbe then redis.call('HDEL', KEYS[1], 'probe', 'plu') end
  return ''
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
redis.call('HSET', KEYS[1], 'last', ARGV[6])
local result = ''
if isProbe then
  redis.call('HSET', KEYS[1], 'until', now + tonumber(ARGV[4]))
  redis.call('HDEL', KEYS[1], 'probe', 'plu')
  result = 'open'
elseif redis.call('HEXISTS', KEYS[1], 'until') == 0 and f >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'until', now + tonumber(ARGV[4]))
  result = 'open'
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return result
`;

const INSPECT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'until', 'f')
return {tonumber(h[1]) or -1, tonumber(h[2]) or 0, now}
`;

export function createRedisCircuitBreaker(redis: Redis, prefix: string, opts: CircuitBreakerOptions, observer?: CircuitObserver): CircuitBreaker {
  if (opts.failures <= 0) return noCircuit;
  const leaseMs = opts.probeLeaseMs ?? opts.openMs;
  const probeWaitMs = opts.probeWaitMs ?? DEFAULT_PROBE_WAIT_MS;
  const memoryMs = Math.max(MIN_FAILURE_MEMORY_MS, 2 * (opts.openMs + leaseMs));
  const keyOf = (circuit: string) => `${prefix}:circuit:${circuit}`;

  async function record(circuit: string, probeId: string, outcome: RequestOutcome, message: string): Promise<void> {
    const moved = String(await redis.eval(RECORD, 1, keyOf(circuit), outcome, probeId, opts.failures, opts.openMs, memoryMs, message.slice(0, 300)));
    if (moved === 'open' || moved === 'closed') observer?.onTransition(circuit, moved);
  }

  return {
    async run<T>(circuit: string, request: () => Promise<T>): Promise<T> {
      const probeId = randomUUID();
      const [verdict, waitMs, failures, last] = (await redis.eval(ADMIT, 1, keyOf(circuit), probeId, leaseMs, probeWaitMs)) as [number, number, number, string];
      if (verdict === 0) {
        const why = last ? `; last: ${last}` : '';
        throw new RetryableError(
          `${circuit} looks down (circuit open after ${failures} consecutive failures${why}): not calling it for ${Math.ceil(waitMs / 1000)} s`,
          circuit,
          waitMs,
          { reason: 'circuit-open' },
        );
      }
      const probe = verdict === 2 ? probeId : '';
      if (probe) observer?.onTransition(circuit, 'half-open');
      let out: T;
      try {
        out = await request();
      } catch (err) {
        // Bookkeeping must never replace the request's own error.
        await record(circuit, probe, outcomeOf(err), err instanceof Error ? err.message : String(err)).catch(() => undefined);
        throw err;
      }
      await record(circuit, probe, 'success', '').catch(() => undefined);
      return out;
    },
    async inspect(circuit) {
      const [until, failures, now] = (await redis.eval(INSPECT, 1, keyOf(circuit))) as [number, number, number];
      if (until < 0) return { state: 'closed', failures, retryAfterMs: 0 };
      return until > now ? { state: 'open', failures, retryAfterMs: until - now } : { state: 'half-open', failures, retryAfterMs: 0 };
    },
  };
}

/** No breaker (BATON_CIRCUIT_FAILURES=0, connectors built without Redis): every request goes through. */
export const noCircuit: CircuitBreaker = {
  run: (_circuit, request) => request(),
  inspect: async () => ({ state: 'closed', failures: 0, retryAfterMs: 0 }),
};
