import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import type { ReplayDocument } from '../../src/replay.js';
import { loadConfig } from '../../src/config/index.js';
import { Engine } from '../../src/engine/index.js';
import { applyRecord, parseCaptureLine } from '../../src/ingest/index.js';

const DIR = join(new URL('.', import.meta.url).pathname, 'slo-burn-deploy');

/** The scenario `slo-burn-deploy`: a checkout release burns its 99.9 % SLO at 20x for an hour. */
describe('a 20x burn joins the incident of the bad deploy that caused it', () => {
  const out = runCli(['replay', join(DIR, 'capture.ndjson'), '--config', join(DIR, 'config')]);
  const doc = JSON.parse(out.stdout) as ReplayDocument;

  it('replays through the CLI', () => {
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  it('fires the workbook alerts, the 1h/5m page among them, and resolves the pages after the rollback', () => {
    const [slo] = doc.slos;
    expect(slo?.name).toBe('checkout-availability');
    const alerts = slo!.alerts.map((a) => `${a.severity} ${a.longWindow}/${a.shortWindow} ${a.resolvedAt === null ? 'firing' : 'resolved'}`);
    expect(alerts).toContain('page 1h/5m resolved');
    expect(alerts).toContain('page 6h/30m resolved');
    expect(slo!.errorBudgetRemaining).toBeLessThan(0); // an hour at 20x of a 30-day budget, with only this history
  });

  it('puts every burn alert in the incident whose top suspect is the checkout release, and pages sev1', () => {
    const withBurn = doc.incidents.filter((i) => i.alerts.some((a) => a.origin === 'slo'));
    expect(withBurn).toHaveLength(1);
    const inc = withBurn[0]!;
    expect(inc.suspectedDeploys[0]).toMatchObject({ service: 'checkout', version: 'v2.8.0' });
    expect(inc.rootCause?.entity).toBe('svc/eu-1/checkout');
    expect(inc.severity).toBe('sev1');
    expect(inc.alerts.filter((a) => a.origin === 'slo').map((a) => a.labels['long']).sort()).toEqual(['1d', '1h', '3d', '6h']);
    expect(inc.alerts.some((a) => a.labels['alertname'] === 'HighErrorRate')).toBe(true);
    // The unrelated crash loop at the same time stays apart.
    const resizer = doc.incidents.find((i) => i.alerts.some((a) => a.labels['pod']?.startsWith('image-resizer-')));
    expect(resizer?.id).not.toBe(inc.id);
  });

  it('shows the burn and the budget on the incident timeline', async () => {
    const config = await loadConfig(join(DIR, 'config'));
    const engine = new Engine(config.engine);
    readFileSync(join(DIR, 'capture.ndjson'), 'utf8').split('\n').filter((l) => l !== '')
      .forEach((l, i) => applyRecord(engine, parseCaptureLine(l, `capture:${i + 1}`), i));
    engine.settle();
    const id = doc.incidents.find((i) => i.alerts.some((a) => a.origin === 'slo'))!.id;
    const timeline = engine.incidentWithTimeline(id)!.timeline;
    const page = timeline.find((t) => t.type === 'slo-burn' && t.message.includes('over 1h'));
    expect(page?.message).toMatch(/^SLO checkout-availability burning \d+\.\d× over 1h and \d+\.\d× over 5m \(page above 14\.4×\); -?\d+\.\d % of the error budget left$/);
    expect(timeline.some((t) => t.type === 'slo-burn-resolved')).toBe(true);
    const joined = timeline.find((t) => t.type === 'alert-attached' && t.fingerprint === page?.fingerprint);
    expect(joined?.reason).toMatch(/^the burn on svc\/eu-1\/checkout follows trouble at svc\/eu-1\/checkout, open here$/);
  });
});
