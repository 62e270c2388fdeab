import { describe, expect, it } from 'vitest';
import { parseWorkTarget } from '../../../connectors/asana/work-target.js';
import { hasRef, projectRef, taskExternalGid, taskRef, withFooter } from '../../../connectors/asana/markers.js';

describe('parseWorkTarget', () => {
  it('reads template:, project: and team: prefixes; anything else is a plain project in the workspace', () => {
    expect(parseWorkTarget('template:123')).toEqual({ kind: 'template', templateGid: '123' });
    expect(parseWorkTarget(' project: 456 ')).toEqual({ kind: 'section', projectGid: '456' });
    expect(parseWorkTarget('team:789')).toEqual({ kind: 'project', teamGid: '789' });
    expect(parseWorkTarget('Client onboarding')).toEqual({ kind: 'project', teamGid: null });
    expect(parseWorkTarget('template:')).toEqual({ kind: 'project', teamGid: null });
  });
});

describe('markers', () => {
  it('a footer line marks the notes; a ref matches only a whole line', () => {
    const notes = withFooter('Body text\n', projectRef('h1'));
    expect(notes).toBe('Body text\n\n---\nBaton ref h1');
    expect(hasRef(notes, projectRef('h1'))).toBe(true);
    expect(hasRef(withFooter('x', projectRef('h10')), projectRef('h1'))).toBe(false);
    expect(hasRef('mentions Baton ref h1 inline', projectRef('h1'))).toBe(false);
    expect(hasRef(undefined, projectRef('h1'))).toBe(false);
    expect(withFooter('  ', taskRef('h1', 't'))).toBe('Baton ref h1/t');
  });

  it('the task external gid is stable per handoff and task', () => {
    expect(taskExternalGid('h1', 'kickoff')).toBe('baton-h1-kickoff');
  });
});
