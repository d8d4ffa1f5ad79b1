import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import type { AlertEvent, Event, Instant } from '../model/index.js';
import { compileSchema } from '../model/schema.js';
import { OptionalTime, WireLabelSet, endsBeforeStarts, toAlertEvent, toAlertTime, toAnnotations, toLabelSet } from './alert-wire.js';

const Status = Type.Union([Type.Literal('firing'), Type.Literal('resolved')]);

/**
 * One alert of an Alertmanager webhook notification (notify/webhook, template.Alert). Alertmanager always writes
 * every field; `annotations`, `startsAt` and `endsAt` are optional here so that hand-rolled senders of the same
 * format need not invent them. `fingerprint` is read as a string and then ignored: identity is recomputed.
 */
const WebhookAlert = Type.Object({
  status: Status,
  labels: WireLabelSet,
  annotations: Type.Optional(Type.Union([WireLabelSet, Type.Null()])),
  startsAt: OptionalTime,
  endsAt: OptionalTime,
  generatorURL: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  fingerprint: Type.Optional(Type.String()),
});
type WebhookAlert = Static<typeof WebhookAlert>;

/**
 * The Alertmanager webhook payload, `version: "4"`. The group fields we don't use (`receiver`, `groupLabels`,
 * `commonLabels`, `commonAnnotations`, `externalURL`, `groupKey`, `truncatedAlerts`) and unknown fields are
 * not checked: they are someone else's wire format and carry nothing we keep.
 */
export const WebhookPayload = Type.Object({
  version: Type.Literal('4'),
  status: Status,
  alerts: Type.Array(WebhookAlert),
});
type WebhookPayload = Static<typeof WebhookPayload>;

const checkWebhookPayload = compileSchema(WebhookPayload);

/**
 * Parses an Alertmanager webhook notification (`POST /webhook/alertmanager`) into alert events received at `ts`.
 * Throws {@link InputError} on the first problem; another `version` (Grafana's `"1"`) is rejected by name.
 *
 * Each alert's own `status` decides: `firing` → `endsAt` null (Alertmanager writes Go's zero time there and
 * re-sends only on change, so it stays firing until a notification resolves it); `resolved` → its `endsAt` when
 * set and not zero, else `ts`. The sent `fingerprint` is never trusted: it is recomputed from the labels.
 */
export function parseWebhookV4(body: unknown, ts: Instant): Event[] {
  const problem = checkWebhookPayload(body, '');
  if (problem !== null) throw new InputError(problem);
  const alerts = (body as WebhookPayload).alerts;
  const events: AlertEvent[] = new Array(alerts.length);
  for (let i = 0; i < alerts.length; i++) {
    const a = alerts[i] as WebhookAlert;
    const labels = toLabelSet(a.labels, 'alerts', i);
    const annotations = toAnnotations(a.annotations, 'alerts', i);
    // Both times are parsed whatever the status, so a malformed one is reported even where its value is unused.
    const sentStartsAt = toAlertTime(a.startsAt, 'alerts', i, 'startsAt');
    const sentEndsAt = toAlertTime(a.endsAt, 'alerts', i, 'endsAt');
    let startsAt: Instant;
    let endsAt: Instant | null;
    if (a.status === 'firing') {
      startsAt = sentStartsAt ?? ts;
      endsAt = null;
    } else {
      startsAt = sentStartsAt ?? sentEndsAt ?? ts;
      // Without a sent end the resolution is "now"; a sender clock ahead of ours must not make that an error.
      endsAt = sentEndsAt ?? Math.max(ts, startsAt);
      if (endsAt < startsAt) throw endsBeforeStarts('alerts', i, a.endsAt, a.startsAt);
    }
    events[i] = toAlertEvent('webhook', ts, labels, annotations, startsAt, endsAt, a.generatorURL);
  }
  return events;
}
