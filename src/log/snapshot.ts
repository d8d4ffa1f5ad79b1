/**
 * The snapshot store: one file, `<dir>/snapshot.json`, replaced atomically (write a temp file, fsync, rename,
 * fsync the directory).
 *
 * The file is one JSON document, readable with jq:
 *   {"format":"stormcell-snapshot/1","offset":N,"bytes":B,"crc32":C,"state":<the state's JSON, B bytes>}\n
 * The header before `"state":` holds only numbers and a fixed string, so `load` can find the state's bytes without
 * parsing them, check length and crc32, and only then parse. This keeps `saveSerialized` free of copies: the header,
 * the caller's bytes and the closing brace go out in one writev.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Snapshot, SnapshotStore } from './event-log.js';
import { fsyncDir } from './wal-segment.js';

const FILE = 'snapshot.json';
const FORMAT = 'stormcell-snapshot/1';
const STATE_KEY = Buffer.from('"state":');
const TRAILER = Buffer.from('}\n');
/** The header is a few numbers long; a file whose `"state":` is not near the start is not ours. */
const MAX_HEADER_BYTES = 256;

/**
 * Creates a SnapshotStore keeping the latest snapshot in `<dir>/snapshot.json` (dir created on first save).
 * Saves are serialized, so concurrent calls never interleave on the temp file; the last one called wins.
 * `load` trusts that the state's JSON is an S (the file is checksummed and only this store writes it).
 */
export function createSnapshotStore<S>(dir: string): SnapshotStore<S> {
  const file = path.join(dir, FILE);
  const tmp = `${file}.tmp`;
  let saving: Promise<void> = Promise.resolve();

  async function write(offset: number, body: Uint8Array): Promise<void> {
    const header = Buffer.from(
      `{"format":"${FORMAT}","offset":${offset},"bytes":${body.byteLength},"crc32":${crc32(body)},"state":`,
    );
    await fs.mkdir(dir, { recursive: true });
    const fh = await fs.open(tmp, 'w');
    try {
      const { bytesWritten } = await fh.writev([header, body, TRAILER]);
      const expected = header.length + body.byteLength + TRAILER.length;
      if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
      await fh.sync();
    } catch (err) {
      throw new Error(`snapshot ${tmp}: writing failed: ${errMessage(err)}`, { cause: err });
    } finally {
      await fh.close();
    }
    // The old snapshot.json stays intact until this rename, which replaces it in one step.
    await fs.rename(tmp, file).catch((err: unknown) => {
      throw new Error(`snapshot ${file}: renaming ${FILE}.tmp into place failed: ${errMessage(err)}`, { cause: err });
    });
    await fsyncDir(dir);
  }

  const store: SnapshotStore<S> = {
    async load(): Promise<Snapshot<S> | null> {
      let buf: Buffer;
      try {
        buf = await fs.readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new Error(`snapshot ${file}: cannot read: ${errMessage(err)}`, { cause: err });
      }
      return parseSnapshot<S>(buf, file);
    },

    save(snapshot: Snapshot<S>): Promise<void> {
      return store.saveSerialized(snapshot.offset, JSON.stringify(snapshot.state));
    },

    saveSerialized(offset: number, stateJson: string | Uint8Array): Promise<void> {
      if (!Number.isSafeInteger(offset) || offset < 0) {
        return Promise.reject(new RangeError(`snapshot ${file}: offset must be a non-negative integer, got ${offset}`));
      }
      if (stateJson.length === 0) return Promise.reject(new RangeError(`snapshot ${file}: the state JSON is empty`));
      const body = typeof stateJson === 'string' ? Buffer.from(stateJson, 'utf8') : stateJson;
      const done = saving.then(() => write(offset, body));
      saving = done.catch(() => undefined); // this save's caller gets its error; the next save still runs
      return done;
    },
  };
  return store;
}

function parseSnapshot<S>(buf: Buffer, file: string): Snapshot<S> {
  const keyAt = buf.subarray(0, MAX_HEADER_BYTES).indexOf(STATE_KEY);
  if (keyAt < 0) throw new Error(`snapshot ${file}: no snapshot header (no "state" key in the first ${MAX_HEADER_BYTES} bytes)`);
  let header: { format?: unknown; offset?: unknown; bytes?: unknown; crc32?: unknown };
  try {
    header = JSON.parse(`${buf.toString('utf8', 0, keyAt)}"state":null}`) as typeof header;
  } catch (err) {
    throw new Error(`snapshot ${file}: unreadable header: ${errMessage(err)}`, { cause: err });
  }
  if (header.format !== FORMAT) throw new Error(`snapshot ${file}: format is ${JSON.stringify(header.format)}, expected "${FORMAT}"`);
  const { offset, bytes, crc32: sum } = header;
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !Number.isSafeInteger(bytes) || !Number.isSafeInteger(sum)) {
    throw new Error(`snapshot ${file}: header offset, bytes and crc32 must be non-negative integers`);
  }
  const start = keyAt + STATE_KEY.length;
  const end = buf.length - TRAILER.length;
  if (end - start !== bytes || !buf.subarray(end).equals(TRAILER)) {
    throw new Error(`snapshot ${file}: truncated or extended: header says ${bytes as number} state bytes, file holds ${end - start}`);
  }
  const body = buf.subarray(start, end);
  const actual = crc32(body);
  if (actual !== sum) throw new Error(`snapshot ${file}: crc32 mismatch: header ${sum as number}, state bytes ${actual}`);
  try {
    return { offset: offset as number, state: JSON.parse(body.toString('utf8')) as S };
  } catch (err) {
    // The checksum matched, so the writer handed saveSerialized something that was not JSON.
    throw new Error(`snapshot ${file}: the state is not valid JSON: ${errMessage(err)}`, { cause: err });
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
