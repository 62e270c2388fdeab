import { AxiosError, AxiosHeaders } from 'axios';
import { HttpException } from 'jira.js';
import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../../src/handoff/errors.js';
import {
  classifyBulkElementError,
  classifyJiraError,
  classifyJiraFailure,
  describeJiraFailure,
  retryAfterMs,
} from '../../../connectors/jira/classify-error.js';

const ctx = { operation: 'create task kickoff in DEL', mapping: 'services-onboarding', taskId: 'kickoff', project: 'DEL', permission: 'Create issues' };

/** What jira.js v5 throws for an HTTP error answer: an HttpException whose cause is the AxiosError. */
function httpError(status: number, data: unknown, headers: Record<string, string> = {}) {
  const response = { status, statusText: '', data, headers: new AxiosHeaders(headers), config: { headers: new AxiosHeaders() } };
  const axiosErr = new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_REQUEST', undefined, undefined, response as never);
  return new HttpException({ code: axiosErr.code, message: axiosErr.message, data, status, statusText: '' }, status, { cause: axiosErr });
}

describe('describeJiraFailure', () => {
  it('reads status, body and lower-cased headers from a jira.js HttpException', () => {
    const f = describeJiraFailure(httpError(429, { errorMessages: ['slow down'] }, { 'Retry-After': '3' }));
    expect(f).toEqual({ status: 429, headers: expect.objectContaining({ 'retry-after': '3' }), body: { errorMessages: ['slow down'] } });
  });

  it('reads a timeout and a network error from a bare AxiosError', () => {
    expect(describeJiraFailure(new AxiosError('timeout of 100ms exceeded', 'ECONNABORTED'))).toMatchObject({ timedOut: true, networkCode: 'ECONNABORTED' });
    expect(describeJiraFailure(new AxiosError('read ECONNRESET', 'ECONNRESET'))).toEqual({ networkCode: 'ECONNRESET' });
  });
});

describe('classifyJiraError', () => {
  it('429: retryable with Retry-After seconds as ms', () => {
    const e = classifyJiraError(httpError(429, {}, { 'retry-after': '12' }), ctx);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(12_000);
  });

  it('429 without Retry-After uses X-RateLimit-Reset, else leaves the delay to the queue backoff', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(retryAfterMs({ 'x-ratelimit-reset': '2026-03-01T10:01Z' }, now)).toBe(60_000);
    const e = classifyJiraError(httpError(429, {}), ctx);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBeUndefined();
  });

  it('caps a huge Retry-After at one hour and reads HTTP dates', () => {
    expect(retryAfterMs({ 'retry-after': '999999' }, 0)).toBe(3_600_000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30_000);
  });

  it('5xx: retryable, honouring a Retry-After on 503', () => {
    const e = classifyJiraError(httpError(503, { errorMessages: ['maintenance'] }, { 'retry-after': '2' }), ctx);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterMs).toBe(2_000);
    expect(e.message).toBe('mapping services-onboarding, task kickoff: Jira answered 503 to create task kickoff in DEL (maintenance); will retry');
  });

  it('400 with a field error: permanent, names mapping, task and field', () => {
    const e = classifyJiraError(httpError(400, { errorMessages: [], errors: { customfield_10020: 'Field is required.' } }), ctx);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).field).toBe('customfield_10020');
    expect(e.message).toBe(
      "mapping services-onboarding, task kickoff: Jira field customfield_10020 is required (Field is required.): set it in the mapping's task fields, or make it optional in Jira",
    );
  });

  it('400 with errorMessages only: permanent with Jira words; an issue type problem names the issuetype field', () => {
    const e = classifyJiraError(httpError(400, { errorMessages: ['The issue type selected is invalid.'], errors: {} }), ctx);
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toContain('Jira rejected create task kickoff in DEL (400): The issue type selected is invalid.');
    expect((e as PermanentError).field).toBe('issuetype');
  });

  it('401 and 403 name the env settings and the permission, never the secret', () => {
    const secret = 'super-secret-token-value';
    const e401 = classifyJiraError(httpError(401, `token ${secret} rejected`), { ...ctx, secrets: [secret] });
    expect(e401).toBeInstanceOf(PermanentError);
    expect(e401.message).toContain('JIRA_API_TOKEN');
    expect(e401.message).not.toContain(secret);
    const e403 = classifyJiraError(httpError(403, { errorMessages: [`no ${secret}`] }), { ...ctx, secrets: [secret] });
    expect(e403.message).toContain('Give the JIRA_EMAIL user the "Create issues" permission in project DEL');
    expect(e403.message).not.toContain(secret);
    expect(String((e403 as Error).cause)).not.toContain(secret);
  });

  it('404 uses the caller\'s message when it knows what is missing', () => {
    const e = classifyJiraError(httpError(404, {}), { operation: 'read project DEL', notFound: 'Jira project DEL not found or not visible to JIRA_EMAIL' });
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.message).toBe('Jira project DEL not found or not visible to JIRA_EMAIL');
  });

  it('timeouts and network errors are retryable; unknown throwables too', () => {
    expect(classifyJiraError(new AxiosError('timeout of 100ms exceeded', 'ECONNABORTED'), ctx).message).toContain('in time (timeout)');
    expect(classifyJiraError(new AxiosError('x', 'ECONNREFUSED'), ctx)).toBeInstanceOf(RetryableError);
    expect(classifyJiraError(new Error('boom'), ctx)).toBeInstanceOf(RetryableError);
  });

  it('passes already classified errors through', () => {
    const p = new PermanentError('x', 'jira');
    expect(classifyJiraError(p, ctx)).toBe(p);
  });
});

describe('classifyBulkElementError', () => {
  it('a field error is permanent; a throttled or failed element is retryable', () => {
    const perm = classifyBulkElementError({ status: 400, elementErrors: { errorMessages: [], errors: { duedate: 'Error parsing date string: 2025-13-01' } } }, ctx);
    expect(perm).toBeInstanceOf(PermanentError);
    expect(perm.message).toBe('mapping services-onboarding, task kickoff: Jira rejected field duedate: Error parsing date string: 2025-13-01');
    expect(classifyBulkElementError({ status: 429, elementErrors: {} }, ctx)).toBeInstanceOf(RetryableError);
    expect(classifyBulkElementError({ status: 500, elementErrors: { errorMessages: ['oops'] } }, ctx)).toBeInstanceOf(RetryableError);
  });

  it('an HTML error page becomes a short one-line message', () => {
    const e = classifyJiraFailure({ status: 502, body: '<html><body><h1>Bad gateway</h1></body></html>' }, ctx);
    expect(e.message).toContain('(Bad gateway)');
  });
});
