// Two kinds of Redis connection, because they must fail differently:
// - producers on the webhook path fail fast (no offline queue) so a down Redis becomes a 503 at once;
// - workers block and reconnect forever (BullMQ requires maxRetriesPerRequest: null for them).
// `extra` (BATON_REDIS_OPTIONS) passes operator options through, e.g. Sentinel's sentinels + name; the
// failure-mode options above that BullMQ depends on are kept whatever it says.
import { Redis, type RedisOptions } from 'ioredis';

export function createProducerConnection(redisUrl: string, extra: RedisOptions = {}): Redis {
  return new Redis(redisUrl, {
    connectTimeout: 2_000,
    // Keep trying to come back; individual commands fail fast meanwhile.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...extra,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
}

export function createWorkerConnection(redisUrl: string, extra: RedisOptions = {}): Redis {
  return new Redis(redisUrl, {
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 500, 5_000),
    ...extra,
    maxRetriesPerRequest: null,
  });
}

/** Redis must never evict queue keys: warn loudly when the server would (BullMQ production guide). */
export async function checkEvictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    return policy && policy !== 'noeviction'
      ? `Redis maxmemory-policy is '${policy}': queued work can be evicted. Set maxmemory-policy noeviction.`
      : null;
  } catch {
    return null; // CONFIG may be disabled on managed Redis; nothing to check then.
  }
}
