import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWal, type EventLog, type WalOptions } from '../../../src/log/index.js';

let dir: string;
const opened: EventLog[] = [];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stormcell-wal-'));
});

afterEach(async () => {
  for (const log of opened.splice(0)) await log.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function wal(opts: Partial<WalOptions> = {}): EventLog {
  const log = createWal({ dir, ...opts });
  opened.push(log);
  return log;
}

const enc = (s: string): Uint8Array => Buffer.from(s);
const text = (u: Uint8Array): string => Buffer.from(u).toString();
/** Entries of varying size, so frames straddle segment and chunk boundaries at different places. */
const entry = (i: number): string => `{"n":${i},"pad":"${'x'.repeat((i * 37) % 300)}"}`;

async function readAll(log: EventLog, from = 0): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const e of log.read(from)) out.push([e.offset, text(e.data)]);
  return out;
}

async function segmentFiles(): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => n.startsWith('wal-')).sort();
}

async function fill(log: EventLog, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) await log.append([enc(entry(i))]);
}

const expected = (from: number, to: number): Array<[number, string]> =>
  Array.from({ length: to - from }, (_, k) => [from + k, entry(from + k)]);

describe('createWal', () => {
  it('reads back every entry across segment rolls with dense offsets, also after reopening', async () => {
    const log = wal({ segmentBytes: 2000 });
    expect(await log.open()).toEqual({ entries: 0, truncatedBytes: 0 });
    for (let i = 0; i < 200; i += 4) {
      const first = await log.append([enc(entry(i)), enc(entry(i + 1)), enc(entry(i + 2)), enc(entry(i + 3))]);
      expect(first).toBe(i);
    }
    expect(log.nextOffset()).toBe(200);
    expect(await readAll(log)).toEqual(expected(0, 200));
    const files = await segmentFiles();
    expect(files.length).toBeGreaterThan(5);
    expect(files[0]).toBe('wal-00000000000000000000.log');
    await log.close();

    const again = wal({ segmentBytes: 2000 });
    expect(await again.open()).toEqual({ entries: 200, truncatedBytes: 0 });
    expect(again.nextOffset()).toBe(200);
    expect(await readAll(again)).toEqual(expected(0, 200));
    expect(await readAll(again, 137)).toEqual(expected(137, 200));
    expect(await again.append([enc('after reopen')])).toBe(200);
    expect(await readAll(again, 199)).toEqual([[199, entry(199)], [200, 'after reopen']]);
  });

  it('names each segment after the offset of its first entry', async () => {
    const log = wal({ segmentBytes: 2000 });
    await log.open();
    await fill(log, 100);
    let offset = 0;
    for (const name of await segmentFiles()) {
      expect(name).toBe(`wal-${String(offset).padStart(20, '0')}.log`);
      const bytes = await fs.readFile(path.join(dir, name));
      for (let p = 0; p < bytes.length; p += 8 + bytes.readUInt32LE(p)) offset++;
    }
    expect(offset).toBe(100);
  });

  it('seeks to an offset deep inside a large segment', async () => {
    const log = wal();
    await log.open();
    for (let i = 0; i < 5000; i += 50) {
      await log.append(Array.from({ length: 50 }, (_, k) => enc(entry(i + k))));
    }
    await log.close();
    const again = wal();
    await again.open();
    expect(await readAll(again, 3071)).toEqual(expected(3071, 5000));
    expect(await readAll(again, 4999)).toEqual(expected(4999, 5000));
    expect(await readAll(again, 5000)).toEqual([]);
  });

  it('reads past an empty last segment, as a crash right after a segment roll leaves it', async () => {
    const log = wal();
    await log.open();
    await fill(log, 3);
    await log.close();
    await fs.writeFile(path.join(dir, 'wal-00000000000000000003.log'), '');
    const again = wal();
    expect(await again.open()).toEqual({ entries: 3, truncatedBytes: 0 });
    expect(await readAll(again)).toEqual(expected(0, 3));
    expect(await again.append([enc('into the empty segment')])).toBe(3);
    expect(await readAll(again, 2)).toEqual([[2, entry(2)], [3, 'into the empty segment']]);
    expect(await segmentFiles()).toHaveLength(2);
  });

  it('reads to the end as of the call, not entries appended while iterating', async () => {
    const log = wal();
    await log.open();
    await fill(log, 3);
    const it = log.read(0)[Symbol.asyncIterator]();
    await log.append([enc('late')]);
    const seen: number[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) seen.push(r.value.offset);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('rejects reads outside the log with a RangeError', async () => {
    const log = wal();
    await log.open();
    await fill(log, 2);
    expect(() => log.read(3)).toThrow(RangeError);
    expect(() => log.read(-1)).toThrow(/cannot read from offset -1; readable offsets start at 0 and end before 2/);
  });

  it('commits 1,000 concurrent appends with far fewer fsyncs, all readable after reopening', async () => {
    const fsyncs: number[] = [];
    const log = wal({ onFsync: (seconds, entries) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      fsyncs.push(entries);
    } });
    await log.open();
    const offsets = await Promise.all(Array.from({ length: 1000 }, (_, i) => log.append([enc(entry(i))])));
    expect(offsets).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(fsyncs.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(fsyncs.length).toBeLessThanOrEqual(10);
    await log.close();

    const again = wal();
    expect((await again.open()).entries).toBe(1000);
    expect(await readAll(again)).toEqual(expected(0, 1000));
  });

  it('keeps committing while appends keep arriving during an fsync', async () => {
    let fsyncs = 0;
    const log = wal({ onFsync: () => fsyncs++ });
    await log.open();
    const workers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; i < 50; i++) await log.append([enc(`w${w}-${i}`)]);
    });
    await Promise.all(workers);
    expect(log.nextOffset()).toBe(800);
    // Each commit releases all 16 appenders, whose next appends must share one commit again, not split 1 + 15.
    expect(fsyncs).toBeLessThanOrEqual(60);
    const seen = new Set((await readAll(log)).map(([, s]) => s));
    expect(seen.size).toBe(800);
  });

  it('waits in close() for appends already made', async () => {
    const log = wal();
    await log.open();
    const pending = log.append([enc('in flight')]);
    await log.close();
    await expect(pending).resolves.toBe(0);
    await expect(log.append([enc('too late')])).rejects.toThrow(/append while closed/);
    const again = wal();
    expect((await again.open()).entries).toBe(1);
  });

  it('rejects empty and oversized entries, and appends before open()', async () => {
    const log = wal();
    await expect(log.append([enc('x')])).rejects.toThrow(/append while new/);
    await log.open();
    await expect(log.append([enc('ok'), new Uint8Array(0)])).rejects.toThrow(RangeError);
    await expect(log.append([enc('ok'), new Uint8Array(0)])).rejects.toThrow(/entries\[1\] is 0 bytes/);
    expect(log.nextOffset()).toBe(0);
    expect(await log.append([])).toBe(0);
  });

  it('does not let the caller change an entry after append by reusing its buffer', async () => {
    const log = wal();
    await log.open();
    const buf = enc('original');
    const done = log.append([buf]);
    buf.fill(0x21);
    await done;
    expect(await readAll(log)).toEqual([[0, 'original']]);
  });

  describe('recovery of a torn or corrupt tail', () => {
    const lastFile = (): string => path.join(dir, 'wal-00000000000000000000.log');

    it.each([
      {
        name: 'garbage after the last frame',
        damage: async (file: string) => fs.appendFile(file, 'zzzzzz'),
        entries: 10,
        problem: /wal-00000000000000000000\.log: torn frame header at byte \d+; cut 6 bytes/,
      },
      {
        name: 'a frame header announcing an absurd length',
        damage: async (file: string) => fs.appendFile(file, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5])),
        entries: 10,
        problem: /bad frame length 4294967295 at byte \d+; cut 9 bytes/,
      },
      {
        name: 'a zero-filled tail, as a crash can leave after the size grew',
        damage: async (file: string) => fs.appendFile(file, Buffer.alloc(4096)),
        entries: 10,
        problem: /bad frame length 0 at byte \d+; cut 4096 bytes/,
      },
      {
        name: 'a file cut in the middle of the last frame',
        damage: async (file: string) => fs.truncate(file, (await fs.stat(file)).size - 10),
        entries: 9,
        problem: /torn frame at byte \d+: \d+ bytes announced, \d+ present; cut \d+ bytes/,
      },
      {
        name: 'a flipped byte in the last frame payload',
        damage: async (file: string) => {
          const buf = await fs.readFile(file);
          buf[buf.length - 3] = (buf[buf.length - 3] as number) ^ 0x40;
          await fs.writeFile(file, buf);
        },
        entries: 9,
        problem: /crc mismatch at byte \d+; cut \d+ bytes/,
      },
    ])('cuts $name, reports it and keeps appending after the valid entries', async ({ damage, entries, problem }) => {
      const log = wal();
      await log.open();
      await fill(log, 10);
      await log.close();
      const goodSize = (await fs.stat(lastFile())).size;
      await damage(lastFile());

      const again = wal();
      const recovery = await again.open();
      expect(recovery.entries).toBe(entries);
      expect(recovery.truncatedBytes).toBeGreaterThan(0);
      expect(recovery.problem).toMatch(problem);
      expect((await fs.stat(lastFile())).size).toBeLessThanOrEqual(goodSize);
      expect(again.nextOffset()).toBe(entries);
      expect(await again.append([enc('after recovery')])).toBe(entries);
      expect(await readAll(again)).toEqual([...expected(0, entries), [entries, 'after recovery']]);
      await again.close();

      const third = wal();
      expect(await third.open()).toEqual({ entries: entries + 1, truncatedBytes: 0 });
    });

    it('refuses to open when a segment in the middle of the log is corrupt, naming file and byte', async () => {
      const log = wal({ segmentBytes: 1000 });
      await log.open();
      await fill(log, 60);
      await log.close();
      const files = await segmentFiles();
      expect(files.length).toBeGreaterThanOrEqual(3);
      const victim = path.join(dir, files[1] as string);
      const buf = await fs.readFile(victim);
      buf[20] = (buf[20] as number) ^ 0xff;
      await fs.writeFile(victim, buf);

      await expect(wal({ segmentBytes: 1000 }).open()).rejects.toThrow(
        new RegExp(`${files[1]}: crc mismatch at byte 0 in the middle of the log`),
      );
    });

    it('refuses to open when a segment in the middle of the log is missing', async () => {
      const log = wal({ segmentBytes: 1000 });
      await log.open();
      await fill(log, 60);
      await log.close();
      const files = await segmentFiles();
      await fs.rm(path.join(dir, files[1] as string));
      await expect(wal().open()).rejects.toThrow(new RegExp(`${files[2]} starts at offset \\d+, but ${files[0]} ends before offset \\d+`));
    });
  });

  describe('truncateBefore', () => {
    it('deletes only segments whose entries all lie below the offset', async () => {
      const log = wal({ segmentBytes: 1000 });
      await log.open();
      await fill(log, 60);
      const files = await segmentFiles();
      const firsts = files.map((n) => Number(n.slice(4, 24)));
      const cut = (firsts[2] as number) + 1; // inside the third segment
      await log.truncateBefore(cut);
      expect(await segmentFiles()).toEqual(files.slice(2));
      expect(log.firstOffset()).toBe(firsts[2]);
      expect(await readAll(log, firsts[2])).toEqual(expected(firsts[2] as number, 60));
      expect(() => log.read((firsts[2] as number) - 1)).toThrow(RangeError);

      await log.truncateBefore(firsts[3] as number); // exactly the next segment's start: the third is fully covered
      expect(await segmentFiles()).toEqual(files.slice(3));
      await log.close();

      const again = wal({ segmentBytes: 1000 });
      expect((await again.open()).entries).toBe(60 - (firsts[3] as number));
      expect(again.firstOffset()).toBe(firsts[3]);
      expect(again.nextOffset()).toBe(60);
    });

    it('keeps the last segment so the next offset survives a restart', async () => {
      const log = wal({ segmentBytes: 1000 });
      await log.open();
      await fill(log, 60);
      await log.truncateBefore(1_000_000);
      const files = await segmentFiles();
      expect(files).toHaveLength(1);
      await log.close();
      const again = wal({ segmentBytes: 1000 });
      await again.open();
      expect(again.nextOffset()).toBe(60);
      expect(await again.append([enc('next')])).toBe(60);
    });
  });

  describe('a failed write', () => {
    // /dev/full accepts opens and fails every write with ENOSPC: a real failing device, no mocks.
    async function onFullDevice(): Promise<EventLog> {
      await fs.symlink('/dev/full', path.join(dir, 'wal-00000000000000000000.log'));
      const log = wal();
      await log.open();
      return log;
    }

    it('rejects every append of the batch with the file, byte and cause', async () => {
      const log = await onFullDevice();
      const results = await Promise.allSettled([log.append([enc('a')]), log.append([enc('b'), enc('c')])]);
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason.message).toMatch(
          /write to wal-00000000000000000000\.log at byte 0 failed \(\d+ bytes, offsets 0\.\.2\): ENOSPC/,
        );
      }
    });

    it('fails every later append until the log is reopened', async () => {
      const log = await onFullDevice();
      await expect(log.append([enc('a')])).rejects.toThrow(/ENOSPC/);
      await expect(log.append([enc('b')])).rejects.toThrow(/failed earlier and accepts no appends until reopened.*ENOSPC/);
    });
  });
});
