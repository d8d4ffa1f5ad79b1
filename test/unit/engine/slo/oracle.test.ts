import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SloBook, type SloStatus, type SloTransition } from '../../../../src/engine/slo/index.js';
import { parseRfc3339 } from '../../../../src/model/index.js';

/**
 * Replays the Prometheus 2.42 oracle (test/fixtures/slo-oracle, computed by promtool) through SloBook: every burn rate
 * and the error budget at every checkpoint to relative 1e-9, the firing set, and the alert timeline to the second;
 * then the same scenarios under the `exact` semantics against the oracle's `exactCounting` figures.
 */
type Value = number | 'NaN' | null;
interface Rule {
  severity: 'page' | 'ticket';
  longWindow: string;
  shortWindow: string;
}
interface Checkpoint {
  ts_seconds: number;
  burnRates: Record<string, Value>;
  errorBudgetRemaining: Value;
  firing: Rule[];
  exactCounting: { burnRates: Record<string, Value>; errorBudgetRemaining: Value; firing: Rule[] };
}
interface OracleAlert extends Rule {
  factor: number;
  firedAt: number;
  resolvedAt: number | null;
}
interface Scenario {
  name: string;
  endSeconds: number;
  samples: Array<{ ts_seconds: number; good_total: number; total: number }>;
  checkpoints: Checkpoint[];
  alerts: OracleAlert[];
  exactCountingComparison: { alerts: OracleAlert[] };
}

const ORACLE = JSON.parse(readFileSync(new URL('../../../fixtures/slo-oracle/expected.json', import.meta.url), 'utf8')) as {
  scenarios: Scenario[];
};
const SLO = 'checkout-availability';
const DAY_MS = 86_400_000;

interface Run {
  statuses: Map<number, SloStatus>;
  transitions: SloTransition[];
  book: SloBook;
}

/** Feeds the samples, evaluating up to each checkpoint (and reading status there) before any later sample. */
function replay(s: Scenario, semantics: 'prometheus' | 'exact'): Run {
  const book = new SloBook([{ name: SLO, objective: 99.9, periodMs: 30 * DAY_MS, period: '30d', semantics }]);
  const statuses = new Map<number, SloStatus>();
  const transitions: SloTransition[] = [];
  const checkpoints = s.checkpoints.map((c) => c.ts_seconds * 1000);
  let next = 0;
  const observeThrough = (limit: number): void => {
    while (next < checkpoints.length && (checkpoints[next] as number) <= limit) {
      const at = checkpoints[next] as number;
      transitions.push(...book.evaluateUntil(at));
      statuses.set(at, book.status(SLO) as SloStatus);
      next++;
    }
  };
  for (const sample of s.samples) {
    const at = sample.ts_seconds * 1000;
    observeThrough(at - 1);
    transitions.push(...book.evaluateUntil(at - 1));
    expect(book.addSample(SLO, at, sample.good_total, sample.total)).toBe('accepted');
  }
  observeThrough(s.endSeconds * 1000);
  transitions.push(...book.evaluateUntil(s.endSeconds * 1000));
  return { statuses, transitions, book };
}

/** Differences between expected and actual values: relative 1e-9; "NaN" and null both mean null. */
function compare(where: string, expected: Value, actual: number | null | undefined, out: string[]): void {
  if (expected === null || expected === 'NaN') {
    if (actual !== null) out.push(`${where}: expected null (${String(expected)}), got ${String(actual)}`);
    return;
  }
  if (actual === null || actual === undefined || !(Math.abs(actual - expected) <= 1e-9 * Math.abs(expected))) {
    out.push(`${where}: expected ${expected}, got ${String(actual)}`);
  }
}

function ruleKey(r: Rule): string {
  return `${r.severity} ${r.longWindow}/${r.shortWindow}`;
}

