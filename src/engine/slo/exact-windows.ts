import { decodeBytes, encodeBytes } from './base64.js';
import { LONGEST_WINDOW_MS } from './burn-alerts.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const NOT_COVERED = -2;

/** A {@link BucketEndRing} as plain JSON. */
export interface BucketEndRingState {
  readonly bucketMs: number;
  readonly maxBuckets: number;
  readonly firstBucket: number;
  readonly lastRel: number;
  readonly good: string;
  readonly total: string;
}

/** {@link ExactWindows} as plain JSON. */
export interface ExactWindowsState {
  readonly semantics: 'exact';
  readonly count: number;
  readonly firstTs: number;
  readonly lastTs: number;
  readonly lastGood: number;
  readonly lastTotal: number;
  readonly good: number;
  readonly total: number;
  readonly minutes: BucketEndRingState;
  readonly hours: BucketEndRingState | null;
}

/**
 * The reset-adjusted cumulative counters as of the end of each time bucket, with buckets closed on the right
 * (`(k-1)·B, k·B]`) so that a window `(t-w, t]` on the grid is a whole number of buckets: the events in it are the
 * counters now minus the counters at the end of the bucket before it. 16 bytes per bucket; empty buckets carry the
 * previous value forward when the next sample arrives. Constraint: values are offered in time order.
 */
export class BucketEndRing {
  readonly bucketMs: number;
  readonly maxBuckets: number;
  private capacity: number;
  private firstBucket = 0;
  private lastRel = -1;
  private good: Float64Array;
  private total: Float64Array;

  constructor(bucketMs: number, maxBuckets: number, initialCapacity = 64) {
    this.bucketMs = bucketMs;
    this.maxBuckets = maxBuckets;
    this.capacity = Math.min(initialCapacity, maxBuckets);
    this.good = new Float64Array(this.capacity);
    this.total = new Float64Array(this.capacity);
  }

  /** Rebuilds a ring from {@link toJSON} output. */
  static fromJSON(s: BucketEndRingState): BucketEndRing {
    const ring = new BucketEndRing(s.bucketMs, s.maxBuckets, 1);
    ring.good = new Float64Array(decodeBytes(s.good));
    ring.total = new Float64Array(decodeBytes(s.total));
    ring.capacity = ring.good.length;
    ring.firstBucket = s.firstBucket;
    ring.lastRel = s.lastRel;
    return ring;
  }

  /** Plain JSON for snapshots. */
  toJSON(): BucketEndRingState {
    return {
      bucketMs: this.bucketMs,
      maxBuckets: this.maxBuckets,
      firstBucket: this.firstBucket,
      lastRel: this.lastRel,
      good: encodeBytes(this.good),
      total: encodeBytes(this.total),
    };
  }

  /** Records the cumulative counters after a sample at `ts`. */
  offer(ts: number, good: number, total: number): void {
    const bucket = Math.ceil(ts / this.bucketMs);
    if (this.lastRel < 0) {
      this.firstBucket = bucket;
      this.lastRel = 0;
    }
    const rel = bucket - this.firstBucket;
    if (rel > this.lastRel) {
      if (rel >= this.capacity && this.capacity < this.maxBuckets) this.grow(rel + 1);
      const cap = this.capacity;
      const carryGood = this.good[this.lastRel % cap] as number;
      const carryTotal = this.total[this.lastRel % cap] as number;
      for (let k = Math.max(this.lastRel + 1, rel - cap + 1); k < rel; k++) {
        this.good[k % cap] = carryGood;
        this.total[k % cap] = carryTotal;
      }
      this.lastRel = rel;
    }
    this.good[rel % this.capacity] = good;
    this.total[rel % this.capacity] = total;
  }

  /**
   * The bucket whose end is the first bucket boundary at or after `atMs` (exactly `atMs` on the grid), clamped to the
   * newest bucket, or NOT_COVERED (-2) when it has been overwritten. Constraint: `atMs` is not before the first sample.
   */
  locate(atMs: number): number {
    const rel = Math.ceil(atMs / this.bucketMs) - this.firstBucket;
    if (rel >= this.lastRel) return this.lastRel;
    return rel < this.lastRel - this.capacity + 1 ? NOT_COVERED : rel;
  }

  /** Cumulative good events at the end of a located bucket. */
  goodAt(rel: number): number {
    return this.good[rel % this.capacity] as number;
  }

  /** Cumulative total events at the end of a located bucket. */
  totalAt(rel: number): number {
    return this.total[rel % this.capacity] as number;
  }

