// A real SMTP server in-process (smtp-server, from the nodemailer project) that parses what it receives
// (mailparser), for tests of the email client channel. Tests switch on the failures that matter for "once":
// a deferral (4xx) or refusal (5xx) of the message, a refused recipient or sender, and the answer to the data
// never arriving (the connection dropped, or held until the client times out) after the message was taken.
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import type { SmtpSettings } from '../../connectors/email/smtp-mailer.js';

export interface ReceivedEmail {
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
  /** The message exactly as sent, to check raw headers. */
  raw: string;
  user: string | null;
}

export interface SmtpStandinOptions {
  /** Require this login (AUTH PLAIN/LOGIN). Unset: no authentication. */
  auth?: { user: string; pass: string };
}

/** Failures, each for the next N messages (counted down as they happen). */
export interface SmtpFaults {
  /** Answer the data with this 4xx (e.g. 451) — nothing delivered. */
  deferData: number;
  /** Answer the data with 554 — nothing delivered. */
  refuseData: number;
  /** Take the message (stored as received), then drop the connection before answering. */
  dropAfterData: number;
  /** Take the message (stored as received), then never answer: the client's socket timeout ends it. */
  hangAfterData: number;
  /** RCPT TO refused with 550 for these addresses. */
  refuseRecipients: Set<string>;
  /** MAIL FROM refused with 553 for these addresses. */
  refuseSenders: Set<string>;
}

export interface SmtpStandin {
  host: string;
  port: number;
  received: ReceivedEmail[];
  faults: SmtpFaults;
  /** Settings for connectors/email/smtp-mailer.ts (plain SMTP: the stand-in is on loopback). */
  settings(overrides?: Partial<SmtpSettings>): SmtpSettings;
  close(): Promise<void>;
}

export async function startSmtpStandin(opts: SmtpStandinOptions = {}): Promise<SmtpStandin> {
  const received: ReceivedEmail[] = [];
  const faults: SmtpFaults = { deferData: 0, refuseData: 0, dropAfterData: 0, hangAfterData: 0, refuseRecipients: new Set(), refuseSenders: new Set() };
  const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

  const server: SMTPServer = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !opts.auth,
    logger: false,
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return callback(null, { user: auth.username });
      callback(smtpError(535, '5.7.8 Username and Password not accepted'));
    },
    onMailFrom(address, _session, callback) {
      if (faults.refuseSenders.has(address.address.toLowerCase())) return callback(smtpError(553, `5.7.1 Sender address rejected: not owned by user`));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (faults.refuseRecipients.has(address.address.toLowerCase())) return callback(smtpError(550, `5.1.1 <${address.address}>: Recipient address rejected: User unknown`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void (async () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          if (faults.deferData > 0) {
            faults.deferData -= 1;
            return callback(smtpError(451, '4.3.0 Temporary local problem, try again later'));
          }
          if (faults.refuseData > 0) {
            faults.refuseData -= 1;
            return callback(smtpError(554, '5.7.1 Message rejected as spam'));
          }
          const entry: ReceivedEmail = {
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
            parsed: await simpleParser(raw),
            raw,
            user: typeof session.user === 'string' ? session.user : null,
          };
          received.push(entry);
          if (faults.dropAfterData > 0) {
            faults.dropAfterData -= 1;
            return dropConnection(session);
          }
          if (faults.hangAfterData > 0) {
            faults.hangAfterData -= 1;
            return; // never answered
          }
          callback(null, `2.0.0 Ok: queued as ${received.length}`);
        })();
      });
    },
  });

  /** smtp-server keeps its connections in a Set; the one with this session id is ended without an answer. */
  function dropConnection(session: SMTPServerSession) {
    const connections = (server as unknown as { connections: Set<{ session?: { id?: string }; _socket?: { destroy(): void } }> }).connections;
    for (const c of connections) if (c.session?.id === session.id) c._socket?.destroy();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    received,
    faults,
    settings: (overrides = {}) => ({
      host: '127.0.0.1',
      port,
      security: 'none',
      user: opts.auth?.user ?? null,
      pass: opts.auth?.pass ?? null,
      timeoutMs: 2_000,
      ...overrides,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
