// Broken mappings: every error names file, line, column (1-based) and key path. Positions are
// literal numbers counted by hand from the lines in helpers.ts (BASE_LINES).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMappingError, loadMappingsFromDir, parseMapping } from '../../../src/mapping/load-mappings.js';
import { BASE_YAML, withLine } from './helpers.js';

interface Expected {
  line: number;
  column: number;
  path: string;
  message: RegExp;
}

function errorsOf(text: string, env: Record<string, string | undefined> = {}) {
  const result = parseMapping('mappings/broken.yaml', text, env);
  expect(result.mapping).toBeNull();
  return result.errors;
}

function expectOnly(text: string, expected: Expected, env: Record<string, string | undefined> = {}): void {
  const errors = errorsOf(text, env);
  expect(errors).toHaveLength(1);
  const [e] = errors;
  expect(e).toMatchObject({ file: 'mappings/broken.yaml', line: expected.line, column: expected.column, path: expected.path });
  expect(e?.message).toMatch(expected.message);
}

describe('parseMapping: the base mapping', () => {
  it('loads without errors (the cases below each break one thing)', () => {
    const { mapping, errors } = parseMapping('mappings/ok.yaml', BASE_YAML, {});
    expect(errors).toEqual([]);
    expect(mapping?.name).toBe('test-mapping');
    expect(mapping?.timezone).toBe('America/New_York');
    expect(mapping?.business_days.holidays).toEqual({ country: 'US' });
  });
});

