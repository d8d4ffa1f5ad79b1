import { describe, expect, it } from 'vitest';
import { SloBook, extrapolatedRate } from '../../../../src/engine/slo/index.js';

/** Hand-computed cases of Prometheus 2.42's extrapolatedRate, and counter resets as the windows feed them to it. */
describe('extrapolatedRate', () => {
  // Window [0 s, 300 s]; five samples at 30, 90, …, 270 s: sampledInterval 240 s, average 60 s, threshold 66 s.
  const rate = (firstValue: number, increase: number, firstS = 30, lastS = 270, samples = 5): number | null =>
    extrapolatedRate(0, 300_000, firstS * 1000, lastS * 1000, samples, firstValue, increase);

  it('has no value for fewer than two samples', () => {
    expect(rate(5, 0, 30, 30, 1)).toBeNull();
    expect(rate(5, 0, 30, 30, 0)).toBeNull();
  });

  it('extrapolates to both window edges when they are within 1.1 average intervals', () => {
    // 240 × (240 + 30 + 30) / 240 / 300
    expect(rate(1000, 240)).toBe(1);
  });

  it('clamps the start at the zero point of a counter that starts near zero', () => {
    // durationToZero = 240 × 0/240 = 0 < 30: 240 × (240 + 0 + 30) / 240 / 300
    expect(rate(0, 240)).toBeCloseTo(0.9, 15);
    // durationToZero = 240 × 10/240 = 10 < 30: 240 × (240 + 10 + 30) / 240 / 300
    expect(rate(10, 240)).toBeCloseTo(280 / 300, 15);
    // durationToZero = 240 × 40/240 = 40 > 30: no clamp
    expect(rate(40, 240)).toBe(1);
  });

  it('does not clamp when nothing increased', () => {
    expect(rate(0, 0)).toBe(0);
  });

  it('extrapolates only half an interval across a gap of 1.1 average intervals or more', () => {
    // First sample at 63 s: 63 < 66, extrapolated in full. Samples 63, 123, 183, 243 (avg 60), end gap 57 s.
    expect(extrapolatedRate(0, 300_000, 63_000, 243_000, 4, 1e6, 180)).toBeCloseTo((180 * ((180 + 63 + 57) / 180)) / 300, 12);
    // First sample at 66 s: exactly the threshold, so only avg/2 = 30 s. Samples 66…246, end gap 54 s.
    expect(extrapolatedRate(0, 300_000, 66_000, 246_000, 4, 1e6, 180)).toBeCloseTo((180 * ((180 + 30 + 54) / 180)) / 300, 12);
    // Both edges far: 100 s and 80 s away with samples 60 s apart.
    expect(extrapolatedRate(0, 300_000, 100_000, 220_000, 3, 1e6, 120)).toBeCloseTo((120 * ((120 + 30 + 30) / 120)) / 300, 12);
  });

  it('divides by the range in seconds', () => {
    expect(extrapolatedRate(0, 3_600_000, 0, 3_600_000, 61, 1e6, 3600)).toBe(1);
  });
});

describe('counter resets in a window', () => {
  const DAY = 86_400_000;
  const book = (): SloBook => new SloBook([{ name: 's', objective: 99.9, periodMs: 30 * DAY, period: '30d' }]);

  it('adds the value before each reset to the increase, as Prometheus does', () => {
    const b = book();
    // total 1000, 2000, 500 (reset), 1500, 2500 → increase 2500 - 1000 + 2000 = 3500; good likewise 3460.
    const samples: Array<[number, number, number]> = [[30, 990, 1000], [90, 1980, 2000], [150, 490, 500], [210, 1480, 1500], [270, 2470, 2500]];
    for (const [s, g, t] of samples) {
      b.evaluateUntil(s * 1000 - 1);
      expect(b.addSample('s', s * 1000, g, t)).toBe('accepted');
    }
    b.evaluateUntil(300_000);
    // No zero clamp (durationToZero ≈ 68.6 s > 30 s), same extrapolation for both: the ratio is 40 / 3500.
    expect(b.status('s')?.burnRates['5m']).toBeCloseTo(40 / 3500 / 0.001, 10);
  });

  it('does not count a reset at the first sample of the window, but counts a second one in the same minute', () => {
    const b = book();
    // Reset at 60 s (the first sample of the window [60 s, 360 s]), again at 70 s, then steady 10 % errors.
    const samples: Array<[number, number, number]> = [[10, 1000, 1000], [60, 10, 10], [70, 5, 5], [120, 90, 100], [180, 180, 200], [240, 270, 300], [300, 360, 400]];
    for (const [s, g, t] of samples) {
      b.evaluateUntil(s * 1000 - 1);
      b.addSample('s', s * 1000, g, t);
    }
    b.evaluateUntil(360_000);
    // total: 400 - 10 + 10 = 400; good: 360 - 10 + 10 = 360 → 10 % errors, burn 100.
    expect(b.status('s')?.burnRates['5m']).toBeCloseTo(100, 9);
  });
});
