// Turns whatever a Jira call threw (jira.js HttpException, a bare AxiosError for network failures and
// timeouts, a bulk-create element error) into RetryableError / PermanentError (src/handoff/errors.ts), so
// jobs never look at HTTP details. Messages are written for an admin: what happened and what to change.
// They never carry the API token (or the Basic header derived from it).
import { formatWait, isObject, parseRetryAfter, redactSecrets, type HttpFailure } from '../common/http-failure.js';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';

export const CONNECTOR = 'jira';

/** Ceiling for any server-requested wait. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'ECONNABORTED', 'ERR_NETWORK', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The HTTP facts of a failed Jira call; its error body is {errorMessages: string[], errors: {field: message}}
 * (bulk: {issues, errors[]}).
 */
export type JiraFailure = HttpFailure;

export interface JiraErrorContext {
  /** What Baton was doing, e.g. "create the parent issue in DEL". */
  operation: string;
  mapping?: string;
  taskId?: string;
  /** Project key, named in 404/403 messages. */
  project?: string;
  /** The Jira permission the operation needs, named in 403 messages (e.g. "Create issues"). */
  permission?: string;
  /** Message for a 404, when the caller knows what was missing (e.g. the project). */
  notFound?: string;
  /** Strings that must never appear in a message (API token, Basic header). */
  secrets?: string[];
  nowMs?: number;
}

/** Extracts status, headers, body and network code from a jira.js HttpException or an AxiosError. */
export function describeJiraFailure(err: unknown): JiraFailure {
  const f: JiraFailure = {};
  if (typeof err !== 'object' || err === null) return f;
  const e = err as Record<string, unknown>;
  // jira.js HttpException: status + response {data}; its cause is the AxiosError with the headers.
  // A bare AxiosError (no response: network error, timeout) has code and no status.
  const axios = (isObject(e.cause) && isObject(e.cause.response) ? e.cause : isObject(e.response) && 'headers' in e.response ? e : undefined) as
    | { response?: { status?: unknown; headers?: unknown; data?: unknown } }
    | undefined;
  if (axios?.response && typeof axios.response.status === 'number') f.status = axios.response.status;
  else if (typeof e.status === 'number' && isObject(e.response)) f.status = e.status;
  if (axios?.response) {
    f.headers = headerRecord(axios.response.headers);
    f.body = axios.response.data;
  } else if (isObject(e.response) && 'data' in e.response) {
    f.body = e.response.data;
  }
  // Strict JSON parsing (jira-client.ts) fails a success whose body is not JSON with ERR_BAD_RESPONSE.
  if (e.code === 'ERR_BAD_RESPONSE' && (f.status === undefined || f.status < 400)) {
    const raw = axios?.response?.data ?? (isObject(e.response) ? e.response.data : undefined);
    f.malformedBody = typeof raw === 'string' ? raw.slice(0, 120) : '';
  }
  if (f.status === undefined) {
    const code = typeof e.code === 'string' ? e.code : isObject(e.cause) && typeof e.cause.code === 'string' ? e.cause.code : undefined;
    if (code !== undefined && NETWORK_CODES.has(code)) f.networkCode = code;
    const message = typeof e.message === 'string' ? e.message : '';
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout of \d+ms exceeded/.test(message)) f.timedOut = true;
  }
  return f;
}

export function classifyJiraError(err: unknown, ctx: JiraErrorContext): RetryableError | PermanentError {
  if (err instanceof RetryableError || err instanceof PermanentError) return err;
  return classifyJiraFailure(describeJiraFailure(err), ctx, err);
}

