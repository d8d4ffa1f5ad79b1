import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import type { AckEvent, Event, Instant } from '../model/index.js';
import { compileSchema } from '../model/schema.js';

/** `POST /api/v1/acknowledgements`: someone is on an incident. Our own format, so strict. */
export const WireAcknowledgement = Type.Object(
  {
    incident: Type.String({ minLength: 1 }),
    by: Type.String({ minLength: 1 }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
type WireAcknowledgement = Static<typeof WireAcknowledgement>;

const check = compileSchema(WireAcknowledgement);

/**
 * Parses an acknowledgement into one event received at `ts`. It goes through the durable log like every input, so
 * replay and recovery see who acknowledged what, when; the engine puts it on the incident's timeline.
 */
export function parseAcknowledgement(body: unknown, ts: Instant): Event[] {
  const problem = check(body, '');
  if (problem !== null) throw new InputError(problem);
  const a = body as WireAcknowledgement;
  const ev: AckEvent = { kind: 'ack', at: ts, incident: a.incident, by: a.by, ...(a.comment === undefined ? {} : { comment: a.comment }) };
  return [ev];
}
