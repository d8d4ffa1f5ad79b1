import { decodeBytes, encodeBytes } from './base64.js';

/** {@link FirstSampleRing.locate}: no sample at or after the start (up to the last sample). */
export const NO_SAMPLE = -1;
/** {@link FirstSampleRing.locate}: the start lies in buckets the ring has already overwritten. */
export const NOT_COVERED = -2;

/** A {@link FirstSampleRing} as plain JSON; the typed arrays are base64 (see base64.ts). */
export interface FirstSampleRingState {
  readonly bucketMs: number;
  readonly maxBuckets: number;
  readonly firstBucket: number;
  readonly lastRel: number;
  readonly offsets: string;
  readonly good: string;
  readonly total: string;
  readonly counts: string;
}

/**
 * The first sample of each time bucket (a minute, or an hour for the long SLO period), in a ring of at most
 * `maxBuckets` buckets: its time, the raw good and total counter values and the running sample count.
 *
 * Why only the first: `rate()` over `[t-w, t]` needs the window's first and last samples and how many lie between.
 * With window edges on the bucket grid, the first sample at or after `t-w` is the first sample of `t-w`'s bucket, or
 * of the next non-empty bucket; the last one is the series' latest sample. So one record per bucket answers every
 * window exactly, in O(1), whatever the sample rate.
 *
 * Layout (22 bytes per minute bucket): `offsets` holds the first sample's time within its bucket; an empty bucket
 * holds `bucketMs + d` instead, where d is the distance to the next non-empty bucket, written when that bucket's first
 * sample arrives, so a lookup never scans a gap. Buckets are numbered relative to the first one (`rel`), slot =
 * rel % capacity. The arrays start small and double up to `maxBuckets`, so a young series costs little.
 * Constraint: samples are offered in increasing time order.
 */
export class FirstSampleRing {
  readonly bucketMs: number;
  readonly maxBuckets: number;
  private capacity: number;
  private firstBucket = 0;
  /** Relative number of the newest bucket with a sample; -1 while empty. */
  private lastRel = -1;
  /** lastRel % capacity, so that reads find slots by subtraction instead of a division. */
  private lastSlot = 0;
  private offsets: Uint16Array | Uint32Array;
  private good: Float64Array;
  private total: Float64Array;
  /** Running sample count of each bucket's first sample, modulo 2^32 (differences stay right across the wrap). */
  private counts: Uint32Array;

  constructor(bucketMs: number, maxBuckets: number, initialCapacity = 64) {
    if (bucketMs + maxBuckets > 0xffffffff) throw new RangeError(`bucket ring too large: ${bucketMs} ms × ${maxBuckets}`);
    this.bucketMs = bucketMs;
    this.maxBuckets = maxBuckets;
    this.capacity = Math.min(initialCapacity, maxBuckets);
    this.offsets = this.newOffsets(this.capacity);
    this.good = new Float64Array(this.capacity);
    this.total = new Float64Array(this.capacity);
    this.counts = new Uint32Array(this.capacity);
  }

  /** Rebuilds a ring from {@link toJSON} output. */
  static fromJSON(s: FirstSampleRingState): FirstSampleRing {
    const ring = new FirstSampleRing(s.bucketMs, s.maxBuckets, 1);
    const good = new Float64Array(decodeBytes(s.good));
    ring.capacity = good.length;
    ring.good = good;
    ring.total = new Float64Array(decodeBytes(s.total));
    ring.counts = new Uint32Array(decodeBytes(s.counts));
    const offsets = decodeBytes(s.offsets);
    ring.offsets = ring.usesShortOffsets() ? new Uint16Array(offsets) : new Uint32Array(offsets);
    ring.firstBucket = s.firstBucket;
    ring.lastRel = s.lastRel;
    ring.lastSlot = s.lastRel < 0 ? 0 : s.lastRel % ring.capacity;
    if (ring.total.length !== ring.capacity || ring.counts.length !== ring.capacity || ring.offsets.length !== ring.capacity) {
      throw new RangeError('bucket ring snapshot: arrays of different lengths');
    }
    return ring;
  }

  /** Plain JSON for snapshots. */
  toJSON(): FirstSampleRingState {
    return {
      bucketMs: this.bucketMs,
      maxBuckets: this.maxBuckets,
      firstBucket: this.firstBucket,
      lastRel: this.lastRel,
      offsets: encodeBytes(this.offsets),
      good: encodeBytes(this.good),
      total: encodeBytes(this.total),
      counts: encodeBytes(this.counts),
    };
  }

