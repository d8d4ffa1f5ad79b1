import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';

let apps: EmbeddedApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.cleanup();
  apps = [];
});

async function del(a: EmbeddedApp, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(a.url + path, { method: 'DELETE' });
  return { status: res.status, body: await res.json() };
}

describe('silences API', () => {
  it('creates a silence from Alertmanager matcher syntax, lists it, expires it, and keeps it across a restart', async () => {
    const a = await startEmbeddedApp();
    apps.push(a);
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await a.post('/api/v1/silences', { matchers: 'service="checkout",severity=~"sev3|sev4"', endsAt, createdBy: 'sre@example.com', comment: 'rolling out a fix' });
    expect(created.status).toBe(200);
    const id = (created.body as { silenceID: string }).silenceID;
    const listed = await a.get('/api/v1/silences');
    expect(listed.body).toEqual([
      expect.objectContaining({
        id, createdBy: 'sre@example.com', comment: 'rolling out a fix', endsAt: endsAt.replace(/(\.\d{3})?Z$/, (m) => (m.length > 1 ? m : '.000Z')),
        matchers: [
          { name: 'service', value: 'checkout', isRegex: false, isEqual: true },
          { name: 'severity', value: 'sev3|sev4', isRegex: true, isEqual: true },
        ],
        status: { state: 'active' },
      }),
    ]);
    await a.stop();
    const b = await startEmbeddedApp({}, { dataDir: a.dataDir, configDir: a.configDir });
    apps.push(b);
    expect(((await b.get('/api/v1/silences')).body as Array<{ id: string }>).map((s) => s.id)).toEqual([id]);
    expect(await del(b, `/api/v1/silences/${id}`)).toEqual({ status: 200, body: { silenceID: id, status: { state: 'expired' } } });
    expect(((await b.get('/api/v1/silences')).body as Array<{ status: { state: string } }>)[0]!.status.state).toBe('expired');
    expect((await del(b, '/api/v1/silences/nope')).status).toBe(404);
  });

  it.each([
    [{ matchers: 'service=', endsAt: '2099-01-01T00:00:00Z', createdBy: 'x', comment: 'y' }, /^matchers: at least one matcher must not match the empty string$/],
    [{ matchers: 'service=~".*"', endsAt: '2099-01-01T00:00:00Z', createdBy: 'x', comment: 'y' }, /^matchers: at least one matcher must not match the empty string$/],
    [{ matchers: 'service="a', endsAt: '2099-01-01T00:00:00Z', createdBy: 'x', comment: 'y' }, /^matchers: column \d+: /],
    [{ matchers: 'service="a"', endsAt: 'tomorrow', createdBy: 'x', comment: 'y' }, /^endsAt: expected an RFC 3339 time, got "tomorrow"$/],
    [{ matchers: 'service="a"', endsAt: '2001-01-01T00:00:00Z', createdBy: 'x', comment: 'y' }, /^endsAt: must/],
    [{ matchers: 'service="a"', endsAt: '2099-01-01T00:00:00Z', comment: 'y' }, /^createdBy: missing, expected a string$/],
  ])('refuses a bad silence %j with 400 and where it is wrong', async (body, message) => {
    const a = await startEmbeddedApp();
    apps.push(a);
    const r = await a.post('/api/v1/silences', body);
    expect(r.status).toBe(400);
    expect((r.body as { error: string }).error).toMatch(message);
    expect((await a.get('/api/v1/silences')).body).toEqual([]);
  });
});
