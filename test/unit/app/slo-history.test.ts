import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';
import { waitFor } from '../../support/wait-for.js';

let apps: EmbeddedApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.cleanup();
  apps = [];
});

const SLOS = `slos:
  - {name: checkout-availability, objective: 99.9, window: 30d, entity: svc/checkout}
`;
const TOPOLOGY = `entities:
  - {id: svc/checkout, kind: service, labels: {service: checkout}}
`;
const STEP = 300_000;

/** Forty minutes of counters ending a minute ago, 2 % of requests failing: a 20x burn of a 99.9 % SLO. */
function burningSamples(minute: number): Array<{ slo: string; at: string; good: number; total: number }> {
  return Array.from({ length: 40 }, (_, i) => ({
    slo: 'checkout-availability',
    at: new Date(minute - (40 - i) * 60_000 + 30_000).toISOString(),
    good: 980 * (i + 1),
    total: 1000 * (i + 1),
  }));
}

type History = { slo: string; step: number; points: Array<{ at: string; burnRates: Record<string, number | null> }> };

describe('SLO burn-rate history over HTTP', () => {
  it('serves the 5m, 1h and 6h burn rates every 5 minutes of the samples posted', async () => {
    const a = await startEmbeddedApp({ 'slos.yaml': SLOS, 'topology.yaml': TOPOLOGY }, undefined, { tickIntervalMs: 20 });
    apps.push(a);
    expect((await a.get('/api/v1/slos/checkout-availability/history')).body).toEqual({ slo: 'checkout-availability', step: STEP, points: [] });
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    expect((await a.post('/api/v1/sli', burningSamples(minute))).status).toBe(200);
    const history = await waitFor(async () => {
      const r = await a.get('/api/v1/slos/checkout-availability/history');
      return (r.body as History).points.length >= 7 ? (r.body as History) : undefined;
    }, { what: 'burn-rate history', timeoutMs: 5_000, intervalMs: 20 });
    expect(history.step).toBe(STEP);
    const ats = history.points.map((p) => Date.parse(p.at));
    expect(ats.every((t, i) => t % STEP === 0 && (i === 0 || t - (ats[i - 1] as number) === STEP))).toBe(true);
    expect(ats[0]).toBe(Math.ceil((minute - 40 * 60_000 + 30_000) / STEP) * STEP);
    // Past the first five minutes every window covers only burning traffic: 20x, to float32 precision.
    const burning = history.points.filter((p) => Date.parse(p.at) >= (ats[0] as number) + STEP);
    expect(burning.length).toBeGreaterThanOrEqual(6);
    for (const p of burning) {
      expect(Object.keys(p.burnRates)).toEqual(['5m', '1h', '6h']);
      for (const w of ['5m', '1h', '6h']) expect(p.burnRates[w]).toBeCloseTo(20, 4);
    }

    const from = new Date((ats[1] as number) - 1).toISOString();
    const to = new Date(ats[3] as number).toISOString();
    const slice = await a.get(`/api/v1/slos/checkout-availability/history?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(slice.status).toBe(200);
    expect((slice.body as History).points.map((p) => p.at)).toEqual(history.points.slice(1, 4).map((p) => p.at));
  });

  it('answers 404 for an unknown SLO and 400 naming the parameter for a bad time', async () => {
    const a = await startEmbeddedApp({ 'slos.yaml': SLOS, 'topology.yaml': TOPOLOGY });
    apps.push(a);
    expect(await a.get('/api/v1/slos/nope/history')).toEqual({ status: 404, body: { error: 'SLO "nope" not found' } });
    expect(await a.get('/api/v1/slos/checkout-availability/history?from=yesterday')).toEqual({ status: 400, body: { error: 'from: expected an RFC 3339 time, got "yesterday"' } });
    expect(await a.get('/api/v1/slos/checkout-availability/history?to=2026-13-01T00:00:00Z')).toEqual({ status: 400, body: { error: 'to: expected an RFC 3339 time, got "2026-13-01T00:00:00Z"' } });
    const r = await a.get('/api/v1/slos/checkout-availability/history?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^from: /);
  });
});
