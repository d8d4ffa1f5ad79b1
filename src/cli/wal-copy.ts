import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { createWal } from '../log/index.js';

/** The capture lines of a server's embedded WAL, read from a private copy. */
export interface WalLines {
  /** Every line the copy holds, oldest first; may be called more than once. */
  lines(): AsyncIterable<string>;
  /** The offset of the oldest entry still held: above 0, snapshots have truncated the front of the log. */
  readonly firstOffset: number;
  /** The offset the next entry would get: how many requests the server had logged when the copy was made. */
  readonly nextOffset: number;
  /** Closes the copy and removes it. */
  close(): Promise<void>;
}

/**
 * Opens the WAL of a server's data dir (`<dataDir>/wal`) for reading without touching it: its segment files are
 * copied to a temp dir first and the log's own reader opens the copy. Opening a WAL recovers it (a torn tail is
 * cut, a missing dir is created), which must never happen to the directory a running server is appending to; in
 * the copy, a frame being written at that moment is simply cut. Throws InputError when there is no WAL.
 */
export async function openWalCopy(dataDir: string): Promise<WalLines> {
  const walDir = join(dataDir, 'wal');
  let names: string[];
  try {
    names = (await readdir(walDir)).sort();
  } catch (err) {
    throw new InputError(`${walDir}: no WAL here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); --data takes the data dir of an embedded server`, { cause: err });
  }
  const copy = await mkdtemp(join(tmpdir(), 'stormcell-wal-copy-'));
  const wal = createWal({ dir: copy });
  try {
    for (const name of names) {
      await copyFile(join(walDir, name), join(copy, name)).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // A snapshot dropped the segment between listing and copying: the copy would have a hole; try again.
        throw new InputError(`${walDir}: ${name} was removed while it was being copied (a snapshot truncated the log); run the export again`);
      });
    }
    await wal.open();
  } catch (err) {
    await rm(copy, { recursive: true, force: true });
    if (err instanceof InputError) throw err;
    throw new InputError(`${walDir}: cannot read the WAL: ${(err as Error).message}`, { cause: err });
  }
  const decoder = new TextDecoder();
  return {
    firstOffset: wal.firstOffset(),
    nextOffset: wal.nextOffset(),
    async *lines() {
      for await (const entry of wal.read(wal.firstOffset())) yield decoder.decode(entry.data);
    },
    async close() {
      await wal.close();
      await rm(copy, { recursive: true, force: true });
    },
  };
}
