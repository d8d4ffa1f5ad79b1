/**
 * `slack_configs`: posts one message to a Slack incoming webhook (api.slack.com/messaging/webhooks): a top-level
 * `text` (what notifications and screen readers show) and one legacy attachment with the title linking to the
 * incident, a colour by severity and status, and fields for severity, status, root cause and the best suspected
 * deploy. Incoming webhooks answer `200 ok`; errors are text bodies with a 4xx (`invalid_payload`,
 * `channel_not_found`, …), `429` with `Retry-After` when rate limited.
 */
import type { IncidentDoc } from '../../model/index.js';
import { authHeaders, incidentUrl } from '../http-config.js';
import { describeRemote, httpRequest, isResponse, type HttpResponse } from '../http-request.js';
import type { Action, ActionDeps, ActionPlugin, Notification, SendResult } from '../plugin.js';
import { parseSlackConfig, type SlackConfig } from './config.js';

/** Slack's limit for a legacy attachment title, in characters (Alertmanager truncates to the same). */
const MAX_TITLE_CHARS = 1024;

/** A Slack message as incoming webhooks take it. */
export interface SlackMessage {
  channel?: string;
  username?: string;
  icon_emoji?: string;
  icon_url?: string;
  text: string;
  attachments: Array<{
    fallback: string;
    color: string;
    title: string;
    title_link: string;
    text: string;
    fields: Array<{ title: string; value: string; short: boolean }>;
    footer: string;
    ts: number;
  }>;
}

/** Escapes the three characters Slack's mrkdwn gives meaning to (api.slack.com/reference/surfaces/formatting). */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Builds the message; `config.title`/`config.text` replace the generated title and text verbatim. */
export function toSlackMessage(n: Notification, config: SlackConfig): SlackMessage {
  const inc = n.incident;
  const state = n.status === 'resolved' ? 'RESOLVED' : 'FIRING';
  const generatedTitle = `[${state}] [${inc.severity}] ${inc.title}`;
  const title = truncate(config.title ?? generatedTitle, MAX_TITLE_CHARS);
  const link = incidentUrl(n.externalURL, inc.id);
  const text = config.text ?? describeIncident(inc);
  const fields = [
    { title: 'Severity', value: inc.severity, short: true },
    { title: 'Status', value: n.status, short: true },
    { title: 'Alerts', value: String(inc.alerts.length), short: true },
  ];
  if (inc.rootCause !== null) fields.push({ title: 'Root cause', value: `${inc.rootCause.entity} (score ${inc.rootCause.score.toFixed(2)})`, short: false });
  const deploy = inc.suspectedDeploys[0];
  if (deploy !== undefined) fields.push({ title: 'Suspected deploy', value: `${deploy.service} ${deploy.version} at ${deploy.at} (score ${deploy.score.toFixed(2)})`, short: false });
  const message: SlackMessage = {
    text: `${escapeSlack(title)} <${link}|${escapeSlack(inc.id)}>`,
    attachments: [
      {
        fallback: escapeSlack(title),
        color: colour(inc, n.status),
        title: escapeSlack(title),
        title_link: link,
        text: escapeSlack(text),
        fields: fields.map((f) => ({ ...f, value: escapeSlack(f.value) })),
        footer: 'stormcell',
        ts: Math.floor(n.now / 1000),
      },
    ],
  };
  if (config.channel !== undefined) message.channel = config.channel;
  if (config.username !== undefined) message.username = config.username;
  if (config.iconEmoji !== undefined) message.icon_emoji = config.iconEmoji;
  if (config.iconUrl !== undefined) message.icon_url = config.iconUrl;
  return message;
}

function describeIncident(inc: IncidentDoc): string {
  const lines = [`${inc.alerts.length} alert(s) since ${inc.openedAt}${inc.resolvedAt === null ? '' : `, resolved ${inc.resolvedAt}`}.`];
  if (inc.tickets.length > 0) lines.push(`Tickets: ${inc.tickets.join(', ')}`);
  return lines.join('\n');
}

function colour(inc: IncidentDoc, status: Notification['status']): string {
  if (status === 'resolved') return 'good';
  return inc.severity === 'sev1' || inc.severity === 'sev2' ? 'danger' : 'warning';
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * Classifies a 2xx the way Alertmanager's `checkTextResponseError`/`checkJSONResponseError` do: an incoming webhook
 * answers the text `ok`; a Web API URL (`chat.postMessage`) answers JSON `{"ok": true|false, "error"}` with 200.
 */
function classifySlack2xx(res: HttpResponse, what: string): SendResult {
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) {
    let body: { ok?: unknown; error?: unknown; ts?: unknown };
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch (err) {
      return { status: 'failed', error: new Error(`${what} answered HTTP ${res.status} with JSON it could not parse`, { cause: err }) };
    }
    if (body.ok !== true) return { status: 'failed', error: new Error(`${what} answered an error: ${String(body.error)}`) };
    return typeof body.ts === 'string' ? { status: 'sent', ref: body.ts } : { status: 'sent' };
  }
  if (res.text.trim() !== 'ok') return { status: 'failed', error: new Error(`${what} answered HTTP ${res.status}: ${res.text.slice(0, 512)}`) };
  return { status: 'sent' };
}

class SlackAction implements Action {
  constructor(
    private readonly config: SlackConfig,
    private readonly deps: ActionDeps,
  ) {}

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    if (n.status === 'resolved' && !this.config.sendResolved) return { status: 'sent' };
    const r = await httpRequest(
      this.deps,
      { method: 'POST', url: this.config.apiUrl, headers: authHeaders(this.config.httpConfig), json: toSlackMessage(n, this.config) },
      signal,
    );
    return isResponse(r) ? classifySlack2xx(r, describeRemote(this.config.apiUrl)) : r;
  }

  async close(): Promise<void> {}
}

/** The `slack` plugin. A resolved notification with `send_resolved: false` (the default) is `sent` without a request. */
export const slack: ActionPlugin<SlackConfig> = {
  type: 'slack',
  parseConfig: parseSlackConfig,
  create: (config, deps) => new SlackAction(config, deps),
};
