// Sign-in attempts are counted in Redis (shared by every server process) on three keys: per address +
// name, per address alone (one address spraying many names), and per account name across all addresses
// (one account guessed from many addresses). Check-and-count is ONE Lua script run before the password
// is verified, so a parallel burst cannot slip past the count: attempt N+1 is refused while the first N
// are still being verified. A successful sign-in gives its own attempt back.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LoginLimits {
  perUserPerWindow: number;
  perIpPerWindow: number;
  windowMs: number;
  /** Attempts on one account name from all addresses together before it is locked for accountWindowMs. */
  perAccountPerWindow: number;
  accountWindowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUserPerWindow: 5,
  perIpPerWindow: 50,
  windowMs: 60_000,
  perAccountPerWindow: 20,
  accountWindowMs: 15 * 60_000,
};

/** Which count refused an attempt: the account lock reads differently to the person signing in. */
export type LoginRefusal = { allowed: true } | { allowed: false; waitMs: number; by: 'address' | 'account' };

const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

// KEYS: address+name, address, account. ARGV: the three limits, then the three windows (ms).
// Refuses (without counting) when any count is at its limit; otherwise counts the attempt on all three.
const ATTEMPT = `
for i = 1, 3 do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n >= tonumber(ARGV[i]) then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then
      redis.call('PEXPIRE', KEYS[i], ARGV[i + 3])
      ttl = tonumber(ARGV[i + 3])
    end
    return { ttl, i }
  end
end
for i = 1, 3 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[i + 3]) end
end
return { 0, 0 }`;

// A successful sign-in: the address+name count starts over; the address and account counts get this
// attempt back (never below zero, and DECR keeps the window's expiry).
const SUCCEEDED = `
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1`;

export function loginRateLimiter(redis: Redis, prefix: string, limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
  const keys = (ip: string, name: string) => {
    const account = name.trim().toLowerCase();
    return [`${prefix}:login:u:${digest(`${ip}\n${account}`)}`, `${prefix}:login:ip:${digest(ip)}`, `${prefix}:login:a:${digest(account)}`];
  };
  return {
    /** Counts this attempt and allows it, or refuses it uncounted: call BEFORE verifying the password. */
    async attempt(ip: string, name: string): Promise<LoginRefusal> {
      const args = [limits.perUserPerWindow, limits.perIpPerWindow, limits.perAccountPerWindow, limits.windowMs, limits.windowMs, limits.accountWindowMs];
      const [waitMs, which] = (await redis.eval(ATTEMPT, 3, ...keys(ip, name), ...args)) as [number, number];
      if (which === 0) return { allowed: true };
      return { allowed: false, waitMs: Math.max(1, waitMs), by: which === 3 ? 'account' : 'address' };
    },
    async succeeded(ip: string, name: string): Promise<void> {
      await redis.eval(SUCCEEDED, 3, ...keys(ip, name));
    },
  };
}
export type LoginRateLimiter = ReturnType<typeof loginRateLimiter>;
