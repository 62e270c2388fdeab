import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../connectors/common/http-failure.js';
import {
  classifyFailure,
  classifyHubSpotError,
  describeFailure,
} from '../../../connectors/hubspot/classify-error.js';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';

const ctx = { operation: 'getDeal(123)', scopes: ['crm.objects.deals.read'], nowMs: Date.parse('2025-08-20T10:00:00Z') };

/** What the SDK throws: ApiException-like, with code (HTTP status), body and lower-cased headers. */
function apiException(code: number, body: unknown, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code, body, headers });
}

describe('classifyHubSpotError: rate limits (429)', () => {
  it('TEN_SECONDLY_ROLLING without Retry-After → Retryable after 10 s', () => {
    const e = classifyHubSpotError(
      apiException(429, { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' }),
      ctx,
    );
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(10_000);
    expect(e.message).toContain('TEN_SECONDLY_ROLLING');
    expect((e as RetryableError).connector).toBe('hubspot');
  });

  it('policyName is read from the raw body when the SDK dropped it from its deserialised body', () => {
    const sdkBody = { message: 'You have reached your ten_secondly_rolling limit.', correlationId: 'c' };
    const raw = JSON.stringify({ ...sdkBody, policyName: 'TEN_SECONDLY_ROLLING' });
    const e = classifyHubSpotError(apiException(429, { correlationId: 'c' }), ctx, raw) as RetryableError;
    expect(e.retryAfterMs).toBe(10_000);
  });

  it('Retry-After (seconds or HTTP date) wins over the policy default', () => {
    const secs = classifyHubSpotError(apiException(429, { policyName: 'TEN_SECONDLY_ROLLING' }, { 'retry-after': '3' }), ctx);
    expect((secs as RetryableError).retryAfterMs).toBe(3000);
    const date = classifyHubSpotError(apiException(429, {}, { 'retry-after': 'Wed, 20 Aug 2025 10:00:30 GMT' }), ctx);
    expect((date as RetryableError).retryAfterMs).toBe(30_000);
  });

  it('other 429s (secondly search limit) without Retry-After → 1 s', () => {
    const e = classifyHubSpotError(apiException(429, { message: 'You have reached your secondly limit.' }), ctx) as RetryableError;
    expect(e.retryAfterMs).toBe(1000);
  });

  it('DAILY → Retryable capped at 1 h, and the message says why', () => {
    const e = classifyHubSpotError(
      apiException(429, { status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', policyName: 'DAILY' }),
      ctx,
    ) as RetryableError;
    expect(e).toBeInstanceOf(RetryableError);
    expect(e.retryAfterMs).toBe(3_600_000);
    expect(e.message).toMatch(/DAILY/);
    expect(e.message).toMatch(/capped at 1 h/);
    const huge = classifyHubSpotError(apiException(429, { policyName: 'DAILY' }, { 'retry-after': '86400' }), ctx) as RetryableError;
    expect(huge.retryAfterMs).toBe(3_600_000);
    const small = classifyHubSpotError(apiException(429, { policyName: 'DAILY' }, { 'retry-after': '120' }), ctx) as RetryableError;
    expect(small.retryAfterMs).toBe(120_000);
  });
});

describe('classifyHubSpotError: server and network failures are retryable', () => {
  it.each([500, 502, 503, 504, 408])('%d → Retryable', (status) => {
    const e = classifyHubSpotError(apiException(status, { message: 'internal error' }), ctx);
    expect(e).toBeInstanceOf(RetryableError);
    expect(e.message).toContain(String(status));
  });

  it('503 with Retry-After keeps the server wish', () => {
    const e = classifyHubSpotError(apiException(503, {}, { 'retry-after': '7' }), ctx) as RetryableError;
    expect(e.retryAfterMs).toBe(7000);
  });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED'])('network error %s (node-fetch FetchError shape) → Retryable', (code) => {
    const fetchError = Object.assign(new Error(`request to http://x failed, reason: ${code}`), { type: 'system', code, errno: code });
    const e = classifyHubSpotError(fetchError, ctx);
    expect(e).toBeInstanceOf(RetryableError);
    expect(e.message).toContain(code);
    expect(e.cause).toBe(fetchError);
  });

  it('network code found on error.cause (undici style)', () => {
    const e = classifyHubSpotError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }), ctx);
    expect(e).toBeInstanceOf(RetryableError);
    expect(e.message).toContain('ECONNRESET');
  });

  it('an already classified error passes through unchanged', () => {
    const p = new PermanentError('x', 'hubspot');
    expect(classifyHubSpotError(p, ctx)).toBe(p);
  });
});

