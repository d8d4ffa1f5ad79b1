import { describe, expect, it } from 'vitest';
import { BURN_WINDOWS, HISTORY_POINTS, SloBook, type SloSpec } from '../../../../src/engine/slo/index.js';
import { generateScenario, type DataGap, type SliPoint } from './sli-scenario.js';

/**
 * The streaming windows (minute ring of first samples, hour ring for the period, reset offsets) against a brute-force
 * reference that keeps every sample and applies Prometheus 2.42's extrapolatedRate literally, at every grid point of
 * irregular scenarios with bursts, gaps longer than the windows, counter resets and more than 3 days of data (the
 * ring wraps around). The same for the exact semantics against a literal sum of deltas.
 */
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const BUDGET = 0.001;
const START = Date.UTC(2026, 2, 1, 0, 0, 17, 123);

type Pick = (s: SliPoint) => number;
const good: Pick = (s) => s.good;
const total: Pick = (s) => s.total;

/** Index of the first sample with ts >= t. */
function lowerBound(samples: readonly SliPoint[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((samples[mid] as SliPoint).ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Prometheus 2.42 promql/functions.go extrapolatedRate for rate(): samples from index `from` up to the last one at or
 * before `end`, range `[rangeStart, end]`. Written out independently of src/ on purpose.
 */
function referenceRate(samples: readonly SliPoint[], from: number, rangeStart: number, end: number, pick: Pick): number | null {
  const to = lowerBound(samples, end + 1);
  if (to - from < 2) return null;
  const first = samples[from] as SliPoint;
  const last = samples[to - 1] as SliPoint;
  let resultValue = pick(last) - pick(first);
  let lastValue = 0;
  for (let i = from; i < to; i++) {
    const v = pick(samples[i] as SliPoint);
    if (v < lastValue) resultValue += lastValue;
    lastValue = v;
  }
  let durationToStart = (first.ts - rangeStart) / 1000;
  const durationToEnd = (end - last.ts) / 1000;
  const sampledInterval = (last.ts - first.ts) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (to - from - 1);
  if (resultValue > 0 && pick(first) >= 0) {
    const durationToZero = sampledInterval * (pick(first) / resultValue);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval += durationToStart < extrapolationThreshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < extrapolationThreshold ? durationToEnd : averageDurationBetweenSamples / 2;
  resultValue = resultValue * (extrapolateToInterval / sampledInterval);
  return resultValue / ((end - rangeStart) / 1000);
}

/** Burn rate over [t-w, t] the Prometheus way, null for no value or NaN. */
function referencePrometheus(samples: readonly SliPoint[], t: number, w: number, from = lowerBound(samples, t - w)): number | null {
  const g = referenceRate(samples, from, t - w, t, good);
  const tt = referenceRate(samples, from, t - w, t, total);
  if (g === null || tt === null) return null;
  const burn = (tt - g) / tt / BUDGET;
  return Number.isNaN(burn) ? null : burn;
}

/** Burn rate of every delta whose later sample lies in (start, t], null when no events. */
function referenceExact(samples: readonly SliPoint[], start: number, t: number): number | null {
  let dg = 0;
  let dt = 0;
  for (let i = Math.max(1, lowerBound(samples, start + 1)); i < samples.length && (samples[i] as SliPoint).ts <= t; i++) {
    const s = samples[i] as SliPoint;
    const p = samples[i - 1] as SliPoint;
    dg += s.good < p.good ? s.good : s.good - p.good;
    dt += s.total < p.total ? s.total : s.total - p.total;
  }
  const burn = (dt - dg) / dt / BUDGET;
  return Number.isNaN(burn) ? null : burn;
}

function spec(name: string, period: string, periodMs: number, semantics: 'prometheus' | 'exact'): SloSpec {
  return { name, objective: 99.9, period, periodMs, semantics };
}

function close(a: number | null | undefined, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return a !== undefined && (a === b || Math.abs(a - b) <= 1e-12 * Math.abs(b));
}

/**
 * Feeds the samples to every spec and calls `check(g, status)` at every grid point from the first sample to the end
 * (evaluating g before any sample after g, as the engine does).
 */
function walk(book: SloBook, names: readonly string[], samples: readonly SliPoint[], check: (g: number) => void): void {
  let g = Math.ceil((samples[0] as SliPoint).ts / MINUTE) * MINUTE;
  const step = (limit: number): void => {
    for (; g <= limit; g += MINUTE) {
      book.evaluateUntil(g);
      check(g);
    }
  };
  for (const s of samples) {
    step(s.ts - 1);
    for (const n of names) expect(book.addSample(n, s.ts, s.good, s.total)).toBe('accepted');
  }
  step((samples[samples.length - 1] as SliPoint).ts + 4 * DAY);
}

const SCENARIOS: Array<[string, number, number, DataGap[]]> = [
  ['5 days with gaps of 8 h and 30 h (longer than 6h and 1d)', 1, 5 * DAY, [{ afterMs: 20 * HOUR, lengthMs: 8 * HOUR }, { afterMs: 50 * HOUR, lengthMs: 30 * HOUR }]],
  ['a gap of 3.5 days (longer than the whole ring) between two days of data', 2, 5.5 * DAY, [{ afterMs: DAY, lengthMs: 3.5 * DAY }]],
  ['4.5 days without gaps (the ring wraps around)', 3, 4.5 * DAY, []],
];

describe.each(SCENARIOS)('streaming windows vs brute force: %s', (_name, seed, duration, gaps) => {
  const samples = generateScenario(seed, START, duration, gaps);

  it('the scenario has bursts, resets and gaps to exercise', () => {
    let perMinute = 0;
    let resets = 0;
    let longestGap = 0;
    for (let i = 1; i < samples.length; i++) {
      const s = samples[i] as SliPoint;
      const p = samples[i - 1] as SliPoint;
      if (Math.floor(s.ts / MINUTE) === Math.floor(p.ts / MINUTE)) perMinute++;
      if (s.total < p.total || s.good < p.good) resets++;
      longestGap = Math.max(longestGap, s.ts - p.ts);
    }
    expect(perMinute).toBeGreaterThan(100);
    expect(resets).toBeGreaterThan(0);
    if (gaps.length > 0) expect(longestGap).toBeGreaterThanOrEqual(8 * HOUR);
  });

  it('gives Prometheus burn rates equal to the reference at every grid point, every window', () => {
    const names = ['p30d', 'p2d'];
    const book = new SloBook([spec('p30d', '30d', 30 * DAY, 'prometheus'), spec('p2d', '2d', 2 * DAY, 'prometheus')]);
    const problems: string[] = [];
    let compared = 0;
    walk(book, names, samples, (g) => {
      for (const [name, period, periodMs] of [['p30d', '30d', 30 * DAY], ['p2d', '2d', 2 * DAY]] as const) {
        const st = book.status(name);
        const windows = [...BURN_WINDOWS.map((w) => [w.key, w.ms] as const), [period, periodMs] as const];
        for (const [key, ms] of windows) {
          const want = referencePrometheus(samples, g, ms);
          const got = st?.burnRates[key];
          compared++;
          if (!close(got, want) && problems.length < 20) problems.push(`${name} g=${(g - START) / MINUTE} min ${key}: want ${want}, got ${got}`);
        }
      }
    });
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(10_000);
  });

  it('gives exact-semantics burn rates equal to a literal sum of deltas at every grid point', () => {
    const names = ['e30d', 'e2d'];
    const book = new SloBook([spec('e30d', '30d', 30 * DAY, 'exact'), spec('e2d', '2d', 2 * DAY, 'exact')]);
    const problems: string[] = [];
    walk(book, names, samples, (g) => {
      for (const [name, period, periodMs] of [['e30d', '30d', 30 * DAY], ['e2d', '2d', 2 * DAY]] as const) {
        const st = book.status(name);
        for (const [key, ms] of [...BURN_WINDOWS.map((w) => [w.key, w.ms] as const), [period, periodMs] as const]) {
          const want = referenceExact(samples, g - ms, g);
          const got = st?.burnRates[key];
          if (!close(got, want) && problems.length < 20) problems.push(`${name} g=${(g - START) / MINUTE} min ${key}: want ${want}, got ${got}`);
        }
      }
    });
    expect(problems).toEqual([]);
  });
});

describe('the SLO period beyond the minute ring', () => {
  // 6 days of data, period 4d: after 4 days the period's start is older than the 3d minute ring.
  const samples = generateScenario(11, START, 6 * DAY);
  const period = 4 * DAY;

  it('resolves its start to the hour: exact on the hour, else from the first sample of the next hour', () => {
    const book = new SloBook([spec('p4d', '4d', period, 'prometheus'), spec('e4d', '4d', period, 'exact')]);
    const problems: string[] = [];
    let onTheHour = 0;
    let approximated = 0;
    walk(book, ['p4d', 'e4d'], samples, (g) => {
      const start = g - period;
      const firstTs = (samples[0] as SliPoint).ts;
      const lastTs = (samples[lowerBound(samples, g + 1) - 1] as SliPoint).ts;
      // The minute ring (4321 buckets) still answers while it holds start's minute: exactly.
      const promCovered = Math.floor(lastTs / MINUTE) - Math.floor(firstTs / MINUTE) < 4321 || Math.floor(start / MINUTE) >= Math.floor(lastTs / MINUTE) - 4320;
      const exactCovered = Math.ceil(lastTs / MINUTE) - Math.ceil(firstTs / MINUTE) < 4321 || start / MINUTE >= Math.ceil(lastTs / MINUTE) - 4320;
      // Else the hour ring answers: the first sample of start's hour if it is not before start, else the first
      // sample of the next hour (Prometheus' formula still measures durationToStart from the true start).
      const hourFirst = lowerBound(samples, Math.floor(start / HOUR) * HOUR);
      const exactFirst = lowerBound(samples, start);
      const from =
        promCovered || (hourFirst < samples.length && (samples[hourFirst] as SliPoint).ts >= start) ? exactFirst : lowerBound(samples, Math.ceil(start / HOUR) * HOUR);
      const wantProm = referencePrometheus(samples, g, period, from);
      const gotProm = book.status('p4d')?.burnRates['4d'];
      if (!close(gotProm, wantProm) && problems.length < 20) problems.push(`prometheus g=${(g - START) / MINUTE}: want ${wantProm}, got ${gotProm}`);
      const exactStart = start < firstTs || exactCovered ? start : Math.ceil(start / HOUR) * HOUR;
      const wantExact = referenceExact(samples, exactStart, g);
      const gotExact = book.status('e4d')?.burnRates['4d'];
      if (!close(gotExact, wantExact) && problems.length < 20) problems.push(`exact g=${(g - START) / MINUTE}: want ${wantExact}, got ${gotExact}`);
      if (g % HOUR === 0 && !promCovered && start > firstTs) {
        onTheHour++;
        // On the hour the period window is exact again.
        if (!close(gotProm, referencePrometheus(samples, g, period)) && problems.length < 20) problems.push(`on the hour g=${g}: not exact`);
        if (!close(gotExact, referenceExact(samples, start, g)) && problems.length < 20) problems.push(`exact on the hour g=${g}: not exact`);
      }
      if (from !== exactFirst) approximated++;
    });
    expect(problems).toEqual([]);
    expect(onTheHour).toBeGreaterThan(20);
    expect(approximated).toBeGreaterThan(100);
  });

  it('keeps memory bounded: retained bytes stop growing once the rings are full', () => {
    const book = new SloBook([spec('p30d', '30d', 30 * DAY, 'prometheus')]);
    const long = generateScenario(12, START, 9 * DAY);
    let at4d = 0;
    for (const s of long) {
      if (at4d === 0 && s.ts - START > 4 * DAY) at4d = book.retainedBytes();
      book.evaluateUntil(s.ts - 1);
      book.addSample('p30d', s.ts, s.good, s.total);
    }
    const at9d = book.retainedBytes();
    // Minute ring 4321 × 22 B; the 30d hour ring still grows by doubling until it holds 721 hours; the burn-rate
    // history is 3 float32 rings of 864 points, allocated up front.
    const history = 3 * HISTORY_POINTS * 4 + 64;
    expect(at4d).toBeGreaterThan(4321 * 22 + history);
    expect(at9d).toBeLessThan(4321 * 22 + 721 * 24 + history + 4096);
    expect(at9d - at4d).toBeLessThan(721 * 24);
  });
});
