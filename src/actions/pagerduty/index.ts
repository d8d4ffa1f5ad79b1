/**
 * `pagerduty_configs`: PagerDuty Events API v2 alert events (developer.pagerduty.com, "Send an Alert Event"): POST
 * `{routing_key, event_action, dedup_key, payload: {summary, source, severity, timestamp, component, group, class,
 * custom_details}, client, client_url, links}` to `/v2/enqueue`; `202 {"status":"success","dedup_key"}` is success,
 * 400 is not retried, 429 and 5xx are (PagerDuty's own retry table).
 *
 * `dedup_key` is the incident id, so every state of an incident updates one PagerDuty alert and a repeated trigger
 * is harmless: the Events API's own idempotency. An incident someone acknowledged (`POST /api/v1/acknowledgements`)
 * sends `acknowledge` once PagerDuty has the alert (an earlier trigger returned a ref); before that it triggers, so
 * there is an alert to acknowledge on the next change.
 */
import type { IncidentDoc, LabelSet } from '../../model/index.js';
import { authHeaders, incidentUrl } from '../http-config.js';
import { httpRequest, isResponse, parseJsonBody } from '../http-request.js';
import type { Action, ActionDeps, ActionPlugin, Notification, SendResult } from '../plugin.js';
import { parsePagerDutyConfig, type PagerDutyConfig } from './config.js';

/** PagerDuty's limit on `payload.summary`, in characters. */
export const MAX_SUMMARY_CHARS = 1024;

/** A trigger event. */
export interface PagerDutyTrigger {
  routing_key: string;
  event_action: 'trigger';
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: string;
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, unknown>;
  };
  client: string;
  client_url: string;
  links: Array<{ href: string; text?: string }>;
}

/** A resolve event: the documented minimum, routing key, dedup key and action. */
export interface PagerDutyResolve {
  routing_key: string;
  event_action: 'resolve' | 'acknowledge';
  dedup_key: string;
}

/** Builds the event for a notification. */
export function toPagerDutyEvent(n: Notification, c: PagerDutyConfig): PagerDutyTrigger | PagerDutyResolve {
  const inc = n.incident;
  if (n.status === 'resolved') return { routing_key: c.routingKey, event_action: 'resolve', dedup_key: inc.id };
  if (inc.acknowledged !== undefined && n.previousRef !== undefined) return { routing_key: c.routingKey, event_action: 'acknowledge', dedup_key: inc.id };
  const link = incidentUrl(n.externalURL, inc.id);
  const payload: PagerDutyTrigger['payload'] = {
    summary: truncate(c.description ?? `[${inc.severity}] ${inc.title}`, MAX_SUMMARY_CHARS),
    source: c.source ?? inc.rootCause?.entity ?? firstValue(n.commonLabels, ['instance', 'service']) ?? c.client,
    severity: c.severity[inc.severity],
    timestamp: inc.openedAt,
    custom_details: customDetails(inc, c.details),
  };
  const component = c.component ?? firstValue(n.commonLabels, ['service']);
  const group = c.group ?? firstValue(n.commonLabels, ['cluster', 'namespace']);
  const klass = c.class ?? firstValue(n.commonLabels, ['alertname']);
  if (component !== undefined) payload.component = component;
  if (group !== undefined) payload.group = group;
  if (klass !== undefined) payload.class = klass;
  return {
    routing_key: c.routingKey,
    event_action: 'trigger',
    dedup_key: inc.id,
    payload,
    client: c.client,
    client_url: c.clientUrl ?? link,
    links: [{ href: link, text: 'stormcell incident' }, ...c.links],
  };
}

function customDetails(inc: IncidentDoc, extra: Readonly<Record<string, string>>): Record<string, unknown> {
  const details: Record<string, unknown> = {
    incident: inc.id,
    severity: inc.severity,
    alerts: inc.alerts.length,
    firing: inc.alerts.slice(0, 20).map((a) => a.labels['alertname'] ?? a.fingerprint),
  };
  if (inc.rootCause !== null) details['root_cause'] = `${inc.rootCause.entity} (score ${inc.rootCause.score.toFixed(2)})`;
  const deploy = inc.suspectedDeploys[0];
  if (deploy !== undefined) details['suspected_deploy'] = `${deploy.service} ${deploy.version} at ${deploy.at} (score ${deploy.score.toFixed(2)})`;
  if (inc.tickets.length > 0) details['tickets'] = inc.tickets;
  return { ...details, ...extra };
}

function firstValue(labels: LabelSet, names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = labels[name];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

class PagerDutyAction implements Action {
  constructor(
    private readonly config: PagerDutyConfig,
    private readonly deps: ActionDeps,
  ) {}

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    if (n.status === 'resolved' && !this.config.sendResolved) return { status: 'sent' };
    const r = await httpRequest(
      this.deps,
      { method: 'POST', url: this.config.url, headers: authHeaders(this.config.httpConfig), json: toPagerDutyEvent(n, this.config) },
      signal,
    );
    if (!isResponse(r)) return r;
    // 202 means accepted whatever the body says; the dedup key it echoes is ours, so an unreadable body costs nothing.
    const body = parseJsonBody(r, 'pagerduty');
    const dedupKey = 'value' in body ? (body.value as { dedup_key?: unknown } | null)?.dedup_key : undefined;
    return { status: 'sent', ref: typeof dedupKey === 'string' ? dedupKey : n.incident.id };
  }

  async close(): Promise<void> {}
}

/** The `pagerduty` plugin (Events API v2). `ref` is the alert's dedup key. */
export const pagerduty: ActionPlugin<PagerDutyConfig> = {
  type: 'pagerduty',
  parseConfig: parsePagerDutyConfig,
  create: (config, deps) => new PagerDutyAction(config, deps),
};
