import { Type } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import type { AlertEvent, Instant, LabelSet } from '../model/index.js';
import { fingerprint, isGoZeroTime, parseRfc3339 } from '../model/index.js';
import { describeValue, formatPath } from '../model/schema.js';

/** What the two alert wire formats (API v2 and webhook v4) share: label rules, times, the event they build. */

/**
 * A label set on the wire: an object of strings. Names and emptiness are checked in {@link toLabelSet}.
 * Not `Type.Record`: its key pattern `^(.*)$` skips names containing a newline, which would go unchecked.
 */
export const WireLabelSet = Type.Unsafe<Record<string, string>>(Type.Object({}, { additionalProperties: Type.String() }));

/** An optional alert time: a string (RFC 3339, or Go's zero time for "not set") or null. */
export const OptionalTime = Type.Optional(Type.Union([Type.String({ expected: 'an RFC 3339 time' }), Type.Null()], { expected: 'an RFC 3339 time or null' }));

/**
 * A wire label set as a LabelSet, applying Alertmanager's label rules (api/v2 postAlertsHandler + alert.Validate).
 * A clean set (the common case) is used as it is: a body fresh from JSON.parse is owned by this request, holds a
 * `__proto__` key as an own property, and is never mutated. Only a set that needs a label dropped is copied, into
 * a null-prototype object. Each received alert allocates nothing here, which matters on the ingest hot path.
 *
 *
 * - a label with an empty value is dropped (Alertmanager's removeEmptyLabels: in Prometheus an empty value is
 *   the same as no label), so it takes no part in the fingerprint either;
 * - label names must be non-empty. Alertmanager 0.27 and 0.28 validate names with `compat.IsValidLabelName`,
 *   which by default (no `classic-mode` flag) accepts any non-empty valid UTF-8 name; 0.25/0.26 used the legacy
 *   `^[a-zA-Z_][a-zA-Z0-9_]*$`. We accept what 0.28 accepts by default, so Prometheus 3 UTF-8 names such as
 *   `service.name` pass. JSON text is always valid Unicode (a lone surrogate escape fingerprints as U+FFFD,
 *   exactly as Go's decoder reads it), so non-emptiness is the only check left;
 * - at least one label must remain ("at least one label pair required").
 *
 * Throws {@link InputError} naming `<root>[<index>].labels…`. 
 */
export function toLabelSet(wire: Readonly<Record<string, string>>, root: string, index: number): LabelSet {
  let kept = 0;
  let dropped = 0;
  for (const name in wire) {
    if (name === '') throw new InputError(`${formatPath(root, [index, 'labels', name])}: label name must not be empty`);
    if (wire[name] === '') dropped++;
    else kept++;
  }
  if (kept === 0) throw new InputError(`${formatPath(root, [index, 'labels'])}: expected at least one label with a non-empty value, got none`);
  if (dropped === 0) return wire;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name in wire) {
    const value = wire[name] as string;
    if (value !== '') out[name] = value;
  }
  return out;
}

/**
 * Wire annotations as a LabelSet, used as they are like {@link toLabelSet}'s clean sets; empty values are kept
 * (Alertmanager keeps them) and none at all is fine. Null or missing annotations are one shared empty set.
 */
export function toAnnotations(wire: Readonly<Record<string, string>> | null | undefined, root: string, index: number): LabelSet {
  if (wire === null || wire === undefined) return NO_ANNOTATIONS;
  for (const name in wire) {
    if (name === '') throw new InputError(`${formatPath(root, [index, 'annotations', name])}: annotation name must not be empty`);
  }
  return wire;
}

const NO_ANNOTATIONS: LabelSet = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * Parses an alert's `startsAt`/`endsAt`: null when missing, null or Go's zero time (Alertmanager's "not set"),
 * else the instant. Throws {@link InputError} when it is not an RFC 3339 time.
 */
export function toAlertTime(wire: string | null | undefined, root: string, index: number, field: 'startsAt' | 'endsAt'): Instant | null {
  if (wire === null || wire === undefined) return null;
  const t = parseRfc3339(wire);
  if (t === null) throw new InputError(`${formatPath(root, [index, field])}: expected an RFC 3339 time, got ${describeValue(wire)}`);
  return isGoZeroTime(t) ? null : t;
}

/** The error for an alert that ends before it starts, which Alertmanager rejects ("start time must be before end time"). */
export function endsBeforeStarts(root: string, index: number, endsAt: unknown, startsAt: unknown): InputError {
  return new InputError(`${formatPath(root, [index, 'endsAt'])}: ${describeValue(endsAt)} is before startsAt ${describeValue(startsAt)}`);
}

/**
 * Builds an alert event; the fingerprint is always computed from the labels (a sent one is never trusted), and an
 * empty `generatorURL` is left out.
 */
export function toAlertEvent(
  source: AlertEvent['source'],
  ts: Instant,
  labels: LabelSet,
  annotations: LabelSet,
  startsAt: Instant,
  endsAt: Instant | null,
  generatorURL: string | null | undefined,
): AlertEvent {
  const event: { -readonly [K in keyof AlertEvent]: AlertEvent[K] } = {
    kind: 'alert',
    at: ts,
    source,
    fingerprint: fingerprint(labels),
    labels,
    annotations,
    startsAt,
    endsAt,
  };
  if (typeof generatorURL === 'string' && generatorURL !== '') event.generatorURL = generatorURL;
  return event;
}
