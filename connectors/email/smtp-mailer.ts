// Sends one email over SMTP (nodemailer: the transport every provider supports, Google Workspace and Microsoft 365
// relays included) as close to once as SMTP allows. SMTP has no idempotency key, so the ambiguous window is named
// exactly: from the server's 354 ("send the data") until Baton has recorded the server's final answer. A failure
// before 354 delivered nothing, so the retry sends normally; a recorded answer is never sent again; inside the
// window (connection dropped or timed out after the data, or a crash before the answer was recorded) delivery is
// unknown, so the retry resends with the SAME Message-ID (mail clients collapse identical Message-IDs) and marks
// the result `resent`. 4xx = retry later; 5xx = permanent, quoting the server. docs/email.md states the guarantee.
import nodemailer, { type SMTPTransportOptions } from 'nodemailer';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';
import type { OutgoingEmail } from '../../src/handoff/intro-email.js';
import type { EmailAddress } from '../../src/handoff/email-thread.js';
import type { StepProgress } from '../../src/handoff/ports.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** tls: implicit TLS (465); starttls: STARTTLS required (587, 25); none: no TLS — only allowed on loopback. */
  security: 'tls' | 'starttls' | 'none';
  user: string | null;
  pass: string | null;
  /** Connect, greeting and socket inactivity timeout. */
  timeoutMs: number;
  /** PEM of a CA to trust besides the system's (a private relay); tests use it for a self-signed server. */
  ca?: string;
}

export interface SentEmail {
  messageId: string;
  /** Recipients the server accepted / refused (a partial refusal still delivers to the rest). */
  accepted: string[];
  rejected: string[];
  /** The server's final answer ("250 2.0.0 OK queued as …"). */
  response: string;
  /** True when this send repeated one whose answer never arrived (the ambiguous window), same Message-ID. */
  resent: boolean;
}

const CONNECTOR = 'smtp';
type TransportLogger = Exclude<NonNullable<SMTPTransportOptions['logger']>, boolean>;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

export const isLoopback = (host: string): boolean => LOOPBACK.test(host);

/** What progress.saved holds for one message (keys are per Message-ID, so several messages share a record safely). */
interface SavedSend {
  /** Written before connecting; replaced by the outcome. Still here on the next attempt = that attempt's outcome is unknown. */
  started?: string;
  /** The last attempt reached 354 and then lost the answer: it may have been delivered. */
  inDataPhase?: string;
  sent?: SentEmail;
}

function savedFor(progress: StepProgress, messageId: string): SavedSend {
  const all = (progress.saved.emails ?? {}) as Record<string, SavedSend>;
  return all[messageId] ?? {};
}

async function saveFor(progress: StepProgress, messageId: string, value: SavedSend): Promise<void> {
  const all = (progress.saved.emails ?? {}) as Record<string, SavedSend>;
  await progress.save({ emails: { ...all, [messageId]: value } });
}

const formatAddress = (a: EmailAddress) => (a.name ? { name: a.name, address: a.address } : a.address);

export function createSmtpTransport(settings: SmtpSettings, logger?: TransportLogger) {
  if (settings.security === 'none' && !isLoopback(settings.host)) {
    // Checked at startup too (config); kept here so no caller can send credentials or client mail in the clear.
    throw new PermanentError(`SMTP to ${settings.host} without TLS is refused: set SMTP_SECURITY=starttls (port 587) or tls (port 465)`, CONNECTOR, 'SMTP_SECURITY');
  }
  return nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    ...(settings.user ? { auth: { user: settings.user, pass: settings.pass ?? '' } } : {}),
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    ...(settings.ca ? { tls: { ca: settings.ca } } : {}),
    // The transaction log feeds the phase tracker below only; nothing of it is written anywhere.
    ...(logger ? { logger, transactionLog: true } : { logger: false }),
  });
}

/** A nodemailer logger that only watches for the server's 354: the start of the ambiguous window. */
function phaseTracker(onData: () => void): TransportLogger {
  const watch = (meta: unknown, message?: unknown) => {
    if ((meta as { tnx?: string } | undefined)?.tnx === 'server' && typeof message === 'string' && /^354\b/.test(message)) onData();
  };
  return { trace: watch, debug: watch, info: watch, warn: watch, error: watch, fatal: watch };
}