export function classifyJiraFailure(f: JiraFailure, ctx: JiraErrorContext, cause?: unknown): RetryableError | PermanentError {
  const where = prefix(ctx);
  const say = (m: string) => redactSecrets(m, ctx.secrets);
  // The raw cause (an AxiosError) carries the request config with the Authorization header: keep only a
  // plain description so nothing that logs the error chain can leak the token.
  const opts = { cause: describeCause(cause, ctx.secrets) };
  const jiraText = jiraMessages(f.body);

  if (f.malformedBody !== undefined) {
    // Jira documents JSON for every answer: this is a proxy, maintenance page or a cut-off response, not
    // something the request can fix. Retry (bounded by the job's attempts); the breaker counts it as down.
    return new RetryableError(
      say(
        `${where}Jira answered ${ctx.operation}${f.status !== undefined ? ` with ${f.status}` : ''} but the body is not JSON` +
          `${f.malformedBody ? ` (${JSON.stringify(clip(f.malformedBody, 60))})` : ''}; will retry. If it persists, check JIRA_BASE_URL and any proxy in front of Jira`,
      ),
      CONNECTOR,
      undefined,
      opts,
    );
  }
  if (f.status === undefined) {
    if (f.timedOut) return new RetryableError(say(`${where}Jira did not answer ${ctx.operation} in time (timeout); will retry`), CONNECTOR, undefined, opts);
    if (f.networkCode !== undefined) {
      return new RetryableError(say(`${where}Jira ${ctx.operation}: network error ${f.networkCode}; will retry`), CONNECTOR, undefined, opts);
    }
    const what = cause instanceof Error ? cause.message : String(cause);
    return new RetryableError(say(`${where}Jira ${ctx.operation}: unexpected failure (${what.slice(0, 200)})`), CONNECTOR, undefined, opts);
  }

  const s = f.status;
  const now = ctx.nowMs ?? Date.now();
  if (s === 429) {
    const wait = retryAfterMs(f.headers, now);
    const reason = f.headers?.['ratelimit-reason'];
    return new RetryableError(
      say(`${where}Jira rate-limited ${ctx.operation} (429${reason ? ` ${reason}` : ''}); ${wait !== undefined ? `retrying in ${formatWait(wait)}` : 'will retry with backoff'}`),
      CONNECTOR,
      wait,
      { ...opts, reason: 'rate-limited' },
    );
  }
  if (s >= 500 || s === 408 || s === 409 || s === 423) {
    return new RetryableError(
      say(`${where}Jira answered ${s} to ${ctx.operation}${jiraText ? ` (${jiraText})` : ''}; will retry`),
      CONNECTOR,
      retryAfterMs(f.headers, now),
      // 409 (conflict) and 423 (locked) come from a Jira that is up.
      { ...opts, reason: s === 409 || s === 423 ? 'busy' : 'unavailable' },
    );
  }
  if (s === 401) {
    return new PermanentError(
      say(
        `${where}Jira rejected the credentials (401) on ${ctx.operation}. Set JIRA_EMAIL to the Atlassian account's email and ` +
          `JIRA_API_TOKEN to a valid API token of that account (it may be expired or revoked)`,
      ),
      CONNECTOR,
      'JIRA_API_TOKEN',
      opts,
    );
  }
  if (s === 403) {
    const permission = ctx.permission ? `the "${ctx.permission}" permission` : 'the needed permission';
    return new PermanentError(
      say(
        `${where}Jira refused ${ctx.operation} (403)${jiraText ? `: ${jiraText}` : ''}. Give the JIRA_EMAIL user ${permission}` +
          `${ctx.project ? ` in project ${ctx.project}` : ''} (or use JIRA_EMAIL/JIRA_API_TOKEN of an account that has it)`,
      ),
      CONNECTOR,
      'JIRA_EMAIL',
      opts,
    );
  }
  if (s === 404) {
    const msg = ctx.notFound ?? `Jira ${ctx.operation}: not found (404)${jiraText ? `: ${jiraText}` : ''}`;
    return new PermanentError(say(`${where}${msg}`), CONNECTOR, undefined, opts);
  }
  if (s === 400) {
    const named = fieldErrors(f.body);
    const first = named[0];
    if (first) {
      const rest = named.length > 1 ? ` (also: ${named.slice(1).map((n) => n.field).join(', ')})` : '';
      return new PermanentError(say(`${where}${describeFieldError(first.field, first.message)}${rest}`), CONNECTOR, first.field, opts);
    }
    return new PermanentError(
      say(`${where}Jira rejected ${ctx.operation} (400): ${jiraText || 'no message'}`),
      CONNECTOR,
      issueTypeProblem(jiraText) ? 'issuetype' : undefined,
      opts,
    );
  }
  return new PermanentError(say(`${where}Jira answered ${s} to ${ctx.operation}${jiraText ? `: ${jiraText}` : ''}`), CONNECTOR, undefined, opts);
}

