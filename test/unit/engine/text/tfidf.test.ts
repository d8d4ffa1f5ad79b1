import { describe, expect, it } from 'vitest';
import { Centroid, cosine, TextIndex, type SparseVector } from '../../../../src/engine/text/index.js';

/** Three documents: df(disk) = 2, df(cpu) = 2, df(full) = 1, df(high) = 1; N = 3. */
function smallIndex(): TextIndex {
  const index = new TextIndex();
  index.add(['disk', 'full']);
  index.add(['disk', 'cpu', 'disk']); // a repeated term counts once towards df
  index.add(['cpu', 'high']);
  return index;
}

const vec = (terms: string[], weights: number[]): SparseVector => ({ terms, weights });

describe('TextIndex', () => {
  it('computes idf = ln((1 + N) / (1 + df)) + 1', () => {
    const index = smallIndex();
    expect(index.documents).toBe(3);
    expect(index.documentFrequency('disk')).toBe(2);
    expect(index.idf('disk')).toBeCloseTo(1.2876820724517808, 15); // ln(4/3) + 1
    expect(index.idf('full')).toBeCloseTo(1.6931471805599454, 15); // ln(4/2) + 1
    expect(index.idf('unseen')).toBeCloseTo(2.386294361119891, 15); // ln(4/1) + 1
  });

  it('weighs raw term counts by idf, L2-normalised, terms in ascending order', () => {
    // disk: 2 · 1.28768… = 2.57536…, full: 1 · 1.69315…; norm = √(2.57536² + 1.69315²) = 3.08208…
    const v = smallIndex().vector(['full', 'disk', 'disk']);
    expect(v.terms).toEqual(['disk', 'full']);
    expect(v.weights[0]).toBeCloseTo(0.8355915419449176, 12);
    expect(v.weights[1]).toBeCloseTo(0.5493512310263033, 12);
  });

  it('gives an empty vector for no terms, and vector() does not count a document', () => {
    const index = smallIndex();
    expect(index.vector([])).toEqual({ terms: [], weights: [] });
    index.vector(['disk']);
    expect(index.documents).toBe(3);
  });

  it('stops counting new terms at maxTerms and keeps counting the ones it has', () => {
    const index = new TextIndex({ maxTerms: 2 });
    index.add(['disk', 'full', 'cpu']);
    index.add(['cpu', 'disk']);
    expect(index.vocabularySize).toBe(2);
    expect(index.documentFrequency('disk')).toBe(2);
    expect(index.documentFrequency('cpu')).toBe(0);
    expect(index.idf('cpu')).toBe(index.idf('never-seen'));
    expect(index.documents).toBe(2);
  });

  it('starts from a prior: its counts give idf before any document is added', () => {
    const index = new TextIndex({ prior: { documents: 10, df: { disk: 5, cpu: 1 } } });
    expect(index.idf('disk')).toBeCloseTo(Math.log(11 / 6) + 1, 15);
    index.add(['disk']);
    expect(index.idf('disk')).toBeCloseTo(Math.log(12 / 7) + 1, 15);
  });

  it('keeps the prior terms with the highest df when the prior exceeds maxTerms, ties to the lower term', () => {
    const index = new TextIndex({ maxTerms: 2, prior: { documents: 9, df: { b: 3, a: 3, c: 9 } } });
    expect(index.toJSON()).toEqual({ version: 1, maxTerms: 2, documents: 9, terms: ['a', 'c'], df: [3, 9] });
  });

  it('refuses a prior whose df exceeds its documents', () => {
    expect(() => new TextIndex({ prior: { documents: 1, df: { disk: 2 } } })).toThrow(/prior\.df\["disk"\]: 2 exceeds prior\.documents 1/);
  });

  it('round-trips through a JSON snapshot: the restored index scores, and goes on, exactly like the original', () => {
    const original = smallIndex();
    const restored = TextIndex.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
    expect(restored.toJSON()).toEqual(original.toJSON());
    const later = [['disk', 'full', 'full'], ['memory', 'high'], ['cpu', 'throttl', 'high']];
    for (const doc of later) {
      expect(restored.vector(doc)).toEqual(original.vector(doc)); // toEqual compares numbers with Object.is
      original.add(doc);
      restored.add(doc);
    }
    expect(restored.toJSON()).toEqual(original.toJSON());
  });

  it('refuses a snapshot no toJSON() could have written', () => {
    expect(() => TextIndex.fromJSON({ version: 1, maxTerms: 5, documents: 1, terms: ['a', 'b'], df: [1] })).toThrow(/differ in length/);
  });
});

describe('cosine', () => {
  const a = vec(['cpu', 'disk', 'full'], [0.2, 0.5, 0.7]);
  const b = vec(['disk', 'high'], [3, 4]);

  it('is 1 for identical vectors and for the same direction', () => {
    expect(cosine(a, a)).toBeCloseTo(1, 15);
    expect(cosine(b, vec(['disk', 'high'], [0.6, 0.8]))).toBeCloseTo(1, 15);
  });

  it('is symmetric', () => {
    expect(cosine(a, b)).toBe(cosine(b, a));
    // (0.5 · 3) / (|a| · 5), |a| = √0.78
    expect(cosine(a, b)).toBeCloseTo(1.5 / (Math.sqrt(0.78) * 5), 15);
  });

  it('is 0 with no shared term or an empty vector', () => {
    expect(cosine(a, vec(['memory'], [1]))).toBe(0);
    expect(cosine(a, vec([], []))).toBe(0);
  });
});

describe('Centroid', () => {
  const index = smallIndex();
  const v1 = index.vector(['disk', 'full']);
  const v2 = index.vector(['disk', 'cpu']);
  const q = index.vector(['disk', 'high']);

  it('scores a vector by cosine against the sum of the vectors added', () => {
    const c = new Centroid();
    expect(c.cosine(q)).toBe(0);
    c.add(v1);
    c.add(v2);
    expect(c.count).toBe(2);
    const disk = (v1.weights[0] as number) + (v2.weights[1] as number);
    const sum = vec(['cpu', 'disk', 'full'], [v2.weights[0] as number, disk, v1.weights[1] as number]);
    expect(v2.terms).toEqual(['cpu', 'disk']);
    expect(c.cosine(q)).toBeCloseTo(cosine(q, sum), 14);
  });

  it('round-trips through a JSON snapshot exactly', () => {
    const c = new Centroid();
    c.add(v1);
    c.add(v2);
    const restored = Centroid.fromJSON(JSON.parse(JSON.stringify(c.toJSON())));
    expect(restored.toJSON()).toEqual(c.toJSON());
    expect(restored.cosine(q)).toBe(c.cosine(q));
    c.add(q);
    restored.add(q);
    expect(restored.cosine(v1)).toBe(c.cosine(v1));
  });
});
