// How a configuration value appears in an error message: enough to recognise the mistake, never a secret.
// A URL keeps its scheme, host, port and path; its password (postgres://user:pass@…) is masked.

/** Variables whose whole value is secret: a problem with one of them never shows the value. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'HUBSPOT_ACCESS_TOKEN',
  'HUBSPOT_CLIENT_SECRET',
  'JIRA_API_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'ASANA_ACCESS_TOKEN',
  'BATON_API_TOKEN',
  'BATON_METRICS_TOKEN',
  'BATON_SESSION_SECRET',
  'JIRA_WEBHOOK_SECRET',
  'ASANA_WEBHOOK_SECRET',
  'BATON_FEEDBACK_FORM_SECRET',
  'OIDC_CLIENT_SECRET',
  'BATON_USERS', // password hashes
  'BATON_REDIS_OPTIONS', // may hold a password
]);

/** `postgres://baton:s3cret@db:5432/baton` → `postgres://baton:***@db:5432/baton`; anything else unchanged. */
export function maskUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon >= 0 ? `${auth.slice(0, colon)}:***` : auth}@`;
  });
}

/** The value as an error message may show it, or null when it must not be shown. */
export function showValue(variable: string, value: string | undefined): string | null {
  if (value === undefined || SECRET_VARIABLES.has(variable)) return null;
  const shown = maskUrl(value.trim());
  return shown.length > 80 ? `${shown.slice(0, 77)}…` : shown;
}