describe('parseMapping: broken YAML, one error each with file:line:column and key path', () => {
  it('formats as file:line:col: path: message', () => {
    const [e] = errorsOf(withLine(5, 'timezone: America/Gotham'));
    expect(e && formatMappingError(e)).toBe(
      "mappings/broken.yaml:5:11: timezone: unknown timezone 'America/Gotham' (use an IANA name such as 'America/New_York')",
    );
  });

  it('bad indentation (YAML syntax, position from the parser)', () => {
    expectOnly(withLine(4, '   stage: closedwon'), {
      line: 3,
      column: 13,
      path: 'trigger.pipeline',
      message: /^YAML: .*Implicit keys need to be on a single line/,
    });
  });

  it('unterminated quoted string (YAML syntax)', () => {
    expectOnly(withLine(11, '  title: "Handoff {{ deal.dealname }}'), {
      line: 11,
      column: 38,
      path: 'document.title',
      message: /^YAML: Missing closing "quote/,
    });
  });

  it('duplicate key (YAML)', () => {
    expectOnly(BASE_YAML + 'name: again\n', { line: 22, column: 1, path: 'name', message: /^YAML: Map keys must be unique/ });
  });

  it('unknown top-level key, pointing at the key', () => {
    expectOnly(BASE_YAML + 'workflow: x\n', {
      line: 22,
      column: 1,
      path: 'workflow',
      message: /^unknown key 'workflow'; expected one of: name, description, trigger, prepare, timezone/,
    });
  });

  it('wrong type', () => {
    expectOnly(withLine(17, '  project: [DEL]'), { line: 17, column: 12, path: 'work.project', message: /expected string, received array/ });
  });

  it('value not among the allowed options', () => {
    expectOnly(withLine(16, '  tool: trello'), { line: 16, column: 9, path: 'work.tool', message: /expected one of "jira"\|"asana"/ });
  });

  it('missing required key: reported at the nearest existing parent', () => {
    expectOnly(withLine(4, null), { line: 2, column: 1, path: 'trigger.stage', message: /^missing required key 'stage'/ });
  });

  it('empty value', () => {
    expectOnly(withLine(21, '    - { id: second, summary: Second, after: [first], due: }'), {
      line: 21,
      column: 54,
      path: 'work.tasks[1].due',
      message: /^empty value; expected string/,
    });
  });

  it('unknown section id', () => {
    expectOnly(withLine(13, '    scopes:'), {
      line: 13,
      column: 5,
      path: 'document.sections.scopes',
      message: /^unknown section id 'scopes'; expected one of: contact, scope, timeline, risks, billing, commitments, stakeholders$/,
    });
  });

  it('document field with both `field` and `value`', () => {
    expectOnly(withLine(14, '      - { label: Scope sold, field: deal.scope, value: "{{ deal.scope }}" }'), {
      line: 14,
      column: 9,
      path: 'document.sections.scope[0]',
      message: /exactly one of `field`.*or `value`/,
    });
  });

  it('field path with an unknown root', () => {
    expectOnly(withLine(14, '      - { label: Scope sold, field: deals.scope, required: true }'), {
      line: 14,
      column: 37,
      path: 'document.sections.scope[0].field',
      message: /expected a field path like deal\.baton_scope/,
    });
  });

  it('bad duration', () => {
    expectOnly(withLine(21, '    - { id: second, summary: Second, after: [first], due: 2 fortnights }'), {
      line: 21,
      column: 59,
      path: 'work.tasks[1].due',
      message: /^invalid duration '2 fortnights'/,
    });
  });

  it('unknown assignee role', () => {
    expectOnly(withLine(20, '    - { id: first, summary: First, assignee: leed, due: 1 business day }'), {
      line: 20,
      column: 46,
      path: 'work.tasks[0].assignee',
      message: /^unknown role 'leed'; declared under people: lead$/,
    });
  });

  it('unknown `after` id', () => {
    expectOnly(withLine(21, '    - { id: second, summary: Second, after: [frist], due: 2 business days }'), {
      line: 21,
      column: 46,
      path: 'work.tasks[1].after[0]',
      message: /^unknown task id 'frist' in after/,
    });
  });

  it('dependency cycle, named', () => {
    expectOnly(withLine(20, '    - { id: first, summary: First, assignee: lead, after: [second], due: 1 business day }'), {
      line: 20,
      column: 59,
      path: 'work.tasks[0].after',
      message: /^dependency cycle: first -> second -> first$/,
    });
  });

  it('duplicate task id', () => {
    expectOnly(withLine(21, '    - { id: first, summary: Second, due: 2 business days }'), {
      line: 21,
      column: 13,
      path: 'work.tasks[1].id',
      message: /^duplicate task id 'first' \(also work\.tasks\[0\]\)$/,
    });
  });

  it('bad Liquid syntax', () => {
    expectOnly(withLine(11, '  title: "Handoff {{ deal.dealname "'), {
      line: 11,
      column: 10,
      path: 'document.title',
      message: /^invalid Liquid template: output "\{\{ deal\.dealname " not closed/,
    });
  });

  it('unknown Liquid filter (strict filters)', () => {
    expectOnly(withLine(11, '  title: "Handoff {{ deal.dealname | shout }}"'), {
      line: 11,
      column: 10,
      path: 'document.title',
      message: /undefined filter: shout/,
    });
  });

  it('template reading an unknown variable or an undeclared role', () => {
    const errors = errorsOf(withLine(11, '  title: "Handoff {{ dael.dealname }} {{ people.bob.name }}"'));
    expect(errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [11, 10, 'document.title'],
      [11, 10, 'document.title'],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^unknown template variable 'dael'/),
      "unknown role 'people.bob'; declared under people: lead",
    ]);
  });

  it('bad timezone', () => {
    expectOnly(withLine(5, 'timezone: America/Gotham'), { line: 5, column: 11, path: 'timezone', message: /^unknown timezone 'America\/Gotham'/ });
  });

  it('unknown holiday country', () => {
    expectOnly(withLine(7, '  holidays: XX'), { line: 7, column: 13, path: 'business_days.holidays', message: /^unknown holiday country 'XX'/ });
  });

  it('secret-looking environment variable', () => {
    expectOnly(
      withLine(17, '  project: ${JIRA_API_TOKEN}'),
      { line: 17, column: 12, path: 'work.project', message: /^refusing to use environment variable JIRA_API_TOKEN: its name looks secret/ },
      { JIRA_API_TOKEN: 'tok_live_123' },
    );
  });

  it('unset environment variable without a default', () => {
    expectOnly(withLine(17, '  project: ${DELIVERY_PROJECT}'), {
      line: 17,
      column: 12,
      path: 'work.project',
      message: /^environment variable DELIVERY_PROJECT is not set \(give a default with \$\{DELIVERY_PROJECT:-value\}\)$/,
    });
  });

  it('unsafe regular expression (backreference: not RE2)', () => {
    const text = withLine(4, '  stage: closedwon\n  when:\n    - { field: deal.dealname, matches: "(a)\\\\1" }');
    expectOnly(text, { line: 6, column: 40, path: 'trigger.when[0].matches', message: /^invalid regular expression \(RE2 syntax/ });
  });

  it('invalid people role name (record key), and the same bad name as an assignee', () => {
    const errors = errorsOf(withLine(9, '  Lead: { from: deal.lead_email }').replace('assignee: lead', 'assignee: Lead'));
    expect(errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [9, 3, 'people.Lead'],
      [20, 46, 'work.tasks[0].assignee'],
    ]);
    expect(errors[0]?.message).toMatch(/^invalid key 'Lead': expected a role name/);
    expect(errors[1]?.message).toMatch(/^expected a role name/);
  });

  it('feedback asking an undeclared role', () => {
    expectOnly(BASE_YAML + 'feedback: { after: 14 days, ask: pm }\n', {
      line: 22,
      column: 34,
      path: 'feedback.ask',
      message: /^unknown role 'pm'/,
    });
  });

  it('forbidden file-loading tag', () => {
    expectOnly(withLine(11, `  title: "{% include 'header' %}"`), {
      line: 11,
      column: 10,
      path: 'document.title',
      message: /the 'include' tag is not allowed/,
    });
  });

  it('empty file and non-mapping top level', () => {
    expect(errorsOf('')).toEqual([
      { file: 'mappings/broken.yaml', line: 1, column: 1, path: '(top level)', message: expect.stringMatching(/file is empty/) },
    ]);
    expect(errorsOf('- a\n- b\n')[0]).toMatchObject({ line: 1, column: 1, path: '(top level)', message: expect.stringMatching(/expected object, received array/) });
  });

  it('reports every problem of a file at once, in line order', () => {
    const text = withLine(5, 'timezone: Mars/Base').replace('assignee: lead', 'assignee: nobody') + 'extra: 1\n';
    expect(errorsOf(text).map((e) => `${e.line}:${e.column} ${e.path}`)).toEqual([
      '5:11 timezone',
      '20:46 work.tasks[0].assignee',
      '22:1 extra',
    ]);
  });

  it('whole-mapping checks wait until the shape is valid (no guesses on a broken structure)', () => {
    const text = withLine(5, 'timezone: Mars/Base').replace('project: DEL', 'project: 5');
    expect(errorsOf(text).map((e) => `${e.line}:${e.column} ${e.path}`)).toEqual(['17:12 work.project']);
  });
});

