// Turns whatever a HubSpot call threw into RetryableError / PermanentError (src/handoff/errors.ts) so jobs never
// look at HTTP details. Messages are written for an admin: what happened, and what to change. Never the token.
import { formatWait, isObject, parseRetryAfter, redactSecrets, type HttpFailure } from '../common/http-failure.js';
import { PermanentError, RetryableError } from '../../src/handoff/errors.js';

export const CONNECTOR = 'hubspot';

/** Burst limit window: HubSpot's TEN_SECONDLY_ROLLING policy (FACTS 1d). */
export const TEN_SECONDLY_BACKOFF_MS = 10_000;
/** Any other 429 without Retry-After (e.g. "You have reached your secondly limit." from search). */
export const DEFAULT_429_BACKOFF_MS = 1_000;
/** Ceiling for any server-requested wait, including the DAILY limit (which resets at the account's midnight). */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

/** The HTTP facts of a failed HubSpot call; its error body is {message, category, policyName, errors[…]}. */
export type HubSpotFailure = HttpFailure;

export interface ClassifyContext {
  /** What Baton was doing, e.g. "getDeal(123)". Goes into the message. */
  operation: string;
  /** Scopes the operation needs, named in 403 messages when HubSpot doesn't list them. */
  scopes?: string[];
  /** Strings that must never appear in a message (the access token). */
  secrets?: string[];
  nowMs?: number;
}

/**
 * Extracts status, headers, body and network code from an SDK ApiException, a node-fetch FetchError, or a plain
 * object. `rawBody` (the untouched response text, when captured) wins over the SDK's deserialised body, which
 * drops fields such as policyName.
 */
export function describeFailure(err: unknown, rawBody?: string): HubSpotFailure {
  const f: HubSpotFailure = {};
  if (typeof err !== 'object' || err === null) return f;
  const e = err as { code?: unknown; status?: unknown; headers?: unknown; body?: unknown; errno?: unknown; cause?: unknown };
  if (typeof e.code === 'number') f.status = e.code;
  else if (typeof e.status === 'number') f.status = e.status;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) f.networkCode = e.code;
  else if (typeof e.errno === 'string' && NETWORK_CODES.has(e.errno)) f.networkCode = e.errno;
  else if (typeof e.cause === 'object' && e.cause !== null) {
    const c = (e.cause as { code?: unknown }).code;
    if (typeof c === 'string' && NETWORK_CODES.has(c)) f.networkCode = c;
  }
  if (f.networkCode === undefined && f.status === undefined && (err as { type?: unknown }).type === 'request-timeout') {
    f.networkCode = 'ETIMEDOUT';
  }
  // The SDK parses a success body with JSON.parse (a SyntaxError); node-fetch's own .json() says 'invalid-json'.
  if (f.status === undefined && (err instanceof SyntaxError || (err as { type?: unknown }).type === 'invalid-json')) {
    f.malformedBody = err instanceof Error ? err.message.slice(0, 120) : '';
  }
  if (typeof e.headers === 'object' && e.headers !== null) {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(e.headers as Record<string, unknown>)) {
      if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
    f.headers = headers;
  }
  if (rawBody !== undefined && rawBody !== '') {
    try {
      f.body = JSON.parse(rawBody);
    } catch {
      f.body = rawBody;
    }
  } else if (e.body !== undefined) {
    f.body = e.body;
  }
  return f;
}

export function classifyHubSpotError(err: unknown, ctx: ClassifyContext, rawBody?: string): RetryableError | PermanentError {
  if (err instanceof RetryableError || err instanceof PermanentError) return err;
  return classifyFailure(describeFailure(err, rawBody), ctx, err);
}

