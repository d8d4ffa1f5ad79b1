import { describe, expect, it } from 'vitest';
import { formatDuration, formatInstant, isGoZeroTime, parseDuration, parseRfc3339 } from '../../../src/model/index.js';

describe('parseRfc3339', () => {
  it.each([
    ['2026-03-01T10:00:00Z', Date.UTC(2026, 2, 1, 10, 0, 0)],
    ['2026-03-01T10:00:00.5Z', Date.UTC(2026, 2, 1, 10, 0, 0, 500)],
    ['2026-03-01T10:00:00.123Z', Date.UTC(2026, 2, 1, 10, 0, 0, 123)],
    // Go writes nanoseconds; they are truncated, not rounded.
    ['2020-02-06T00:17:58.432911368Z', Date.UTC(2020, 1, 6, 0, 17, 58, 432)],
    ['2026-03-01T10:00:00.999999999Z', Date.UTC(2026, 2, 1, 10, 0, 0, 999)],
    ['2026-03-01T15:30:00+05:30', Date.UTC(2026, 2, 1, 10, 0, 0)],
    ['2026-03-01T02:00:00.250-08:00', Date.UTC(2026, 2, 1, 10, 0, 0, 250)],
    // An offset that moves the instant into the previous UTC day.
    ['2026-03-01T00:30:00+01:00', Date.UTC(2026, 1, 28, 23, 30, 0)],
    ['2026-03-01t10:00:00z', Date.UTC(2026, 2, 1, 10, 0, 0)],
    ['2026-03-01 10:00:00Z', Date.UTC(2026, 2, 1, 10, 0, 0)],
    ['2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12, 0, 0)],
    ['1970-01-01T00:00:00Z', 0],
    ['9999-12-31T23:59:59Z', Date.UTC(9999, 11, 31, 23, 59, 59)],
    // Go's zero time.Time, which Alertmanager writes as the endsAt of firing alerts.
    ['0001-01-01T00:00:00Z', -62135596800000],
  ])('parses %s', (s, expected) => {
    expect(parseRfc3339(s)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['2026-03-01', 'a date alone'],
    ['2026-03-01T10:00:00', 'no zone'],
    ['2026-03-01T10:00:00+0100', 'an offset without colon'],
    ['2026-03-01T10:00Z', 'no seconds'],
    ['2026-03-01T10:00:00.Z', 'an empty fraction'],
    ['2026-02-30T10:00:00Z', 'February 30th'],
    ['2026-02-29T10:00:00Z', 'February 29th of a common year'],
    ['2026-13-01T10:00:00Z', 'month 13'],
    ['2026-03-01T24:00:00Z', 'hour 24'],
    ['2026-03-01T10:60:00Z', 'minute 60'],
    ['2026-03-01T23:59:60Z', 'a leap second, which Go rejects too'],
    ['2026-03-01T10:00:00+24:00', 'offset hour 24'],
    [' 2026-03-01T10:00:00Z', 'leading space'],
    ['yesterday', 'words'],
    ['1772359200000', 'epoch milliseconds as a string'],
  ])('rejects %s (%s)', (s) => {
    expect(parseRfc3339(s)).toBeNull();
  });
});

describe('isGoZeroTime', () => {
  it.each([
    ['0001-01-01T00:00:00Z', true],
    ['0000-06-01T00:00:00Z', true],
    ['0001-01-01T00:00:00.001Z', false],
    ['1970-01-01T00:00:00Z', false],
    ['2026-03-01T10:00:00Z', false],
  ])('%s → %s', (s, expected) => {
    expect(isGoZeroTime(parseRfc3339(s) as number)).toBe(expected);
  });
});

describe('formatInstant', () => {
  it('formats as RFC 3339 UTC with milliseconds, and parses back', () => {
    const ms = Date.UTC(2026, 2, 1, 10, 0, 0, 7);
    expect(formatInstant(ms)).toBe('2026-03-01T10:00:00.007Z');
    expect(parseRfc3339(formatInstant(ms))).toBe(ms);
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['100ms', 100],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1h0m', 3_600_000],
    ['30d', 30 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['1y2w3d4h5m6s7ms', 365 * 86_400_000 + 14 * 86_400_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6_000 + 7],
  ])('parses %s', (s, expected) => {
    expect(parseDuration(s)).toBe(expected);
  });

  it.each(['', '5', '1.5h', '-5m', '1m1h', 'ms', 'd', '5 m', '5M', 'soon'])('rejects %j', (s) => {
    expect(parseDuration(s)).toBeNull();
  });

  it.each([0, 100, 30_000, 5_400_000, 30 * 86_400_000, 90_061_001])('round-trips %d ms through formatDuration', (ms) => {
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('parseRfc3339 against Date.parse', () => {
  it('agrees on 5,000 seeded random instants in every zone form', () => {
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let k = 0; k < 5000; k++) {
      const ms = Math.floor(rand() * 8e12) - 2e12; // 1906..2223
      const iso = new Date(ms).toISOString(); // 2026-03-01T10:00:00.123Z
      const offset = Math.floor(rand() * 1440) - 720;
      const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
      const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
      expect(parseRfc3339(iso)).toBe(ms);
      expect(parseRfc3339(`${local}${zone}`)).toBe(ms);
      expect(parseRfc3339(`${local}456789${zone}`)).toBe(ms); // nanoseconds truncate to ms
      expect(parseRfc3339(`${iso.slice(0, 19)}Z`)).toBe(Date.parse(`${iso.slice(0, 19)}Z`));
    }
  });
});
