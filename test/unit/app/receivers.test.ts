import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/model/index.js';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';
import { createMemoryLog } from '../../support/memory-log.js';

let apps: EmbeddedApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.cleanup();
  apps = [];
});
async function start(files: Record<string, string> = {}): Promise<EmbeddedApp> {
  const a = await startEmbeddedApp(files);
  apps.push(a);
  return a;
}

const ALERT = { labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }, annotations: { summary: '5xx above 5%' } };
const NOW = new Date().toISOString();

const VALID: Array<[string, unknown, number]> = [
  ['/api/v2/alerts', [ALERT, { labels: { alertname: 'HighLatency', service: 'checkout' } }], 2],
  [
    '/webhook/alertmanager',
    {
      version: '4', status: 'firing', receiver: 'stormcell', groupKey: '{}:{}', truncatedAlerts: 0,
      groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am:9093',
      alerts: [{ status: 'firing', labels: { alertname: 'NodeDown', node: 'n1' }, annotations: {}, startsAt: NOW, endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'x' }],
    },
    1,
  ],
  ['/webhook/tickets/generic', { id: 'SUP-1', title: 'checkout fails', createdAt: NOW, services: ['checkout'] }, 1],
  ['/webhook/deploys/generic', { service: 'checkout', version: 'v42', at: NOW }, 1],
  ['/api/v1/sli', [{ slo: 'checkout-availability', at: NOW, good: 990, total: 1000 }], 1],
];

describe('receivers over HTTP', () => {
  it.each(VALID)('%s accepts a valid body and acknowledges its items', async (path, body, n) => {
    const a = await start();
    const r = await a.post(path, body);
    expect(r).toEqual({ status: 200, body: { status: 'success', accepted: n } });
  });

  it('refuses a whole batch when one alert is bad, and leaves no trace', async () => {
    const a = await start();
    await a.post('/api/v2/alerts', [ALERT]);
    const before = await a.get('/api/v1/incidents');
    const record = await readFile(a.recordPath, 'utf8').catch(() => '');
    const r = await a.post('/api/v2/alerts', [{ labels: { alertname: 'Fine' } }, { labels: { alertname: 'Bad' }, startsAt: 'yesterday' }]);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'alerts[1].startsAt: expected an RFC 3339 time, got "yesterday"' });
    expect(await a.get('/api/v1/incidents')).toEqual(before);
    await a.stop();
    expect(await readFile(a.recordPath, 'utf8')).toBe(record);
    const metrics = await fetch(a.url + '/metrics').then(() => '', () => ''); // server stopped: nothing to read
    expect(metrics).toBe('');
  });

  it.each([
    ['not JSON', '{"labels":', 400, /^body: invalid JSON: /],
    ['an empty body', '', 400, /^body: empty, expected JSON$/],
    ['an object where an array is expected', { labels: {} }, 400, /^body: expected an array, got object$/],
  ])('answers %s with 4xx and a JSON error', async (_what, body, status, message) => {
    const a = await start();
    const r = await a.post('/api/v2/alerts', body);
    expect(r.status).toBe(status);
    expect(r.body.error).toMatch(message);
  });

  it('answers 413 to a body over the configured limit and counts the rejection', async () => {
    const a = await start({ 'stormcell.yaml': 'max_body_bytes: 2048\n' });
    const big = [{ labels: { alertname: 'Big' }, annotations: { description: 'x'.repeat(4096) } }];
    const r = await a.post('/api/v2/alerts', big);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/over the limit of 2048 bytes/);
    const metrics = (await a.get('/metrics')).body as string;
    expect(metrics).toMatch(/stormcell_requests_rejected_total\{path="\/api\/v2\/alerts",reason="too_large"\} 1/);
    expect((await a.get('/api/v1/incidents')).body).toEqual([]);
  });

  it('answers 405 to GET on a receiver and 404 to unknown paths', async () => {
    const a = await start();
    expect((await a.get('/api/v2/alerts')).status).toBe(405);
    expect(await a.get('/nope')).toEqual({ status: 404, body: { error: '/nope: not found' } });
  });
});

