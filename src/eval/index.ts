/**
 * `stormcell eval`: replays a corpus of scenarios, scores the incidents against each scenario's truth beside an
 * Alertmanager `group_by` baseline, and checks the corpus's thresholds. Metric definitions: ./metrics.ts.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { alertmanagerBaseline, DEFAULT_BASELINE_GROUP_BY } from './baseline.js';
import type { ScenarioDir } from './corpus.js';
import { failureLine, renderMarkdown, type EvalResult, type ScenarioResult } from './report.js';
import { corpusSide, failedBars, openCorpus, replayScenario } from './score-corpus.js';
import { scoreGrouping, scoresOf } from './score.js';

export { AlertmanagerBaseline, alertmanagerBaseline, baselineOfLines, DEFAULT_BASELINE_GROUP_BY } from './baseline.js';
export { compareCanary } from './canary.js';
export type { CanaryOptions, CanaryVerdict, MetricComparison, MetricVerdict, ScenarioComparison, ScenarioStatus } from './canary.js';
export { refusalLine, renderCanaryReport } from './canary-report.js';
export { gatePipeline } from './gate-pipeline.js';
export type { GateOptions, GateResult } from './gate-pipeline.js';
export { scoreCorpus } from './score-corpus.js';
export type { CorpusScores, ReplayOptions, ScenarioScores } from './score-corpus.js';
export type { BaselineGroups, BaselineOptions } from './baseline.js';
export { failureLine, renderMarkdown } from './report.js';
export type { EvalResult, ScenarioResult, ScoredSide } from './report.js';
export { METRICS, scoresOf, sumCounts } from './score.js';
export type { EvalCounts, EvalScores, MetricName, ScoreSheet } from './score.js';
export { checkMinimums, loadThresholds, parseThresholds } from './thresholds.js';
export type { Thresholds, ThresholdFailure } from './thresholds.js';
export { loadTruth, parseTruth } from './truth.js';
export type { Truth, TruthIncident } from './truth.js';

/** What {@link runEval} scores and how. */
export interface EvalOptions {
  /** A scenario directory, or a corpus directory of scenario directories. */
  readonly dir: string;
  /** A pipeline file every scenario replays with instead of its config's `pipeline.yaml`. */
  readonly pipelineFile?: string;
  /** The baseline's `group_by` (default {@link DEFAULT_BASELINE_GROUP_BY}). */
  readonly baselineGroupBy?: readonly string[];
  /** Told once per scenario whose capture holds requests the receivers would refuse (they are skipped). */
  readonly onRejected?: (scenario: string, count: number, first: string) => void;
}

/**
 * Scores every scenario of a corpus, in-process and one after another (deterministic output). Throws ConfigError
 * or InputError for unusable input (bad thresholds, config, capture or truth), before or instead of scoring;
 * failed thresholds are data in the result (`failures`, `exitCode` 1), not errors.
 */
export async function runEval(opts: EvalOptions): Promise<EvalResult> {
  const groupBy = opts.baselineGroupBy ?? DEFAULT_BASELINE_GROUP_BY;
  const { corpus, thresholds } = await openCorpus(opts.dir);
  const scenarios: ScenarioResult[] = [];
  for (const s of corpus.scenarios) scenarios.push(await evalScenario(s, opts, groupBy));

  const corpusResult = { ours: corpusSide(scenarios.map((s) => s.ours)), baseline: corpusSide(scenarios.map((s) => s.baseline)) };
  const failures = failedBars(scenarios, corpusResult.ours, thresholds);
  return {
    dir: opts.dir,
    baselineGroupBy: [...groupBy],
    scenarios,
    corpus: corpusResult,
    thresholds,
    failures,
    exitCode: failures.length === 0 ? 0 : 1,
  };
}

async function evalScenario(s: ScenarioDir, opts: EvalOptions, groupBy: readonly string[]): Promise<ScenarioResult> {
  const r = await replayScenario(s, opts);
  const groups = await alertmanagerBaseline(r.capture, { groupBy, resolveTimeoutMs: r.resolveTimeoutMs });
  const am = scoreGrouping(r.frame, groups.groupOf);
  return { ...r.scores, baseline: { scores: scoresOf(am), counts: am } };
}

/** Where {@link evalCommand} writes: the CLI passes the process streams, tests pass collectors. */
export interface EvalIo {
  stdout(text: string): void;
  stderr(text: string): void;
  writeFile(path: string, text: string): Promise<void>;
}

/** The process's streams and file system, for the CLI. */
export const PROCESS_IO: EvalIo = Object.freeze({
  stdout: (t: string) => void process.stdout.write(t),
  stderr: (t: string) => void process.stderr.write(t),
  writeFile: (p: string, t: string) => writeFile(p, t),
});

/** The usage line of `stormcell eval`, for the CLI's help. */
export const EVAL_USAGE = 'stormcell eval DIR [--pipeline FILE] [--json] [--out FILE] [--baseline-group-by LABEL,...]';

/**
 * `stormcell eval DIR [--pipeline FILE] [--json] [--out FILE] [--baseline-group-by a,b]`: returns the exit status
 * (0 all bars hold, 1 some failed, each failure on stderr as `eval: <scope> <metric> <value> < <min>`). Bad
 * arguments and unusable input throw ConfigError/InputError, which the CLI turns into exit 2 with one line.
 */
export async function evalCommand(args: string[], io: EvalIo = PROCESS_IO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        pipeline: { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        'baseline-group-by': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new ConfigError(`eval expects one DIR, got ${positionals.length} argument(s); usage: ${EVAL_USAGE}`);
  const result = await runEval({
    dir: positionals[0] as string,
    ...(values.pipeline === undefined ? {} : { pipelineFile: values.pipeline }),
    ...(values['baseline-group-by'] === undefined ? {} : { baselineGroupBy: parseGroupBy(values['baseline-group-by']) }),
    onRejected: (scenario, count, first) =>
      io.stderr(`eval: ${scenario}: ${count} request(s) refused as the server would refuse them, skipped; first: ${first}\n`),
  });
  const text = values.json === true ? JSON.stringify(result, null, 2) + '\n' : renderMarkdown(result);
  if (values.out === undefined) io.stdout(text);
  else await io.writeFile(values.out, text);
  for (const f of result.failures) io.stderr(`eval: ${failureLine(f)}\n`);
  return result.exitCode;
}

function parseGroupBy(s: string): string[] {
  const names = s.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new ConfigError(`--baseline-group-by: expected label names separated by commas, got ${JSON.stringify(s)}`);
  return names;
}
