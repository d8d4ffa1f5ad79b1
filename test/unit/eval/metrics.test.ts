import { describe, expect, it } from 'vitest';
import {
  addPairCounts,
  adjustedRandIndex,
  deployAttribution,
  matchIncidents,
  pairCounts,
  pairwiseScores,
  rootCauseTop1,
  ticketLinks,
  type PredictedFacts,
  type TruthFacts,
} from '../../../src/eval/metrics.js';

describe('pair counts, pairwise scores and ARI', () => {
  // Every row is worked out by hand from the contingency table (C(x) = x(x-1)/2).
  it.each([
    {
      name: 'perfect partition: all 1',
      predicted: [0, 0, 1, 2, 2],
      truth: [5, 5, 7, 9, 9],
      counts: { alerts: 5, pairs: 10, tp: 2, fp: 0, fn: 0 },
      p: 1, r: 1, f1: 1, ari: 1,
    },
    {
      // Predicted pairs C(4) = 6, of which the two within-truth pairs are right; expected index 6·2/6 = 2,
      // max (6+2)/2 = 4: ARI (2−2)/(4−2) = 0.
      name: 'everything in one incident',
      predicted: [0, 0, 0, 0],
      truth: [0, 0, 1, 1],
      counts: { alerts: 4, pairs: 6, tp: 2, fp: 4, fn: 0 },
      p: 1 / 3, r: 1, f1: 0.5, ari: 0,
    },
    {
      // No predicted pair: precision's denominator is 0, so 1; F1 = 0/(0+0+2) = 0; ARI (0−0)/(1−0) = 0.
      name: 'every alert alone',
      predicted: [0, 1, 2, 3],
      truth: [0, 0, 1, 1],
      counts: { alerts: 4, pairs: 6, tp: 0, fp: 0, fn: 2 },
      p: 1, r: 0, f1: 0, ari: 0,
    },
    {
      // scikit-learn's documented example adjusted_rand_score([0,0,1,1], [0,0,1,2]) = 0.57:
      // Σ C(n_ij) = 1, Σ C(a_i) = 1, Σ C(b_j) = 2, pairs 6 → E = 1·2/6 = 1/3, M = 3/2, ARI = (2/3)/(7/6) = 4/7.
      name: 'one truth cluster split in two (ARI 4/7)',
      predicted: [0, 0, 1, 2],
      truth: [0, 0, 1, 1],
      counts: { alerts: 4, pairs: 6, tp: 1, fp: 0, fn: 1 },
      p: 1, r: 0.5, f1: 2 / 3, ari: 4 / 7,
    },
    {
      // Contingency [[2,1],[1,2]]: Σ C(n_ij) = 2, Σ C(a_i) = Σ C(b_j) = 6, pairs 15 → E = 36/15 = 2.4, M = 6,
      // ARI = (2 − 2.4)/(6 − 2.4) = −1/9: worse than chance.
      name: 'crossed partitions (ARI −1/9)',
      predicted: [0, 0, 0, 1, 1, 1],
      truth: [0, 0, 1, 0, 1, 1],
      counts: { alerts: 6, pairs: 15, tp: 2, fp: 4, fn: 4 },
      p: 1 / 3, r: 1 / 3, f1: 1 / 3, ari: -1 / 9,
    },
    {
      name: 'all singletons on both sides: no pairs anywhere, all 1',
      predicted: [3, 1, 2],
      truth: [0, 1, 2],
      counts: { alerts: 3, pairs: 3, tp: 0, fp: 0, fn: 0 },
      p: 1, r: 1, f1: 1, ari: 1,
    },
    {
      name: 'no alerts at all',
      predicted: [],
      truth: [],
      counts: { alerts: 0, pairs: 0, tp: 0, fp: 0, fn: 0 },
      p: 1, r: 1, f1: 1, ari: 1,
    },
  ])('$name', ({ predicted, truth, counts, p, r, f1, ari }) => {
    const c = pairCounts(predicted, truth);
    expect(c).toEqual(counts);
    const s = pairwiseScores(c);
    expect(s.precision).toBeCloseTo(p, 12);
    expect(s.recall).toBeCloseTo(r, 12);
    expect(s.f1).toBeCloseTo(f1, 12);
    expect(adjustedRandIndex(c)).toBeCloseTo(ari, 12);
  });

  it('counts the same pairs as walking every pair, on random partitions', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const n = 1 + next(60);
      const predicted = Array.from({ length: n }, () => next(1 + next(8)));
      const truth = Array.from({ length: n }, () => next(1 + next(8)));
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const sp = predicted[i] === predicted[j];
          const st = truth[i] === truth[j];
          if (sp && st) tp++;
          else if (sp) fp++;
          else if (st) fn++;
        }
      }
      expect(pairCounts(predicted, truth)).toEqual({ alerts: n, pairs: (n * (n - 1)) / 2, tp, fp, fn });
    }
  });

  it('micro-averages by summing counts, so a big scenario weighs more than a small one', () => {
    const big = pairCounts([0, 0, 0, 0, 0], [0, 0, 0, 0, 0]); // 10 right pairs
    const small = pairCounts([0, 0], [0, 1]); // 1 wrong pair
    const sum = addPairCounts(big, small);
    expect(sum).toEqual({ alerts: 7, pairs: 11, tp: 10, fp: 1, fn: 0 });
    expect(pairwiseScores(sum).precision).toBeCloseTo(10 / 11, 12); // a macro-average would say 0.5
  });

  it('refuses partitions of different lengths', () => {
    expect(() => pairCounts([0, 1], [0])).toThrow(/2 predicted labels but 1 truth labels/);
  });
});

