import { describe, expect, it } from 'vitest';
import { BURN_RULES, SloBook, scaleFactor, type SloBookState, type SloSpec, type SloTransition } from '../../../../src/engine/slo/index.js';
import { generateScenario, type SliPoint } from './sli-scenario.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

function slo(name: string, extra: Partial<SloSpec> = {}): SloSpec {
  return { name, objective: 99.9, periodMs: 30 * DAY, period: '30d', ...extra };
}

/** Steady traffic for one SLO: `perMinute` requests a minute, `bad` of them failing, a sample at :30 of each minute. */
function steady(minutes: number, perMinute: number, bad: number, from = T0): SliPoint[] {
  return Array.from({ length: minutes }, (_, m) => ({ ts: from + m * MINUTE + 30_000, good: m * (perMinute - bad), total: m * perMinute }));
}

/** Feeds samples to the named SLOs the way the engine does: evaluate up to just before each sample, then add it. */
function feed(book: SloBook, names: readonly string[], samples: readonly SliPoint[], out: SloTransition[]): void {
  for (const s of samples) {
    out.push(...book.evaluateUntil(s.ts - 1));
    for (const n of names) book.addSample(n, s.ts, s.good, s.total);
  }
}

/**
 * Like {@link feed}, but evaluates one grid point at a time from `grid` on and records every SLO's status after each,
 * so that a skipped or repeated evaluation shows. Returns the next grid point to evaluate.
 */
function feedGridByGrid(book: SloBook, names: readonly string[], samples: readonly SliPoint[], grid: number, until: number | null, out: SloTransition[], seen: string[]): number {
  let g = grid;
  const step = (limit: number): void => {
    for (; g <= limit; g += MINUTE) {
      out.push(...book.evaluateUntil(g));
      seen.push(`${g} ${JSON.stringify(names.map((n) => book.status(n)))}`);
    }
  };
  for (const s of samples) {
    step(s.ts - 1);
    for (const n of names) book.addSample(n, s.ts, s.good, s.total);
  }
  if (until !== null) step(until);
  return g;
}

