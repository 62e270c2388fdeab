import { describe, expect, it } from 'vitest';
import { addDuration, isBusinessDay, validateCalendar } from '../../../src/handoff/calendar.js';
import type { Calendar } from '../../../src/handoff/calendar.js';
import { parseDuration } from '../../../src/handoff/durations.js';

const NY_US: Calendar = { timezone: 'America/New_York', holidays: { country: 'US' } };
const NY_PLAIN: Calendar = { timezone: 'America/New_York', holidays: null };

function due(startIso: string, duration: string, cal: Calendar) {
  const { dueDate, dueAt } = addDuration(new Date(startIso), parseDuration(duration), cal);
  return { dueDate, dueAt: dueAt.toISOString() };
}

describe('validateCalendar', () => {
  it('accepts a valid calendar', () => {
    expect(validateCalendar(NY_US)).toEqual([]);
    expect(validateCalendar({ timezone: 'Europe/Berlin', holidays: { country: 'de', state: 'by', dates: ['2026-12-24'] } })).toEqual([]);
    expect(validateCalendar({ timezone: 'UTC', holidays: null })).toEqual([]);
  });

  it('lists every problem, each naming the bad value', () => {
    const errors = validateCalendar({ timezone: 'Mars/Base', holidays: { country: 'XX', dates: ['2026-02-30', '26-1-1'] } });
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^unknown timezone 'Mars\/Base'/);
    expect(errors[1]).toMatch(/^unknown holiday country 'XX'/);
    expect(errors[2]).toMatch(/^invalid holiday date '2026-02-30'/);
    expect(errors[3]).toMatch(/^invalid holiday date '26-1-1'/);
  });

  it('checks the state against the country', () => {
    expect(validateCalendar({ timezone: 'UTC', holidays: { country: 'US', state: 'ZZ' } })).toEqual([
      "unknown holiday state 'ZZ' for country 'US'",
    ]);
    expect(validateCalendar({ timezone: 'UTC', holidays: { state: 'CA' } })).toEqual(["holiday state 'CA' needs a holiday country"]);
  });
});

describe('isBusinessDay', () => {
  it('is false on weekends and true on ordinary weekdays', () => {
    expect(isBusinessDay('2026-03-13', NY_PLAIN)).toBe(true); // Friday
    expect(isBusinessDay('2026-03-14', NY_PLAIN)).toBe(false); // Saturday
    expect(isBusinessDay('2026-03-15', NY_PLAIN)).toBe(false); // Sunday
    expect(isBusinessDay('2026-03-16', NY_PLAIN)).toBe(true); // Monday
  });

  it('skips public holidays only, not observances', () => {
    expect(isBusinessDay('2026-11-26', NY_US)).toBe(false); // Thanksgiving
    expect(isBusinessDay('2026-11-26', NY_PLAIN)).toBe(true);
    expect(isBusinessDay('2026-11-27', NY_US)).toBe(true); // "Day after Thanksgiving" is an observance in date-holidays
    expect(isBusinessDay('2026-07-03', NY_US)).toBe(false); // Independence Day observed (the 4th is a Saturday)
    expect(isBusinessDay('2026-04-15', NY_US)).toBe(true); // Tax Day (observance)
  });

  it('applies state holidays only when the state is given', () => {
    const california: Calendar = { timezone: 'America/Los_Angeles', holidays: { country: 'US', state: 'CA' } };
    expect(isBusinessDay('2026-03-31', california)).toBe(false); // César Chávez Day
    expect(isBusinessDay('2026-03-31', NY_US)).toBe(true);
  });

  it('honours an explicit list of dates, alone or with a country', () => {
    expect(isBusinessDay('2026-03-16', { timezone: 'UTC', holidays: { dates: ['2026-03-16'] } })).toBe(false);
    expect(isBusinessDay('2026-03-17', { timezone: 'UTC', holidays: { dates: ['2026-03-16'] } })).toBe(true);
    const both: Calendar = { timezone: 'UTC', holidays: { country: 'US', dates: ['2026-12-24'] } };
    expect(isBusinessDay('2026-12-24', both)).toBe(false);
    expect(isBusinessDay('2026-12-25', both)).toBe(false);
  });

  it('accepts lower-case codes', () => {
    expect(isBusinessDay('2026-11-26', { timezone: 'UTC', holidays: { country: 'us' } })).toBe(false);
  });

  it('fails loudly on a bad date or an unknown country instead of guessing', () => {
    expect(() => isBusinessDay('2026-3-1', NY_PLAIN)).toThrow(/invalid local date '2026-3-1'/);
    expect(() => isBusinessDay('2026-02-30', NY_PLAIN)).toThrow(/invalid local date/);
    expect(() => isBusinessDay('2026-03-02', { timezone: 'UTC', holidays: { country: 'XX' } })).toThrow(/unknown holiday country 'XX'/);
  });
});

