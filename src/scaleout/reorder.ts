/**
 * Puts one partition's input back into event-time order, in the fold (whose sources are the ingest partitions,
 * forwarded by the route) and in stage two (whose sources are the fold partitions). Each source arrives in its own
 * order, but the sources interleave however the brokers and instances happened to run. A stage fed that
 * interleaving would depend on timing; fed in order of `ts` it gives what one replay of the same traffic gives.
 *
 * So each source keeps a queue and a watermark (the `ts` up to which it has forwarded everything: its data's own
 * `ts` and the heartbeats it sends), and an item is released once no source can still send anything earlier: `ts`
 * at or below every active source's watermark. A source reported idle (caught up and quiet) does not hold the
 * others back. Ties release in (origin, source, offset) order, so the result never depends on arrival order.
 * Redelivered items (a source restarted from an older position) are dropped by their source offset; an item older
 * than what was already released (a producer out of order, or a source that spoke after going idle) is applied at
 * the current clock, never in the past.
 *
 * Pure and deterministic: wall time only enters through the `wallNow` argument of `release`.
 */
import type { Event, Instant } from '../model/index.js';
import type { Burn } from '../engine/index.js';
import type { Extension } from './fold.js';

/** One forwarded request: its source partition and offset, its (possibly clamped) time and this partition's events. */
export interface ReorderItem {
  readonly src: number;
  readonly off: number;
  readonly ts: Instant;
  readonly events: readonly Event[];
  /** The request's ingest partition and offset (the source's own for stage one's data); null for extensions alone. */
  readonly origin: readonly [number, number] | null;
  /** Each event's index in its request. */
  readonly ix?: readonly number[] | undefined;
  readonly x?: readonly Extension[] | undefined;
  readonly q?: readonly Burn[] | undefined;
  readonly ba?: readonly Burn[] | undefined;
  /** Trace context to carry on (message headers), kept through a checkpoint. */
  readonly tr?: Readonly<Record<string, string>> | undefined;
  /** Wall-clock arrival, for the idle grace only. */
  readonly arrivedAt: number;
}

interface Source {
  /** Highest source offset accepted; older ones are redeliveries. */
  lastOff: number;
  /** Latest `ts` accepted: a source's own items never go back in time. */
  lastTs: Instant;
  watermark: Instant;
  /** Wall-clock time until which the last idle report holds; 0 when the source is active. */
  idleUntil: number;
  queue: ReorderItem[];
  head: number;
}

export interface ReorderState {
  readonly clock: Instant;
  readonly late: number;
  readonly sources: ReadonlyArray<{
    readonly src: number;
    readonly lastOff: number;
    readonly lastTs: Instant;
    readonly watermark: Instant;
    readonly idleUntil: number;
    readonly queue: readonly ReorderItem[];
  }>;
}

/** When the whole input is idle and this close to the wall clock, time follows the wall clock (live traffic). */
export interface LiveClock {
  /** How far behind the wall clock the input may be and still count as live (default 10 minutes). */
  readonly windowMs: number;
  /** How far behind the wall clock time is held, for requests still on their way (default 2 s). */
  readonly graceMs: number;
  /**
   * While any source is idle, how long (wall clock) an item waits before release (default 1.5 s): when traffic
   * resumes after a quiet spell, the sources wake one by one, and the first must not run ahead of the others.
   */
  readonly idleHoldMs: number;
  /**
   * How long an idle report holds (default 3 s; stage one repeats it every 0.5 s). An instance that dies stops
   * repeating it, so its partitions hold the others back again until their new owner has caught up: otherwise what
   * was produced to them meanwhile would arrive after the others had moved past it.
   */
  readonly idleLeaseMs: number;
}

export const DEFAULT_LIVE_CLOCK: LiveClock = { windowMs: 10 * 60_000, graceMs: 2_000, idleHoldMs: 1_500, idleLeaseMs: 3_000 };

export class Reorder {
  private readonly sources = new Map<number, Source>();
  /** The latest instant released to the engine (items and clock advances). */
  private clock: Instant = -Infinity;
  private lateCount = 0;

  /** `sources`: the partitions of the ingest topic; each must report before anything is released. */
  constructor(sources: number, private readonly live: LiveClock = DEFAULT_LIVE_CLOCK) {
    for (let s = 0; s < sources; s++) this.source(s);
  }

  static restore(state: ReorderState, live: LiveClock = DEFAULT_LIVE_CLOCK): Reorder {
    const r = new Reorder(0, live);
    r.clock = state.clock ?? -Infinity;
    r.lateCount = state.late;
    for (const s of state.sources) {
      r.sources.set(s.src, { lastOff: s.lastOff, lastTs: s.lastTs ?? -Infinity, watermark: s.watermark ?? -Infinity, idleUntil: s.idleUntil, queue: s.queue.map((it) => (it.origin === undefined ? { ...it, origin: [it.src, it.off] as const } : it)), head: 0 });
    }
    return r;
  }

