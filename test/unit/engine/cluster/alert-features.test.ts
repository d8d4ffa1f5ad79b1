import { describe, expect, it } from 'vitest';
import { alertFeatures, DEFAULT_FEATURE_DIMS, fnv1a32 } from '../../../../src/engine/cluster/index.js';
import { alertText, tokenize } from '../../../../src/engine/text/index.js';
import type { LabelSet } from '../../../../src/model/index.js';

function features(labels: LabelSet, annotations: LabelSet = {}, dims?: number): number[] {
  return alertFeatures(tokenize(alertText(labels, annotations)), labels, dims);
}

const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const distance = (a: number[], b: number[]): number => Math.sqrt(a.reduce((s, x, i) => s + (x - (b[i] as number)) ** 2, 0));

const crashA = { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'checkout-7d9f8b6c5d-x2x7q', severity: 'warning' };
const crashB = { alertname: 'KubePodCrashLooping', namespace: 'billing', pod: 'invoice-5c6b7d8f9g-k2m4n', severity: 'warning' };
const disk = { alertname: 'NodeFilesystemSpaceFillingUp', instance: 'node-3', device: '/dev/sda1', mountpoint: '/', severity: 'critical' };

describe('alertFeatures', () => {
  it(`has ${DEFAULT_FEATURE_DIMS} dimensions by default, or as many as asked`, () => {
    expect(features(crashA)).toHaveLength(DEFAULT_FEATURE_DIMS);
    expect(features(crashA, {}, 16)).toHaveLength(16);
  });

  it('is L2-normalised', () => {
    expect(norm(features(crashA, { summary: 'Pod is crash looping.' }))).toBeCloseTo(1, 12);
    expect(norm(features(disk))).toBeCloseTo(1, 12);
  });

  it('is deterministic, and label order does not matter', () => {
    const reordered = Object.fromEntries(Object.entries(crashA).reverse());
    expect(features(crashA)).toEqual(features(crashA));
    expect(features(reordered)).toEqual(features(crashA));
  });

  it('is all zeros when there is nothing to hash', () => {
    expect(alertFeatures([], {}, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('puts the same alert in two namespaces closer together than two different alerts', () => {
    expect(distance(features(crashA), features(crashB))).toBeLessThan(distance(features(crashA), features(disk)));
  });

  it('refuses a dimension count that is not a positive integer', () => {
    expect(() => alertFeatures([], {}, 0)).toThrow(RangeError);
  });
});

describe('fnv1a32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('matches the FNV-1a 32 test vector for %j', (s, h) => {
    expect(fnv1a32(s)).toBe(h);
  });
});
