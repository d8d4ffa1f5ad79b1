/**
 * `jira_configs`: one Jira issue per incident, through the Jira REST API (`/rest/api/2` on Cloud and Data Center,
 * `/rest/api/3` on Cloud, whose text fields take Atlassian Document Format):
 *
 * - no issue yet and the incident firing at or above `min_severity`: `POST /rest/api/<v>/issue`
 *   `{fields: {project: {key}, issuetype: {name}, summary, description, priority?: {name}, labels}}`; the answer's
 *   `key` (201 `{id, key, self}`) is the ref;
 * - an issue and a firing update: `POST /rest/api/<v>/issue/<key>/comment {body}` (201);
 * - an issue and a resolve: with `resolve_transition`, `GET …/transitions`, the transition of that name (compared
 *   case-insensitively), then `POST …/transitions {transition: {id}, update: {comment: [{add: {body}}]}}` (204), so
 *   the comment and the transition happen together or not at all; without it, only the comment.
 *
 * Anything else (below `min_severity`, resolved before an issue existed) is `sent` without a request. Jira has no
 * idempotency key: a create whose 201 was lost is created again on retry.
 */
import { severityRank, type IncidentDoc } from '../../model/index.js';
import { basicAuth, incidentUrl, joinUrl } from '../http-config.js';
import { describeRemote, httpRequest, isResponse, parseJsonBody, type HttpRequest, type HttpResponse } from '../http-request.js';
import type { Action, ActionDeps, ActionPlugin, Notification, SendResult } from '../plugin.js';
import { parseJiraConfig, type JiraConfig } from './config.js';

/** Jira's limit on an issue summary, in characters. */
export const MAX_SUMMARY_CHARS = 255;

/** An Atlassian Document Format document (the v3 API's rich text): paragraphs of text, links marked. */
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: Array<{ type: 'paragraph'; content: Array<{ type: 'text'; text: string; marks?: Array<{ type: 'link'; attrs: { href: string } }> }> }>;
}

