import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../connectors/common/http-failure.js';
import {
  asanaMessage,
  classifyAsanaError,
  describeAsanaFailure,
  fieldFromMessage,
} from '../../../connectors/asana/classify-error.js';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';

const ctx = { operation: 'creating task "kickoff"', mapping: 'onboarding', target: 'template:123', secrets: ['secret-token-1234'] };
const NOW = Date.parse('2025-08-20T10:00:00Z');

/** What superagent (inside the asana v3 SDK) rejects with on an HTTP error. */
function httpError(status: number, body: unknown, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`HTTP ${status}`), { status, response: { status, body, headers, text: JSON.stringify(body) } });
}
const errors = (message: string) => ({ errors: [{ message, help: 'https://developers.asana.com/docs/errors' }] });

describe('describeAsanaFailure', () => {
  it('reads status, lower-cased headers and the JSON error body', () => {
    const f = describeAsanaFailure(httpError(429, errors('slow down'), { 'Retry-After': '30' }));
    expect(f).toEqual({ status: 429, headers: { 'retry-after': '30' }, body: errors('slow down') });
  });

  it('falls back to the raw text when the body was not JSON', () => {
    const e = Object.assign(new Error('x'), { status: 502, response: { status: 502, body: {}, text: '<html>Bad gateway</html>', headers: {} } });
    expect(describeAsanaFailure(e).body).toBe('<html>Bad gateway</html>');
  });

  it('recognises superagent timeouts and socket errors', () => {
    expect(describeAsanaFailure(Object.assign(new Error('Timeout of 100ms exceeded'), { timeout: 100, code: 'ECONNABORTED' })).timedOut).toBe(true);
    expect(describeAsanaFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).networkCode).toBe('ECONNRESET');
  });
});

describe('classifyAsanaError', () => {
  it('429 → Retryable with Retry-After seconds in ms; 1 s when Asana gave none', () => {
    const e = classifyAsanaError(httpError(429, errors("You've made too many requests"), { 'retry-after': '12' }), ctx, NOW) as RetryableError;
    expect(e).toBeInstanceOf(RetryableError);
    expect(e.retryAfterMs).toBe(12_000);
    expect((classifyAsanaError(httpError(429, {}), ctx, NOW) as RetryableError).retryAfterMs).toBe(1_000);
    expect((classifyAsanaError(httpError(429, {}, { 'retry-after': '999999' }), ctx, NOW) as RetryableError).retryAfterMs).toBe(3_600_000);
  });

  it('5xx, timeouts and network errors → Retryable', () => {
    expect(classifyAsanaError(httpError(500, errors('Server Error')), ctx)).toBeInstanceOf(RetryableError);
    expect(classifyAsanaError(httpError(503, {}), ctx)).toBeInstanceOf(RetryableError);
    const t = classifyAsanaError(Object.assign(new Error('Timeout'), { timeout: 100, code: 'ECONNABORTED' }), ctx);
    expect(t).toBeInstanceOf(RetryableError);
    expect(t.message).toContain('timeout');
    expect(classifyAsanaError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), ctx)).toBeInstanceOf(RetryableError);
  });

  it('400 → Permanent with Asana\'s errors[0].message, the operation, the mapping and the field', () => {
    const e = classifyAsanaError(httpError(400, errors('due_on: Invalid date: 2025-13-01')), ctx) as PermanentError;
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.field).toBe('due_on');
    expect(e.message).toBe('Asana creating task "kickoff" (mapping "onboarding"): request rejected (400): due_on: Invalid date: 2025-13-01 [field due_on]');
  });

  it('402 → Permanent that says a paid plan is needed and what to change instead', () => {
    const e = classifyAsanaError(httpError(402, errors('This feature is only available to premium users of Asana.')), ctx) as PermanentError;
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toContain('needs a paid Asana plan (402)');
    expect(e.message).toContain('work.project (template:123)');
    expect(e.field).toBe('work.project');
  });

  it('403 and 404 → Permanent naming the mapping target', () => {
    const f = classifyAsanaError(httpError(403, errors('You do not have access to this project')), ctx) as PermanentError;
    expect(f).toBeInstanceOf(PermanentError);
    expect(f.message).toContain('access denied (403): You do not have access to this project');
    expect(f.message).toContain('"template:123"');
    const n = classifyAsanaError(httpError(404, errors('Unknown object: 123')), ctx) as PermanentError;
    expect(n.message).toContain('not found (404): Unknown object: 123');
  });

  it('401 → Permanent naming ASANA_ACCESS_TOKEN; secrets never appear in any message', () => {
    const e = classifyAsanaError(httpError(401, errors('Not Authorized secret-token-1234')), ctx) as PermanentError;
    expect(e.field).toBe('ASANA_ACCESS_TOKEN');
    const r = classifyAsanaError(httpError(500, errors('boom secret-token-1234')), ctx);
    expect(r.message).not.toContain('secret-token-1234');
    expect(r.message).toContain('[redacted]');
  });

  it('passes already-classified errors through unchanged', () => {
    const original = new PermanentError('x', 'asana');
    expect(classifyAsanaError(original, ctx)).toBe(original);
  });
});

describe('helpers', () => {
  it('fieldFromMessage reads Asana\'s "field: message" prefix only', () => {
    expect(fieldFromMessage('assignee: Not a recognized ID: a@b.c')).toBe('assignee');
    expect(fieldFromMessage('external.gid: Too long')).toBe('external.gid');
    expect(fieldFromMessage('You may only provide one of due_on or due_at!')).toBeUndefined();
  });

  it('asanaMessage and parseRetryAfter', () => {
    expect(asanaMessage(errors('m'))).toBe('m');
    expect(asanaMessage({})).toBe('');
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter('Wed, 20 Aug 2025 10:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});
