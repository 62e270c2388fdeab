// Turns whatever an Asana call threw (a superagent error from the asana v3 SDK, or a network failure) into
// RetryableError / PermanentError so jobs never look at HTTP details. Messages are for an admin: what
// Baton was doing (mapping, task), Asana's own words (errors[0].message), and what to change. Never the token.
import { isObject, parseRetryAfter, redactSecrets, type HttpFailure } from '../common/http-failure.js';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';

export const CONNECTOR = 'asana';

/** A 429 without a readable Retry-After: Asana's windows are per minute, so a short pause is a guess. */
export const DEFAULT_429_BACKOFF_MS = 1_000;
/** Ceiling for any server-requested wait. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

/** The HTTP facts of a failed Asana call; its error body is {"errors":[{"message","help","phrase"}]}. */
export type AsanaFailure = HttpFailure;

export interface AsanaErrorContext {
  /** What Baton was doing, e.g. 'creating task "kickoff"'. */
  operation: string;
  /** The mapping whose plan this is: named in every permanent message. */
  mapping?: string;
  /** The mapping's work.project value, named in 404/403 hints. */
  target?: string;
  /** Strings that must never appear in a message (the access token). */
  secrets?: string[];
}

/** Extracts status, headers, body and network code from a superagent error (what the asana v3 SDK rejects with). */
export function describeAsanaFailure(err: unknown): AsanaFailure {
  const f: AsanaFailure = {};
  if (typeof err !== 'object' || err === null) return f;
  const e = err as { status?: unknown; code?: unknown; errno?: unknown; timeout?: unknown; response?: unknown; cause?: unknown; rawResponse?: unknown; statusCode?: unknown };
  if (typeof e.timeout === 'number') f.timedOut = true;
  // superagent's JSON parser failing on a body that claimed to be JSON: a SyntaxError with the raw text.
  if (err instanceof SyntaxError && 'rawResponse' in e) {
    f.malformedBody = typeof e.rawResponse === 'string' ? e.rawResponse.slice(0, 120) : '';
    if (typeof e.statusCode === 'number' && e.statusCode >= 400) f.status = e.statusCode;
  }
  const response = typeof e.response === 'object' && e.response !== null ? (e.response as Record<string, unknown>) : undefined;
  if (typeof e.status === 'number') f.status = e.status;
  else if (response && typeof response.status === 'number') f.status = response.status;
  for (const c of [e.code, e.errno, (e.cause as { code?: unknown } | undefined)?.code]) {
    if (typeof c === 'string' && NETWORK_CODES.has(c)) {
      f.networkCode = c;
      break;
    }
  }
  if (response) {
    const raw = response.headers ?? response.header;
    if (typeof raw === 'object' && raw !== null) {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      f.headers = headers;
    }
    // superagent parses JSON bodies into `body`; anything else leaves `body` as {} and the raw text in `text`.
    const parsed = response.body;
    if (parsed !== undefined && parsed !== null && !(isObject(parsed) && Object.keys(parsed).length === 0)) {
      f.body = parsed;
    } else if (typeof response.text === 'string' && response.text !== '') {
      try {
        f.body = JSON.parse(response.text);
      } catch {
        f.body = response.text;
      }
    }
  }
  return f;
}

/** Asana's first error message (errors[0].message), or a short raw body. */
export function asanaMessage(body: unknown): string {
  if (isObject(body) && Array.isArray(body.errors)) {
    const first: unknown = body.errors[0];
    if (isObject(first) && typeof first.message === 'string') return first.message;
  }
  return typeof body === 'string' ? body.slice(0, 300) : '';
}

/** Asana prefixes validation errors with the offending input: "assignee: Not a recognized ID: x". */
export function fieldFromMessage(message: string): string | undefined {
  return /^([a-z_][a-z0-9_.]*):\s/i.exec(message)?.[1];
}

export function classifyAsanaError(err: unknown, ctx: AsanaErrorContext, nowMs = Date.now()): RetryableError | PermanentError {
  if (err instanceof RetryableError || err instanceof PermanentError) return err;
  return classifyAsanaFailure(describeAsanaFailure(err), ctx, err, nowMs);
}

