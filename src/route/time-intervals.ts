import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import type { Instant } from '../model/index.js';

/**
 * Alertmanager's time intervals (`time_intervals`, and the deprecated `mute_time_intervals` of the same shape),
 * with the semantics of its timeinterval/timeinterval.go: every field given must match, a field that is omitted
 * matches always, ranges are inclusive except that a time range's end minute is excluded, negative days of the
 * month count from its end, and the instant is read in `location` (UTC when omitted).
 */

/** A range member as YAML gives it: `'monday:friday'`, `'1:3'`, `'may'`, or a bare number (`days_of_month: [1]`). */
const RangeValue = Type.Union([Type.String(), Type.Integer()], { expected: 'a string like "1:5"' });

/** One entry of a named interval's `time_intervals` list, as written in YAML. Unknown keys are errors. */
export const TimeIntervalSchema = Type.Object(
  {
    times: Type.Optional(
      Type.Array(
        Type.Object(
          { start_time: Type.Optional(Type.String()), end_time: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
      ),
    ),
    weekdays: Type.Optional(Type.Array(RangeValue)),
    days_of_month: Type.Optional(Type.Array(RangeValue)),
    months: Type.Optional(Type.Array(RangeValue)),
    years: Type.Optional(Type.Array(RangeValue)),
    location: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
/** One time interval entry as YAML gives it, once it passed {@link TimeIntervalSchema}. */
export type TimeIntervalSpec = Static<typeof TimeIntervalSchema>;

/** An inclusive range of integers (weekdays 0 = Sunday, months 1 = January, days of month possibly negative). */
export interface InclusiveRange {
  readonly begin: number;
  readonly end: number;
}

/** Minutes of the day, `startMinute` included and `endMinute` excluded (`24:00` is 1440). */
export interface TimeRange {
  readonly startMinute: number;
  readonly endMinute: number;
}

/** The calendar fields of an instant in one time zone. */
interface CalendarFields {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number; // 1-31
  readonly weekday: number; // 0 = Sunday
  readonly minuteOfDay: number;
}

/**
 * One parsed time interval. Each field is undefined when not given (no constraint); an empty list matches nothing,
 * as in Alertmanager, where only a nil list means "any".
 */
export class TimeInterval {
  readonly times: readonly TimeRange[] | undefined;
  readonly weekdays: readonly InclusiveRange[] | undefined;
  readonly daysOfMonth: readonly InclusiveRange[] | undefined;
  readonly months: readonly InclusiveRange[] | undefined;
  readonly years: readonly InclusiveRange[] | undefined;
  /** The IANA time zone the instant is read in; undefined reads it in UTC. */
  readonly location: string | undefined;
  readonly #calendar: (t: Instant) => CalendarFields;

  private constructor(fields: Omit<TimeInterval, 'contains'>, calendar: (t: Instant) => CalendarFields) {
    this.times = fields.times;
    this.weekdays = fields.weekdays;
    this.daysOfMonth = fields.daysOfMonth;
    this.months = fields.months;
    this.years = fields.years;
    this.location = fields.location;
    this.#calendar = calendar;
    Object.freeze(this);
  }

  /**
   * Parses one YAML entry (already checked against {@link TimeIntervalSchema}) or throws ConfigError
   * `<where>.<field>[i]: <problem>` with Alertmanager's wording where it has one.
   */
  static parse(spec: TimeIntervalSpec, where: string): TimeInterval {
    const list = <T>(field: string, values: readonly unknown[] | undefined, one: (v: string, at: string) => T): T[] | undefined =>
      values === undefined ? undefined : Object.freeze(values.map((v, i) => one(String(v), `${where}.${field}[${i}]`))) as T[];
    const location = spec.location;
    return new TimeInterval(
      {
        times: spec.times === undefined ? undefined : Object.freeze(spec.times.map((t, i) => parseTimeRange(t, `${where}.times[${i}]`))),
        weekdays: list('weekdays', spec.weekdays, parseWeekdayRange),
        daysOfMonth: list('days_of_month', spec.days_of_month, parseDayOfMonthRange),
        months: list('months', spec.months, parseMonthRange),
        years: list('years', spec.years, parseYearRange),
        location,
      },
      location === undefined ? utcCalendar : zoneCalendar(location, `${where}.location`),
    );
  }

  /** Whether the interval contains the instant: timeinterval.go's `ContainsTime`. */
  contains(t: Instant): boolean {
    const c = this.#calendar(t);
    if (this.times !== undefined && !this.times.some((r) => c.minuteOfDay >= r.startMinute && c.minuteOfDay < r.endMinute)) return false;
    if (this.daysOfMonth !== undefined && !this.daysOfMonth.some((r) => containsDay(r, c))) return false;
    if (this.months !== undefined && !this.months.some((r) => c.month >= r.begin && c.month <= r.end)) return false;
    if (this.weekdays !== undefined && !this.weekdays.some((r) => c.weekday >= r.begin && c.weekday <= r.end)) return false;
    if (this.years !== undefined && !this.years.some((r) => c.year >= r.begin && c.year <= r.end)) return false;
    return true;
  }
}

/** Named time intervals, as `time_intervals` and `mute_time_intervals` define them. */
export type TimeIntervals = ReadonlyMap<string, readonly TimeInterval[]>;

/** Whether any of the intervals contains the instant (a named interval is the union of its entries). */
export function isActive(intervals: readonly TimeInterval[], instant: Instant): boolean {
  return intervals.some((i) => i.contains(instant));
}

/**
 * Why a route is muted by time at an instant, as Alertmanager's TimeMuteStage and TimeActiveStage decide:
 * `mute` names the `mute_time_intervals` that contain it; `inactive` means the route has `active_time_intervals`
 * and none contains it. Mute wins over active, as in Alertmanager's pipeline order.
 */
export type TimeMute = { readonly kind: 'mute'; readonly intervals: readonly string[] } | { readonly kind: 'inactive' };

/**
 * Decides {@link TimeMute} for a route's interval names, or null when it may notify. The names were checked at
 * load time, so an unknown one is a bug and throws.
 */
export function timeMute(
  route: { readonly muteTimeIntervals: readonly string[]; readonly activeTimeIntervals: readonly string[] },
  intervals: TimeIntervals,
  now: Instant,
): TimeMute | null {
  const named = (name: string): readonly TimeInterval[] => {
    const found = intervals.get(name);
    if (found === undefined) throw new Error(`time interval ${JSON.stringify(name)} doesn't exist in config`);
    return found;
  };
  const muting = route.muteTimeIntervals.filter((name) => isActive(named(name), now));
  if (muting.length > 0) return { kind: 'mute', intervals: muting };
  if (route.activeTimeIntervals.length > 0 && !route.activeTimeIntervals.some((name) => isActive(named(name), now))) {
    return { kind: 'inactive' };
  }
  return null;
}

const WEEKDAYS: Readonly<Record<string, number>> = {
  sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6,
};
const WEEKDAY_NAMES = Object.keys(WEEKDAYS);
const MONTHS: Readonly<Record<string, number>> = {
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6,
  july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
};
const MONTH_NAMES = Object.keys(MONTHS);
const SHORT_WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const VALID_TIME = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;
const GO_ATOI = /^[+-]?[0-9]+$/;

function parseTimeRange(t: { start_time?: string; end_time?: string }, where: string): TimeRange {
  if (t.start_time === undefined || t.end_time === undefined || t.start_time === '' || t.end_time === '') {
    throw new ConfigError(`${where}: both start_time and end_time must be provided`);
  }
  const startMinute = parseClock(t.start_time, `${where}.start_time`);
  const endMinute = parseClock(t.end_time, `${where}.end_time`);
  if (startMinute >= endMinute) throw new ConfigError(`${where}: start_time must be before end_time`);
  return Object.freeze({ startMinute, endMinute });
}

function parseClock(s: string, where: string): number {
  if (!VALID_TIME.test(s)) throw new ConfigError(`${where}: couldn't parse timestamp ${s}, invalid format (expected HH:MM, 00:00 to 24:00)`);
  const [h, m] = s.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * Splits `a:b` (or `a`) into members as timeinterval.go's stringableRangeFromString does: lower-cased first,
 * exactly one colon at most.
 */
function splitRange(raw: string, where: string, member: (s: string) => number): InclusiveRange {
  const s = raw.toLowerCase();
  const parts = s.split(':');
  if (parts.length > 2) throw new ConfigError(`${where}: couldn't parse range ${s}, invalid format`);
  const begin = member(parts[0] as string);
  const end = parts.length === 2 ? member(parts[1] as string) : begin;
  return Object.freeze({ begin, end });
}

function parseWeekdayRange(raw: string, where: string): InclusiveRange {
  const r = splitRange(raw, where, (s) => {
    const d = WEEKDAYS[s];
    if (d === undefined || !Object.hasOwn(WEEKDAYS, s)) throw new ConfigError(`${where}: ${s} is not a valid weekday`);
    return d;
  });
  if (r.begin > r.end) {
    throw new ConfigError(`${where}: end day ${WEEKDAY_NAMES[r.end]} is before start day ${WEEKDAY_NAMES[r.begin]}`);
  }
  return r;
}

function parseDayOfMonthRange(raw: string, where: string): InclusiveRange {
  const r = splitRange(raw, where, (s) => atoi(s, where, 'day of the month'));
  for (const d of [r.begin, r.end]) {
    if (d === 0 || d < -31 || d > 31) throw new ConfigError(`${where}: ${d} is not a valid day of the month: out of range`);
  }
  // As Alertmanager: a negative start needs a negative end, and a range that is empty in every month (taking the
  // shortest, 28 days) is refused; others that are empty only in short months are allowed.
  if (r.begin < 0 && r.end > 0) throw new ConfigError(`${where}: end day must be negative if start day is negative`);
  const checkBegin = r.begin < 0 ? 28 + r.begin : r.begin;
  const checkEnd = r.end < 0 ? 28 + r.end : r.end;
  if (checkBegin > checkEnd) throw new ConfigError(`${where}: end day ${r.end} is always before start day ${r.begin}`);
  return r;
}

function parseMonthRange(raw: string, where: string): InclusiveRange {
  const r = splitRange(raw, where, (s) => {
    if (Object.hasOwn(MONTHS, s)) return MONTHS[s] as number;
    if (!GO_ATOI.test(s)) throw new ConfigError(`${where}: ${s} is not a valid month`);
    return Number(s);
  });
  // Alertmanager today accepts numbers outside 1-12 that then never match; refusing them catches the typo.
  for (const m of [r.begin, r.end]) {
    if (m < 1 || m > 12) throw new ConfigError(`${where}: ${m} is not a valid month: out of range`);
  }
  if (r.begin > r.end) throw new ConfigError(`${where}: end month ${MONTH_NAMES[r.end - 1]} is before start month ${MONTH_NAMES[r.begin - 1]}`);
  return r;
}

function parseYearRange(raw: string, where: string): InclusiveRange {
  const r = splitRange(raw, where, (s) => atoi(s, where, 'year'));
  if (r.begin > r.end) throw new ConfigError(`${where}: end year ${r.end} is before start year ${r.begin}`);
  return r;
}

function atoi(s: string, where: string, what: string): number {
  if (!GO_ATOI.test(s)) throw new ConfigError(`${where}: ${s} is not a valid ${what}`);
  return Number(s);
}

/** timeinterval.go's day-of-month test: negative days count from the month's end, then clamp to the month. */
function containsDay(r: InclusiveRange, c: CalendarFields): boolean {
  const days = daysInMonth(c.year, c.month);
  const begin = r.begin < 0 ? days + r.begin + 1 : r.begin;
  const end = r.end < 0 ? days + r.end + 1 : r.end;
  if (begin > days) return false; // a start after the month's end matches nothing (no clamping onto the last day)
  return c.day >= clamp(begin, -days, days) && c.day <= clamp(end, -days, days);
}

function clamp(n: number, min: number, max: number): number {
  return n <= min ? min : n >= max ? max : n;
}

/**
 * Calendar days in a month. Alertmanager divides the month's length in hours by 24, which in a zone whose clocks
 * spring forward that month gives one day less (743 h); counting calendar days keeps `-1` the last day there too.
 */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function utcCalendar(t: Instant): CalendarFields {
  const d = new Date(t);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
  };
}

/**
 * Reads instants in an IANA zone through Intl, which carries the tz database as Go's LoadLocation does. `Local`
 * (the machine's zone) is refused: a replay on another machine must decide the same.
 */
function zoneCalendar(zone: string, where: string): (t: Instant) => CalendarFields {
  if (zone === 'Local') throw new ConfigError(`${where}: "Local" depends on the machine; name an IANA time zone such as "Europe/Berlin"`);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone === '' ? 'UTC' : zone,
      year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
    });
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError(`${where}: unknown time zone ${JSON.stringify(zone)}`, { cause: err });
    throw err;
  }
  return (t) => {
    const parts: Record<string, string> = {};
    for (const p of format.formatToParts(t)) parts[p.type] = p.value;
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      weekday: SHORT_WEEKDAYS[parts.weekday as string] as number,
      minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
    };
  };
}
