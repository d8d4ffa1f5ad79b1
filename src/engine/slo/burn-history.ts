import type { Instant } from '../../model/index.js';
import { decodeBytes, encodeBytes } from './base64.js';

/** The windows whose burn rates the history keeps: the page alert's short and long window, and 6h. */
export const HISTORY_WINDOWS = ['5m', '1h', '6h'] as const;

/** One key of {@link HISTORY_WINDOWS}. */
export type HistoryWindow = (typeof HISTORY_WINDOWS)[number];

/** One point every 5 minutes of event time: the grid points that are multiples of this. */
export const HISTORY_STEP_MS = 300_000;

/** Three days of points: 864 per window, ~10 KB of float32 per SLO. */
export const HISTORY_POINTS = 864;

/** Burn rates of the history windows at one 5-minute grid point; null for no value. */
export interface BurnHistoryPoint {
  readonly at: Instant;
  readonly burnRates: Record<HistoryWindow, number | null>;
}

/** A slice of one SLO's burn-rate history; values are float32 (about 7 significant digits). */
export interface SloHistory {
  readonly step: number;
  readonly points: BurnHistoryPoint[];
}

/** {@link BurnHistory} as plain JSON: the float32 rings as one base64 string, window by window. */
export interface BurnHistoryState {
  /** The latest recorded point, or null before the first. */
  readonly lastAt: Instant | null;
  /** How many points, ending at lastAt, the rings hold (at most HISTORY_POINTS). */
  readonly size: number;
  readonly rings: string;
}

/**
 * The burn rates of the {@link HISTORY_WINDOWS} at every 5-minute grid point of the last 3 days, in float32 rings
 * indexed by `(at / step) mod 864`: bounded memory whatever the event rate. Points must be recorded in increasing
 * time; steps skipped between two points hold no value (NaN).
 */
export class BurnHistory {
  private readonly values = new Float32Array(HISTORY_WINDOWS.length * HISTORY_POINTS).fill(Number.NaN);
  private lastAt: Instant | null = null;
  private size = 0;

  /** Rebuilds a history from {@link toJSON} output; a missing or malformed state gives an empty history. */
  static fromJSON(s: BurnHistoryState | undefined): BurnHistory {
    const h = new BurnHistory();
    if (s === undefined || s.lastAt === null || s.lastAt % HISTORY_STEP_MS !== 0) return h;
    const buffer = decodeBytes(s.rings);
    if (buffer.byteLength !== h.values.byteLength) return h;
    h.values.set(new Float32Array(buffer));
    h.lastAt = s.lastAt;
    h.size = Math.min(HISTORY_POINTS, Math.max(0, s.size));
    return h;
  }

  /** Plain JSON for snapshots. */
  toJSON(): BurnHistoryState {
    return { lastAt: this.lastAt, size: this.size, rings: encodeBytes(this.values) };
  }

  /**
   * Records the burn rates (in HISTORY_WINDOWS order) at grid point `at`, a multiple of HISTORY_STEP_MS after the
   * last one recorded. Throws RangeError otherwise: the book evaluates its grid in order, so that is a bug.
   */
  record(at: Instant, burnRates: ArrayLike<number>): void {
    if (at % HISTORY_STEP_MS !== 0 || (this.lastAt !== null && at <= this.lastAt)) {
      throw new RangeError(`burn history: point at ${at} is off the 5-minute grid or not after ${String(this.lastAt)}`);
    }
    const steps = this.lastAt === null ? 1 : (at - this.lastAt) / HISTORY_STEP_MS;
    // Steps with no evaluation between the last point and this one must not show what the ring held 3 days ago.
    for (let k = 1; k < Math.min(steps, HISTORY_POINTS + 1); k++) this.write(at - k * HISTORY_STEP_MS, null);
    this.write(at, burnRates);
    this.lastAt = at;
    this.size = Math.min(HISTORY_POINTS, this.size + steps);
  }

  /** The points at 5-minute grid times in [from, to] that the history still holds, oldest first. */
  slice(from: Instant, to: Instant): BurnHistoryPoint[] {
    if (this.lastAt === null) return [];
    const oldest = this.lastAt - (this.size - 1) * HISTORY_STEP_MS;
    const first = Math.max(oldest, Math.ceil(from / HISTORY_STEP_MS) * HISTORY_STEP_MS);
    const last = Math.min(this.lastAt, Math.floor(to / HISTORY_STEP_MS) * HISTORY_STEP_MS);
    const out: BurnHistoryPoint[] = [];
    for (let at = first; at <= last; at += HISTORY_STEP_MS) {
      const slot = this.slot(at);
      const rate = (w: number): number | null => {
        const v = this.values[w * HISTORY_POINTS + slot] as number;
        return Number.isNaN(v) ? null : v;
      };
      out.push({ at, burnRates: { '5m': rate(0), '1h': rate(1), '6h': rate(2) } });
    }
    return out;
  }

  /** Bytes held by the rings plus the fixed part. */
  retainedBytes(): number {
    return this.values.byteLength + 64;
  }

  private write(at: Instant, burnRates: ArrayLike<number> | null): void {
    const slot = this.slot(at);
    for (let w = 0; w < HISTORY_WINDOWS.length; w++) this.values[w * HISTORY_POINTS + slot] = burnRates === null ? Number.NaN : (burnRates[w] as number);
  }

  private slot(at: Instant): number {
    return (((at / HISTORY_STEP_MS) % HISTORY_POINTS) + HISTORY_POINTS) % HISTORY_POINTS;
  }
}
