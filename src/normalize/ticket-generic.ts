import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import type { Event, Instant, LabelSet, TicketEvent } from '../model/index.js';
import { parseRfc3339 } from '../model/index.js';
import { compileSchema, describeValue, formatPath } from '../model/schema.js';
import { WireLabelSet } from './alert-wire.js';

/** `POST /webhook/tickets/generic` (CONTRACT §1). Our own format, so strict: an unknown field is an error. */
export const GenericTicket = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    title: Type.String({ minLength: 1 }),
    body: Type.Optional(Type.String()),
    createdAt: Type.String({ expected: 'an RFC 3339 time' }),
    priority: Type.Optional(Type.String({ minLength: 1 })),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
    services: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    labels: Type.Optional(WireLabelSet),
  },
  { additionalProperties: false },
);
type GenericTicket = Static<typeof GenericTicket>;

const checkGenericTicket = compileSchema(GenericTicket);

/**
 * Parses a generic ticket (`POST /webhook/tickets/generic`) into one ticket event received at `ts`.
 * Throws {@link InputError} on the first problem. A missing `status` is `open`; `body` defaults to empty.
 * Label names must be non-empty; label values are kept as sent.
 */
export function parseTicketGeneric(body: unknown, ts: Instant): Event[] {
  const problem = checkGenericTicket(body, '');
  if (problem !== null) throw new InputError(problem);
  const t = body as GenericTicket;

  const createdAt = parseRfc3339(t.createdAt);
  if (createdAt === null) throw new InputError(`createdAt: expected an RFC 3339 time, got ${describeValue(t.createdAt)}`);

  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name in t.labels) {
    if (name === '') throw new InputError(`${formatPath('', ['labels', name])}: label name must not be empty`);
    labels[name] = t.labels[name] as string;
  }

  const event: { -readonly [K in keyof TicketEvent]: TicketEvent[K] } = {
    kind: 'ticket',
    at: ts,
    source: 'generic',
    id: t.id,
    title: t.title,
    body: t.body ?? '',
    createdAt,
    status: t.status ?? 'open',
    services: t.services === undefined ? [] : [...t.services],
    labels: labels as LabelSet,
  };
  if (t.priority !== undefined) event.priority = t.priority;
  return [event];
}
