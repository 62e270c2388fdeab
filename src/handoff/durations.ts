// Durations as mappings write them ("2 business days", "48 hours"): parsed once at mapping load,
// so a typo fails `baton validate` instead of a handoff.

export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days' | 'weeks' | 'business_days';

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

export class DurationError extends Error {
  override name = 'DurationError';
}

const UNIT_ALIASES: Record<string, DurationUnit> = {
  second: 'seconds',
  seconds: 'seconds',
  minute: 'minutes',
  minutes: 'minutes',
  hour: 'hours',
  hours: 'hours',
  day: 'days',
  days: 'days',
  week: 'weeks',
  weeks: 'weeks',
  'business day': 'business_days',
  'business days': 'business_days',
};

const MS_PER_UNIT: Record<Exclude<DurationUnit, 'business_days'>, number> = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

/** Anything longer is a typo, not a plan; the bound also keeps business-day stepping cheap. */
export const MAX_DURATION_DAYS = 3_660;
const MAX_BUSINESS_DAYS = 2_610; // ~10 years of weekdays

const DURATION_RE = /^(\d+)\s*([a-z][a-z_\- ]*?)$/;
const EXPECTED = 'expected "<whole number> <unit>", unit one of seconds, minutes, hours, days, weeks, business days (e.g. "2 business days")';

/** Parse "2 business days", "1 week", "90 minutes"... Case-insensitive; singular or plural; whole numbers >= 0. */
export function parseDuration(text: string): Duration {
  if (typeof text !== 'string') throw new DurationError(`duration must be a string, got ${typeof text}; ${EXPECTED}`);
  const normalised = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const match = DURATION_RE.exec(normalised);
  if (!match) throw new DurationError(`invalid duration '${text}': ${EXPECTED}`);
  const [, digits = '', rawUnit = ''] = match;
  // "business_days" / "business-days" are common spellings of the same unit.
  const unit = UNIT_ALIASES[rawUnit.replace(/[_-]/g, ' ').trim()];
  if (!unit) throw new DurationError(`invalid duration '${text}': unknown unit '${rawUnit.trim()}'; ${EXPECTED}`);
  const amount = Number(digits);
  const tooLong = unit === 'business_days' ? amount > MAX_BUSINESS_DAYS : amount * MS_PER_UNIT[unit] > MAX_DURATION_DAYS * MS_PER_UNIT.days;
  if (!Number.isSafeInteger(amount) || tooLong) {
    throw new DurationError(`invalid duration '${text}': longer than ${MAX_DURATION_DAYS} days`);
  }
  return { amount, unit };
}

/** Exact length in ms; null for business days, which depend on the calendar (see calendar.ts addDuration). */
export function durationToMs(d: Duration): number | null {
  if (d.unit === 'business_days') return null;
  return d.amount * MS_PER_UNIT[d.unit];
}

/** "2 business days", "1 hour": for previews and audit lines. */
export function formatDuration(d: Duration): string {
  const singular = d.unit === 'business_days' ? 'business day' : d.unit.slice(0, -1);
  const plural = d.unit === 'business_days' ? 'business days' : d.unit;
  return `${d.amount} ${d.amount === 1 ? singular : plural}`;
}

/** The largest calendar unit that measures `ms` exactly (4 h → "4 hours", 90 min → "90 minutes"), down to seconds. */
export function durationFromMs(ms: number): Duration {
  const units = ['weeks', 'days', 'hours', 'minutes'] as const;
  const unit = units.find((u) => ms >= MS_PER_UNIT[u] && ms % MS_PER_UNIT[u] === 0) ?? 'seconds';
  return { amount: Math.round(ms / MS_PER_UNIT[unit]), unit };
}
