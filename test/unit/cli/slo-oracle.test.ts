import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReplayDocument } from '../../../src/replay.js';
import { runCli } from '../../support/cli.js';

/**
 * CONTRACT §5 end to end: each scenario of the Prometheus oracle (test/fixtures/slo-oracle, computed by promtool
 * 2.42) replayed as `POST /api/v1/sli` capture lines through `stormcell replay` gives Prometheus's final burn rates
 * (relative 1e-9) and its alert timeline to the minute.
 */
interface OracleScenario {
  name: string;
  endSeconds: number;
  samples: Array<{ ts_seconds: number; good_total: number; total: number }>;
  checkpoints: Array<{ ts_seconds: number; burnRates: Record<string, number | 'NaN' | null>; errorBudgetRemaining: number | 'NaN' | null }>;
  alerts: Array<{ severity: string; longWindow: string; shortWindow: string; firedAtTime: string; resolvedAtTime: string | null }>;
}
const ORACLE = JSON.parse(readFileSync(new URL('../../fixtures/slo-oracle/expected.json', import.meta.url), 'utf8')) as { scenarios: OracleScenario[] };

const dir = mkdtempSync(join(tmpdir(), 'stormcell-slo-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'slos.yaml'), 'slos:\n  - {name: checkout-availability, objective: 99.9, window: 30d}\n');

function expectClose(actual: number | null | undefined, expected: number | 'NaN' | null, what: string): void {
  if (expected === null || expected === 'NaN') {
    expect(actual, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs((actual as number) - expected) / scale, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
}

describe.each(ORACLE.scenarios.map((s) => [s.name, s] as const))('oracle scenario %s through stormcell replay', (name, s) => {
  const capture = join(dir, `${name}.ndjson`);
  writeFileSync(capture, s.samples.map((x) => {
    const at = new Date(x.ts_seconds * 1000).toISOString();
    return JSON.stringify({ ts: at, path: '/api/v1/sli', body: { slo: 'checkout-availability', at, good: x.good_total, total: x.total } });
  }).join('\n') + '\n');
  const out = runCli(['replay', capture, '--config', dir]);
  const doc = JSON.parse(out.stdout) as ReplayDocument;
  const slo = doc.slos[0];
  // The capture ends 30 s after endSeconds: the last grid point at or before it is endSeconds, the last checkpoint.
  const last = s.checkpoints[s.checkpoints.length - 1]!;

  it('evaluates up to the oracle\'s last checkpoint', () => {
    expect(out.status).toBe(0);
    expect(last.ts_seconds).toBe(s.endSeconds);
  });

  it('gives Prometheus\'s final burn rates and error budget', () => {
    for (const [w, v] of Object.entries(last.burnRates)) expectClose(slo?.burnRates[w], v, `burnRates[${w}]`);
    expectClose(slo?.errorBudgetRemaining, last.errorBudgetRemaining, 'errorBudgetRemaining');
  });

  it('fires and resolves the same alerts at the same minutes', () => {
    const key = (a: { severity: string; longWindow: string; shortWindow: string }): string => `${a.severity} ${a.longWindow}/${a.shortWindow}`;
    const ours = (slo?.alerts ?? []).map((a) => `${key(a)} ${a.firedAt} ${a.resolvedAt ?? 'firing'}`).sort();
    const theirs = s.alerts.map((a) => `${key(a)} ${a.firedAtTime.replace('Z', '.000Z')} ${a.resolvedAtTime?.replace('Z', '.000Z') ?? 'firing'}`).sort();
    expect(ours).toEqual(theirs);
  });
});
