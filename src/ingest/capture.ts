import { InputError } from '../errors.js';
import { formatInstant, isReceiverPath, parseRfc3339, type CaptureRecord, type Instant, type ReceiverPath } from '../model/index.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * One capture line (CONTRACT §2) for a request, as bytes without the trailing newline. The body's own bytes are
 * reused when they hold no line break, so the hot path never re-serializes what the client sent.
 */
export function toCaptureLine(ts: Instant, path: ReceiverPath, raw: Uint8Array, parsed: unknown): Buffer {
  const rawBuf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const body =
    rawBuf.indexOf(NEWLINE) === -1 && rawBuf.indexOf(CARRIAGE_RETURN) === -1
      ? rawBuf
      : Buffer.from(JSON.stringify(parsed), 'utf8');
  return Buffer.concat([Buffer.from(`{"ts":"${formatInstant(ts)}","path":"${path}","body":`, 'utf8'), body, CLOSE]);
}
const CLOSE = Buffer.from('}');

/** Parses one capture line; `where` (e.g. `capture.ndjson:12`) prefixes every message. */
export function parseCaptureLine(line: string, where: string): CaptureRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    throw new InputError(`${where}: not JSON: ${(err as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(`${where}: expected an object with ts, path and body`);
  const o = v as Record<string, unknown>;
  if (typeof o['ts'] !== 'string') throw new InputError(`${where}: ts: expected an RFC 3339 time`);
  const ts = parseRfc3339(o['ts']);
  if (ts === null) throw new InputError(`${where}: ts: expected an RFC 3339 time, got ${JSON.stringify(o['ts'])}`);
  const path = o['path'];
  if (typeof path !== 'string' || !isReceiverPath(path)) {
    throw new InputError(`${where}: path: expected a receiver path such as /api/v2/alerts, got ${JSON.stringify(path)}`);
  }
  if (!('body' in o)) throw new InputError(`${where}: body: missing`);
  return { ts, path, body: o['body'] };
}
