// The Jira connector's pure parts: issue type choice, markers, user matching, payloads.
import { describe, expect, it } from 'vitest';
import { blocksLinkExists, type FoundIssue } from '../../../connectors/jira/find-marked-issues.js';
import { MAX_TASK_DESCRIPTION_TEXT, parentCreate, sharedLabels, summary, taskCreate, taskDescriptionAdf } from '../../../connectors/jira/issue-payloads.js';
import { jqlString, markerJql, taskIdFromLabels } from '../../../connectors/jira/markers.js';
import { projectStyle, resolveIssueTypes, type JiraProjectInfo } from '../../../connectors/jira/project-style.js';
import { pickUser } from '../../../connectors/jira/user-directory.js';
import { document, task, threeTaskPlan } from '../../integration/jira/jira-test-data.js';

const types = {
  epic: { id: '1', name: 'Epic', hierarchyLevel: 1, subtask: false },
  task: { id: '2', name: 'Task', hierarchyLevel: 0, subtask: false },
  sub: { id: '3', name: 'Task', hierarchyLevel: -1, subtask: true },
  feature: { id: '4', name: 'Feature', hierarchyLevel: 1, subtask: false },
};
const project = (style: JiraProjectInfo['style'], issueTypes = [types.sub, types.task, types.feature, types.epic]): JiraProjectInfo => ({ id: '1', key: 'DEL', style, issueTypes });

describe('project style and issue types', () => {
  it('reads style, falling back to simplified on old answers', () => {
    expect(projectStyle({ style: 'classic' })).toBe('company-managed');
    expect(projectStyle({ style: 'next-gen' })).toBe('team-managed');
    expect(projectStyle({ simplified: true })).toBe('team-managed');
    expect(projectStyle({})).toBe('company-managed');
  });

  it('company-managed: Epic by name (even when another level-1 type comes first); never a sub-task named Task', () => {
    expect(resolveIssueTypes(project('company-managed'))).toEqual({ ok: true, types: { parent: types.epic, task: types.task } });
  });

  it('team-managed: the level-1 type, preferring one named Epic, else whatever the project calls it', () => {
    expect(resolveIssueTypes(project('team-managed'))).toMatchObject({ ok: true, types: { parent: types.epic } });
    expect(resolveIssueTypes(project('team-managed', [types.task, types.feature]))).toMatchObject({ ok: true, types: { parent: types.feature } });
  });

  it('explicit names win, and missing ones are listed', () => {
    expect(resolveIssueTypes(project('company-managed'), { parent: 'feature' })).toMatchObject({ ok: true, types: { parent: types.feature } });
    expect(resolveIssueTypes(project('company-managed', [types.task]), { task: 'Story' })).toEqual({
      ok: false,
      missing: [{ role: 'parent', name: 'Epic' }, { role: 'task', name: 'Story' }],
    });
  });
});

