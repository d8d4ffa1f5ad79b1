/**
 * An alert's lifetime under Alertmanager's rules (provider/mem Put + types.Alert.Merge): when it fires, when it
 * ends, and whether that end is only a timeout. The engine's alert store keeps one per alert, and Kafka mode's
 * fold stage keeps two (what was received, and what it has told the engine), so both must merge sends the same way.
 */
import type { AlertEvent, Instant } from '../model/index.js';

export interface Lifetime {
  status: 'firing' | 'resolved';
  startsAt: Instant;
  /** null: firing until an explicit resolve arrives (webhook alerts). */
  endsAt: Instant | null;
  /** `endsAt` came from `resolve_timeout`, so any explicit end that arrives later overrides it. */
  timeout: boolean;
}

/**
 * Whether a send's end is a timeout: an API client that named none ends `resolve_timeout` after it. Two functions
 * rather than one returning both, so that a re-send, the bulk of all traffic, allocates nothing.
 */
export function endIsTimeout(ev: AlertEvent): boolean {
  return ev.endsAt === null && ev.source === 'api';
}

/** A send's end: its own `endsAt`, or `resolve_timeout` after it (see endIsTimeout). */
export function sendEndsAt(ev: AlertEvent, resolveTimeoutMs: number): Instant | null {
  return endIsTimeout(ev) ? ev.at + resolveTimeoutMs : ev.endsAt;
}

/** Whether a send ending at `endsAt` still fires at `now`. */
export function activeAt(endsAt: Instant | null, now: Instant): boolean {
  return endsAt === null || endsAt > now;
}

/**
 * Merges one more send (ending at `endsAt`, see sendEndsAt) into `l`, which it changes. Overlapping sends merge
 * (earliest `startsAt`, an explicit end beats a timeout), and a send after resolution starts the alert again (a
 * flap). Returns the instant of the firing↔resolved change it made, or null when the status stayed.
 */
export function mergeSend(l: Lifetime, ev: AlertEvent, endsAt: Instant | null, timeout: boolean, now: Instant): Instant | null {
  const active = activeAt(endsAt, now);
  if (l.status === 'firing') {
    if (ev.startsAt < l.startsAt) l.startsAt = ev.startsAt;
    if (!active) {
      l.endsAt = endsAt;
      l.timeout = false;
      l.status = 'resolved';
      return endsAt as number;
    }
    if (!(later(l.endsAt, endsAt) && !l.timeout)) {
      l.endsAt = endsAt;
      l.timeout = timeout;
    }
    return null;
  }
  if (active) {
    // A send after resolution is the alert firing again: a new instance in Alertmanager, a flap for us.
    const refiredAt = l.endsAt !== null && ev.startsAt > l.endsAt ? ev.startsAt : now;
    l.startsAt = ev.startsAt;
    l.endsAt = endsAt;
    l.timeout = timeout;
    l.status = 'firing';
    return refiredAt;
  }
  if (endsAt !== null && l.endsAt !== null && endsAt > l.endsAt) l.endsAt = endsAt; // the latest explicit end wins when both are resolved
  return null;
}

/** True when `a` ends strictly later than `b`; null ends never. */
function later(a: Instant | null, b: Instant | null): boolean {
  if (a === null) return b !== null;
  if (b === null) return false;
  return a > b;
}
