import type { Instant, SloDoc } from '../../model/index.js';
import { EVALUATION_INTERVAL_MS } from './burn-alerts.js';
import type { SloHistory } from './burn-history.js';
import { SloSeries, type SloSeriesState, type SloStatus, type SloTransition } from './slo-series.js';
import { checkSloSpec, type SloSpec } from './slo-spec.js';

/** What became of one SLI sample. Out-of-order includes a second sample at the same time as the last one. */
export type SampleOutcome = 'accepted' | 'unknown-slo' | 'out-of-order';

/** A {@link SloBook} as plain JSON (JSON.stringify-able; typed arrays as base64). */
export interface SloBookState {
  readonly version: 1;
  /** The next grid point to evaluate; null before the first sample. */
  readonly nextGrid: Instant | null;
  /** Transitions of evaluations run by addSample and not yet returned by evaluateUntil. */
  readonly pending: readonly SloTransition[];
  readonly slos: readonly SloSeriesState[];
}

const STATE_VERSION = 1;

/**
 * Every configured SLO's burn rates and multiwindow, multi-burn-rate alerts, from cumulative SLI counters, evaluated on
 * a 60 s grid of event time aligned to the Unix epoch (as Prometheus evaluates a rule group). Pure and deterministic:
 * instants come in as arguments.
 *
 * Samples: per SLO in strictly increasing time. A sample at or before the SLO's last sample is dropped and reported
 * `out-of-order`, also when it repeats the same time (Prometheus rejects a duplicate timestamp with a different value
 * and ignores an identical one; either way the series is unchanged, which is what dropping gives).
 *
 * Ordering contract: grid point g must be evaluated before a sample stamped after g is added, because each SLO keeps
 * only its latest sample as the windows' end. Callers should `evaluateUntil(at - 1)` before `addSample(at)`; if they do
 * not, addSample evaluates the due grid points itself and keeps their transitions for the next evaluateUntil, so the
 * result is the same. A sample stamped at or before an already evaluated grid point (late, but in order for its SLO)
 * is accepted and counts from the next evaluation on.
 */
export class SloBook {
  private readonly series: SloSeries[];
  private readonly byName = new Map<string, SloSeries>();
  private nextGrid: Instant | null = null;
  private pending: SloTransition[] = [];

  constructor(specs: readonly SloSpec[]) {
    this.series = specs.map((spec) => {
      checkSloSpec(spec);
      if (this.byName.has(spec.name)) throw new RangeError(`SLO ${JSON.stringify(spec.name)} is configured twice`);
      const s = new SloSeries(spec);
      this.byName.set(spec.name, s);
      return s;
    });
  }

  /**
   * Rebuilds a book from {@link toJSON} output under the current specs: SLOs still configured (same name, semantics
   * and period) keep their state, new ones start empty, removed ones are dropped with their pending transitions.
   */
  static restore(specs: readonly SloSpec[], state: SloBookState): SloBook {
    if (state.version !== STATE_VERSION) throw new RangeError(`SLO snapshot version ${String(state.version)} is not ${STATE_VERSION}`);
    const book = new SloBook(specs);
    const saved = new Map(state.slos.map((s) => [s.name, s]));
    book.series.forEach((s, i) => {
      const old = saved.get(s.spec.name);
      if (old === undefined) return;
      const restored = SloSeries.restore(s.spec, old);
      book.series[i] = restored;
      book.byName.set(s.spec.name, restored);
    });
    book.nextGrid = state.nextGrid;
    book.pending = state.pending.filter((t) => book.byName.has(t.slo));
    return book;
  }

  /** Plain JSON for snapshots. */
  toJSON(): SloBookState {
    return { version: STATE_VERSION, nextGrid: this.nextGrid, pending: [...this.pending], slos: this.series.map((s) => s.toJSON()) };
  }

  /**
   * Adds one sample of an SLO's cumulative good and total counters at event time `at`. O(1) amortised. Throws
   * RangeError on a counter that is negative or not finite (the SLI parser rejects those at the edge).
   */
  addSample(slo: string, at: Instant, good: number, total: number): SampleOutcome {
    const series = this.byName.get(slo);
    if (series === undefined) return 'unknown-slo';
    if (!Number.isFinite(at) || !(good >= 0 && total >= 0 && Number.isFinite(good) && Number.isFinite(total))) {
      throw new RangeError(`SLO ${JSON.stringify(slo)}: sample at ${at} has invalid counters good=${good} total=${total}`);
    }
    if (!series.accepts(at)) return 'out-of-order';
    if (this.nextGrid === null) this.nextGrid = Math.ceil(at / EVALUATION_INTERVAL_MS) * EVALUATION_INTERVAL_MS;
    else if (this.nextGrid < at) this.evaluateGrid(at, false, this.pending);
    series.add(at, good, total);
    return 'accepted';
  }

  /**
   * Evaluates every grid point g (a multiple of 60 000 ms) with lastEvaluated < g <= until, in order, and returns the
   * alert transitions of those evaluations in order: by grid time, then SLO in spec order, then rule order (page 1h/5m,
   * page 6h/30m, ticket 1d/2h, ticket 3d/6h). The first grid point evaluated is the first one at or after the first
   * sample of any SLO; grid points before any data produce nothing.
   */
  evaluateUntil(until: Instant): SloTransition[] {
    const out = this.pending;
    this.pending = [];
    if (this.nextGrid !== null) this.evaluateGrid(until, true, out);
    return out;
  }

  /**
   * CONTRACT §5 `slos`: every configured SLO in spec order with its burn rates as of the last evaluated grid point
   * (keys 5m, 30m, 1h, 2h, 6h, 1d, 3d and the period's), its error budget remaining and every alert that fired,
   * ordered by firedAt then rule order. null where a window has no value or no events.
   */
  docs(): SloDoc[] {
    return this.series.map((s) => s.toDoc());
  }

  /** Current burn of one SLO (as of the last evaluated grid point), or null for an SLO that is not configured. */
  status(slo: string): SloStatus | null {
    return this.byName.get(slo)?.status() ?? null;
  }

  /**
   * One SLO's burn rates (windows 5m, 1h, 6h) at the 5-minute grid points in [from, to] it still holds (the last 3
   * days of evaluated grid points), oldest first; null for an SLO that is not configured.
   */
  history(slo: string, from: Instant, to: Instant): SloHistory | null {
    return this.byName.get(slo)?.historyBetween(from, to) ?? null;
  }

  /** Per SLO, the time of its latest sample (null before the first): how fresh each SLO's input is. */
  lastSamples(): Array<{ slo: string; at: Instant | null }> {
    return this.series.map((s) => ({ slo: s.spec.name, at: s.lastSampleAt() }));
  }

  /** Approximate retained bytes (typed arrays exactly, objects estimated), for benchmarks. */
  retainedBytes(): number {
    let bytes = 200;
    for (const s of this.series) bytes += s.retainedBytes();
    return bytes;
  }

  /** Evaluates grid points from nextGrid while they are before `bound` (or at it, when inclusive). */
  private evaluateGrid(bound: Instant, inclusive: boolean, out: SloTransition[]): void {
    let g = this.nextGrid as Instant;
    while (g < bound || (inclusive && g === bound)) {
      for (const s of this.series) s.evaluate(g, out);
      g += EVALUATION_INTERVAL_MS;
    }
    this.nextGrid = g;
  }
}
