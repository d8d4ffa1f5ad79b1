import { LONGEST_WINDOW_MS } from './burn-alerts.js';
import { FirstSampleRing, NO_SAMPLE, NOT_COVERED, type FirstSampleRingState } from './first-sample-ring.js';
import { errorRatioOf, extrapolatedRate } from './prometheus-rate.js';
import { ResetOffsets, type ResetOffsetsState } from './reset-offsets.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** {@link PrometheusWindows} as plain JSON. */
export interface PrometheusWindowsState {
  readonly semantics: 'prometheus';
  readonly count: number;
  readonly lastTs: number;
  readonly lastGood: number;
  readonly lastTotal: number;
  readonly offsetGood: number;
  readonly offsetTotal: number;
  readonly bucketFirstCount: number;
  readonly minutes: FirstSampleRingState;
  readonly hours: FirstSampleRingState | null;
  readonly resets: ResetOffsetsState;
}

/**
 * One SLO's good and total counters, answering `(rate(total[w]) - rate(good[w])) / rate(total[w])` at a grid point
 * exactly as Prometheus 2.42 does, from bounded state: a minute ring of first samples covering the longest alert
 * window (3d), and for a longer SLO period an hour ring of first samples covering the period.
 *
 * Where it is not exact: the period window once the history is longer than both the minute ring (3d) and the period.
 * Its start `t - period` then falls between hour checkpoints, and the window starts at the first sample of the next
 * hour instead (a sample inside the window, so Prometheus' formula still applies, over up to an hour less of data).
 * When `t` is on the hour it is exact again. Every other window, and the period while the history is shorter than
 * the ring or the period, is exact.
 *
 * Constraint: samples arrive in strictly increasing time, and `errorRatio(t, ·)` is only asked once every sample up to
 * `t` has been added and none after it (the SloBook evaluates a grid point before it accepts a later sample).
 */
export class PrometheusWindows {
  private count = 0;
  private lastTs = 0;
  private lastGood = 0;
  private lastTotal = 0;
  /** Sums of pre-reset values so far (Go's counterCorrection for the whole history). */
  private offsetGood = 0;
  private offsetTotal = 0;
  /** Count of the newest minute bucket's first sample. */
  private bucketFirstCount = 0;
  private minutes: FirstSampleRing;
  private hours: FirstSampleRing | null;
  private resets = new ResetOffsets();

  constructor(periodMs: number) {
    this.minutes = new FirstSampleRing(MINUTE_MS, LONGEST_WINDOW_MS / MINUTE_MS + 1);
    // Only a period longer than the minute ring needs hourly checkpoints; one more bucket than the period holds the
    // hour in which the period's start falls.
    this.hours = periodMs > LONGEST_WINDOW_MS ? new FirstSampleRing(HOUR_MS, Math.ceil(periodMs / HOUR_MS) + 1, 8) : null;
  }

  /** Rebuilds the counters from {@link toJSON} output. */
  static fromJSON(periodMs: number, s: PrometheusWindowsState): PrometheusWindows {
    const w = new PrometheusWindows(periodMs);
    w.count = s.count;
    w.lastTs = s.lastTs;
    w.lastGood = s.lastGood;
    w.lastTotal = s.lastTotal;
    w.offsetGood = s.offsetGood;
    w.offsetTotal = s.offsetTotal;
    w.bucketFirstCount = s.bucketFirstCount;
    w.minutes = FirstSampleRing.fromJSON(s.minutes);
    w.hours = s.hours === null ? null : FirstSampleRing.fromJSON(s.hours);
    w.resets = ResetOffsets.fromJSON(s.resets);
    return w;
  }

  /** Plain JSON for snapshots. */
  toJSON(): PrometheusWindowsState {
    return {
      semantics: 'prometheus',
      count: this.count,
      lastTs: this.lastTs,
      lastGood: this.lastGood,
      lastTotal: this.lastTotal,
      offsetGood: this.offsetGood,
      offsetTotal: this.offsetTotal,
      bucketFirstCount: this.bucketFirstCount,
      minutes: this.minutes.toJSON(),
      hours: this.hours === null ? null : this.hours.toJSON(),
      resets: this.resets.toJSON(),
    };
  }

