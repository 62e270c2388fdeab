// Company SSO settings from OIDC_* (read by read-env-options.ts, used by src/dashboard/auth/oidc-provider.ts).

export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the sign-in button. */
  label: string;
  scopes: string;
  /** The ID token (or userinfo) claim listing the user's groups. */
  groupsClaim: string;
  /** Members of any of these are admins. */
  adminGroups: string[];
  /** Members of any of these are viewers; empty = everyone the identity provider signs in for this app. */
  viewerGroups: string[];
}
