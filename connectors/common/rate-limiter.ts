// One limiter per downstream system, shared by every worker process through Redis: a burst of closed
// deals drains at the API's rate instead of into a wall of 429s. Each call reserves the next free
// slot (GCRA-style "theoretical arrival time" kept in Redis, timed by Redis' own clock so worker
// clocks don't matter). Short waits are slept inline; a long wait is handed back to the queue as a
// RetryableError so a worker slot is not held hostage.
import type { Redis } from 'ioredis';
import { RetryableError } from '../../src/handoff/errors.js';

export interface RateLimit {
  /** Sustained requests per second allowed for this key. */
  perSecond: number;
  /** How many requests may go back-to-back before pacing starts (default 1). */
  burst?: number;
}

export interface RateLimiter {
  /** Waits for a slot on `key`; throws RetryableError(retryAfterMs) when the wait would exceed maxWaitMs. Returns ms waited. */
  take(key: string, limit: RateLimit, opts?: { maxWaitMs?: number; connector?: string }): Promise<number>;
}

// KEYS[1] = bucket; ARGV = interval µs, burst window µs, max wait µs. Returns wait µs, or -wait µs when refused (nothing reserved).
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local maxwait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - window - now
if wait < 0 then wait = 0 end
if wait > maxwait then return -wait end
local nexttat = tat + interval
redis.call('SET', KEYS[1], tostring(nexttat), 'PX', math.ceil((nexttat - now) / 1000) + 1000)
return wait
`;

export const DEFAULT_MAX_INLINE_WAIT_MS = 5_000;

/** What the limiter reports per request (every outgoing API request takes a slot). */
export interface RateLimiterObserver {
  onSlot(key: string, waitedMs: number): void;
}

export function createRedisRateLimiter(redis: Redis, prefix: string, observer?: RateLimiterObserver): RateLimiter {
  return {
    async take(key, limit, opts = {}) {
      const intervalUs = Math.ceil(1_000_000 / limit.perSecond);
      const windowUs = intervalUs * Math.max(0, (limit.burst ?? 1) - 1);
      const maxWaitUs = (opts.maxWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS) * 1000;
      const waitUs = Number(await redis.eval(RESERVE, 1, `${prefix}:ratelimit:${key}`, intervalUs, windowUs, maxWaitUs));
      if (waitUs < 0) {
        throw new RetryableError(`rate limit for ${key}: next slot in ${Math.ceil(-waitUs / 1000)} ms`, opts.connector ?? key, Math.ceil(-waitUs / 1000), {
          reason: 'rate-limited',
        });
      }
      if (waitUs > 0) await new Promise((r) => setTimeout(r, Math.ceil(waitUs / 1000)));
      observer?.onSlot(key, Math.ceil(waitUs / 1000));
      return Math.ceil(waitUs / 1000);
    },
  };
}

/** For connectors built without Redis (CLI previews, unit tests): never waits. */
export const unlimited: RateLimiter = { take: async () => 0 };
