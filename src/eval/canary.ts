/**
 * The canary's verdict: a candidate pipeline's scores on a corpus against the live pipeline's, as pure arithmetic
 * (no I/O). The candidate is refused when, beyond the tolerance, it scores worse on any corpus metric or on a
 * scenario metric, or when it misses a bar of thresholds.yaml that the live pipeline meets.
 *
 * Direction: every metric is better higher, except the compression ratio (truth clusters / our incidents), which is
 * best at 1: below 1 we split, above 1 we over-merge. It is compared by its distance from 1.
 *
 * Per scenario the canary compares pairwise F1 and every metric thresholds.yaml sets a `scenario` bar for; the
 * other metrics count at corpus level only, where a small scenario's ticket or root cause cannot swing them.
 * A scenario is **broken** when the candidate misses a scenario bar the live pipeline meets there, or scores one
 * of those metrics worse by more than the tolerance.
 */
import { DEFAULT_CANARY_TOLERANCE } from '../config/index.js';
import { fixed, cut } from './report.js';
import type { CorpusScores } from './score-corpus.js';
import { METRICS, type EvalScores, type MetricName } from './score.js';
import { checkMinimums, type Thresholds, type ThresholdFailure } from './thresholds.js';

/** How a metric moved from the live pipeline to the candidate. */
export type MetricVerdict = 'same' | 'better' | 'within tolerance' | 'worse' | 'n/a';

/** One metric, live beside candidate. */
export interface MetricComparison {
  readonly metric: MetricName;
  readonly live: number | null;
  readonly candidate: number | null;
  /** candidate − live; null when either is n/a. */
  readonly delta: number | null;
  /** `worse` is worse by more than the tolerance; `n/a` when either side has nothing to score (not compared). */
  readonly verdict: MetricVerdict;
}

/** What became of a scenario. `changed` is worse within the tolerance only. */
export type ScenarioStatus = 'broken' | 'improved' | 'changed' | 'same';

/** One scenario, live beside candidate, on the scenario metrics. */
export interface ScenarioComparison {
  readonly name: string;
  readonly metrics: readonly MetricComparison[];
  /** Scenario bars missed, by each side. */
  readonly liveFailures: readonly ThresholdFailure[];
  readonly candidateFailures: readonly ThresholdFailure[];
  readonly status: ScenarioStatus;
  /** Why it is broken or improved, one line each (without the scenario's name). */
  readonly reasons: readonly string[];
}

/** The canary's verdict, with everything the report shows. */
export interface CanaryVerdict {
  readonly accepted: boolean;
  readonly tolerance: number;
  /** The scenario metrics, in report order. */
  readonly scenarioMetrics: readonly MetricName[];
  /** Every metric over the corpus (micro-averaged). */
  readonly corpus: readonly MetricComparison[];
  /** Corpus bars the candidate misses and the live pipeline meets. */
  readonly corpusBarsMissed: readonly ThresholdFailure[];
  /** Why the corpus figures refuse the candidate, one line each. */
  readonly corpusReasons: readonly string[];
  readonly scenarios: readonly ScenarioComparison[];
  /** Why the candidate is refused, one line each (each broken scenario's, then the corpus's); empty when accepted. */
  readonly reasons: readonly string[];
}

/** Options of {@link compareCanary}. */
export interface CanaryOptions {
  /** Absolute, per metric (default {@link DEFAULT_CANARY_TOLERANCE}). */
  readonly tolerance?: number;
}

/** Scores are float quotients: a difference this small is rounding, not a change. */
const EPSILON = 1e-9;

/**
 * Compares the candidate's scores with the live pipeline's on the same corpus. Throws (a caller bug) when the two
 * score different scenarios or the tolerance is not a number from 0 to 1.
 */
export function compareCanary(live: CorpusScores, candidate: CorpusScores, opts: CanaryOptions = {}): CanaryVerdict {
  const tolerance = opts.tolerance ?? DEFAULT_CANARY_TOLERANCE;
  if (!(tolerance >= 0 && tolerance <= 1)) throw new RangeError(`compareCanary: tolerance ${tolerance} is not from 0 to 1`);
  const names = live.scenarios.map((s) => s.name);
  const other = candidate.scenarios.map((s) => s.name);
  if (names.join('\n') !== other.join('\n')) throw new Error(`compareCanary: live scored [${names.join(', ')}], candidate [${other.join(', ')}]`);

  const thresholds = live.thresholds;
  const scenarioMetrics = scenarioMetricsOf(thresholds);
  const candidateScores = new Map(candidate.scenarios.map((s) => [s.name, s.ours.scores]));
  const scenarios = live.scenarios.map((l) =>
    compareScenario(l.name, l.ours.scores, candidateScores.get(l.name) as EvalScores, scenarioMetrics, thresholds, tolerance),
  );

  const corpus = METRICS.map((m) => compareMetric(m, live.corpus.scores[m], candidate.corpus.scores[m], tolerance));
  const corpusBarsMissed = newFailures(
    checkMinimums('corpus', live.corpus.scores, thresholds.corpus),
    checkMinimums('corpus', candidate.corpus.scores, thresholds.corpus),
  );
  const corpusReasons = [
    ...corpus.filter((c) => c.verdict === 'worse').map((c) => `corpus: ${worseLine(c, tolerance)}`),
    ...corpusBarsMissed.map((f) => `corpus: ${barLine(f, live.corpus.scores)}`),
  ];
  const reasons = [...scenarios.filter((s) => s.status === 'broken').flatMap((s) => s.reasons.map((r) => `${s.name}: ${r}`)), ...corpusReasons];
  return { accepted: reasons.length === 0, tolerance, scenarioMetrics, corpus, corpusBarsMissed, corpusReasons, scenarios, reasons };
}

