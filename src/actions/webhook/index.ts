/**
 * `webhook_configs`: POSTs Alertmanager's webhook payload, version 4 (`notify/webhook/webhook.go` `Message`, which
 * embeds `template.Data`), with one more field, `incident`, holding the incident as CONTRACT §5 prints it
 * (CONTRACT §7). `groupKey` is the incident id. The `Idempotency-Key` header carries the notification's key.
 */
import type { IncidentDoc, LabelSet } from '../../model/index.js';
import { authHeaders } from '../http-config.js';
import { httpRequest, isResponse } from '../http-request.js';
import type { Action, ActionDeps, ActionPlugin, Notification, SendResult } from '../plugin.js';
import { parseWebhookConfig, type WebhookConfig } from './config.js';

/** Go's zero `time.Time` as `encoding/json` writes it: Alertmanager's `endsAt` of a firing alert. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert of the payload, as `template.Alert` marshals. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: LabelSet;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** The request body: Alertmanager's webhook `Message` plus `incident`. */
export interface WebhookMessage {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
  incident: IncidentDoc;
}

/**
 * Builds the payload. IncidentDoc keeps neither alerts' own times nor their annotations, so every alert takes the
 * incident's status and times: `startsAt` = `openedAt`; `endsAt` = `resolvedAt` once resolved, else Go's zero time as
 * Alertmanager writes for a firing alert; `annotations` and `commonAnnotations` are `{}` and `generatorURL` is `''`.
 * `receiver` is the plain name (Alertmanager escapes regexp metacharacters in it, a quirk not copied).
 */
export function toWebhookMessage(n: Notification, maxAlerts: number): WebhookMessage {
  const inc = n.incident;
  const endsAt = n.status === 'resolved' ? (inc.resolvedAt ?? new Date(n.now).toISOString()) : GO_ZERO_TIME;
  const all = inc.alerts;
  const kept = maxAlerts > 0 && all.length > maxAlerts ? all.slice(0, maxAlerts) : all;
  return {
    version: '4',
    groupKey: inc.id,
    truncatedAlerts: all.length - kept.length,
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: {},
    externalURL: n.externalURL,
    alerts: kept.map((a) => ({
      status: n.status,
      labels: a.labels,
      annotations: {},
      startsAt: inc.openedAt,
      endsAt,
      generatorURL: '',
      fingerprint: a.fingerprint,
    })),
    incident: inc,
  };
}

class WebhookAction implements Action {
  constructor(
    private readonly config: WebhookConfig,
    private readonly deps: ActionDeps,
  ) {}

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    if (n.status === 'resolved' && !this.config.sendResolved) return { status: 'sent' };
    const r = await httpRequest(
      this.deps,
      {
        method: 'POST',
        url: this.config.url,
        headers: { ...authHeaders(this.config.httpConfig), 'Idempotency-Key': n.idempotencyKey },
        json: toWebhookMessage(n, this.config.maxAlerts),
      },
      signal,
    );
    return isResponse(r) ? { status: 'sent' } : r;
  }

  async close(): Promise<void> {}
}

/** The `webhook` plugin. A resolved notification with `send_resolved: false` is `sent` without a request. */
export const webhook: ActionPlugin<WebhookConfig> = {
  type: 'webhook',
  parseConfig: parseWebhookConfig,
  create: (config, deps) => new WebhookAction(config, deps),
};