/** One failed element of a bulk create ({status, elementErrors: {errorMessages, errors}, failedElementNumber}). */
export function classifyBulkElementError(
  element: { status?: number; elementErrors?: { errorMessages?: string[]; errors?: unknown } },
  ctx: JiraErrorContext,
): RetryableError | PermanentError {
  // Elements carry no headers: a throttled element retries with the job's backoff.
  const status = element.status ?? 400;
  return classifyJiraFailure({ status, body: element.elementErrors ?? {} }, ctx);
}

/** "customfield_10020: Field is required." → an admin-readable sentence naming the field. */
export function describeFieldError(field: string, message: string): string {
  if (/\bis required\b/i.test(message)) {
    return `Jira field ${field} is required (${clip(message)}): set it in the mapping's task fields, or make it optional in Jira`;
  }
  if (/not on the appropriate screen|cannot be set/i.test(message)) {
    return `Jira field ${field} cannot be set (${clip(message)}): add it to the project's create screen, or remove it from the mapping`;
  }
  return `Jira rejected field ${field}: ${clip(message)}`;
}

/** Retry-After (delta-seconds or HTTP date), else X-RateLimit-Reset (ISO instant); ms, capped. */
export function retryAfterMs(headers: Record<string, string | undefined> | undefined, nowMs: number): number | undefined {
  const ra = parseRetryAfter(headers?.['retry-after'], nowMs);
  if (ra !== undefined) return Math.min(ra, MAX_RETRY_AFTER_MS);
  const reset = headers?.['x-ratelimit-reset'];
  if (reset !== undefined) {
    const at = Date.parse(reset);
    if (Number.isFinite(at)) return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
  }
  return undefined;
}

/** Every {field: message} pair in a Jira error body. */
export function fieldErrors(body: unknown): { field: string; message: string }[] {
  if (!isObject(body) || !isObject(body.errors)) return [];
  return Object.entries(body.errors).map(([field, message]) => ({ field, message: typeof message === 'string' ? message : JSON.stringify(message) }));
}

/** Jira's errorMessages (and field errors) as one line. */
export function jiraMessages(body: unknown): string {
  if (typeof body === 'string') return clip(body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim());
  if (!isObject(body)) return '';
  const parts: string[] = [];
  if (Array.isArray(body.errorMessages)) for (const m of body.errorMessages) if (typeof m === 'string') parts.push(m);
  for (const { field, message } of fieldErrors(body)) parts.push(`${field}: ${message}`);
  if (parts.length === 0 && typeof body.message === 'string') parts.push(body.message);
  return clip(parts.join('; '));
}

function issueTypeProblem(text: string): boolean {
  return /issue ?type/i.test(text);
}

function prefix(ctx: JiraErrorContext): string {
  const parts: string[] = [];
  if (ctx.mapping) parts.push(`mapping ${ctx.mapping}`);
  if (ctx.taskId) parts.push(`task ${ctx.taskId}`);
  return parts.length > 0 ? `${parts.join(', ')}: ` : '';
}

function describeCause(cause: unknown, secrets: string[] | undefined): Error | undefined {
  if (cause === undefined) return undefined;
  const e = cause as { name?: unknown; message?: unknown; code?: unknown; status?: unknown };
  const msg = typeof e.message === 'string' ? e.message : String(cause);
  const out = new Error(redactSecrets(msg.slice(0, 500), secrets));
  out.name = typeof e.name === 'string' ? e.name : 'Error';
  return out;
}

function headerRecord(headers: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (!isObject(headers)) return out;
  // AxiosHeaders keeps values as own properties; toJSON flattens them.
  const plain = typeof headers.toJSON === 'function' ? (headers.toJSON as () => unknown).call(headers) : headers;
  if (!isObject(plain)) return out;
  for (const [k, v] of Object.entries(plain)) {
    if (typeof v === 'string') out[k.toLowerCase()] = v;
    else if (typeof v === 'number') out[k.toLowerCase()] = String(v);
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k.toLowerCase()] = v[0];
  }
  return out;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