describe('matchIncidents', () => {
  it.each([
    { name: 'majority wins', truth: [[0, 1, 2]], predicted: [4, 3, 3], want: [3] },
    { name: 'a tie goes to the incident listed first', truth: [[0, 1]], predicted: [5, 2], want: [2] },
    { name: 'a tie goes to the incident listed first, whatever the alert order', truth: [[1, 0]], predicted: [5, 2], want: [2] },
    { name: 'two truth incidents may match one predicted incident', truth: [[0], [1]], predicted: [0, 0], want: [0, 0] },
  ])('$name', ({ truth, predicted, want }) => {
    expect(matchIncidents(truth, predicted)).toEqual(want);
  });
});

const NONE: PredictedFacts = { tickets: [], topDeploy: null, rootCause: null };
const truthOf = (t: Partial<TruthFacts>): TruthFacts => ({ rootCause: null, deploys: [], tickets: [], ...t });

describe('ticketLinks', () => {
  it('scores truth-linked tickets on the matched incident and unlinked ones nowhere', () => {
    const truth = [truthOf({ tickets: ['A', 'B'] }), truthOf({ tickets: ['C'] })];
    const predicted: PredictedFacts[] = [
      { ...NONE, tickets: ['A'] }, // truth 0's match: A right; B missing
      { ...NONE, tickets: ['C', 'U1'] }, // C is on the wrong incident (truth 1 matched 2); U1 should be nowhere
      { ...NONE, tickets: [] },
    ];
    // Right: A, U2. Wrong: B, C, U1. → 2/5
    expect(ticketLinks(truth, ['U1', 'U2'], [0, 2], predicted)).toEqual({ correct: 2, total: 5 });
  });

  it('counts a ticket of an unmatched truth incident as wrong', () => {
    expect(ticketLinks([truthOf({ tickets: ['A'] })], [], [null], [{ ...NONE, tickets: ['A'] }])).toEqual({ correct: 0, total: 1 });
  });
});

describe('deployAttribution', () => {
  const v24 = { service: 'checkout', version: 'v2.4.0' };
  const search = { service: 'search', version: 'v9' };
  it.each([
    {
      name: 'the top suspect is the causal deploy: precision and recall 1',
      truth: [truthOf({ deploys: [v24] })],
      matches: [0],
      predicted: [{ ...NONE, topDeploy: v24 }],
      want: { attributions: 1, correct: 1, causal: 1, found: 1 },
    },
    {
      name: 'the wrong top suspect: a false attribution and a miss',
      truth: [truthOf({ deploys: [v24] })],
      matches: [0],
      predicted: [{ ...NONE, topDeploy: search }],
      want: { attributions: 1, correct: 0, causal: 1, found: 0 },
    },
    {
      name: 'a suspect on an incident without a causal deploy is false; an unmatched incident too',
      truth: [truthOf({})],
      matches: [0],
      predicted: [{ ...NONE, topDeploy: v24 }, { ...NONE, topDeploy: v24 }],
      want: { attributions: 2, correct: 0, causal: 0, found: 0 },
    },
    {
      name: 'the version must match too',
      truth: [truthOf({ deploys: [v24] })],
      matches: [0],
      predicted: [{ ...NONE, topDeploy: { service: 'checkout', version: 'v2.3.9' } }],
      want: { attributions: 1, correct: 0, causal: 1, found: 0 },
    },
    {
      name: 'two truth incidents merged into one: its suspect may name either cause, and finds only that one',
      truth: [truthOf({ deploys: [v24] }), truthOf({ deploys: [search] })],
      matches: [0, 0],
      predicted: [{ ...NONE, topDeploy: search }],
      want: { attributions: 1, correct: 1, causal: 2, found: 1 },
    },
  ])('$name', ({ truth, matches, predicted, want }) => {
    expect(deployAttribution(truth, matches, predicted)).toEqual(want);
  });
});

describe('rootCauseTop1', () => {
  it('scores truth incidents with a root cause against their matched incident', () => {
    const truth = [truthOf({ rootCause: 'svc/a' }), truthOf({ rootCause: 'db/b' }), truthOf({}), truthOf({ rootCause: 'svc/c' })];
    const predicted: PredictedFacts[] = [
      { ...NONE, rootCause: 'svc/a' },
      { ...NONE, rootCause: 'svc/a' },
      { ...NONE, rootCause: 'svc/c' },
    ];
    // svc/a right; db/b matched to an incident blaming svc/a; no root cause not scored; svc/c unmatched.
    expect(rootCauseTop1(truth, [0, 1, 2, null], predicted)).toEqual({ correct: 1, total: 3 });
  });
});