  /** Whether a sample at `ts` would be in order (strictly after the last one). */
  accepts(ts: number): boolean {
    return this.count === 0 || ts > this.lastTs;
  }

  /** Time of the latest sample, or null before the first. */
  lastSampleAt(): number | null {
    return this.count === 0 ? null : this.lastTs;
  }

  /** Whether any sample was added. */
  hasData(): boolean {
    return this.count > 0;
  }

  /** Adds one sample of the raw cumulative counters; a decrease is a counter reset, as Prometheus reads it. */
  add(ts: number, good: number, total: number): void {
    let reset = false;
    if (this.count > 0) {
      if (good < this.lastGood) {
        this.offsetGood += this.lastGood;
        reset = true;
      }
      if (total < this.lastTotal) {
        this.offsetTotal += this.lastTotal;
        reset = true;
      }
    }
    const count = ++this.count;
    const newBucket = this.minutes.offer(ts, good, total, count);
    this.hours?.offer(ts, good, total, count);
    if (newBucket) this.bucketFirstCount = count;
    if (reset) this.resets.record(count, this.offsetGood, this.offsetTotal, this.bucketFirstCount);
    if ((reset || newBucket) && this.resets.size > 1) this.resets.prune(this.fullCount(this.oldestRing().oldestCount()));
    this.lastTs = ts;
    this.lastGood = good;
    this.lastTotal = total;
  }

  /** The error ratio over `[t - windowMs, t]`; NaN where Prometheus has no value (< 2 samples) or gives NaN (0/0). */
  errorRatio(t: number, windowMs: number): number {
    if (this.count === 0) return Number.NaN;
    const start = t - windowMs;
    let ring = this.minutes;
    let rel = ring.locate(start);
    if (rel === NOT_COVERED) {
      if (this.hours === null) throw new Error(`window of ${windowMs} ms is longer than the minute ring`);
      ring = this.hours;
      rel = ring.locate(start);
      if (rel === NOT_COVERED) throw new Error(`window of ${windowMs} ms is longer than the hour ring`);
    }
    if (rel === NO_SAMPLE) return Number.NaN;
    const slot = ring.slotOf(rel);
    const samples = (((this.count >>> 0) - ring.countAt(slot)) >>> 0) + 1;
    if (samples < 2) return Number.NaN;
    const firstTs = ring.tsOf(rel, slot);
    const firstGood = ring.goodAt(slot);
    const firstTotal = ring.totalAt(slot);
    // Go: resultValue = last - first, then += each pre-reset value; with no reset in the window the offset
    // difference is exactly 0 and the arithmetic is Go's.
    const r = this.resets.size === 0 ? -1 : this.resets.indexAt(this.count - samples + 1);
    const goodIncrease = this.lastGood - firstGood + (this.offsetGood - this.resets.goodAt(r));
    const totalIncrease = this.lastTotal - firstTotal + (this.offsetTotal - this.resets.totalAt(r));
    const goodRate = extrapolatedRate(start, t, firstTs, this.lastTs, samples, firstGood, goodIncrease);
    const totalRate = extrapolatedRate(start, t, firstTs, this.lastTs, samples, firstTotal, totalIncrease);
    return errorRatioOf(goodRate, totalRate);
  }

  /** Bytes held by the rings and the reset list. */
  retainedBytes(): number {
    return this.minutes.retainedBytes() + (this.hours?.retainedBytes() ?? 0) + this.resets.retainedBytes();
  }

  /** The ring reaching furthest back, whose oldest first sample bounds every reset lookup. */
  private oldestRing(): FirstSampleRing {
    return this.hours ?? this.minutes;
  }

  /** The full running count of a sample whose count the rings hold modulo 2^32. */
  private fullCount(wrapped: number): number {
    return this.count - (((this.count >>> 0) - wrapped) >>> 0);
  }
}
