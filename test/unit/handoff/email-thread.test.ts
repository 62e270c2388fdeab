// Picking the client thread the intro replies in, and building the reply so no CRM value can become a header.
import { describe, expect, it } from 'vitest';
import { baseSubject, pickClientThread, replySubject, type LoggedEmail } from '../../../src/handoff/email-thread.js';
import { buildIntroEmail, headerName, isSafeAddress, type IntroEmailInput } from '../../../src/handoff/intro-email.js';

const rep = { address: 'Rita.Rep@seller.example', name: 'Rita Rep' };
const cora = { address: 'cora@client.example', name: 'Cora' };
const colleague = { address: 'sam@seller.example', name: 'Sam' };
const parties = { repEmail: 'rita.rep@seller.example', clientEmails: ['cora@client.example'], clientDomains: ['client.example'] };

let n = 0;
const email = (e: Partial<LoggedEmail>): LoggedEmail => ({
  id: String(++n), messageId: `<m${n}@x>`, threadId: null, subject: 'Hello', direction: 'outgoing', at: n * 1000, from: rep, to: [cora], cc: [], ...e,
});

describe('pickClientThread', () => {
  it('picks the thread with the latest message between the rep and the client, not the latest email overall', () => {
    const old1 = email({ threadId: 'a', subject: 'Pricing', at: 1000 });
    const old2 = email({ threadId: 'a', subject: 'Re: Pricing', direction: 'incoming', from: cora, to: [rep], at: 5000 });
    const other = email({ threadId: 'b', subject: 'Scope', at: 3000 });
    const internal = email({ threadId: 'c', subject: 'Internal', to: [colleague], at: 9000 }); // no client
    const clientOnly = email({ threadId: 'd', subject: 'Not with the rep', from: cora, to: [colleague], direction: 'incoming', at: 9500 });
    const forwarded = email({ threadId: 'e', subject: 'Fwd: Pricing', direction: 'forwarded', at: 9900 });
    const t = pickClientThread([other, old2, internal, old1, clientOnly, forwarded], parties)!;
    expect(t.replyTo.id).toBe(old2.id);
    expect(t.subject).toBe('Re: Pricing');
    expect(t.inReplyTo).toBe(old2.messageId);
    expect(t.references).toEqual([old1.messageId, old2.messageId]);
    expect(t.clientAddresses).toEqual([{ address: 'cora@client.example', name: 'Cora' }]);
  });

  it('groups by subject when the CRM keeps no thread id, and recognises the client by domain', () => {
    const newPerson = { address: 'NEW@Client.Example', name: 'New Person' };
    const a = email({ subject: 'Kickoff', to: [newPerson] });
    const b = email({ subject: 'RE: Re: Kickoff', direction: 'incoming', from: newPerson, to: [rep], cc: [cora] });
    const t = pickClientThread([b, a], parties)!;
    expect(t.references).toEqual([a.messageId, b.messageId]);
    expect(t.subject).toBe('Re: Kickoff');
    expect(t.clientAddresses.map((x) => x.address)).toEqual(['new@client.example', 'cora@client.example']);
  });

  it('no conversation with the client → null (a new email instead)', () => {
    expect(pickClientThread([email({ to: [colleague] })], parties)).toBeNull();
    expect(pickClientThread([], parties)).toBeNull();
  });

  it('a thread whose emails have no Message-ID still gives the subject and the people', () => {
    const t = pickClientThread([email({ messageId: null, subject: 'Re: Plan' })], parties)!;
    expect(t).toMatchObject({ inReplyTo: null, references: [], subject: 'Re: Plan' });
  });

  it('trims long References to the first and the latest nine', () => {
    const many = Array.from({ length: 15 }, (_, i) => email({ threadId: 'long', at: i }));
    const t = pickClientThread(many, parties)!;
    expect(t.references).toHaveLength(10);
    expect(t.references[0]).toBe(many[0]!.messageId);
    expect(t.references.at(-1)).toBe(many[14]!.messageId);
  });

  it('Re: is added once, whatever prefixes mail clients stacked', () => {
    expect(replySubject('RE: AW: Fwd: Offer')).toBe('Re: Offer');
    expect(baseSubject('Re[2]: Offer')).toBe('Offer');
  });
});

describe('buildIntroEmail: client text stays inert in every header', () => {
  const base: IntroEmailInput = {
    handoffId: 'h-1', purpose: 'intro', sender: 'rep', rep, cc: [{ address: 'pat@seller.example', name: 'Pat' }], thread: null,
    newThread: { to: [cora], subject: 'Welcome to delivery' }, text: 'Hello',
  };

  it('CR/LF in names and subject cannot add a header; a malformed address is left out with a note', () => {
    const r = buildIntroEmail({
      ...base,
      rep: { address: rep.address, name: 'Rita\r\nBcc: attacker@evil.example' },
      newThread: { to: [{ address: 'cora@client.example', name: 'Cora"\r\nX-Injected: 1' }, { address: 'x@evil.example\r\nBcc: y@evil.example', name: null }], subject: 'Hi\r\nBcc: attacker@evil.example' },
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.email.from.name).toBe('Rita Bcc: attacker@evil.example');
    expect(r.email.subject).toBe('Hi Bcc: attacker@evil.example');
    expect(r.email.to).toEqual([{ address: 'cora@client.example', name: 'Cora X-Injected: 1' }]);
    expect(r.notes.join('\n')).toContain('not a valid email address');
    for (const v of [r.email.from.name, r.email.subject, ...r.email.to.map((t) => t.name)]) expect(v).not.toMatch(/[\r\n]/);
  });

  it('a shared sender address: From it with the rep\'s name, Reply-To and Cc the rep', () => {
    const r = buildIntroEmail({ ...base, sender: { address: 'delivery@seller.example', name: 'Seller Delivery' } });
    if (!r.ok) throw new Error(r.reason);
    expect(r.email.from).toEqual({ address: 'delivery@seller.example', name: 'Rita Rep via Seller Delivery' });
    expect(r.email.replyTo).toEqual({ address: 'rita.rep@seller.example', name: 'Rita Rep' });
    expect(r.email.cc.map((c) => c.address)).toEqual(['rita.rep@seller.example', 'pat@seller.example']);
    expect(r.email.messageId).toBe('<baton.intro.h-1@seller.example>');
  });

  it('the HTML part escapes everything; no client address → a clear reason', () => {
    const r = buildIntroEmail({ ...base, text: '<script>alert(1)</script>\n"quoted" & more' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;<br>\n&quot;quoted&quot; &amp; more');
    expect(buildIntroEmail({ ...base, newThread: { to: [], subject: 'x' } })).toEqual({ ok: false, reason: 'the deal has no valid client address to write to' });
  });

  it('address and name checks', () => {
    expect(isSafeAddress('a.b+c@d.example')).toBe(true);
    for (const bad of ['a b@c.d', 'a@b', '<a@b.c>', 'a@b.c,d@e.f', 'a@b.c\nx']) expect(isSafeAddress(bad), bad).toBe(false);
    expect(headerName('  "Evil" <x@y>  ')).toBe('Evil x@y');
  });
});
