/**
 * A real Alertmanager notifies stormcell through its `webhook_configs` (`POST /webhook/alertmanager`, payload
 * version 4). stormcell's fingerprints must equal the ones the real Alertmanager reports for the same labels, and a
 * resolved notification must resolve stormcell's incident. Then the whole chain: Prometheus → Alertmanager → stormcell.
 */
import { describe, expect, it } from 'vitest';
import { referenceFingerprint, startAlertmanager, type PostableAlert } from '../support/alertmanager.js';
import { startPrometheus } from '../support/prometheus.js';
import { alertmanagerBinary, needService, prometheusBinary, useCleanup } from '../support/services.js';
import { incidentsByFingerprint, startStormcell, type ApiIncident } from '../support/stormcell-process.js';
import { waitFor } from '../support/wait-for.js';

/** Forty labels, names chosen so byte order (Go's sort) differs from locale order: `Z_` < `_a` < `a`. */
function manyLabels(): Record<string, string> {
  const labels: Record<string, string> = { alertname: 'KafkaConsumerLag', severity: 'warning', service: 'orders' };
  for (let i = 0; i < 30; i++) labels[`dim_${String(i).padStart(2, '0')}`] = `value-${i * 7}`;
  Object.assign(labels, { Zone: 'eu-1c', _internal: 'x', ZZ_top: 'y', a: '1', aa: '2', a_b: '3', A: 'upper' });
  return labels;
}

function alertsToPost(startsAt: string): PostableAlert[] {
  return [
    {
      labels: { alertname: 'CheckoutLatencyHigh', severity: 'critical', service: 'checkout', region: 'eu-central-1' },
      annotations: { summary: 'p99 above 2s' },
      startsAt,
    },
    {
      labels: {
        alertname: 'ZahlungFehlgeschlagen',
        severity: 'critical',
        service: 'zahlung',
        beschreibung: 'Größe überschritten – Büro Köln',
        team: '運用チーム',
        symbol: '🔥 brennt (astral plane: U+1F525)',
        mixed: 'naïve café Ω ∑ ✓',
      },
      annotations: { summary: 'Zahlungen schlagen fehl' },
      startsAt,
    },
    { labels: manyLabels(), startsAt },
  ];
}

/** The incidents holding each of `fingerprints`; throws (keeps polling) while any is missing. */
function requireAll(incidents: ApiIncident[], fingerprints: readonly string[]): ApiIncident[] {
  const present = incidentsByFingerprint(incidents);
  const missing = fingerprints.filter((f) => !present.has(f));
  if (missing.length > 0) {
    const seen = incidents.flatMap((i) => i.alerts.map((a) => `${a.fingerprint} ${JSON.stringify(a.labels)}`));
    throw new Error(`missing fingerprints ${missing.join(', ')}; stormcell has: ${seen.join('; ') || 'nothing'}`);
  }
  return incidents.filter((i) => i.alerts.some((a) => fingerprints.includes(a.fingerprint)));
}