export function classifyAsanaFailure(f: AsanaFailure, ctx: AsanaErrorContext, cause?: unknown, nowMs = Date.now()): RetryableError | PermanentError {
  const where = `Asana ${ctx.operation}${ctx.mapping ? ` (mapping "${ctx.mapping}")` : ''}`;
  const said = asanaMessage(f.body);
  const say = (m: string) => redactSecrets(m, ctx.secrets);
  const opts = { cause };

  if (f.malformedBody !== undefined && (f.status === undefined || f.status < 400)) {
    // Asana answers JSON only: a proxy page or a cut-off body is the service (or the way to it) failing, not
    // the request. Retry within the job's attempts; the breaker counts it as down.
    const head = f.malformedBody ? ` (${JSON.stringify(f.malformedBody.slice(0, 60))})` : '';
    return new RetryableError(say(`${where}: the answer is not JSON${head}; will retry. If it persists, check ASANA_BASE_URL and any proxy in front of Asana`), CONNECTOR, undefined, opts);
  }
  if (f.status === undefined) {
    if (f.timedOut) return new RetryableError(say(`${where}: no answer in time (timeout); will retry`), CONNECTOR, undefined, opts);
    if (f.networkCode !== undefined) return new RetryableError(say(`${where}: network error ${f.networkCode}; will retry`), CONNECTOR, undefined, opts);
    const what = cause instanceof Error ? cause.message : String(cause);
    return new RetryableError(say(`${where}: unexpected failure (${what.slice(0, 200)})`), CONNECTOR, undefined, opts);
  }

  const s = f.status;
  const suffix = said ? `: ${said}` : '';
  if (s === 429) {
    const after = parseRetryAfter(f.headers?.['retry-after'], nowMs);
    const wait = Math.min(after ?? DEFAULT_429_BACKOFF_MS, MAX_RETRY_AFTER_MS);
    return new RetryableError(say(`${where}: rate limited (429); retrying in ${wait} ms`), CONNECTOR, wait, { ...opts, reason: 'rate-limited' });
  }
  if (s >= 500 || s === 408) {
    const after = parseRetryAfter(f.headers?.['retry-after'], nowMs);
    return new RetryableError(say(`${where}: Asana answered ${s}${suffix}; will retry`), CONNECTOR, after === undefined ? undefined : Math.min(after, MAX_RETRY_AFTER_MS), opts);
  }
  if (s === 401) {
    return new PermanentError(
      say(`${where}: the access token was rejected (401). Set ASANA_ACCESS_TOKEN to a valid personal access token or OAuth token`),
      CONNECTOR,
      'ASANA_ACCESS_TOKEN',
      opts,
    );
  }
  if (s === 402) {
    return new PermanentError(
      say(
        `${where}: this needs a paid Asana plan (402)${suffix}. Upgrade the workspace, or change the mapping's ` +
          `work.project${ctx.target ? ` (${ctx.target})` : ''} to "project:<gid>" or a plain project instead of a template`,
      ),
      CONNECTOR,
      'work.project',
      opts,
    );
  }
  if (s === 403) {
    return new PermanentError(
      say(
        `${where}: access denied (403)${suffix}. Give the Asana user behind ASANA_ACCESS_TOKEN access to ` +
          `${ctx.target ? `"${ctx.target}"` : 'the workspace, team and project'} (and the tasks:write / projects:write scopes)`,
      ),
      CONNECTOR,
      fieldFromMessage(said),
      opts,
    );
  }
  if (s === 404) {
    return new PermanentError(
      say(`${where}: not found (404)${suffix}. Check the gid in the mapping's work.project${ctx.target ? ` (${ctx.target})` : ''} and ASANA_WORKSPACE_GID`),
      CONNECTOR,
      'work.project',
      opts,
    );
  }
  if (s === 400) {
    const field = fieldFromMessage(said);
    return new PermanentError(say(`${where}: request rejected (400)${suffix || ': no message'}${field ? ` [field ${field}]` : ''}`), CONNECTOR, field, opts);
  }
  return new PermanentError(say(`${where}: Asana answered ${s}${suffix}`), CONNECTOR, fieldFromMessage(said), opts);
}

/** The error for an SDK call that resolved to something other than a JSON object (raw text of a non-JSON body). */
export function malformedAnswer(ctx: AsanaErrorContext, body: unknown): RetryableError {
  const failure: AsanaFailure = { malformedBody: typeof body === 'string' ? body.slice(0, 120) : '' };
  return classifyAsanaFailure(failure, ctx) as RetryableError;
}