describe('SloBook samples', () => {
  it('drops a sample at or before the last one of its SLO and says so, leaving the SLO unchanged', () => {
    const book = new SloBook([slo('a')]);
    const clean = new SloBook([slo('a')]);
    expect(book.addSample('a', T0 + 30_000, 10, 10)).toBe('accepted');
    expect(book.addSample('a', T0 + 90_000, 20, 21)).toBe('accepted');
    expect(book.addSample('a', T0 + 90_000, 25, 30)).toBe('out-of-order'); // same time, other values
    expect(book.addSample('a', T0 + 90_000, 20, 21)).toBe('out-of-order'); // exact duplicate
    expect(book.addSample('a', T0 + 60_000, 15, 15)).toBe('out-of-order');
    expect(book.addSample('b', T0 + 120_000, 1, 1)).toBe('unknown-slo');
    clean.addSample('a', T0 + 30_000, 10, 10);
    clean.addSample('a', T0 + 90_000, 20, 21);
    book.evaluateUntil(T0 + 120_000);
    clean.evaluateUntil(T0 + 120_000);
    expect(book.docs()).toEqual(clean.docs());
    // The zero clamp differs between the two counters (10/10 vs 10/11 of the interval): rates 1500 and 1590 per 18000 s.
    expect(book.docs()[0]?.burnRates['5m']).toBeCloseTo(90 / 1590 / 0.001, 9);
  });

  it('accepts a late sample that is in order for its own SLO', () => {
    const book = new SloBook([slo('a'), slo('b')]);
    book.addSample('a', T0 + 30_000, 0, 0);
    book.addSample('a', T0 + 400_000, 10, 10);
    expect(book.addSample('b', T0 + 100_000, 0, 0)).toBe('accepted');
  });

  it('refuses counters that are negative or not finite, and specs it cannot evaluate', () => {
    const book = new SloBook([slo('a')]);
    expect(() => book.addSample('a', T0, -1, 0)).toThrow(RangeError);
    expect(() => book.addSample('a', T0, 0, Number.NaN)).toThrow(RangeError);
    expect(() => book.addSample('a', T0, 0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => new SloBook([slo('a', { periodMs: 90_500, period: '1m30s500ms' })])).toThrow(/whole number of minutes/);
    expect(() => new SloBook([slo('a'), slo('a')])).toThrow(/twice/);
  });
});

describe('SloBook evaluation', () => {
  it('starts at the first grid point at or after the first sample and reports every window and the period', () => {
    const book = new SloBook([slo('a'), slo('b', { periodMs: 28 * DAY, period: '4w' })]);
    expect(book.evaluateUntil(T0 + 10 * MINUTE)).toEqual([]);
    expect(book.docs()[0]).toEqual({
      name: 'a',
      objective: 99.9,
      burnRates: { '5m': null, '30m': null, '1h': null, '2h': null, '6h': null, '1d': null, '3d': null, '30d': null },
      errorBudgetRemaining: null,
      alerts: [],
    });
    expect(Object.keys(book.docs()[1]?.burnRates ?? {})).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '4w']);
    expect(book.status('nope')).toBeNull();
  });

  it('orders transitions by grid time, then SLO in spec order, then rule order', () => {
    const book = new SloBook([slo('second'), slo('first')]);
    // One failed request among 1000 a minute for 10 minutes, then every request failing: all four rules fire at once.
    const samples = [...steady(10, 1000, 0), ...Array.from({ length: 5 }, (_, i) => ({ ts: T0 + (10 + i) * MINUTE + 30_000, good: 9000, total: 9000 + (i + 1) * 1000 }))];
    const out: SloTransition[] = [];
    feed(book, ['second', 'first'], samples, out);
    out.push(...book.evaluateUntil(T0 + 16 * MINUTE));
    expect(out.map((t) => `${t.at - T0} ${t.slo} ${t.severity} ${t.longWindow}/${t.shortWindow} ${t.change}`)).toEqual([
      ...['second', 'first'].flatMap((s) => BURN_RULES.map((r) => `${11 * MINUTE} ${s} ${r.severity} ${r.longWindow}/${r.shortWindow} fired`)),
    ]);
    const fired = out[0] as SloTransition;
    expect(fired.factor).toBe(14.4);
    expect(fired.burnRates.short).toBeGreaterThan(14.4);
    expect(book.docs()[0]?.alerts[0]).toEqual({ severity: 'page', longWindow: '1h', shortWindow: '5m', firedAt: '2026-03-01T00:11:00.000Z', resolvedAt: null });
  });

  it('gives the same transitions when the caller leaves grid evaluation to addSample', () => {
    const samples = generateScenario(5, T0 + 1234, 2 * DAY);
    const careful = new SloBook([slo('a')]);
    const lazy = new SloBook([slo('a')]);
    const expected: SloTransition[] = [];
    feed(careful, ['a'], samples, expected);
    expected.push(...careful.evaluateUntil(T0 + 3 * DAY));
    for (const s of samples) lazy.addSample('a', s.ts, s.good, s.total);
    expect(expected.length).toBeGreaterThan(4);
    expect(lazy.evaluateUntil(T0 + 3 * DAY)).toEqual(expected);
    expect(lazy.docs()).toEqual(careful.docs());
  });
});

