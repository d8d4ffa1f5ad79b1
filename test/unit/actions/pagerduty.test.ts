/**
 * The pagerduty plugin against a local server standing in for events.pagerduty.com. Checked against PagerDuty's
 * "Send an Alert Event" (Events API v2, developer-docs `events-API-v2/02-Trigger-Events.md`): POST `/v2/enqueue` with
 * `{routing_key, event_action: trigger|acknowledge|resolve, dedup_key (≤255), payload: {summary (≤1024), source,
 * severity: critical|error|warning|info, timestamp, component, group, class, custom_details}, images, links
 * [{href, text}], client, client_url}`; a resolve needs only routing_key, dedup_key and event_action. Answers (Overview,
 * "Response Codes & Retry Logic"): 202 `{"status":"success","message":"Event processed","dedup_key"}`; 400
 * `{"status":"invalid event","message","errors":[…]}` not retried; 429 and 5xx retried.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pagerduty } from '../../../src/actions/pagerduty/index.js';
import { ConfigError } from '../../../src/errors.js';
import { deps, incident, NEVER, notification, RecordingServer } from './support.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await new RecordingServer((req) => ({
    status: 202,
    body: { status: 'success', message: 'Event processed', dedup_key: (req.json as { dedup_key: string }).dedup_key },
  })).start();
});
afterEach(async () => {
  await server.close();
});

const AT = 'routing.yaml: receivers[2].pagerduty_configs[0]';
const KEY = '0123456789abcdef0123456789abcdef';

function action(extra: Record<string, unknown> = {}) {
  return pagerduty.create(pagerduty.parseConfig({ routing_key: KEY, url: `${server.url}/v2/enqueue`, ...extra }, AT), deps());
}

describe('pagerduty', () => {
  it('triggers an alert keyed by the incident id and returns the dedup key as ref', async () => {
    const n = notification({ integration: 'pagerduty/0', commonLabels: { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1', severity: 'sev2' } });
    expect(await action().send(n, NEVER)).toEqual({ status: 'sent', ref: 'inc-20260301-0001' });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v2/enqueue');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.json).toEqual({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'inc-20260301-0001',
      payload: {
        summary: '[sev2] checkout: HighErrorRate',
        source: 'svc/checkout',
        severity: 'error',
        timestamp: '2026-03-01T10:00:00.000Z',
        component: 'checkout',
        group: 'eu-1',
        class: 'HighErrorRate',
        custom_details: {
          incident: 'inc-20260301-0001',
          severity: 'sev2',
          alerts: 2,
          firing: ['HighErrorRate', 'HighLatency'],
          root_cause: 'svc/checkout (score 0.87)',
          suspected_deploy: 'checkout v1.4.2 at 2026-03-01T09:58:00.000Z (score 0.91)',
        },
      },
      client: 'stormcell',
      client_url: 'http://stormcell.example:9097/incidents/inc-20260301-0001',
      links: [{ href: 'http://stormcell.example:9097/incidents/inc-20260301-0001', text: 'stormcell incident' }],
    });
  });

  it.each([
    ['sev1', 'critical'],
    ['sev2', 'error'],
    ['sev3', 'warning'],
    ['sev4', 'info'],
  ] as const)('maps %s to %s by default', async (sev, pd) => {
    await action().send(notification({ incident: incident({ severity: sev }) }), NEVER);
    expect((server.requests[0]!.json as { payload: { severity: string } }).payload.severity).toBe(pd);
  });

  it('takes a severity map over the default, or one severity for all', async () => {
    await action({ severity: { sev2: 'critical' } }).send(notification(), NEVER);
    await action({ severity: 'warning' }).send(notification({ incident: incident({ severity: 'sev1' }) }), NEVER);
    expect(server.requests.map((r) => (r.json as { payload: { severity: string } }).payload.severity)).toEqual(['critical', 'warning']);
  });

  it('cuts the summary to 1024 characters', async () => {
    await action().send(notification({ incident: incident({ title: 'x'.repeat(2000) }) }), NEVER);
    const summary = (server.requests[0]!.json as { payload: { summary: string } }).payload.summary;
    expect(summary).toHaveLength(1024);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('resolves with the documented minimal event', async () => {
    await action().send(notification({ status: 'resolved', incident: incident({ status: 'resolved', resolvedAt: '2026-03-01T10:30:00.000Z' }) }), NEVER);
    expect(server.requests[0]!.json).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: 'inc-20260301-0001' });
  });

  it('acknowledges an acknowledged incident that PagerDuty already has, and triggers one it does not have yet', async () => {
    const acked = incident({ acknowledged: { by: 'sre@example.com', at: '2026-03-01T10:05:00.000Z' } });
    await action().send(notification({ incident: acked, previousRef: 'inc-20260301-0001' }), NEVER);
    expect(server.requests[0]!.json).toEqual({ routing_key: KEY, event_action: 'acknowledge', dedup_key: 'inc-20260301-0001' });
    await action().send(notification({ incident: acked }), NEVER);
    expect((server.requests[1]!.json as { event_action: string }).event_action).toBe('trigger');
  });

  it('does not resolve with send_resolved: false', async () => {
    await action({ send_resolved: false }).send(notification({ status: 'resolved' }), NEVER);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [{ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ["Length of 'routing_key' is incorrect"] } }, 'failed'],
    [{ status: 429, headers: { 'Retry-After': '60' } }, 'retryable'],
    [{ status: 500 }, 'retryable'],
    [{ status: 503 }, 'retryable'],
  ])('classifies %j as %s', async (reply, status) => {
    server.reply = () => reply;
    const r = await action().send(notification(), NEVER);
    expect(r.status).toBe(status);
    if (reply.status === 400) expect(r.status === 'failed' && r.error.message).toContain('Event object is invalid');
    if (reply.status === 429) expect(r).toMatchObject({ retryAfterMs: 60_000 });
  });

  it('sends to events.pagerduty.com by default', () => {
    expect(pagerduty.parseConfig({ routing_key: KEY }, AT).url).toBe('https://events.pagerduty.com/v2/enqueue');
  });

  it.each([
    [{}, `${AT}.routing_key: missing, expected a non-empty string`],
    [{ routing_key: KEY, severity: 'high' }, `${AT}.severity: expected one of "critical", "error", "warning", "info", a Go template or an object, got "high"`],
    [{ routing_key: KEY, severity: { sev5: 'info' } }, `${AT}.severity.sev5: unknown field`],
    [{ routing_key: KEY, service_key: 'v1' }, `${AT}.service_key: unknown field`],
    [{ routing_key: '{{ .CommonLabels.key }}' }, `${AT}.routing_key: Go templates are not supported, use plain text, got "{{ .CommonLabels.key }}"`],
  ])('rejects config %j', (raw, message) => {
    expect(() => pagerduty.parseConfig(raw, AT)).toThrow(new ConfigError(message));
  });
});
