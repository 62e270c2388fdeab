// Who may see and do what on the dashboard: anonymous, viewer and admin on every route; CSRF on every
// form; sign-in rate limiting in Redis; the session cookie's flags; /api keeps its bearer token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, TEST_API_TOKEN, type Harness } from '../../helpers/baton-harness.js';
import { DashboardClient, USERS, usersEnv } from './dashboard-client.js';
import { XSS, defaultMapping, seedOne } from './seed-handoffs.js';
import { listSteps } from '../../../src/store/step-repo.js';

const DAY = 86_400_000;

describe('dashboard authorization', () => {
  let b: Harness;
  let failedId: string;
  let doneId: string;
  let hostileId: string;
  const anon = () => new DashboardClient(b.url);
  const signedIn = async (who: 'admin' | 'viewer') => {
    const c = new DashboardClient(b.url);
    const r = await c.login(USERS[who].name, USERS[who].password);
    expect(r.status).toBe(303);
    return c;
  };

  beforeAll(async () => {
    b = await startBaton({ workers: false, env: { BATON_USERS: await usersEnv(), BATON_SESSION_SECRET: 'x'.repeat(40) } });
    const mapping = await defaultMapping();
    const now = Date.now();
    failedId = await seedOne(b.rt.store, mapping, { dealId: '501', company: 'Failing Ltd', closedAt: new Date(now - 2 * DAY), progress: 'failed' });
    doneId = await seedOne(b.rt.store, mapping, { dealId: '502', company: 'Fine GmbH', closedAt: new Date(now - 3 * DAY), progress: 'done' });
    hostileId = await seedOne(b.rt.store, mapping, { dealId: '503', company: `Evil ${XSS}`, dealName: XSS, closedAt: new Date(now - 1 * DAY), progress: 'failed', drop: ['baton_scope'] });
  });
  afterAll(async () => {
    await b?.close();
  });

  const PAGES = () => ['/', '/?state=all&sort=newest&page=2', `/handoffs/${doneId}`, '/insights', '/admin', '/admin/queues/'];

  it('sends anonymous browsers to sign in and gives scripts a 401, on every page', async () => {
    for (const path of PAGES()) {
      const r = await anon().get(path);
      expect(r.status, path).toBe(303);
      expect(r.location, path).toBe(`/login?next=${encodeURIComponent(path)}`);
      expect((await anon().get(path, 'application/json')).status, path).toBe(401);
    }
    for (const path of ['/admin/retry', '/admin/preview', '/logout']) {
      expect((await anon().post(path, { _csrf: 'x' })).status, path).toBe(401);
    }
    expect((await anon().request('PUT', '/admin/queues/api/queues/handoff/retry/failed')).status).toBe(401);
  });

  it('keeps /healthz and /readyz open and quiet, and /api behind its bearer token', async () => {
    const health = await anon().get('/healthz', 'application/json');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ ok: true });
    const ready = await anon().get('/readyz', 'application/json');
    expect(ready.status).toBe(200);
    expect(Object.keys(JSON.parse(ready.text)).sort()).toEqual(['mappings', 'ok', 'redis', 'store']);
    expect((await anon().get('/api/handoffs', 'application/json')).status).toBe(401);
    // A dashboard session is not an API credential.
    const viewer = await signedIn('viewer');
    expect((await viewer.get('/api/handoffs', 'application/json')).status).toBe(401);
    const api = new DashboardClient(b.url, { authorization: `Bearer ${TEST_API_TOKEN}` });
    expect((await api.get('/api/handoffs', 'application/json')).status).toBe(200);
    // The dashboard's data as JSON, on the same token.
    expect((await anon().get('/api/dashboard/board', 'application/json')).status).toBe(401);
    const board = JSON.parse((await api.get('/api/dashboard/board?state=attention', 'application/json')).text);
    expect(board.rows.map((r: { id: string }) => r.id)).toContain(failedId);
    expect(board.rows.find((r: { id: string }) => r.id === failedId).risk.reasons).toContain('failed: needs an admin');
    const insights = JSON.parse((await api.get('/api/dashboard/insights', 'application/json')).text);
    expect(insights.stallsByStep[0]).toMatchObject({ step: 'create-work', failed: 2 });
  });

  it('lets a viewer read every page but no admin page or action', async () => {
    const viewer = await signedIn('viewer');
    for (const path of ['/', `/handoffs/${doneId}`, '/insights']) {
      const r = await viewer.get(path);
      expect(r.status, path).toBe(200);
      expect(r.text).toContain('vic');
      expect(r.text).not.toContain('href="/admin"');
    }
    expect((await viewer.get('/admin')).status).toBe(403);
    expect((await viewer.get('/admin/queues/')).status).toBe(403);
    expect((await viewer.get('/admin/queues/api/queues')).status).toBe(403);
    const csrf = await viewer.csrf();
    const retry = await viewer.post('/admin/retry', { _csrf: csrf, handoffId: failedId, stepId: 'create-work', back: '/admin' });
    expect(retry.status).toBe(403);
    expect((await listSteps(b.rt.store, failedId)).find((s) => s.stepId === 'create-work')?.status).toBe('failed');
    expect((await viewer.post('/admin/preview', { _csrf: csrf, mapping: 'services-onboarding', deal: '{}' })).status).toBe(403);
    // The handoff page shows the failed step but no Retry button to a viewer.
    const page = await viewer.get(`/handoffs/${failedId}`);
    expect(page.text).toContain('an admin can retry');
    expect(page.text).not.toContain('action="/admin/retry"');
  });

  it('lets an admin into the admin pages and bull-board', async () => {
    const admin = await signedIn('admin');
    for (const path of PAGES()) expect((await admin.get(path)).status, path).toBe(200);
    const queues = await admin.get('/admin/queues/api/queues?activeQueue=handoff&status=failed&page=1&jobsPerPage=10', 'application/json');
    expect(queues.status).toBe(200);
    expect(JSON.parse(queues.text).queues.map((q: { name: string }) => q.name)).toContain('handoff');
    const adminPage = await admin.get('/admin');
    expect(adminPage.text).toContain('Failing Ltd');
    expect(adminPage.text).toContain('customfield_10020');
    // bull-board's JSON actions refuse cross-origin requests even from a signed-in admin.
    const cross = await admin.request('PUT', '/admin/queues/api/queues/handoff/retry/failed', { headers: { origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
  });

  it('rejects forms without the session CSRF token, or with another session’s', async () => {
    const admin = await signedIn('admin');
    const other = await signedIn('admin');
    const base = { handoffId: failedId, stepId: 'create-work', back: '/admin' };
    expect((await admin.post('/admin/retry', base)).status).toBe(403);
    expect((await admin.post('/admin/retry', { ...base, _csrf: 'forged' })).status).toBe(403);
    expect((await admin.post('/admin/retry', { ...base, _csrf: await other.csrf() })).status).toBe(403);
    expect((await admin.post('/logout', {})).status).toBe(403);
    expect((await listSteps(b.rt.store, failedId)).find((s) => s.stepId === 'create-work')?.status).toBe('failed');
    // The sign-in form has its own token, bound to a cookie.
    const fresh = anon();
    expect((await fresh.post('/login', { name: USERS.admin.name, password: USERS.admin.password })).status).toBe(403);
    expect(fresh.cookies.size).toBe(1); // only the sign-in nonce, no session
  });

  it('signs in with a secure, HttpOnly, SameSite=Lax cookie and signs out', async () => {
    const c = anon();
    await c.get('/login');
    const page = await c.get('/login');
    const r = await c.post('/login', { _csrf: DashboardClient.csrfOf(page.text), name: USERS.viewer.name, password: USERS.viewer.password, next: '/insights' });
    expect(r.status).toBe(303);
    expect(r.location).toBe('/insights');
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith('__Host-baton_session='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect((await c.get('/')).status).toBe(200);
    // A tampered cookie is no session.
    const copy = new DashboardClient(b.url);
    const value = c.cookies.get('__Host-baton_session')!;
    copy.cookies.set('__Host-baton_session', value.replace(/^./, (x) => (x === 'e' ? 'f' : 'e')));
    expect((await copy.get('/')).status).toBe(303);
    // Sign out clears it.
    const out = await c.post('/logout', { _csrf: await c.csrf() });
    expect(out.status).toBe(303);
    expect(c.cookies.has('__Host-baton_session')).toBe(false);
    expect((await c.get('/')).status).toBe(303);
    // Never redirects off-site after sign-in.
    const evil = anon();
    const p = await evil.get('/login?next=//evil.example/x');
    expect(p.text).toContain('name="next" value="/"');
  });

  it('ends sessions of a user whose password changed or who was removed', async () => {
    const c = await signedIn('viewer');
    expect((await c.get('/')).status).toBe(200);
    const users = b.rt.config.dashboard.users;
    const vic = users.find((u) => u.name === 'vic')!;
    b.rt.config.dashboard.users = users.filter((u) => u !== vic);
    try {
      expect((await c.get('/')).status).toBe(303);
    } finally {
      b.rt.config.dashboard.users = users;
    }
  });

  it('previews a pasted HubSpot workflow payload with the CRM parser the runtime passes in', async () => {
    const admin = await signedIn('admin');
    const payload = { portalId: 1, dealId: 9, properties: { dealname: { value: 'Pasted Payload Deal', timestamp: 1 }, dealstage: { value: 'closedwon', timestamp: 1 } } };
    const preview = await admin.post('/admin/preview', { _csrf: await admin.csrf('/admin'), mapping: 'services-onboarding', deal: JSON.stringify(payload), dealId: '', closedAt: '' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Pasted Payload Deal');
    expect(preview.text).toMatch(/Missing: [^<]*Scope sold/);
    const junk = await admin.post('/admin/preview', { _csrf: await admin.csrf('/admin'), mapping: 'services-onboarding', deal: '{"hello":1}', dealId: '', closedAt: '' });
    expect(junk.status).toBe(422);
    expect(junk.text).toContain('cannot read the deal');
  });

  it('rate-limits failed sign-ins per IP and user in Redis, even for the right password', async () => {
    const name = 'ana';
    const c = anon();
    for (let i = 0; i < 5; i++) expect((await c.login(name, `wrong-${i}`)).status).toBe(401);
    const blocked = await c.login(name, USERS.admin.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const keys = await b.rt.redis.keys(`${b.env.BATON_QUEUE_PREFIX}:login:*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    // Another user from the same address is not locked out.
    expect((await anon().login(USERS.viewer.name, USERS.viewer.password)).status).toBe(303);
    // Unknown names fail the same way as wrong passwords.
    const unknown = await anon().login('nobody', 'whatever-password');
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain('Wrong name or password.');
    await b.rt.redis.del(...(await b.rt.redis.keys(`${b.env.BATON_QUEUE_PREFIX}:login:*`)));
  });

  it('renders hostile deal text as text on every page', async () => {
    const admin = await signedIn('admin');
    for (const path of ['/', '/?state=all', `/handoffs/${hostileId}`, '/insights', '/admin']) {
      const r = await admin.get(path);
      expect(r.status, path).toBe(200);
      expect(r.text, path).not.toContain('<script>window.__xss');
      expect(r.text, path).not.toContain('<img src=x');
      expect(r.headers.get('content-security-policy'), path).toContain("script-src 'self'");
    }
    const page = await admin.get(`/handoffs/${hostileId}`);
    expect(page.text).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;&quot;&#39;&amp;');
    const preview = await admin.post('/admin/preview', {
      _csrf: await admin.csrf('/admin'),
      mapping: 'services-onboarding',
      deal: JSON.stringify({ crm: 'hubspot', accountId: '1', id: '9', properties: { dealname: XSS, baton_scope: XSS }, pipelineId: null, stageId: null, url: null, archived: false, company: null, contacts: [], owner: null }),
      dealId: '',
      closedAt: '',
    });
    expect(preview.status).toBe(200);
    expect(preview.text).not.toContain('<script>window.__xss');
    expect(preview.text).toContain('&lt;script&gt;window.__xss=1');
  });
});
