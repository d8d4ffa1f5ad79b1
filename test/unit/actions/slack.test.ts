/**
 * The slack plugin against a local server standing in for an incoming webhook. Checked against Slack's documentation
 * of incoming webhooks (api.slack.com/messaging/webhooks): a JSON POST with `text` and optional legacy `attachments`
 * (`fallback, color, title, title_link, text, fields[{title, value, short}], footer, ts`), `channel`/`username`/
 * `icon_emoji` overrides; the answer is `200` with the text `ok`, or an HTTP error with a text reason
 * (`400 invalid_payload`, `403 action_prohibited`, `404 channel_not_found`, `410 channel_is_archived`,
 * `500 rollup_error`; changelog 2016-05-17), and `429` with `Retry-After` when rate limited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slack } from '../../../src/actions/slack/index.js';
import { ConfigError } from '../../../src/errors.js';
import { deps, incident, NEVER, notification, NOW, RecordingServer } from './support.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await new RecordingServer().start();
});
afterEach(async () => {
  await server.close();
});

const AT = 'routing.yaml: receivers[1].slack_configs[0]';

function action(extra: Record<string, unknown> = {}) {
  return slack.create(slack.parseConfig({ api_url: `${server.url}/services/T000/B000/XXXX`, ...extra }, AT), deps());
}

describe('slack', () => {
  it('POSTs text and one attachment with severity, status, root cause, suspected deploy and the incident link', async () => {
    const n = notification({ integration: 'slack/0', incident: incident({ title: 'checkout <5xx> & latency' }) });
    expect(await action({ channel: '#incidents', username: 'stormcell' }).send(n, NEVER)).toEqual({ status: 'sent' });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/services/T000/B000/XXXX');
    expect(req.headers['content-type']).toBe('application/json');
    const link = 'http://stormcell.example:9097/incidents/inc-20260301-0001';
    const title = '[FIRING] [sev2] checkout &lt;5xx&gt; &amp; latency';
    expect(req.json).toEqual({
      channel: '#incidents',
      username: 'stormcell',
      text: `${title} <${link}|inc-20260301-0001>`,
      attachments: [
        {
          fallback: title,
          color: 'danger',
          title,
          title_link: link,
          text: '2 alert(s) since 2026-03-01T10:00:00.000Z.',
          fields: [
            { title: 'Severity', value: 'sev2', short: true },
            { title: 'Status', value: 'firing', short: true },
            { title: 'Alerts', value: '2', short: true },
            { title: 'Root cause', value: 'svc/checkout (score 0.87)', short: false },
            { title: 'Suspected deploy', value: 'checkout v1.4.2 at 2026-03-01T09:58:00.000Z (score 0.91)', short: false },
          ],
          footer: 'stormcell',
          ts: Math.floor(NOW / 1000),
        },
      ],
    });
  });

  it('uses plain title and text overrides and omits unset channel and username', async () => {
    await action({ title: 'Checkout is down', text: 'see runbook' }).send(notification(), NEVER);
    const body = server.requests[0]!.json as Record<string, unknown> & { attachments: Array<{ title: string; text: string }> };
    expect(body).not.toHaveProperty('channel');
    expect(body).not.toHaveProperty('username');
    expect(body.attachments[0]).toMatchObject({ title: 'Checkout is down', text: 'see runbook' });
  });

  it('sends resolves only with send_resolved: true (Alertmanager default false)', async () => {
    const resolved = notification({ status: 'resolved', incident: incident({ status: 'resolved', resolvedAt: '2026-03-01T10:30:00.000Z' }) });
    expect(await action().send(resolved, NEVER)).toEqual({ status: 'sent' });
    expect(server.requests).toHaveLength(0);
    await action({ send_resolved: true }).send(resolved, NEVER);
    expect((server.requests[0]!.json as { attachments: Array<{ color: string }> }).attachments[0]!.color).toBe('good');
  });

  it.each([
    [{ status: 404, body: 'channel_not_found' }, 'failed', 'HTTP 404: channel_not_found'],
    [{ status: 410, body: 'channel_is_archived' }, 'failed', 'HTTP 410: channel_is_archived'],
    [{ status: 400, body: 'invalid_payload' }, 'failed', 'HTTP 400: invalid_payload'],
    [{ status: 500, body: 'rollup_error' }, 'retryable', 'HTTP 500: rollup_error'],
    [{ status: 200, body: 'no_text' }, 'failed', 'HTTP 200: no_text'],
    [{ status: 200, body: { ok: false, error: 'not_in_channel' } }, 'failed', 'answered an error: not_in_channel'],
  ])('classifies %j as %s', async (reply, status, message) => {
    server.reply = () => reply;
    const r = await action().send(notification(), NEVER);
    expect(r.status).toBe(status);
    expect(r.status !== 'sent' && r.error.message).toContain(message);
  });

  it('retries a 429 after its Retry-After', async () => {
    server.reply = () => ({ status: 429, headers: { 'Retry-After': '30' }, body: 'rate_limited' });
    expect(await action().send(notification(), NEVER)).toMatchObject({ status: 'retryable', retryAfterMs: 30_000 });
  });

  it('never puts the webhook URL (a secret) into an error', async () => {
    server.reply = () => ({ status: 403, body: 'action_prohibited' });
    const r = await action().send(notification(), NEVER);
    expect(r.status !== 'sent' && r.error.message).not.toContain('XXXX');
  });

  it('times out a slow webhook as retryable', async () => {
    server.reply = () => ({ status: 200, body: 'ok', delayMs: 300 });
    expect((await action().send(notification(), AbortSignal.timeout(50))).status).toBe('retryable');
  });

  it.each([
    [{ api_url: 'not a url' }, `${AT}.api_url: expected a URL, got "not a url"`],
    [{ api_url: 'ftp://x/y' }, `${AT}.api_url: expected a URL, got "ftp://x/y"`],
    [{ api_url: 'http://x', channel: '{{ .CommonLabels.team }}' }, `${AT}.channel: Go templates are not supported, use plain text, got "{{ .CommonLabels.team }}"`],
    [{ api_url: 'http://x', fields: [] }, `${AT}.fields: unknown field`],
    [{ channel: '#x' }, `${AT}.api_url: missing, expected a URL`],
  ])('rejects config %j', (raw, message) => {
    expect(() => slack.parseConfig(raw, AT)).toThrow(new ConfigError(message));
  });
});