  /** Bytes held by the typed arrays. */
  retainedBytes(): number {
    return this.good.byteLength + this.total.byteLength;
  }

  private grow(needed: number): void {
    const cap = Math.min(this.maxBuckets, Math.max(needed, this.capacity * 2));
    const good = new Float64Array(cap);
    good.set(this.good);
    const total = new Float64Array(cap);
    total.set(this.total);
    this.good = good;
    this.total = total;
    this.capacity = cap;
  }
}

/**
 * One SLO's counters under the `exact` semantics: every received delta counts, attributed to the later sample's time
 * (a decrease counts the new value), summed over `(t - w, t]`, with no extrapolation. The error ratio is
 * `(Δtotal - Δgood) / Δtotal`, NaN when no events were counted.
 *
 * Where it is not exact: like the Prometheus semantics, the SLO period once the history is longer than both 3d and the
 * period; its start is then rounded up to the next hour boundary (up to an hour less of data).
 */
export class ExactWindows {
  private count = 0;
  private firstTs = 0;
  private lastTs = 0;
  private lastGood = 0;
  private lastTotal = 0;
  /** Events since the first sample, reset-adjusted. */
  private good = 0;
  private total = 0;
  private minutes: BucketEndRing;
  private hours: BucketEndRing | null;

  constructor(periodMs: number) {
    this.minutes = new BucketEndRing(MINUTE_MS, LONGEST_WINDOW_MS / MINUTE_MS + 1);
    this.hours = periodMs > LONGEST_WINDOW_MS ? new BucketEndRing(HOUR_MS, Math.ceil(periodMs / HOUR_MS) + 1, 8) : null;
  }

  /** Rebuilds the counters from {@link toJSON} output. */
  static fromJSON(periodMs: number, s: ExactWindowsState): ExactWindows {
    const w = new ExactWindows(periodMs);
    w.count = s.count;
    w.firstTs = s.firstTs;
    w.lastTs = s.lastTs;
    w.lastGood = s.lastGood;
    w.lastTotal = s.lastTotal;
    w.good = s.good;
    w.total = s.total;
    w.minutes = BucketEndRing.fromJSON(s.minutes);
    w.hours = s.hours === null ? null : BucketEndRing.fromJSON(s.hours);
    return w;
  }

  /** Plain JSON for snapshots. */
  toJSON(): ExactWindowsState {
    return {
      semantics: 'exact',
      count: this.count,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      lastGood: this.lastGood,
      lastTotal: this.lastTotal,
      good: this.good,
      total: this.total,
      minutes: this.minutes.toJSON(),
      hours: this.hours === null ? null : this.hours.toJSON(),
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

  /** Adds one sample of the raw cumulative counters. */
  add(ts: number, good: number, total: number): void {
    if (this.count === 0) this.firstTs = ts;
    else {
      this.good += good < this.lastGood ? good : good - this.lastGood;
      this.total += total < this.lastTotal ? total : total - this.lastTotal;
    }
    this.count++;
    this.lastTs = ts;
    this.lastGood = good;
    this.lastTotal = total;
    this.minutes.offer(ts, this.good, this.total);
    this.hours?.offer(ts, this.good, this.total);
  }

  /** The error ratio of the events counted in `(t - windowMs, t]`; NaN when there were none. */
  errorRatio(t: number, windowMs: number): number {
    if (this.count === 0) return Number.NaN;
    const start = t - windowMs;
    let goodBefore = 0;
    let totalBefore = 0;
    // Before the first sample the counters are 0 by definition: the first sample itself carries no delta.
    if (start >= this.firstTs) {
      let ring = this.minutes;
      let rel = ring.locate(start);
      if (rel === NOT_COVERED) {
        if (this.hours === null) throw new Error(`window of ${windowMs} ms is longer than the minute ring`);
        ring = this.hours;
        rel = ring.locate(start);
        if (rel === NOT_COVERED) throw new Error(`window of ${windowMs} ms is longer than the hour ring`);
      }
      goodBefore = ring.goodAt(rel);
      totalBefore = ring.totalAt(rel);
    }
    const goodEvents = this.good - goodBefore;
    const totalEvents = this.total - totalBefore;
    return (totalEvents - goodEvents) / totalEvents;
  }

  /** Bytes held by the rings. */
  retainedBytes(): number {
    return this.minutes.retainedBytes() + (this.hours?.retainedBytes() ?? 0);
  }
}
