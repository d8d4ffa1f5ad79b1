/**
 * The embedded write-ahead log: segment files of CRC-framed entries, fdatasync'ed with group commit.
 *
 * On-disk format: `<dir>/wal-<offset of its first entry, 20 digits>.log`, each a run of frames
 * `[u32 LE payload length][u32 LE crc32 of payload][payload]`. Nothing else is stored: the next offset is the last
 * segment's first offset plus its frame count, which is why the last segment is never deleted. Framing, scanning
 * and the file helpers are in wal-segment.ts; this file is the log's state machine and group commit.
 *
 * Failure model: a failed write or fsync puts the log into a failed state in which every queued and later append
 * rejects until the process closes and reopens it. Retrying in place is unsafe: after a failed fsync Linux may drop
 * the dirty pages and report the next fsync as a success, and a failed write may have left part of a frame behind.
 * `open()` is where a torn tail is found and cut, so reopening (usually a restart) is the one recovery path. A batch
 * whose fsync failed may still turn out to be on disk after reopening: its requests got an error, so the client
 * retries and the entries can appear twice (at least once, never lost once acknowledged).
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { EventLog, LogEntry, LogRecovery } from './event-log.js';
import {
  errMessage,
  fsCall,
  fsyncDir,
  HEADER_BYTES,
  INDEX_STRIDE,
  indexBatch,
  MAX_ENTRY_BYTES,
  scanFrames,
  scanSegment,
  type Segment,
  SEGMENT_FILE,
  segmentName,
  truncateFile,
} from './wal-segment.js';

/**
 * Largest entry `append` accepts. Defined with the frame format in wal-segment.ts, since the scanner rejects larger
 * frame headers as corruption; re-exported here, where callers of the log look for it.
 */
export { MAX_ENTRY_BYTES };

/** Options of `createWal`. One WAL per directory: two processes appending to the same directory corrupt it. */
export interface WalOptions {
  /** Holds the segment files; created when missing. */
  readonly dir: string;
  /** A commit that would take the current segment past this size goes to a new segment (default 64 MiB). */
  readonly segmentBytes?: number;
  /**
   * Called after each successful data fdatasync with its duration and the number of entries it made durable
   * (fsync latency metrics without the log importing prom-client). Must not throw.
   */
  readonly onFsync?: (seconds: number, entries: number) => void;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** Creates the embedded EventLog over `opts.dir`. Call `open()` before anything else. */
export function createWal(opts: WalOptions): EventLog {
  return new Wal(opts);
}

interface PendingAppend {
  readonly first: number;
  readonly count: number;
  readonly frames: Buffer;
  readonly resolve: (first: number) => void;
  readonly reject: (err: Error) => void;
}

type State = 'new' | 'opening' | 'open' | 'closing' | 'closed';

class Wal implements EventLog {
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly onFsync: ((seconds: number, entries: number) => void) | undefined;
  private state: State = 'new';
  private segments: Segment[] = [];
  private fd = -1;
  private next = 0;
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private failure: Error | null = null;
  private maintenance: Promise<void> = Promise.resolve();

  constructor(opts: WalOptions) {
    this.dir = opts.dir;
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.onFsync = opts.onFsync;
    if (!Number.isSafeInteger(this.segmentBytes) || this.segmentBytes <= 0) {
      throw new RangeError(`wal ${this.dir}: segmentBytes must be a positive integer, got ${this.segmentBytes}`);
    }
  }

  async open(): Promise<LogRecovery> {
    if (this.state !== 'new' && this.state !== 'closed') throw new Error(`wal ${this.dir}: open() while ${this.state}`);
    this.state = 'opening';
    try {
      const recovery = await this.recover();
      this.state = 'open';
      return recovery;
    } catch (err) {
      // Synchronous close: on this rare path an async close failing must not replace the error worth reporting.
      if (this.fd >= 0) fs.closeSync(this.fd);
      this.fd = -1;
      this.state = 'closed';
      throw err;
    }
  }