describe.skipIf(needService('alertmanager', alertmanagerBinary !== null))('Alertmanager webhook → stormcell', () => {
  const track = useCleanup();

  it('uses the fingerprints the real Alertmanager reports and resolves the incident on a resolved notification', async () => {
    const stormcell = track(await startStormcell());
    const alertmanager = track(await startAlertmanager({ webhookUrl: `${stormcell.url}/webhook/alertmanager` }));

    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const posted = alertsToPost(startsAt);
    await alertmanager.postAlerts(posted);

    // Alertmanager's own fingerprints for exactly these label sets.
    const reported = await waitFor(
      async () => {
        const alerts = await alertmanager.alerts();
        if (alerts.length < posted.length) throw new Error(`alertmanager holds ${alerts.length} of ${posted.length}`);
        return alerts;
      },
      { what: 'Alertmanager to list the posted alerts' },
    );
    expect(reported).toHaveLength(posted.length);
    const amFingerprints = posted.map((p) => {
      const match = reported.find((r) => JSON.stringify(sorted(r.labels)) === JSON.stringify(sorted(p.labels)));
      expect(match, `alertmanager lists ${JSON.stringify(p.labels)}`).toBeDefined();
      // The test's reference implementation agrees with Alertmanager, so it may be trusted where AM is absent.
      expect(referenceFingerprint(p.labels)).toBe(match?.fingerprint);
      return match?.fingerprint as string;
    });

    const firing = await waitFor(
      async () => requireAll(await stormcell.incidents(), amFingerprints),
      {
        what: "Alertmanager's webhook notifications to reach stormcell",
        timeoutMs: 20_000,
        intervalMs: 200,
      },
    ).catch(async (err: unknown) => {
      const stats = await alertmanager.notificationStats().catch(() => ({}));
      throw new Error(`${String(err)}; alertmanager webhook counters ${JSON.stringify(stats)}`, { cause: err });
    });

    const byFingerprint = incidentsByFingerprint(firing);
    posted.forEach((p, i) => {
      const fp = amFingerprints[i] as string;
      expect(byFingerprint.get(fp), `incidents holding ${fp}`).toHaveLength(1);
      const alert = firing.flatMap((inc) => inc.alerts).find((a) => a.fingerprint === fp);
      expect(alert?.labels).toEqual(p.labels);
    });
    for (const incident of firing) expect(incident.status).toBe('open');

    // Resolve: the same alerts with endsAt in the past; Alertmanager then sends a resolved notification.
    const endsAt = new Date(Date.now() - 1_000).toISOString();
    await alertmanager.postAlerts(posted.map((p) => ({ ...p, endsAt })));

    const resolved = await waitFor(
      async () => {
        const holding = requireAll(await stormcell.incidents(), amFingerprints);
        const open = holding.filter((i) => i.status !== 'resolved');
        if (open.length > 0) throw new Error(`still open: ${open.map((i) => `${i.id} (${i.status})`).join(', ')}`);
        return holding;
      },
      { what: "stormcell's incidents to be resolved after Alertmanager's resolved notification", timeoutMs: 20_000, intervalMs: 200 },
    );
    for (const incident of resolved) {
      expect(incident.status).toBe('resolved');
      expect(incident.resolvedAt).not.toBeNull();
    }
    // Resolving keeps every alert in exactly one incident.
    const after = incidentsByFingerprint(await stormcell.incidents());
    for (const fp of amFingerprints) expect(after.get(fp)).toHaveLength(1);
  });

  describe.skipIf(needService('prometheus', prometheusBinary !== null))('with Prometheus in front', () => {
    it('carries a Prometheus alert through Alertmanager with its labels and fingerprint intact', async () => {
      const stormcell = track(await startStormcell());
      const alertmanager = track(await startAlertmanager({ webhookUrl: `${stormcell.url}/webhook/alertmanager` }));
      const externalLabels = { cluster: 'chain-eu-1' };
      const prometheus = track(
        await startPrometheus({
          alertmanagers: [alertmanager.hostPort],
          externalLabels,
          rules: [
            {
              alert: 'ChainProbe',
              expr: 'label_replace(vector(1), "pod", "checkout-7d9f-ß", "", "")',
              for: '0s',
              labels: { severity: 'critical', service: 'checkout' },
              annotations: { summary: 'end-to-end probe' },
            },
          ],
        }),
      );

      const expectedLabels = {
        alertname: 'ChainProbe',
        pod: 'checkout-7d9f-ß',
        severity: 'critical',
        service: 'checkout',
        ...externalLabels,
      };
      const amAlert = await waitFor(
        async () => (await alertmanager.alerts()).find((a) => a.labels.alertname === 'ChainProbe'),
        { what: "Prometheus's alert to reach Alertmanager", timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(amAlert.labels).toEqual(expectedLabels);

      const incidents = await waitFor(
        async () => requireAll(await stormcell.incidents(), [amAlert.fingerprint]),
        { what: 'the alert to reach stormcell through Alertmanager', timeoutMs: 20_000, intervalMs: 200 },
      );
      const alert = incidents.flatMap((i) => i.alerts).find((a) => a.fingerprint === amAlert.fingerprint);
      expect(alert?.labels).toEqual(expectedLabels);
      expect(incidentsByFingerprint(incidents).get(amAlert.fingerprint)).toHaveLength(1);
      // Prometheus is alive throughout (its failure would otherwise only show up as a timeout).
      expect(prometheus.process.exit).toBeNull();
    });
  });
});

function sorted(labels: Record<string, string>): Array<[string, string]> {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
