/**
 * The WAL's on-disk pieces: segment file names, the frame format, scanning and validating frames, and the raw-fd
 * file helpers. Split from wal.ts so that file keeps only the log's state machine and group commit; nothing here
 * knows about queued appends or the failed state.
 *
 * Frame format: `[u32 LE payload length][u32 LE crc32 of payload][payload]`, frames back to back with nothing between
 * them, so a segment can only be read from its start or from a byte position remembered in `Segment.marks`.
 */
import fs from 'node:fs';
import { crc32 } from 'node:zlib';

/** Largest entry `append` accepts. A frame header claiming more is taken as corruption when a segment is scanned. */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** Bytes of a frame header (length, crc32). Writers and the scanner must agree on it, or every frame misparses. */
export const HEADER_BYTES = 8;
/** Scanning reads this much at a time; a chunk grows to hold a larger frame whole, so no frame spans two chunks. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** Every INDEX_STRIDE-th entry's byte position is remembered, so `read` from a snapshot offset seeks, not scans. */
export const INDEX_STRIDE = 1024;
/** Names of segment files, as written by `segmentName`; files in the directory that do not match are ignored. */
export const SEGMENT_FILE = /^wal-(\d{20})\.log$/;

/** One segment file and what is known durable in it. Only the last segment of a log is ever appended to. */
export interface Segment {
  readonly firstOffset: number;
  readonly name: string;
  readonly path: string;
  /** Durable entries and bytes only: both grow after a commit's fdatasync, never before. */
  entries: number;
  bytes: number;
  /** marks[k] = byte position of entry firstOffset + k * INDEX_STRIDE. */
  readonly marks: number[];
}

/** One parsed frame. `pos` is the file position of its header, not its payload: index marks seek to it. */
export interface Frame {
  readonly pos: number;
  readonly data: Buffer;
}

/** Frames parsed from one chunk; `problem` says why scanning stopped early (torn or corrupt frame at `goodEnd`). */
export interface FrameBatch {
  readonly frames: Frame[];
  readonly goodEnd: number;
  readonly problem: string | null;
}

/**
 * Validates a whole segment, filling in its durable entries, bytes and index; returns the file size and any problem.
 * `seg` must come in empty (no entries, bytes or marks): the scan adds to them rather than resetting them.
 */
export async function scanSegment(seg: Segment): Promise<{ size: number; problem: string | null }> {
  const fd = await fsCall<number>((cb) => fs.open(seg.path, 'r', cb));
  try {
    const size = (await fsCall<fs.Stats>((cb) => fs.fstat(fd, cb))).size;
    let problem: string | null = null;
    for await (const batch of scanFrames(fd, seg.path, 0, size)) {
      for (const frame of batch.frames) {
        if (seg.entries % INDEX_STRIDE === 0) seg.marks.push(frame.pos);
        seg.entries++;
      }
      seg.bytes = batch.goodEnd;
      problem = batch.problem;
    }
    return { size, problem };
  } finally {
    await fsCall<void>((cb) => fs.close(fd, cb));
  }
}

/**
 * Parses the frames of `file` between byte `start` and `end`, a chunk at a time. Each chunk is a fresh buffer, so the
 * frames yielded earlier stay valid (they are views into it). Stops at the first torn or corrupt frame.
 */
