// The watching keys of a mapping (escalations, feedback, client_updates): a full example loads, and each
// mistake is one error naming file, line, column and key path. Lines 1–21 are the base mapping of
// test/unit/mapping/helpers.ts (people: lead; tasks: first, second); the watching lines start at 22.
import { describe, expect, it } from 'vitest';
import { parseMapping } from '../../../src/mapping/load-mappings.js';
import { BASE_YAML } from '../mapping/helpers.js';

const withWatch = (...lines: string[]) => BASE_YAML + lines.join('\n') + '\n';

function only(text: string, e: { line: number; column: number; path: string; message: RegExp }) {
  const { mapping, errors } = parseMapping('mappings/watch.yaml', text, {});
  expect(mapping).toBeNull();
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ file: 'mappings/watch.yaml', line: e.line, column: e.column, path: e.path });
  expect(errors[0]!.message).toMatch(e.message);
}

describe('watching keys: a full example loads', () => {
  it('escalations with after / at / unless / ladder, feedback questions, client updates', () => {
    const { mapping, errors } = parseMapping(
      'mappings/ok.yaml',
      withWatch(
        'escalations:',
        '  - id: first-not-done',
        '    after: 2 business days',
        '    unless: task.first.done',
        '    notify: [lead]',
        '    channel: "#delivery-escalations"',
        '    then: { after: 24 hours, then: { after: 1 day, notify: [lead], channel: C0LEADS01 } }',
        '  - { id: second-late, at: task.second.due, unless: task.second.started, notify: [lead] }',
        '  - { id: doc, after: 30 seconds, unless: document.complete, notify: [lead] }',
        '  - { id: scope-missing, after: 1 week, unless: { field: deal.scope, exists: true }, notify: [lead] }',
        'feedback:',
        '  after: 14 days',
        '  ask: lead',
        '  questions:',
        '    - { id: accuracy, text: How accurate?, type: rating, required: true }',
        '    - { id: match, text: Did it match?, type: choice, options: [yes, no, partly] }',
        'client_updates: { kickoff: "Kickoff is booked." }',
      ),
      {},
    );
    expect(errors).toEqual([]);
    expect(mapping!.escalations.map((e) => e.id)).toEqual(['first-not-done', 'second-late', 'doc', 'scope-missing']);
    expect(mapping!.escalations[0]!.then).toEqual({ after: '24 hours', then: { after: '1 day', notify: ['lead'], channel: 'C0LEADS01' } });
    expect(mapping!.escalations[3]!.unless).toEqual({ field: 'deal.scope', exists: true });
    expect(mapping!.feedback!.questions![1]).toEqual({ id: 'match', text: 'Did it match?', type: 'choice', options: ['yes', 'no', 'partly'], required: false });
    expect(mapping!.client_updates).toEqual({ kickoff: 'Kickoff is booked.' });
  });
});

describe('watching keys: one error each, with position and key path', () => {
  const esc = (...body: string[]) => withWatch('escalations:', '  - id: x', ...body);

  it('an undeclared role in notify', () => {
    only(esc('    after: 2 hours', '    notify: [lead, boss]'), { line: 25, column: 20, path: 'escalations[0].notify[1]', message: /unknown role 'boss'; declared under people: lead/ });
  });

  it('an undeclared role on a later rung', () => {
    only(esc('    after: 2 hours', '    notify: [lead]', '    then: { after: 1 day, notify: [boss] }'), {
      line: 26,
      column: 36,
      path: 'escalations[0].then.notify[0]',
      message: /unknown role 'boss'/,
    });
  });

  it('both after and at (or neither)', () => {
    only(esc('    after: 2 hours', '    at: task.first.due', '    notify: [lead]'), { line: 23, column: 5, path: 'escalations[0]', message: /exactly one of `after`.*or `at`/ });
    only(esc('    notify: [lead]'), { line: 23, column: 5, path: 'escalations[0]', message: /exactly one of/ });
  });

  it('an unless that is not a known condition', () => {
    only(esc('    after: 2 hours', '    unless: task.first.finished', '    notify: [lead]'), {
      line: 25,
      column: 13,
      path: 'escalations[0].unless',
      message: /expected task.<id>.done, task.<id>.started, document.complete, or a field condition/,
    });
  });

  it('an unless or at naming a task that does not exist', () => {
    only(esc('    after: 2 hours', '    unless: task.third.done', '    notify: [lead]'), { line: 25, column: 13, path: 'escalations[0].unless', message: /unknown task id 'third' \(tasks: first, second\)/ });
    only(esc('    at: task.third.due', '    notify: [lead]'), { line: 24, column: 9, path: 'escalations[0].at', message: /unknown task id 'third'/ });
    only(esc('    at: first.due', '    notify: [lead]'), { line: 24, column: 9, path: 'escalations[0].at', message: /expected task.<id>.due/ });
  });

  it('a field condition with two operators points into the condition', () => {
    only(esc('    after: 2 hours', '    unless: { field: deal.scope, exists: true, equals: x }', '    notify: [lead]'), {
      line: 25,
      column: 13,
      path: 'escalations[0].unless',
      message: /exactly one operator, got equals and exists/,
    });
  });

  it('a bad duration on a rung, an unknown key, a bad channel', () => {
    only(esc('    after: 2 hours', '    notify: [lead]', '    then: { after: 2 fortnights }'), { line: 26, column: 20, path: 'escalations[0].then.after', message: /unknown unit 'fortnights'/ });
    only(esc('    after: 2 hours', '    notify: [lead]', '    notfy: [lead]'), { line: 26, column: 5, path: 'escalations[0].notfy', message: /unknown key 'notfy'; expected one of: id, after, at, unless, notify, channel, then/ });
    only(esc('    after: 2 hours', '    notify: [lead]', '    channel: "#bad channel"'), { line: 26, column: 14, path: 'escalations[0].channel', message: /expected a Slack channel id or #name/ });
  });

  it('feedback: a choice without options, duplicate question ids', () => {
    only(withWatch('feedback:', '  after: 14 days', '  ask: lead', '  questions:', '    - { id: q, text: Match?, type: choice }'), {
      line: 26,
      column: 7,
      path: 'feedback.questions[0]',
      message: /a choice question needs `options`/,
    });
    only(withWatch('feedback:', '  after: 14 days', '  ask: lead', '  questions:', '    - { id: q, text: One?, type: text }', '    - { id: q, text: Two?, type: rating }'), {
      line: 27,
      column: 13,
      path: 'feedback.questions[1].id',
      message: /duplicate question id 'q'/,
    });
  });
});