describe('factor scaling', () => {
  it('scales the workbook factors by period / 30d, as Sloth does for 28d', () => {
    const f = BURN_RULES.map((r) => scaleFactor(r.factor30d, 28 * DAY));
    expect(f[0]).toBeCloseTo(13.44, 12);
    expect(f[1]).toBeCloseTo(5.6, 12);
    expect(f[2]).toBeCloseTo(2.8, 12);
    expect(f[3]).toBeCloseTo(28 / 30, 12);
    expect(BURN_RULES.map((r) => scaleFactor(r.factor30d, 30 * DAY))).toEqual([14.4, 6, 3, 1]);
  });

  it('pages a 28d SLO at burn 14 but not a 30d one, and not at all with page alerts off', () => {
    const book = new SloBook([slo('d30'), slo('d28', { periodMs: 28 * DAY, period: '28d' }), slo('quiet', { periodMs: 28 * DAY, period: '28d', pageAlerts: false })]);
    const out: SloTransition[] = [];
    feed(book, ['d30', 'd28', 'quiet'], steady(120, 1000, 14), out);
    out.push(...book.evaluateUntil(T0 + 120 * MINUTE));
    const pages = (name: string): string[] => out.filter((t) => t.slo === name && t.severity === 'page').map((t) => `${t.longWindow}/${t.shortWindow}`);
    expect(pages('d28')).toEqual(['1h/5m', '6h/30m']);
    expect(pages('d30')).toEqual(['6h/30m']);
    expect(pages('quiet')).toEqual([]);
    expect(out.find((t) => t.slo === 'd28' && t.longWindow === '1h')?.factor).toBeCloseTo(13.44, 12);
    expect(book.status('quiet')?.firing).toEqual([
      { severity: 'ticket', longWindow: '1d', shortWindow: '2h' },
      { severity: 'ticket', longWindow: '3d', shortWindow: '6h' },
    ]);
  });
});

describe('snapshots', () => {
  const specs = [slo('prom'), slo('exact', { semantics: 'exact', periodMs: 28 * DAY, period: '28d' }), slo('short', { periodMs: 2 * DAY, period: '2d' })];
  const names = specs.map((s) => s.name);
  const samples = generateScenario(21, T0 + 777, 4.5 * DAY);
  const end = T0 + 5 * DAY;

  it('toJSON → restore mid-stream gives the same transitions, burn rates and docs as an uninterrupted run', () => {
    const firstGrid = Math.ceil((samples[0] as SliPoint).ts / MINUTE) * MINUTE;
    const whole = new SloBook(specs);
    const expected: SloTransition[] = [];
    const expectedSeen: string[] = [];
    feedGridByGrid(whole, names, samples, firstGrid, end, expected, expectedSeen);

    // Cut after 3.5 days (the minute ring has wrapped), in the middle of a minute.
    const cut = samples.findIndex((s) => s.ts > T0 + 3.5 * DAY);
    let book = new SloBook(specs);
    const got: SloTransition[] = [];
    const seen: string[] = [];
    const next = feedGridByGrid(book, names, samples.slice(0, cut), firstGrid, null, got, seen);
    const text = JSON.stringify(book.toJSON());
    book = SloBook.restore(specs, JSON.parse(text) as SloBookState);
    feedGridByGrid(book, names, samples.slice(cut), next, end, got, seen);

    expect(expected.length).toBeGreaterThan(10);
    expect(got).toEqual(expected);
    expect(seen).toEqual(expectedSeen);
    expect(book.docs()).toEqual(whole.docs());
    expect(JSON.stringify(book.toJSON())).toBe(JSON.stringify(whole.toJSON()));
  });

  it('keeps matching SLOs, starts new ones empty and drops removed ones on restore', () => {
    const book = new SloBook(specs);
    feed(book, names, samples.slice(0, 500), []);
    book.evaluateUntil((samples[499] as SliPoint).ts);
    const state = JSON.parse(JSON.stringify(book.toJSON())) as SloBookState;
    const changed = [slo('new'), specs[0] as SloSpec, slo('short', { periodMs: 3 * DAY, period: '3d' })];
    const restored = SloBook.restore(changed, state);
    const docs = restored.docs();
    expect(docs.map((d) => d.name)).toEqual(['new', 'prom', 'short']);
    expect(docs[0]?.burnRates['5m']).toBeNull();
    expect(docs[1]).toEqual(book.docs()[0]);
    // A different period changes what the rings mean: that SLO starts over.
    expect(docs[2]?.burnRates['1h']).toBeNull();
    expect(restored.addSample('exact', (samples[500] as SliPoint).ts, 0, 0)).toBe('unknown-slo');
  });
});
