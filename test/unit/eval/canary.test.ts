import { describe, expect, it } from 'vitest';
import { compareCanary, refusalLine, renderCanaryReport, sumCounts, type CorpusScores, type EvalScores, type Thresholds } from '../../../src/eval/index.js';
import { compareMetric, signed } from '../../../src/eval/canary.js';
import type { MetricName, ScoreSheet } from '../../../src/eval/score.js';

const PERFECT: EvalScores = {
  pairwisePrecision: 1, pairwiseRecall: 1, pairwiseF1: 1, ari: 1, compressionRatio: 1,
  ticketLinkAccuracy: 1, deployPrecision: 1, deployRecall: 1, rootCauseTop1: 1,
};
const NO_COUNTS = sumCounts([]);

function sheet(scores: Partial<EvalScores>): ScoreSheet {
  return { ...PERFECT, ...scores, alerts: 10, incidents: 3, truthClusters: 3, compression: 3.3, truthCompression: 3.3 };
}

/** A corpus scored: scenario name → its scores; the corpus figures given apart (they are micro-averaged in life). */
function scored(scenarios: Record<string, Partial<EvalScores>>, corpus: Partial<EvalScores> = {}, thresholds: Thresholds = { scenario: { pairwiseF1: 0.35 } }): CorpusScores {
  return {
    dir: 'corpus',
    scenarios: Object.entries(scenarios).map(([name, s]) => ({ name, dir: name, pipeline: 'p', rejected: 0, ours: { scores: sheet(s), counts: NO_COUNTS } })),
    corpus: { scores: sheet(corpus), counts: NO_COUNTS },
    thresholds,
    failures: [],
  };
}

describe('compareMetric', () => {
  it.each<[MetricName, number | null, number | null, number, string]>([
    ['pairwiseF1', 0.9, 0.9, 0.01, 'same'],
    ['pairwiseF1', 0.9, 0.91, 0.01, 'better'],
    ['pairwiseF1', 0.9, 0.895, 0.01, 'within tolerance'],
    ['ari', 0.5, 0.49, 0.01, 'within tolerance'], // exactly the tolerance is still within it
    ['pairwiseF1', 0.9, 0.889, 0.01, 'worse'],
    ['pairwiseF1', 0.9, 0.899, 0, 'worse'],
    ['rootCauseTop1', 1, 0.5, 0.6, 'within tolerance'],
    // The compression ratio is best at 1: over-merging (above 1) is as bad as splitting (below 1).
    ['compressionRatio', 1, 1.02, 0.01, 'worse'],
    ['compressionRatio', 1, 0.98, 0.01, 'worse'],
    ['compressionRatio', 0.9, 1.05, 0.01, 'better'],
    ['compressionRatio', 0.95, 1.05, 0.01, 'same'],
    ['compressionRatio', 1.2, 1.1, 0.01, 'better'],
    ['deployPrecision', 1, null, 0.01, 'n/a'],
    ['deployPrecision', null, 0.5, 0.01, 'n/a'],
  ])('%s %s -> %s with tolerance %s is %s', (metric, live, candidate, tolerance, verdict) => {
    expect(compareMetric(metric, live, candidate, tolerance).verdict).toBe(verdict);
  });

  it('gives the delta as candidate minus live', () => {
    expect(compareMetric('compressionRatio', 0.9, 1.05, 0.01).delta).toBeCloseTo(0.15, 12);
    expect(compareMetric('deployRecall', null, 1, 0.01).delta).toBeNull();
  });
});

