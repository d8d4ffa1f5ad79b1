import { formatInstant, type Instant, type SloDoc } from '../../model/index.js';
import { BURN_RULES, BURN_WINDOWS, PERIOD_INDEX, errorBudgetOf, scaleFactor } from './burn-alerts.js';
import { BurnHistory, HISTORY_STEP_MS, HISTORY_WINDOWS, type BurnHistoryState, type SloHistory } from './burn-history.js';
import { ExactWindows, type ExactWindowsState } from './exact-windows.js';
import { PrometheusWindows, type PrometheusWindowsState } from './prometheus-windows.js';
import type { SloSpec } from './slo-spec.js';

/** An alert of one SLO starting or stopping to fire at a grid point. */
export interface SloTransition {
  readonly slo: string;
  readonly change: 'fired' | 'resolved';
  /** The grid point of the evaluation. */
  readonly at: Instant;
  readonly severity: 'page' | 'ticket';
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly factor: number;
  readonly burnRates: { long: number | null; short: number | null };
  readonly errorBudgetRemaining: number | null;
}

/** The burn of one SLO as of the last evaluated grid point (for incident timelines). */
export interface SloStatus {
  readonly burnRates: Record<string, number | null>;
  readonly errorBudgetRemaining: number | null;
  readonly firing: Array<{ severity: 'page' | 'ticket'; longWindow: string; shortWindow: string }>;
}

/** One alert that fired: `rule` indexes BURN_RULES. */
interface AlertRecord {
  rule: number;
  firedAt: Instant;
  resolvedAt: Instant | null;
}

/** {@link SloSeries} as plain JSON. */
export interface SloSeriesState {
  readonly name: string;
  readonly semantics: 'prometheus' | 'exact';
  readonly periodMs: number;
  readonly evaluatedAt: Instant | null;
  /** Error ratios per window as of `evaluatedAt`; null for NaN. */
  readonly ratios: Array<number | null>;
  readonly alerts: AlertRecord[];
  /** Per BURN_RULES entry, the index in `alerts` of the alert now firing, or -1. */
  readonly firing: number[];
  readonly windows: PrometheusWindowsState | ExactWindowsState;
  /** Burn rates every 5 minutes; absent in snapshots written before the history existed. */
  readonly history?: BurnHistoryState;
}

