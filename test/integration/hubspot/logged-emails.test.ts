// The live HubSpot connector reads the emails logged on a deal and its contacts (the HubSpot stand-in holds
// several threads), and the thread picker replies in the right one; no conversation → none.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHubSpotCrm } from '../../../connectors/hubspot/hubspot-crm.js';
import { pickClientThread } from '../../../src/handoff/email-thread.js';
import { PermanentError } from '../../../src/handoff/errors.js';
import { startHubSpotStandin, type HubSpotStandin } from '../../standins/hubspot-standin.js';
import { requiredScopes } from '../../../connectors/hubspot/required-scopes.js';

const headers = (from: [string, string], to: Array<[string, string]>, cc: Array<[string, string]> = []) =>
  JSON.stringify({
    from: { email: from[0], firstName: from[1] },
    to: to.map(([email, firstName]) => ({ email, firstName })),
    cc: cc.map(([email, firstName]) => ({ email, firstName })),
    bcc: [],
  });
const REP: [string, string] = ['rita@seller.example', 'Rita'];
const CORA: [string, string] = ['cora@acme.example', 'Cora'];
const CFO: [string, string] = ['cfo@acme.example', 'Finn'];
const SAM: [string, string] = ['sam@seller.example', 'Sam'];
const parties = { repEmail: REP[0], clientEmails: [CORA[0]], clientDomains: ['acme.example'] };

describe('HubSpot logged emails → the client thread (live connector, stand-in)', () => {
  let hs: HubSpotStandin;
  let dealId: string;
  const crm = () => createHubSpotCrm({ accessToken: hs.accessToken, basePath: hs.url, portalId: String(hs.portalId) });
  beforeEach(async () => {
    hs = await startHubSpotStandin();
    hs.addContact('501', { email: CORA[0], firstname: 'Cora' });
    dealId = hs.addDeal({ properties: { dealname: 'Acme onboarding' }, contactIds: ['501'] }).id;
  });
  afterEach(async () => hs.close());

  it('picks the latest conversation with the client across the deal and its contact, with its Message-IDs', async () => {
    // Thread A (older): on the deal, mailbox-logged with Message-IDs and a HubSpot thread id.
    hs.addEmail({ dealIds: [dealId], properties: { hs_timestamp: '2026-11-02T09:00:00Z', hs_email_direction: 'EMAIL', hs_email_subject: 'Pricing', hs_email_thread_id: 'A', hs_email_message_id: '<a1@seller.example>', hs_email_headers: headers(REP, [CORA]) } });
    // Thread B (latest): one message on the deal, the client's reply logged on the contact only, cc'ing their CFO.
    hs.addEmail({ dealIds: [dealId], properties: { hs_timestamp: '2026-11-20T09:00:00Z', hs_email_direction: 'EMAIL', hs_email_subject: 'Statement of work', hs_email_thread_id: 'B', hs_email_message_id: '<b1@seller.example>', hs_email_headers: headers(REP, [CORA]) } });
    hs.addEmail({ contactIds: ['501'], properties: { hs_timestamp: String(Date.parse('2026-11-21T15:30:00Z')), hs_email_direction: 'INCOMING_EMAIL', hs_email_subject: 'RE: Statement of work', hs_email_thread_id: 'B', hs_email_message_id: 'b2@acme.example', hs_email_headers: headers(CORA, [REP], [CFO]) } });
    // Newer, but not a conversation with the client: internal, and a forwarded copy.
    hs.addEmail({ dealIds: [dealId], properties: { hs_timestamp: '2026-11-25T09:00:00Z', hs_email_direction: 'EMAIL', hs_email_subject: 'Internal: Acme', hs_email_headers: headers(REP, [SAM]) } });
    hs.addEmail({ dealIds: [dealId], properties: { hs_timestamp: '2026-11-26T09:00:00Z', hs_email_direction: 'FORWARDED_EMAIL', hs_email_subject: 'Fwd: Pricing', hs_email_headers: headers(REP, [CORA]) } });

    const emails = await crm().listLoggedEmails!(dealId, ['501']);
    expect(emails).toHaveLength(5);
    const thread = pickClientThread(emails, parties)!;
    expect(thread.subject).toBe('Re: Statement of work');
    expect(thread.inReplyTo).toBe('<b2@acme.example>'); // HubSpot kept it without brackets
    expect(thread.references).toEqual(['<b1@seller.example>', '<b2@acme.example>']);
    expect(thread.clientAddresses.map((a) => a.address)).toEqual(['cora@acme.example', 'cfo@acme.example']);
    expect(hs.state.requests['GET /crm/v4/objects/contacts/{contactId}/associations/emails']).toBe(1);
  });

  it('BCC-logged emails without headers JSON or Message-ID still give a thread by subject (threaded by subject only)', async () => {
    hs.addEmail({ dealIds: [dealId], properties: { hs_timestamp: '2026-11-02T09:00:00Z', hs_email_direction: 'EMAIL', hs_email_subject: 'Kickoff dates', hs_email_from_email: REP[0], hs_email_to_email: `${CORA[0]};${CFO[0]}` } });
    const thread = pickClientThread(await crm().listLoggedEmails!(dealId, ['501']), parties)!;
    expect(thread).toMatchObject({ subject: 'Re: Kickoff dates', inReplyTo: null, references: [] });
    expect(thread.clientAddresses.map((a) => a.address)).toEqual(['cora@acme.example', 'cfo@acme.example']);
  });

  it('no logged conversation with the client → no thread (the intro becomes a new email)', async () => {
    hs.addEmail({ dealIds: [dealId], properties: { hs_timestamp: '2026-11-02T09:00:00Z', hs_email_direction: 'EMAIL', hs_email_subject: 'Internal', hs_email_headers: headers(REP, [SAM]) } });
    expect(pickClientThread(await crm().listLoggedEmails!(dealId, ['501']), parties)).toBeNull();
    expect(await crm().listLoggedEmails!(hs.addDeal({ properties: {} }).id, [])).toEqual([]);
  });

  it('more emails than one batch read holds: all are read', async () => {
    for (let i = 0; i < 130; i++) hs.addEmail({ dealIds: [dealId], properties: { hs_timestamp: String(1_700_000_000_000 + i), hs_email_subject: `Note ${i}`, hs_email_headers: headers(REP, [CORA]) } });
    const emails = await crm().listLoggedEmails!(dealId, []);
    expect(emails).toHaveLength(130);
    expect(hs.state.requests['POST /crm/v3/objects/{objectType}/batch/read']).toBe(2);
  });

  it('the token lacks sales-email-read: a permanent error naming the scope', async () => {
    hs.addEmail({ dealIds: [dealId], properties: { hs_timestamp: '2026-11-02T09:00:00Z', hs_email_subject: 'Pricing', hs_email_headers: headers(REP, [CORA]) } });
    hs.state.grants.set(hs.accessToken, new Set(requiredScopes()));
    const e = await crm().listLoggedEmails!(dealId, []).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as Error).message).toContain('sales-email-read');
  });
});
