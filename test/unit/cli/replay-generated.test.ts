import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../../bench/capture-generator.js';
import { referenceFingerprint } from '../../support/alertmanager.js';
import { runCli } from '../../support/cli.js';

/**
 * The spine's acceptance, on a generated 6-hour capture of a kube-prometheus estate (3 clusters, HA Prometheus
 * pairs, Loki rulers, an upstream Alertmanager's webhooks, Jira and generic tickets, deploys, SLI samples): every
 * received alert appears in exactly one incident under Alertmanager's fingerprint, identically on two runs.
 */
const dir = mkdtempSync(join(tmpdir(), 'stormcell-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replay of a generated 6-hour capture', () => {
  const lines = generateCapture({ seed: 7, hours: 6 });
  const capture = join(dir, 'capture.ndjson');
  writeFileSync(capture, lines.join('\n') + '\n');
  const config = join(dir, 'config');
  mkdirSync(config);

  it('lists every received alert in exactly one incident, with its fingerprint, byte-identical on two runs', () => {
    const received = new Map<string, Record<string, string>>();
    for (const line of lines) {
      const { path, body } = JSON.parse(line) as { path: string; body: any };
      const alerts = path === '/api/v2/alerts' ? body : path === '/webhook/alertmanager' ? body.alerts : [];
      for (const a of alerts as Array<{ labels: Record<string, string> }>) {
        // Alertmanager drops empty label values before fingerprinting.
        const labels = Object.fromEntries(Object.entries(a.labels).filter(([, v]) => v !== ''));
        received.set(referenceFingerprint(labels), labels);
      }
    }
    expect(received.size).toBeGreaterThan(1000);

    const first = runCli(['replay', capture, '--config', config]);
    const second = runCli(['replay', capture, '--config', config]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(second.stdout).toBe(first.stdout);

    const doc = JSON.parse(first.stdout) as { incidents: Array<{ alerts: Array<{ fingerprint: string; labels: Record<string, string> }> }>; stats: { requests: number; alerts: number } };
    const seen = new Map<string, number>();
    for (const inc of doc.incidents) {
      for (const a of inc.alerts) {
        seen.set(a.fingerprint, (seen.get(a.fingerprint) ?? 0) + 1);
        expect(a.labels).toEqual(received.get(a.fingerprint));
      }
    }
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect([...seen.keys()].sort()).toEqual([...received.keys()].sort());
    expect(doc.stats).toMatchObject({ requests: lines.length, alerts: received.size });
  });
});
