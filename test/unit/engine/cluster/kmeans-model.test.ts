import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assignCluster, parseKmeansModel, toKmeansModelJson, type KmeansModel } from '../../../../src/engine/cluster/index.js';
import { TextIndex } from '../../../../src/engine/text/index.js';

function valid(): KmeansModel & Record<string, unknown> {
  return {
    version: 1,
    dims: 2,
    k: 3,
    trainedOn: { captures: ['a.ndjson'], alerts: 5, seed: 1, iterations: 4 },
    centroids: [[0, 0], [1, 0], [0, 1]],
    documentFrequencies: { documents: 5, df: { disk: 2, pod: 5 } },
  };
}

type Model = ReturnType<typeof valid>;

describe('parseKmeansModel', () => {
  it('accepts a valid model', () => {
    expect(parseKmeansModel(valid())).toEqual(valid());
  });

  it.each<[string, (m: Model) => unknown]>([
    ['body: expected an object, got array', () => []],
    ['version: expected 1, got number', (m) => ({ ...m, version: 2 })],
    ['dims: missing, expected an integer from 1 to 4096', ({ dims: _, ...m }) => m],
    ['k: expected an integer >= 1, got 0', (m) => ({ ...m, k: 0 })],
    ['extra: unknown field', (m) => ({ ...m, extra: true })],
    ['trainedOn.captures[0]: expected a string, got number', (m) => ({ ...m, trainedOn: { ...m.trainedOn, captures: [7] } })],
    ['centroids[1][0]: expected a finite number, got "x"', (m) => ({ ...m, centroids: [[0, 0], ['x', 0], [0, 1]] })],
    ['centroids[2][1]: expected a finite number, got number', (m) => ({ ...m, centroids: [[0, 0], [1, 0], [0, NaN]] })],
    ['centroids: expected 3 centroids (k), got 2', (m) => ({ ...m, centroids: [[0, 0], [1, 0]] })],
    ['centroids[1]: expected 2 numbers (dims), got 3', (m) => ({ ...m, centroids: [[0, 0], [1, 0, 0], [0, 1]] })],
    ['documentFrequencies.df.disk: expected an integer >= 0, got -1', (m) => ({ ...m, documentFrequencies: { documents: 5, df: { disk: -1 } } })],
    ['documentFrequencies.df.pod: 6 exceeds documents (5)', (m) => ({ ...m, documentFrequencies: { documents: 5, df: { pod: 6 } } })],
  ])('refuses with "%s"', (message, mutate) => {
    expect(() => parseKmeansModel(mutate(valid()))).toThrow(new Error(message));
  });
});

describe('assignCluster', () => {
  const model = parseKmeansModel(valid());

  it.each([
    [[0.1, 0.1], 0],
    [[0.9, 0.2], 1],
    [[-1, 5], 2],
  ])('assigns %j to the nearest centroid, %i', (features, cluster) => {
    expect(assignCluster(model, features)).toBe(cluster);
  });

  it('gives a tie to the lowest index', () => {
    expect(assignCluster(model, [1, 1])).toBe(1); // as far from [1,0] as from [0,1]
    expect(assignCluster({ ...model, centroids: [[1, 1], [1, 1], [0, 0]] }, [1, 1])).toBe(0);
  });

  it('refuses features of the wrong length', () => {
    expect(() => assignCluster(model, [1, 2, 3])).toThrow(RangeError);
  });
});

describe('toKmeansModelJson', () => {
  it('rounds to 6 decimals, writes no -0, and round-trips to the same bytes', () => {
    const text = toKmeansModelJson({ ...valid(), centroids: [[0.12345678, -0.0000001], [1 / 3, 2 / 3], [0, 1]] });
    const parsed = parseKmeansModel(JSON.parse(text));
    expect(parsed.centroids).toEqual([[0.123457, 0], [0.333333, 0.666667], [0, 1]]);
    expect(text).not.toContain('-0,');
    expect(toKmeansModelJson(parsed)).toBe(text);
  });

  it('writes keys in a fixed order and the terms sorted, one per line', () => {
    const m = valid();
    const text = toKmeansModelJson({ ...m, documentFrequencies: { documents: 5, df: { pod: 5, disk: 2 } } });
    expect(Object.keys(JSON.parse(text))).toEqual(['version', 'dims', 'k', 'trainedOn', 'centroids', 'documentFrequencies']);
    expect(text).toContain('    "df": {\n      "disk": 2,\n      "pod": 5\n    }');
  });
});

describe('models/kmeans.json', () => {
  const model = parseKmeansModel(JSON.parse(readFileSync(new URL('../../../../models/kmeans.json', import.meta.url), 'utf8')));

  it('is a valid model in the canonical format', () => {
    expect(toKmeansModelJson(model)).toBe(readFileSync(new URL('../../../../models/kmeans.json', import.meta.url), 'utf8'));
  });

  it('serves as a TextIndex prior', () => {
    const index = new TextIndex({ prior: model.documentFrequencies });
    expect(index.documents).toBe(model.documentFrequencies.documents);
    expect(index.idf('pod')).toBeLessThan(index.idf('never-seen-term'));
  });
});