function toNullable(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

/**
 * One SLO: its counters (Prometheus or exact semantics), the error ratios of the last evaluated grid point, and the
 * state and history of its four burn-rate alerts. An alert fires at grid t iff both its windows burn faster than its
 * factor; NaN (no value, or 0/0) never fires. Disabled rules (pageAlerts/ticketAlerts false) never fire, so one that
 * was firing in a restored snapshot resolves at the next evaluation.
 */
export class SloSeries {
  readonly spec: SloSpec;
  private readonly semantics: 'prometheus' | 'exact';
  private readonly budget: number;
  private readonly factors: Float64Array;
  private readonly enabled: boolean[];
  private readonly windowMs: Float64Array;
  private readonly keys: readonly string[];
  private windows: PrometheusWindows | ExactWindows;
  private readonly ratios: Float64Array;
  private evaluatedAt: Instant | null = null;
  private readonly firing: Int32Array;
  private alerts: AlertRecord[] = [];
  private history = new BurnHistory();
  /** Indexes into `ratios` of the HISTORY_WINDOWS. */
  private readonly historyIndex: Int32Array;
  private readonly historyRates = new Float64Array(HISTORY_WINDOWS.length);

  constructor(spec: SloSpec) {
    this.spec = spec;
    this.semantics = spec.semantics ?? 'prometheus';
    this.budget = errorBudgetOf(spec.objective);
    this.factors = Float64Array.from(BURN_RULES, (r) => scaleFactor(r.factor30d, spec.periodMs));
    this.enabled = BURN_RULES.map((r) => (r.severity === 'page' ? spec.pageAlerts !== false : spec.ticketAlerts !== false));
    this.windowMs = Float64Array.from([...BURN_WINDOWS.map((w) => w.ms), spec.periodMs]);
    this.keys = [...BURN_WINDOWS.map((w) => w.key), spec.period];
    this.windows = this.semantics === 'exact' ? new ExactWindows(spec.periodMs) : new PrometheusWindows(spec.periodMs);
    this.ratios = new Float64Array(PERIOD_INDEX + 1).fill(Number.NaN);
    this.firing = new Int32Array(BURN_RULES.length).fill(-1);
    this.historyIndex = Int32Array.from(HISTORY_WINDOWS, (key) => BURN_WINDOWS.findIndex((w) => w.key === key));
  }

  /**
   * Rebuilds an SLO from a snapshot when the snapshot's semantics and period match the spec (an objective or alert
   * toggle may change; they apply from the next evaluation). Otherwise the SLO starts empty: the rings' sizes and
   * meaning depend on both.
   */
  static restore(spec: SloSpec, s: SloSeriesState): SloSeries {
    const series = new SloSeries(spec);
    if (s.semantics !== series.semantics || s.periodMs !== spec.periodMs || s.windows.semantics !== s.semantics) return series;
    series.windows = s.windows.semantics === 'exact' ? ExactWindows.fromJSON(spec.periodMs, s.windows) : PrometheusWindows.fromJSON(spec.periodMs, s.windows);
    series.evaluatedAt = s.evaluatedAt;
    s.ratios.forEach((r, i) => {
      if (i < series.ratios.length) series.ratios[i] = r ?? Number.NaN;
    });
    series.alerts = s.alerts.map((a) => ({ ...a }));
    s.firing.forEach((f, i) => {
      if (i < series.firing.length) series.firing[i] = f;
    });
    series.history = BurnHistory.fromJSON(s.history);
    return series;
  }

  /** Plain JSON for snapshots. */
  toJSON(): SloSeriesState {
    return {
      name: this.spec.name,
      semantics: this.semantics,
      periodMs: this.spec.periodMs,
      evaluatedAt: this.evaluatedAt,
      ratios: Array.from(this.ratios, toNullable),
      alerts: this.alerts.map((a) => ({ ...a })),
      firing: Array.from(this.firing),
      windows: this.windows.toJSON(),
      history: this.history.toJSON(),
    };
  }

  /** Whether a sample at `at` is in order for this SLO (strictly after its last sample). */
  accepts(at: Instant): boolean {
    return this.windows.accepts(at);
  }

  /** Time of the latest sample, or null before the first. */
  lastSampleAt(): Instant | null {
    return this.windows.lastSampleAt();
  }

  /** Adds one in-order sample of the cumulative counters. */
  add(at: Instant, good: number, total: number): void {
    this.windows.add(at, good, total);
  }

  /** Evaluates grid point `t`: records every window's error ratio and appends the alert transitions to `out`. */
  evaluate(t: Instant, out: SloTransition[]): void {
    if (!this.windows.hasData()) return;
    for (let i = 0; i < this.ratios.length; i++) this.ratios[i] = this.windows.errorRatio(t, this.windowMs[i] as number);
    this.evaluatedAt = t;
    if (t % HISTORY_STEP_MS === 0) {
      for (let k = 0; k < this.historyIndex.length; k++) this.historyRates[k] = (this.ratios[this.historyIndex[k] as number] as number) / this.budget;
      this.history.record(t, this.historyRates);
    }
    for (let j = 0; j < BURN_RULES.length; j++) {
      const rule = BURN_RULES[j] as (typeof BURN_RULES)[number];
      const factor = this.factors[j] as number;
      const long = (this.ratios[rule.longIndex] as number) / this.budget;
      const short = (this.ratios[rule.shortIndex] as number) / this.budget;
      const fires = this.enabled[j] === true && long > factor && short > factor;
      const open = this.firing[j] as number;
      if (fires === (open >= 0)) continue; // no change
      if (fires) {
        this.alerts.push({ rule: j, firedAt: t, resolvedAt: null });
        this.firing[j] = this.alerts.length - 1;
      } else {
        (this.alerts[open] as AlertRecord).resolvedAt = t;
        this.firing[j] = -1;
      }
      out.push({
        slo: this.spec.name,
        change: fires ? 'fired' : 'resolved',
        at: t,
        severity: rule.severity,
        longWindow: rule.longWindow,
        shortWindow: rule.shortWindow,
        factor,
        burnRates: { long: toNullable(long), short: toNullable(short) },
        errorBudgetRemaining: this.errorBudgetRemaining(),
      });
    }
  }

  /** CONTRACT §5 `slos[]` entry: burn rates and budget as of the last evaluated grid point, every alert that fired. */
  toDoc(): SloDoc {
    return {
      name: this.spec.name,
      objective: this.spec.objective,
      burnRates: this.burnRates(),
      errorBudgetRemaining: this.errorBudgetRemaining(),
      alerts: this.alerts.map((a) => {
        const rule = BURN_RULES[a.rule] as (typeof BURN_RULES)[number];
        return {
          severity: rule.severity,
          longWindow: rule.longWindow,
          shortWindow: rule.shortWindow,
          firedAt: formatInstant(a.firedAt),
          resolvedAt: a.resolvedAt === null ? null : formatInstant(a.resolvedAt),
        };
      }),
    };
  }

  /** Burn rates, budget and the alerts firing, as of the last evaluated grid point. */
  status(): SloStatus {
    const firing: Array<{ severity: 'page' | 'ticket'; longWindow: string; shortWindow: string }> = [];
    BURN_RULES.forEach((r, j) => {
      if ((this.firing[j] as number) >= 0) firing.push({ severity: r.severity, longWindow: r.longWindow, shortWindow: r.shortWindow });
    });
    return { burnRates: this.burnRates(), errorBudgetRemaining: this.errorBudgetRemaining(), firing };
  }

  /** Burn rates of the 5m, 1h and 6h windows at the 5-minute grid points in [from, to] still held (3 days). */
  historyBetween(from: Instant, to: Instant): SloHistory {
    return { step: HISTORY_STEP_MS, points: this.history.slice(from, to) };
  }

  /** Bytes held by the counters and the burn-rate history plus an estimate of the fixed part and the alert history. */
  retainedBytes(): number {
    return this.windows.retainedBytes() + this.history.retainedBytes() + 600 + this.alerts.length * 64;
  }

  private burnRates(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    this.keys.forEach((k, i) => {
      out[k] = toNullable((this.ratios[i] as number) / this.budget);
    });
    return out;
  }

  /** `1 - errorRatio[period] / budget`, as the oracle's recording rule computes it. */
  private errorBudgetRemaining(): number | null {
    return toNullable(1 - (this.ratios[PERIOD_INDEX] as number) / this.budget);
  }
}
