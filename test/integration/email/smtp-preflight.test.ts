// `validate --live` for SMTP against a real SMTP server: connect, sign in, MAIL FROM per sender — and nothing sent.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSmtp } from '../../../connectors/email/smtp-preflight.js';
import { startSmtpStandin, type SmtpStandin } from '../../standins/smtp-standin.js';

describe('SMTP preflight', () => {
  let smtp: SmtpStandin;
  beforeEach(async () => {
    smtp = await startSmtpStandin({ auth: { user: 'baton@seller.example', pass: 'app-password' } });
  });
  afterEach(async () => smtp.close());

  it('fine: one line per sender, and no message reaches the server', async () => {
    const checks = await checkSmtp(smtp.settings(), ['delivery@seller.example', 'rita@seller.example']);
    expect(checks).toEqual([
      { ok: true, line: `SMTP 127.0.0.1:${smtp.port}: plain (loopback), signed in as baton@seller.example, MAIL FROM <delivery@seller.example> accepted` },
      { ok: true, line: `SMTP 127.0.0.1:${smtp.port}: plain (loopback), signed in as baton@seller.example, MAIL FROM <rita@seller.example> accepted` },
    ]);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.received).toHaveLength(0);
  });

  it('a sender the relay refuses, a wrong password, an unreachable server: each a line with the fix', async () => {
    smtp.faults.refuseSenders.add('rita@seller.example');
    const [refused] = await checkSmtp(smtp.settings(), ['rita@seller.example']);
    expect(refused).toEqual({ ok: false, line: expect.stringContaining('553 5.7.1 Sender address rejected') });
    expect(refused!.line).toContain('does not let baton@seller.example send as rita@seller.example');

    const [login] = await checkSmtp(smtp.settings({ pass: 'nope' }), ['rita@seller.example']);
    expect(login!.ok).toBe(false);
    expect(login!.line).toMatch(/refused the login .*535.*check SMTP_USER and SMTP_PASSWORD/);

    const settings = smtp.settings();
    await smtp.close();
    const [down] = await checkSmtp(settings, ['rita@seller.example']);
    expect(down!.ok).toBe(false);
    expect(down!.line).toMatch(/unreachable or dropped the connection .*ECONNREFUSED/);
    smtp = await startSmtpStandin();
  });
});
