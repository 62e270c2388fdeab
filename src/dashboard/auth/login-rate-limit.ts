// Failed sign-ins are counted in Redis (shared by every server process): per IP + user name, and per
// IP alone so one address cannot spray many names. Over the limit, /login answers 429 without
// checking the password at all until the window ends.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LoginLimits {
  perUserPerWindow: number;
  perIpPerWindow: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUserPerWindow: 5, perIpPerWindow: 50, windowMs: 60_000 };

const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

export function loginRateLimiter(redis: Redis, prefix: string, limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
  const keys = (ip: string, name: string) => ({
    user: `${prefix}:login:u:${digest(`${ip}\n${name.trim().toLowerCase()}`)}`,
    ip: `${prefix}:login:ip:${digest(ip)}`,
  });
  return {
    /** ms until another attempt is allowed, or 0 when it is allowed now. */
    async blockedFor(ip: string, name: string): Promise<number> {
      const k = keys(ip, name);
      const r = await redis.multi().get(k.user).pttl(k.user).get(k.ip).pttl(k.ip).exec();
      const val = (i: number) => Number(r?.[i]?.[1] ?? 0);
      if (val(0) >= limits.perUserPerWindow) return Math.max(1, val(1));
      if (val(2) >= limits.perIpPerWindow) return Math.max(1, val(3));
      return 0;
    },
    async recordFailure(ip: string, name: string): Promise<void> {
      const k = keys(ip, name);
      // SET NX PX starts the window on the first failure; INCR counts within it.
      await redis
        .multi()
        .set(k.user, '0', 'PX', limits.windowMs, 'NX')
        .incr(k.user)
        .set(k.ip, '0', 'PX', limits.windowMs, 'NX')
        .incr(k.ip)
        .exec();
    },
    async recordSuccess(ip: string, name: string): Promise<void> {
      await redis.del(keys(ip, name).user);
    },
  };
}
export type LoginRateLimiter = ReturnType<typeof loginRateLimiter>;
