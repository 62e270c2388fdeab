// The admin page's connector table reads the shared circuit breaker: a Jira that keeps failing shows its
// circuit open (and when calls resume) while the other systems stay closed; dry-run connectors have none.
// /api/dashboard/admin serves the same view as JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, TEST_API_TOKEN, type Harness } from '../../helpers/baton-harness.js';
import { DashboardClient, USERS, usersEnv } from './dashboard-client.js';
import { RetryableError } from '../../../src/handoff/errors.js';

describe('admin: connector circuits', () => {
  let b: Harness;
  beforeAll(async () => {
    b = await startBaton({
      workers: false,
      env: {
        BATON_USERS: await usersEnv(),
        BATON_SESSION_SECRET: 'x'.repeat(40),
        // Live Jira (nothing listens there: the test drives the breaker directly); the rest dry-run.
        JIRA_BASE_URL: 'http://127.0.0.1:9',
        JIRA_EMAIL: 'bot@baton.example',
        JIRA_API_TOKEN: 'jira-token-for-the-test',
        BATON_CIRCUIT_FAILURES: '3',
        BATON_CIRCUIT_OPEN_SECONDS: '60',
      },
    });
  });
  afterAll(async () => {
    await b?.close();
  });

  const jiraRow = (page: string) => /<tr><th scope="row">Delivery work<\/th><td>jira<\/td>[\s\S]*?<\/tr>/.exec(page)![0];

  it('shows closed, then failures in a row, then open with when calls resume', async () => {
    const admin = new DashboardClient(b.url);
    expect((await admin.login(USERS.admin.name, USERS.admin.password)).status).toBe(303);
    expect(jiraRow((await admin.get('/admin')).text)).toContain('<span class="badge ok">closed</span>');

    const down = () => b.rt.connectors.breaker.run('jira', () => Promise.reject(new RetryableError('Jira answered 503', 'jira')));
    await expect(down()).rejects.toThrow('503');
    expect(jiraRow((await admin.get('/admin')).text)).toContain('1 failure in a row');
    await expect(down()).rejects.toThrow('503');
    await expect(down()).rejects.toThrow('503');

    const page = (await admin.get('/admin')).text;
    expect(jiraRow(page)).toContain('<span class="badge bad">open</span>');
    expect(jiraRow(page)).toMatch(/calls resume in (59|60) s/);
    // Slack and HubSpot run dry here: no circuit to show.
    expect(/<tr><th scope="row">Client intro<\/th>[\s\S]*?<\/tr>/.exec(page)![0]).not.toMatch(/badge (ok|bad)">(closed|open)/);

    // The same as JSON, for other tools: bearer token only.
    expect((await fetch(`${b.url}/api/dashboard/admin`)).status).toBe(401);
    const api = (await (await fetch(`${b.url}/api/dashboard/admin`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).json()) as {
      connectors: { system: string; role: string; mode: string; circuit: { state: string; failures: number } | null }[];
      mappings: { name: string; tool: string }[];
      failed: unknown[];
    };
    expect(api.connectors.find((c) => c.system === 'jira')).toMatchObject({ mode: 'live', circuit: { state: 'open', failures: 3 } });
    expect(api.connectors.find((c) => c.role === 'Client intro')).toMatchObject({ mode: 'dry-run', circuit: null });
    expect(api.mappings).toContainEqual({ name: 'services-onboarding', file: 'default.yaml', tool: 'jira' });
    expect(api.failed).toEqual([]);
  });
});
