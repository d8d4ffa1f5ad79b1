import { describe, expect, it } from 'vitest';
import type { Event } from '../../../src/model/index.js';
import { Reorder, type ReorderItem } from '../../../src/scaleout/reorder.js';

const ev = (name: string): Event[] => [{ kind: 'ack', at: 0, incident: name, by: 't' }];
const names = (items: readonly ReorderItem[]): string[] => items.map((i) => (i.events[0] as { incident: string }).incident);
/** Historic traffic: far from the wall clock, so the live rule never applies. */
const WALL = 10_000_000_000;

describe('Reorder', () => {
  it('releases nothing until every source has reported, then in (ts, source, offset) order', () => {
    const r = new Reorder(2);
    r.offer(0, 0, 300, ev('a300'), WALL);
    r.offer(0, 1, 500, ev('a500'), WALL);
    expect(r.release(WALL).items).toEqual([]);
    r.offer(1, 0, 300, ev('b300'), WALL);
    r.offer(1, 1, 400, ev('b400'), WALL);
    const { items, clock } = r.release(WALL);
    // Source 1 has passed 400 only: a500 waits for it.
    expect(names(items)).toEqual(['a300', 'b300', 'b400']);
    expect(clock).toBe(400);
    r.mark(1, 600, false, WALL);
    expect(names(r.release(WALL).items)).toEqual(['a500']);
  });

  it('releases a request\'s pieces from several fold partitions side by side, by their ingest origin; extensions alone first', () => {
    const r = new Reorder(2);
    // Fold 0 sent pieces of requests (ingest 1@2) and (ingest 3@7), in the order it folded them; fold 1 sent an
    // extension alone and the other piece of 3@7, all at the same time.
    r.offer(0, 0, 500, ev('f0-1@2'), WALL, { origin: [1, 2] });
    r.offer(0, 1, 500, ev('f0-3@7'), WALL, { origin: [3, 7] });
    r.offer(1, 0, 500, ev('f1-ext'), WALL, { origin: null });
    r.offer(1, 1, 500, ev('f1-3@7'), WALL, { origin: [3, 7] });
    r.mark(0, 500, false, WALL);
    r.mark(1, 500, false, WALL);
    expect(names(r.release(WALL).items)).toEqual(['f1-ext', 'f0-1@2', 'f0-3@7', 'f1-3@7']);
  });

  it('gives the same order whatever the arrival interleaving', () => {
    const input: Array<[number, number, number, string]> = [
      [0, 0, 100, 'x'], [1, 0, 100, 'y'], [2, 0, 50, 'z'], [0, 1, 200, 'p'], [2, 1, 250, 'q'], [1, 1, 300, 'r'],
    ];
    const orders = new Set<string>();
    // Kafka keeps each source's own order; only how the sources interleave differs. Every pick pattern is tried.
    for (let pattern = 0; pattern < 81; pattern++) {
      const r = new Reorder(3);
      const queues = [0, 1, 2].map((s) => input.filter((x) => x[0] === s));
      const out: string[] = [];
      let step = 0;
      while (queues.some((q) => q.length > 0)) {
        let s = Math.floor(pattern / 3 ** (step++ % 4)) % 3;
        while ((queues[s] as unknown[]).length === 0) s = (s + 1) % 3;
        const [src, off, ts, n] = (queues[s] as Array<[number, number, number, string]>).shift() as [number, number, number, string];
        r.offer(src, off, ts, ev(n), WALL);
        out.push(...names(r.release(WALL).items));
      }
      for (let s = 0; s < 3; s++) r.mark(s, 1_000, false, WALL);
      out.push(...names(r.release(WALL).items));
      orders.add(out.join(','));
    }
    expect([...orders]).toEqual(['z,x,y,p,q,r']);
  });

  it('drops redeliveries by source offset and never releases a source back in time', () => {
    const r = new Reorder(1);
    expect(r.offer(0, 0, 100, ev('a'), WALL)).toBe(true);
    expect(r.offer(0, 0, 100, ev('a-again'), WALL)).toBe(false);
    expect(r.offer(0, 1, 90, ev('b'), WALL)).toBe(true); // a producer out of order: clamped to its source's last time
    const { items } = r.release(WALL);
    expect(names(items)).toEqual(['a', 'b']);
    expect(items.map((i) => i.ts)).toEqual([100, 100]);
    r.offer(0, 2, 50, ev('c'), WALL);
    expect(r.release(WALL).items[0]?.ts).toBe(100);
  });

  it('an item older than what was released is applied at the clock and counted late', () => {
    const r = new Reorder(2);
    r.mark(1, null, true, WALL); // source 1 idle
    r.offer(0, 0, 500, ev('a'), WALL);
    expect(names(r.release(WALL + 2_000).items)).toEqual(['a']);
    r.offer(1, 0, 300, ev('late'), WALL + 2_000);
    expect(r.late()).toBe(1);
    r.mark(0, 900, false, WALL + 2_000);
    const { items } = r.release(WALL + 4_000);
    expect(items.map((i) => [i.ts, names([i])[0]])).toEqual([[500, 'late']]);
  });

  it('while a source is idle, items wait for the others to wake', () => {
    const r = new Reorder(2);
    r.mark(0, null, true, WALL);
    r.mark(1, null, true, WALL);
    r.offer(0, 0, 1_000, ev('a'), WALL);
    expect(r.release(WALL + 100).items).toEqual([]); // source 1 may be about to speak
    r.offer(1, 0, 900, ev('b'), WALL + 200);
    r.mark(0, 1_000, true, WALL + 300);
    r.mark(1, 900, true, WALL + 300);
    expect(names(r.release(WALL + 2_000).items)).toEqual(['b', 'a']);
  });

  it('an idle report expires: a source whose owner died holds the others back again', () => {
    const r = new Reorder(2);
    r.mark(1, 100, true, WALL);
    r.offer(0, 0, 5_000, ev('a'), WALL);
    expect(r.release(WALL + 3_500).items).toEqual([]); // the lease ran out at WALL + 3 s: source 1 is at 100 again
    r.offer(1, 0, 4_000, ev('b'), WALL + 4_000);
    r.mark(1, 6_000, false, WALL + 4_000);
    expect(names(r.release(WALL + 4_000).items)).toEqual(['b', 'a']);
    expect(r.late()).toBe(0);
  });

  it('live traffic: when every source is idle and near the wall clock, time follows the wall clock', () => {
    const wall = 1_800_000_000_000;
    const r = new Reorder(1);
    r.offer(0, 0, wall - 5_000, ev('a'), wall - 5_000);
    r.mark(0, wall - 5_000, true, wall);
    expect(r.release(wall).clock).toBe(wall - 2_000);
    // Historic traffic: the wall clock does not move it.
    const h = new Reorder(1);
    h.offer(0, 0, 1_000, ev('a'), wall);
    h.mark(0, 1_000, true, wall);
    expect(h.release(wall + 2_000).clock).toBe(1_000);
  });

  it('restores from its JSON state exactly', () => {
    const r = new Reorder(2);
    r.offer(0, 0, 100, ev('a'), WALL);
    r.offer(0, 1, 200, ev('b'), WALL);
    r.offer(1, 0, 150, ev('c'), WALL);
    expect(names(r.release(WALL).items)).toEqual(['a', 'c']);
    const copy = Reorder.restore(JSON.parse(JSON.stringify(r.state())));
    expect(copy.offer(0, 1, 200, ev('dup'), WALL)).toBe(false);
    for (const x of [r, copy]) x.mark(1, 300, false, WALL);
    expect(names(copy.release(WALL).items)).toEqual(names(r.release(WALL).items));
    expect(copy.state()).toEqual(r.state());
  });
});
