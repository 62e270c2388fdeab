// How `baton start|server|worker` and `npm run demo` end when they cannot start: the StartupError's lines
// (what failed, the value, the fix), exit 1. Anything unforeseen is one line too; its stack trace only
// with LOG_LEVEL=debug (or trace), for whoever debugs Baton itself.
import { StartupError } from '../runtime/startup-error.js';

export function reportStartupFailure(error: unknown, out: NodeJS.WritableStream, logLevel: string): void {
  const debug = logLevel === 'debug' || logLevel === 'trace';
  if (error instanceof StartupError) {
    out.write(`${error.lines.join('\n')}\n`);
  } else {
    out.write(`Cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!debug) out.write('Run with LOG_LEVEL=debug to see where it failed.\n');
  }
  if (debug) out.write(`${stackOf(error instanceof StartupError ? (error.cause ?? error) : error)}\n`);
}

function stackOf(e: unknown): string {
  const own = e instanceof Error ? (e.stack ?? e.message) : String(e);
  const cause = e instanceof Error && e.cause !== undefined ? `\nCaused by: ${stackOf(e.cause)}` : '';
  return own + cause;
}
