// Sign-in limiting over HTTP with the real Redis: the count is taken atomically before the password is
// checked (a parallel burst gets no more guesses than the limit), and one account is locked after too
// many failures from any number of addresses, without telling whether the account exists.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, type Harness } from '../../helpers/baton-harness.js';
import { DashboardClient, USERS, usersEnv } from './dashboard-client.js';
import { DEFAULT_LOGIN_LIMITS } from '../../../src/dashboard/auth/login-rate-limit.js';

describe('dashboard sign-in limits (behind one trusted proxy: the client address is X-Forwarded-For)', () => {
  let b: Harness;
  beforeAll(async () => {
    b = await startBaton({ workers: false, env: { BATON_USERS: await usersEnv(), BATON_SESSION_SECRET: 'x'.repeat(40), BATON_TRUST_PROXY_HOPS: '1' } });
  });
  afterEach(async () => {
    const keys = await b.rt.redis.keys(`${b.env.BATON_QUEUE_PREFIX}:login:*`);
    if (keys.length) await b.rt.redis.del(...keys);
  });
  afterAll(async () => {
    await b?.close();
  });

  /** A browser at `ip` with the sign-in form loaded, ready to submit. */
  const browserAt = async (ip: string) => {
    const c = new DashboardClient(b.url, { 'x-forwarded-for': ip });
    const csrf = DashboardClient.csrfOf((await c.get('/login')).text);
    return (name: string, password: string) => c.post('/login', { _csrf: csrf, name, password, next: '/' });
  };

  it('a parallel burst of wrong passwords from one address gets exactly the limit through to verification', async () => {
    const burst = 4 * DEFAULT_LOGIN_LIMITS.perUserPerWindow;
    const submits = await Promise.all(Array.from({ length: burst }, () => browserAt('198.51.100.7')));
    const replies = await Promise.all(submits.map((submit, i) => submit(USERS.admin.name, `wrong-password-${i}`)));
    const verified = replies.filter((r) => r.status === 401);
    const refused = replies.filter((r) => r.status === 429);
    // 401 "Wrong name or password." is only ever said after the password was checked.
    expect(verified.length).toBe(DEFAULT_LOGIN_LIMITS.perUserPerWindow);
    expect(verified[0]!.text).toContain('Wrong name or password.');
    expect(refused.length).toBe(burst - DEFAULT_LOGIN_LIMITS.perUserPerWindow);
    expect(refused[0]!.text).toContain('Too many attempts. Try again in');
    // Still refused with the right password, from that address.
    expect((await (await browserAt('198.51.100.7'))(USERS.admin.name, USERS.admin.password)).status).toBe(429);
  });

  it('many addresses against one account lock it, right password included, for known and unknown names alike', async () => {
    const limit = DEFAULT_LOGIN_LIMITS.perAccountPerWindow;
    const guess = async (i: number, name: string, password: string) => (await browserAt(`203.0.113.${i}`))(name, password);
    for (let i = 1; i <= limit; i++) expect((await guess(i, USERS.admin.name, `wrong-${i}`)).status, `address ${i}`).toBe(401);
    // A fresh address, the right password: the account is locked, and the page says so.
    const locked = await guess(limit + 1, USERS.admin.name, USERS.admin.password);
    expect(locked.status).toBe(429);
    expect(locked.text).toContain(`This account is locked for ${DEFAULT_LOGIN_LIMITS.accountWindowMs / 60_000} minutes after too many failed sign-ins.`);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    // Other accounts are not affected.
    expect((await guess(limit + 2, USERS.viewer.name, USERS.viewer.password)).status).toBe(303);
    // A name that is no account is counted and locked the same way: the lock does not reveal who exists.
    // (In parallel: an unknown name is checked against a deliberately slow decoy hash.)
    const unknowns = await Promise.all(Array.from({ length: limit }, (_, i) => guess(101 + i, 'nobody', `wrong-${i}`)));
    expect(unknowns.map((r) => r.status)).toEqual(unknowns.map(() => 401));
    const unknown = await guess(200, 'nobody', 'whatever');
    expect(unknown.status).toBe(429);
    expect(unknown.text).toContain('This account is locked for');
  }, 120_000);

  it('a successful sign-in gives its attempt back: a user who signs in often is never locked', async () => {
    for (let i = 0; i < DEFAULT_LOGIN_LIMITS.perAccountPerWindow + 5; i++) {
      expect((await (await browserAt(`192.0.2.${i + 1}`))(USERS.viewer.name, USERS.viewer.password)).status).toBe(303);
    }
    const counts = await b.rt.redis.keys(`${b.env.BATON_QUEUE_PREFIX}:login:a:*`);
    expect(await Promise.all(counts.map((k) => b.rt.redis.get(k)))).toEqual(counts.map(() => '0'));
  });
});
