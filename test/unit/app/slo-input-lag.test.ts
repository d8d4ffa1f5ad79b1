import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';

let apps: EmbeddedApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.cleanup();
  apps = [];
});

describe('stormcell_slo_input_lag_seconds', () => {
  it('says how far each SLO\'s latest sample trails the engine clock', async () => {
    const a = await startEmbeddedApp({ 'slos.yaml': 'slos:\n  - {name: checkout-availability, objective: 99.9, window: 30d}\n  - {name: search-latency, objective: 99, window: 7d}\n' });
    apps.push(a);
    const sampleAt = Date.now() - 90_000;
    expect((await a.post('/api/v1/sli', { slo: 'checkout-availability', at: new Date(sampleAt).toISOString(), good: 990, total: 1000 })).status).toBe(200);
    await a.post('/api/v2/alerts', [{ labels: { alertname: 'Tick' } }]); // moves the engine clock to now
    const text = (await a.get('/metrics')).body as string;
    const m = /^stormcell_slo_input_lag_seconds\{slo="checkout-availability"\} ([\d.]+)$/m.exec(text);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(89);
    expect(Number(m![1])).toBeLessThan(200);
    expect(text).not.toMatch(/stormcell_slo_input_lag_seconds\{slo="search-latency"\}/); // no sample yet: no series
  });
});
