import { InputError } from '../errors.js';
import type { AckEvent, Event, Instant } from '../model/index.js';
import { compileSchema } from '../model/schema.js';
import { WireAcknowledgement } from './acknowledgement.js';

/** `POST /api/v1/resolutions` takes the body of an acknowledgement: `{incident, by, comment?}`, strictly. */
const check = compileSchema(WireAcknowledgement);

/**
 * Parses a resolution by hand into one event received at `ts`. Logged and replayed like every input, so who
 * closed an incident survives restarts; the engine resolves the incident and notes who on its timeline.
 */
export function parseResolution(body: unknown, ts: Instant): Event[] {
  const problem = check(body, '');
  if (problem !== null) throw new InputError(problem);
  const r = body as { incident: string; by: string; comment?: string };
  const ev: AckEvent = { kind: 'ack', at: ts, incident: r.incident, by: r.by, resolve: true, ...(r.comment === undefined ? {} : { comment: r.comment }) };
  return [ev];
}
