/**
 * The outbox's durable file: `<dir>/outbox.log`, one JSON record per line, appended with group commit (all lines
 * queued while a write is under way go out in the next single write + fdatasync) and replaced atomically by a
 * compacted version (write `outbox.log.tmp`, fsync, rename over `outbox.log`, fsync the directory).
 *
 * Failure model, as the WAL's: a failed write or fsync puts the file into a failed state where every later append
 * rejects until the process reopens it, since after a failed fsync the kernel may have dropped the dirty pages.
 *
 * This file imports nothing from src/ but types, so a test can transpile it alone and run it in a child process.
 */
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordStore, RecordStoreContents } from './record-store.js';

const FILE = 'outbox.log';
const TMP = 'outbox.log.tmp';

/** An append-only record file with group commit and atomic rewrite: the embedded mode's {@link RecordStore}. */
export class OutboxFile implements RecordStore {
  private fh: FileHandle | null = null;
  private bytes = 0;
  private batch: { lines: string[]; waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> } | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closed = false;

  /** The file `outbox.log` in `dir`; nothing is touched before {@link OutboxFile.open}. */
  constructor(private readonly dir: string) {}

  get location(): string {
    return join(this.dir, FILE);
  }

  /**
   * Opens (creating) the file in `dir`: parses every line; a last line without its newline or that does not parse is
   * a write torn by a crash (it was never acknowledged) and is cut off; a bad line before the last is corruption and
   * throws.
   */
  async open(): Promise<RecordStoreContents> {
    if (this.fh !== null) throw new Error(`outbox: ${this.location} is already open`);
    const dir = this.dir;
    await mkdir(dir, { recursive: true });
    await rm(join(dir, TMP), { force: true });
    const path = join(dir, FILE);
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw new Error(`outbox: cannot read ${path}: ${err.message}`, { cause: err });
    });
    const records: unknown[] = [];
    let goodBytes = 0;
    let truncatedBytes = 0;
    if (text !== null) {
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string;
        const isLast = i === lines.length - 1;
        if (isLast) {
          // After the final '\n' split() leaves '' behind; anything else there is a line whose newline never landed.
          truncatedBytes = Buffer.byteLength(line);
          break;
        }
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          if (i === lines.length - 2 && lines[lines.length - 1] === '') {
            // The last complete line is garbage: a torn write that happened to end in a newline byte. Cut it too.
            truncatedBytes = Buffer.byteLength(line) + 1;
            break;
          }
          throw new Error(`outbox: ${path} line ${i + 1} is corrupt`, { cause: err });
        }
        records.push(value);
        goodBytes += Buffer.byteLength(line) + 1;
      }
    }
    const fh = await open(path, 'a');
    if (truncatedBytes > 0) {
      await fh.truncate(goodBytes);
      await fh.sync();
    }
    if (text === null) await fsyncDir(dir);
    this.fh = fh;
    this.bytes = goodBytes;
    return { records, truncatedBytes };
  }

  /** Bytes in the file, counting appends once they are written. */
  get size(): number {
    return this.bytes;
  }

  /** The error that broke the file, if any. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Appends one record (a JSON line) and resolves once it is on disk (fdatasync), together with its batch. */
  append(record: unknown): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('outbox: file is closed'));
    if (this.fh === null) return Promise.reject(new Error(`outbox: append to ${this.location} before open`));
    const line = `${JSON.stringify(record)}\n`;
    let batch = this.batch;
    if (batch === null) {
      const fresh: NonNullable<OutboxFile['batch']> = { lines: [], waiters: [] };
      this.batch = batch = fresh;
      this.chain = this.chain.then(() => this.flush(fresh));
    }
    batch.lines.push(line);
    return new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
  }

  /**
   * Replaces the file with `records` once every append queued before this call is written; appends queued after it
   * land in the new file. `records` must be the state that the earlier appends produced, captured at the call.
   */
  rewrite(records: readonly unknown[]): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.fh === null) return Promise.reject(new Error(`outbox: rewrite of ${this.location} before open`));
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    this.batch = null;
    const done = this.chain.then(() => this.replace(text));
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Waits for queued writes, then closes the handle. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.fh?.close();
  }

  private async flush(batch: NonNullable<OutboxFile['batch']>): Promise<void> {
    if (this.batch === batch) this.batch = null;
    try {
      if (this.failure !== null) throw this.failure;
      const buf = Buffer.from(batch.lines.join(''), 'utf8');
      const fh = this.fh as FileHandle; // append checked it is open; only replace() swaps it, on the same chain
      let off = 0;
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off, null)).bytesWritten;
      await fh.datasync();
      this.bytes += buf.length;
      for (const w of batch.waiters) w.resolve();
    } catch (err) {
      this.failure ??= new Error(`outbox: append to ${join(this.dir, FILE)} failed`, { cause: err });
      for (const w of batch.waiters) w.reject(this.failure);
    }
  }

  private async replace(text: string): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const tmpPath = join(this.dir, TMP);
    try {
      const tmp = await open(tmpPath, 'w');
      try {
        await tmp.writeFile(text, 'utf8');
        await tmp.sync();
      } finally {
        await tmp.close();
      }
      await rename(tmpPath, join(this.dir, FILE));
      await fsyncDir(this.dir);
      const old = this.fh;
      this.fh = await open(join(this.dir, FILE), 'a');
      this.bytes = Buffer.byteLength(text);
      await old?.close();
    } catch (err) {
      this.failure ??= new Error(`outbox: compaction of ${join(this.dir, FILE)} failed`, { cause: err });
      throw this.failure;
    }
  }
}

/** Makes creations and renames in `dir` durable: an fsync of a file does not cover its directory entry. */
async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
