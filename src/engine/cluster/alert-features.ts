import type { LabelSet } from '../../model/index.js';

/** Default length of an alert's feature vector. */
export const DEFAULT_FEATURE_DIMS = 64;

/** Labels whose values say what kind of alert this is (not where it fires), with their weight. */
const VALUE_LABELS: ReadonlyArray<readonly [string, number]> = [
  ['alertname', 3],
  ['severity', 1],
  ['job', 1],
];

/**
 * A fixed-length numeric description of an alert for k-means, by feature hashing: each feature is hashed
 * (FNV-1a 32) to one of `dims` slots with a sign taken from the hash (so collisions cancel out on average rather
 * than pile up), then the vector is L2-normalised (all zeros when there is nothing to hash). Features:
 *
 * - each term of the alert's text (`tokens`, from `tokenize(alertText(…))`), weight 1 per occurrence;
 * - the values of `alertname` (weight 3), `severity` and `job`;
 * - the names of all its labels (`pod`, `device`, `topic`, …), which tell what exporter and what kind of object
 *   an alert is about, without the values that make each alert unique.
 *
 * Deterministic and pure. Changing what goes in, or the weights, makes trained models meaningless: bump
 * `KmeansModel.version` with it.
 */
export function alertFeatures(tokens: readonly string[], labels: LabelSet, dims: number = DEFAULT_FEATURE_DIMS): number[] {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims: expected an integer >= 1, got ${dims}`);
  const v = new Array<number>(dims).fill(0);
  for (const t of tokens) addHashed(v, `t:${t}`, 1);
  for (const [name, weight] of VALUE_LABELS) {
    const value = labels[name];
    if (value !== undefined) addHashed(v, `${name}=${value}`, weight);
  }
  // Weights are small integers, so every slot's sum is exact whatever the order: label order needs no sort.
  for (const name of Object.keys(labels)) addHashed(v, `l:${name}`, 1);
  let sq = 0;
  for (const x of v) sq += x * x;
  if (sq === 0) return v;
  const norm = Math.sqrt(sq);
  for (let i = 0; i < dims; i++) v[i] = (v[i] as number) / norm;
  return v;
}

function addHashed(v: number[], feature: string, weight: number): void {
  const h = fnv1a32(feature);
  const slot = h % v.length;
  v[slot] = (v[slot] as number) + (h & 0x80000000 ? -weight : weight);
}

/**
 * FNV-1a 32 over UTF-16 code units, as an unsigned integer. Not Alertmanager's fingerprint (that one is 64-bit over
 * UTF-8 and returns hex): this one only has to be stable and cheap, and Math.imul keeps it in small integers.
 */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
