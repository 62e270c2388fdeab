// The intro as an email (issue 14): a reply in the rep's thread with the client when there is one, else a new
// email from the rep's name. Every value here may come from the CRM, so it is made inert for each place it goes:
// headers get one line without controls (no CR/LF injection) and only well-formed addresses; the HTML part is
// escaped; nothing is attached. Pure — connectors/email sends what this returns.
import { escapeHtml, sanitizeText, toOneLine } from './escape.js';
import { normaliseAddress, type ClientThread, type EmailAddress } from './email-thread.js';

export interface OutgoingEmail {
  /** Stable per handoff and message: what a resend inside SMTP's ambiguous window reuses. */
  messageId: string;
  from: EmailAddress;
  replyTo: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  subject: string;
  inReplyTo: string | null;
  references: string[];
  text: string;
  html: string;
}

export interface IntroEmailInput {
  handoffId: string;
  /** Which message of the handoff (`intro`, `milestone-kickoff`…): part of the Message-ID. */
  purpose: string;
  /** `rep`: From the rep. An address: From that shared address (with the rep's name), Reply-To the rep. */
  sender: 'rep' | EmailAddress;
  rep: EmailAddress;
  /** The project lead and anyone else the mapping copies (the rep is always copied when not the sender). */
  cc: EmailAddress[];
  /** The thread to reply in (email-thread.ts), or null for a new email. */
  thread: ClientThread | null;
  /** A new email's recipients (the deal's primary contact) and subject, when there is no thread. */
  newThread: { to: EmailAddress[]; subject: string };
  /** The rendered message, plain text. */
  text: string;
}

export type IntroEmailResult = { ok: true; email: OutgoingEmail; threaded: boolean; notes: string[] } | { ok: false; reason: string };

// RFC 5321 mailbox, conservatively: no spaces, quotes, brackets, commas or controls anywhere.
const ADDRESS = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+@[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+\.[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+$/;

export function isSafeAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/** A display name safe for a header: one line, no controls, no angle brackets or quotes that could end it early. */
export function headerName(name: string | null): string | null {
  if (name === null) return null;
  const one = toOneLine(name).replace(/[<>"\\]/g, '').slice(0, 120).trim();
  return one === '' ? null : one;
}

/** A subject safe for a header: one line, no controls. */
export function headerText(text: string): string {
  return toOneLine(text).slice(0, 250);
}

/** `<baton.<purpose>.<handoff>@<domain>>`: one per handoff and purpose, from the sender's own domain. */
export function stableMessageId(handoffId: string, purpose: string, fromAddress: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-');
  return `<baton.${safe(purpose)}.${safe(handoffId)}@${normaliseAddress(fromAddress).split('@')[1]}>`;
}

/** Plain text → escaped HTML paragraphs (blank line = paragraph, newline = <br>). */
export function textToHtml(text: string): string {
  const paragraphs = sanitizeText(text).trim().split(/\n{2,}/);
  const body = paragraphs.map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>\n')}</p>`).join('\n');
  return `<!doctype html>\n<html><body>\n${body}\n</body></html>\n`;
}

export function buildIntroEmail(input: IntroEmailInput): IntroEmailResult {
  const notes: string[] = [];
  const clean = (list: EmailAddress[], what: string): EmailAddress[] => {
    const out: EmailAddress[] = [];
    for (const a of list) {
      const address = normaliseAddress(a.address);
      if (!isSafeAddress(address)) {
        notes.push(`left out ${what} address ${JSON.stringify(toOneLine(a.address).slice(0, 80))}: not a valid email address`);
        continue;
      }
      if (!out.some((o) => o.address === address)) out.push({ address, name: headerName(a.name) });
    }
    return out;
  };
  const [rep] = clean([input.rep], 'rep');
  if (!rep) return { ok: false, reason: `the rep's email ${JSON.stringify(input.rep.address)} is not a valid address` };
  let from: EmailAddress;
  let replyTo: EmailAddress | null = null;
  if (input.sender === 'rep') {
    from = rep;
  } else {
    const [shared] = clean([input.sender], 'sender');
    if (!shared) return { ok: false, reason: `the sender address ${JSON.stringify(input.sender.address)} is not a valid address` };
    from = { address: shared.address, name: rep.name ? headerName(`${rep.name} via ${shared.name ?? shared.address}`) : shared.name };
    replyTo = rep;
  }

  const to = clean(input.thread ? input.thread.clientAddresses : input.newThread.to, 'client');
  if (to.length === 0) return { ok: false, reason: input.thread ? 'the client thread names no valid client address' : 'the deal has no valid client address to write to' };
  const taken = new Set([from.address, ...to.map((a) => a.address)]);
  const cc = clean([...(input.sender === 'rep' ? [] : [rep]), ...input.cc], 'cc').filter((a) => !taken.has(a.address) && (taken.add(a.address), true));

  const subject = headerText(input.thread ? input.thread.subject : input.newThread.subject);
  if (subject === '') return { ok: false, reason: 'the email subject is empty: set `thread.email.subject` in the mapping' };
  if (input.thread && input.thread.inReplyTo === null) notes.push('the CRM kept no Message-ID for the client thread: the reply threads by subject only');
  const text = sanitizeText(input.text).trim() + '\n';
  return {
    ok: true,
    threaded: input.thread !== null,
    notes,
    email: {
      messageId: stableMessageId(input.handoffId, input.purpose, from.address),
      from,
      replyTo,
      to,
      cc,
      subject,
      inReplyTo: input.thread?.inReplyTo ?? null,
      references: input.thread?.references ?? [],
      text,
      html: textToHtml(text),
    },
  };
}