describe('addDuration with business days', () => {
  it('crosses a weekend', () => {
    // Friday 15:00 EDT + 1 business day → Monday, due 17:00 EDT.
    expect(due('2026-03-13T19:00:00Z', '1 business day', NY_PLAIN)).toEqual({ dueDate: '2026-03-16', dueAt: '2026-03-16T21:00:00.000Z' });
    expect(due('2026-03-13T19:00:00Z', '3 business days', NY_PLAIN)).toEqual({ dueDate: '2026-03-18', dueAt: '2026-03-18T21:00:00.000Z' });
    expect(due('2026-03-13T19:00:00Z', '5 business days', NY_PLAIN).dueDate).toBe('2026-03-20');
  });

  it('counts from the local date in the timezone, not the UTC date', () => {
    // Thursday 2026-03-12 23:30 EDT is already Friday in UTC: 1 business day is Friday, not Monday.
    expect(due('2026-03-13T03:30:00Z', '1 business day', NY_PLAIN).dueDate).toBe('2026-03-13');
    // The same instant in Tokyo is Friday afternoon: Monday.
    expect(due('2026-03-13T03:30:00Z', '1 business day', { timezone: 'Asia/Tokyo', holidays: null })).toEqual({
      dueDate: '2026-03-16',
      dueAt: '2026-03-16T08:00:00.000Z',
    });
  });

  it('skips US Thanksgiving', () => {
    // Wednesday before Thanksgiving: Thursday is a holiday, so 1 business day is Friday, 2 is Monday.
    expect(due('2026-11-25T15:00:00Z', '1 business day', NY_US)).toEqual({ dueDate: '2026-11-27', dueAt: '2026-11-27T22:00:00.000Z' });
    expect(due('2026-11-25T15:00:00Z', '2 business days', NY_US).dueDate).toBe('2026-11-30');
    expect(due('2026-11-25T15:00:00Z', '1 business day', NY_PLAIN).dueDate).toBe('2026-11-26');
  });

  it('skips Independence Day observed on Friday July 3rd 2026', () => {
    expect(due('2026-07-02T14:00:00Z', '1 business day', NY_US)).toEqual({ dueDate: '2026-07-06', dueAt: '2026-07-06T21:00:00.000Z' });
    expect(due('2026-07-02T14:00:00Z', '1 business day', NY_PLAIN).dueDate).toBe('2026-07-03');
  });

  it('skips explicitly listed dates', () => {
    const cal: Calendar = { timezone: 'America/New_York', holidays: { dates: ['2026-03-16', '2026-03-17'] } };
    expect(due('2026-03-13T19:00:00Z', '1 business day', cal).dueDate).toBe('2026-03-18');
  });

  it('crosses a year boundary onto a holiday in the next year', () => {
    // Thursday 2026-12-31 + 1 → Friday 2027-01-01 is New Year's Day → Monday 2027-01-04.
    expect(due('2026-12-31T15:00:00Z', '1 business day', NY_US).dueDate).toBe('2027-01-04');
  });

  it('keeps 17:00 local across the March 2026 DST change (UTC hour moves from 22 to 21)', () => {
    // America/New_York springs forward on Sunday 2026-03-08.
    expect(due('2026-03-05T15:00:00Z', '1 business day', NY_PLAIN)).toEqual({ dueDate: '2026-03-06', dueAt: '2026-03-06T22:00:00.000Z' });
    expect(due('2026-03-06T15:00:00Z', '1 business day', NY_PLAIN)).toEqual({ dueDate: '2026-03-09', dueAt: '2026-03-09T21:00:00.000Z' });
  });

  it('keeps 17:00 local across the November 2026 DST change (UTC hour moves from 21 to 22)', () => {
    // America/New_York falls back on Sunday 2026-11-01.
    expect(due('2026-10-29T15:00:00Z', '1 business day', NY_PLAIN)).toEqual({ dueDate: '2026-10-30', dueAt: '2026-10-30T21:00:00.000Z' });
    expect(due('2026-10-30T15:00:00Z', '1 business day', NY_PLAIN)).toEqual({ dueDate: '2026-11-02', dueAt: '2026-11-02T22:00:00.000Z' });
  });

  it('0 business days: the same day when it is one, else the next business day', () => {
    // Saturday → Monday.
    expect(due('2026-03-14T15:00:00Z', '0 business days', NY_PLAIN)).toEqual({ dueDate: '2026-03-16', dueAt: '2026-03-16T21:00:00.000Z' });
    // Tuesday → Tuesday, even after 17:00 local.
    expect(due('2026-03-17T23:00:00Z', '0 business days', NY_PLAIN)).toEqual({ dueDate: '2026-03-17', dueAt: '2026-03-17T21:00:00.000Z' });
    // Thanksgiving → Friday.
    expect(due('2026-11-26T15:00:00Z', '0 business days', NY_US).dueDate).toBe('2026-11-27');
  });

  it('counts 1 business day after a Saturday as Monday (like WORKDAY)', () => {
    expect(due('2026-03-14T15:00:00Z', '1 business day', NY_PLAIN).dueDate).toBe('2026-03-16');
    expect(due('2026-03-14T15:00:00Z', '2 business days', NY_PLAIN).dueDate).toBe('2026-03-17');
  });
});

