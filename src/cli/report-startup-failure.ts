// How `baton start|server|worker` and `npm run demo` end when they cannot start: the StartupError's lines
// (what failed, the value, the fix), exit 1. Anything unforeseen is one line too; its stack trace only
// with LOG_LEVEL=debug (or trace), for whoever debugs Baton itself. Nothing printed carries a secret:
// configured secret values and URL passwords are replaced by ***.
import { StartupError } from '../runtime/startup-error.js';

export function reportStartupFailure(error: unknown, out: NodeJS.WritableStream, o: { logLevel: string; secrets: string[] }): void {
  const debug = o.logLevel === 'debug' || o.logLevel === 'trace';
  const scrub = (text: string) =>
    o.secrets.reduce((t, s) => t.split(s).join('***'), text).replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
  const lines =
    error instanceof StartupError
      ? [...error.lines]
      : [`Cannot start: ${error instanceof Error ? error.message : String(error)}`, ...(debug ? [] : ['Run with LOG_LEVEL=debug to see where it failed.'])];
  if (debug) lines.push(stackOf(error instanceof StartupError ? (error.cause ?? error) : error));
  out.write(`${scrub(lines.join('\n'))}\n`);
}

function stackOf(e: unknown): string {
  const own = e instanceof Error ? (e.stack ?? e.message) : String(e);
  const cause = e instanceof Error && e.cause !== undefined ? `\nCaused by: ${stackOf(e.cause)}` : '';
  return own + cause;
}
