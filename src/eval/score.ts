import { InputError } from '../errors.js';
import type { IncidentDoc } from '../model/index.js';
import {
  addPairCounts,
  adjustedRandIndex,
  compression,
  deployAttribution,
  matchIncidents,
  NO_PAIRS,
  pairCounts,
  pairwiseScores,
  ratioOrNull,
  rootCauseTop1,
  ticketLinks,
  type DeployCounts,
  type PairCounts,
  type PredictedFacts,
  type Tally,
} from './metrics.js';
import type { Truth } from './truth.js';

/**
 * The summable outcome of scoring one partition of one scenario. Corpus figures are computed from the sums
 * (micro-averaged), never by averaging scenario scores. `null` parts are not scored (the baseline's tickets,
 * deploys and root causes).
 */
export interface EvalCounts {
  readonly pairs: PairCounts;
  readonly incidents: number;
  readonly truthClusters: number;
  readonly tickets: Tally | null;
  readonly deploys: DeployCounts | null;
  readonly rootCause: Tally | null;
}

/** The figures thresholds apply to. `null` is n/a: nothing to score, so no bar can fail on it. */
export interface EvalScores {
  readonly pairwisePrecision: number;
  readonly pairwiseRecall: number;
  readonly pairwiseF1: number;
  readonly ari: number;
  readonly compressionRatio: number;
  readonly ticketLinkAccuracy: number | null;
  readonly deployPrecision: number | null;
  readonly deployRecall: number | null;
  readonly rootCauseTop1: number | null;
}

/** The metric names of {@link EvalScores}, in report order; thresholds files use them as keys. */
export const METRICS = [
  'pairwisePrecision',
  'pairwiseRecall',
  'pairwiseF1',
  'ari',
  'compressionRatio',
  'ticketLinkAccuracy',
  'deployPrecision',
  'deployRecall',
  'rootCauseTop1',
] as const satisfies ReadonlyArray<keyof EvalScores>;
export type MetricName = (typeof METRICS)[number];

/** Scores plus the compressions they came from, for the report. */
export interface ScoreSheet extends EvalScores {
  readonly alerts: number;
  readonly incidents: number;
  readonly truthClusters: number;
  /** Alerts per predicted incident. */
  readonly compression: number;
  /** Alerts per truth cluster (truth incidents plus noise singletons). */
  readonly truthCompression: number;
}

/** Turns counts into scores. Pure; the same function serves scenarios and the corpus sums. */
export function scoresOf(c: EvalCounts): ScoreSheet {
  const pw = pairwiseScores(c.pairs);
  const ours = compression(c.pairs.alerts, c.incidents);
  const truth = compression(c.pairs.alerts, c.truthClusters);
  return {
    alerts: c.pairs.alerts,
    incidents: c.incidents,
    truthClusters: c.truthClusters,
    pairwisePrecision: pw.precision,
    pairwiseRecall: pw.recall,
    pairwiseF1: pw.f1,
    ari: adjustedRandIndex(c.pairs),
    compression: ours,
    truthCompression: truth,
    // truth/incidents is ours/truth without the float round trip that could put an exact 0.8 at 0.7999….
    compressionRatio: c.pairs.alerts === 0 || c.incidents === 0 ? 1 : c.truthClusters / c.incidents,
    ticketLinkAccuracy: c.tickets === null ? null : ratioOrNull(c.tickets.correct, c.tickets.total),
    deployPrecision: c.deploys === null ? null : ratioOrNull(c.deploys.correct, c.deploys.attributions),
    deployRecall: c.deploys === null ? null : ratioOrNull(c.deploys.found, c.deploys.causal),
    rootCauseTop1: c.rootCause === null ? null : ratioOrNull(c.rootCause.correct, c.rootCause.total),
  };
}

/** Sums counts (micro-averaging). A part is null in the sum only when it is null in every addend. */
export function sumCounts(all: readonly EvalCounts[]): EvalCounts {
  return all.reduce<EvalCounts>(
    (a, b) => ({
      pairs: addPairCounts(a.pairs, b.pairs),
      incidents: a.incidents + b.incidents,
      truthClusters: a.truthClusters + b.truthClusters,
      tickets: addTally(a.tickets, b.tickets),
      deploys: a.deploys === null ? b.deploys : b.deploys === null ? a.deploys : {
        attributions: a.deploys.attributions + b.deploys.attributions,
        correct: a.deploys.correct + b.deploys.correct,
        causal: a.deploys.causal + b.deploys.causal,
        found: a.deploys.found + b.deploys.found,
      },
      rootCause: addTally(a.rootCause, b.rootCause),
    }),
    { pairs: NO_PAIRS, incidents: 0, truthClusters: 0, tickets: null, deploys: null, rootCause: null },
  );
}

