import { describe, expect, it } from 'vitest';
import { HISTORY_POINTS, HISTORY_STEP_MS, SloBook, type SloBookState, type SloSpec } from '../../../../src/engine/slo/index.js';
import { generateScenario, type SliPoint } from './sli-scenario.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

function slo(name: string, extra: Partial<SloSpec> = {}): SloSpec {
  return { name, objective: 99.9, periodMs: 30 * DAY, period: '30d', ...extra };
}

type Rates = { '5m': number | null; '1h': number | null; '6h': number | null };

/**
 * Feeds samples one grid point at a time from `grid` on and, after each 5-minute grid point, notes the burn rates
 * `status()` reports then (as float32, the history's precision). Returns the next grid point to evaluate.
 */
function run(book: SloBook, name: string, samples: readonly SliPoint[], grid: number, seen: Map<number, Rates>): number {
  let g = grid;
  const step = (limit: number): void => {
    for (; g <= limit; g += MINUTE) {
      book.evaluateUntil(g);
      const r = book.status(name)?.burnRates;
      if (g % HISTORY_STEP_MS !== 0 || r === undefined) continue;
      const f = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : Math.fround(x));
      if (seen.size > 0 || Object.values(r).some((x) => x !== null)) seen.set(g, { '5m': f(r['5m']), '1h': f(r['1h']), '6h': f(r['6h']) });
    }
  };
  for (const s of samples) {
    step(s.ts - 1);
    book.addSample(name, s.ts, s.good, s.total);
  }
  return g;
}

describe('SLO burn-rate history', () => {
  it('holds, at each 5-minute grid point, the 5m, 1h and 6h burn rates status() reported there', () => {
    const book = new SloBook([slo('a')]);
    const seen = new Map<number, Rates>();
    run(book, 'a', generateScenario(11, T0 + 1234, DAY), T0, seen);
    const history = book.history('a', T0, T0 + 2 * DAY);
    expect(history?.step).toBe(HISTORY_STEP_MS);
    const points = history?.points ?? [];
    expect(points.length).toBeGreaterThan(250);
    expect(points.some((p) => p.burnRates['1h'] !== null && p.burnRates['1h'] > 0)).toBe(true);
    for (const p of points) {
      const expected = seen.get(p.at);
      if (expected === undefined) expect(p.burnRates).toEqual({ '5m': null, '1h': null, '6h': null });
      else expect(p.burnRates, new Date(p.at).toISOString()).toEqual(expected);
    }
    expect(points.map((p) => p.at).filter((at) => seen.has(at))).toEqual([...seen.keys()]);
    expect(book.history('nope', T0, T0 + DAY)).toBeNull();
  });

  it('returns only the grid points in [from, to], oldest first', () => {
    const book = new SloBook([slo('a')]);
    run(book, 'a', generateScenario(3, T0, 3 * 3_600_000), T0, new Map());
    const from = T0 + 3_600_000 + 1;
    const to = T0 + 2 * 3_600_000;
    const ats = book.history('a', from, to)?.points.map((p) => p.at);
    expect(ats?.[0]).toBe(T0 + 3_600_000 + HISTORY_STEP_MS);
    expect(ats?.at(-1)).toBe(to);
    expect(ats?.length).toBe(12);
    expect(book.history('a', to, from)?.points).toEqual([]);
  });

  it('keeps the last 3 days: 864 points', () => {
    const book = new SloBook([slo('a')]);
    const samples = Array.from({ length: 4 * 24 * 60 }, (_, m) => ({ ts: T0 + m * MINUTE + 30_000, good: m * 990, total: m * 1000 }));
    const next = run(book, 'a', samples, T0, new Map());
    const points = book.history('a', 0, Number.MAX_SAFE_INTEGER)?.points ?? [];
    expect(points.length).toBe(HISTORY_POINTS);
    const last = Math.floor((next - MINUTE) / HISTORY_STEP_MS) * HISTORY_STEP_MS;
    expect(points[0]?.at).toBe(last - (HISTORY_POINTS - 1) * HISTORY_STEP_MS);
    expect(points.at(-1)?.at).toBe(last);
    expect(points.every((p) => p.burnRates['1h'] !== null && Math.abs(p.burnRates['1h'] - 10) < 0.01)).toBe(true);
  });

  it('restores mid-stream from a JSON snapshot to the same history as an uninterrupted run', () => {
    const samples = generateScenario(7, T0 + 777, 2 * DAY);
    const half = samples.findIndex((s) => s.ts > T0 + DAY);
    const straight = new SloBook([slo('a')]);
    run(straight, 'a', samples, T0, new Map());
    const first = new SloBook([slo('a')]);
    const grid = run(first, 'a', samples.slice(0, half), T0, new Map());
    const snapshot = JSON.parse(JSON.stringify(first.toJSON())) as SloBookState;
    const restored = SloBook.restore([slo('a')], snapshot);
    expect(restored.history('a', 0, T0 + 3 * DAY)).toEqual(first.history('a', 0, T0 + 3 * DAY));
    run(restored, 'a', samples.slice(half), grid, new Map());
    expect(restored.history('a', 0, T0 + 3 * DAY)).toEqual(straight.history('a', 0, T0 + 3 * DAY));
    expect(restored.toJSON()).toEqual(straight.toJSON());
    expect(restored.docs()).toEqual(straight.docs());
  });

  it('restores a snapshot written before the history existed with an empty history that then fills', () => {
    const book = new SloBook([slo('a')]);
    const samples = Array.from({ length: 120 }, (_, m) => ({ ts: T0 + m * MINUTE + 30_000, good: m * 999, total: m * 1000 }));
    const grid = run(book, 'a', samples.slice(0, 60), T0, new Map());
    const state = book.toJSON();
    const old: SloBookState = { ...state, slos: state.slos.map(({ history: _history, ...rest }) => rest) };
    const restored = SloBook.restore([slo('a')], old);
    expect(restored.history('a', 0, T0 + DAY)?.points).toEqual([]);
    expect(restored.docs()).toEqual(book.docs());
    run(restored, 'a', samples.slice(60), grid, new Map());
    const points = restored.history('a', 0, T0 + DAY)?.points ?? [];
    expect(points[0]?.at).toBe(T0 + 60 * MINUTE);
    expect(points.length).toBe(12);
  });
});
