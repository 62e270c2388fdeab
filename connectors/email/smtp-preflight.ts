// `validate --live` for the email channel: connect (with the TLS the settings demand), sign in, and have the relay
// accept `MAIL FROM` for each sender the mappings use — without sending anything. The probe goes as far as DATA
// and then abandons the message before its terminating "." (RFC 5321 4.1.1.4: no ".", no message), so a relay
// that would refuse to send as the rep says so here, not on the first closed-won deal.
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { Readable } from 'node:stream';
import { classifySmtpError, type SmtpSettings } from './smtp-mailer.js';

export interface SmtpCheck {
  ok: boolean;
  /** One line: what was checked and, when wrong, the fix. */
  line: string;
}

const PROBE_ABANDONED = 'ESTREAM';

function connection(settings: SmtpSettings): SMTPConnection {
  return new SMTPConnection({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    ...(settings.ca ? { tls: { ca: settings.ca } } : {}),
  });
}

/** One SMTP exchange as a promise; the connection's 'error' event (refused, reset, timeout) rejects it too. */
function step(c: SMTPConnection, run: (done: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    c.once('error', onError);
    run((err) => {
      c.off('error', onError);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** Checks the relay for each sender; never throws (every failure is a line). */
export async function checkSmtp(settings: SmtpSettings, senders: string[]): Promise<SmtpCheck[]> {
  const where = `${settings.host}:${settings.port}`;
  const out: SmtpCheck[] = [];
  for (const sender of senders.length ? senders : [settings.user ?? '']) {
    const c = connection(settings);
    c.on('error', () => undefined); // each step reports it; this keeps a late one from being unhandled
    try {
      await step(c, (done) => c.connect(() => done()));
      if (settings.user) await step(c, (done) => c.login({ user: settings.user!, pass: settings.pass ?? '' }, (e) => done(e)));
      const abandoned = new Readable({ read() { this.destroy(Object.assign(new Error('preflight probe: no message is sent'), { code: PROBE_ABANDONED })); } });
      await step(c, (done) => c.send({ from: sender, to: [sender] }, abandoned, (e) => done(e)))
        .catch((e: { code?: string }) => {
          if (e.code !== PROBE_ABANDONED) throw e;
        });
      out.push({ ok: true, line: `SMTP ${where}: ${settings.security === 'none' ? 'plain (loopback)' : settings.security.toUpperCase()}, ${settings.user ? `signed in as ${settings.user}` : 'no login'}, MAIL FROM <${sender}> accepted` });
    } catch (e) {
      out.push({ ok: false, line: classifySmtpError(e, settings, sender).message.replace(/; will retry$/, '') });
    } finally {
      c.close();
    }
  }
  return out;
}
