// Small mrkdwn helpers shared by the watching messages: people as mentions or escaped text, safe links,
// and Slack's own date formatting (shown in each reader's timezone). Pure.
import { escapeMrkdwn, toOneLine } from '../handoff/escape.js';

export interface MessagePerson {
  role: string;
  email: string | null;
  name: string | null;
  /** The chat tool's user id when it knows the email: then the person is mentioned. */
  userId: string | null;
}

/** `<@U123>` when the chat tool knows the person, else their name/email as escaped text. */
export function personText(p: MessagePerson): string {
  if (p.userId && /^[UW][A-Z0-9]+$/.test(p.userId)) return `<@${p.userId}>`;
  const label = p.name ? `${p.name}${p.email ? ` (${p.email})` : ''}` : (p.email ?? `the ${p.role.replace(/_/g, ' ')}`);
  return escapeMrkdwn(toOneLine(label));
}

/**
 * `<url|label>` for http(s) URLs only; characters that would end the link early are percent-encoded and
 * the label is escaped. Anything else (javascript:, empty) is dropped.
 */
export function linkText(url: string | null | undefined, label: string): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  const safe = parsed.href.replace(/[|<> ]/g, (c) => encodeURIComponent(c));
  return `<${safe}|${escapeMrkdwn(toOneLine(label)).replace(/\|/g, '¦')}>`;
}

/** Slack renders `<!date^…>` in the reader's timezone; the fallback is UTC. */
export function dateText(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  const fallback = at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallback}>`;
}
