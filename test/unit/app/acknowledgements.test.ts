import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';

let apps: EmbeddedApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.cleanup();
  apps = [];
});

describe('POST /api/v1/acknowledgements', () => {
  it('acknowledges an open incident durably, and refuses unknown and resolved ones', async () => {
    const a = await startEmbeddedApp();
    apps.push(a);
    const now = Date.now();
    await a.post('/api/v2/alerts', [
      { labels: { alertname: 'Open', service: 'checkout', cluster: 'eu-1' }, endsAt: new Date(now + 3_600_000).toISOString() },
      { labels: { alertname: 'Over', service: 'search', cluster: 'us-1' }, startsAt: new Date(now - 120_000).toISOString(), endsAt: new Date(now - 60_000).toISOString() },
    ]);
    const incidents = (await a.get('/api/v1/incidents')).body as Array<{ id: string; status: string; title: string }>;
    const open = incidents.find((i) => i.status === 'open')!;
    const resolved = incidents.find((i) => i.status === 'resolved')!;

    expect(await a.post('/api/v1/acknowledgements', { incident: 'inc-nope', by: 'sre' })).toEqual({ status: 404, body: { error: 'incident: "inc-nope" is not an incident' } });
    expect(await a.post('/api/v1/acknowledgements', { incident: resolved.id, by: 'sre' })).toEqual({ status: 409, body: { error: `incident: ${resolved.id} is resolved, nothing to acknowledge` } });
    expect((await a.post('/api/v1/acknowledgements', { incident: open.id })).body).toEqual({ error: 'by: missing, expected a non-empty string' });
    expect(await a.post('/api/v1/acknowledgements', { incident: open.id, by: 'sre@example.com', comment: 'on it' })).toEqual({ status: 200, body: { status: 'success', accepted: 1 } });

    const one = (await a.get(`/api/v1/incidents/${open.id}`)).body as { acknowledged: { by: string }; timeline: Array<{ type: string; message: string }> };
    expect(one.acknowledged.by).toBe('sre@example.com');
    expect(one.timeline.some((t) => t.type === 'acknowledged' && t.message === 'acknowledged by sre@example.com: on it')).toBe(true);

    // Logged like any input: a restart replays it.
    await a.stop();
    const b = await startEmbeddedApp({}, { dataDir: a.dataDir, configDir: a.configDir });
    apps.push(b);
    expect(((await b.get(`/api/v1/incidents/${open.id}`)).body as { acknowledged: { by: string } }).acknowledged.by).toBe('sre@example.com');
  });
});

describe('GET /api/v1/incidents/{id}/postmortem', () => {
  it('renders the incident\'s blameless postmortem draft as Markdown, and 404s an unknown incident', async () => {
    const a = await startEmbeddedApp();
    apps.push(a);
    await a.post('/api/v2/alerts', [{ labels: { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1' }, endsAt: new Date(Date.now() + 3_600_000).toISOString() }]);
    const [inc] = (await a.get('/api/v1/incidents')).body as Array<{ id: string }>;
    await a.post('/api/v1/acknowledgements', { incident: inc!.id, by: 'sre@example.com' });
    const res = await fetch(`${a.url}/api/v1/incidents/${inc!.id}/postmortem`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^# Postmortem: HighErrorRate/);
    for (const section of ['## Summary', '## Impact', '## Detection', '## Mitigation', '## Suspected cause and evidence', '## Timeline', '## Action items']) expect(text).toContain(section);
    expect(text).toContain('sre@example.com');
    expect((await a.get('/api/v1/incidents/inc-nope/postmortem')).status).toBe(404);
  });
});
