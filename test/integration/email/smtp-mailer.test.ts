// The email client channel's sender against a real SMTP server (smtp-server + mailparser in-process): what
// arrives (headers, thread fields, recipients, both parts), and "once as far as SMTP allows" — a recorded send
// is never repeated, a deferral is retried, a refusal is permanent with the server's text, and the one
// ambiguous window (the message taken, the answer lost) leads to at most one resend with the same Message-ID.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendEmailOnce, classifySmtpError, createSmtpTransport } from '../../../connectors/email/smtp-mailer.js';
import { buildIntroEmail, type OutgoingEmail } from '../../../src/handoff/intro-email.js';
import { pickClientThread, type LoggedEmail } from '../../../src/handoff/email-thread.js';
import { isPermanent, isRetryable, PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import { recordingProgress } from '../../helpers/recording-progress.js';
import { startSmtpStandin, type SmtpStandin } from '../../standins/smtp-standin.js';

const REP = { address: 'rita.rep@seller.example', name: 'Rita Rep' };
const LEAD = { address: 'pat.lead@seller.example', name: 'Pat Lead' };
const CLIENT = { address: 'cora@client.example', name: 'Cora Client' };

const thread: LoggedEmail[] = [
  { id: '1', messageId: '<m1@seller.example>', threadId: 't1', subject: 'Proposal for Acme', direction: 'outgoing', at: 1000, from: REP, to: [CLIENT], cc: [] },
  { id: '2', messageId: '<m2@client.example>', threadId: 't1', subject: 'RE: Proposal for Acme', direction: 'incoming', at: 2000, from: CLIENT, to: [REP], cc: [{ address: 'cfo@client.example', name: 'C. F. O.' }] },
];

function introEmail(overrides: { handoffId?: string } = {}): OutgoingEmail {
  const picked = pickClientThread(thread, { repEmail: REP.address, clientEmails: [CLIENT.address], clientDomains: ['client.example'] });
  const built = buildIntroEmail({
    handoffId: overrides.handoffId ?? 'h-1',
    purpose: 'intro',
    sender: 'rep',
    rep: REP,
    cc: [LEAD],
    thread: picked,
    newThread: { to: [CLIENT], subject: 'Welcome' },
    text: 'Hi Cora,\n\nPat will lead your project. <b>not bold</b>\nKickoff by 2026-12-10.',
  });
  if (!built.ok) throw new Error(built.reason);
  return built.email;
}

describe('SMTP sender against a real SMTP server', () => {
  let smtp: SmtpStandin;
  beforeEach(async () => {
    smtp = await startSmtpStandin({ auth: { user: 'baton@seller.example', pass: 'app-password' } });
  });
  afterEach(async () => smtp.close());

  it('replies in the thread: headers, thread fields, recipients and both parts arrive as built', async () => {
    const email = introEmail();
    const sent = await sendEmailOnce(smtp.settings(), email, recordingProgress());
    expect(sent).toMatchObject({ messageId: '<baton.intro.h-1@seller.example>', rejected: [], resent: false });
    expect(sent.accepted.sort()).toEqual(['cfo@client.example', 'cora@client.example', 'pat.lead@seller.example']);

    expect(smtp.received).toHaveLength(1);
    const [got] = smtp.received;
    expect(got!.user).toBe('baton@seller.example');
    expect(got!.envelope.from).toBe(REP.address);
    expect(got!.envelope.to.sort()).toEqual(['cfo@client.example', 'cora@client.example', 'pat.lead@seller.example']);
    const m = got!.parsed;
    expect(m.messageId).toBe('<baton.intro.h-1@seller.example>');
    expect(m.inReplyTo).toBe('<m2@client.example>');
    expect(m.references).toEqual(['<m1@seller.example>', '<m2@client.example>']);
    expect(m.subject).toBe('Re: Proposal for Acme');
    expect(m.from?.value).toEqual([{ address: REP.address, name: 'Rita Rep' }]);
    expect((Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a!.value.map((v) => v.address))).toEqual(['cora@client.example', 'cfo@client.example']);
    expect((Array.isArray(m.cc) ? m.cc : [m.cc]).flatMap((a) => a!.value.map((v) => v.address))).toEqual(['pat.lead@seller.example']);
    expect(m.text).toContain('Pat will lead your project. <b>not bold</b>');
    expect(m.html).toContain('Pat will lead your project. &lt;b&gt;not bold&lt;/b&gt;');
    expect(m.attachments).toHaveLength(0);
  });

  it('a send that was recorded is never sent again (a retry after a crash later in the step)', async () => {
    const progress = recordingProgress();
    await sendEmailOnce(smtp.settings(), introEmail(), progress);
    const again = await sendEmailOnce(smtp.settings(), introEmail(), recordingProgress(progress.saved));
    expect(again.resent).toBe(false);
    expect(smtp.received).toHaveLength(1);
  });

  it('4xx: retried later, nothing delivered until the server takes it, then exactly one message', async () => {
    smtp.faults.deferData = 1;
    const progress = recordingProgress();
    const e = await sendEmailOnce(smtp.settings(), introEmail(), progress).catch((x: unknown) => x);
    expect(isRetryable(e)).toBe(true);
    expect((e as Error).message).toContain('451 4.3.0 Temporary local problem');
    expect(smtp.received).toHaveLength(0);
    const sent = await sendEmailOnce(smtp.settings(), introEmail(), recordingProgress(progress.saved));
    expect(sent.resent).toBe(false); // the server answered 451: nothing was delivered, this is not a resend
    expect(smtp.received).toHaveLength(1);
  });

  it('5xx: permanent, quoting the server', async () => {
    smtp.faults.refuseData = 1;
    const e = await sendEmailOnce(smtp.settings(), introEmail(), recordingProgress()).catch((x: unknown) => x);
    expect(isPermanent(e)).toBe(true);
    expect((e as Error).message).toContain('554 5.7.1 Message rejected as spam');
  });

  it('the sender refused: permanent, naming the fix (send-as rights or a shared address)', async () => {
    smtp.faults.refuseSenders.add(REP.address);
    const e = await sendEmailOnce(smtp.settings(), introEmail(), recordingProgress()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).field).toBe('from');
    expect((e as Error).message).toMatch(/553 5\.7\.1 .*does not let baton@seller\.example send as rita\.rep@seller\.example/);
  });

  it('one recipient refused: the others still get it, and the result says who did not', async () => {
    smtp.faults.refuseRecipients.add('cfo@client.example');
    const sent = await sendEmailOnce(smtp.settings(), introEmail(), recordingProgress());
    expect(sent.rejected).toEqual(['cfo@client.example']);
    expect(smtp.received[0]!.envelope.to.sort()).toEqual(['cora@client.example', 'pat.lead@seller.example']);
  });

  it('a wrong password: permanent, naming SMTP_PASSWORD', async () => {
    const e = await sendEmailOnce(smtp.settings({ pass: 'wrong' }), introEmail(), recordingProgress()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).field).toBe('SMTP_PASSWORD');
    expect(smtp.received).toHaveLength(0);
  });

  it('the connection dropped after the data: retried once with the same Message-ID, marked as a resend', async () => {
    smtp.faults.dropAfterData = 1;
    const progress = recordingProgress();
    const e = await sendEmailOnce(smtp.settings(), introEmail(), progress).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect(smtp.received).toHaveLength(1); // the server had it, Baton could not know

    const retry = recordingProgress(progress.saved);
    const sent = await sendEmailOnce(smtp.settings(), introEmail(), retry);
    expect(sent.resent).toBe(true);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received.map((r) => r.parsed.messageId)).toEqual(['<baton.intro.h-1@seller.example>', '<baton.intro.h-1@seller.example>']);
    // …and once that answer was recorded, never again.
    expect((await sendEmailOnce(smtp.settings(), introEmail(), recordingProgress(retry.saved))).resent).toBe(true);
    expect(smtp.received).toHaveLength(2);
  });

  it('the answer never arrives (timeout after the data was sent): the same as a dropped connection', async () => {
    smtp.faults.hangAfterData = 1;
    const progress = recordingProgress();
    const e = await sendEmailOnce(smtp.settings({ timeoutMs: 500 }), introEmail(), progress).catch((x: unknown) => x);
    expect(isRetryable(e)).toBe(true);
    const sent = await sendEmailOnce(smtp.settings(), introEmail(), recordingProgress(progress.saved));
    expect(sent.resent).toBe(true);
    expect(new Set(smtp.received.map((r) => r.parsed.messageId))).toEqual(new Set(['<baton.intro.h-1@seller.example>']));
  });

  it('a crash after sending started but before the answer was recorded: the retry resends with the same Message-ID', async () => {
    const progress = recordingProgress();
    const crashing = { ...progress, save: async (ids: Record<string, unknown>) => {
      await progress.save(ids);
      const emails = ids.emails as Record<string, { sent?: unknown }> | undefined;
      if (emails && Object.values(emails).some((v) => v.sent)) throw new Error('worker killed before the record');
    } };
    await expect(sendEmailOnce(smtp.settings(), introEmail(), crashing)).rejects.toThrow('worker killed');
    // The record of the answer was lost with the crash: what the retry sees is the "started" record.
    const lostAnswer = { emails: { '<baton.intro.h-1@seller.example>': { started: '2026-12-06T00:00:00.000Z' } } };
    const sent = await sendEmailOnce(smtp.settings(), introEmail(), recordingProgress(lostAnswer));
    expect(sent.resent).toBe(true);
    expect(smtp.received.map((r) => r.parsed.messageId)).toEqual(['<baton.intro.h-1@seller.example>', '<baton.intro.h-1@seller.example>']);
  });

  it('server unreachable: retryable, nothing recorded as possibly sent', async () => {
    const settings = smtp.settings();
    await smtp.close();
    const progress = recordingProgress();
    const e = await sendEmailOnce(settings, introEmail(), progress).catch((x: unknown) => x);
    expect(isRetryable(e)).toBe(true);
    expect(progress.saved.emails).toEqual({ '<baton.intro.h-1@seller.example>': {} });
    smtp = await startSmtpStandin(); // for afterEach
  });

  it('header-injection attempts in every CRM field arrive as inert text', async () => {
    const evil = '\r\nBcc: attacker@evil.example\r\nX-Injected: yes';
    const built = buildIntroEmail({
      handoffId: 'h-2',
      purpose: 'intro',
      sender: 'rep',
      rep: { address: REP.address, name: `Rita${evil}` },
      cc: [{ address: LEAD.address, name: `Pat${evil}` }],
      thread: null,
      newThread: { to: [{ address: CLIENT.address, name: `Cora${evil}` }, { address: `x@evil.example${evil}`, name: null }], subject: `Welcome${evil}` },
      text: `Body${evil}\r\n.\r\nMAIL FROM:<a@evil.example>`,
    });
    if (!built.ok) throw new Error(built.reason);
    await sendEmailOnce(smtp.settings(), built.email, recordingProgress());
    const [got] = smtp.received;
    expect(got!.envelope.to.sort()).toEqual([CLIENT.address, LEAD.address]);
    expect(got!.parsed.headers.has('x-injected')).toBe(false);
    expect(got!.parsed.headers.has('bcc')).toBe(false);
    expect(got!.parsed.subject).toBe('Welcome Bcc: attacker@evil.example X-Injected: yes');
    expect(got!.parsed.text).toContain('MAIL FROM:<a@evil.example>'); // body text, dot-stuffed by SMTP, not a command
    expect(smtp.received).toHaveLength(1);
  });

  it('plain SMTP is refused anywhere but loopback', () => {
    expect(() => createSmtpTransport({ host: 'smtp.example.com', port: 25, security: 'none', user: null, pass: null, timeoutMs: 1000 })).toThrow(/SMTP_SECURITY=starttls/);
    expect(classifySmtpError(Object.assign(new Error('x'), { responseCode: 421, command: 'CONN' }), smtp.settings())).toBeInstanceOf(RetryableError);
  });
});
