// The bot token scopes Baton's Slack app needs, each with what it is for. Preflight (`baton validate --live`)
// compares them with the scopes Slack reports for the token (auth.test's `x-oauth-scopes` header, which
// @slack/web-api returns as response_metadata.scopes); docs/watching.md and the README list the same set.
export const BOT_SCOPES: readonly { scope: string; why: string }[] = [
  { scope: 'chat:write', why: 'post the intro, escalations, client updates and DMs' },
  { scope: 'channels:read', why: 'find public channels by name and check them before posting' },
  { scope: 'groups:read', why: 'find private (and Slack Connect) channels by name and check them' },
  { scope: 'im:write', why: 'open DMs to people (nudges, feedback requests)' },
  { scope: 'users:read', why: 'look people up' },
  { scope: 'users:read.email', why: 'find people by email, to mention them and DM them' },
  { scope: 'channels:history', why: 'after a post to a public channel whose answer never arrived, check whether it went through instead of posting twice' },
  { scope: 'groups:history', why: 'the same check in private (and Slack Connect) channels' },
  { scope: 'im:history', why: 'the same check for DMs' },
];

/** Scopes Baton needs that `granted` lacks, in BOT_SCOPES order. */
export function missingBotScopes(granted: readonly string[]): { scope: string; why: string }[] {
  const have = new Set(granted);
  return BOT_SCOPES.filter((s) => !have.has(s.scope));
}
