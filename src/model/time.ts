/** Epoch milliseconds. Inside stormcell all instants are numbers; RFC 3339 appears only at the edges. */
export type Instant = number;

/** A source of the current instant. The engine never reads the wall clock; callers pass `now` in. */
export interface Clock {
  now(): Instant;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp into an Instant, or returns null when it is not one.
 * Fractions beyond milliseconds (Go writes nanoseconds) are truncated, as Alertmanager's ms-resolution UI does.
 */
export function parseRfc3339(s: string): Instant | null {
  const m = RFC3339.exec(s);
  if (m === null) return null;
  const frac = m[7] === undefined ? '' : m[7].slice(0, 4); // ".123"
  const normalized = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}${m[8] === 'z' ? 'Z' : m[8]}`;
  const ms = Date.parse(normalized);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March; a real calendar date must round-trip.
  const back = new Date(ms + offsetMs(m[8] as string));
  if (back.getUTCDate() !== Number(m[3]) || back.getUTCMonth() + 1 !== Number(m[2])) return null;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return null;
  return ms;
}

function offsetMs(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
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
