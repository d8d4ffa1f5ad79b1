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

/** Twelve minutes of counters ending a minute ago, 2 % of requests failing: a 20x burn of a 99.9 % SLO. */
function burningSamples(): Array<{ slo: string; at: string; good: number; total: number }> {
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  return Array.from({ length: 12 }, (_, i) => ({
    slo: 'checkout-availability',
    at: new Date(minute - (12 - i) * 60_000 + 30_000).toISOString(),
    good: 980 * (i + 1),
    total: 1000 * (i + 1),
  }));
}

describe('SLOs over HTTP', () => {
  it('serves burn rates on /api/v1/slos and /metrics once samples arrive', async () => {
    const a = await startEmbeddedApp({ 'slos.yaml': SLOS, 'topology.yaml': TOPOLOGY }, undefined, { tickIntervalMs: 20 });
    apps.push(a);
    const empty = await a.get('/api/v1/slos');
    expect(empty.body).toEqual([
      { name: 'checkout-availability', objective: 99.9, burnRates: { '5m': null, '30m': null, '1h': null, '2h': null, '6h': null, '1d': null, '3d': null, '30d': null }, errorBudgetRemaining: null, alerts: [] },
    ]);
    expect(await a.post('/api/v1/sli', burningSamples())).toEqual({ status: 200, body: { status: 'success', accepted: 12 } });
    const slos = await waitFor(async () => {
      const r = await a.get('/api/v1/slos');
      return r.body[0].burnRates['5m'] === null ? undefined : r.body;
    }, { what: 'burn rates on /api/v1/slos', timeoutMs: 5_000, intervalMs: 20 });
    expect(slos[0].burnRates['5m']).toBeCloseTo(20, 9);
    expect(slos[0].burnRates['30m']).toBeCloseTo(20, 9); // the window covers all history: every sample's rate
    expect(slos[0].alerts.map((x: { longWindow: string }) => x.longWindow)).toContain('1h');
    const metrics = (await a.get('/metrics')).body as string;
    expect(metrics).toMatch(/^stormcell_slo_burn_rate\{slo="checkout-availability",window="5m"\} 20(\.0*\d*)?$/m);
    expect(metrics).toMatch(/^stormcell_slo_error_budget_remaining\{slo="checkout-availability"\} -?\d/m);
    // The burn is an incident of its own here (nothing else fails), paging sev1 through the 1h/5m alert.
    const incidents = (await a.get('/api/v1/incidents')).body as Array<{ severity: string; alerts: Array<{ origin?: string; labels: Record<string, string> }> }>;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.severity).toBe('sev1');
    expect(incidents[0]!.alerts.every((x) => x.origin === 'slo' && x.labels['alertname'] === 'ErrorBudgetBurn')).toBe(true);
  });

  it('refuses an SLI sample whose good count exceeds its total', async () => {
    const a = await startEmbeddedApp({ 'slos.yaml': SLOS, 'topology.yaml': TOPOLOGY });
    apps.push(a);
    const r = await a.post('/api/v1/sli', { slo: 'checkout-availability', at: new Date().toISOString(), good: 11, total: 10 });
    expect(r).toEqual({ status: 400, body: { error: 'good: must not exceed total, got 11 > 10' } });
  });
});
