import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWal, type EventLog, type LogEntry } from '../../../src/log/index.js';
import { createMemoryLog } from '../../support/memory-log.js';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'stormcell-logparity-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A log plus how to get "the same log after a restart". */
interface Subject {
  log: EventLog;
  restart(): Promise<EventLog>;
}

let n = 0;
const subjects: Array<[string, () => Promise<Subject>]> = [
  [
    'memory log',
    async () => {
      const log = createMemoryLog();
      return {
        log,
        restart: async () => {
          await log.close();
          await log.open();
          return log;
        },
      };
    },
  ],
  [
    'WAL',
    async () => {
      const dir = path.join(root, `wal-${n++}`);
      const log = createWal({ dir, segmentBytes: 200 });
      return {
        log,
        restart: async () => {
          await log.close();
          const again = createWal({ dir, segmentBytes: 200 });
          await again.open();
          return again;
        },
      };
    },
  ],
];

const enc = (s: string): Uint8Array => Buffer.from(s);

async function collect(entries: AsyncIterable<LogEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of entries) out.push(`${e.offset}:${Buffer.from(e.data).toString()}`);
  return out;
}

const readAll = (log: EventLog, from = 0): Promise<string[]> => collect(log.read(from));

// The memory log is only worth using in other tests if it behaves like the WAL, so both run the same cases.
describe.each(subjects)('EventLog semantics: %s', (_name, make) => {
  it('gives dense offsets and keeps entries across a restart', async () => {
    const { log, restart } = await make();
    expect(await log.open()).toEqual({ entries: 0, truncatedBytes: 0 });
    expect(await log.append([enc('a'), enc('b')])).toBe(0);
    expect(await Promise.all([log.append([enc('c')]), log.append([enc('d')])])).toEqual([2, 3]);
    const again = await restart();
    expect(again.nextOffset()).toBe(4);
    expect(await readAll(again, 1)).toEqual(['1:b', '2:c', '3:d']);
    await again.close();
  });

  it('reads only what was acknowledged when read() was called', async () => {
    const { log } = await make();
    await log.open();
    await log.append([enc('a')]);
    const pending = log.append([enc('b')]);
    const entries = log.read(0);
    await pending;
    expect(await collect(entries)).toEqual(['0:a']);
    await log.close();
  });

  it('rejects empty entries and reads outside the log', async () => {
    const { log } = await make();
    await log.open();
    await expect(log.append([new Uint8Array(0)])).rejects.toThrow(RangeError);
    await log.append([enc('a')]);
    expect(() => log.read(2)).toThrow(RangeError);
    expect(await readAll(log, 1)).toEqual([]);
    await log.close();
  });

  it('keeps entries at or after the offset given to truncateBefore, and the next offset', async () => {
    const { log, restart } = await make();
    await log.open();
    for (let i = 0; i < 30; i++) await log.append([enc(`entry-${String(i).padStart(3, '0')}`)]);
    await log.truncateBefore(17);
    expect(log.firstOffset()).toBeLessThanOrEqual(17);
    expect((await readAll(log, 17))[0]).toBe('17:entry-017');
    expect(() => log.read(log.firstOffset() - 1)).toThrow(RangeError);
    const again = await restart();
    expect(again.nextOffset()).toBe(30);
    expect(await again.append([enc('x')])).toBe(30);
    await again.close();
  });
});

describe('createMemoryLog', () => {
  it('fails like a WAL whose fsync failed: that append and every later one, until reopened', async () => {
    const log = createMemoryLog();
    await log.open();
    await log.append([enc('kept')]);
    log.failNextAppend(new Error('EIO: injected'));
    await expect(log.append([enc('lost')])).rejects.toThrow('EIO: injected');
    await expect(log.append([enc('also lost')])).rejects.toThrow(/failed earlier: EIO: injected/);
    await log.close();
    await log.open();
    expect(await log.append([enc('after restart')])).toBe(1);
    expect(await readAll(log)).toEqual(['0:kept', '1:after restart']);
  });
});
