import type { EvalCounts, ScoreSheet } from './score.js';
import type { Thresholds, ThresholdFailure } from './thresholds.js';

/** One side (ours or the baseline) of one row: the scores and the counts they came from. */
export interface ScoredSide {
  readonly scores: ScoreSheet;
  readonly counts: EvalCounts;
}

/** One scenario's outcome. */
export interface ScenarioResult {
  readonly name: string;
  /** The scenario directory as given on the command line (joined with its name for a corpus). */
  readonly dir: string;
  /** The correlation pipeline the replay ran (`pipeline.yaml`'s or `--pipeline`'s `name`). */
  readonly pipeline: string;
  /** Requests the receivers would refuse, skipped by replay and baseline alike. */
  readonly rejected: number;
  readonly ours: ScoredSide;
  readonly baseline: ScoredSide;
}

/** The full outcome of `stormcell eval`, which `--json` prints as is. */
export interface EvalResult {
  readonly dir: string;
  readonly baselineGroupBy: readonly string[];
  readonly scenarios: readonly ScenarioResult[];
  /** Micro-averaged: counts summed over the scenarios, then scored. */
  readonly corpus: { readonly ours: ScoredSide; readonly baseline: ScoredSide };
  readonly thresholds: Thresholds;
  readonly failures: readonly ThresholdFailure[];
  /** 0 when every bar holds, 1 when any fails (CLI exit status). */
  readonly exitCode: 0 | 1;
}

const COLUMNS = [
  'scenario',
  'alerts',
  'incidents (ours / truth / AM)',
  'pairwise P',
  'pairwise R',
  'pairwise F1',
  'AM F1',
  'ARI',
  'AM ARI',
  'compression ratio',
  'AM compression ratio',
  'ticket links',
  'deploy P',
  'deploy R',
  'root cause top-1',
] as const;

/**
 * Renders the result as Markdown: one row per scenario and a corpus row, our figures beside the Alertmanager
 * `group_by` baseline's (AM), then the thresholds that failed. Figures are cut to 3 decimals; `n/a` is nothing to score.
 */
export function renderMarkdown(r: EvalResult): string {
  const rows = [...r.scenarios.map((s) => row(s.name, s.ours.scores, s.baseline.scores)), row('**corpus**', r.corpus.ours.scores, r.corpus.baseline.scores)];
  const lines = [
    `# stormcell eval: ${r.dir}`,
    '',
    `Baseline (AM): Alertmanager notification groups by \`group_by: [${r.baselineGroupBy.join(', ')}]\`.`,
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
  ];
  if (r.failures.length === 0) lines.push('All thresholds hold.');
  else {
    lines.push('Failed thresholds:', '');
    for (const f of r.failures) lines.push(`- ${failureLine(f)}`);
  }
  return lines.join('\n') + '\n';
}

function row(name: string, ours: ScoreSheet, am: ScoreSheet): string[] {
  return [
    name,
    String(ours.alerts),
    `${ours.incidents} / ${ours.truthClusters} / ${am.incidents}`,
    fixed(ours.pairwisePrecision),
    fixed(ours.pairwiseRecall),
    fixed(ours.pairwiseF1),
    fixed(am.pairwiseF1),
    fixed(ours.ari),
    fixed(am.ari),
    fixed(ours.compressionRatio),
    fixed(am.compressionRatio),
    fixed(ours.ticketLinkAccuracy),
    fixed(ours.deployPrecision),
    fixed(ours.deployRecall),
    fixed(ours.rootCauseTop1),
  ];
}

/** A figure cut to 3 decimals (see {@link cut}), or `n/a` for null: never shows better than it is. */
export function fixed(v: number | null): string {
  return v === null ? 'n/a' : cut(v).toFixed(3);
}

/** Cuts to 3 decimals toward −∞, so that a figure never shows better than it is (0.8499 is 0.849, not 0.850). */
export function cut(v: number): number {
  // The 1e-9 keeps float noise (0.57 * 1000 = 569.999…) from cutting a whole thousandth off.
  return Math.floor(v * 1000 + 1e-9) / 1000;
}

/**
 * One failed bar as `<scope> <metric> <value> < <min>`. The value is cut (not rounded) to 3 decimals so that it
 * never prints as equal to the bar it missed (0.8499 shows as 0.849, not 0.85).
 */
export function failureLine(f: ThresholdFailure): string {
  return `${f.scope} ${f.metric} ${cut(f.value)} < ${f.min}`;
}
