import { describe, expect, it } from 'vitest';
import { failureLine } from '../../../src/eval/report.js';
import { checkMinimums, parseThresholds } from '../../../src/eval/thresholds.js';
import type { EvalScores } from '../../../src/eval/score.js';
import { parseTruth } from '../../../src/eval/truth.js';

const SCORES: EvalScores = {
  pairwisePrecision: 0.9,
  pairwiseRecall: 0.8,
  pairwiseF1: 0.8499,
  ari: 0.4,
  compressionRatio: 0.7999999999999999, // float noise around an exact 0.8
  ticketLinkAccuracy: null,
  deployPrecision: 0.5,
  deployRecall: null,
  rootCauseTop1: 0.57,
};

describe('checkMinimums', () => {
  it('reports the bars missed, in metric order, skipping n/a figures and float noise', () => {
    const minimums = parseThresholds('corpus: {rootCauseTop1: 0.6, pairwiseF1: 0.85, compressionRatio: 0.8, ticketLinkAccuracy: 0.75, deployPrecision: 0.5}\n', 't.yaml').corpus;
    expect(checkMinimums('corpus', SCORES, minimums)).toEqual([
      { scope: 'corpus', metric: 'pairwiseF1', value: 0.8499, min: 0.85 },
      { scope: 'corpus', metric: 'rootCauseTop1', value: 0.57, min: 0.6 },
    ]);
  });

  it('has no bars without minimums', () => {
    expect(checkMinimums('s1', SCORES, undefined)).toEqual([]);
  });
});

describe('parseThresholds', () => {
  it.each([
    ['corpus: {pairwiseF1: 1.2}\n', 't.yaml: corpus.pairwiseF1: expected a number from 0 to 1, got 1.2'],
    ['scenario: {f1: 0.5}\n', 't.yaml: scenario.f1: unknown field'],
    ['scenarios: {}\n', 't.yaml: scenarios: unknown field'],
    ['corpus: {ari: -2}\n', 't.yaml: corpus.ari: expected a number from -1 to 1, got -2'],
    ['corpus: {ari: 0.8}\ncorpus: {ari: 0.9}\n', 't.yaml:2:1: Map keys must be unique'],
  ])('refuses %j', (text, message) => {
    expect(() => parseThresholds(text, 't.yaml')).toThrow(message);
  });

  it('accepts a compression bar above 1 and an empty file', () => {
    expect(parseThresholds('corpus: {compressionRatio: 1.5}\n', 't.yaml')).toEqual({ corpus: { compressionRatio: 1.5 } });
    expect(parseThresholds('# nothing yet\n', 't.yaml')).toEqual({});
  });
});

describe('failureLine', () => {
  it.each([
    [0.71, 0.85, 'corpus pairwiseF1 0.71 < 0.85'],
    [0.8499, 0.85, 'corpus pairwiseF1 0.849 < 0.85'], // rounding would print 0.85 < 0.85
    [0.57, 0.6, 'corpus pairwiseF1 0.57 < 0.6'], // 0.57 * 1000 is 569.999… in floats
  ])('prints %s against %s as %j', (value, min, want) => {
    expect(failureLine({ scope: 'corpus', metric: 'pairwiseF1', value, min })).toBe(want);
  });
});

describe('parseTruth', () => {
  const fp = (n: number) => n.toString(16).padStart(16, '0');
  it('applies defaults', () => {
    expect(parseTruth({ incidents: [{ id: 'a', alerts: [fp(1)] }] }, 'truth.json')).toEqual({
      incidents: [{ id: 'a', alerts: [fp(1)], rootCause: null, deploys: [], tickets: [] }],
      unlinkedTickets: [],
    });
  });

  it.each([
    [{ incidents: [{ id: 'a', alerts: ['HighErrorRate'] }] }, 'truth.json: incidents[0].alerts[0]: expected a fingerprint (16 lowercase hex digits), got "HighErrorRate"'],
    [{ incidents: [{ id: 'a', alerts: [] }] }, 'truth.json: incidents[0].alerts: expected at least 1 item(s), got 0'],
    [{ incidents: [{ id: 'a', alerts: [fp(1)] }, { id: 'a', alerts: [fp(2)] }] }, 'truth.json: incidents[1].id: "a" is used twice'],
    [{ incidents: [{ id: 'a', alerts: [fp(1)] }, { id: 'b', alerts: [fp(1)] }] }, `truth.json: incidents[1].alerts[0]: ${fp(1)} is already an alert of incident a`],
    [{ incidents: [{ id: 'a', alerts: [fp(1)], tickets: ['T'] }, { id: 'b', alerts: [fp(2)], tickets: ['T'] }] }, 'truth.json: incidents[1].tickets[0]: "T" is already a ticket of incident a'],
    [{ incidents: [{ id: 'a', alerts: [fp(1)], tickets: ['T'] }], unlinkedTickets: ['T'] }, 'truth.json: unlinkedTickets[0]: "T" is a ticket of incident a'],
    [{ incidents: [{ id: 'a', alerts: [fp(1)], deploys: [{ service: 'x' }] }] }, 'truth.json: incidents[0].deploys[0].version: missing'],
  ])('refuses %j', (value, message) => {
    expect(() => parseTruth(value, 'truth.json')).toThrow(message);
  });
});
