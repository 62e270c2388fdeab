// A process that cannot start says so in one or two lines: what failed, with the value involved (no
// secret: URL passwords masked), and the fix. The CLI prints `lines` and exits 1 (src/cli/report-startup-failure.ts);
// the original error stays as `cause` for LOG_LEVEL=debug.
import { maskUrl } from '../config/show-value.js';

export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(
    readonly lines: string[],
    options?: { cause?: unknown },
  ) {
    super(lines.join('\n'), options);
  }
}

const codeOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Redis did not become ready: unreachable, or it refused the credentials. */
export function redisFailure(url: string, lastError: unknown): StartupError {
  const where = `Redis at ${maskUrl(url)}`;
  const reason = lastError === undefined ? 'no answer' : messageOf(lastError);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(reason)) {
    return new StartupError(
      [`Cannot start: ${where} refused the login (${reason}).`, 'Fix: put the right user and password in REDIS_URL (redis://user:password@host:6379).'],
      { cause: lastError },
    );
  }
  return new StartupError(
    [`Cannot start: ${where} is not reachable (${reason}).`, 'Fix: start Redis there, or set REDIS_URL to the Redis Baton should use.'],
    { cause: lastError },
  );
}

/** The HTTP listener could not bind: port taken, not allowed, or an address this machine does not have. */
export function listenFailure(error: unknown, o: { port: number; host: string; variable: 'PORT' | 'BATON_WORKER_PORT' }): StartupError {
  const code = codeOf(error);
  const setting = `${o.variable}=${o.port}`;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      [
        `Cannot start: port ${o.port} on ${o.host} is already in use (${setting}).`,
        `Fix: stop the process listening there (another Baton, or \`npm run demo\`?), or set ${o.variable} to a free port.`,
      ],
      { cause: error },
    );
  }
  if (code === 'EACCES') {
    return new StartupError(
      [`Cannot start: not allowed to listen on port ${o.port} (${setting}).`, `Fix: set ${o.variable} to a port above 1023, or give the process the right to bind it.`],
      { cause: error },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StartupError(
      [`Cannot start: cannot listen on ${o.host} (BATON_HOST=${o.host}): not an address of this machine.`, 'Fix: set BATON_HOST to 0.0.0.0 (every interface) or to one of this machine\'s addresses.'],
      { cause: error },
    );
  }
  return new StartupError([`Cannot start: listening on ${o.host}:${o.port} failed (${messageOf(error)}).`, `Fix: check ${o.variable} and BATON_HOST.`], { cause: error });
}