function addTally(a: Tally | null, b: Tally | null): Tally | null {
  if (a === null) return b;
  if (b === null) return a;
  return { correct: a.correct + b.correct, total: a.total + b.total };
}

/**
 * The alerts a scenario is scored over (the replay document's, in document order) and their truth clusters:
 * truth incident i is cluster i, and each alert no truth incident claims is a singleton cluster of its own.
 */
export interface ScoringFrame {
  readonly fingerprints: readonly string[];
  readonly truthLabels: readonly number[];
  readonly truthClusters: number;
  /** Truth incident i's alerts as positions in `fingerprints`. */
  readonly truthPositions: readonly (readonly number[])[];
}

/**
 * Builds the frame of a replay document and its truth. Throws InputError (naming `truthName`) for a truth alert
 * that the replay never received: a fingerprint typo would otherwise score silently as a perfect miss.
 */
export function scoringFrame(incidents: readonly IncidentDoc[], truth: Truth, truthName: string): ScoringFrame {
  const position = new Map<string, number>();
  const fingerprints: string[] = [];
  for (const inc of incidents) {
    for (const a of inc.alerts) {
      if (a.origin === 'slo') continue; // a burn alert stormcell raised is no received alert the truth could name
      if (position.has(a.fingerprint)) continue; // CONTRACT §5 promises one incident per alert; never count one twice
      position.set(a.fingerprint, fingerprints.length);
      fingerprints.push(a.fingerprint);
    }
  }
  const truthLabels = new Array<number>(fingerprints.length).fill(-1);
  const truthPositions = truth.incidents.map((inc, i) =>
    inc.alerts.map((fp, k) => {
      const pos = position.get(fp);
      if (pos === undefined) throw new InputError(`${truthName}: incidents[${i}].alerts[${k}]: ${fp} is not an alert of the replay`);
      truthLabels[pos] = i;
      return pos;
    }),
  );
  let next = truth.incidents.length;
  for (let k = 0; k < truthLabels.length; k++) if (truthLabels[k] === -1) truthLabels[k] = next++;
  return { fingerprints, truthLabels, truthClusters: next, truthPositions };
}

/** Scores the replay's own incidents: every metric. */
export function scoreIncidents(frame: ScoringFrame, incidents: readonly IncidentDoc[], truth: Truth): EvalCounts {
  const clusterOf = new Map<string, number>();
  incidents.forEach((inc, i) => {
    for (const a of inc.alerts) if (!clusterOf.has(a.fingerprint)) clusterOf.set(a.fingerprint, i);
  });
  const predicted = frame.fingerprints.map((fp) => clusterOf.get(fp) as number);
  const facts: PredictedFacts[] = incidents.map((inc) => {
    const top = inc.suspectedDeploys[0];
    return {
      tickets: inc.tickets,
      topDeploy: top === undefined ? null : { service: top.service, version: top.version },
      rootCause: inc.rootCause?.entity ?? null,
    };
  });
  const matches = matchIncidents(frame.truthPositions, predicted);
  return {
    pairs: pairCounts(predicted, frame.truthLabels),
    incidents: incidents.filter((inc) => inc.alerts.some((a) => a.origin !== 'slo')).length,
    truthClusters: frame.truthClusters,
    tickets: ticketLinks(truth.incidents, truth.unlinkedTickets, matches, facts),
    deploys: deployAttribution(truth.incidents, matches, facts),
    rootCause: rootCauseTop1(truth.incidents, matches, facts),
  };
}

/**
 * Scores a grouping that only partitions alerts (the Alertmanager baseline): pairwise, ARI and compression.
 * An alert the grouping does not know is a group of its own, so every scored alert is in exactly one group.
 */
export function scoreGrouping(frame: ScoringFrame, groupOf: ReadonlyMap<string, number>): EvalCounts {
  let next = 0;
  for (const g of groupOf.values()) if (g >= next) next = g + 1;
  const predicted = frame.fingerprints.map((fp) => groupOf.get(fp) ?? next++);
  return {
    pairs: pairCounts(predicted, frame.truthLabels),
    incidents: new Set(predicted).size,
    truthClusters: frame.truthClusters,
    tickets: null,
    deploys: null,
    rootCause: null,
  };
}