export function classifyFailure(f: HubSpotFailure, ctx: ClassifyContext, cause?: unknown): RetryableError | PermanentError {
  const op = ctx.operation;
  const body = isObject(f.body) ? f.body : {};
  const hsMessage = typeof body.message === 'string' ? body.message : typeof f.body === 'string' ? f.body.slice(0, 300) : '';
  const say = (m: string) => redactSecrets(m, ctx.secrets);
  const opts = { cause };

  if (f.status === undefined) {
    if (f.networkCode !== undefined) {
      return new RetryableError(say(`HubSpot ${op}: network error ${f.networkCode}; will retry`), CONNECTOR, undefined, opts);
    }
    if (f.malformedBody !== undefined) {
      // HubSpot answers JSON only: a proxy page or a cut-off body is the service (or the way to it) failing.
      return new RetryableError(
        say(`HubSpot ${op}: the answer is not JSON (${f.malformedBody}); will retry. If it persists, check HUBSPOT_API_BASE_URL and any proxy in front of HubSpot`),
        CONNECTOR,
        undefined,
        opts,
      );
    }
    // Not an HTTP answer and not a known network failure: retry within the job's attempt budget, keep the cause.
    const what = cause instanceof Error ? cause.message : String(cause);
    return new RetryableError(say(`HubSpot ${op}: unexpected failure (${what.slice(0, 200)})`), CONNECTOR, undefined, opts);
  }

  const s = f.status;
  if (s === 429) {
    const policy = typeof body.policyName === 'string' ? body.policyName : '';
    const retryAfter = parseRetryAfter(f.headers?.['retry-after'], ctx.nowMs ?? Date.now());
    if (policy === 'DAILY' || /daily limit/i.test(hsMessage)) {
      const wait = Math.min(retryAfter ?? MAX_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS);
      return new RetryableError(
        say(
          `HubSpot ${op}: the account's DAILY API limit is used up; retrying in ${formatWait(wait)} ` +
            `(capped at 1 h; the limit resets at midnight in the HubSpot account's time zone)`,
        ),
        CONNECTOR,
        wait,
        { ...opts, reason: 'rate-limited' },
      );
    }
    let wait: number;
    if (retryAfter !== undefined) wait = Math.min(retryAfter, MAX_RETRY_AFTER_MS);
    else if (policy === 'TEN_SECONDLY_ROLLING' || /ten_secondly/i.test(hsMessage)) wait = TEN_SECONDLY_BACKOFF_MS;
    else wait = DEFAULT_429_BACKOFF_MS;
    return new RetryableError(
      say(`HubSpot ${op}: rate limited (429${policy ? ` ${policy}` : ''}); retrying in ${formatWait(wait)}`),
      CONNECTOR,
      wait,
      { ...opts, reason: 'rate-limited' },
    );
  }
  if (s >= 500 || s === 408 || s === 423) {
    const retryAfter = parseRetryAfter(f.headers?.['retry-after'], ctx.nowMs ?? Date.now());
    const wait = retryAfter === undefined ? undefined : Math.min(retryAfter, MAX_RETRY_AFTER_MS);
    return new RetryableError(
      say(`HubSpot ${op}: HubSpot answered ${s}${hsMessage ? ` (${hsMessage})` : ''}; will retry`),
      CONNECTOR,
      wait,
      // 423 (locked) comes from a HubSpot that is up.
      { ...opts, reason: s === 423 ? 'busy' : 'unavailable' },
    );
  }
  if (s === 401) {
    return new PermanentError(
      say(
        `HubSpot ${op}: the access token was rejected (401). Set HUBSPOT_ACCESS_TOKEN to a valid app access token, ` +
          `service key or legacy private-app token (docs/hubspot-app.md; it may be expired, revoked or for another account)`,
      ),
      CONNECTOR,
      'HUBSPOT_ACCESS_TOKEN',
      opts,
    );
  }
  if (s === 403) {
    const scopes = requiredScopes(body) ?? ctx.scopes ?? [];
    const scopeText = scopes.length > 0 ? `add the scope${scopes.length > 1 ? 's' : ''} ${scopes.join(', ')}` : 'add the missing scopes';
    return new PermanentError(
      say(
        `HubSpot ${op}: access denied (403${typeof body.category === 'string' ? ` ${body.category}` : ''}). ` +
          `In the HubSpot app behind HUBSPOT_ACCESS_TOKEN, ${scopeText}, then update the token`,
      ),
      CONNECTOR,
      'HUBSPOT_ACCESS_TOKEN',
      opts,
    );
  }
  if (s === 400) {
    const rule = portalRuleFrom(body);
    if (rule) {
      return new PermanentError(
        say(
          `HubSpot ${op}: refused by a validation rule of the HubSpot portal (400 ${rule.code}): "${rule.message}" [property ${rule.property}]. ` +
            `Ask a HubSpot admin to give ${rule.property} a value on this deal or to change the rule (Settings → Properties → ${rule.property}, ` +
            'conditional logic; or Settings → Objects → Deals → Create Record), then retry the handoff',
        ),
        CONNECTOR,
        rule.property,
        opts,
      );
    }
    const field = propertyNameFrom(body, hsMessage);
    return new PermanentError(
      say(`HubSpot ${op}: request rejected (400): ${hsMessage || 'no message'}${field ? ` [property ${field}]` : ''}`),
      CONNECTOR,
      field,
      opts,
    );
  }
  if (s === 404) {
    return new PermanentError(say(`HubSpot ${op}: not found (404)${hsMessage ? `: ${hsMessage}` : ''}`), CONNECTOR, undefined, opts);
  }
  return new PermanentError(
    say(`HubSpot ${op}: HubSpot answered ${s}${hsMessage ? `: ${hsMessage}` : ''}`),
    CONNECTOR,
    undefined,
    opts,
  );
}