describe('compareCanary', () => {
  it('accepts identical scores: every metric the same, no scenario broken', () => {
    const live = scored({ a: { pairwiseF1: 0.8 }, b: {} }, { pairwiseF1: 0.9 });
    const v = compareCanary(live, live);
    expect(v.accepted).toBe(true);
    expect(v.reasons).toEqual([]);
    expect(v.tolerance).toBe(0.01);
    expect(v.corpus.map((c) => c.verdict)).toEqual(Array(9).fill('same'));
    expect(v.scenarios.map((s) => [s.name, s.status])).toEqual([['a', 'same'], ['b', 'same']]);
  });

  it('refuses a scenario whose pairwise F1 drops by more than the tolerance, though every bar holds', () => {
    const v = compareCanary(scored({ a: { pairwiseF1: 0.9 }, b: {} }), scored({ a: { pairwiseF1: 0.85 }, b: {} }));
    expect(v.accepted).toBe(false);
    expect(v.scenarios[0]).toMatchObject({ name: 'a', status: 'broken', reasons: ['pairwiseF1 0.900 -> 0.850 (-0.050): worse by more than 0.01'] });
    expect(v.reasons).toEqual(['a: pairwiseF1 0.900 -> 0.850 (-0.050): worse by more than 0.01']);
    // The same drop within a wider tolerance is a change, not a break.
    const wide = compareCanary(scored({ a: { pairwiseF1: 0.9 }, b: {} }), scored({ a: { pairwiseF1: 0.85 }, b: {} }), { tolerance: 0.1 });
    expect(wide.accepted).toBe(true);
    expect(wide.scenarios[0]!.status).toBe('changed');
  });

  it('refuses a scenario that misses a bar the live pipeline meets, also within the tolerance', () => {
    const v = compareCanary(scored({ a: { pairwiseF1: 0.36 } }), scored({ a: { pairwiseF1: 0.34 } }), { tolerance: 0.05 });
    expect(v.accepted).toBe(false);
    expect(v.reasons).toEqual(['a: pairwiseF1 0.34 below its bar 0.35 (live 0.360)']);
    expect(v.scenarios[0]!.candidateFailures).toEqual([{ scope: 'a', metric: 'pairwiseF1', value: 0.34, min: 0.35 }]);
  });

  it('does not count a bar the live pipeline already misses as broken, and a bar newly met as improved', () => {
    const worse = compareCanary(scored({ a: { pairwiseF1: 0.3 } }), scored({ a: { pairwiseF1: 0.295 } }));
    expect(worse.accepted).toBe(true);
    expect(worse.scenarios[0]!.status).toBe('changed');
    const better = compareCanary(scored({ a: { pairwiseF1: 0.3 } }), scored({ a: { pairwiseF1: 0.5 } }));
    expect(better.accepted).toBe(true);
    expect(better.scenarios[0]).toMatchObject({ status: 'improved', reasons: ['pairwiseF1 0.500 meets its bar 0.35 (live 0.3)', 'pairwiseF1 0.300 -> 0.500 (+0.200)'] });
  });

  it('compares per scenario pairwise F1 and every metric with a scenario bar, nothing else', () => {
    const thresholds: Thresholds = { scenario: { rootCauseTop1: 0.5 } };
    const live = scored({ a: {} }, {}, thresholds);
    const v = compareCanary(live, scored({ a: { rootCauseTop1: 0.9, ticketLinkAccuracy: 0 } }, {}, thresholds));
    expect(v.scenarioMetrics).toEqual(['pairwiseF1', 'rootCauseTop1']);
    expect(v.reasons).toEqual(['a: rootCauseTop1 1.000 -> 0.900 (-0.100): worse by more than 0.01']);
  });

  it('refuses a corpus metric worse beyond the tolerance and a corpus bar newly missed', () => {
    const thresholds: Thresholds = { corpus: { deployRecall: 0.8 } };
    const v = compareCanary(scored({ a: {} }, {}, thresholds), scored({ a: {} }, { deployRecall: 0.75, compressionRatio: 1.05, pairwiseF1: 0.995 }, thresholds));
    expect(v.accepted).toBe(false);
    expect(v.corpus.find((c) => c.metric === 'pairwiseF1')!.verdict).toBe('within tolerance');
    expect(v.corpusBarsMissed).toEqual([{ scope: 'corpus', metric: 'deployRecall', value: 0.75, min: 0.8 }]);
    expect(v.reasons).toEqual([
      'corpus: compressionRatio 1.000 -> 1.050 (+0.050): further from 1 by more than 0.01',
      'corpus: deployRecall 1.000 -> 0.750 (-0.250): worse by more than 0.01',
      'corpus: deployRecall 0.75 below its bar 0.8 (live 1.000)',
    ]);
  });

  it('puts broken scenarios before the corpus reasons', () => {
    const v = compareCanary(scored({ a: {}, b: {} }), scored({ a: {}, b: { pairwiseF1: 0.2 } }, { ari: 0.9 }));
    expect(v.reasons.map((r) => r.split(':')[0])).toEqual(['b', 'b', 'corpus']);
  });

  it('throws on scores of different scenarios or a tolerance out of range (caller bugs)', () => {
    expect(() => compareCanary(scored({ a: {} }), scored({ b: {} }))).toThrow(/live scored \[a\], candidate \[b\]/);
    expect(() => compareCanary(scored({ a: {} }), scored({ a: {} }), { tolerance: -0.1 })).toThrow(RangeError);
    expect(() => compareCanary(scored({ a: {} }), scored({ a: {} }), { tolerance: Number.NaN })).toThrow(RangeError);
  });
});

describe('canary report', () => {
  const live = scored({ a: { pairwiseF1: 0.9 }, b: { pairwiseF1: 0.5 } }, { pairwiseF1: 0.9 });
  const candidate = scored({ a: { pairwiseF1: 0.2 }, b: { pairwiseF1: 0.7 } }, { pairwiseF1: 0.85 });

  it('shows the corpus metrics side by side and lists the scenarios broken and improved', () => {
    const text = renderCanaryReport({ verdict: compareCanary(live, candidate), corpusDir: 'corpus', candidate: 'new.yaml', live: 'old.yaml' });
    expect(text).toContain('**Refused**: 1 scenario broken, 1 corpus metric worse by more than 0.01.');
    expect(text).toContain('| metric | live | candidate | delta | verdict |');
    expect(text).toContain('| pairwise F1 | 0.900 | 0.850 | -0.050 | worse |');
    expect(text).toContain('| compression ratio (best at 1) | 1.000 | 1.000 | +0.000 | same |');
    expect(text).toContain('| a | 0.900 | 0.200 | -0.700 | broken |');
    expect(text).toContain('Broken (1):\n\n- a: pairwiseF1 0.2 below its bar 0.35 (live 0.900)\n- a: pairwiseF1 0.900 -> 0.200 (-0.700): worse by more than 0.01');
    expect(text).toContain('Improved (1):\n\n- b: pairwiseF1 0.500 -> 0.700 (+0.200)');
    expect(text).toContain('- corpus: pairwiseF1 0.900 -> 0.850 (-0.050): worse by more than 0.01');
  });

  it('says why in one line: the counts, the first reasons, how many more', () => {
    const line = refusalLine(compareCanary(live, candidate));
    expect(line).toBe(
      'refused (1 scenario broken, 1 corpus metric worse by more than 0.01): a: pairwiseF1 0.2 below its bar 0.35 (live 0.900); a: pairwiseF1 0.900 -> 0.200 (-0.700): worse by more than 0.01; and 1 more (see the report)',
    );
    expect(refusalLine(compareCanary(live, live))).toBe('accepted');
  });

  it('never prints a drop smaller, nor a gain larger, than it is', () => {
    expect(signed(-0.0004)).toBe('-0.001');
    expect(signed(-0.0104)).toBe('-0.011');
    expect(signed(0.0109)).toBe('+0.010');
    expect(signed(0)).toBe('+0.000');
    expect(signed(null)).toBe('n/a');
  });
});
