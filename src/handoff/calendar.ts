// Business-day calendar: due dates in the mapping's timezone, skipping weekends and public holidays
// (date-holidays) plus any explicit dates. Pure: no I/O, only in-memory caches.
import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { durationToMs } from './durations.js';
import type { Duration } from './durations.js';

export interface HolidaySpec {
  /** ISO 3166-1 alpha-2 code date-holidays knows, e.g. "US". */
  country?: string;
  /** Its state/region code, e.g. "CA" (with country). */
  state?: string;
  /** Extra non-working days, "YYYY-MM-DD", in the calendar's timezone. */
  dates?: string[];
}

export interface Calendar {
  timezone: string;
  holidays: HolidaySpec | null;
}

/** Tasks are due at the end of the working day, local time. */
export const DUE_HOUR_LOCAL = 17;

const LOCAL_DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function isValidLocalDate(text: string): boolean {
  return LOCAL_DATE_RE.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
}

// One Holidays instance lists every supported country; it is only read.
let registry: Holidays | undefined;
function holidayRegistry(): Holidays {
  registry ??= new Holidays();
  return registry;
}

function knownCountry(country: string): boolean {
  return Object.hasOwn(holidayRegistry().getCountries('en'), country);
}

function knownState(country: string, state: string): boolean {
  return Object.hasOwn(holidayRegistry().getStates(country, 'en') ?? {}, state);
}

/** Every problem with a calendar, as lines an admin can act on; [] when it is usable. */
export function validateCalendar(cal: Calendar): string[] {
  const errors: string[] = [];
  if (typeof cal.timezone !== 'string' || !IANAZone.isValidZone(cal.timezone)) {
    errors.push(`unknown timezone '${String(cal.timezone)}' (use an IANA name such as 'America/New_York')`);
  }
  const spec = cal.holidays;
  if (spec) {
    const country = spec.country?.toUpperCase();
    const state = spec.state?.toUpperCase();
    if (country !== undefined && !knownCountry(country)) {
      errors.push(`unknown holiday country '${spec.country}' (use an ISO 3166-1 alpha-2 code such as 'US')`);
    } else if (state !== undefined) {
      if (country === undefined) errors.push(`holiday state '${spec.state}' needs a holiday country`);
      else if (!knownState(country, state)) errors.push(`unknown holiday state '${spec.state}' for country '${country}'`);
    }
    for (const date of spec.dates ?? []) {
      if (typeof date !== 'string' || !isValidLocalDate(date)) {
        errors.push(`invalid holiday date '${String(date)}' (expected YYYY-MM-DD)`);
      }
    }
  }
  return errors;
}

// Public holidays as local "YYYY-MM-DD" strings, per country/state and year. date-holidays gives each
// holiday's local date in the country's own calendar, so the mapping's timezone plays no part here and
// the cache key needs none; comparing date strings avoids instant/zone round trips on the hot path.
const holidaysByRegion = new Map<string, Holidays>();
const publicDatesByRegionYear = new Map<string, Set<string>>();

function publicHolidayDates(country: string, state: string | undefined, year: number): Set<string> {
  const regionKey = `${country}/${state ?? ''}`;
  const cacheKey = `${regionKey}/${year}`;
  const cached = publicDatesByRegionYear.get(cacheKey);
  if (cached) return cached;
  let hd = holidaysByRegion.get(regionKey);
  if (!hd) {
    // date-holidays silently yields no holidays for an unknown code: fail loudly instead of mis-dating tasks.
    if (!knownCountry(country)) throw new Error(`unknown holiday country '${country}'`);
    if (state !== undefined && !knownState(country, state)) throw new Error(`unknown holiday state '${state}' for country '${country}'`);
    hd = state ? new Holidays(country, state) : new Holidays(country);
    holidaysByRegion.set(regionKey, hd);
  }
  const dates = new Set<string>();
  for (const holiday of hd.getHolidays(year) || []) {
    // Only days off for everyone: 'bank', 'optional', 'school' and 'observance' days are working days.
    if (holiday.type !== 'public') continue;
    const first = DateTime.fromISO(holiday.date.slice(0, 10), { zone: 'UTC' });
    // Some holidays last several days (e.g. "P3D" rules): mark each local date they cover.
    const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / 86_400_000));
    for (let i = 0; i < days; i++) dates.add(first.plus({ days: i }).toISODate() ?? '');
  }
  publicDatesByRegionYear.set(cacheKey, dates);
  return dates;
}

function isHolidayDate(localDate: string, spec: HolidaySpec | null): boolean {
  if (!spec) return false;
  if (spec.dates?.includes(localDate)) return true;
  if (!spec.country) return false;
  const year = Number(localDate.slice(0, 4));
  return publicHolidayDates(spec.country.toUpperCase(), spec.state?.toUpperCase(), year).has(localDate);
}

/** A weekday (Mon–Fri) that is not a public holiday of the calendar's country/state nor a listed date. */
export function isBusinessDay(localDate: string, cal: Calendar): boolean {
  if (!isValidLocalDate(localDate)) throw new Error(`invalid local date '${localDate}' (expected YYYY-MM-DD)`);
  const weekday = DateTime.fromISO(localDate, { zone: 'UTC' }).weekday; // 1 = Monday … 7 = Sunday
  if (weekday >= 6) return false;
  return !isHolidayDate(localDate, cal.holidays);
}

function nextLocalDate(localDate: string): string {
  return DateTime.fromISO(localDate, { zone: 'UTC' }).plus({ days: 1 }).toISODate() ?? localDate;
}

/**
 * When something that starts at `start` and takes `d` is due.
 * - business_days: N business days after the local date of `start` (0 = that day if it is a business day, else
 *   the next one; counting like a spreadsheet's WORKDAY, so 1 business day after a Saturday is Monday). Due at
 *   17:00 local on that date, returned as a UTC instant (so the UTC hour moves with DST).
 * - other units: the exact instant start + d; dueDate is that instant's local date in the calendar's timezone.
 */
export function addDuration(start: Date, d: Duration, cal: Calendar): { dueDate: string; dueAt: Date } {
  if (!IANAZone.isValidZone(cal.timezone)) throw new Error(`unknown timezone '${cal.timezone}'`);
  if (Number.isNaN(start.getTime())) throw new Error('invalid start date');
  if (!Number.isSafeInteger(d.amount) || d.amount < 0) throw new Error(`invalid duration amount ${d.amount}`);

  const ms = durationToMs(d);
  if (ms !== null) {
    const dueAt = new Date(start.getTime() + ms);
    const dueDate = DateTime.fromJSDate(dueAt, { zone: cal.timezone }).toISODate();
    if (!dueDate) throw new Error(`cannot compute a local date in timezone '${cal.timezone}'`);
    return { dueDate, dueAt };
  }

  let date = DateTime.fromJSDate(start, { zone: cal.timezone }).toISODate();
  if (!date) throw new Error(`cannot compute a local date in timezone '${cal.timezone}'`);
  if (d.amount === 0) {
    while (!isBusinessDay(date, cal)) date = nextLocalDate(date);
  } else {
    for (let counted = 0; counted < d.amount; ) {
      date = nextLocalDate(date);
      if (isBusinessDay(date, cal)) counted++;
    }
  }
  const [year, month, day] = date.split('-').map(Number);
  const due = DateTime.fromObject({ year, month, day, hour: DUE_HOUR_LOCAL }, { zone: cal.timezone });
  return { dueDate: date, dueAt: due.toJSDate() };
}
