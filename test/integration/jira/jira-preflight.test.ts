// `baton validate --live` for Jira: nock answers as Jira would; each problem comes back with its fix.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unlimited } from '../../../connectors/common/rate-limiter.js';
import { createJiraWorkTool } from '../../../connectors/jira/jira-work-tool.js';

const BASE = 'http://jira.test';
const tool = () => createJiraWorkTool({ baseUrl: BASE, email: 'baton@example.com', apiToken: 'tok-0000-1111', limiter: unlimited, requestsPerSecond: 10, timeoutMs: 2_000 });

const PROJECT = {
  id: '10000',
  key: 'DEL',
  style: 'classic',
  issueTypes: [
    { id: '10002', name: 'Task', hierarchyLevel: 0, subtask: false },
    { id: '10001', name: 'Epic', hierarchyLevel: 1, subtask: false },
  ],
};
const f = (fieldId: string, required = false, extra: Record<string, unknown> = {}) => ({ fieldId, key: fieldId, name: `Name of ${fieldId}`, required, operations: ['set'], ...extra });
const TASK_SCREEN = [f('project', true), f('issuetype', true), f('summary', true), f('description'), f('labels'), f('duedate'), f('assignee'), f('parent'), f('reporter', true, { hasDefaultValue: true })];
const EPIC_SCREEN = [f('project', true), f('issuetype', true), f('summary', true), f('description'), f('labels')];
const REQ = { mapping: 'services-onboarding', project: 'DEL', fields: ['customfield_10020'], emails: ['dana@example.com'] };

function meta(scope: nock.Scope, typeId: string, fields: unknown[]) {
  return scope.get(`/rest/api/3/issue/createmeta/DEL/issuetypes/${typeId}`).query(true).reply(200, { startAt: 0, maxResults: 200, total: fields.length, fields });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked Jira call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('preflight', () => {
  it('reports nothing when the project, types, screens and people are all fine', async () => {
    const scope = nock(BASE).get('/rest/api/3/project/DEL').query(true).reply(200, PROJECT);
    meta(scope, '10002', [...TASK_SCREEN, f('customfield_10020')]);
    meta(scope, '10001', EPIC_SCREEN);
    scope.get('/rest/api/3/user/search').query({ query: 'dana@example.com', maxResults: '50' }).reply(200, [{ accountId: 'a', emailAddress: 'dana@example.com', active: true }]);
    expect(await tool().preflight(REQ)).toEqual([]);
  });

  it('names required fields the mapping does not set, fields not on the screen, and unknown people, each with a fix', async () => {
    const scope = nock(BASE).get('/rest/api/3/project/DEL').query(true).reply(200, PROJECT);
    // customfield_10030 is required and unset; customfield_10020 (set by the mapping) is not on the screen; no due date field.
    meta(scope, '10002', [...TASK_SCREEN.filter((x) => x.fieldId !== 'duedate'), f('customfield_10030', true), f('customfield_10040', true, { hasDefaultValue: true })]);
    meta(scope, '10001', [...EPIC_SCREEN, f('customfield_10011', true)]);
    scope.get('/rest/api/3/user/search').query({ query: 'dana@example.com', maxResults: '50' }).reply(200, []);
    const problems = await tool().preflight(REQ);
    expect(problems).toEqual([
      {
        problem: 'mapping services-onboarding: Jira field customfield_10030 (Name of customfield_10030) is required to create Task issues in DEL, and the mapping does not set it',
        fix: "add customfield_10030 to the mapping's task fields, or remove it from the create screen",
      },
      {
        problem: 'mapping services-onboarding: the mapping sets Jira field customfield_10020, which is not on the Task create screen in DEL',
        fix: "add customfield_10020 to the create screen of DEL, or remove it from the mapping's task fields",
      },
      {
        problem: 'mapping services-onboarding: Jira field duedate is not on the Task create screen in DEL (Baton sets it on every task)',
        fix: 'add duedate to the create screen of DEL',
      },
      {
        problem:
          'mapping services-onboarding: Jira field customfield_10011 (Name of customfield_10011) is required to create Epic issues in DEL; Baton sets only summary, description and labels on the parent',
        fix: 'make customfield_10011 optional (or give it a default) for Epic in DEL',
      },
      {
        problem: 'mapping services-onboarding: no Jira user for dana@example.com (their tasks would be left unassigned)',
        fix: expect.stringContaining('invite dana@example.com to Jira'),
      },
    ]);
  });

  it('pages through createmeta', async () => {
    const scope = nock(BASE).get('/rest/api/3/project/DEL').query(true).reply(200, PROJECT);
    const all = [...TASK_SCREEN, f('customfield_10020'), f('customfield_10030', true)];
    scope.get('/rest/api/3/issue/createmeta/DEL/issuetypes/10002').query({ startAt: '0', maxResults: '200' }).reply(200, { startAt: 0, maxResults: 5, total: all.length, fields: all.slice(0, 5) });
    scope.get('/rest/api/3/issue/createmeta/DEL/issuetypes/10002').query({ startAt: '5', maxResults: '200' }).reply(200, { startAt: 5, maxResults: 5, total: all.length, fields: all.slice(5) });
    meta(scope, '10001', EPIC_SCREEN);
    const problems = await tool().preflight({ ...REQ, emails: [] });
    expect(problems.map((p) => p.problem)).toEqual([expect.stringContaining('customfield_10030')]);
  });

  it('a missing project is one problem, and nothing else is checked', async () => {
    nock(BASE).get('/rest/api/3/project/DEL').query(true).reply(404, { errorMessages: ["No project could be found with key 'DEL'."], errors: {} });
    const problems = await tool().preflight(REQ);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.problem).toContain('Jira project DEL not found or not visible to JIRA_EMAIL');
  });

  it('names issue types the project lacks', async () => {
    nock(BASE).get('/rest/api/3/project/DEL').query(true).reply(200, PROJECT);
    const problems = await tool().preflight({ ...REQ, taskIssueType: 'Story', emails: [] });
    expect(problems).toEqual([
      {
        problem: 'mapping services-onboarding: Jira project DEL has no issue type "Story" for the task (available: Task, Epic)',
        fix: 'add "Story" to the issue type scheme of DEL, or use another project',
      },
    ]);
  });
});
