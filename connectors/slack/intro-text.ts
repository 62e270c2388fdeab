// The intro's final mrkdwn text: the mapping's message (its untrusted parts already escaped by the mapping
// layer) plus a line that mentions the rep handing over and the project lead taking over. Pure.
import { escapeMrkdwn, toOneLine } from '../../src/handoff/escape.js';
import { truncateForSlack } from '../../src/handoff/render-slack.js';
import type { ResolvedPerson } from '../../src/handoff/types.js';

/** Slack cuts `text` at 40,000 characters; Baton cuts first so the mention line survives. */
export const SLACK_TEXT_MAX = 40_000;
/** A display name longer than this is not a name (hostile or broken CRM data). */
export const NAME_MAX = 120;

/** A person as the intro shows them: a Slack user id when the email resolved, else their name/email as text. */
export type IntroPerson = { slackUserId: string } | { plain: string } | null;

/** `<@U…>` for a resolved user; otherwise the name (or email) as escaped literal text. */
export function mentionOrName(person: ResolvedPerson | undefined, slackUserId: string | null): IntroPerson {
  if (slackUserId) return { slackUserId };
  const label = toOneLine(person?.name ?? '') || toOneLine(person?.email ?? '');
  return label === '' ? null : { plain: label };
}

function show(p: Exclude<IntroPerson, null>): string {
  // User ids come from Slack (users.lookupByEmail), never from the deal; still, keep only id characters.
  if ('slackUserId' in p) return `<@${p.slackUserId.replace(/[^A-Za-z0-9]/g, '')}>`;
  return truncateForSlack(escapeMrkdwn(p.plain), NAME_MAX);
}

/** "From <@U_rep> to <@U_lead>" (either side may be a plain name, or left out when unknown). */
export function handoverLine(rep: IntroPerson, lead: IntroPerson): string | null {
  if (rep && lead) return `From ${show(rep)} to ${show(lead)}`;
  if (rep) return `From ${show(rep)}`;
  if (lead) return `To ${show(lead)}`;
  return null;
}

// Broadcast pings (`<!channel>`, `<!here>`, `<!everyone>`, legacy `<!here|here>`) and user-group pings
// (`<!subteam^S…>`). Deal text reaches here escaped, so these can only come from the mapping template;
// pinging a whole Slack Connect channel from an automated intro is never wanted, so they are shown as text.
const BROADCAST = /<!(?:channel|here|everyone|group|subteam\^[^>]*)(?:\|[^>]*)?>/gi;

export function neutralizeBroadcasts(text: string): string {
  return text.replace(BROADCAST, (m) => escapeMrkdwn(m));
}

/** The text chat.postMessage receives for the intro: message, then the handover line; within Slack's limit. */
export function buildIntroText(message: string, rep: IntroPerson, lead: IntroPerson): string {
  const line = handoverLine(rep, lead);
  const suffix = line ? `\n${line}` : '';
  const body = truncateForSlack(neutralizeBroadcasts(message.trim()), SLACK_TEXT_MAX - suffix.length);
  return `${body}${suffix}`;
}
