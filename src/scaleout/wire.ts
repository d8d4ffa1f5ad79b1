/**
 * Messages on the internal topics between the stages, one JSON object per Kafka message value. On
 * `stormcell.keyed` (route → fold) a source is an ingest partition; on `stormcell.events` (fold → correlate) it is
 * a fold partition:
 *
 * - `{"k":"d","s":SRC,"o":OFF,"ts":MS,"ev":[...],"ix":[...]}`: data from source SRC, its OFF-th (its offset in the
 *   ingest partition, or the fold partition's output sequence), stamped `ts`: the events of one request that belong
 *   to this partition, each with its index in the request (`ix`). From the fold also `"os","oo"`: the request's
 *   ingest partition and offset, so stage two puts its pieces back together (absent for extensions alone); and
 *   `"x":[[FINGERPRINT,ENDS_AT,PARTITION],...]`: alerts whose end moves later, for the re-sends the fold folded;
 *   `"q"` and `"ba"`: SLO burns the fold counted, to queue (the clock decided them) or to place after the
 *   request's events (its samples did).
 * - `{"k":"h","s":SRC,"wm":MS|null,"idle":BOOL}`: a heartbeat: SRC has forwarded everything up to `wm`, and is idle
 *   (caught up and quiet) or not.
 *
 * Events travel as the normalizers made them (plain JSON data), so stage two never parses a receiver format again.
 */
import type { Event, Instant } from '../model/index.js';
import type { Burn } from '../engine/index.js';
import type { Extension } from './fold.js';

export interface DataMessage {
  readonly k: 'd';
  readonly s: number;
  readonly o: number;
  readonly ts: Instant;
  readonly ev: readonly Event[];
  readonly ix?: readonly number[];
  readonly os?: number;
  readonly oo?: number;
  readonly x?: readonly Extension[];
  readonly q?: readonly Burn[];
  readonly ba?: readonly Burn[];
}

export type StageMessage =
  | DataMessage
  | { readonly k: 'h'; readonly s: number; readonly wm: Instant | null; readonly idle: boolean };

export function encodeStageMessage(m: StageMessage): Buffer {
  return Buffer.from(JSON.stringify(m), 'utf8');
}

/** Parses a message value; `where` (topic/partition@offset) prefixes the error of a value that is not ours. */
export function decodeStageMessage(value: Buffer | null, where: string): StageMessage {
  if (value === null) throw new Error(`${where}: empty message`);
  let v: unknown;
  try {
    v = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw new Error(`${where}: not JSON: ${(err as Error).message}`, { cause: err });
  }
  const o = v as Record<string, unknown>;
  if (o === null || typeof o !== 'object' || typeof o['s'] !== 'number') throw new Error(`${where}: not a stage message (no source)`);
  if (o['k'] === 'd' && typeof o['o'] === 'number' && typeof o['ts'] === 'number' && Array.isArray(o['ev'])) {
    if (o['ix'] !== undefined && (!Array.isArray(o['ix']) || o['ix'].length !== o['ev'].length)) throw new Error(`${where}: "ix" does not match "ev"`);
    for (const k of ['x', 'q', 'ba']) if (o[k] !== undefined && !Array.isArray(o[k])) throw new Error(`${where}: "${k}" is not an array`);
    if ((o['os'] === undefined) !== (o['oo'] === undefined)) throw new Error(`${where}: "os" and "oo" come together`);
    return v as StageMessage;
  }
  if (o['k'] === 'h' && typeof o['idle'] === 'boolean' && (o['wm'] === null || typeof o['wm'] === 'number')) return v as StageMessage;
  throw new Error(`${where}: not a stage message (k=${JSON.stringify(o['k'])})`);
}
