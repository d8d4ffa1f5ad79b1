/**
 * The grafana plugin against a local server standing in for Grafana. Checked against Grafana's Annotations HTTP API
 * (docs/sources/developers/http_api/annotations.md): `POST /api/annotations` with `{dashboardUID?, panelId?, time,
 * timeEnd?, tags, text}` (times epoch ms; without a dashboard an organization annotation) answering 200
 * `{"message":"Annotation added","id":1}`; `PATCH /api/annotations/:id` updating `text`, `tags`, `time`, `timeEnd`,
 * answering 200 `{"message":"Annotation patched"}`; service account tokens as `Authorization: Bearer`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grafana } from '../../../src/actions/grafana/index.js';
import { ConfigError } from '../../../src/errors.js';
import { deps, incident, NEVER, notification, RecordingServer } from './support.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await new RecordingServer((req) =>
    req.method === 'POST' ? { status: 200, body: { message: 'Annotation added', id: 1124 } } : { status: 200, body: { message: 'Annotation patched' } },
  ).start();
});
afterEach(async () => {
  await server.close();
});

const AT = 'routing.yaml: receivers[3].grafana_configs[0]';
const OPENED = Date.parse('2026-03-01T10:00:00.000Z');
const RESOLVED = Date.parse('2026-03-01T10:30:00.000Z');
const resolvedIncident = () => incident({ status: 'resolved', resolvedAt: '2026-03-01T10:30:00.000Z' });
const TEXT = [
  '[sev2] checkout: HighErrorRate (firing)',
  'Root cause: svc/checkout',
  'Suspected deploy: checkout v1.4.2',
  'http://stormcell.example:9097/incidents/inc-20260301-0001',
].join('\n');

function action(extra: Record<string, unknown> = {}) {
  return grafana.create(grafana.parseConfig({ url: `${server.url}/grafana/`, api_key: 'glsa_token', ...extra }, AT), deps());
}

describe('grafana', () => {
  it('creates an annotation at the incident start and returns its id as ref', async () => {
    const r = await action({ dashboard_uid: 'uGlb_lG7z', panel_id: 2, tags: ['prod'] }).send(notification({ integration: 'grafana/0' }), NEVER);
    expect(r).toEqual({ status: 'sent', ref: '1124' });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/grafana/api/annotations');
    expect(req.headers['authorization']).toBe('Bearer glsa_token');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.json).toEqual({
      time: OPENED,
      tags: ['stormcell', 'sev2', 'checkout', 'payments', 'eu-1', 'prod'],
      text: TEXT,
      dashboardUID: 'uGlb_lG7z',
      panelId: 2,
    });
  });

  it('makes an organization annotation without a dashboard', async () => {
    await action().send(notification(), NEVER);
    expect(server.requests[0]!.json).toEqual({ time: OPENED, tags: ['stormcell', 'sev2', 'checkout', 'payments', 'eu-1'], text: TEXT });
  });

  it('leaves an existing annotation alone on a firing update', async () => {
    expect(await action().send(notification({ previousRef: '1124', version: 2 }), NEVER)).toEqual({ status: 'sent', ref: '1124' });
    expect(server.requests).toHaveLength(0);
  });

  it('turns the annotation into a region on resolve with PATCH timeEnd', async () => {
    const r = await action().send(notification({ status: 'resolved', incident: resolvedIncident(), previousRef: '1124' }), NEVER);
    expect(r).toEqual({ status: 'sent', ref: '1124' });
    const req = server.requests[0]!;
    expect(req.method).toBe('PATCH');
    expect(req.path).toBe('/grafana/api/annotations/1124');
    expect(req.json).toEqual({ timeEnd: RESOLVED, text: TEXT.replace('(firing)', '(resolved)') });
  });

  it('posts the whole region on a resolve without a ref', async () => {
    expect(await action().send(notification({ status: 'resolved', incident: resolvedIncident() }), NEVER)).toEqual({ status: 'sent', ref: '1124' });
    expect(server.requests[0]!.json).toMatchObject({ time: OPENED, timeEnd: RESOLVED });
  });

  it.each([
    [{ status: 401, body: { message: 'invalid API key' } }, 'failed'],
    [{ status: 404, body: { message: 'Annotation not found' } }, 'failed'],
    [{ status: 429, headers: { 'Retry-After': '5' } }, 'retryable'],
    [{ status: 503 }, 'retryable'],
    [{ status: 200, body: 'not json' }, 'failed'],
    [{ status: 200, body: { message: 'Annotation added' } }, 'failed'],
  ])('classifies %j as %s', async (reply, status) => {
    server.reply = () => reply;
    expect((await action().send(notification(), NEVER)).status).toBe(status);
  });

  it('times out a slow Grafana as retryable', async () => {
    server.reply = () => ({ status: 200, body: { id: 1 }, delayMs: 300 });
    expect((await action().send(notification(), AbortSignal.timeout(50))).status).toBe('retryable');
  });

  it.each([
    [{ url: 'http://g' }, `${AT}.api_key: missing, expected a non-empty string`],
    [{ url: 'http://g', api_key: 'k', panel_id: 2 }, `${AT}.panel_id: needs dashboard_uid, the dashboard the panel is on`],
    [{ url: 'grafana:3000', api_key: 'k' }, `${AT}.url: expected a URL, got "grafana:3000"`],
  ])('rejects config %j', (raw, message) => {
    expect(() => grafana.parseConfig(raw, AT)).toThrow(new ConfigError(message));
  });
});

describe('grafana deploy annotations', () => {
  const deploy = {
    service: 'checkout', version: 'v2.8.0', previousVersion: 'v2.7.4', status: 'succeeded' as const, at: Date.parse('2026-03-01T09:58:00.000Z'),
    cluster: 'eu-1', environment: 'production', author: 'Dara Okafor', commit: 'ba6fdcbc53b6a23cb010998fe11ef4c2ca7892c3', url: 'https://ci.example.com/p/1',
  };

  it('marks a deploy as a point annotation at its time, tagged deploy, service, cluster, environment and status', async () => {
    const r = await action({ tags: ['prod'] }).send(notification({ deploy }), NEVER);
    expect(r).toEqual({ status: 'sent', ref: '1124' });
    expect(server.requests[0]!.json).toEqual({
      time: deploy.at,
      tags: ['stormcell', 'deploy', 'checkout', 'eu-1', 'production', 'succeeded', 'prod'],
      text: 'Deploy of checkout v2.8.0 (from v2.7.4): succeeded\nby Dara Okafor, commit ba6fdcbc53b6\nhttps://ci.example.com/p/1',
    });
  });

  it('marks nothing with deploy_annotations: false', async () => {
    expect(await action({ deploy_annotations: false }).send(notification({ deploy }), NEVER)).toEqual({ status: 'sent' });
    expect(server.requests).toHaveLength(0);
  });
});
