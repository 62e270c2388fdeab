// The stand-ins' injected faults answer the way each real API (or the proxy in front of it) does: their own 5xx
// and 429 bodies with an integer Retry-After, stalls only the client's timeout ends, and slow or cut-off answers
// to work that was nevertheless done.
import { afterEach, describe, expect, it } from 'vitest';
import { STANDIN_EMAIL, STANDIN_TOKEN as JIRA_TOKEN, startJiraStandin } from './jira-standin.js';
import { STANDIN_TOKEN as SLACK_TOKEN, startSlackStandin } from './slack-standin.js';
import { STANDIN_TOKEN as ASANA_TOKEN, STANDIN_WORKSPACE, startAsanaStandin } from './asana-standin.js';
import { startHubSpotStandin } from './hubspot-standin.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const jiraAuth = { authorization: `Basic ${Buffer.from(`${STANDIN_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`, 'content-type': 'application/json' };
const epic = { fields: { project: { key: 'DEL' }, issuetype: { name: 'Epic' }, summary: 'Onboarding' } };

async function jira() {
  const s = await startJiraStandin();
  closers.push(() => s.close());
  const post = (signal?: AbortSignal) => fetch(`${s.url}/rest/api/3/issue`, { method: 'POST', headers: jiraAuth, body: JSON.stringify(epic), signal });
  return { s, post };
}

describe('stand-in faults', () => {
  it('error: Jira answers 500/503 with its errorMessages body and creates nothing; clear() heals it', async () => {
    const { s, post } = await jira();
    s.faults.inject({ kind: 'error' });
    const r500 = await post();
    expect(r500.status).toBe(500);
    expect(await r500.json()).toEqual({ errorMessages: ['Internal server error'], errors: {} });
    s.faults.clear();
    s.faults.inject({ kind: 'error', status: 503 }, { times: 1 });
    expect((await post()).status).toBe(503);
    expect(s.state.issues).toHaveLength(0);
    expect((await post()).status).toBe(201);
    expect(s.faults.count('error')).toBe(2);
  });

  it('rate-limit: 429 with an integer Retry-After and the API body, counted like the built-in limit', async () => {
    const { s, post } = await jira();
    s.faults.inject({ kind: 'rate-limit', retryAfterS: 7 }, { times: 2 });
    const r = await post();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(await r.json()).toMatchObject({ errorMessages: ['Rate limit exceeded.'] });
    await post();
    expect(s.state.count429).toBe(2);
    expect((await post()).status).toBe(201);
  });

  it('stall: the request is never answered, only the client gives up; match limits it to one endpoint', async () => {
    const { s, post } = await jira();
    s.faults.inject({ kind: 'stall' }, { match: /^POST \/rest\/api\/3\/issue$/ });
    const err = await post(AbortSignal.timeout(300)).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    const other = await fetch(`${s.url}/rest/api/3/project/DEL`, { headers: jiraAuth });
    expect(other.status).toBe(200);
    expect(s.state.issues).toHaveLength(0);
  });

  it('slow: the work is done at once, the answer comes later (a client that gave up still caused the effect)', async () => {
    const { s, post } = await jira();
    s.faults.inject({ kind: 'slow', ms: 600 }, { times: 1 });
    const err = await post(AbortSignal.timeout(200)).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(s.state.issues).toHaveLength(1);
  });

  it('malformed: same status and JSON content type, body cut in half; the work was done', async () => {
    const { s, post } = await jira();
    s.faults.inject({ kind: 'malformed' }, { times: 1 });
    const r = await post();
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    const text = await r.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(text.startsWith('{"id":"')).toBe(true);
    expect(s.state.issues).toHaveLength(1);
  });

  it('Slack, Asana and HubSpot answer faults with their own shapes', async () => {
    const slack = await startSlackStandin({ channels: [{ id: 'C1', name: 'client' }] });
    const asana = await startAsanaStandin();
    const hubspot = await startHubSpotStandin();
    closers.push(() => slack.close(), () => asana.close(), () => hubspot.close());

    slack.faults.inject({ kind: 'rate-limit', retryAfterS: 3 }, { match: /chat\.postMessage/, times: 1 });
    slack.faults.inject({ kind: 'malformed' }, { match: /chat\.postMessage/, times: 1 });
    const postSlack = () =>
      fetch(`${slack.url}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${SLACK_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'C1', text: 'hi' }) });
    const limited = await postSlack();
    expect([limited.status, limited.headers.get('retry-after'), await limited.json()]).toEqual([429, '3', { ok: false, error: 'ratelimited' }]);
    const cut = await postSlack();
    expect(cut.status).toBe(200);
    const cutText = await cut.text();
    expect(() => JSON.parse(cutText)).toThrow(SyntaxError);
    expect(cutText.startsWith('{"ok":true')).toBe(true);
    expect(slack.state.messages).toHaveLength(1); // posted although the answer was garbled

    asana.faults.inject({ kind: 'error' }, { times: 1 });
    const a = await fetch(`${asana.url}/workspaces/${STANDIN_WORKSPACE}`, { headers: { authorization: `Bearer ${ASANA_TOKEN}` } });
    expect(a.status).toBe(500);
    expect(await a.json()).toMatchObject({ errors: [{ message: 'Server Error' }] });

    hubspot.faults.inject({ kind: 'rate-limit', retryAfterS: 2 }, { match: /deals/, times: 1 });
    const h = await fetch(`${hubspot.url}/crm/v3/objects/deals/1`, { headers: { authorization: `Bearer ${hubspot.accessToken}` } });
    expect(h.status).toBe(429);
    expect(h.headers.get('retry-after')).toBe('2');
    expect(await h.json()).toMatchObject({ status: 'error', policyName: 'TEN_SECONDLY_ROLLING' });
  });
});
