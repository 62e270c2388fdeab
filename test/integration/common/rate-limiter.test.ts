import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../../../connectors/common/rate-limiter.js';
import { RetryableError } from '../../../src/handoff/errors.js';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const conns: Redis[] = [];
const conn = () => {
  const r = new Redis(url);
  conns.push(r);
  return r;
};
afterAll(() => conns.forEach((c) => c.disconnect()));

/** Most calls inside any window of `ms` milliseconds. */
function maxInWindow(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('Redis rate limiter shared by workers', () => {
  it('two limiters on separate connections (two workers) together stay at the configured rate', async () => {
    const prefix = `rl${randomBytes(4).toString('hex')}`;
    const a = createRedisRateLimiter(conn(), prefix);
    const b = createRedisRateLimiter(conn(), prefix);
    const times: number[] = [];
    const t0 = Date.now();
    const take = (l: typeof a) => l.take('jira', { perSecond: 20 }, { maxWaitMs: 10_000 }).then(() => times.push(Date.now() - t0));
    await Promise.all([...Array.from({ length: 30 }, () => take(a)), ...Array.from({ length: 30 }, () => take(b))]);
    expect(times).toHaveLength(60);
    // 60 calls at 20/s need ~3 s; no 1-second window holds more than the limit (+1 for timer rounding).
    expect(Math.max(...times)).toBeGreaterThanOrEqual(2_850);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(21);
  });

  it('allows a burst, then paces', async () => {
    const l = createRedisRateLimiter(conn(), `rl${randomBytes(4).toString('hex')}`);
    const waits = [];
    for (let i = 0; i < 8; i++) waits.push(await l.take('slack', { perSecond: 10, burst: 5 }));
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(waits.slice(5).every((w) => w >= 50)).toBe(true);
  });

  it('hands a long wait back to the queue as RetryableError without reserving a slot', async () => {
    const l = createRedisRateLimiter(conn(), `rl${randomBytes(4).toString('hex')}`);
    await l.take('hubspot', { perSecond: 1 });
    await l.take('hubspot', { perSecond: 1 }, { maxWaitMs: 2_000 }); // waits ~1 s
    const err = await l.take('hubspot', { perSecond: 1 }, { maxWaitMs: 100, connector: 'hubspot' }).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.retryAfterMs).toBeGreaterThan(500);
    expect(err.retryAfterMs).toBeLessThanOrEqual(1_000);
    // Refusal reserved nothing: the next caller waits for the same slot, not a later one.
    const again = await l.take('hubspot', { perSecond: 1 }, { maxWaitMs: 2_000 });
    expect(again).toBeLessThanOrEqual(1_000);
  });
});
