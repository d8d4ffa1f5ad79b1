/**
 * The webhook plugin against a local server. The payload is Alertmanager's webhook `Message` (notify/webhook/webhook.go:
 * `*template.Data` embedded, plus `version: "4"`, `groupKey`, `truncatedAlerts`) whose `template.Data` is
 * `{receiver, status, alerts[{status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint}], groupLabels,
 * commonLabels, commonAnnotations, externalURL}` (template/template.go), with CONTRACT §7's extra `incident` field.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhook } from '../../../src/actions/webhook/index.js';
import { ConfigError } from '../../../src/errors.js';
import { deps, incident, NEVER, notification, NOW, RecordingServer } from './support.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await new RecordingServer().start();
});
afterEach(async () => {
  await server.close();
});

const AT = 'routing.yaml: receivers[0].webhook_configs[0]';

function action(extra: Record<string, unknown> = {}) {
  return webhook.create(webhook.parseConfig({ url: `${server.url}/hook`, ...extra }, AT), deps());
}

describe('webhook', () => {
  it('POSTs the Alertmanager v4 payload plus the incident, with the idempotency key', async () => {
    const n = notification();
    expect(await action().send(n, NEVER)).toEqual({ status: 'sent' });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBe('inc-20260301-0001:1:team-checkout:webhook/0');
    expect(req.headers['authorization']).toBeUndefined();
    expect(req.json).toEqual({
      version: '4',
      groupKey: 'inc-20260301-0001',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'team-checkout',
      groupLabels: { service: 'checkout' },
      commonLabels: { cluster: 'eu-1', severity: 'sev2', status: 'firing' },
      commonAnnotations: {},
      externalURL: 'http://stormcell.example:9097',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1' },
          annotations: {},
          startsAt: '2026-03-01T10:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: 'a1b2c3d4e5f60718',
        },
        {
          status: 'firing',
          labels: { alertname: 'HighLatency', service: 'payments', cluster: 'eu-1' },
          annotations: {},
          startsAt: '2026-03-01T10:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: '0f1e2d3c4b5a6978',
        },
      ],
      incident: JSON.parse(JSON.stringify(n.incident)),
    });
  });

  it('marks alerts resolved at the incident resolve time and truncates to max_alerts', async () => {
    const inc = incident({ status: 'resolved', resolvedAt: '2026-03-01T10:30:00.000Z' });
    await action({ max_alerts: 1 }).send(notification({ incident: inc, status: 'resolved' }), NEVER);
    const body = server.requests[0]!.json as { status: string; truncatedAlerts: number; alerts: Array<{ status: string; endsAt: string }> };
    expect(body.status).toBe('resolved');
    expect(body.truncatedAlerts).toBe(1);
    expect(body.alerts).toHaveLength(1);
    expect(body.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2026-03-01T10:30:00.000Z' });
  });

  it('does not call for a resolve when send_resolved is false', async () => {
    const r = await action({ send_resolved: false }).send(notification({ status: 'resolved' }), NEVER);
    expect(r).toEqual({ status: 'sent' });
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [{ authorization: { credentials: 's3cret' } }, 'Bearer s3cret'],
    [{ authorization: { type: 'Token', credentials: 's3cret' } }, 'Token s3cret'],
    [{ basic_auth: { username: 'am', password: 'pw' } }, `Basic ${Buffer.from('am:pw').toString('base64')}`],
    [{ bearer_token: 'tok' }, 'Bearer tok'],
  ])('sends http_config %j as Authorization %s', async (httpConfig, header) => {
    await action({ http_config: httpConfig }).send(notification(), NEVER);
    expect(server.requests[0]!.headers['authorization']).toBe(header);
  });

  it('classifies 429 with Retry-After seconds and an HTTP date as retryable after that long', async () => {
    server.reply = (_r, i) =>
      i === 0 ? { status: 429, headers: { 'Retry-After': '7' }, body: 'slow down' } : { status: 503, headers: { 'Retry-After': new Date(NOW + 90_000).toUTCString() } };
    const first = await action().send(notification(), NEVER);
    expect(first).toMatchObject({ status: 'retryable', retryAfterMs: 7000 });
    expect(first.status === 'retryable' && first.error.message).toBe(`${server.url.slice(7)} answered HTTP 429: slow down`);
    expect(await action().send(notification(), NEVER)).toMatchObject({ status: 'retryable', retryAfterMs: 90_000 });
  });

  it('classifies 5xx as retryable and other 4xx as failed', async () => {
    server.reply = (_r, i) => (i === 0 ? { status: 502 } : { status: 404, body: 'no such hook' });
    const r1 = await action().send(notification(), NEVER);
    expect(r1.status).toBe('retryable');
    expect(r1).not.toHaveProperty('retryAfterMs');
    const r2 = await action().send(notification(), NEVER);
    expect(r2.status).toBe('failed');
    expect(r2.status === 'failed' && r2.error.message).toContain('HTTP 404: no such hook');
  });

  it('treats a response slower than the deadline as retryable and a slow one within it as sent', async () => {
    server.reply = (_r, i) => (i === 0 ? { status: 200, delayMs: 400 } : { status: 200, delayMs: 50 });
    const timedOut = await action().send(notification(), AbortSignal.timeout(100));
    expect(timedOut.status).toBe('retryable');
    expect(timedOut.status === 'retryable' && timedOut.error.message).toMatch(/request aborted/);
    expect(await action().send(notification(), AbortSignal.timeout(2000))).toEqual({ status: 'sent' });
  });

  it('treats a refused connection and a dropped socket as retryable network errors', async () => {
    server.reply = () => 'destroy';
    const dropped = await action().send(notification(), NEVER);
    expect(dropped.status).toBe('retryable');
    expect(dropped.status === 'retryable' && dropped.error.message).toMatch(/network error/);
    const url = server.url;
    await server.close();
    const refused = await webhook.create(webhook.parseConfig({ url }, AT), deps()).send(notification(), NEVER);
    expect(refused.status === 'retryable' && refused.error.message).toMatch(/network error: ECONNREFUSED/);
  });

  it.each([
    [{}, `${AT}.url: missing, expected a URL`],
    [{ url: 'not a url' }, `${AT}.url: expected a URL, got "not a url"`],
    [{ url: 'http://x', color: 'red' }, `${AT}.color: unknown field`],
    [{ url: 'http://x', max_alerts: -1 }, `${AT}.max_alerts: expected an integer >= 0, got -1`],
    [{ url: 'http://x', http_config: { tls_config: {} } }, `${AT}.http_config.tls_config: unknown field`],
    [{ url: 'http://x', http_config: { bearer_token: 'a', basic_auth: { username: 'u' } } }, `${AT}.http_config: at most one of authorization, basic_auth and bearer_token may be configured`],
    [{ url: 'http://x', http_config: { bearer_token: 'tok\nX-Evil: 1' } }, `${AT}.http_config.bearer_token: must not contain line breaks or control characters`],
    ['http://x', `${AT}: expected an object, got "http://x"`],
  ])('rejects config %j', (raw, message) => {
    expect(() => webhook.parseConfig(raw, AT)).toThrow(new ConfigError(message));
  });
});
