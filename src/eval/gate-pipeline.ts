import { DEFAULT_CANARY_TOLERANCE } from '../config/index.js';
import type { PipelineOptions } from '../engine/index.js';
import { ConfigError } from '../errors.js';
import { compareCanary, type CanaryVerdict } from './canary.js';
import { renderCanaryReport } from './canary-report.js';
import { scoreCorpus, type CorpusScores } from './score-corpus.js';

/** What {@link gatePipeline} compares. */
export interface GateOptions {
  /** The pipeline file that would replace the live one. */
  readonly candidateFile: string;
  /**
   * The live pipeline's file. Without it, each scenario replays with its own pipeline: its config's
   * `pipeline.yaml`, else the built-in default (what `stormcell eval DIR` runs).
   */
  readonly liveFile?: string;
  /**
   * The live pipeline as loaded, instead of `liveFile`: what a server passes (its `config.engine.pipeline`), since
   * by the time it reloads, the file its running pipeline came from may already hold the candidate.
   */
  readonly livePipeline?: PipelineOptions;
  /** A corpus directory of scenarios (or one scenario directory), with its thresholds.yaml. */
  readonly corpusDir: string;
  /** Absolute, per metric, from 0 to 1 (default {@link DEFAULT_CANARY_TOLERANCE}). */
  readonly tolerance?: number;
  /** Told once per scenario whose capture holds requests the receivers would refuse (they are skipped). */
  readonly onRejected?: (scenario: string, count: number, first: string) => void;
}

/** The gate's outcome: the verdict as data and as the Markdown report. */
export interface GateResult {
  readonly accepted: boolean;
  /** The Markdown report (`stormcell canary` prints it). */
  readonly report: string;
  /** Why the candidate is refused, one line each; empty when it is accepted. */
  readonly reasons: readonly string[];
  readonly verdict: CanaryVerdict;
  readonly live: CorpusScores;
  readonly candidate: CorpusScores;
}

/**
 * The canary gate: replays the corpus with the candidate pipeline, then with the live one (one after the other,
 * in-process), and accepts the candidate only if it scores no worse (see ./canary.ts). Throws ConfigError or
 * InputError for an unusable pipeline file, corpus or tolerance, before or instead of a verdict; a refusal is data.
 */
export async function gatePipeline(opts: GateOptions): Promise<GateResult> {
  const tolerance = opts.tolerance ?? DEFAULT_CANARY_TOLERANCE;
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > 1) {
    throw new ConfigError(`canary tolerance: expected a number from 0 to 1, got ${tolerance}`);
  }
  if (opts.liveFile !== undefined && opts.livePipeline !== undefined) throw new Error('gatePipeline: liveFile and livePipeline are exclusive');
  // The candidate first: its file is the one most likely to be broken, so it should fail before the live replay.
  const candidate = await scoreCorpus(opts.corpusDir, {
    pipelineFile: opts.candidateFile,
    ...(opts.onRejected === undefined ? {} : { onRejected: opts.onRejected }),
  });
  // The same captures: their refused requests were reported once already.
  const live = await scoreCorpus(opts.corpusDir, {
    ...(opts.liveFile === undefined ? {} : { pipelineFile: opts.liveFile }),
    ...(opts.livePipeline === undefined ? {} : { pipeline: opts.livePipeline }),
  });
  const verdict = compareCanary(live, candidate, { tolerance });
  const report = renderCanaryReport({
    verdict,
    corpusDir: opts.corpusDir,
    candidate: `${opts.candidateFile} (${pipelineNames(candidate)})`,
    live: `${opts.liveFile ?? (opts.livePipeline === undefined ? "each scenario's own pipeline" : 'the running pipeline')} (${pipelineNames(live)})`,
  });
  return { accepted: verdict.accepted, report, reasons: verdict.reasons, verdict, live, candidate };
}

/** The distinct pipeline names the scenarios ran, for the report: `default`, or `default, tuned` when they differ. */
function pipelineNames(scores: CorpusScores): string {
  return [...new Set(scores.scenarios.map((s) => s.pipeline))].map((n) => `\`${n}\``).join(', ');
}