describe('addDuration with exact units', () => {
  it('hours crossing local midnight give the local date after midnight', () => {
    // 23:30 EDT on Thursday 2026-03-12 + 2 hours = 01:30 EDT Friday.
    expect(due('2026-03-13T03:30:00Z', '2 hours', NY_PLAIN)).toEqual({ dueDate: '2026-03-13', dueAt: '2026-03-13T05:30:00.000Z' });
    // 20:30 EDT + 2 hours is still Thursday locally although it is Friday in UTC.
    expect(due('2026-03-13T00:30:00Z', '2 hours', NY_PLAIN)).toEqual({ dueDate: '2026-03-12', dueAt: '2026-03-13T02:30:00.000Z' });
  });

  it('seconds crossing midnight into a new year in the zone', () => {
    // 23:59:30 EST on 2025-12-31 + 30 seconds = midnight, 2026-01-01 local.
    expect(due('2026-01-01T04:59:30Z', '30 seconds', NY_PLAIN)).toEqual({ dueDate: '2026-01-01', dueAt: '2026-01-01T05:00:00.000Z' });
    expect(due('2026-01-01T04:59:00Z', '30 seconds', NY_PLAIN).dueDate).toBe('2025-12-31');
  });

  it('ignores weekends and holidays for exact units', () => {
    expect(due('2026-11-25T15:00:00Z', '1 day', NY_US)).toEqual({ dueDate: '2026-11-26', dueAt: '2026-11-26T15:00:00.000Z' });
    expect(due('2026-03-13T15:00:00Z', '1 week', NY_US).dueDate).toBe('2026-03-20');
  });

  it('adds days as exact 24-hour spans across DST', () => {
    // Saturday 12:00 EST + 1 day = Sunday 13:00 EDT (the clocks moved, the instant did not).
    expect(due('2026-03-07T17:00:00Z', '1 day', NY_PLAIN)).toEqual({ dueDate: '2026-03-08', dueAt: '2026-03-08T17:00:00.000Z' });
  });

  it('rejects an unknown timezone and an invalid start', () => {
    expect(() => addDuration(new Date(), parseDuration('1 hour'), { timezone: 'Mars/Base', holidays: null })).toThrow(/unknown timezone 'Mars\/Base'/);
    expect(() => addDuration(new Date('nope'), parseDuration('1 hour'), NY_PLAIN)).toThrow(/invalid start/);
  });
});
