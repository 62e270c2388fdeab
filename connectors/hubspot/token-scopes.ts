// `validate --live`: which scopes does HUBSPOT_ACCESS_TOKEN carry, and which of the scopes Baton's calls need
// (required-scopes.ts) are missing? One problem per missing scope, naming the features that need it.
//
// HubSpot's introspection endpoints (looked up in HubSpot's docs):
//  - private-app and static (project app) access tokens: POST /oauth/v2/private-apps/get/access-token-info with
//    body {"tokenKey": "<token>"} → {userId, hubId, appId, scopes[]} (private apps guide, "View access token
//    info"; EU tokens also need the Authorization header, so it is always sent);
//  - OAuth access tokens: GET /oauth/v1/access-tokens/{token} → {hub_id, app_id, scopes[], …} (OAuth tokens v1).
// A token neither endpoint knows (a service key, say) is "not checked": the calls themselves still report a
// missing scope as a 403 naming it.
import type { HubSpotSdk } from './hubspot-sdk.js';
import { HUBSPOT_FEATURES, featuresNeeding, requiredScopes } from './required-scopes.js';

export interface TokenScopes {
  /** Scopes HubSpot says the token has; null when neither endpoint knew the token. */
  granted: string[] | null;
  kind: 'private-app' | 'oauth' | 'unknown';
}

interface ResponseLike {
  status: number;
  json(): Promise<unknown>;
}

export async function readTokenScopes(sdk: HubSpotSdk, token: string): Promise<TokenScopes> {
  const pat = (await sdk.send('preflight: read the token scopes', [], () =>
    sdk.client.apiRequest({ method: 'POST', path: '/oauth/v2/private-apps/get/access-token-info', body: { tokenKey: token } }),
  )) as ResponseLike;
  const fromPat = await scopesIn(pat);
  if (fromPat) return { granted: fromPat, kind: 'private-app' };
  const oauth = (await sdk.send('preflight: read the token scopes', [], () =>
    sdk.client.apiRequest({ method: 'GET', path: `/oauth/v1/access-tokens/${encodeURIComponent(token)}` }),
  )) as ResponseLike;
  const fromOauth = await scopesIn(oauth);
  if (fromOauth) return { granted: fromOauth, kind: 'oauth' };
  return { granted: null, kind: 'unknown' };
}

/** One line per scope Baton needs and the token lacks. */
export function missingScopeProblems(where: string, granted: string[]): Array<{ problem: string; fix: string }> {
  const have = new Set(granted);
  return requiredScopes()
    .filter((s) => !have.has(s))
    .map((scope) => ({
      problem: `${where}: the HubSpot token lacks the scope ${scope}, needed for ${featuresNeeding(scope).map((f) => HUBSPOT_FEATURES[f]).join('; ')}`,
      fix:
        `add ${scope} to the app's scopes — project app: \`baton hubspot app\` writes it into src/app/app-hsmeta.json, then \`hs project upload\`; ` +
        'legacy private app: Development → Legacy apps → the app → Scopes — then set HUBSPOT_ACCESS_TOKEN to the token HubSpot shows',
    }));
}

async function scopesIn(res: ResponseLike): Promise<string[] | null> {
  if (res.status < 200 || res.status >= 300) return null;
  const body = (await res.json().catch(() => null)) as { scopes?: unknown } | null;
  return Array.isArray(body?.scopes) && body.scopes.every((s) => typeof s === 'string') ? (body.scopes as string[]) : null;
}

/** The preflight check: [] when every scope is granted or the token's scopes cannot be read. */
export async function tokenScopeProblems(sdk: HubSpotSdk, token: string, where: string): Promise<Array<{ problem: string; fix: string }>> {
  const { granted } = await readTokenScopes(sdk, token);
  return granted === null ? [] : missingScopeProblems(where, granted);
}
