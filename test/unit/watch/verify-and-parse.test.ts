// Inbound checks and payload normalisation of the watching work, against published vectors and fixtures.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackRequest } from '../../../connectors/slack/verify-request.js';
import { signJiraWebhook, verifyJiraSignature } from '../../../connectors/jira/verify-webhook.js';
import { parseJiraWebhook, JiraWebhookShapeError } from '../../../connectors/jira/parse-webhook.js';
import { parseAsanaEvents, signAsanaWebhook, verifyAsanaSignature } from '../../../connectors/asana/verify-webhook.js';
import { jiraCategory } from '../../../connectors/jira/read-task-status.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/watch/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('Slack v0 request signatures', () => {
  // Slack's documented example (FACTS §3), recomputed and matching.
  const vector = {
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    ts: '1531420618',
    body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    sig: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  };
  const at = (offsetS: number) => (Number(vector.ts) + offsetS) * 1000;

  it("accepts Slack's documented example", () => {
    expect(verifySlackRequest({ rawBody: Buffer.from(vector.body), signature: vector.sig, timestamp: vector.ts, signingSecret: vector.secret, nowMs: at(10) })).toEqual({ ok: true });
    expect(signSlackRequest(vector.body, vector.secret, at(0))).toEqual({ 'x-slack-signature': vector.sig, 'x-slack-request-timestamp': vector.ts });
  });

  it('refuses outside the 5-minute window (both ways), a changed body, a wrong secret, missing headers', () => {
    const base = { rawBody: Buffer.from(vector.body), signature: vector.sig, timestamp: vector.ts, signingSecret: vector.secret };
    expect(verifySlackRequest({ ...base, nowMs: at(300) }).ok).toBe(true);
    expect(verifySlackRequest({ ...base, nowMs: at(301) })).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifySlackRequest({ ...base, nowMs: at(-301) })).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifySlackRequest({ ...base, rawBody: Buffer.from(vector.body + '&x=1'), nowMs: at(0) })).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifySlackRequest({ ...base, signingSecret: 'other', nowMs: at(0) })).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifySlackRequest({ ...base, signature: undefined, nowMs: at(0) }).ok).toBe(false);
    expect(verifySlackRequest({ ...base, timestamp: 'soon', nowMs: at(0) }).ok).toBe(false);
    expect(verifySlackRequest({ ...base, signature: 'v0=abc', nowMs: at(0) })).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifySlackRequest({ ...base, signingSecret: '', nowMs: at(0) }).ok).toBe(false);
  });
});

describe('Jira webhooks', () => {
  const body = JSON.stringify(fixture('jira-issue-updated.json'));

  it('X-Hub-Signature: sha256=<hex HMAC of the raw body>', () => {
    const sig = signJiraWebhook(body, 's3cret');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyJiraSignature(Buffer.from(body), sig, 's3cret')).toEqual({ ok: true });
    expect(verifyJiraSignature(Buffer.from(body), sig.toUpperCase().replace('SHA256', 'sha256'), 's3cret')).toEqual({ ok: true });
    expect(verifyJiraSignature(Buffer.from(body + ' '), sig, 's3cret').ok).toBe(false);
    expect(verifyJiraSignature(Buffer.from(body), sig, 'other').ok).toBe(false);
    expect(verifyJiraSignature(Buffer.from(body), sig.replace('sha256', 'sha1'), 's3cret').ok).toBe(false);
    expect(verifyJiraSignature(Buffer.from(body), undefined, 's3cret').ok).toBe(false);
    expect(verifyJiraSignature(Buffer.from(body), sig, '').ok).toBe(false);
  });

  it('normalises the fixture deliveries: status category, not status names', () => {
    expect(parseJiraWebhook(fixture('jira-issue-updated.json'))).toMatchObject({
      kind: 'updated',
      timestamp: 1485797534721,
      issueId: '10000',
      issueKey: 'TEST-1',
      statusName: 'In Progress',
      category: 'in_progress',
      assignee: null,
      changed: ['status'],
      taskId: null,
    });
    // An old server payload without statusCategory: the category is unknown, never guessed from "Open".
    expect(parseJiraWebhook(fixture('jira-issue-created.json'))).toMatchObject({ kind: 'created', issueId: '10400', issueKey: 'BUG-15', statusName: 'Open', category: 'unknown' });
  });

  it("reads Baton's task marker label and ignores other events; rejects non-Jira bodies", () => {
    const withLabels = { ...fixture('jira-issue-updated.json') } as { issue: { fields: Record<string, unknown> } };
    withLabels.issue = { ...withLabels.issue, fields: { ...withLabels.issue.fields, labels: ['baton', 'baton-task-kickoff'], duedate: '2026-12-01' } };
    expect(parseJiraWebhook(withLabels)).toMatchObject({ taskId: 'kickoff', dueDate: '2026-12-01' });
    expect(parseJiraWebhook({ webhookEvent: 'comment_created' })).toBeNull();
    expect(() => parseJiraWebhook({ hello: 1 })).toThrow(JiraWebhookShapeError);
    expect(() => parseJiraWebhook({ webhookEvent: 'jira:issue_updated', issue: {} })).toThrow(/issue.id/);
    expect([jiraCategory('new'), jiraCategory('indeterminate'), jiraCategory('done'), jiraCategory('undefined')]).toEqual(['todo', 'in_progress', 'done', 'unknown']);
  });
});

describe('Asana webhooks', () => {
  it('X-Hook-Signature against any kept secret, hex HMAC-SHA256 of the raw body', () => {
    const body = '{"events":[]}';
    const sig = signAsanaWebhook(body, 'secret-b');
    expect(verifyAsanaSignature(Buffer.from(body), sig, ['secret-a', 'secret-b'])).toBe(true);
    expect(verifyAsanaSignature(Buffer.from(body), sig, ['secret-a'])).toBe(false);
    expect(verifyAsanaSignature(Buffer.from(body), sig, [])).toBe(false);
    expect(verifyAsanaSignature(Buffer.from(body), 'zz', ['secret-b'])).toBe(false);
    expect(verifyAsanaSignature(Buffer.from(body), undefined, ['secret-b'])).toBe(false);
  });

  it('keeps task events only', () => {
    expect(
      parseAsanaEvents({
        events: [
          { action: 'changed', resource: { gid: '1', resource_type: 'task' }, change: { field: 'completed' }, created_at: '2026-01-01T00:00:00Z' },
          { action: 'added', resource: { gid: '2', resource_type: 'story' } },
          'junk',
        ],
      }),
    ).toEqual([{ taskGid: '1', action: 'changed', field: 'completed', createdAt: '2026-01-01T00:00:00Z' }]);
    expect(parseAsanaEvents({})).toEqual([]);
  });
});
