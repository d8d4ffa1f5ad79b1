/**
 * Messages on the internal topic between the stages (`stormcell.events`), one JSON object per Kafka message value:
 *
 * - `{"k":"d","s":SRC,"o":OFF,"ts":MS,"ev":[...]}`: a request from ingest partition SRC at offset OFF, stamped
 *   `ts`, with the events of it that belong to this partition (possibly none: it still moves time on);
 * - `{"k":"h","s":SRC,"wm":MS|null,"idle":BOOL}`: a heartbeat: SRC has forwarded everything up to `wm`, and is idle
 *   (caught up and quiet) or not.
 *
 * Events travel as the normalizers made them (plain JSON data), so stage two never parses a receiver format again.
 */
import type { Event, Instant } from '../model/index.js';

export type StageMessage =
  | { readonly k: 'd'; readonly s: number; readonly o: number; readonly ts: Instant; readonly ev: readonly Event[] }
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
  if (o['k'] === 'd' && typeof o['o'] === 'number' && typeof o['ts'] === 'number' && Array.isArray(o['ev'])) return v as StageMessage;
  if (o['k'] === 'h' && typeof o['idle'] === 'boolean' && (o['wm'] === null || typeof o['wm'] === 'number')) return v as StageMessage;
  throw new Error(`${where}: not a stage message (k=${JSON.stringify(o['k'])})`);
}
