/** Epoch milliseconds. Inside stormcell all instants are numbers; RFC 3339 appears only at the edges. */
export type Instant = number;

/**
 * Parses an RFC 3339 timestamp into an Instant, or returns null when it is not one.
 * Fractions beyond milliseconds (Go writes nanoseconds) are truncated, as Alertmanager's ms-resolution UI does.
 * Hand-written rather than a regex plus Date.parse: it runs twice per received alert on the ingest hot path.
 */
export function parseRfc3339(s: string): Instant | null {
  const len = s.length;
  if (len < 20) return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if ((year | month | day | hour | minute | second) < 0) return null;
  const t = s.charCodeAt(10);
  if (s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) return null;
  if (t !== 0x54 /* T */ && t !== 0x74 /* t */ && t !== 0x20) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  let i = 19;
  let millis = 0;
  if (s.charCodeAt(i) === 0x2e /* . */) {
    const start = ++i;
    while (i < len && isDigit(s.charCodeAt(i))) i++;
    if (i === start) return null;
    for (let k = 0; k < 3; k++) millis = millis * 10 + (start + k < i ? s.charCodeAt(start + k) - 0x30 : 0);
  }
  let offsetMinutes = 0;
  const z = s.charCodeAt(i);
  if (z === 0x5a /* Z */ || z === 0x7a /* z */) {
    if (i + 1 !== len) return null;
  } else if (z === 0x2b /* + */ || z === DASH) {
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (i + 6 !== len || s.charCodeAt(i + 3) !== COLON || oh < 0 || om < 0 || oh > 23 || om > 59) return null;
    offsetMinutes = (z === DASH ? -1 : 1) * (oh * 60 + om);
  } else return null;
  // Date.UTC maps years 0-99 to 1900-1999; shifting by one 400-year Gregorian cycle (146097 days) avoids that
  // for Go's zero time (year 1) and keeps every other year exact.
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - CYCLE_MS - offsetMinutes * 60_000;
}

const DASH = 0x2d;
const COLON = 0x3a;
const CYCLE_MS = 146_097 * 86_400_000;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The number in s[at, at+n) when all are ASCII digits, else -1. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let k = at; k < at + n; k++) {
    const c = s.charCodeAt(k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Go's zero time.Time (0001-01-01T00:00:00Z), which Alertmanager writes as the `endsAt` of firing alerts.
 * Anything at or before year 1 is "unset".
 */
const ZERO_CUTOFF = -62135596800000; // 0001-01-01T00:00:00Z

/** True for Go's zero time, which means "not set" in Alertmanager payloads. */
export function isGoZeroTime(ms: Instant): boolean {
  return ms <= ZERO_CUTOFF;
}

/** Formats an Instant as RFC 3339 UTC with milliseconds: `2026-03-01T10:00:00.000Z`. */
export function formatInstant(ms: Instant): string {
  return new Date(ms).toISOString();
}

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/**
 * Parses a Prometheus duration (`30s`, `5m`, `1h30m`, `30d`) into milliseconds, or returns null.
 * `0` alone is accepted, as Prometheus accepts it.
 */
export function parseDuration(s: string): number | null {
  if (s === '0') return 0;
  if (s === '') return null;
  const m = DURATION.exec(s);
  if (m === null) return null;
  let total = 0;
  for (let i = 1; i <= 7; i++) {
    const v = m[i];
    if (v !== undefined) total += Number(v) * (UNIT_MS[i - 1] as number);
  }
  return total;
}

/** Formats milliseconds as the shortest Prometheus duration string (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = ms;
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out;
}
