import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSnapshotStore } from '../../../src/log/index.js';

interface State {
  alerts: Array<{ fingerprint: string; labels: Record<string, string> }>;
}

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stormcell-snapshot-'));
  file = path.join(dir, 'snapshot.json');
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const state = (n: number): State => ({
  alerts: Array.from({ length: n }, (_, i) => ({ fingerprint: i.toString(16).padStart(16, '0'), labels: { alertname: 'Ünïcode ✓', i: String(i) } })),
});

describe('createSnapshotStore', () => {
  it('loads null when nothing was saved, even when the directory does not exist', async () => {
    expect(await createSnapshotStore<State>(path.join(dir, 'missing')).load()).toBeNull();
  });

  it('saves and loads a snapshot, the newest replacing the older', async () => {
    const store = createSnapshotStore<State>(path.join(dir, 'nested'));
    await store.save({ offset: 10, state: state(3) });
    expect(await store.load()).toEqual({ offset: 10, state: state(3) });
    await store.save({ offset: 25, state: state(5) });
    expect(await createSnapshotStore<State>(path.join(dir, 'nested')).load()).toEqual({ offset: 25, state: state(5) });
    expect(await fs.readdir(path.join(dir, 'nested'))).toEqual(['snapshot.json']);
  });

  it('writes a file that is plain JSON with the offset and the state', async () => {
    await createSnapshotStore<State>(dir).save({ offset: 7, state: state(2) });
    const doc = JSON.parse(await fs.readFile(file, 'utf8')) as { offset: number; state: State; format: string };
    expect(doc.offset).toBe(7);
    expect(doc.state).toEqual(state(2));
    expect(doc.format).toBe('stormcell-snapshot/1');
  });

  it.each([
    { kind: 'a string', payload: (s: State): string | Uint8Array => JSON.stringify(s) },
    { kind: 'UTF-8 bytes', payload: (s: State): string | Uint8Array => new TextEncoder().encode(JSON.stringify(s)) },
  ])('saves a state the caller serialized as $kind', async ({ payload }) => {
    const store = createSnapshotStore<State>(dir);
    await store.saveSerialized(42, payload(state(100)));
    expect(await store.load()).toEqual({ offset: 42, state: state(100) });
  });

  it('keeps the previous snapshot when a save died before its rename', async () => {
    const store = createSnapshotStore<State>(dir);
    await store.save({ offset: 1, state: state(1) });
    await fs.writeFile(`${file}.tmp`, '{"format":"stormcell-snapshot/1","offset":2,"by'); // what a crash mid-write leaves
    expect(await store.load()).toEqual({ offset: 1, state: state(1) });
    await store.save({ offset: 3, state: state(3) });
    expect(await store.load()).toEqual({ offset: 3, state: state(3) });
  });

  it('applies concurrent saves one after another, the last call winning', async () => {
    const store = createSnapshotStore<State>(dir);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.save({ offset: i, state: state(i) })));
    expect(await store.load()).toEqual({ offset: 9, state: state(9) });
  });

  it('rejects an offset that is not a non-negative integer', async () => {
    await expect(createSnapshotStore<State>(dir).save({ offset: -1, state: state(0) })).rejects.toThrow(RangeError);
  });

  describe('a damaged snapshot', () => {
    const flipInState = (buf: Buffer): Buffer => {
      const at = buf.indexOf('Ünïcode') + 3;
      buf[at] = (buf[at] as number) ^ 0x01;
      return buf;
    };

    it.each([
      { name: 'a flipped byte in the state', damage: flipInState, problem: /crc32 mismatch: header \d+, state bytes \d+/ },
      { name: 'a cut-off file', damage: (b: Buffer) => b.subarray(0, b.length - 40), problem: /truncated or extended: header says \d+ state bytes, file holds \d+/ },
      { name: 'text that is no snapshot', damage: () => Buffer.from('hello world'), problem: /no snapshot header/ },
      { name: 'an empty file', damage: () => Buffer.alloc(0), problem: /no snapshot header/ },
      { name: 'a broken header', damage: (b: Buffer) => Buffer.concat([Buffer.from('{"format":'), b.subarray(b.indexOf('"state":'))]), problem: /unreadable header/ },
      {
        name: 'another format version',
        damage: (b: Buffer) => Buffer.from(b.toString().replace('stormcell-snapshot/1', 'stormcell-snapshot/9')),
        problem: /format is "stormcell-snapshot\/9", expected "stormcell-snapshot\/1"/,
      },
    ])('is detected on load: $name', async ({ damage, problem }) => {
      const store = createSnapshotStore<State>(dir);
      await store.save({ offset: 5, state: state(20) });
      await fs.writeFile(file, damage(await fs.readFile(file)));
      const err = await store.load().then(() => null, (e: unknown) => e as Error);
      expect(err?.message).toContain(`snapshot ${file}: `);
      expect(err?.message).toMatch(problem);
    });

    it('is detected when the caller handed saveSerialized something that is not JSON', async () => {
      const store = createSnapshotStore<State>(dir);
      await store.saveSerialized(5, '{"alerts": [');
      await expect(store.load()).rejects.toThrow(/the state is not valid JSON/);
    });
  });
});