describe('classifyHubSpotError: permanent failures teach the fix', () => {
  const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

  it('401 → Permanent naming HUBSPOT_ACCESS_TOKEN, never the token', () => {
    const err = apiException(401, { message: `Authentication credentials not found. token ${TOKEN}`, category: 'INVALID_AUTHENTICATION' });
    const e = classifyHubSpotError(err, { ...ctx, secrets: [TOKEN] }, JSON.stringify({ message: `bad token ${TOKEN}` }));
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toContain('HUBSPOT_ACCESS_TOKEN');
    expect(e.message).not.toContain(TOKEN);
    expect((e as PermanentError).field).toBe('HUBSPOT_ACCESS_TOKEN');
  });

  it('403 names the scopes HubSpot says are missing', () => {
    const body = {
      status: 'error',
      message: "This app hasn't been granted all required scopes to make this call.",
      category: 'MISSING_SCOPES',
      errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.owners.read'] } }],
    };
    const e = classifyHubSpotError(apiException(403, body), ctx);
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toContain('crm.objects.owners.read');
    expect(e.message).toContain('HUBSPOT_ACCESS_TOKEN');
    expect(e.message).toContain('MISSING_SCOPES');
  });

  it('403 without a scope list falls back to the scopes of the operation', () => {
    const e = classifyHubSpotError(apiException(403, { message: 'forbidden' }), ctx);
    expect(e.message).toContain('crm.objects.deals.read');
  });

  it('a secret echoed anywhere in a message is redacted', () => {
    const e = classifyHubSpotError(apiException(400, { message: `Invalid input ${TOKEN}` }), { ...ctx, secrets: [TOKEN] });
    expect(e.message).not.toContain(TOKEN);
    expect(e.message).toContain('[redacted]');
  });

  it('400 carries HubSpot’s message and the property name from errors[].context', () => {
    const body = {
      status: 'error',
      message: 'Property values were not valid: [{"isValid":false,"message":"Property \\"baton_scope_x\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"baton_scope_x"}]',
      category: 'VALIDATION_ERROR',
      errors: [{ message: 'Property "baton_scope_x" does not exist', code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['baton_scope_x'] } }],
    };
    const e = classifyHubSpotError(apiException(400, body), ctx) as PermanentError;
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.field).toBe('baton_scope_x');
    expect(e.message).toContain('Property values were not valid');
    expect(e.message).toContain('[property baton_scope_x]');
  });

  it('400 finds the property in the message text when errors[] is absent', () => {
    const body = { message: 'Property values were not valid: [{"isValid":false,"message":"Property \\"foo\\" does not exist","name":"foo"}]' };
    expect((classifyHubSpotError(apiException(400, body), ctx) as PermanentError).field).toBe('foo');
  });

  it('404 and other 4xx are permanent', () => {
    expect(classifyHubSpotError(apiException(404, { message: 'Object not found' }), ctx)).toBeInstanceOf(PermanentError);
    expect(classifyHubSpotError(apiException(409, { message: 'conflict' }), ctx)).toBeInstanceOf(PermanentError);
  });

  it('a non-JSON error body (a proxy page) is quoted, truncated', () => {
    const e = classifyFailure(describeFailure(apiException(400, undefined), 'x'.repeat(1000)), ctx);
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message.length).toBeLessThan(500);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-08-20T10:00:00Z');
  it.each([
    [undefined, undefined],
    ['10', 10_000],
    ['0', 0],
    ['1.5', 1500],
    ['Wed, 20 Aug 2025 10:01:00 GMT', 60_000],
    ['Wed, 20 Aug 2025 09:00:00 GMT', 0],
    ['soon', undefined],
  ])('%s → %s', (v, ms) => {
    expect(parseRetryAfter(v, now)).toBe(ms);
  });
});

describe('classifyHubSpotError: portal validation rules (2026-09 write validation)', () => {
  it('MISSING_REQUIRED_PROPERTY (record-creation requirement) → Permanent, quotes the rule, names the property', () => {
    // The body from HubSpot's changelog "CRM API Write Validation Enforcement".
    const body = {
      status: 'error', category: 'VALIDATION_ERROR', message: 'The property values provided are invalid',
      errors: [{ code: 'MISSING_REQUIRED_PROPERTY', message: 'A value for firstname must be provided', context: { propertyName: ['firstname'] } }],
    };
    const e = classifyHubSpotError(apiException(400, body), { operation: 'writeBack(deal 1) properties' });
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).field).toBe('firstname');
    expect(e.message).toContain('"A value for firstname must be provided" [property firstname]');
    expect(e.message).toContain('validation rule of the HubSpot portal (400 MISSING_REQUIRED_PROPERTY)');
  });
});
