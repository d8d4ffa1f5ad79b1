import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import type { AlertEvent, Event, Instant } from '../model/index.js';
import { compileSchema } from '../model/schema.js';
import { OptionalTime, WireLabelSet, endsBeforeStarts, toAlertEvent, toAlertTime, toAnnotations, toLabelSet } from './alert-wire.js';

/**
 * Alertmanager API v2 `PostableAlert` (api/v2/openapi.yaml). Unknown fields are ignored as go-swagger ignores
 * them; `null` optional fields read as absent, as Go's decoder leaves them at their zero value.
 */
const PostableAlert = Type.Object({
  labels: WireLabelSet,
  annotations: Type.Optional(Type.Union([WireLabelSet, Type.Null()])),
  startsAt: OptionalTime,
  endsAt: OptionalTime,
  generatorURL: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/** The body of `POST /api/v2/alerts`: `PostableAlerts`, a JSON array (empty is valid). */
export const PostableAlerts = Type.Array(PostableAlert);
type PostableAlert = Static<typeof PostableAlert>;

const checkPostableAlerts = compileSchema(PostableAlerts);

/**
 * Parses a `POST /api/v2/alerts` body (Prometheus and Loki rulers, API v2 clients) into alert events received
 * at `ts`. All or nothing: the first invalid alert throws {@link InputError} naming it, e.g. `alerts[2].startsAt: …`.
 *
 * Times follow Alertmanager's postAlertsHandler: a missing or zero `startsAt` is `endsAt` when that is set, else
 * `ts`; a missing or zero `endsAt` is null (the engine applies `resolve_timeout`).
 */
export function parseAlertmanagerV2(body: unknown, ts: Instant): Event[] {
  const problem = checkPostableAlerts(body, 'alerts');
  if (problem !== null) throw new InputError(problem);
  const alerts = body as PostableAlert[];
  const events: AlertEvent[] = new Array(alerts.length);
  // A ruler gives every alert of one evaluation the same endsAt (and often the same startsAt): parse each distinct
  // string once per request rather than once per alert.
  let endsRaw: string | null | undefined = null;
  let endsVal: number | null = null;
  let startsRaw: string | null | undefined = null;
  let startsVal: number | null = null;
  for (let i = 0; i < alerts.length; i++) {
    const a = alerts[i] as PostableAlert;
    const labels = toLabelSet(a.labels, 'alerts', i);
    const annotations = toAnnotations(a.annotations, 'alerts', i);
    if (i === 0 || a.endsAt !== endsRaw) {
      endsRaw = a.endsAt;
      endsVal = toAlertTime(a.endsAt, 'alerts', i, 'endsAt');
    }
    if (i === 0 || a.startsAt !== startsRaw) {
      startsRaw = a.startsAt;
      startsVal = toAlertTime(a.startsAt, 'alerts', i, 'startsAt');
    }
    const endsAt = endsVal;
    const startsAt = startsVal ?? endsAt ?? ts;
    if (endsAt !== null && endsAt < startsAt) throw endsBeforeStarts('alerts', i, a.endsAt, a.startsAt);
    events[i] = toAlertEvent('api', ts, labels, annotations, startsAt, endsAt, a.generatorURL);
  }
  return events;
}
