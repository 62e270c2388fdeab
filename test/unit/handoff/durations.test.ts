import { describe, expect, it } from 'vitest';
import { DurationError, durationToMs, formatDuration, parseDuration } from '../../../src/handoff/durations.js';

describe('parseDuration', () => {
  it.each([
    ['2 business days', { amount: 2, unit: 'business_days' }],
    ['1 business day', { amount: 1, unit: 'business_days' }],
    ['0 business days', { amount: 0, unit: 'business_days' }],
    ['3 business_days', { amount: 3, unit: 'business_days' }],
    ['48 hours', { amount: 48, unit: 'hours' }],
    ['1 hour', { amount: 1, unit: 'hours' }],
    ['30 seconds', { amount: 30, unit: 'seconds' }],
    ['90 minutes', { amount: 90, unit: 'minutes' }],
    ['14 days', { amount: 14, unit: 'days' }],
    ['1 week', { amount: 1, unit: 'weeks' }],
    ['  2   Business   Days ', { amount: 2, unit: 'business_days' }],
    ['5days', { amount: 5, unit: 'days' }],
  ])('parses %j', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each([
    ['', /invalid duration ''/],
    ['2', /invalid duration '2'/],
    ['days', /invalid duration 'days'/],
    ['-1 days', /invalid duration/],
    ['1.5 days', /invalid duration/],
    ['two days', /invalid duration/],
    ['3 fortnights', /unknown unit 'fortnights'/],
    ['2 business', /unknown unit 'business'/],
    ['1 day 2 hours', /invalid duration '1 day 2 hours'/],
    ['99999 weeks', /longer than 3660 days/],
    ['99999999999999999999 seconds', /longer than/],
  ])('rejects %j with a clear error', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(message);
  });

  it('names the accepted units in its error', () => {
    expect(() => parseDuration('soon')).toThrow(/seconds, minutes, hours, days, weeks, business days/);
  });

  it('rejects non-strings (YAML numbers) instead of crashing', () => {
    expect(() => parseDuration(5 as unknown as string)).toThrow(DurationError);
  });
});

describe('durationToMs', () => {
  it('converts exact units', () => {
    expect(durationToMs({ amount: 30, unit: 'seconds' })).toBe(30_000);
    expect(durationToMs({ amount: 90, unit: 'minutes' })).toBe(5_400_000);
    expect(durationToMs({ amount: 48, unit: 'hours' })).toBe(172_800_000);
    expect(durationToMs({ amount: 14, unit: 'days' })).toBe(1_209_600_000);
    expect(durationToMs({ amount: 1, unit: 'weeks' })).toBe(604_800_000);
    expect(durationToMs({ amount: 0, unit: 'hours' })).toBe(0);
  });

  it('returns null for business days (calendar-dependent)', () => {
    expect(durationToMs({ amount: 2, unit: 'business_days' })).toBeNull();
  });
});

describe('formatDuration', () => {
  it('round-trips through parseDuration', () => {
    for (const text of ['1 business day', '2 business days', '1 week', '90 minutes', '0 hours']) {
      expect(formatDuration(parseDuration(text))).toBe(text);
    }
  });
});
