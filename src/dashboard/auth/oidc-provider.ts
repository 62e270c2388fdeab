// Company SSO: OpenID Connect authorization code flow with PKCE and a nonce, through openid-client (an
// OpenID-certified relying party: discovery, ID token signature, issuer, audience, expiry, nonce and state
// checks are the library's, not ours). A second AuthProvider next to BATON_USERS passwords: pages, sessions,
// CSRF and roles stay as they are. The role comes from a groups claim at sign-in and lasts the session.
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import type { AuthProvider, SignedInUser } from './auth-provider.js';
import type { Role } from '../../config/parse-users.js';
import type { OidcSettings } from '../../config/oidc-settings.js';

const PROVIDER_ID = 'oidc';

/** The role the groups give, or null when they give none. */
export function roleFromGroups(groups: readonly string[], s: Pick<OidcSettings, 'adminGroups' | 'viewerGroups'>): Role | null {
  if (groups.some((g) => s.adminGroups.includes(g))) return 'admin';
  if (s.viewerGroups.length === 0 || groups.some((g) => s.viewerGroups.includes(g))) return 'viewer';
  return null;
}

function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const v = claims[claim];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string');
  return typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : [];
}

/** Loopback issuers (a local identity provider, the tests' stand-in) may use http; anything else must be https. */
function isLoopback(url: URL): boolean {
  return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

/** Sessions carry the role mapping they were signed in under: changing the issuer, client or groups ends them. */
export function sessionVersion(s: Pick<OidcSettings, 'issuerUrl' | 'clientId' | 'groupsClaim' | 'adminGroups' | 'viewerGroups'>): string {
  return createHash('sha256').update(JSON.stringify([s.issuerUrl, s.clientId, s.groupsClaim, s.adminGroups, s.viewerGroups])).digest('base64url').slice(0, 16);
}

export function oidcProvider(s: OidcSettings, redirectUri: string): AuthProvider {
  const issuer = new URL(s.issuerUrl);
  let discovered: Promise<oidc.Configuration> | null = null;
  // Discovery once per process, retried on the next sign-in when the identity provider was unreachable.
  const configuration = () => {
    discovered ??= oidc
      .discovery(issuer, s.clientId, s.clientSecret, undefined, issuer.protocol === 'http:' && isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((e: unknown) => {
        discovered = null;
        throw e;
      });
    return discovered;
  };
  const version = sessionVersion(s);

  return {
    id: PROVIDER_ID,
    label: s.label,
    kind: 'redirect',
    async start(state) {
      const config = await configuration();
      const verifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: s.scopes,
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, pending: JSON.stringify({ verifier, nonce }) };
    },
    async callback(callbackUrl, state, pending) {
      const { verifier, nonce } = JSON.parse(pending) as { verifier: string; nonce: string };
      const config = await configuration();
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      let claims: Record<string, unknown> = { ...tokens.claims() };
      // Some providers put groups only in userinfo.
      if (!(s.groupsClaim in claims) && tokens.access_token) {
        claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub))), ...claims };
      }
      const name = [claims.email, claims.preferred_username, claims.sub].find((v): v is string => typeof v === 'string' && v !== '')!;
      const role = roleFromGroups(groupsOf(claims, s.groupsClaim), s);
      if (!role) return { refused: `${name} is not in a group allowed to use Baton. Ask an admin to add you.` };
      const user: SignedInUser = { name, role, provider: PROVIDER_ID };
      return { user, version };
    },
    resume(claims) {
      return claims.v === version ? { name: claims.u, role: claims.r, provider: PROVIDER_ID } : null;
    },
  };
}
