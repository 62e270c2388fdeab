import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportStartupFailure } from '../../../src/cli/report-startup-failure.js';
import { StartupError } from '../../../src/runtime/startup-error.js';

function report(error: unknown, logLevel: string): string[] {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += String(d)));
  reportStartupFailure(error, out, { logLevel, secrets: ['tok-secret-123'] });
  return text.split('\n').filter(Boolean);
}

describe('reportStartupFailure', () => {
  it("prints a StartupError's lines, and the cause's stack only with LOG_LEVEL=debug", () => {
    const e = new StartupError(['Cannot start: x.', 'Fix: y.'], { cause: new Error('root cause') });
    expect(report(e, 'info')).toEqual(['Cannot start: x.', 'Fix: y.']);
    const debug = report(e, 'debug');
    expect(debug.slice(0, 3)).toEqual(['Cannot start: x.', 'Fix: y.', 'Error: root cause']);
    expect(debug.slice(3).every((l) => /^\s+at /.test(l))).toBe(true);
    expect(report(e, 'info')).toEqual(['Cannot start: x.', 'Fix: y.']); // the error's own lines are left as they were
  });

  it('an unforeseen error: one line and where to look, never a secret', () => {
    const e = new Error('boom at postgres://baton:pg-pass@db/baton with tok-secret-123');
    expect(report(e, 'warn')).toEqual(['Cannot start: boom at postgres://baton:***@db/baton with ***', 'Run with LOG_LEVEL=debug to see where it failed.']);
    const debug = report(e, 'debug');
    expect(debug[0]).toBe('Cannot start: boom at postgres://baton:***@db/baton with ***');
    expect(debug.join('\n')).not.toMatch(/pg-pass|tok-secret-123/);
    expect(debug.some((l) => /^\s+at /.test(l))).toBe(true);
  });
});
