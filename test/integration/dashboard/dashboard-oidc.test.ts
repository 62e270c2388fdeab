// Company SSO (OIDC) at the HTTP level, the ways a sign-in can go wrong: no sign-in under way, a state that
// does not match, a forged code, the identity provider saying no (its words stay text), the identity
// provider down; and the pieces that decide roles and end sessions. The whole happy path runs in a browser
// (test/e2e/dashboard-sso.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, type Harness } from '../../helpers/baton-harness.js';
import { freePort } from '../../helpers/free-port.js';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startOidcStandin } from '../../standins/oidc-standin.js';
import { DashboardClient } from './dashboard-client.js';
import { oidcProvider, roleFromGroups, sessionVersion } from '../../../src/dashboard/auth/oidc-provider.js';
import type { OidcSettings } from '../../../src/config/oidc-settings.js';
import { readEnvOptions } from '../../../src/config/read-env-options.js';

describe('OIDC sign-in over HTTP', () => {
  let b: Harness;
  let idp: Awaited<ReturnType<typeof startOidcStandin>>;
  const client = () => new DashboardClient(b.url);

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcStandin({ redirectUri: `${publicUrl}/login/oidc/callback`, accounts: { ana: { email: 'ana@baton.example', groups: ['baton-admins'] } } });
    b = await startBaton({
      env: { PORT: String(port), BATON_PUBLIC_URL: publicUrl, BATON_SESSION_SECRET: 's'.repeat(40), OIDC_ISSUER_URL: idp.issuer, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_LABEL: 'Acme SSO', OIDC_ADMIN_GROUPS: 'baton-admins' },
    });
  });
  afterAll(async () => {
    await b?.close();
    await idp?.close();
  });

  it('the sign-in page offers the SSO button (and no password form when BATON_USERS is empty)', async () => {
    const page = await client().get('/login?next=/insights');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/login/oidc?next=%2Finsights"');
    expect(page.text).toContain('Acme SSO');
    expect(page.text).not.toContain('type="password"');
    expect(page.text).not.toContain('No dashboard users are configured');
  });

  it('starts the code flow with PKCE (S256), state and nonce, and keeps them in a signed HttpOnly cookie', async () => {
    const c = client();
    const r = await c.get('/login/oidc?next=/insights');
    expect(r.status).toBe(303);
    const to = new URL(r.location!);
    expect(to.origin).toBe(idp.issuer);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: OIDC_CLIENT_ID,
      response_type: 'code',
      redirect_uri: `${b.env.BATON_PUBLIC_URL}/login/oidc/callback`,
      code_challenge_method: 'S256',
      scope: 'openid email profile',
    });
    expect(to.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(to.searchParams.get('nonce')).toBeTruthy();
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = r.headers.getSetCookie().find((x) => x.startsWith('baton_sso='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    // The verifier never leaves Baton in the clear: the cookie is signed (and the challenge is its hash).
    expect(decodeURIComponent(cookie)).not.toContain(to.searchParams.get('code_challenge')!);
  });

  it('a callback with no sign-in under way, a wrong state, or a forged code signs nobody in', async () => {
    const none = await client().get('/login/oidc/callback?code=abc&state=xyz');
    expect(none.status).toBe(400);
    expect(none.text).toContain('This sign-in expired or was not started here');

    const c = client();
    const state = new URL((await c.get('/login/oidc')).location!).searchParams.get('state')!;
    const wrongState = await c.get(`/login/oidc/callback?code=abc&state=${state}x`);
    expect(wrongState.status).toBe(400);
    expect(wrongState.text).toContain('The sign-in could not be verified');
    // One use: the pending sign-in is gone after any callback.
    expect(c.cookies.has('baton_sso')).toBe(false);

    const d = client();
    const state2 = new URL((await d.get('/login/oidc')).location!).searchParams.get('state')!;
    const forged = await d.get(`/login/oidc/callback?code=forged-code&state=${state2}`);
    expect(forged.status).toBe(400);
    expect(d.cookies.has('baton_session')).toBe(false);
    expect((await d.get('/')).status).toBe(303);
  });

  it("the identity provider's refusal is shown as text", async () => {
    const c = client();
    await c.get('/login/oidc');
    const r = await c.get(`/login/oidc/callback?error=access_denied&error_description=${encodeURIComponent('<script>alert(1)</script> not assigned')}`);
    expect(r.status).toBe(401);
    expect(r.text).toContain('Acme SSO did not sign you in: &lt;script&gt;alert(1)&lt;/script&gt; not assigned');
    expect(r.text).not.toContain('<script>alert');
  });

  it('an unknown provider is a 404', async () => {
    expect((await client().get('/login/saml')).status).toBe(404);
    expect((await client().get('/login/password')).status).toBe(404); // a form provider has no redirect
  });
});

describe('OIDC pieces', () => {
  const settings: OidcSettings = {
    issuerUrl: 'http://127.0.0.1:9/',
    clientId: 'c',
    clientSecret: 'secret-secret',
    label: 'SSO',
    scopes: 'openid',
    groupsClaim: 'groups',
    adminGroups: ['ops'],
    viewerGroups: ['delivery', 'sales'],
  };

  it('groups decide the role: admin first, then viewer; no allowed group, no role; no viewer groups = everyone views', () => {
    expect(roleFromGroups(['sales', 'ops'], settings)).toBe('admin');
    expect(roleFromGroups(['delivery'], settings)).toBe('viewer');
    expect(roleFromGroups(['finance'], settings)).toBeNull();
    expect(roleFromGroups([], settings)).toBeNull();
    expect(roleFromGroups(['finance'], { ...settings, viewerGroups: [] })).toBe('viewer');
  });

  it('an SSO session lasts while the role mapping it was signed in under stays; a change ends it', () => {
    const claims = { u: 'ana@baton.example', p: 'oidc', r: 'admin' as const, v: sessionVersion(settings), s: 'sid', e: Date.now() + 60_000 };
    expect(oidcProvider(settings, 'http://x/cb').resume(claims)).toEqual({ name: 'ana@baton.example', role: 'admin', provider: 'oidc' });
    expect(oidcProvider({ ...settings, adminGroups: ['ops', 'finance'] }, 'http://x/cb').resume(claims)).toBeNull();
  });

  it('the identity provider down: the sign-in page says so (502), nothing else breaks', async () => {
    const port = await freePort();
    const b = await startBaton({
      env: { PORT: String(port), BATON_PUBLIC_URL: `http://127.0.0.1:${port}`, OIDC_ISSUER_URL: `http://127.0.0.1:${await freePort()}`, OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 'secret-secret' },
    });
    try {
      const r = await new DashboardClient(b.url).get('/login/oidc');
      expect(r.status).toBe(502);
      expect(r.text).toContain('Company SSO did not answer');
    } finally {
      await b.close();
    }
  });

  it('OIDC settings come as a set: half of them names what is missing', () => {
    expect(() => readEnvOptions({ OIDC_ISSUER_URL: 'https://login.example.com' })).toThrow(/OIDC_CLIENT_ID: required when OIDC_ISSUER_URL is set[\s\S]*OIDC_CLIENT_SECRET: required/);
    const c = readEnvOptions({ OIDC_ISSUER_URL: 'https://login.example.com', OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret-value', OIDC_ADMIN_GROUPS: 'ops, it-admins' });
    expect(c.dashboard.oidc).toMatchObject({ label: 'Company SSO', scopes: 'openid email profile', groupsClaim: 'groups', adminGroups: ['ops', 'it-admins'], viewerGroups: [] });
    expect(c.secrets).toContain('secret-value');
  });
});
