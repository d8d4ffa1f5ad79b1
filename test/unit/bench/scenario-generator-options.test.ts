import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, generateCapture } from '../../../bench/capture-generator.js';

/**
 * The generator options the scenario corpus relies on (`faults` as a list, `noise`, `replicaScale`,
 * `unrelatedTickets`, `partitionMs`): their defaults leave captures byte-identical, and each does what it says.
 */
const MIN = 60_000;
const base = { seed: 5, hours: 1, clusters: ['eu-1'] } as const;

function alertCount(lines: readonly string[]): number {
  const seen = new Set<string>();
  for (const l of lines) {
    const { path, body } = JSON.parse(l) as { path: string; body: any };
    const alerts = path === '/api/v2/alerts' ? body : path === '/webhook/alertmanager' ? body.alerts : [];
    for (const a of alerts as Array<{ labels: Record<string, string> }>) seen.add(JSON.stringify(a.labels));
  }
  return seen.size;
}

describe('generateCapture options for the scenario corpus', () => {
  it('gives the same bytes for explicit defaults as for none', () => {
    const plain = generateCapture(base);
    const explicit = generateCapture({ ...base, faults: DEFAULT_FAULTS, noise: 1, replicaScale: 1, unrelatedTickets: 0 });
    expect(explicit.join('\n')).toBe(plain.join('\n'));
    expect(explicit.truth).toEqual(plain.truth);
  });

  it('injects exactly the listed faults, numbered in list order', () => {
    const g = generateCapture({ ...base, hours: 2, faults: [{ kind: 'node-failure', at: 0.2, cluster: 0 }, { kind: 'flapping-alert', at: 0.5, cluster: 0 }] });
    expect(g.truth.faults.map((f) => f.id)).toEqual(['f1-node-failure', 'f2-flapping-alert']);
    expect(g.truth.alerts.some((a) => a.fault === 'f1-node-failure')).toBe(true);
    expect(generateCapture({ ...base, faults: [] }).truth.faults).toEqual([]);
  });

  it('thins background noise with noise < 1 and keeps deploys', () => {
    const full = generateCapture({ ...base, faults: false });
    const thin = generateCapture({ ...base, faults: false, noise: 0.2 });
    expect(alertCount(thin)).toBeLessThan(alertCount(full) / 2);
    expect(thin.truth.deploys.length).toBe(full.truth.deploys.length);
  });

  it('shrinks per-pod storms with replicaScale', () => {
    const faults = [{ kind: 'network-fault', at: 0.3, cluster: 0 }] as const;
    const full = generateCapture({ ...base, faults, noise: 0 });
    const small = generateCapture({ ...base, faults, noise: 0, replicaScale: 0.4 });
    const stormOf = (g: typeof full): number => g.truth.alerts.filter((a) => a.fault === 'f1-network-fault').length;
    expect(stormOf(small)).toBeLessThan(stormOf(full) * 0.7);
  });

  it('ends a network partition after partitionMs', () => {
    const g = generateCapture({ ...base, faults: [{ kind: 'network-fault', at: 0.2, cluster: 0, partitionMs: 20 * MIN }] });
    const f = g.truth.faults[0]!;
    expect(Date.parse(f.endedAt) - Date.parse(f.startedAt)).toBe(20 * MIN);
  });

  it('adds tickets about nothing, with no fault, without changing anything else', () => {
    const plain = generateCapture(base);
    const g = generateCapture({ ...base, unrelatedTickets: 3 });
    const unrelated = g.truth.tickets.filter((t) => t.fault === null);
    expect(unrelated).toHaveLength(3);
    for (const t of unrelated) expect(g.some((l) => l.includes(`"${t.id}"`))).toBe(true);
    const ids = new Set(unrelated.map((t) => t.id));
    expect(g.filter((l) => ![...ids].some((id) => l.includes(`"${id}"`)))).toEqual([...plain]);
  });
});
