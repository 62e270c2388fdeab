// `baton validate --live` for Slack: the token works and has every scope Baton needs (bot-scopes.ts), each channel
// exists, is not archived and has the Baton app in it, and each person's email resolves to a Slack user. One
// { problem, fix } per problem found.
import { isPermanent } from '../../src/handoff/errors.js';
import { TOKEN_SETTING } from './classify-error.js';
import { missingBotScopes } from './bot-scopes.js';
import type { SlackApi } from './slack-api.js';
import type { SlackDirectory } from './slack-directory.js';

export interface PreflightProblem {
  problem: string;
  fix: string;
}

const fixFor = (e: unknown): string => {
  const field = isPermanent(e) ? e.field : undefined;
  if (field === TOKEN_SETTING) return `update ${TOKEN_SETTING} (OAuth & Permissions of the Baton Slack app; reinstall after adding scopes)`;
  if (field === 'channel') return 'put the channel id on the deal or in the mapping, and invite the Baton app to it (/invite @Baton)';
  return isPermanent(e) ? 'see the problem text' : 'Slack did not answer; run the check again';
};
const problemOf = (e: unknown): PreflightProblem => ({ problem: e instanceof Error ? e.message : String(e), fix: fixFor(e) });

export async function slackPreflight(
  api: SlackApi,
  directory: SlackDirectory,
  req: { channels: string[]; emails: string[] },
): Promise<PreflightProblem[]> {
  let auth;
  try {
    auth = await api.call('auth.test', {});
  } catch (e) {
    return [problemOf(e)]; // nothing else can be checked without a working token
  }
  const problems: PreflightProblem[] = scopeProblems(auth);
  for (const channel of [...new Set(req.channels)]) {
    try {
      const id = await directory.resolveChannel(channel);
      const res = await api.call('conversations.info', { channel: id }, { channel: id, tolerate: ['channel_not_found'] });
      const info = res.channel as { is_archived?: unknown; is_member?: unknown; is_im?: unknown } | undefined;
      if (!res.ok || !info) {
        problems.push({
          problem: `Slack channel ${channel} not found (or the Baton app cannot see it)`,
          fix: 'check the channel id; for a private or Slack Connect channel, invite the Baton app first (/invite @Baton)',
        });
      } else if (info.is_archived === true) {
        problems.push({ problem: `Slack channel ${channel} is archived`, fix: 'unarchive it or use another channel' });
      } else if (info.is_member === false && info.is_im !== true) {
        problems.push({ problem: `the Baton app is not in Slack channel ${channel}`, fix: `invite it: /invite @Baton in ${channel}` });
      }
    } catch (e) {
      problems.push(problemOf(e));
    }
  }
  for (const email of [...new Set(req.emails)]) {
    try {
      if ((await directory.lookupUser(email)) === null) {
        problems.push({
          problem: `no Slack user for ${email}: intros name them in plain text instead of mentioning them, and DMs to them are skipped`,
          fix: `use the email of their Slack account in the CRM or the mapping, or invite ${email} to the Slack workspace`,
        });
      }
    } catch (e) {
      problems.push(problemOf(e));
    }
  }
  return problems;
}

/** One problem per scope Baton needs and the token lacks (when Slack reported the token's scopes). */
function scopeProblems(auth: Record<string, unknown>): PreflightProblem[] {
  const granted = (auth.response_metadata as { scopes?: unknown } | undefined)?.scopes;
  if (!Array.isArray(granted)) return [];
  return missingBotScopes(granted.filter((g): g is string => typeof g === 'string')).map(({ scope, why }) => ({
    problem: `the Slack bot token lacks the scope ${scope}: Baton needs it to ${why}`,
    fix: `add ${scope} under OAuth & Permissions → Bot Token Scopes of the Baton Slack app, reinstall the app and update ${TOKEN_SETTING}`,
  }));
}