describe('markers', () => {
  it('quotes JQL strings and escapes quotes and backslashes', () => {
    expect(jqlString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(markerJql('DEL', 'h-1')).toBe('project = "DEL" AND labels = "baton-h-1"');
  });

  it('tells tasks from the parent by the task label', () => {
    expect(taskIdFromLabels(['baton-h', 'baton-task-kickoff', 'x'])).toBe('kickoff');
    expect(taskIdFromLabels(['baton-h', 'x'])).toBeNull();
  });

  it('finds an existing Blocks link from either side, in the FACTS direction only', () => {
    const blocked: FoundIssue = { id: '2', key: 'DEL-2', taskId: 'b', links: [{ type: 'Blocks', inwardKey: 'DEL-1' }] };
    const blocker: FoundIssue = { id: '1', key: 'DEL-1', taskId: 'a', links: [{ type: 'Blocks', outwardKey: 'DEL-3' }] };
    expect(blocksLinkExists([blocked], 'DEL-1', 'DEL-2')).toBe(true);
    expect(blocksLinkExists([blocked], 'DEL-2', 'DEL-1')).toBe(false);
    expect(blocksLinkExists([blocker], 'DEL-1', 'DEL-3')).toBe(true);
    expect(blocksLinkExists([{ ...blocked, links: [{ type: 'Relates', inwardKey: 'DEL-1' }] }], 'DEL-1', 'DEL-2')).toBe(false);
  });
});

describe('pickUser', () => {
  const u = (accountId: string, emailAddress?: string, extra = {}) => ({ accountId, accountType: 'atlassian', active: true, ...(emailAddress ? { emailAddress } : {}), ...extra });
  it('exact email match, case-insensitive, among prefix matches', () => {
    expect(pickUser('Dana@Example.com', [u('x', 'dana@example.com.au'), u('y', 'dana@example.com')])).toBe('y');
  });
  it('ignores inactive users and apps', () => {
    expect(pickUser('d@e.com', [u('x', 'd@e.com', { active: false })])).toBeNull();
    expect(pickUser('d@e.com', [u('x', 'd@e.com', { accountType: 'app' })])).toBeNull();
  });
  it('a single hidden-email result stands in; several do not; a visible different email does not', () => {
    expect(pickUser('d@e.com', [u('x')])).toBe('x');
    expect(pickUser('d@e.com', [u('x'), u('y')])).toBeNull();
    expect(pickUser('d@e.com', [u('x', 'other@e.com')])).toBeNull();
  });
});

describe('payloads', () => {
  it('summaries are one line and at most 255 characters', () => {
    expect(summary('a\nb\t c', 'f')).toBe('a b c');
    expect(summary('  ', 'fallback')).toBe('fallback');
    expect(summary('x'.repeat(300), 'f')).toHaveLength(255);
  });

  it('the parent carries the labels every task shares (the mapping\'s work labels)', () => {
    const plan = threeTaskPlan();
    expect(sharedLabels(plan)).toEqual(['handoff']);
    const p = parentCreate({ projectKey: 'DEL', issueTypeId: '1', plan, document, handoffId: 'h', mapping: 'm' });
    expect(p.fields.labels).toEqual(['baton-h', 'handoff']);
  });

  it("a mapping's custom field cannot override Baton's own fields", () => {
    const t = task('kickoff', { fields: { summary: 'hijack', labels: ['x'], customfield_1: 'ok' } });
    const p = taskCreate({ projectKey: 'DEL', issueTypeId: '2', task: t, parent: { key: 'DEL-1', url: 'u' }, accountId: null, handoffId: 'h', mapping: 'm' });
    expect(p.fields.summary).toBe('Task kickoff');
    expect(p.fields.labels).toEqual(['baton-h', 'baton-task-kickoff', 'handoff']);
    expect(p.fields.customfield_1).toBe('ok');
    expect(p.fields).not.toHaveProperty('assignee');
  });

  it('omits duedate when the task has none', () => {
    const p = taskCreate({ projectKey: 'DEL', issueTypeId: '2', task: task('t', { dueDate: null }), parent: { key: 'DEL-1', url: 'u' }, accountId: 'a', handoffId: 'h', mapping: 'm' });
    expect(p.fields).not.toHaveProperty('duedate');
    expect(p.fields.assignee).toEqual({ accountId: 'a' });
  });

  it('task descriptions: paragraphs and hard breaks of text nodes, control characters dropped, long text cut without splitting emoji', () => {
    const adf = taskDescriptionAdf('line 1\nline\u0007 2\n\npara 2', { key: 'DEL-1', url: 'http://x/browse/DEL-1' });
    expect(adf.content?.[0]).toEqual({ type: 'paragraph', content: [{ type: 'text', text: 'line 1' }, { type: 'hardBreak' }, { type: 'text', text: 'line 2' }] });
    expect(adf.content?.[1]).toEqual({ type: 'paragraph', content: [{ type: 'text', text: 'para 2' }] });
    const long = 'a'.repeat(MAX_TASK_DESCRIPTION_TEXT - 1) + '🚀' + 'b'.repeat(10);
    const cut = taskDescriptionAdf(long, { key: 'DEL-1', url: 'u' });
    const text = cut.content?.[0]?.content?.[0]?.text ?? '';
    expect(text.endsWith('a… (truncated)')).toBe(true);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
