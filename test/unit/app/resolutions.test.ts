import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';

let apps: EmbeddedApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.cleanup();
  apps = [];
});

describe('POST /api/v1/resolutions', () => {
  it('resolves an open incident by hand durably, and refuses unknown and resolved ones', async () => {
    const a = await startEmbeddedApp();
    apps.push(a);
    const now = Date.now();
    await a.post('/api/v2/alerts', [{ labels: { alertname: 'Open', service: 'checkout', cluster: 'eu-1' }, endsAt: new Date(now + 3_600_000).toISOString() }]);
    const [open] = (await a.get('/api/v1/incidents')).body as Array<{ id: string }>;

    expect(await a.post('/api/v1/resolutions', { incident: 'inc-nope', by: 'sre' })).toEqual({ status: 404, body: { error: 'incident: "inc-nope" is not an incident' } });
    expect((await a.post('/api/v1/resolutions', { incident: open!.id, by: '' })).status).toBe(400);
    expect(await a.post('/api/v1/resolutions', { incident: open!.id, by: 'sre@example.com', comment: 'fixed by hand' })).toEqual({ status: 200, body: { status: 'success', accepted: 1 } });
    expect(await a.post('/api/v1/resolutions', { incident: open!.id, by: 'sre' })).toEqual({ status: 409, body: { error: `incident: ${open!.id} is resolved, nothing to resolve` } });

    const one = (await a.get(`/api/v1/incidents/${open!.id}`)).body as { status: string; resolvedBy: { by: string }; timeline: Array<{ type: string; message: string }> };
    expect(one.status).toBe('resolved');
    expect(one.resolvedBy.by).toBe('sre@example.com');
    expect(one.timeline.some((t) => t.type === 'resolved' && t.message === 'resolved by sre@example.com: fixed by hand')).toBe(true);

    // Logged like any input: a restart replays it.
    await a.stop();
    const b = await startEmbeddedApp({}, { dataDir: a.dataDir, configDir: a.configDir });
    apps.push(b);
    expect(((await b.get(`/api/v1/incidents/${open!.id}`)).body as { resolvedBy: { by: string } }).resolvedBy.by).toBe('sre@example.com');
  });
});