describe('read API', () => {
  it('lists incidents newest first, filters by status, and shows one with its timeline', async () => {
    const a = await start();
    const past = new Date(Date.now() - 60_000).toISOString();
    await a.post('/api/v2/alerts', [{ labels: { alertname: 'Old', namespace: 'a' }, startsAt: past, endsAt: past }]);
    await a.post('/api/v2/alerts', [{ labels: { alertname: 'New', namespace: 'b' } }]);
    const all = (await a.get('/api/v1/incidents')).body;
    expect(all.map((i: any) => i.alerts[0].labels.alertname)).toEqual(['New', 'Old']);
    expect(all[0].alerts[0].fingerprint).toBe(fingerprint({ alertname: 'New', namespace: 'b' }));
    expect((await a.get('/api/v1/incidents?status=resolved')).body.map((i: any) => i.status)).toEqual(['resolved']);
    expect((await a.get('/api/v1/incidents?status=open')).body.map((i: any) => i.status)).toEqual(['open']);
    expect((await a.get('/api/v1/incidents?status=closed')).status).toBe(400);
    const one = (await a.get(`/api/v1/incidents/${all[0].id}`)).body;
    expect(one.id).toBe(all[0].id);
    expect(one.timeline.map((t: any) => t.type)).toEqual(['opened', 'alert-attached']);
    expect((await a.get('/api/v1/incidents/inc-nope')).status).toBe(404);
    expect((await a.get('/api/v1/slos')).body).toEqual([]);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    const a = await start();
    await a.post('/api/v2/alerts', [ALERT]);
    expect((await a.get('/healthz')).status).toBe(200);
    expect((await a.get('/readyz')).status).toBe(200);
    const m = (await a.get('/metrics')).body as string;
    expect(m).toMatch(/stormcell_received_total\{source="alertmanager_v2"\} 1/);
    expect(m).toMatch(/stormcell_log_fsync_seconds_count [1-9]/);
    expect(m).toContain('stormcell_engine_lag_seconds');
    expect(m).toContain('stormcell_incidents_open');
  });
});

describe('durability (embedded)', () => {
  it('when the log fails, answers 503, applies nothing, stops being ready and reports the failure', async () => {
    const log = createMemoryLog();
    const fatal: Error[] = [];
    const a = await startEmbeddedApp({}, undefined, { log, onFatal: (err) => fatal.push(err) });
    apps.push(a);
    await a.post('/api/v2/alerts', [ALERT]);
    log.failNextAppend(new Error('disk on fire'));
    const r = await a.post('/api/v2/alerts', [{ labels: { alertname: 'Lost' } }]);
    expect(r.status).toBe(503);
    expect(r.body.error).toMatch(/^\/api\/v2\/alerts: not stored: .*disk on fire/);
    expect(fatal.map((e) => e.message)).toEqual([expect.stringMatching(/disk on fire/)]);
    expect(await a.get('/readyz')).toEqual({ status: 503, body: { status: 'durable log failed' } });
    const incidents = (await a.get('/api/v1/incidents')).body;
    expect(incidents.flatMap((i: any) => i.alerts.map((x: any) => x.labels.alertname))).toEqual(['HighErrorRate']);
    expect((await a.post('/api/v2/alerts', [ALERT])).status).toBe(503);
  });

  it('a restarted app on the same data dir shows the same incidents, from snapshot and log tail', async () => {
    const a = await start();
    for (let i = 0; i < 20; i++) await a.post('/api/v2/alerts', [{ labels: { alertname: `A${i}`, namespace: `ns${i % 3}` } }]);
    const before = (await a.get('/api/v1/incidents')).body;
    await a.stop();
    const b = await startEmbeddedApp({}, { dataDir: a.dataDir, configDir: a.configDir });
    apps.push(b);
    expect((await b.get('/api/v1/incidents')).body).toEqual(before);
    await b.post('/api/v2/alerts', [{ labels: { alertname: 'After', namespace: 'ns0' } }]);
    const after = (await b.get('/api/v1/incidents')).body;
    expect(after.flatMap((i: any) => i.alerts)).toHaveLength(21);
  });

  it('records exactly the acknowledged requests as capture lines', async () => {
    const a = await start();
    await a.post('/api/v2/alerts', [ALERT]);
    await a.post('/api/v2/alerts', [{ labels: {} }]);
    await a.post('/webhook/deploys/generic', { service: 'checkout', version: 'v1', at: NOW });
    await a.stop();
    const lines = (await readFile(a.recordPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.path)).toEqual(['/api/v2/alerts', '/webhook/deploys/generic']);
    expect(lines[0].body).toEqual([ALERT]);
    expect(Date.parse(lines[0].ts)).not.toBeNaN();
  });
});
