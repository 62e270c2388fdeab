// The emails HubSpot logged on a deal and its contacts, for the email intro (issue 14) to find the rep's thread
// with the client. What HubSpot keeps (CRM email engagements, `/crm/v3/objects/emails`):
// - `hs_email_headers`: a JSON string with from / to / cc / bcc (and sender) as {email, firstName, lastName} —
//   not the raw RFC 5322 headers;
// - `hs_email_message_id`: the RFC Message-ID, filled for emails logged from a connected inbox (and by some
//   integrations), often empty for BCC-logged or API-logged emails;
// - `hs_email_thread_id`: HubSpot's own thread id, also from connected inboxes;
// - `hs_email_subject`, `hs_email_direction` (EMAIL = sent by the seller, INCOMING_EMAIL = a reply,
//   FORWARDED_EMAIL), `hs_timestamp`, and the from/to/cc address properties as fallbacks.
// No References or In-Reply-To is kept, so the reply's References is rebuilt from the thread's Message-IDs.
// Reading these needs the `sales-email-read` scope; without it HubSpot redacts the email's details.
import type { EmailAddress, LoggedEmail } from '../../src/handoff/email-thread.js';
import type { HubSpotSdk } from './hubspot-sdk.js';
import { scopeOf } from './required-scopes.js';

export const EMAIL_PROPERTIES = [
  'hs_timestamp', 'hs_email_subject', 'hs_email_direction', 'hs_email_headers', 'hs_email_message_id', 'hs_email_thread_id',
  'hs_email_from_email', 'hs_email_from_firstname', 'hs_email_from_lastname', 'hs_email_to_email', 'hs_email_cc_email',
];
/** The deal's contacts whose emails are read too (the primary first); bounds the calls for deals with many contacts. */
export const MAX_CONTACTS_READ = 5;
const BATCH = 100;

type Props = Record<string, string | null | undefined>;

/** Every email logged on the deal or its first contacts, newest and oldest alike (the caller picks the thread). */
export async function readLoggedEmails(sdk: HubSpotSdk, dealId: string, contactIds: string[]): Promise<LoggedEmail[]> {
  const op = `readLoggedEmails(${dealId})`;
  const owners: Array<['deals' | 'contacts', string]> = [['deals', dealId], ...contactIds.slice(0, MAX_CONTACTS_READ).map((id): ['contacts', string] => ['contacts', id])];
  const ids = new Set<string>();
  for (const [type, id] of owners) for (const emailId of await associatedEmailIds(sdk, type, id, op)) ids.add(emailId);

  const all = [...ids];
  const out: LoggedEmail[] = [];
  for (let i = 0; i < all.length; i += BATCH) {
    const inputs = all.slice(i, i + BATCH).map((id) => ({ id }));
    const res = (await sdk.send(`${op} emails`, scopeOf('POST', '/crm/v3/objects/emails/batch/read'), (call) =>
      sdk.client.crm.objects.emails.batchApi.read({ inputs, properties: EMAIL_PROPERTIES, propertiesWithHistory: [] }, false, call),
    )) as { results: Array<{ id: string; properties: Props }> };
    for (const r of res.results) out.push(toLoggedEmail(r.id, r.properties));
  }
  return out;
}

async function associatedEmailIds(sdk: HubSpotSdk, type: 'deals' | 'contacts', id: string, op: string): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  do {
    const path = type === 'deals' ? '/crm/v4/objects/deals/{dealId}/associations/emails' : '/crm/v4/objects/contacts/{contactId}/associations/emails';
    const page = (await sdk.send(`${op} ${type} ${id} emails`, scopeOf('GET', path), (call) =>
      sdk.client.crm.associations.v4.basicApi.getPage(type, id, 'emails', after, 500, call),
    )) as { results: Array<{ toObjectId: number | string }>; paging?: { next?: { after?: string } } };
    for (const r of page.results) out.push(String(r.toObjectId));
    after = page.paging?.next?.after;
  } while (after);
  return out;
}

export function toLoggedEmail(id: string, p: Props): LoggedEmail {
  const headers = parseHeaders(p.hs_email_headers);
  const direction = p.hs_email_direction === 'INCOMING_EMAIL' ? 'incoming' : p.hs_email_direction === 'FORWARDED_EMAIL' ? 'forwarded' : 'outgoing';
  const from = headers?.from ?? addressOf(p.hs_email_from_email, [p.hs_email_from_firstname, p.hs_email_from_lastname]);
  return {
    id,
    messageId: normaliseMessageId(p.hs_email_message_id),
    threadId: blank(p.hs_email_thread_id),
    subject: p.hs_email_subject ?? '',
    direction,
    at: parseTime(p.hs_timestamp),
    from,
    to: headers?.to ?? splitAddresses(p.hs_email_to_email),
    cc: headers?.cc ?? splitAddresses(p.hs_email_cc_email),
  };
}

interface HeaderPerson {
  email?: unknown;
  firstName?: unknown;
  lastName?: unknown;
}

function parseHeaders(raw: string | null | undefined): { from: EmailAddress | null; to: EmailAddress[]; cc: EmailAddress[] } | null {
  if (!raw) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null; // the property is free text for API-logged emails; fall back to the address properties
  }
  if (v === null || typeof v !== 'object') return null;
  const h = v as { from?: HeaderPerson; to?: HeaderPerson[]; cc?: HeaderPerson[] };
  const person = (x: HeaderPerson | undefined) => (x ? addressOf(typeof x.email === 'string' ? x.email : null, [x.firstName, x.lastName]) : null);
  const list = (xs: unknown) => (Array.isArray(xs) ? xs.map((x) => person(x as HeaderPerson)).filter((x): x is EmailAddress => x !== null) : []);
  return { from: person(h.from), to: list(h.to), cc: list(h.cc) };
}

function addressOf(email: string | null | undefined, nameParts: unknown[]): EmailAddress | null {
  const address = blank(email);
  if (!address) return null;
  const name = nameParts.filter((x): x is string => typeof x === 'string' && x.trim() !== '').join(' ').trim();
  return { address: address.toLowerCase(), name: name || null };
}

// HubSpot separates several addresses with semicolons.
function splitAddresses(raw: string | null | undefined): EmailAddress[] {
  return (raw ?? '').split(/[;,]/).map((a) => addressOf(a, [])).filter((a): a is EmailAddress => a !== null);
}

function normaliseMessageId(raw: string | null | undefined): string | null {
  const id = blank(raw);
  if (!id || /[\s<>]/.test(id.replace(/^<|>$/g, ''))) return null;
  return id.startsWith('<') ? id : `<${id}>`;
}

function parseTime(raw: string | null | undefined): number {
  if (!raw) return 0;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(n) ? n : 0;
}

function blank(v: string | null | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}
