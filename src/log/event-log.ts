/**
 * The durable log every acknowledged request goes through (DESIGN: receivers → log → engine).
 * Entries are opaque single-line byte strings (capture lines, CONTRACT §2); offsets are dense, start at 0 and
 * never repeat, so a snapshot can name the first entry it does not cover.
 */
export interface EventLog {
  /** Opens (and recovers) the log. Returns what recovery found, e.g. a torn or corrupt tail that was cut off. */
  open(): Promise<LogRecovery>;
  /**
   * Appends entries and resolves with the offset of the first one once all are durable (fsynced, or
   * acknowledged by the broker). Concurrent calls are committed together (group commit). Every entry must be
   * non-empty: a zero-filled file tail after a crash must never parse as entries.
   */
  append(entries: readonly Uint8Array[]): Promise<number>;
  /**
   * Reads entries from `fromOffset` (inclusive) up to the last one acknowledged when the call was made.
   * Throws a RangeError when `fromOffset` is below `firstOffset()` (truncated away) or beyond `nextOffset()`,
   * since either means the caller's snapshot and this log disagree.
   */
  read(fromOffset: number): AsyncIterable<LogEntry>;
  /** The offset the next appended entry will get. */
  nextOffset(): number;
  /**
   * The offset of the oldest entry still readable: 0 until `truncateBefore` dropped something. Lets the app decide
   * whether replaying from 0 is still possible when a snapshot is unusable.
   */
  firstOffset(): number;
  /**
   * Drops whole segments that hold only entries below `offset`. The caller must have made a snapshot covering
   * `offset` durable first; entries below `offset` may stay readable (only whole segments go).
   */
  truncateBefore(offset: number): Promise<void>;
  /** Waits for appends already made to be committed or rejected, then releases files. Later appends reject. */
  close(): Promise<void>;
}

/** One entry as read back. `data` may be a view into a larger read buffer: copy it before keeping it for long. */
export interface LogEntry {
  readonly offset: number;
  readonly data: Uint8Array;
}

/** What `open()` found. `truncatedBytes` > 0 means a torn or corrupt tail was detected and cut off. */
export interface LogRecovery {
  readonly entries: number;
  readonly truncatedBytes: number;
  readonly problem?: string;
}

/** Engine state saved with the log offset of the first entry it does not include. */
export interface Snapshot<S> {
  readonly offset: number;
  readonly state: S;
}

/** Where snapshots live. `save` is atomic: after a crash `load` returns the old or the new snapshot, never a mix. */
export interface SnapshotStore<S> {
  /**
   * The last saved snapshot, or null when none was ever saved. Throws an Error naming the file and the problem
   * when a snapshot exists but is damaged: only the app knows whether replaying the log from 0 is still possible.
   */
  load(): Promise<Snapshot<S> | null>;
  /** Serializes `snapshot.state` with JSON.stringify on the caller's thread, then saves it as `saveSerialized` does. */
  save(snapshot: Snapshot<S>): Promise<void>;
  /**
   * Saves a state the caller already serialized: `stateJson` must be the JSON text (or its UTF-8 bytes) of an S.
   * Lets a large state be serialized off the event loop (a worker, or in slices) and handed over without a copy.
   */
  saveSerialized(offset: number, stateJson: string | Uint8Array): Promise<void>;
}
