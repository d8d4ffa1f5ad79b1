import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { isActive, TimeInterval, timeMute, type TimeIntervalSpec } from '../../../src/route/index.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC822Z (`02 Jan 06 15:04 -0700`), which timeinterval_test.go writes its instants in. */
function at(s: string): number {
  const m = /^(\d{1,2}) (\w{3}) (\d{2}) (\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (m === null) throw new Error(`bad test time ${s}`);
  const [, d, mon, y, hh, mm, sign, oh, om] = m as unknown as string[];
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return Date.UTC(2000 + Number(y), MONTHS.indexOf(mon!), Number(d), Number(hh), Number(mm)) - offset;
}

const interval = (spec: TimeIntervalSpec): TimeInterval => TimeInterval.parse(spec, 'ti');

describe('TimeInterval.contains', () => {
  // timeinterval_test.go timeIntervalTestCases, yamlUnmarshalTestCases and completeTestCases.
  it.each<[string, TimeIntervalSpec, string[], string[]]>([
    ['an empty interval contains everything', {}, ['02 Jan 06 15:04 +0000', '03 Jan 07 10:04 +0000', '04 Jan 06 09:04 +0000'], []],
    ['9am to 5pm, monday to friday', { times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'] },
      ['04 May 20 15:04 +0000', '05 May 20 10:04 +0000', '09 Jun 20 09:04 +0000'],
      ['03 May 20 15:04 +0000', '04 May 20 08:59 +0000', '05 May 20 05:00 +0000']],
    ['the end minute is excluded', { times: [{ start_time: '09:00', end_time: '17:00' }] },
      ['08 Jul 20 09:00 +0000', '08 Jul 20 16:59 +0000'], ['08 Jul 20 17:00 +0000', '08 Jul 20 08:59 +0000']],
    ['Easter 2020', { days_of_month: ['4:6'], months: ['april'], years: ['2020'] },
      ['04 Apr 20 15:04 +0000', '05 Apr 20 00:00 +0000', '06 Apr 20 23:05 +0000'],
      ['03 May 18 15:04 +0000', '03 Apr 20 23:59 +0000', '04 Jun 20 23:59 +0000', '06 Apr 19 23:59 +0000', '07 Apr 20 00:00 +0000']],
    ['the last 3 days of each month', { days_of_month: ['-3:-1'] },
      ['31 Jan 20 15:04 +0000', '30 Jan 20 15:04 +0000', '29 Jan 20 15:04 +0000', '30 Jun 20 00:00 +0000', '29 Feb 20 23:05 +0000'],
      ['03 May 18 15:04 +0000', '27 Jan 20 15:04 +0000', '03 Apr 20 23:59 +0000', '04 Jun 20 23:59 +0000', '06 Apr 19 23:59 +0000', '07 Apr 20 00:00 +0000', '01 Mar 20 00:00 +0000']],
    ['out of bound days are clamped to the month (upstream uses -31:31, which its own parser refuses)', { months: ['6'], days_of_month: ['-31:-1', '1:31'] },
      ['30 Jun 20 00:00 +0000', '01 Jun 20 00:00 +0000'], ['31 May 20 00:00 +0000', '1 Jul 20 00:00 +0000']],
    ['AEST 9am to 5pm, monday to friday', { times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'], location: 'Australia/Sydney' },
      ['06 Apr 21 13:00 +1000'], ['06 Apr 21 13:00 +0000']],
    ['Sydney during daylight saving time', { times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'], months: ['11'], location: 'Australia/Sydney' },
      ['01 Nov 21 09:00 +1100', '31 Oct 21 22:00 +0000'], ['31 Oct 21 21:00 +0000']],
    ['last week of Q1 but Saturday, business hours, 2020-2025 and 2030-2035', {
      weekdays: ['monday:friday', 'sunday'], months: ['january:march'], days_of_month: ['-7:-1'], years: ['2020:2025', '2030:2035'],
      times: [{ start_time: '09:00', end_time: '17:00' }],
    }, ['27 Jan 21 09:00 +0000', '28 Jan 21 16:59 +0000', '29 Jan 21 13:00 +0000', '31 Mar 25 13:00 +0000', '31 Jan 35 13:00 +0000'],
    ['30 Jan 21 13:00 +0000', '01 Apr 21 13:00 +0000', '30 Jan 26 13:00 +0000', '31 Jan 35 17:01 +0000']],
    ['a mix of every field', {
      weekdays: ['monday:wednesday', 'saturday', 'sunday'], times: [{ start_time: '13:00', end_time: '15:00' }],
      days_of_month: ['1', '10', '20:-1'], years: ['2020:2023'], months: ['january:march'],
    }, ['10 Jan 21 13:00 +0000', '30 Jan 21 14:24 +0000'], ['09 Jan 21 13:00 +0000', '20 Jan 21 12:59 +0000', '02 Feb 21 13:00 +0000']],
    ['a start day after the month end is not clamped onto its last day', { days_of_month: ['30:31'], years: ['2020:2023'], months: ['february'] },
      [], ['28 Feb 21 13:00 +0000']],
    ['months by number and name, bare numbers as YAML reads them', { months: ['1:3', 'may'], days_of_month: [1, 15] },
      ['01 Feb 21 10:00 +0000', '15 May 21 10:00 +0000'], ['02 Feb 21 10:00 +0000', '01 Apr 21 10:00 +0000']],
    ['24:00 ends the day', { times: [{ start_time: '18:00', end_time: '24:00' }] }, ['01 Feb 21 23:59 +0000', '01 Feb 21 18:00 +0000'], ['02 Feb 21 00:00 +0000']],
    ['an empty list matches nothing', { weekdays: [] }, [], ['01 Feb 21 10:00 +0000']],
    ['-1 is the last calendar day in a month the clocks spring forward', { days_of_month: ['-1'], location: 'Europe/Berlin' },
      ['31 Mar 21 12:00 +0200'], ['30 Mar 21 12:00 +0200']],
  ])('%s', (_name, spec, inside, outside) => {
    const ti = interval(spec);
    for (const s of inside) expect(ti.contains(at(s)), s).toBe(true);
    for (const s of outside) expect(ti.contains(at(s)), s).toBe(false);
  });
});

describe('TimeInterval.parse', () => {
  it.each<[TimeIntervalSpec, Partial<TimeInterval>]>([
    [{ months: ['January:december'] }, { months: [{ begin: 1, end: 12 }] }],
    [{ days_of_month: ['1:-1'] }, { daysOfMonth: [{ begin: 1, end: -1 }] }],
    [{ weekdays: ['Monday:FRIDAY', 'sunday'] }, { weekdays: [{ begin: 1, end: 5 }, { begin: 0, end: 0 }] }],
    [{ times: [{ start_time: '00:00', end_time: '24:00' }] }, { times: [{ startMinute: 0, endMinute: 1440 }] }],
    [{ times: [{ start_time: '01:35', end_time: '17:39' }] }, { times: [{ startMinute: 95, endMinute: 1059 }] }],
    [{ years: ['2020:2022'], location: 'Australia/Sydney' }, { years: [{ begin: 2020, end: 2022 }], location: 'Australia/Sydney' }],
  ])('%j', (spec, expected) => {
    expect(interval(spec)).toMatchObject(expected);
  });

  it.each<[TimeIntervalSpec, string]>([
    [{ times: [{ start_time: '01:99', end_time: '23:59' }] }, 'ti.times[0].start_time: couldn\'t parse timestamp 01:99, invalid format (expected HH:MM, 00:00 to 24:00)'],
    [{ times: [{ start_time: '00:00', end_time: '99:99' }] }, 'ti.times[0].end_time: couldn\'t parse timestamp 99:99, invalid format (expected HH:MM, 00:00 to 24:00)'],
    [{ times: [{ start_time: '12:30', end_time: '24:01' }] }, 'ti.times[0].end_time: couldn\'t parse timestamp 24:01, invalid format (expected HH:MM, 00:00 to 24:00)'],
    [{ times: [{ start_time: '17:31', end_time: '17:31' }] }, 'ti.times[0]: start_time must be before end_time'],
    [{ times: [{ start_time: '09:30', end_time: '07:41' }] }, 'ti.times[0]: start_time must be before end_time'],
    [{ times: [{ start_time: '14:03' }] }, 'ti.times[0]: both start_time and end_time must be provided'],
    [{ weekdays: ['friday:monday'] }, 'ti.weekdays[0]: end day monday is before start day friday'],
    [{ weekdays: ['monday', 'blurgsday:flurgsday'] }, 'ti.weekdays[1]: blurgsday is not a valid weekday'],
    [{ weekdays: ['1:3'] }, 'ti.weekdays[0]: 1 is not a valid weekday'],
    [{ weekdays: ['-2:-1'] }, 'ti.weekdays[0]: -2 is not a valid weekday'],
    [{ weekdays: ['constructor'] }, 'ti.weekdays[0]: constructor is not a valid weekday'],
    [{ weekdays: ['monday:tuesday:friday'] }, 'ti.weekdays[0]: couldn\'t parse range monday:tuesday:friday, invalid format'],
    [{ days_of_month: ['0'] }, 'ti.days_of_month[0]: 0 is not a valid day of the month: out of range'],
    [{ days_of_month: ['-50:-20'] }, 'ti.days_of_month[0]: -50 is not a valid day of the month: out of range'],
    [{ days_of_month: ['1:50'] }, 'ti.days_of_month[0]: 50 is not a valid day of the month: out of range'],
    [{ days_of_month: ['-15:5'] }, 'ti.days_of_month[0]: end day must be negative if start day is negative'],
    [{ days_of_month: ['10:-25'] }, 'ti.days_of_month[0]: end day -25 is always before start day 10'],
    [{ days_of_month: ['first'] }, 'ti.days_of_month[0]: first is not a valid day of the month'],
    [{ months: ['martius:june'] }, 'ti.months[0]: martius is not a valid month'],
    [{ months: ['march:junius'] }, 'ti.months[0]: junius is not a valid month'],
    [{ months: ['december:january'] }, 'ti.months[0]: end month january is before start month december'],
    [{ months: ['13'] }, 'ti.months[0]: 13 is not a valid month: out of range'],
    [{ years: ['2022:2020'] }, 'ti.years[0]: end year 2020 is before start year 2022'],
    [{ location: 'Mars/Olympus_Mons' }, 'ti.location: unknown time zone "Mars/Olympus_Mons"'],
    [{ location: 'Local' }, 'ti.location: "Local" depends on the machine; name an IANA time zone such as "Europe/Berlin"'],
  ])('refuses %j', (spec, message) => {
    expect(() => interval(spec)).toThrow(new ConfigError(message));
  });
});

describe('isActive and timeMute', () => {
  const weekends = [interval({ weekdays: ['saturday', 'sunday'] })];
  const business = [interval({ weekdays: ['monday:friday'], times: [{ start_time: '09:00', end_time: '17:00' }] })];
  const nights = [interval({ times: [{ start_time: '00:00', end_time: '06:00' }] }), interval({ times: [{ start_time: '22:00', end_time: '24:00' }] })];
  const named = new Map([['weekends', weekends], ['business', business], ['nights', nights], ['never', []]]);
  const SAT_NOON = at('06 Feb 21 12:00 +0000');
  const MON_NOON = at('08 Feb 21 12:00 +0000');
  const MON_LATE = at('08 Feb 21 23:00 +0000');

  it('a named interval is the union of its entries', () => {
    expect(isActive(nights, MON_LATE)).toBe(true);
    expect(isActive(nights, at('08 Feb 21 03:00 +0000'))).toBe(true);
    expect(isActive(nights, MON_NOON)).toBe(false);
    expect(isActive([], MON_NOON)).toBe(false);
  });

  it.each<[string, string[], string[], number, ReturnType<typeof timeMute>]>([
    ['no intervals: never muted', [], [], SAT_NOON, null],
    ['inside a mute interval', ['weekends', 'nights'], [], SAT_NOON, { kind: 'mute', intervals: ['weekends'] }],
    ['inside two mute intervals', ['weekends', 'nights'], [], at('06 Feb 21 23:00 +0000'), { kind: 'mute', intervals: ['weekends', 'nights'] }],
    ['outside the mute intervals', ['weekends'], [], MON_NOON, null],
    ['inside an active interval', [], ['business'], MON_NOON, null],
    ['outside every active interval', [], ['business'], SAT_NOON, { kind: 'inactive' }],
    ['an active interval with no entries never is', [], ['never'], MON_NOON, { kind: 'inactive' }],
    ['mute wins over active', ['nights'], ['business', 'nights'], MON_LATE, { kind: 'mute', intervals: ['nights'] }],
  ])('%s', (_name, mute, active, now, expected) => {
    expect(timeMute({ muteTimeIntervals: mute, activeTimeIntervals: active }, named, now)).toEqual(expected);
  });

  it('an unknown name is a bug: config checks rule it out', () => {
    expect(() => timeMute({ muteTimeIntervals: ['typo'], activeTimeIntervals: [] }, named, MON_NOON)).toThrow(/doesn't exist/);
  });
});
