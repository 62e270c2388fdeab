// The dashboard's pure parts: escaping, password hashes, BATON_USERS, signed cookies and CSRF tokens,
// the risk score, quantiles, the SVG chart, and `baton user hash`.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw, safeHref } from '../../../src/dashboard/html.js';
import { hashPassword, verifyPassword } from '../../../src/dashboard/auth/password-hash.js';
import { parsePasswordHash } from '../../../src/config/password-hash-format.js';
import { parseUsers } from '../../../src/config/parse-users.js';
import { sign, unsign } from '../../../src/dashboard/auth/session-cookie.js';
import { checkCsrf, csrfToken } from '../../../src/dashboard/auth/csrf.js';
import { localPath } from '../../../src/dashboard/auth/auth-middleware.js';
import { riskOf, STALL_AFTER_MS } from '../../../src/dashboard/risk.js';
import { quantile } from '../../../src/dashboard/stats.js';
import { barChart } from '../../../src/dashboard/charts/bar-chart.js';
import { userHashCommand } from '../../../src/cli/user-hash-command.js';
import { readEnvOptions, ConfigError } from '../../../src/config/read-env-options.js';

const FAST = { N: 1024, r: 8, p: 1 };

describe('html``', () => {
  it('escapes every interpolation, in text and attributes, and nests Html without double escaping', () => {
    const evil = `<script>alert("x")</script>' onmouseover='a' \``;
    const out = html`<p title="${evil}">${evil}${html`<b>${evil}</b>`}${[evil, 1, null, false, undefined]}</p>`.text;
    expect(out).not.toContain('<script>');
    expect(out).not.toMatch(/title="[^"]*"[^>]*onmouseover/);
    expect(out).toBe(
      `<p title="${escapeHtml(evil)}">${escapeHtml(evil)}<b>${escapeHtml(evil)}</b>${escapeHtml(evil)}1</p>`,
    );
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
    expect(html`${raw('<svg/>')}`.text).toBe('<svg/>');
  });

  it('lets only http(s), mailto and local paths become links', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(' JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<script>')).toBeNull();
    expect(safeHref('//evil.example/x')).toBeNull();
    expect(safeHref('https://app.hubspot.com/x?a=1')).toBe('https://app.hubspot.com/x?a=1');
    expect(safeHref('/handoffs/1')).toBe('/handoffs/1');
  });
});

describe('passwords and users', () => {
  it('hashes with scrypt and a random salt, verifies the right password only', async () => {
    const a = await hashPassword('correct horse', FAST);
    const b = await hashPassword('correct horse', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', parsePasswordHash(a))).toBe(true);
    expect(await verifyPassword('correct hors', parsePasswordHash(a))).toBe(false);
    expect(await verifyPassword('correct horse', parsePasswordHash(b))).toBe(true);
    expect(() => parsePasswordHash('bcrypt$xx')).toThrow(/scrypt\$N\$r\$p/);
    expect(() => parsePasswordHash(a.replace('$1024$', '$1000$'))).toThrow(/power of two/);
    expect(() => parsePasswordHash(a.replace('$1024$', `$${2 ** 24}$`))).toThrow(/power of two up to/);
  });

  it('reads BATON_USERS as JSON or name:role:hash, and names every problem without echoing a hash', async () => {
    const h = await hashPassword('pw-1234567890', FAST);
    const json = parseUsers(JSON.stringify([{ name: 'ana', role: 'admin', hash: h }, { name: 'vic', role: 'viewer', hash: h }]));
    expect(json.problems).toEqual([]);
    expect(json.users.map((u) => [u.name, u.role])).toEqual([['ana', 'admin'], ['vic', 'viewer']]);
    const compact = parseUsers(`ana:admin:${h}, vic:viewer:${h}`);
    expect(compact.problems).toEqual([]);
    expect(compact.users.map((u) => u.role)).toEqual(['admin', 'viewer']);
    const bad = parseUsers(`ana:root:${h},:viewer:${h},bob:viewer:nope,ana:viewer:${h}`);
    expect(bad.problems).toEqual([
      'BATON_USERS[0] (ana): role must be viewer or admin',
      'BATON_USERS[1]: name must be 1-64 letters, digits or . _ @ + -',
      'BATON_USERS[2] (bob): hash: expected scrypt$N$r$p$salt$key (make one with `baton user hash`)',
      'BATON_USERS[3]: user ana is listed twice',
    ]);
    expect(bad.problems.join('\n')).not.toContain(h);
    expect(parseUsers('[{').problems[0]).toMatch(/not valid JSON/);
    expect(() => readEnvOptions({ BATON_USERS: 'ana:admin:x', BATON_SESSION_SECRET: 'short' })).toThrow(ConfigError);
    try {
      readEnvOptions({ BATON_USERS: 'ana:admin:x', BATON_SESSION_SECRET: 'short' });
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        'BATON_SESSION_SECRET: must be at least 32 characters (e.g. `openssl rand -base64 48`)',
        'BATON_USERS[0] (ana): hash: expected scrypt$N$r$p$salt$key (make one with `baton user hash`)',
      ]);
    }
    const cfg = readEnvOptions({ BATON_USERS: `ana:admin:${h}`, BATON_SESSION_SECRET: 'k'.repeat(32) });
    expect(cfg.dashboard.users[0]!.name).toBe('ana');
    expect(cfg.secrets).toContain('k'.repeat(32));
  });

  it('`baton user hash` prints a hash of stdin (less one newline) that verifies, or a BATON_USERS entry', async () => {
    const run = async (input: string, opts = {}) => {
      const stdin = new PassThrough();
      const out = new PassThrough();
      const err = new PassThrough();
      let printed = '';
      let errors = '';
      out.on('data', (c) => (printed += String(c)));
      err.on('data', (c) => (errors += String(c)));
      stdin.end(input);
      const code = await userHashCommand(opts, { input: stdin, out, err });
      return { code, printed, errors };
    };
    const r = await run('a long passphrase\n');
    expect(r.code).toBe(0);
    expect(await verifyPassword('a long passphrase', parsePasswordHash(r.printed.trim()))).toBe(true);
    const entry = await run('a long passphrase', { name: 'ana', role: 'admin' });
    expect(parseUsers(entry.printed.trim()).users[0]?.role).toBe('admin');
    expect((await run('short\n')).code).toBe(1);
    expect((await run('a long passphrase', { name: 'ana', role: 'root' })).code).toBe(2);
  });
});

