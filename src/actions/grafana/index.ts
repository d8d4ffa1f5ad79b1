/**
 * `grafana_configs`: marks incidents on Grafana dashboards through the annotations HTTP API
 * (grafana.com/docs/grafana/latest/developers/http_api/annotations). An incident becomes one region annotation:
 *
 * - firing, no earlier ref: `POST /api/annotations {time, tags, text, dashboardUID?, panelId?}`; the answer's `id`
 *   (`{"message":"Annotation added","id":1}`) is the ref;
 * - firing with a ref: nothing to change, `sent` with the same ref;
 * - resolved with a ref: `PATCH /api/annotations/<id> {timeEnd, text}`, turning the point into the region
 *   openedAt…resolvedAt;
 * - resolved without a ref (the firing annotation was never made): `POST` the whole region at once.
 *
 * A deploy notification (`n.deploy`) becomes a point annotation at the deploy's time, tagged `stormcell`, `deploy`,
 * the service, its cluster and environment and the deploy's status, with `deploy_annotations: false` to opt out.
 */
import { parseRfc3339, type IncidentDoc, type Instant } from '../../model/index.js';
import { incidentUrl, joinUrl } from '../http-config.js';
import { describeRemote, httpRequest, isResponse, parseJsonBody, type HttpRequest } from '../http-request.js';
import type { Action, ActionDeps, ActionPlugin, DeployNote, Notification, SendResult } from '../plugin.js';
import { parseGrafanaConfig, type GrafanaConfig } from './config.js';

/** The body of `POST /api/annotations`. */
export interface GrafanaAnnotation {
  time: number;
  timeEnd?: number;
  tags: string[];
  text: string;
  dashboardUID?: string;
  panelId?: number;
}

/** Tags: `stormcell`, the severity, then every distinct `service` and `cluster` label value, then the configured ones. */
export function annotationTags(inc: IncidentDoc, extra: readonly string[]): string[] {
  const tags = ['stormcell', inc.severity];
  for (const name of ['service', 'cluster']) {
    const values = new Set<string>();
    for (const a of inc.alerts) {
      const v = a.labels[name];
      if (v !== undefined && v !== '') values.add(v);
    }
    tags.push(...[...values].sort());
  }
  for (const t of extra) if (!tags.includes(t)) tags.push(t);
  return tags;
}

/** The annotation text: severity, title, state, root cause, and the incident's link. */
export function annotationText(n: Notification): string {
  const inc = n.incident;
  const lines = [`[${inc.severity}] ${inc.title} (${n.status === 'resolved' ? 'resolved' : 'firing'})`];
  if (inc.rootCause !== null) lines.push(`Root cause: ${inc.rootCause.entity}`);
  const deploy = inc.suspectedDeploys[0];
  if (deploy !== undefined) lines.push(`Suspected deploy: ${deploy.service} ${deploy.version}`);
  lines.push(incidentUrl(n.externalURL, inc.id));
  return lines.join('\n');
}

class GrafanaAction implements Action {
  private readonly what: string;

  constructor(
    private readonly config: GrafanaConfig,
    private readonly deps: ActionDeps,
  ) {
    this.what = describeRemote(config.url);
  }

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    if (n.deploy !== undefined) return this.annotateDeploy(n.deploy, signal);
    const ref = n.previousRef;
    if (n.status === 'firing' && ref !== undefined) return { status: 'sent', ref };
    const openedAt = instant(n.incident.openedAt, n.now);
    if (n.status === 'resolved' && ref !== undefined) {
      const timeEnd = instant(n.incident.resolvedAt, n.now);
      const r = await this.request({ method: 'PATCH', url: joinUrl(this.config.url, `api/annotations/${encodeURIComponent(ref)}`), json: { timeEnd, text: annotationText(n) } }, signal);
      return isResponse(r) ? { status: 'sent', ref } : r;
    }
    const body: GrafanaAnnotation = { time: openedAt, tags: annotationTags(n.incident, this.config.tags), text: annotationText(n) };
    if (n.status === 'resolved') body.timeEnd = instant(n.incident.resolvedAt, n.now);
    if (this.config.dashboardUid !== undefined) body.dashboardUID = this.config.dashboardUid;
    if (this.config.panelId !== undefined) body.panelId = this.config.panelId;
    // The id is what the resolve PATCHes later: an answer without one is a failure.
    return this.create(body, signal, true);
  }

  private async annotateDeploy(d: DeployNote, signal: AbortSignal): Promise<SendResult> {
    if (!this.config.deployAnnotations) return { status: 'sent' };
    const tags = ['stormcell', 'deploy', d.service];
    for (const t of [d.cluster, d.environment, d.status, ...this.config.tags]) if (t !== undefined && !tags.includes(t)) tags.push(t);
    const from = d.previousVersion === undefined ? '' : ` (from ${d.previousVersion})`;
    const lines = [`Deploy of ${d.service} ${d.version}${from}: ${d.status.replace('_', ' ')}`];
    if (d.author !== undefined) lines.push(`by ${d.author}${d.commit === undefined ? '' : `, commit ${d.commit.slice(0, 12)}`}`);
    if (d.url !== undefined) lines.push(d.url);
    const body: GrafanaAnnotation = { time: d.at, tags, text: lines.join('\n') };
    if (this.config.dashboardUid !== undefined) body.dashboardUID = this.config.dashboardUid;
    return this.create(body, signal, false);
  }

  /** `POST /api/annotations`; the annotation's id is the ref. `needId`: an answer without an id is a failure. */
  private async create(body: GrafanaAnnotation, signal: AbortSignal, needId: boolean): Promise<SendResult> {
    const r = await this.request({ method: 'POST', url: joinUrl(this.config.url, 'api/annotations'), json: body }, signal);
    if (!isResponse(r)) return r;
    const parsed = parseJsonBody(r, this.what);
    if (!('value' in parsed)) return parsed;
    const id = (parsed.value as { id?: unknown } | null)?.id;
    if (typeof id === 'number' || typeof id === 'string') return { status: 'sent', ref: String(id) };
    if (!needId) return { status: 'sent' };
    return { status: 'failed', error: new Error(`${this.what} answered HTTP ${r.status} without an annotation id`) };
  }

  private request(req: Omit<HttpRequest, 'headers'>, signal: AbortSignal): ReturnType<typeof httpRequest> {
    return httpRequest(this.deps, { ...req, headers: { Authorization: `Bearer ${this.config.apiKey}` } }, signal);
  }

  async close(): Promise<void> {}
}

/** An RFC 3339 time of the incident as epoch ms; `fallback` (the notification's time) when absent or unreadable. */
function instant(rfc3339: string | null, fallback: Instant): Instant {
  return (rfc3339 === null ? null : parseRfc3339(rfc3339)) ?? fallback;
}

/** The `grafana` plugin. `ref` is the annotation id. */
export const grafana: ActionPlugin<GrafanaConfig> = {
  type: 'grafana',
  parseConfig: parseGrafanaConfig,
  create: (config, deps) => new GrafanaAction(config, deps),
};
