/**
 * A real Prometheus sends its firing alerts straight to stormcell (`alerting.alertmanagers` → `POST /api/v2/alerts`),
 * as it would to an Alertmanager. stormcell must keep exactly Prometheus's labels and Alertmanager's fingerprint.
 */
import { describe, expect, it } from 'vitest';
import { referenceFingerprint } from '../support/alertmanager.js';
import { startPrometheus, type AlertingRule } from '../support/prometheus.js';
import { needService, prometheusBinary, useCleanup } from '../support/services.js';
import { incidentsByFingerprint, startStormcell, type ApiAlert } from '../support/stormcell-process.js';
import { waitFor } from '../support/wait-for.js';

const EXTERNAL_LABELS = { cluster: 'it-eu-1', prometheus_replica: 'prom-ä-0' };

const RULES: AlertingRule[] = [
  {
    alert: 'CheckoutErrorBudgetBurn',
    expr: 'vector(1)',
    for: '0s',
    labels: { severity: 'critical', service: 'checkout', team: 'zahlungsverkehr-ü' },
    annotations: { summary: 'checkout burns its error budget', runbook_url: 'https://runbooks.example/checkout' },
  },
  {
    // The expression's own labels (here set with label_replace) are part of the alert's identity too.
    alert: 'NodeDiskFilling',
    expr: 'label_replace(vector(0.97), "instance", "node-3.eu-1:9100", "", "")',
    for: '0s',
    labels: { severity: 'warning', service: 'storage' },
    annotations: { description: 'disk {{ $labels.instance }} is {{ $value }} full' },
  },
];

describe.skipIf(needService('prometheus', prometheusBinary !== null))('Prometheus → stormcell (API v2)', () => {
  const track = useCleanup();

  it('receives every firing rule with exactly the labels Prometheus sends and the Alertmanager fingerprint', async () => {
    const stormcell = track(await startStormcell());
    const prometheus = track(
      await startPrometheus({ alertmanagers: [stormcell.hostPort], rules: RULES, externalLabels: EXTERNAL_LABELS }),
    );

    // Prometheus's own view of its firing alerts, plus the external labels its notifier adds, is what must arrive.
    const firing = await waitFor(
      async () => {
        const alerts = (await prometheus.alerts()).filter((a) => a.state === 'firing');
        if (alerts.length < RULES.length) throw new Error(`${alerts.length} of ${RULES.length} rules firing`);
        return alerts;
      },
      { what: 'both Prometheus rules to fire', timeoutMs: 20_000 },
    );
    const expected: ApiAlert[] = firing
      .map((a) => {
        const labels = { ...a.labels, ...EXTERNAL_LABELS };
        return { fingerprint: referenceFingerprint(labels), labels };
      })
      .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
    expect(expected.map((a) => a.labels.alertname).sort()).toEqual(['CheckoutErrorBudgetBurn', 'NodeDiskFilling']);
    expect(expected.find((a) => a.labels.alertname === 'NodeDiskFilling')?.labels.instance).toBe('node-3.eu-1:9100');

    const received = await waitFor(
      async () => {
        const incidents = await stormcell.incidents();
        const alerts = incidents.flatMap((i) => i.alerts);
        const missing = expected.filter((e) => !alerts.some((a) => a.fingerprint === e.fingerprint));
        if (missing.length > 0) {
          const stats = await prometheus.notifierStats().catch(() => ({}));
          throw new Error(
            `missing ${missing.map((m) => m.fingerprint).join(', ')}; stormcell has ${JSON.stringify(alerts)}; ` +
              `prometheus notifier ${JSON.stringify(stats)}`,
          );
        }
        return incidents;
      },
      { what: "Prometheus's alerts to show up in stormcell's incidents", timeoutMs: 30_000, intervalMs: 200 },
    );

    // Exactly these two alerts, each in exactly one incident, with Prometheus's labels unchanged.
    const byFingerprint = incidentsByFingerprint(received);
    expect([...byFingerprint.keys()].sort()).toEqual(expected.map((e) => e.fingerprint));
    for (const ids of byFingerprint.values()) expect(ids).toHaveLength(1);
    const alerts = received
      .flatMap((i) => i.alerts)
      .map((a) => ({ fingerprint: a.fingerprint, labels: a.labels }))
      .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
    expect(alerts).toEqual(expected);
    for (const incident of received) expect(incident.status).toBe('open');

    // The single-incident read API shows the same alert and a timeline.
    const first = received.find((i) => i.alerts.some((a) => a.fingerprint === expected[0]?.fingerprint));
    const detail = await stormcell.incident(first?.id ?? '');
    expect(detail.id).toBe(first?.id);
    expect(detail.alerts.map((a) => a.fingerprint)).toContain(expected[0]?.fingerprint);
    expect(Array.isArray(detail.timeline)).toBe(true);
  });
});