  /**
   * Accepts one forwarded request. False when it is a redelivery (already accepted once). `extra` carries what the
   * fold adds (see wire.ts); without it the request's origin is (src, off).
   */
  offer(src: number, off: number, ts: Instant, events: readonly Event[], wallNow: number, extra?: Pick<ReorderItem, 'origin' | 'ix' | 'x' | 'q' | 'ba' | 'tr'>): boolean {
    const s = this.source(src);
    if (off <= s.lastOff) return false;
    let at = ts < s.lastTs ? s.lastTs : ts;
    if (at < this.clock) {
      at = this.clock;
      this.lateCount++;
    }
    s.lastOff = off;
    s.lastTs = at;
    if (at > s.watermark) s.watermark = at;
    s.idleUntil = 0;
    s.queue.push({ src, off, ts: at, events, arrivedAt: wallNow, origin: extra === undefined ? [src, off] : extra.origin, ix: extra?.ix, x: extra?.x, q: extra?.q, ba: extra?.ba, tr: extra?.tr });
    return true;
  }

  /**
   * A heartbeat from stage one: source `src` has forwarded everything up to `watermark` (null: it knows no time
   * yet), and is `idle` (caught up, nothing new for a while) or not.
   */
  mark(src: number, watermark: Instant | null, idle: boolean, wallNow: number): void {
    const s = this.source(src);
    if (watermark !== null && watermark > s.watermark) s.watermark = watermark;
    s.idleUntil = idle ? wallNow + this.live.idleLeaseMs : 0;
  }

  /**
   * Items that can no longer be preceded by anything, in (ts, src, off) order, and the instant the engine may then
   * be advanced to (null: not yet known).
   */
  release(wallNow: Instant): { items: ReorderItem[]; clock: Instant | null } {
    let frontier = Infinity;
    let maxWatermark = -Infinity;
    let anyIdle = false;
    for (const s of this.sources.values()) {
      const idle = wallNow < s.idleUntil;
      if (s.watermark > maxWatermark) maxWatermark = s.watermark;
      if (!idle && s.watermark < frontier) frontier = s.watermark;
      if (idle) anyIdle = true;
    }
    const items: ReorderItem[] = [];
    let heldAt: Instant | null = null;
    for (;;) {
      let best: Source | null = null;
      let bestItem: ReorderItem | null = null;
      for (const s of this.sources.values()) {
        const it = s.queue[s.head];
        if (it === undefined || it.ts > frontier) continue;
        if (bestItem === null || before(it, bestItem)) {
          best = s;
          bestItem = it;
        }
      }
      if (best === null || bestItem === null) break;
      if (anyIdle && wallNow - bestItem.arrivedAt < this.live.idleHoldMs) {
        heldAt = bestItem.ts;
        break;
      }
      best.queue[best.head] = undefined as unknown as ReorderItem;
      best.head++;
      items.push(bestItem);
      if (bestItem.ts > this.clock) this.clock = bestItem.ts;
    }
    for (const s of this.sources.values()) {
      if (s.head > 0 && s.head * 2 >= s.queue.length) {
        s.queue.splice(0, s.head);
        s.head = 0;
      }
    }
    // Everything is idle: what was seen is all there is, and live traffic lets the wall clock drive time.
    // While an item is held, time stays where the releases left it: a waking source may still send earlier items.
    let target = heldAt !== null ? this.clock : frontier === Infinity ? maxWatermark : frontier;
    if (heldAt === null && frontier === Infinity && target > -Infinity && wallNow - target <= this.live.windowMs) {
      target = Math.max(target, wallNow - this.live.graceMs);
    }
    if (target > this.clock) this.clock = target;
    return { items, clock: this.clock === -Infinity ? null : this.clock };
  }

  /** Items waiting for a slower source. */
  pending(): number {
    let n = 0;
    for (const s of this.sources.values()) n += s.queue.length - s.head;
    return n;
  }

  /** Items that arrived after their time was released, and were applied at the clock instead. */
  late(): number {
    return this.lateCount;
  }

  state(): ReorderState {
    return {
      clock: this.clock,
      late: this.lateCount,
      sources: [...this.sources].map(([src, s]) => ({
        src,
        lastOff: s.lastOff,
        lastTs: s.lastTs,
        watermark: s.watermark,
        idleUntil: s.idleUntil,
        queue: s.queue.slice(s.head),
      })),
    };
  }

  private source(src: number): Source {
    let s = this.sources.get(src);
    if (s === undefined) {
      s = { lastOff: -1, lastTs: -Infinity, watermark: -Infinity, idleUntil: 0, queue: [], head: 0 };
      this.sources.set(src, s);
    }
    return s;
  }
}

/**
 * Release order: time, then the request's origin (so a request's pieces from several fold partitions come out
 * side by side, and extensions alone first), then source and offset.
 */
function before(a: ReorderItem, b: ReorderItem): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  const as = a.origin?.[0] ?? -1;
  const bs = b.origin?.[0] ?? -1;
  if (as !== bs) return as < bs;
  const ao = a.origin?.[1] ?? -1;
  const bo = b.origin?.[1] ?? -1;
  if (ao !== bo) return ao < bo;
  return a.src < b.src || (a.src === b.src && a.off < b.off);
}
