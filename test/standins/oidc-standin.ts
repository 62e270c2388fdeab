// A company identity provider for the tests: panva's oidc-provider (an OpenID-certified OpenID Provider)
// on a local port, with Baton registered as a confidential client that must use PKCE. Its development
// interactions stand in for the company's login page: any password signs in the named account, then a
// consent page. Accounts carry email and groups; groups are released for the `groups` scope (in userinfo,
// as most providers do by default, not in the ID token).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface OidcAccount {
  email: string;
  groups: string[];
}

export const OIDC_CLIENT_ID = 'baton-dashboard';
export const OIDC_CLIENT_SECRET = 'oidc-standin-client-secret-0123456789';

export async function startOidcStandin(opts: { redirectUri: string; accounts: Record<string, OidcAccount> }) {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    pkce: { required: () => true },
    async findAccount(_ctx, sub) {
      const account = opts.accounts[sub];
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email: account.email, email_verified: true, preferred_username: sub, groups: account.groups }) };
    },
    // Development cookies keys are fine for a test-only provider.
    cookies: { keys: ['oidc-standin-cookie-key-0123456789'] },
  });
  // Quiet: the dev-interactions warning is expected here.
  provider.on('server_error', (_ctx, err) => console.error('oidc stand-in error', err));
  server.on('request', provider.callback());
  return {
    issuer,
    provider,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
