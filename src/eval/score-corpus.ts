import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { PipelineOptions } from '../engine/index.js';
import { replayCapture } from '../replay.js';
import { CAPTURE_FILE, findCorpus, type Corpus, type ScenarioDir } from './corpus.js';
import type { ScenarioResult, ScoredSide } from './report.js';
import { scoreIncidents, scoresOf, scoringFrame, sumCounts, type ScoringFrame } from './score.js';
import { checkMinimums, loadThresholds, type Thresholds, type ThresholdFailure } from './thresholds.js';
import { loadTruth } from './truth.js';

/** How a corpus is replayed: the pipeline every scenario runs, and who hears about refused requests. */
export interface ReplayOptions {
  /** A pipeline file every scenario replays with instead of its config's `pipeline.yaml` (or the built-in default). */
  readonly pipelineFile?: string;
  /** A pipeline already loaded (a running server's) every scenario replays with; not together with `pipelineFile`. */
  readonly pipeline?: PipelineOptions;
  /** Told once per scenario whose capture holds requests the receivers would refuse (they are skipped). */
  readonly onRejected?: (scenario: string, count: number, first: string) => void;
}

/** One scenario's own scores, without the Alertmanager baseline. */
export type ScenarioScores = Omit<ScenarioResult, 'baseline'>;

/** A corpus scored with one pipeline: what `eval` reports without its baseline, and what a canary compares. */
export interface CorpusScores {
  readonly dir: string;
  readonly scenarios: readonly ScenarioScores[];
  /** Micro-averaged: counts summed over the scenarios, then scored. */
  readonly corpus: ScoredSide;
  readonly thresholds: Thresholds;
  /** Per-scenario bars first (scenario order), then the corpus bars. */
  readonly failures: readonly ThresholdFailure[];
}

/**
 * Finds a corpus and reads its thresholds. Thresholds come first so that a bad file fails in a second, not after
 * the whole corpus has replayed. Throws InputError/ConfigError for a missing directory or bad thresholds.
 */
export async function openCorpus(dir: string): Promise<{ corpus: Corpus; thresholds: Thresholds }> {
  const corpus = await findCorpus(dir);
  const thresholds = await loadThresholds(corpus.thresholdsFile, corpus.thresholdsFile);
  return { corpus, thresholds };
}

/** A scenario replayed and scored, with what a baseline needs to be scored on the same alerts. */
export interface ReplayedScenario {
  readonly scores: ScenarioScores;
  readonly frame: ScoringFrame;
  /** The capture file the replay read. */
  readonly capture: string;
  /** The scenario config's `resolve_timeout`, which the baseline's groups honour too. */
  readonly resolveTimeoutMs: number;
}

/**
 * Replays one scenario (its config, with `opts.pipelineFile` or `opts.pipeline` for the pipeline) and scores the incidents against its
 * truth. Throws ConfigError or InputError for an unusable config, capture or truth.
 */
export async function replayScenario(s: ScenarioDir, opts: ReplayOptions): Promise<ReplayedScenario> {
  if (opts.pipeline !== undefined && opts.pipelineFile !== undefined) throw new Error('replayScenario: pipeline and pipelineFile are exclusive');
  const loaded = await loadConfig(join(s.dir, 'config'), { pipelineFile: opts.pipelineFile });
  const config = opts.pipeline === undefined ? loaded : { ...loaded, engine: { ...loaded.engine, pipeline: opts.pipeline } };
  const truthName = join(s.dir, 'truth.json');
  const truth = await loadTruth(truthName, truthName);
  const capture = join(s.dir, CAPTURE_FILE);
  let rejected = 0;
  let first = '';
  const doc = await replayCapture(capture, config, (where, message) => {
    if (rejected++ === 0) first = `${where}: ${message}`;
  });
  if (rejected > 0) opts.onRejected?.(s.name, rejected, first);
  const frame = scoringFrame(doc.incidents, truth, truthName);
  const ours = scoreIncidents(frame, doc.incidents, truth);
  return {
    scores: { name: s.name, dir: s.dir, pipeline: config.engine.pipeline.name, rejected, ours: { scores: scoresOf(ours), counts: ours } },
    frame,
    capture,
    resolveTimeoutMs: config.engine.resolveTimeoutMs,
  };
}

/** The micro-averaged corpus side of scenario sides: counts summed, then scored. */
export function corpusSide(sides: readonly ScoredSide[]): ScoredSide {
  const counts = sumCounts(sides.map((s) => s.counts));
  return { scores: scoresOf(counts), counts };
}

/** The bars `scenarios` and `corpus` miss: each scenario against `thresholds.scenario`, then the corpus. */
export function failedBars(scenarios: readonly ScenarioScores[], corpus: ScoredSide, thresholds: Thresholds): ThresholdFailure[] {
  return [
    ...scenarios.flatMap((s) => checkMinimums(s.name, s.ours.scores, thresholds.scenario)),
    ...checkMinimums('corpus', corpus.scores, thresholds.corpus),
  ];
}

/**
 * Scores every scenario of a corpus with one pipeline, in-process and one after another (deterministic), without
 * the Alertmanager baseline. Throws as {@link openCorpus} and {@link replayScenario} do; failed bars are data.
 */
export async function scoreCorpus(dir: string, opts: ReplayOptions = {}): Promise<CorpusScores> {
  const { corpus, thresholds } = await openCorpus(dir);
  const scenarios: ScenarioScores[] = [];
  for (const s of corpus.scenarios) scenarios.push((await replayScenario(s, opts)).scores);
  const side = corpusSide(scenarios.map((s) => s.ours));
  return { dir, scenarios, corpus: side, thresholds, failures: failedBars(scenarios, side, thresholds) };
}
