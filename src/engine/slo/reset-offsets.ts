/** A {@link ResetOffsets} as plain JSON: `[count, good, total]` triples. */
export type ResetOffsetsState = readonly number[];

/**
 * The running sums of pre-reset counter values (Prometheus' counter correction), recorded only when they change, so
 * that the reset-adjusted increase between a window's first sample and the latest one is
 * `(lastRaw - firstRaw) + (offsetNow - offsetAt(first))` without keeping each sample.
 *
 * An entry takes effect at the sample count where the reset happened. Lookups only ever ask for the count of a
 * bucket's first sample, so a reset that no first sample can see (another reset follows before the next bucket
 * starts) is overwritten in place: at most two entries per bucket, and none at all for a counter that never resets.
 * Entries older than the oldest retained bucket are pruned.
 */
export class ResetOffsets {
  /** Flat `[count, good, total]` triples in increasing count order. */
  private entries: number[] = [];

  /** Rebuilds the list from {@link toJSON} output. */
  static fromJSON(s: ResetOffsetsState): ResetOffsets {
    const r = new ResetOffsets();
    if (s.length % 3 !== 0) throw new RangeError('reset offsets snapshot: not a list of triples');
    r.entries = [...s];
    return r;
  }

  /** Plain JSON for snapshots. */
  toJSON(): ResetOffsetsState {
    return [...this.entries];
  }

  /** Number of recorded offsets. */
  get size(): number {
    return this.entries.length / 3;
  }

  /**
   * Records the offsets in effect from sample `count` on. `bucketFirstCount` is the count of the newest bucket's first
   * sample: an entry made after it is invisible to every lookup and is replaced rather than kept.
   */
  record(count: number, good: number, total: number, bucketFirstCount: number): void {
    const e = this.entries;
    const n = e.length;
    if (n > 0 && (e[n - 3] as number) > bucketFirstCount) {
      e[n - 3] = count;
      e[n - 2] = good;
      e[n - 1] = total;
      return;
    }
    e.push(count, good, total);
  }

  /** Drops entries superseded before the sample `oldestCount`, the oldest that any lookup can still ask about. */
  prune(oldestCount: number): void {
    const e = this.entries;
    let drop = 0;
    while (drop + 3 < e.length && (e[drop + 3] as number) <= oldestCount) drop += 3;
    if (drop > 0) e.splice(0, drop);
  }

  /** Index of the entry in effect at sample `count` (binary search), or -1 before the first reset. */
  indexAt(count: number): number {
    const e = this.entries;
    let lo = 0;
    let hi = e.length / 3 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((e[mid * 3] as number) <= count) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Good-counter offset of entry `i` from {@link indexAt}; 0 for -1. */
  goodAt(i: number): number {
    return i < 0 ? 0 : (this.entries[i * 3 + 1] as number);
  }

  /** Total-counter offset of entry `i` from {@link indexAt}; 0 for -1. */
  totalAt(i: number): number {
    return i < 0 ? 0 : (this.entries[i * 3 + 2] as number);
  }

  /** Approximate bytes held (a packed double array). */
  retainedBytes(): number {
    return 16 + this.entries.length * 8;
  }
}