/** Sends `email` unless an earlier attempt (progress) already did; see the header for the exact guarantee. */
export async function sendEmailOnce(settings: SmtpSettings, email: OutgoingEmail, progress: StepProgress): Promise<SentEmail> {
  const before = savedFor(progress, email.messageId);
  if (before.sent) return before.sent;
  // An earlier attempt that may have delivered: this one repeats it (same Message-ID) and says so.
  const resent = before.inDataPhase !== undefined || before.started !== undefined;

  let inData = false;
  const transport = createSmtpTransport(settings, phaseTracker(() => (inData = true)));
  await progress.attempting?.();
  await saveFor(progress, email.messageId, { ...before, started: new Date().toISOString() });
  try {
    const info = await transport.sendMail({
      messageId: email.messageId,
      from: formatAddress(email.from),
      ...(email.replyTo ? { replyTo: formatAddress(email.replyTo) } : {}),
      to: email.to.map(formatAddress),
      ...(email.cc.length ? { cc: email.cc.map(formatAddress) } : {}),
      subject: email.subject,
      ...(email.inReplyTo ? { inReplyTo: email.inReplyTo } : {}),
      ...(email.references.length ? { references: email.references } : {}),
      text: email.text,
      html: email.html,
      // Client-written text never becomes a file, a link to fetch or a header: no attachments, no remote content.
      attachments: [],
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const sent: SentEmail = {
      messageId: email.messageId,
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
      response: String(info.response ?? ''),
      resent,
    };
    await saveFor(progress, email.messageId, { sent });
    return sent;
  } catch (e) {
    const error = classifySmtpError(e, settings, email.from.address);
    // Inside the window without a final answer: unknown, remembered so the retry knows it is a resend. A server's
    // answer (4xx/5xx) or a failure before 354 is definite: nothing was delivered. An earlier unknown stays unknown.
    const unknown = inData && smtpCode(e) === null;
    await saveFor(progress, email.messageId, unknown || before.inDataPhase || before.started ? { inDataPhase: new Date().toISOString() } : {});
    throw error;
  } finally {
    transport.close();
  }
}

function smtpCode(e: unknown): number | null {
  const code = (e as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' ? code : null;
}

/** SMTP failures as the queue understands them; the server's own text is kept (it says what to fix). */
export function classifySmtpError(e: unknown, settings: SmtpSettings, fromAddress?: string): RetryableError | PermanentError {
  if (e instanceof RetryableError || e instanceof PermanentError) return e;
  const err = (e ?? {}) as { code?: string; command?: string; response?: string; message?: string };
  const code = smtpCode(e);
  const server = (err.response ?? err.message ?? 'no answer').replace(/\s+/g, ' ').trim().slice(0, 300);
  const where = `${settings.host}:${settings.port}`;
  const step = err.command ? ` at ${err.command}` : '';
  if (code !== null && code >= 400 && code < 500) {
    return new RetryableError(`SMTP server ${where} deferred the message${step} (${server}); will retry`, CONNECTOR, undefined, { cause: e, reason: 'busy' });
  }
  if (err.code === 'EAUTH' || (code !== null && [530, 534, 535, 538].includes(code))) {
    return new PermanentError(`SMTP server ${where} refused the login${step} (${server}): check SMTP_USER and SMTP_PASSWORD (an app password where the provider requires one)`, CONNECTOR, 'SMTP_PASSWORD', { cause: e });
  }
  if (code !== null && code >= 500) {
    const field = err.command?.startsWith('MAIL') ? 'from' : err.command?.startsWith('RCPT') ? 'to' : undefined;
    const fix =
      field === 'from'
        ? `: the relay does not let ${settings.user ?? 'this account'} send as ${fromAddress ?? 'the sender'} — allow it (Google: "Send mail as"; Microsoft 365: Send As) or send from a shared address`
        : '';
    return new PermanentError(`SMTP server ${where} refused the message${step} (${server})${fix}`, CONNECTOR, field, { cause: e });
  }
  if (err.code === 'ETLS' || /TLS|certificate|STARTTLS/i.test(err.message ?? '')) {
    return new PermanentError(`SMTP to ${where}: TLS failed (${server}): check SMTP_SECURITY (tls for 465, starttls for 587) and the server certificate`, CONNECTOR, 'SMTP_SECURITY', { cause: e });
  }
  // Connection refused, reset, timed out, DNS: the server may be back later.
  return new RetryableError(`SMTP server ${where} unreachable or dropped the connection${step} (${server}); will retry`, CONNECTOR, undefined, { cause: e, reason: 'unavailable' });
}
