/**
 * The scoring arithmetic of `stormcell eval`, as pure functions over plain arrays (no I/O, no config).
 *
 * Definitions (a "partition" gives every alert of the replay, by position, the id of the cluster it is in):
 *
 * - **Pair counts.** Over all unordered pairs of alerts: TP = same predicted cluster and same truth cluster,
 *   FP = same predicted cluster, different truth clusters, FN = same truth cluster, different predicted clusters.
 *   From the contingency table n_ij (alerts in predicted cluster i and truth cluster j), with C(x) = x(x-1)/2:
 *   TP = Σ C(n_ij), TP+FP = Σ_i C(a_i), TP+FN = Σ_j C(b_j), pairs = C(n).
 * - **Pairwise precision** TP/(TP+FP), **recall** TP/(TP+FN), **F1** 2TP/(2TP+FP+FN) (the harmonic mean of the
 *   two, also when one of them is 0). A zero denominator gives 1: no pair predicted together is no wrong pair.
 * - **Adjusted Rand index** (Hubert & Arabie 1985): (TP − E) / (M − E) with E = (TP+FP)(TP+FN)/pairs and
 *   M = ((TP+FP)+(TP+FN))/2. When M = E (both partitions trivial, or fewer than two alerts) it is 1, as in
 *   scikit-learn. Summed pair counts give the ARI over the pooled pairs (pairs within one scenario only).
 * - **Compression**: alerts / clusters (1 for no alerts); `compressionRatio` = predicted / truth.
 * - **Matching**: each truth incident maps to the predicted cluster holding most of its alerts; a tie goes to the
 *   cluster listed first (the replay document's order).
 * - **Ticket-link accuracy**: over the tickets the truth scores, a ticket of truth incident T is right iff the
 *   predicted incident matched to T lists it; an unlinked ticket is right iff no predicted incident lists it.
 * - **Deploy attribution**: each predicted incident's top suspect (`suspectedDeploys[0]`) is one attribution.
 *   Precision = attributions equal (service and version) to a causal deploy of a truth incident matched to that
 *   predicted incident / all attributions. Recall = causal deploys of truth incidents that are the top suspect of
 *   the predicted incident matched to their truth incident / all causal deploys.
 * - **Root-cause top-1**: over truth incidents with a root cause, right iff the matched predicted incident's
 *   `rootCause.entity` equals it.
 *
 * Ticket, deploy and root-cause figures are `null` (n/a) when there is nothing to score, so that a scenario
 * without deploys neither passes nor fails a deploy bar.
 */

