import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { parseYamlText } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { compileSchema } from '../model/schema.js';
import { METRICS, type EvalScores, type MetricName } from './score.js';

const Fraction = Type.Number({ minimum: 0, maximum: 1 });

/** Minimums for some metrics; a metric not named has no bar. */
const Minimums = Type.Object(
  {
    pairwisePrecision: Type.Optional(Fraction),
    pairwiseRecall: Type.Optional(Fraction),
    pairwiseF1: Type.Optional(Fraction),
    ari: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
    // Over-merging pushes compression above the truth's, so a ratio bar may sit above 1.
    compressionRatio: Type.Optional(Type.Number({ minimum: 0 })),
    ticketLinkAccuracy: Type.Optional(Fraction),
    deployPrecision: Type.Optional(Fraction),
    deployRecall: Type.Optional(Fraction),
    rootCauseTop1: Type.Optional(Fraction),
  },
  { additionalProperties: false },
);

/**
 * `thresholds.yaml`: minimums over the corpus (micro-averaged) and for every scenario. Unknown keys are errors,
 * so a misspelt metric cannot switch its bar off.
 */
export const ThresholdsFileSchema = Type.Object(
  { corpus: Type.Optional(Minimums), scenario: Type.Optional(Minimums) },
  { additionalProperties: false },
);
/** The thresholds of a corpus, as read. */
export type Thresholds = Static<typeof ThresholdsFileSchema>;
const checkThresholdsFile = compileSchema(ThresholdsFileSchema);

/** The file name a corpus (or a lone scenario) keeps its thresholds in. */
export const THRESHOLDS_FILE = 'thresholds.yaml';

/**
 * Reads a thresholds file; `name` (the path shown in messages) prefixes every error. Throws ConfigError when it is
 * missing, is not YAML (with line and column) or breaks the schema (with the path).
 */
export async function loadThresholds(file: string, name: string): Promise<Thresholds> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigError(`${name}: missing; a corpus sets its minimums there`);
    throw new ConfigError(`${name}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  return parseThresholds(text, name);
}

/** Parses thresholds YAML text (see {@link loadThresholds}). */
export function parseThresholds(text: string, name: string): Thresholds {
  return parseYamlText(text, name, checkThresholdsFile) as Thresholds;
}

/** One bar that did not hold. */
export interface ThresholdFailure {
  /** A scenario name, or `corpus`. */
  readonly scope: string;
  readonly metric: MetricName;
  readonly value: number;
  readonly min: number;
}

/** Scores are float quotients; a bar is missed by a real amount, not by a rounding error. */
const EPSILON = 1e-9;

/**
 * The bars of `minimums` that `scores` miss, in metric order. An n/a score (null: nothing to score) misses no bar.
 */
export function checkMinimums(scope: string, scores: EvalScores, minimums: Thresholds['corpus']): ThresholdFailure[] {
  if (minimums === undefined) return [];
  const out: ThresholdFailure[] = [];
  for (const metric of METRICS) {
    const min = minimums[metric];
    const value = scores[metric];
    if (min === undefined || value === null) continue;
    if (value < min - EPSILON) out.push({ scope, metric, value, min });
  }
  return out;
}
