// Which email thread the intro continues (issue 14). The CRM logs the rep's emails with the client; the intro
// replies in the latest conversation between the rep and the client's people, so the client never starts over.
// Pure: the CRM connector reads the logged emails (connectors/hubspot/logged-emails.ts), this decides.

/** An email address with its display name, as the CRM logged it. */
export interface EmailAddress {
  address: string;
  name: string | null;
}

/** One email logged on the deal or its contacts, CRM-neutral. */
export interface LoggedEmail {
  id: string;
  /** The RFC 5322 Message-ID (with angle brackets) when the CRM kept it; HubSpot keeps it for mailbox-logged emails. */
  messageId: string | null;
  /** The CRM's own thread id when it groups emails (HubSpot `hs_email_thread_id`); null when it does not. */
  threadId: string | null;
  subject: string;
  /** outgoing: sent by someone at the seller; incoming: a reply from outside; forwarded: forwarded to the CRM. */
  direction: 'outgoing' | 'incoming' | 'forwarded';
  /** ms since epoch. */
  at: number;
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
}

/** Who is who in a thread: the rep, and how to recognise the client's people. */
export interface ThreadParties {
  repEmail: string;
  /** The deal's contacts' addresses. */
  clientEmails: string[];
  /** The client company's domain(s): anyone writing from them counts as the client. */
  clientDomains: string[];
}

/** The thread the intro replies in: its headers and its people. */
export interface ClientThread {
  /** `Re: <subject>` (RFC 5322 3.6.5: one "Re: ", not stacked). */
  subject: string;
  /** The Message-ID of the message replied to; null when the CRM kept none (then the reply threads by subject only). */
  inReplyTo: string | null;
  /** The thread's Message-IDs, oldest first (RFC 5322 3.6.4), trimmed to the first and the latest few. */
  references: string[];
  /** The client's addresses in the thread (the reply's To). */
  clientAddresses: EmailAddress[];
  /** The logged email replied to. */
  replyTo: LoggedEmail;
}

const MAX_REFERENCES = 10;
const REPLY_PREFIX = /^\s*((re|aw|sv|fw|fwd|wg)\s*(\[\d+\])?\s*:\s*)+/i;

export const normaliseAddress = (address: string): string => address.trim().toLowerCase();
const domainOf = (address: string): string => normaliseAddress(address).split('@')[1] ?? '';

/** The subject without any Re:/Fwd: prefixes (RFC 5322 3.6.5 and what mail clients add). */
export function baseSubject(subject: string): string {
  return subject.replace(REPLY_PREFIX, '').trim();
}

export function replySubject(subject: string): string {
  const base = baseSubject(subject);
  return base === '' ? 'Re:' : `Re: ${base}`;
}

/**
 * The latest conversation between the rep and the client's people, or null when there is none. Emails that only
 * involve the seller's side, or the client without the rep, do not count; forwarded copies are not a conversation.
 */
export function pickClientThread(emails: readonly LoggedEmail[], parties: ThreadParties): ClientThread | null {
  const rep = normaliseAddress(parties.repEmail);
  const clientEmails = new Set(parties.clientEmails.map(normaliseAddress));
  const clientDomains = new Set(parties.clientDomains.map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean));
  const isClient = (a: EmailAddress) => {
    const address = normaliseAddress(a.address);
    return address !== rep && (clientEmails.has(address) || clientDomains.has(domainOf(address)));
  };
  const people = (e: LoggedEmail) => [...(e.from ? [e.from] : []), ...e.to, ...e.cc];

  const conversation = emails.filter((e) => {
    if (e.direction === 'forwarded') return false;
    const all = people(e);
    return all.some((a) => normaliseAddress(a.address) === rep) && all.some(isClient);
  });
  if (conversation.length === 0) return null;

  // Group by the CRM's thread id, else by subject (what mail clients fall back to).
  const threadKey = (e: LoggedEmail) => e.threadId ?? `subject:${baseSubject(e.subject).toLowerCase()}`;
  const threads = new Map<string, LoggedEmail[]>();
  for (const e of conversation) threads.set(threadKey(e), [...(threads.get(threadKey(e)) ?? []), e]);
  const byTime = (a: LoggedEmail, b: LoggedEmail) => a.at - b.at || a.id.localeCompare(b.id);
  const latestThread = [...threads.values()]
    .map((t) => [...t].sort(byTime))
    .sort((a, b) => byTime(a[a.length - 1]!, b[b.length - 1]!))
    .at(-1)!;

  const latest = latestThread[latestThread.length - 1]!;
  const ids = latestThread.map((e) => e.messageId).filter((id): id is string => id !== null);
  const references = ids.length <= MAX_REFERENCES ? ids : [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))];
  const inReplyTo = [...latestThread].reverse().find((e) => e.messageId !== null)?.messageId ?? null;

  // Everyone on the client's side of the latest message; earlier messages when it named none.
  const clientAddresses: EmailAddress[] = [];
  const seen = new Set<string>();
  for (const e of [...latestThread].reverse()) {
    for (const a of people(e).filter(isClient)) {
      const key = normaliseAddress(a.address);
      if (!seen.has(key)) clientAddresses.push({ address: key, name: a.name });
      seen.add(key);
    }
    if (clientAddresses.length > 0) break;
  }
  return { subject: replySubject(latest.subject), inReplyTo, references, clientAddresses, replyTo: latest };
}
