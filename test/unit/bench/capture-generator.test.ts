import { describe, expect, it } from 'vitest';
import { generateCapture } from '../../../bench/capture-generator.js';
import { CONTRACT_RECEIVER_PATHS } from '../../../src/model/event.js';
import { fingerprint } from '../../../src/model/fingerprint.js';

interface Line {
  ts: string;
  path: string;
  body: unknown;
}

interface PostableAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

// One 6-hour capture shared by the tests that need the full storm (generating it takes about a second).
const sixHours = generateCapture({ seed: 7, hours: 6 });
const parsed: Line[] = sixHours.map((l) => JSON.parse(l) as Line);

describe('generateCapture', () => {
  it('gives byte-identical output for the same seed and different output for another', () => {
    const a = generateCapture({ seed: 42, hours: 1 });
    const b = generateCapture({ seed: 42, hours: 1 });
    const c = generateCapture({ seed: 43, hours: 1 });
    expect(a.join('\n')).toBe(b.join('\n'));
    expect(a.truth).toEqual(b.truth);
    expect(c.join('\n')).not.toBe(a.join('\n'));
  });

  it('writes capture lines whose path is a receiver path, with RFC 3339 ts in nondecreasing order', () => {
    let prev = '';
    for (const line of parsed) {
      expect(Object.keys(line)).toEqual(['ts', 'path', 'body']);
      expect(CONTRACT_RECEIVER_PATHS).toContain(line.path);
      expect(line.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(line.ts >= prev).toBe(true);
      prev = line.ts;
    }
  });

  it('uses every receiver path of CONTRACT §1', () => {
    expect(new Set(parsed.map((l) => l.path))).toEqual(new Set(CONTRACT_RECEIVER_PATHS));
  });

  it('holds a few thousand distinct alert label sets over 6 hours, matching the ground truth', () => {
    const fingerprints = new Set<string>();
    for (const line of parsed) {
      if (line.path === '/api/v2/alerts') for (const a of line.body as PostableAlert[]) fingerprints.add(fingerprint(a.labels));
      if (line.path === '/webhook/alertmanager') {
        for (const a of (line.body as { alerts: PostableAlert[] }).alerts) fingerprints.add(fingerprint(a.labels));
      }
    }
    expect(fingerprints.size).toBeGreaterThanOrEqual(2000);
    expect(fingerprints.size).toBeLessThan(10_000);
    expect(new Set(sixHours.truth.alerts.map((a) => a.fingerprint))).toEqual(fingerprints);
  });

  it('has the HA Prometheus pair send the same labels with different startsAt', () => {
    const startsByAlert = new Map<string, Set<string>>();
    for (const line of parsed) {
      if (line.path !== '/api/v2/alerts') continue;
      for (const a of line.body as PostableAlert[]) {
        if (a.labels.prometheus !== 'monitoring/k8s') continue;
        expect(a.labels).not.toHaveProperty('prometheus_replica');
        const key = fingerprint(a.labels);
        const set = startsByAlert.get(key) ?? new Set<string>();
        set.add(a.startsAt);
        startsByAlert.set(key, set);
      }
    }
    const pairs = [...startsByAlert].filter(([, s]) => s.size === 2);
    // Most alerts fire once and are seen by both replicas, each with its own evaluation time.
    expect(pairs.length).toBeGreaterThan(startsByAlert.size / 2);
  });

  it('re-sends firing alerts with endsAt four minutes after the evaluation, as Prometheus does', () => {
    const line = parsed.find((l) => l.path === '/api/v2/alerts' && (l.body as PostableAlert[]).some((a) => a.labels.alertname === 'Watchdog'));
    const watchdog = (line?.body as PostableAlert[]).find((a) => a.labels.alertname === 'Watchdog') as PostableAlert;
    const ahead = Date.parse(watchdog.endsAt) - Date.parse(line?.ts as string);
    expect(ahead).toBeGreaterThan(3.9 * 60_000);
    expect(ahead).toBeLessThanOrEqual(4 * 60_000);
  });

  it('forwards upstream Alertmanager notifications with Go zero time on firing alerts', () => {
    const hooks = parsed.filter((l) => l.path === '/webhook/alertmanager').map((l) => l.body as {
      version: string; status: string; alerts: Array<{ status: string; endsAt: string }>;
    });
    expect(hooks.length).toBeGreaterThan(0);
    for (const h of hooks) {
      expect(h.version).toBe('4');
      for (const a of h.alerts) expect(a.endsAt === '0001-01-01T00:00:00Z').toBe(a.status === 'firing');
    }
    expect(hooks.some((h) => h.status === 'resolved')).toBe(true);
  });

  it('keeps the ground truth out of the capture and names a fault for storm alerts', () => {
    expect(sixHours.join('\n')).not.toContain('"fault"');
    const faults = new Set(sixHours.truth.faults.map((f) => f.id));
    expect(faults.size).toBeGreaterThanOrEqual(6);
    for (const a of sixHours.truth.alerts) if (a.fault !== null) expect(faults).toContain(a.fault);
    expect(sixHours.truth.alerts.filter((a) => a.fault !== null).length).toBeGreaterThan(500);
  });

  it('sends a ticket before the first alert of its incident at least once', () => {
    const firstAlertAt = new Map<string, string>();
    for (const a of sixHours.truth.alerts) {
      for (const e of a.episodes) {
        if (e.fault === null) continue;
        const prev = firstAlertAt.get(e.fault);
        if (prev === undefined || e.startsAt < prev) firstAlertAt.set(e.fault, e.startsAt);
      }
    }
    const early = sixHours.truth.tickets.filter((t) => t.fault !== null && t.createdAt < (firstAlertAt.get(t.fault) ?? ''));
    expect(early.length).toBeGreaterThan(0);
  });
});