describe('signed values and CSRF tokens', () => {
  it('rejects any change to a signed value, and a token from another session or purpose', () => {
    const s = sign('secret-1', 'payload');
    expect(unsign('secret-1', s)).toBe('payload');
    expect(unsign('secret-2', s)).toBeNull();
    expect(unsign('secret-1', s.replace('payload', 'paylOad'))).toBeNull();
    expect(unsign('secret-1', 'payload')).toBeNull();
    const t = csrfToken('k', 'session', 'sid-1');
    expect(checkCsrf('k', 'session', 'sid-1', t)).toBe(true);
    expect(checkCsrf('k', 'session', 'sid-2', t)).toBe(false);
    expect(checkCsrf('k', 'login', 'sid-1', t)).toBe(false);
    expect(checkCsrf('k', 'session', null, t)).toBe(false);
    expect(checkCsrf('k', 'session', 'sid-1', undefined)).toBe(false);
  });

  it('only redirects to local paths after sign-in', () => {
    expect(localPath('/handoffs/1?x=2')).toBe('/handoffs/1?x=2');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:x', undefined, 42]) expect(localPath(bad)).toBe('/');
  });
});

describe('risk', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const base = { status: 'running', phase: 'closed', updatedAt: now.toISOString(), complete: true, missingCount: 0, overdueTasks: null, openEscalations: null };
  it('orders failed > stalled > escalated/overdue > incomplete and says why', () => {
    const failed = riskOf({ ...base, status: 'failed' }, now);
    const stalled = riskOf({ ...base, updatedAt: new Date(now.getTime() - STALL_AFTER_MS - 1000).toISOString() }, now);
    const fresh = riskOf({ ...base, updatedAt: new Date(now.getTime() - STALL_AFTER_MS + 60_000).toISOString() }, now);
    const overdue = riskOf({ ...base, status: 'done', overdueTasks: 2, openEscalations: 0 }, now);
    const both = riskOf({ ...base, status: 'done', overdueTasks: 2, openEscalations: 1 }, now);
    const incomplete = riskOf({ ...base, status: 'done', complete: false, missingCount: 3 }, now);
    expect(failed.score).toBeGreaterThan(stalled.score);
    expect(stalled.score).toBeGreaterThan(overdue.score);
    expect(overdue.score).toBeGreaterThan(incomplete.score);
    expect(incomplete.score).toBeGreaterThan(fresh.score);
    expect([failed.stalled, stalled.stalled, overdue.stalled, incomplete.stalled, fresh.stalled]).toEqual([true, true, true, false, false]);
    expect(stalled.reasons).toEqual(['no progress for 2 hours']);
    expect(overdue.reasons).toEqual(['2 overdue tasks']);
    expect(both.reasons).toEqual(['1 open escalation', '2 overdue tasks']);
    expect(both.score).toBeGreaterThan(overdue.score);
    expect(incomplete.reasons).toEqual(['document missing 3 fields']);
    // Preparing (before close) handoffs are never "stalled": nothing is supposed to run yet.
    expect(riskOf({ ...base, phase: 'preparing', status: 'pending', updatedAt: '2020-01-01T00:00:00Z' }, now).stalled).toBe(false);
  });

  it('computes quantiles by linear interpolation', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0.9)).toBeCloseTo(9.1);
  });
});

describe('bar chart', () => {
  it('renders accessible SVG with escaped labels and a table of the numbers', () => {
    const svg = barChart({ id: 'c', title: 'T <1>', categories: ['<img src=x onerror=alert(1)>', 'b'], series: [{ name: 'median', values: [2, null] }], unit: ' d' }).text;
    expect(svg).toContain('<svg role="img" aria-labelledby="c-title"');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).toContain('<td>2.0 d</td>');
    expect(svg).toContain('<td>–</td>');
    expect(barChart({ id: 'e', title: 'Empty', categories: [], series: [], unit: '' }).text).toContain('No data yet.');
  });
});