/** Text for Jira: a wiki-markup string for API v2, an ADF document for v3. Each line is a paragraph; a URL line a link. */
export function toJiraText(lines: readonly string[], apiVersion: 2 | 3): string | AdfDoc {
  if (apiVersion === 2) return lines.join('\n');
  return {
    type: 'doc',
    version: 1,
    content: lines
      .filter((l) => l !== '')
      .map((text) => ({
        type: 'paragraph' as const,
        content: [/^https?:\/\//.test(text) ? { type: 'text' as const, text, marks: [{ type: 'link' as const, attrs: { href: text } }] } : { type: 'text' as const, text }],
      })),
  };
}

/** The lines describing an incident, for the description and for comments. */
export function describeIncident(n: Notification): string[] {
  const inc = n.incident;
  const lines = [`Severity: ${inc.severity}. Status: ${n.status}. ${inc.alerts.length} alert(s) since ${inc.openedAt}.`];
  if (inc.resolvedAt !== null) lines.push(`Resolved at ${inc.resolvedAt}.`);
  if (inc.rootCause !== null) lines.push(`Root cause: ${inc.rootCause.entity} (score ${inc.rootCause.score.toFixed(2)}).`);
  const deploy = inc.suspectedDeploys[0];
  if (deploy !== undefined) lines.push(`Suspected deploy: ${deploy.service} ${deploy.version} at ${deploy.at} (score ${deploy.score.toFixed(2)}).`);
  lines.push(incidentUrl(n.externalURL, inc.id));
  return lines;
}

/** The body of the create request. */
export function toCreateIssue(n: Notification, c: JiraConfig): { fields: Record<string, unknown> } {
  const inc: IncidentDoc = n.incident;
  const summary = `[${inc.severity}] ${inc.title}`;
  const fields: Record<string, unknown> = {
    project: { key: c.project },
    issuetype: { name: c.issueType },
    summary: summary.length <= MAX_SUMMARY_CHARS ? summary : `${summary.slice(0, MAX_SUMMARY_CHARS - 1)}…`,
    description: toJiraText(describeIncident(n), c.apiVersion),
    labels: ['stormcell', inc.severity, ...c.labels.filter((l) => l !== 'stormcell' && l !== inc.severity)],
  };
  const priority = c.priorities[inc.severity];
  if (priority !== undefined) fields['priority'] = { name: priority };
  return { fields };
}

class JiraAction implements Action {
  private readonly api: string;
  private readonly authorization: string;
  private readonly what: string;

  constructor(
    private readonly config: JiraConfig,
    private readonly deps: ActionDeps,
  ) {
    this.api = joinUrl(config.url, `rest/api/${config.apiVersion}`);
    this.authorization = config.auth.kind === 'basic' ? basicAuth(config.auth.user, config.auth.apiToken) : `Bearer ${config.auth.token}`;
    this.what = describeRemote(config.url);
  }

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const key = n.previousRef;
    if (key === undefined) {
      if (n.status === 'resolved' || severityRank(n.incident.severity) > severityRank(this.config.minSeverity)) return { status: 'sent' };
      return this.create(n, signal);
    }
    const issue = `${this.api}/issue/${encodeURIComponent(key)}`;
    if (n.status === 'firing') {
      const r = await this.request({ method: 'POST', url: `${issue}/comment`, json: { body: this.comment(n, 'updated') } }, signal);
      return isResponse(r) ? { status: 'sent', ref: key } : r;
    }
    if (this.config.resolveTransition === undefined) {
      const r = await this.request({ method: 'POST', url: `${issue}/comment`, json: { body: this.comment(n, 'resolved') } }, signal);
      return isResponse(r) ? { status: 'sent', ref: key } : r;
    }
    const listed = await this.request({ method: 'GET', url: `${issue}/transitions` }, signal);
    if (!isResponse(listed)) return listed;
    const id = this.findTransition(listed, this.config.resolveTransition);
    if (typeof id !== 'string') return id;
    const r = await this.request(
      { method: 'POST', url: `${issue}/transitions`, json: { transition: { id }, update: { comment: [{ add: { body: this.comment(n, 'resolved') } }] } } },
      signal,
    );
    return isResponse(r) ? { status: 'sent', ref: key } : r;
  }

  private async create(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const r = await this.request({ method: 'POST', url: `${this.api}/issue`, json: toCreateIssue(n, this.config) }, signal);
    if (!isResponse(r)) return r;
    const parsed = parseJsonBody(r, this.what);
    if (!('value' in parsed)) return parsed;
    const key = (parsed.value as { key?: unknown } | null)?.key;
    if (typeof key !== 'string' || key === '') return { status: 'failed', error: new Error(`${this.what} answered HTTP ${r.status} without an issue key`) };
    return { status: 'sent', ref: key };
  }

  /** The id of the transition named `name`, or a `failed` result listing the ones the issue offers. */
  private findTransition(res: HttpResponse, name: string): string | SendResult {
    const parsed = parseJsonBody(res, this.what);
    if (!('value' in parsed)) return parsed;
    const list = (parsed.value as { transitions?: unknown } | null)?.transitions;
    const transitions = Array.isArray(list) ? (list as Array<{ id?: unknown; name?: unknown }>) : [];
    const found = transitions.find((t) => typeof t.name === 'string' && t.name.toLowerCase() === name.toLowerCase());
    if (found !== undefined && (typeof found.id === 'string' || typeof found.id === 'number')) return String(found.id);
    const offered = transitions.map((t) => JSON.stringify(t.name)).join(', ');
    // Also what a retry sees after a transition whose answer was lost: the issue already left the state that offers it.
    return { status: 'failed', error: new Error(`${this.what}: transition ${JSON.stringify(name)} not offered for this issue (offered: ${offered || 'none'})`) };
  }

  private comment(n: Notification, what: 'updated' | 'resolved'): string | AdfDoc {
    return toJiraText([`stormcell: incident ${what} (notification version ${n.version}).`, ...describeIncident(n)], this.config.apiVersion);
  }

  private request(req: Omit<HttpRequest, 'headers'>, signal: AbortSignal): ReturnType<typeof httpRequest> {
    return httpRequest(this.deps, { ...req, headers: { Authorization: this.authorization } }, signal);
  }

  async close(): Promise<void> {}
}

/** The `jira` plugin. `ref` is the issue key. */
export const jira: ActionPlugin<JiraConfig> = {
  type: 'jira',
  parseConfig: parseJiraConfig,
  create: (config, deps) => new JiraAction(config, deps),
};