/** Summable pair-counting figures of one partition against another. Sum them to micro-average. */
export interface PairCounts {
  /** Alerts scored. */
  readonly alerts: number;
  /** Unordered pairs of alerts, C(alerts); summed counts keep the pairs within each scenario. */
  readonly pairs: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

/** Pairwise precision, recall and F1; each is 1 when its denominator is 0. */
export interface PairwiseScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

function choose2(x: number): number {
  return x < 2 ? 0 : (x * (x - 1)) / 2; // not -0 for x = 0, which would print and compare oddly
}

/**
 * Pair counts of `predicted` against `truth`, cluster ids by alert position, from the contingency table in
 * O(n), never by walking pairs. Both arrays must have the same length (throws otherwise: a caller bug).
 */
export function pairCounts(predicted: readonly number[], truth: readonly number[]): PairCounts {
  if (predicted.length !== truth.length) throw new Error(`pairCounts: ${predicted.length} predicted labels but ${truth.length} truth labels`);
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let k = 0; k < predicted.length; k++) {
    const p = predicted[k] as number;
    const t = truth[k] as number;
    const key = `${p}:${t}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(p, (rows.get(p) ?? 0) + 1);
    cols.set(t, (cols.get(t) ?? 0) + 1);
  }
  let tp = 0;
  for (const n of cells.values()) tp += choose2(n);
  let predictedPairs = 0;
  for (const n of rows.values()) predictedPairs += choose2(n);
  let truthPairs = 0;
  for (const n of cols.values()) truthPairs += choose2(n);
  return { alerts: predicted.length, pairs: choose2(predicted.length), tp, fp: predictedPairs - tp, fn: truthPairs - tp };
}

/** Adds pair counts (micro-averaging across scenarios). */
export function addPairCounts(a: PairCounts, b: PairCounts): PairCounts {
  return { alerts: a.alerts + b.alerts, pairs: a.pairs + b.pairs, tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn };
}

/** The zero of {@link addPairCounts}. */
export const NO_PAIRS: PairCounts = Object.freeze({ alerts: 0, pairs: 0, tp: 0, fp: 0, fn: 0 });

/** Pairwise precision, recall and F1 from pair counts; a zero denominator gives 1. */
export function pairwiseScores(c: PairCounts): PairwiseScores {
  return {
    precision: ratioOr1(c.tp, c.tp + c.fp),
    recall: ratioOr1(c.tp, c.tp + c.fn),
    f1: ratioOr1(2 * c.tp, 2 * c.tp + c.fp + c.fn),
  };
}

/** The adjusted Rand index (Hubert & Arabie) from pair counts; 1 when it is undefined (max = expected). */
export function adjustedRandIndex(c: PairCounts): number {
  if (c.pairs === 0) return 1;
  const predictedPairs = c.tp + c.fp;
  const truthPairs = c.tp + c.fn;
  const expected = (predictedPairs * truthPairs) / c.pairs;
  const max = (predictedPairs + truthPairs) / 2;
  // Compare with a tolerance: expected is a float quotient, and max − expected of 1e-17 is not a real spread.
  if (Math.abs(max - expected) < 1e-12) return 1;
  return (c.tp - expected) / (max - expected);
}

/** Alerts per cluster; 1 for no clusters (nothing to compress). */
export function compression(alerts: number, clusters: number): number {
  return ratioOr1(alerts, clusters);
}

/** num / den, or 1 when den is 0 (the pairwise rule). */
export function ratioOr1(num: number, den: number): number {
  return den === 0 ? 1 : num / den;
}

/** num / den, or null (n/a) when den is 0 (tickets, deploys, root causes: nothing to score). */
export function ratioOrNull(num: number, den: number): number | null {
  return den === 0 ? null : num / den;
}

/**
 * Maps each truth incident (its alerts as positions) to the predicted cluster holding most of them; a tie goes to
 * the smaller cluster id, which callers number in document order. An incident without alerts maps to null.
 */
export function matchIncidents(truthAlerts: readonly (readonly number[])[], predicted: readonly number[]): Array<number | null> {
  return truthAlerts.map((positions) => {
    const votes = new Map<number, number>();
    for (const pos of positions) {
      const p = predicted[pos];
      if (p === undefined) throw new Error(`matchIncidents: alert position ${pos} outside the partition`);
      votes.set(p, (votes.get(p) ?? 0) + 1);
    }
    let best: number | null = null;
    let bestVotes = 0;
    for (const [p, n] of votes) {
      if (n > bestVotes || (n === bestVotes && best !== null && p < best)) {
        best = p;
        bestVotes = n;
      }
    }
    return best;
  });
}

/** A correct/total tally (tickets, root causes). */
export interface Tally {
  readonly correct: number;
  readonly total: number;
}

/** What the ticket, deploy and root-cause scores read from a truth incident. */
export interface TruthFacts {
  readonly rootCause: string | null;
  readonly deploys: readonly DeployRef[];
  readonly tickets: readonly string[];
}

/** What they read from a predicted incident (cluster id = its index). */
export interface PredictedFacts {
  readonly tickets: readonly string[];
  /** `suspectedDeploys[0]`, or null. */
  readonly topDeploy: DeployRef | null;
  /** `rootCause.entity`, or null. */
  readonly rootCause: string | null;
}

/** A deploy as the truth names it: service and version. */
export interface DeployRef {
  readonly service: string;
  readonly version: string;
}

/**
 * Ticket-link accuracy counts: a truth incident's ticket is right iff its matched predicted incident lists it; an
 * unlinked ticket is right iff no predicted incident lists it. `matches[i]` is truth incident i's predicted cluster.
 */
export function ticketLinks(
  truth: readonly TruthFacts[],
  unlinked: readonly string[],
  matches: readonly (number | null)[],
  predicted: readonly PredictedFacts[],
): Tally {
  let correct = 0;
  let total = 0;
  truth.forEach((t, i) => {
    const m = matches[i];
    const listed = m === null || m === undefined ? undefined : predicted[m]?.tickets;
    for (const ticket of t.tickets) {
      total++;
      if (listed !== undefined && listed.includes(ticket)) correct++;
    }
  });
  const anywhere = new Set(predicted.flatMap((p) => p.tickets));
  for (const ticket of unlinked) {
    total++;
    if (!anywhere.has(ticket)) correct++;
  }
  return { correct, total };
}

/** Deploy attribution counts; precision = correct / attributions, recall = found / causal. */
export interface DeployCounts {
  readonly attributions: number;
  readonly correct: number;
  readonly causal: number;
  readonly found: number;
}

/** Deploy attribution counts, as defined in this module's comment. */
export function deployAttribution(
  truth: readonly TruthFacts[],
  matches: readonly (number | null)[],
  predicted: readonly PredictedFacts[],
): DeployCounts {
  // The causal deploys each predicted incident may rightly name: those of every truth incident matched to it.
  const allowed = new Map<number, DeployRef[]>();
  let causal = 0;
  let found = 0;
  truth.forEach((t, i) => {
    const m = matches[i] ?? null;
    causal += t.deploys.length;
    if (m === null) return;
    const list = allowed.get(m) ?? [];
    list.push(...t.deploys);
    allowed.set(m, list);
    const top = predicted[m]?.topDeploy ?? null;
    for (const d of t.deploys) if (top !== null && sameDeploy(top, d)) found++;
  });
  let attributions = 0;
  let correct = 0;
  predicted.forEach((p, m) => {
    if (p.topDeploy === null) return;
    attributions++;
    const top = p.topDeploy;
    if ((allowed.get(m) ?? []).some((d) => sameDeploy(top, d))) correct++;
  });
  return { attributions, correct, causal, found };
}

function sameDeploy(a: DeployRef, b: DeployRef): boolean {
  return a.service === b.service && a.version === b.version;
}

/** Root-cause top-1 counts over truth incidents that name a root cause. */
export function rootCauseTop1(truth: readonly TruthFacts[], matches: readonly (number | null)[], predicted: readonly PredictedFacts[]): Tally {
  let correct = 0;
  let total = 0;
  truth.forEach((t, i) => {
    if (t.rootCause === null) return;
    total++;
    const m = matches[i] ?? null;
    if (m !== null && predicted[m]?.rootCause === t.rootCause) correct++;
  });
  return { correct, total };
}