export async function* scanFrames(fd: number, file: string, start: number, end: number): AsyncGenerator<FrameBatch> {
  let buf = Buffer.alloc(0);
  let bufPos = start; // file position of buf[0]
  for (;;) {
    const frames: Frame[] = [];
    let p = 0;
    let need = HEADER_BYTES;
    let problem: string | null = null;
    while (buf.length - p >= HEADER_BYTES) {
      const len = buf.readUInt32LE(p);
      if (len === 0 || len > MAX_ENTRY_BYTES) {
        problem = `bad frame length ${len} at byte ${bufPos + p}`;
        break;
      }
      need = HEADER_BYTES + len;
      if (buf.length - p < need) break;
      const data = buf.subarray(p + HEADER_BYTES, p + need);
      if (crc32(data) !== buf.readUInt32LE(p + 4)) {
        problem = `crc mismatch at byte ${bufPos + p}`;
        break;
      }
      frames.push({ pos: bufPos + p, data });
      p += need;
      need = HEADER_BYTES;
    }
    const fileLeft = end - (bufPos + buf.length);
    if (problem === null && fileLeft === 0 && p < buf.length) {
      problem = buf.length - p < HEADER_BYTES
        ? `torn frame header at byte ${bufPos + p}`
        : `torn frame at byte ${bufPos + p}: ${need - HEADER_BYTES} bytes announced, ${buf.length - p - HEADER_BYTES} present`;
    }
    yield { frames, goodEnd: bufPos + p, problem };
    if (problem !== null || fileLeft === 0) return;
    const rest = buf.length - p;
    const next = Buffer.allocUnsafe(Math.min(Math.max(READ_CHUNK_BYTES, need), rest + fileLeft));
    buf.copy(next, 0, p);
    const readAt = bufPos + buf.length;
    await readFully(fd, file, next, rest, readAt);
    bufPos += p;
    buf = next;
  }
}

/** Fills `into` from byte `from` on with the file's bytes at `position`; reaching end of file first is an error. */
async function readFully(fd: number, file: string, into: Buffer, from: number, position: number): Promise<void> {
  for (let at = from; at < into.length; ) {
    const n = await fsCall<number>((cb) => fs.read(fd, into, at, into.length - at, position + at - from, cb));
    if (n === 0) throw new Error(`${file}: file ends at byte ${position + at - from}, expected ${into.length - at} more bytes`);
    at += n;
  }
}

/** Records index marks for the frames a commit wrote at the end of `seg` (called before `seg.bytes` grows). */
export function indexBatch(seg: Segment, buffers: Buffer[], firstOffset: number): void {
  let offset = firstOffset;
  let pos = seg.bytes;
  for (const buf of buffers) {
    for (let p = 0; p < buf.length; ) {
      if ((offset - seg.firstOffset) % INDEX_STRIDE === 0) seg.marks.push(pos + p);
      p += HEADER_BYTES + buf.readUInt32LE(p);
      offset++;
    }
    pos += buf.length;
  }
}

/** Cuts `file` to `size` bytes and fsyncs it, so a torn tail cut at open() stays cut; the file must exist. */
export async function truncateFile(file: string, size: number): Promise<void> {
  const fd = await fsCall<number>((cb) => fs.open(file, 'r+', cb));
  try {
    await fsCall<void>((cb) => fs.ftruncate(fd, size, cb));
    await fsCall<void>((cb) => fs.fsync(fd, cb));
  } finally {
    await fsCall<void>((cb) => fs.close(fd, cb));
  }
}

/** Makes creations, renames and deletions in `dir` durable (an fsync of a file does not cover its directory entry). */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await fsCall<number>((cb) => fs.open(dir, 'r', cb));
  try {
    await fsCall<void>((cb) => fs.fsync(fd, cb));
  } catch (err) {
    throw new Error(`fsync of directory ${dir} failed: ${errMessage(err)}`, { cause: err });
  } finally {
    await fsCall<void>((cb) => fs.close(fd, cb));
  }
}

/** File name of the segment whose first entry is `firstOffset`; zero-padded so names sort in offset order. */
export function segmentName(firstOffset: number): string {
  return `wal-${String(firstOffset).padStart(20, '0')}.log`;
}

/**
 * Adapts a callback fs call to a promise. Raw fds with callbacks measured a few percent faster per commit than
 * fs.promises FileHandle on this kind of host (both are dominated by the fdatasync itself). The value is not checked:
 * `T` must be what the wrapped call passes on success.
 */
export function fsCall<T>(call: (cb: (err: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    call((err, value) => (err === null ? resolve(value as T) : reject(err)));
  });
}

/** The message of a thrown value, for wrapping it in an error with context; anything not an Error is stringified. */
export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