  /**
   * Records the sample if it is the first of its bucket; returns whether it was. O(1), except that the first sample
   * after a gap marks the empty buckets before it (at most the ring's capacity, so amortised O(1) per bucket of time).
   */
  offer(ts: number, good: number, total: number, count: number): boolean {
    const bucket = Math.floor(ts / this.bucketMs);
    if (this.lastRel < 0) {
      this.firstBucket = bucket;
      this.write(0, ts - bucket * this.bucketMs, good, total, count);
      this.lastRel = 0;
      this.lastSlot = 0;
      return true;
    }
    const rel = bucket - this.firstBucket;
    if (rel <= this.lastRel) return false;
    if (rel >= this.capacity && this.capacity < this.maxBuckets) this.grow(rel + 1);
    const cap = this.capacity;
    for (let k = Math.max(this.lastRel + 1, rel - cap + 1); k < rel; k++) this.offsets[k % cap] = this.bucketMs + (rel - k);
    this.write(rel, ts - bucket * this.bucketMs, good, total, count);
    this.lastRel = rel;
    this.lastSlot = rel % cap;
    return true;
  }

  /**
   * The bucket (relative number) whose first sample is the first sample at or after `startMs`, or {@link NO_SAMPLE},
   * or {@link NOT_COVERED} when `startMs` falls in buckets already overwritten. A start inside a bucket (not on the
   * grid) whose first sample precedes it resolves to the next non-empty bucket: the sample it returns is then inside
   * the window but may not be the first one there.
   */
  locate(startMs: number): number {
    if (this.lastRel < 0) return NO_SAMPLE;
    let rel = Math.floor(startMs / this.bucketMs) - this.firstBucket;
    if (rel > this.lastRel) return NO_SAMPLE;
    const oldest = this.lastRel - this.capacity + 1;
    if (rel < oldest) {
      // Before anything was overwritten, buckets before the first one hold nothing: the first sample is the answer.
      if (oldest > 0) return NOT_COVERED;
      rel = 0;
    } else if (rel < 0) rel = 0;
    rel = this.settle(rel);
    if (this.tsOf(rel, this.slotOf(rel)) < startMs) {
      if (rel === this.lastRel) return NO_SAMPLE;
      rel = this.settle(rel + 1);
    }
    return rel;
  }

  /** The array slot of a retained bucket (one returned by {@link locate}). */
  slotOf(rel: number): number {
    const slot = this.lastSlot - (this.lastRel - rel);
    return slot < 0 ? slot + this.capacity : slot;
  }

  /** Time of the first sample of a located bucket, given its slot. */
  tsOf(rel: number, slot: number): number {
    return (this.firstBucket + rel) * this.bucketMs + (this.offsets[slot] as number);
  }

  /** Raw good counter of the first sample of a located bucket. */
  goodAt(slot: number): number {
    return this.good[slot] as number;
  }

  /** Raw total counter of the first sample of a located bucket. */
  totalAt(slot: number): number {
    return this.total[slot] as number;
  }

  /** Running sample count (mod 2^32) of the first sample of a located bucket. */
  countAt(slot: number): number {
    return this.counts[slot] as number;
  }

  /** Running count (mod 2^32) of the oldest first sample still retained; -1 when empty. */
  oldestCount(): number {
    if (this.lastRel < 0) return -1;
    return this.countAt(this.slotOf(this.settle(Math.max(0, this.lastRel - this.capacity + 1))));
  }

  /** Bytes held by the typed arrays. */
  retainedBytes(): number {
    return this.offsets.byteLength + this.good.byteLength + this.total.byteLength + this.counts.byteLength;
  }

  /** Follows an empty bucket's marker to the next non-empty bucket. */
  private settle(rel: number): number {
    const off = this.offsets[this.slotOf(rel)] as number;
    return off < this.bucketMs ? rel : rel + (off - this.bucketMs);
  }

  private write(rel: number, offset: number, good: number, total: number, count: number): void {
    const slot = rel % this.capacity;
    this.offsets[slot] = offset;
    this.good[slot] = good;
    this.total[slot] = total;
    this.counts[slot] = count >>> 0;
  }

  /** Grows before the ring has wrapped (lastRel < capacity), so every slot keeps its index. */
  private grow(needed: number): void {
    const cap = Math.min(this.maxBuckets, Math.max(needed, this.capacity * 2));
    const offsets = this.newOffsets(cap);
    offsets.set(this.offsets);
    const good = new Float64Array(cap);
    good.set(this.good);
    const total = new Float64Array(cap);
    total.set(this.total);
    const counts = new Uint32Array(cap);
    counts.set(this.counts);
    this.offsets = offsets;
    this.good = good;
    this.total = total;
    this.counts = counts;
    this.capacity = cap;
  }

  private usesShortOffsets(): boolean {
    return this.bucketMs + this.maxBuckets <= 0xffff;
  }

  private newOffsets(n: number): Uint16Array | Uint32Array {
    return this.usesShortOffsets() ? new Uint16Array(n) : new Uint32Array(n);
  }
}