describe('loadMappingsFromDir', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('loads *.yaml and *.yml in name order, ignores other files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-mappings-'));
    await writeFile(join(dir, 'b.yml'), BASE_YAML.replace('name: test-mapping', 'name: second'));
    await writeFile(join(dir, 'a.yaml'), BASE_YAML.replace('name: test-mapping', 'name: first'));
    await writeFile(join(dir, 'notes.txt'), 'not a mapping');
    const { mappings, errors } = await loadMappingsFromDir(dir, {});
    expect(errors).toEqual([]);
    expect(mappings.map((m) => [m.file, m.mapping.name])).toEqual([
      [join(dir, 'a.yaml'), 'first'],
      [join(dir, 'b.yml'), 'second'],
    ]);
  });

  it('duplicate mapping name across files: error in the later file, at its name', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-mappings-'));
    await writeFile(join(dir, 'a.yaml'), BASE_YAML);
    await writeFile(join(dir, 'b.yaml'), BASE_YAML);
    const { mappings, errors } = await loadMappingsFromDir(dir, {});
    expect(mappings.map((m) => m.file)).toEqual([join(dir, 'a.yaml')]);
    expect(errors).toEqual([
      {
        file: join(dir, 'b.yaml'),
        line: 1,
        column: 7,
        path: 'name',
        message: `duplicate mapping name 'test-mapping' (already used in ${join(dir, 'a.yaml')}:1); names must be unique across files`,
      },
    ]);
  });

  it('collects errors from every file and keeps the valid mappings', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-mappings-'));
    await writeFile(join(dir, 'good.yaml'), BASE_YAML);
    await writeFile(join(dir, 'bad.yaml'), withLine(5, 'timezone: Nowhere/Else').replace('name: test-mapping', 'name: other'));
    const { mappings, errors } = await loadMappingsFromDir(dir, {});
    expect(mappings.map((m) => m.mapping.name)).toEqual(['test-mapping']);
    expect(errors.map(formatMappingError)).toEqual([
      `${join(dir, 'bad.yaml')}:5:11: timezone: unknown timezone 'Nowhere/Else' (use an IANA name such as 'America/New_York')`,
    ]);
  });

  it('a missing directory is an error, not an empty list', async () => {
    const { mappings, errors } = await loadMappingsFromDir('/nonexistent/baton-mappings', {});
    expect(mappings).toEqual([]);
    expect(errors[0]).toMatchObject({ file: '/nonexistent/baton-mappings', line: 1, column: 1, message: expect.stringMatching(/cannot read the mappings directory/) });
  });
});
