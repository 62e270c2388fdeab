import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import { classifySlackError } from '../../../connectors/slack/classify-error.js';

const TOKEN = 'xoxb-1111-2222-secret';
const ctx = { operation: 'chat.postMessage', channel: 'C123', scopes: ['chat:write'], secrets: [TOKEN], timeoutMs: 5000 };
const platform = (error: string, extra: Record<string, unknown> = {}) =>
  new WebAPIPlatformError({ ok: false, error, response_metadata: {}, ...extra } as ConstructorParameters<typeof WebAPIPlatformError>[0]);

describe('classifySlackError', () => {
  it('429 (rejectRateLimitedCalls) → RetryableError with Retry-After in ms', () => {
    const e = classifySlackError(new WebAPIRateLimitedError(7), ctx);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(7000);
    expect(e.message).toContain('rate limited');
  });

  it('a Retry-After of 0 still waits one second; ok:false ratelimited uses the header WebClient copied', () => {
    expect((classifySlackError(new WebAPIRateLimitedError(0), ctx) as RetryableError).retryAfterMs).toBe(1000);
    const e = classifySlackError(platform('ratelimited', { response_metadata: { retryAfter: 3 } }), ctx);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(3000);
  });

  it('not_in_channel → permanent, tells the admin to invite the app', () => {
    const e = classifySlackError(platform('not_in_channel'), ctx);
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toContain('the Baton app is not in channel C123: invite it with /invite @Baton');
    expect((e as PermanentError).field).toBe('channel');
  });

  it('channel_not_found → permanent naming the deal property', () => {
    const e = classifySlackError(platform('channel_not_found'), ctx);
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toContain('channel C123 not found: check baton_client_slack_channel on the deal or the mapping');
  });

  it.each(['is_archived', 'msg_too_long', 'invalid_blocks', 'thread_not_found', 'cannot_reply_to_message'])('%s → permanent', (code) => {
    const e = classifySlackError(platform(code), ctx);
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toMatch(/^Slack chat\.postMessage: /);
  });

  it.each(['invalid_auth', 'not_authed', 'token_revoked'])('%s → permanent naming SLACK_BOT_TOKEN, never the token', (code) => {
    const e = classifySlackError(platform(code), { ...ctx, operation: `chat.postMessage with ${TOKEN}` });
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toContain('SLACK_BOT_TOKEN');
    expect(e.message).toContain(code);
    expect(e.message).not.toContain(TOKEN);
    expect((e as PermanentError).field).toBe('SLACK_BOT_TOKEN');
  });

  it('missing_scope names the scope Slack says is needed, else the method’s scopes', () => {
    const named = classifySlackError(platform('missing_scope', { needed: 'users:read.email', provided: 'chat:write' }), ctx);
    expect(named).toBeInstanceOf(PermanentError);
    expect(named.message).toContain('lacks the scope users:read.email');
    expect(named.message).toContain('SLACK_BOT_TOKEN');
    const fallback = classifySlackError(platform('missing_scope'), { ...ctx, operation: 'conversations.history', scopes: ['channels:history', 'groups:history'] });
    expect(fallback.message).toContain('channels:history, groups:history');
  });

  it('5xx → retryable; other HTTP statuses → permanent', () => {
    expect(classifySlackError(new WebAPIHTTPError(503, 'Service Unavailable', {}, ''), ctx)).toBeInstanceOf(RetryableError);
    expect(classifySlackError(new WebAPIHTTPError(404, 'Not Found', {}, ''), ctx)).toBeInstanceOf(PermanentError);
  });

  it('internal_error / service_unavailable → retryable', () => {
    expect(classifySlackError(platform('internal_error'), ctx)).toBeInstanceOf(RetryableError);
    expect(classifySlackError(platform('service_unavailable'), ctx)).toBeInstanceOf(RetryableError);
  });

  it('timeouts and network errors → retryable with a readable message', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const t = classifySlackError(new WebAPIRequestError(timeout as unknown as Error), ctx);
    expect(t).toBeInstanceOf(RetryableError);
    expect(t.message).toContain('after 5000 ms (timeout)');
    const reset = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    const n = classifySlackError(new WebAPIRequestError(reset), ctx);
    expect(n).toBeInstanceOf(RetryableError);
    expect(n.message).toContain('ECONNRESET');
  });

  it('a 429 without a usable Retry-After (WebClient throws a plain Error) → retryable after 1 s', () => {
    const e = classifySlackError(new Error('Retry header did not contain a valid timeout (url: x, retry-after header: soon)'), ctx);
    expect((e as RetryableError).retryAfterMs).toBe(1000);
  });

  it('passes Baton errors through unchanged', () => {
    const p = new PermanentError('x', 'slack');
    expect(classifySlackError(p, ctx)).toBe(p);
  });
});