/** Rebuilds the alert timeline (seconds) from transitions, in firing order. */
function timeline(transitions: readonly SloTransition[]): OracleAlert[] {
  const alerts: OracleAlert[] = [];
  for (const t of transitions) {
    if (t.change === 'fired') {
      alerts.push({ severity: t.severity, longWindow: t.longWindow, shortWindow: t.shortWindow, factor: t.factor, firedAt: t.at / 1000, resolvedAt: null });
    } else {
      const open = alerts.find((a) => ruleKey(a) === ruleKey(t) && a.resolvedAt === null);
      if (open === undefined) throw new Error(`resolved without firing: ${ruleKey(t)} at ${t.at}`);
      open.resolvedAt = t.at / 1000;
    }
  }
  return alerts;
}

function oracleTimeline(alerts: readonly OracleAlert[]): OracleAlert[] {
  return alerts.map((a) => ({ severity: a.severity, longWindow: a.longWindow, shortWindow: a.shortWindow, factor: a.factor, firedAt: a.firedAt, resolvedAt: a.resolvedAt }));
}

describe.each(ORACLE.scenarios.map((s) => [s.name, s] as const))('SLO oracle scenario %s', (_name, scenario) => {
  it('has checkpoints and samples to compare (the fixture is intact)', () => {
    expect(scenario.samples.length).toBeGreaterThan(100);
    expect(scenario.checkpoints.length).toBeGreaterThan(20);
  });

  it('reproduces Prometheus 2.42 burn rates, budget and firing set at every checkpoint', () => {
    const run = replay(scenario, 'prometheus');
    const problems: string[] = [];
    for (const c of scenario.checkpoints) {
      const st = run.statuses.get(c.ts_seconds * 1000) as SloStatus;
      for (const [w, v] of Object.entries(c.burnRates)) compare(`t=${c.ts_seconds} burnRates[${w}]`, v, st.burnRates[w], problems);
      compare(`t=${c.ts_seconds} errorBudgetRemaining`, c.errorBudgetRemaining, st.errorBudgetRemaining, problems);
      const firing = st.firing.map(ruleKey).sort();
      const expected = c.firing.map(ruleKey).sort();
      if (firing.join() !== expected.join()) problems.push(`t=${c.ts_seconds} firing: expected [${expected.join(', ')}], got [${firing.join(', ')}]`);
    }
    expect(problems).toEqual([]);
  });

  it('fires and resolves the workbook alerts at the same evaluations as Prometheus', () => {
    const run = replay(scenario, 'prometheus');
    expect(timeline(run.transitions)).toEqual(oracleTimeline(scenario.alerts));
    const doc = run.book.docs()[0];
    expect(doc?.alerts.map((a) => ({ rule: ruleKey(a), firedAt: parseRfc3339(a.firedAt), resolvedAt: a.resolvedAt === null ? null : parseRfc3339(a.resolvedAt) }))).toEqual(
      scenario.alerts.map((a) => ({ rule: ruleKey(a), firedAt: a.firedAt * 1000, resolvedAt: a.resolvedAt === null ? null : a.resolvedAt * 1000 })),
    );
  });

  it('reproduces the exact-counting figures and alerts under the exact semantics', () => {
    const run = replay(scenario, 'exact');
    const problems: string[] = [];
    for (const c of scenario.checkpoints) {
      const st = run.statuses.get(c.ts_seconds * 1000) as SloStatus;
      const ex = c.exactCounting;
      for (const [w, v] of Object.entries(ex.burnRates)) compare(`t=${c.ts_seconds} exact burnRates[${w}]`, v, st.burnRates[w], problems);
      compare(`t=${c.ts_seconds} exact errorBudgetRemaining`, ex.errorBudgetRemaining, st.errorBudgetRemaining, problems);
      const firing = st.firing.map(ruleKey).sort();
      const expected = ex.firing.map(ruleKey).sort();
      if (firing.join() !== expected.join()) problems.push(`t=${c.ts_seconds} exact firing: expected [${expected.join(', ')}], got [${firing.join(', ')}]`);
    }
    expect(problems).toEqual([]);
    expect(timeline(run.transitions)).toEqual(oracleTimeline(scenario.exactCountingComparison.alerts));
  });
});