  append(entries: readonly Uint8Array[]): Promise<number> {
    if (this.state !== 'open') {
      return Promise.reject(new Error(`wal ${this.dir}: append while ${this.state}; appends need an open log`));
    }
    if (this.failure !== null) return Promise.reject(this.failedError());
    let total = 0;
    for (let i = 0; i < entries.length; i++) {
      const n = (entries[i] as Uint8Array).byteLength;
      if (n === 0 || n > MAX_ENTRY_BYTES) {
        return Promise.reject(
          new RangeError(`wal ${this.dir}: entries[${i}] is ${n} bytes; entries must be 1..${MAX_ENTRY_BYTES} bytes`),
        );
      }
      total += HEADER_BYTES + n;
    }
    if (entries.length === 0) return Promise.resolve(this.next);
    // Framing (and its crc) happens here, on the caller's turn, so the commit path only writes and syncs.
    const frames = Buffer.allocUnsafe(total);
    let pos = 0;
    for (const entry of entries) {
      frames.writeUInt32LE(entry.byteLength, pos);
      frames.writeUInt32LE(crc32(entry), pos + 4);
      frames.set(entry, pos + HEADER_BYTES);
      pos += HEADER_BYTES + entry.byteLength;
    }
    const first = this.next;
    this.next += entries.length;
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ first, count: entries.length, frames, resolve, reject });
      this.scheduleFlush();
    });
  }

  read(fromOffset: number): AsyncIterable<LogEntry> {
    if (this.state !== 'open' && this.state !== 'closing') throw new Error(`wal ${this.dir}: read while ${this.state}`);
    const first = this.firstOffset();
    if (!Number.isSafeInteger(fromOffset) || fromOffset < first || fromOffset > this.next) {
      throw new RangeError(
        `wal ${this.dir}: cannot read from offset ${fromOffset}; readable offsets start at ${first} and end before ${this.next}`,
      );
    }
    // Copy what is durable now: later commits grow the live segment objects, and "to the end as of the call" must hold.
    const view = this.segments
      .filter((s) => s.entries > 0 && s.firstOffset + s.entries > fromOffset)
      .map((s) => ({ ...s, marks: s.marks.slice() }));
    return this.readSegments(view, fromOffset);
  }

  nextOffset(): number {
    return this.next;
  }

  firstOffset(): number {
    return this.segments[0]?.firstOffset ?? 0;
  }

  truncateBefore(offset: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`wal ${this.dir}: truncateBefore while ${this.state}`));
    // Segment i holds only entries below `offset` when segment i+1 starts at or before it. The last segment always
    // stays: its name is what carries the next offset across a restart. A read() already iterating a dropped
    // segment keeps its open file; one that has not reached it yet fails with the file name.
    const doomed: Segment[] = [];
    while (this.segments.length > 1 && (this.segments[1] as Segment).firstOffset <= offset) {
      doomed.push(this.segments.shift() as Segment);
    }
    const run = async (): Promise<void> => {
      for (const seg of doomed) {
        await fsCall<void>((cb) => fs.unlink(seg.path, cb)).catch((err: unknown) => {
          throw new Error(`wal ${this.dir}: deleting ${seg.name} failed: ${errMessage(err)}`, { cause: err });
        });
        // One directory fsync per unlink keeps deletions in order, oldest first: a crash can then leave a prefix
        // deleted, never a hole in the middle that open() would take for a lost segment.
        await fsyncDir(this.dir);
      }
    };
    const done = this.maintenance.then(run);
    this.maintenance = done.catch(() => undefined); // the caller of this truncation gets its error; later ones still run
    return done;
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    while (this.flushing !== null) await this.flushing;
    await this.maintenance;
    const fd = this.fd;
    this.fd = -1;
    this.state = 'closed';
    await fsCall<void>((cb) => fs.close(fd, cb));
  }

  private async recover(): Promise<LogRecovery> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const names = (await fs.promises.readdir(this.dir)).filter((n) => SEGMENT_FILE.test(n)).sort();
    this.segments = [];
    this.failure = null;
    this.queue = [];
    let entries = 0;
    let truncatedBytes = 0;
    let problem: string | undefined;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const firstOffset = Number(name.slice(4, 24));
      const prev = this.segments[this.segments.length - 1];
      if (prev !== undefined && prev.firstOffset + prev.entries !== firstOffset) {
        const end = prev.firstOffset + prev.entries;
        throw new Error(
          `wal ${this.dir}: ${name} starts at offset ${firstOffset}, but ${prev.name} ends before offset ${end}; ` +
            `a segment between them is missing, or one of them is damaged`,
        );
      }
      const seg: Segment = { firstOffset, name, path: path.join(this.dir, name), entries: 0, bytes: 0, marks: [] };
      const scan = await scanSegment(seg);
      if (scan.problem !== null) {
        if (i < names.length - 1) {
          // Later segments exist, so this segment was complete and fsynced before they were created: a bad frame
          // here is damage to acknowledged data. Skipping it would silently drop entries and shift every offset.
          throw new Error(
            `wal ${this.dir}: ${name}: ${scan.problem} in the middle of the log (later segments exist); ` +
              `refusing to open, as acknowledged entries would be lost`,
          );
        }
        const cut = scan.size - seg.bytes;
        await truncateFile(seg.path, seg.bytes);
        truncatedBytes += cut;
        problem = `${name}: ${scan.problem}; cut ${cut} bytes`;
      }
      entries += seg.entries;
      this.segments.push(seg);
    }
    let last = this.segments[this.segments.length - 1];
    if (last === undefined) {
      last = { firstOffset: 0, name: segmentName(0), path: path.join(this.dir, segmentName(0)), entries: 0, bytes: 0, marks: [] };
      this.fd = await fsCall<number>((cb) => fs.open(last!.path, 'wx', cb));
      await fsyncDir(this.dir);
      this.segments.push(last);
    } else {
      this.fd = await fsCall<number>((cb) => fs.open(last!.path, 'r+', cb));
    }
    this.next = last.firstOffset + last.entries;
    return problem === undefined ? { entries, truncatedBytes } : { entries, truncatedBytes, problem };
  }

  private scheduleFlush(): void {
    if (this.flushing !== null || this.queue.length === 0) return;
    // setImmediate is not a delay: it lets appends issued in this same turn (e.g. every waiter just released by the
    // previous commit) join this commit instead of the next one, which halves the commits of a closed-loop load.
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const firstOffset = (batch[0] as PendingAppend).first;
    const last = batch[batch.length - 1] as PendingAppend;
    const entries = last.first + last.count - firstOffset;
    const buffers = batch.map((p) => p.frames);
    const bytes = buffers.reduce((sum, b) => sum + b.byteLength, 0);
    let seg = this.segments[this.segments.length - 1] as Segment;
    let step = `creating ${segmentName(firstOffset)}`;
    let seconds = 0;
    try {
      if (seg.bytes > 0 && seg.bytes + bytes > this.segmentBytes) seg = await this.roll(firstOffset);
      step = `write to ${seg.name} at byte ${seg.bytes}`;
      const written = await fsCall<number>((cb) => fs.writev(this.fd, buffers, seg.bytes, cb));
      if (written !== bytes) throw new Error(`short write: ${written} of ${bytes} bytes`);
      step = `fdatasync of ${seg.name} after writing at byte ${seg.bytes}`;
      const t0 = performance.now();
      await fsCall<void>((cb) => fs.fdatasync(this.fd, cb));
      seconds = (performance.now() - t0) / 1000;
    } catch (err) {
      this.failure = new Error(
        `wal ${this.dir}: ${step} failed (${bytes} bytes, offsets ${firstOffset}..${firstOffset + entries - 1}): ` +
          errMessage(err),
        { cause: err },
      );
      for (const p of batch) p.reject(this.failure);
      const queued = this.queue;
      this.queue = [];
      for (const p of queued) p.reject(this.failedError());
      this.flushing = null;
      return;
    }
    indexBatch(seg, buffers, firstOffset);
    seg.bytes += bytes;
    seg.entries += entries;
    for (const p of batch) p.resolve(p.first);
    this.flushing = null;
    this.scheduleFlush();
    this.onFsync?.(seconds, entries);
  }

  /** Starts segment `wal-<firstOffset>.log`; the previous one is complete and fsynced when this runs. */
  private async roll(firstOffset: number): Promise<Segment> {
    const name = segmentName(firstOffset);
    const seg: Segment = { firstOffset, name, path: path.join(this.dir, name), entries: 0, bytes: 0, marks: [] };
    const fd = await fsCall<number>((cb) => fs.open(seg.path, 'wx', cb));
    try {
      // Without this, a crash could forget the new file while its acknowledged entries were fsynced into it.
      await fsyncDir(this.dir);
    } catch (err) {
      await fsCall<void>((cb) => fs.close(fd, cb));
      throw err;
    }
    const old = this.fd;
    this.fd = fd;
    this.segments.push(seg);
    await fsCall<void>((cb) => fs.close(old, cb));
    return seg;
  }

  private failedError(): Error {
    const cause = this.failure as Error;
    return new Error(`wal ${this.dir}: the log failed earlier and accepts no appends until reopened: ${cause.message}`, {
      cause,
    });
  }

  private async *readSegments(view: Segment[], fromOffset: number): AsyncGenerator<LogEntry> {
    for (const seg of view) {
      const k = Math.floor(Math.max(0, fromOffset - seg.firstOffset) / INDEX_STRIDE);
      let offset = seg.firstOffset + k * INDEX_STRIDE;
      const end = seg.firstOffset + seg.entries;
      const fd = await fsCall<number>((cb) => fs.open(seg.path, 'r', cb)).catch((err: unknown) => {
        throw new Error(`wal ${this.dir}: cannot read ${seg.name}: ${errMessage(err)}`, { cause: err });
      });
      try {
        for await (const batch of scanFrames(fd, seg.path, seg.marks[k] as number, seg.bytes)) {
          for (const frame of batch.frames) {
            if (offset >= fromOffset) yield { offset, data: frame.data };
            offset++;
          }
          if (batch.problem !== null) {
            // open() validated these bytes, so this is damage since then (or a file replaced underneath us).
            throw new Error(`wal ${this.dir}: ${seg.name}: ${batch.problem} while reading offset ${offset}`);
          }
        }
      } finally {
        await fsCall<void>((cb) => fs.close(fd, cb));
      }
      if (offset !== end) {
        throw new Error(`wal ${this.dir}: ${seg.name}: found ${offset - seg.firstOffset} entries, expected ${seg.entries}`);
      }
    }
  }
}
