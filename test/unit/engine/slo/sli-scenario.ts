/** One SLI sample of a generated scenario: raw cumulative counters at `ts` (epoch ms). */
export interface SliPoint {
  readonly ts: number;
  readonly good: number;
  readonly total: number;
}

/** A data gap: after `afterMs` of the scenario, nothing arrives for `lengthMs`. */
export interface DataGap {
  readonly afterMs: number;
  readonly lengthMs: number;
}

/** Deterministic PRNG (mulberry32), so every generated scenario is the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Irregular SLI traffic: intervals of 1 s to 2 min, bursts of up to 30 samples a few hundred ms apart (many per
 * minute), samples snapped onto the minute grid now and then (window edges are inclusive), error-rate regimes from
 * 0 to 10 %, counter resets of both counters or of one only (to 0 or to a small value), and the given data gaps.
 */
export function generateScenario(seed: number, startMs: number, durationMs: number, gaps: readonly DataGap[] = []): SliPoint[] {
  const rnd = mulberry32(seed);
  const out: SliPoint[] = [];
  const pending = [...gaps];
  let ts = startMs;
  let good = 0;
  let total = 0;
  let burst = 0;
  let errorRate = 0.001;
  while (ts < startMs + durationMs) {
    out.push({ ts, good, total });
    const gap = pending[0];
    if (gap !== undefined && ts - startMs >= gap.afterMs) {
      ts += gap.lengthMs;
      pending.shift();
    }
    if (burst > 0) {
      burst--;
      ts += 200 + Math.floor(rnd() * 2800);
    } else if (rnd() < 0.02) {
      burst = 5 + Math.floor(rnd() * 25);
      ts += 1000;
    } else ts += 1000 + Math.floor(rnd() * 119_000);
    if (rnd() < 0.05) ts = Math.ceil(ts / 60_000) * 60_000;
    if (rnd() < 0.01) errorRate = rnd() < 0.3 ? 0 : rnd() < 0.5 ? 0.001 : rnd() * 0.1;
    const n = Math.floor(rnd() * 60);
    const bad = Math.min(n, Math.floor(n * errorRate + rnd()));
    const r = rnd();
    if (r < 0.002) {
      // Both counters restart (an exporter restart): from 0, or already carrying this interval's events.
      const carry = rnd() < 0.5;
      total = carry ? n : 0;
      good = carry ? n - bad : 0;
    } else if (r < 0.003) {
      total = n; // only the total counter restarts
      good += n - bad;
    } else {
      total += n;
      good += n - bad;
    }
  }
  return out;
}
