// Per-subject leases in Redis (one handoff's run at a time, whichever job asked for it: the first run, an
// admin Retry, a replay, or BullMQ handing a stalled job to a second worker while the first still runs it).
// A lease is held for `ttlMs` from its last renewal. Renewal is strict: only the owner's value extends it, so
// a run whose lease expired (stalled) cannot take it back after another run held and released it.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RunFenceLostError } from '../src/handoff/errors.js';

export interface RunLease {
  /** Extends the lease by its TTL; throws RunFenceLostError when it is no longer held. */
  renew(): Promise<void>;
  /** Gives it up (only if still ours). */
  release(): Promise<void>;
}

export interface RunLeases {
  /** The lease, or how long the current holder still holds it. */
  acquire(subject: string): Promise<{ lease: RunLease } | { busyForMs: number }>;
  readonly ttlMs: number;
}

// KEYS[1] = lease; ARGV = owner, ttl ms. 1 = renewed, 0 = not ours.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export function createRunLeases(redis: Redis, prefix: string, ttlMs: number): RunLeases {
  return {
    ttlMs,
    async acquire(subject) {
      const key = `${prefix}:lease:${subject}`;
      const owner = randomUUID();
      if ((await redis.set(key, owner, 'PX', ttlMs, 'NX')) !== 'OK') {
        const left = await redis.pttl(key);
        return { busyForMs: left > 0 ? left : 0 };
      }
      return {
        lease: {
          async renew() {
            if (Number(await redis.eval(RENEW, 1, key, owner, ttlMs)) !== 1) {
              throw new RunFenceLostError(`lost the lease on ${subject}: another run took it over; stopping before the next call`);
            }
          },
          async release() {
            await redis.eval(RELEASE, 1, key, owner);
          },
        },
      };
    },
  };
}

/**
 * How long a run may go between renewals: the longest request (its timeout) after a renewal, plus a margin
 * for recording its result. A crashed worker's handoff waits this long at most before another run starts it.
 */
export function runLeaseTtlMs(config: { httpTimeoutMs: number }): number {
  return Math.max(10_000, config.httpTimeoutMs + 5_000);
}
