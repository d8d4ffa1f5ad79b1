import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';
import { openEventStream, type EventStream } from '../../support/event-stream.js';

const TOPOLOGY = [
  'entities:',
  '  - {id: svc/frontend, kind: service, labels: {service: frontend}}',
  '  - {id: svc/checkout, kind: service, labels: {service: checkout}}',
  'relations:',
  '  - {from: svc/frontend, to: svc/checkout, type: calls}',
  '',
].join('\n');

let apps: EmbeddedApp[] = [];
let streams: EventStream[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const s of streams) s.close();
  for (const a of apps) await a.cleanup();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  apps = [];
  streams = [];
  dirs = [];
});

describe('the console behind the embedded app', () => {
  it('streams a snapshot, then the incidents a request opens; a stop ends the stream at once', async () => {
    const a = await startEmbeddedApp({ 'topology.yaml': TOPOLOGY });
    apps.push(a);
    const s = await openEventStream(`${a.url}/api/v1/events`);
    streams.push(s);
    const snap = await s.next((e) => e.event === 'snapshot', 'the snapshot');
    expect(JSON.parse(snap.data)).toEqual({ incidents: [] });

    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    await a.post('/api/v2/alerts', [{ labels: { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1' }, annotations: { summary: '5xx above 5 %' }, endsAt }]);
    const opened = JSON.parse((await s.next((e) => e.event === 'incident', 'the opened incident')).data) as { change: string; incident: { id: string; alertCount: number; clusters: string[] } };
    expect(opened).toMatchObject({ change: 'opened', incident: { alertCount: 1, clusters: ['eu-1'] } });

    // The page reads each alert's entity and state beside the incident, and the cause's neighbourhood.
    const one = (await a.get(`/api/v1/incidents/${opened.incident.id}`)).body as { alertStates: unknown[] };
    expect(one.alertStates).toEqual([expect.objectContaining({ entity: 'svc/checkout', status: 'firing', endsAt: expect.any(String), summary: '5xx above 5 %' })]);
    const n = await a.get('/api/v1/topology/neighbourhood?entity=svc/checkout');
    expect(n.status).toBe(200);
    expect((n.body as { entities: Array<{ id: string }> }).entities.map((e) => e.id)).toEqual(['svc/checkout', 'svc/frontend']);

    const started = performance.now();
    await a.stop();
    await s.ended;
    expect(performance.now() - started).toBeLessThan(3_000); // not the 5 s cut-off for connections that never idle
  });

  it('serves the console page with its security headers at /console/, and / leads there', async () => {
    const consoleDir = await mkdtemp(join(tmpdir(), 'stormcell-console-'));
    dirs.push(consoleDir);
    await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>stormcell</title>');
    const a = await startEmbeddedApp({}, undefined, { consoleDir });
    apps.push(a);
    const root = await fetch(`${a.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const page = await fetch(`${a.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<title>stormcell</title>');
    expect((await a.get('/console/nope.js')).status).toBe(404);
  });

  it('says the console is not built when its files are missing', async () => {
    const a = await startEmbeddedApp({}, undefined, { consoleDir: join(tmpdir(), 'stormcell-no-such-console') });
    apps.push(a);
    expect(await a.get('/console/')).toEqual({ status: 404, body: { error: '/console/: not found: the console is not built (npm run build)' } });
  });
});