// HubSpot 403 bodies list what is missing in errors[].context.requiredGranularScopes (or requiredScopes).
function requiredScopes(body: Record<string, unknown>): string[] | undefined {
  const out = new Set<string>();
  const errors = Array.isArray(body.errors) ? body.errors : [];
  for (const e of errors) {
    const ctx = isObject(e) && isObject(e.context) ? e.context : undefined;
    if (!ctx) continue;
    for (const key of ['requiredGranularScopes', 'requiredScopes']) {
      const list = ctx[key];
      if (Array.isArray(list)) for (const s of list) if (typeof s === 'string') out.add(s);
    }
  }
  return out.size > 0 ? [...out] : undefined;
}

// Admin-configured validation rules HubSpot enforces on API writes (changelog "CRM API Write Validation
// Enforcement", from the 2026-09 API version): 400 VALIDATION_ERROR with errors[{code, message,
// context.propertyName: [name]}]. Retrying cannot help; the rule and the property are what the admin needs.
const PORTAL_RULE_CODES = new Set(['MISSING_CONDITIONAL_REQUIRED_PROPERTY', 'MISSING_REQUIRED_PROPERTY']);
function portalRuleFrom(body: Record<string, unknown>): { code: string; message: string; property: string } | undefined {
  const errors = Array.isArray(body.errors) ? body.errors : [];
  for (const e of errors) {
    if (!isObject(e) || typeof e.code !== 'string' || !PORTAL_RULE_CODES.has(e.code)) continue;
    const names = isObject(e.context) ? e.context.propertyName : undefined;
    const property = Array.isArray(names) && typeof names[0] === 'string' ? names[0] : typeof names === 'string' ? names : undefined;
    if (property) return { code: e.code, message: typeof e.message === 'string' ? e.message : '', property };
  }
  return undefined;
}

// 400s name the property in errors[].context.propertyName, errors[].name, or only inside the message text.
function propertyNameFrom(body: Record<string, unknown>, message: string): string | undefined {
  const errors = Array.isArray(body.errors) ? body.errors : [];
  for (const e of errors) {
    if (!isObject(e)) continue;
    const ctx = isObject(e.context) ? e.context : undefined;
    const pn = ctx?.propertyName;
    if (Array.isArray(pn) && typeof pn[0] === 'string') return pn[0];
    if (typeof pn === 'string') return pn;
    if (typeof e.name === 'string') return e.name;
  }
  const quoted = /[Pp]roperty \\?"([^"\\]+)\\?"/.exec(message) ?? /\\?"name\\?":\\?"([^"\\]+)\\?"/.exec(message);
  return quoted?.[1];
}