/** Pairwise F1, and every metric with a scenario bar, in report order. */
function scenarioMetricsOf(thresholds: Thresholds): MetricName[] {
  const barred = thresholds.scenario ?? {};
  return METRICS.filter((m) => m === 'pairwiseF1' || barred[m] !== undefined);
}

function compareScenario(
  name: string,
  live: EvalScores,
  candidate: EvalScores,
  metrics: readonly MetricName[],
  thresholds: Thresholds,
  tolerance: number,
): ScenarioComparison {
  const compared = metrics.map((m) => compareMetric(m, live[m], candidate[m], tolerance));
  const liveFailures = checkMinimums(name, live, thresholds.scenario);
  const candidateFailures = checkMinimums(name, candidate, thresholds.scenario);
  const broken = [
    ...newFailures(liveFailures, candidateFailures).map((f) => barLine(f, live)),
    ...compared.filter((c) => c.verdict === 'worse').map((c) => worseLine(c, tolerance)),
  ];
  if (broken.length > 0) return { name, metrics: compared, liveFailures, candidateFailures, status: 'broken', reasons: broken };
  const improved = [
    ...newFailures(candidateFailures, liveFailures).map((f) => `${f.metric} ${fixed(candidate[f.metric])} meets its bar ${f.min} (live ${cut(f.value)})`),
    ...compared.filter((c) => c.verdict === 'better').map(changeLine),
  ];
  if (improved.length > 0) return { name, metrics: compared, liveFailures, candidateFailures, status: 'improved', reasons: improved };
  const status = compared.some((c) => c.verdict === 'within tolerance') ? 'changed' : 'same';
  return { name, metrics: compared, liveFailures, candidateFailures, status, reasons: [] };
}

/** One metric compared; exported for its tests. */
export function compareMetric(metric: MetricName, live: number | null, candidate: number | null, tolerance: number): MetricComparison {
  if (live === null || candidate === null) return { metric, live, candidate, delta: null, verdict: 'n/a' };
  // loss: how far from best; the candidate is worse by loss(candidate) − loss(live).
  const worseBy = loss(metric, candidate) - loss(metric, live);
  const verdict: MetricVerdict =
    Math.abs(worseBy) <= EPSILON ? 'same' : worseBy < 0 ? 'better' : worseBy <= tolerance + EPSILON ? 'within tolerance' : 'worse';
  return { metric, live, candidate, delta: candidate - live, verdict };
}

/** How far a figure is from the metric's best: lower is better. */
function loss(metric: MetricName, v: number): number {
  return metric === 'compressionRatio' ? Math.abs(v - 1) : -v;
}

/** The failures of `after` that `before` does not have (same scope and metric). */
function newFailures(before: readonly ThresholdFailure[], after: readonly ThresholdFailure[]): ThresholdFailure[] {
  return after.filter((a) => !before.some((b) => b.metric === a.metric));
}

/** `pairwiseF1 1.000 -> 0.000 (-1.000): worse by more than 0.01`; the compression ratio moves away from 1. */
function worseLine(c: MetricComparison, tolerance: number): string {
  return `${changeLine(c)}: ${c.metric === 'compressionRatio' ? 'further from 1' : 'worse'} by more than ${tolerance}`;
}

/** `pairwiseF1 0.916 -> 0.375 (-0.542)`. */
function changeLine(c: MetricComparison): string {
  return `${c.metric} ${fixed(c.live)} -> ${fixed(c.candidate)} (${signed(c.delta)})`;
}

/** `pairwiseF1 0.18 below its bar 0.35 (live 1.000)`: the value cut so that it never prints as equal to its bar. */
function barLine(f: ThresholdFailure, live: EvalScores): string {
  return `${f.metric} ${cut(f.value)} below its bar ${f.min} (live ${fixed(live[f.metric])})`;
}

/** A delta with its sign, cut to 3 decimals toward −∞ so that a drop never prints smaller than it is. */
export function signed(d: number | null): string {
  if (d === null) return 'n/a';
  const v = cut(d);
  return v >= 0 ? `+${v.toFixed(3)}` : v.toFixed(3);
}
