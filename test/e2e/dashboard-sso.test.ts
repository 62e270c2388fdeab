// Company SSO in a real browser: Baton's sign-in page → the identity provider (panva's oidc-provider, a
// certified OpenID Provider, on a local port) → its login and consent pages → back to Baton, signed in
// with the role the account's groups give. Authorization code flow with PKCE, state and nonce.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBaton, type Harness } from '../helpers/baton-harness.js';
import { freePort } from '../helpers/free-port.js';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startOidcStandin } from '../standins/oidc-standin.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe('dashboard sign-in with company SSO (OIDC) in a browser', () => {
  let b: Harness;
  let idp: Awaited<ReturnType<typeof startOidcStandin>>;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcStandin({
      redirectUri: `${publicUrl}/login/oidc/callback`,
      accounts: {
        'olivia.ops': { email: 'olivia.ops@baton.example', groups: ['everyone', 'baton-admins'] },
        'dana.delivery': { email: 'dana.delivery@baton.example', groups: ['everyone', 'delivery'] },
        'frank.finance': { email: 'frank.finance@baton.example', groups: ['everyone', 'finance'] },
      },
    });
    b = await startBaton({
      env: {
        PORT: String(port),
        BATON_PUBLIC_URL: publicUrl,
        BATON_SESSION_SECRET: 's'.repeat(40),
        OIDC_ISSUER_URL: idp.issuer,
        OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET,
        OIDC_SCOPES: 'openid email profile groups',
        OIDC_ADMIN_GROUPS: 'baton-admins',
        OIDC_VIEWER_GROUPS: 'delivery, sales',
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await b?.close();
    await idp?.close();
  });

  /** From a Baton page that needs sign-in, through the identity provider's login and consent pages. */
  async function signInWithSso(account: string, start = '/insights'): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${b.url}${start}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    // SSO only: no password form to fill in.
    await expect(page.getByLabel('Password').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Company SSO' }).click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.locator('input[name="login"]').fill(account);
    await page.locator('input[name="password"]').fill('any password will do here');
    await page.locator('button[type="submit"]').click();
    await page.getByRole('button', { name: 'Continue' }).click(); // consent
    await page.waitForURL((u) => u.origin === b.url);
    return page;
  }

  it('an account in an admin group comes back signed in as an admin, where it started', async () => {
    const page = await signInWithSso('olivia.ops');
    expect(new URL(page.url()).pathname).toBe('/insights');
    await expect(page.locator('header').textContent()).resolves.toContain('olivia.ops@baton.example');
    const admin = await page.goto(`${b.url}/admin`);
    expect(admin!.status()).toBe(200);
    await page.screenshot({ path: join(ARTIFACTS, 'sso-admin.png'), fullPage: true });
    await page.context().close();
  });

  it('an account in a viewer group is a viewer: pages yes, admin no', async () => {
    const page = await signInWithSso('dana.delivery', '/');
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(page.getByRole('heading', { level: 1 }).first().textContent()).resolves.toMatch(/Handoffs/);
    const admin = await page.goto(`${b.url}/admin`);
    expect(admin!.status()).toBe(403);
    await page.context().close();
  });

  it('an account in no allowed group is told so and stays signed out', async () => {
    const page = await signInWithSso('frank.finance');
    expect(new URL(page.url()).pathname).toBe('/login/oidc/callback');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('frank.finance@baton.example is not in a group allowed to use Baton');
    await page.screenshot({ path: join(ARTIFACTS, 'sso-refused.png'), fullPage: true });
    const again = await page.goto(`${b.url}/`);
    expect(new URL(again!.url()).pathname).toBe('/login');
    await page.context().close();
  });
});
