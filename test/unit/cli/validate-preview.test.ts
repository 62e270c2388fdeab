import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../src/cli/validate-command.js';
import { previewCommand } from '../../../src/cli/preview-command.js';

function sink() {
  let text = '';
  const out = new Writable({
    write(c, _e, cb) {
      text += String(c);
      cb();
    },
  });
  return { out, text: () => text };
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('baton validate', () => {
  it('passes the shipped mappings', async () => {
    const s = sink();
    expect(await validateCommand('mappings', s.out)).toBe(0);
    expect(s.text()).toMatch(/ok .*default\.yaml: mapping services-onboarding/);
  });

  it('exits 1 and prints file:line:col for each error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-validate-'));
    dirs.push(dir);
    await copyFile('mappings/default.yaml', join(dir, 'a.yaml'));
    await writeFile(join(dir, 'broken.yaml'), 'name: broken\ntrigger:\n  crm: hubspot\n  stage: won\n  bogus: 1\n');
    const s = sink();
    expect(await validateCommand(dir, s.out)).toBe(1);
    expect(s.text()).toMatch(/broken\.yaml:5:3: trigger\.bogus: /);
    expect(s.text()).toMatch(/problem\(s\) in /);
  });
});

describe('baton preview', () => {
  it('prints the document, the task plan with owners and dates, and the intro, for a saved deal', async () => {
    const s = sink();
    const code = await previewCommand({ mapping: 'services-onboarding', deal: 'mappings/samples/1001.json', dir: 'mappings', closedAt: '2026-11-24T16:00:00Z' }, s.out);
    expect(code).toBe(0);
    const text = s.text();
    expect(text).toContain('== Document: complete ==');
    expect(text).toContain('Acme Corp');
    expect(text).toMatch(/kickoff: .*\n\s+owner project_lead <priya\.lead@baton\.example>; due 2026-12-\d\d; after review-doc/);
    expect(text).toContain('reply in thread 1763990000.000200');
    // The deal's `<!channel>` is escaped wherever Slack would read it; in Jira it is an ADF text node.
    const intro = text.slice(text.indexOf('== Intro'), text.indexOf('== Jira'));
    expect(intro).not.toContain('<!channel>');
    const slack = JSON.parse(text.slice(text.indexOf('{', text.indexOf('== Slack request'))));
    expect(slack.body).toMatchObject({ channel: 'C0ACMESHARED', thread_ts: '1763990000.000200', parse: 'none' });
    expect(slack.body.text).not.toContain('<!channel>');
    expect(text).toContain('"path": "/rest/api/3/issue/bulk"');
  });

  it('accepts a HubSpot workflow payload as the deal and shows what is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-preview-'));
    dirs.push(dir);
    const file = join(dir, 'wf.json');
    await writeFile(file, JSON.stringify({ portalId: 1, dealId: 9, properties: { dealname: { value: 'X', timestamp: 1 }, dealstage: { value: 'closedwon', timestamp: 1 } } }));
    const s = sink();
    expect(await previewCommand({ mapping: 'services-onboarding', deal: file, dir: 'mappings' }, s.out)).toBe(0);
    expect(s.text()).toMatch(/== Document: INCOMPLETE, missing .*Scope sold/);
  });

  it('names the mappings it found when the name is wrong', async () => {
    const s = sink();
    expect(await previewCommand({ mapping: 'nope', deal: 'mappings/samples/1001.json', dir: 'mappings' }, s.out)).toBe(1);
    expect(s.text()).toContain("no valid mapping named 'nope'");
    expect(s.text()).toContain('services-onboarding');
  });
});

describe('baton preview for an Asana mapping', () => {
  it('prints the exact Asana requests: the project, each task with its assignee and due date, the dependencies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-asana-'));
    dirs.push(dir);
    const yaml = (await import('node:fs/promises')).readFile('mappings/default.yaml', 'utf8');
    await writeFile(join(dir, 'asana.yaml'), (await yaml).replace('tool: jira', 'tool: asana').replace(/project: .*$/m, 'project: "project:1200000000000042"'));
    const s = sink();
    expect(await previewCommand({ mapping: 'services-onboarding', deal: 'mappings/samples/1001.json', dir, closedAt: '2026-11-24T16:00:00Z', json: true }, s.out)).toBe(0);
    const out = JSON.parse(s.text());
    const reqs = out.requests.work as { method: string; path: string; body: { data: Record<string, unknown> } }[];
    expect(reqs[0]).toMatchObject({ method: 'POST', path: '/projects/1200000000000042/sections' });
    const tasks = reqs.filter((r) => r.path === '/tasks');
    expect(tasks).toHaveLength(out.work.tasks.length);
    expect(tasks[0]!.body.data).toMatchObject({ memberships: [{ project: '1200000000000042', section: '<new section gid>' }] });
    expect(String(tasks[0]!.body.data.notes)).toContain('Acme Corp'); // first task carries the document in an existing project
    const kickoff = tasks.find((t) => String(t.body.data.name).startsWith('Schedule the kickoff') || t.body.data.assignee === 'priya.lead@baton.example')!;
    expect(kickoff.body.data.due_on).toMatch(/^2026-1[12]-\d\d$/);
    expect(reqs.some((r) => r.path.endsWith('/addDependencies'))).toBe(true);
  });
});
