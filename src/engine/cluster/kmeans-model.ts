import { Type, type Static } from '@sinclair/typebox';
import { compileSchema, formatPath } from '../../model/schema.js';

const Count = Type.Integer({ minimum: 0 });

const KmeansModelSchema = Type.Object(
  {
    version: Type.Literal(1),
    dims: Type.Integer({ minimum: 1, maximum: 4096 }),
    k: Type.Integer({ minimum: 1 }),
    trainedOn: Type.Object(
      {
        captures: Type.Array(Type.String()),
        alerts: Count,
        seed: Type.Integer(),
        iterations: Count,
      },
      { additionalProperties: false },
    ),
    // TypeBox's Number already refuses NaN and ±Infinity; `expected` makes the message say so.
    centroids: Type.Array(Type.Array(Type.Number({ expected: 'a finite number' }))),
    documentFrequencies: Type.Object(
      { documents: Count, df: Type.Record(Type.String(), Count) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/**
 * A trained k-means model over {@link alertFeatures} vectors (models/kmeans.json): `k` centroids of `dims`
 * numbers each, what it was trained on, and the document frequencies of the training alerts' terms, a prior for
 * the text index. Version 1 means the features of alert-features.ts as they are now; changing them bumps it.
 */
export type KmeansModel = Static<typeof KmeansModelSchema>;

const checkModel = compileSchema(KmeansModelSchema);

/**
 * Validates a parsed model file. Throws a plain Error naming the first problem with its path
 * (`centroids[3]: expected 64 numbers (dims), got 12`); the config loader adds the file name.
 */
export function parseKmeansModel(raw: unknown): KmeansModel {
  const problem = checkModel(raw, '');
  if (problem !== null) throw new Error(problem);
  const m = raw as KmeansModel;
  if (m.centroids.length !== m.k) throw new Error(`centroids: expected ${m.k} centroids (k), got ${m.centroids.length}`);
  for (let c = 0; c < m.centroids.length; c++) {
    const centroid = m.centroids[c] as number[];
    if (centroid.length !== m.dims) {
      throw new Error(`${formatPath('centroids', [c])}: expected ${m.dims} numbers (dims), got ${centroid.length}`);
    }
  }
  const { documents, df } = m.documentFrequencies;
  for (const [term, n] of Object.entries(df)) {
    if (n > documents) throw new Error(`${formatPath('documentFrequencies.df', [term])}: ${n} exceeds documents (${documents})`);
  }
  return m;
}

/**
 * The index of the centroid nearest to `features` (squared Euclidean distance); a tie goes to the lowest index.
 * `features` must have `model.dims` numbers.
 */
export function assignCluster(model: KmeansModel, features: readonly number[]): number {
  if (features.length !== model.dims) throw new RangeError(`features: expected ${model.dims} numbers, got ${features.length}`);
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < model.centroids.length; c++) {
    const centroid = model.centroids[c] as number[];
    let d = 0;
    for (let i = 0; i < centroid.length; i++) {
      const diff = (features[i] as number) - (centroid[i] as number);
      d += diff * diff;
    }
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

/** Decimal places kept in a model file: far below any distance that matters, and the file diffs well. */
export const MODEL_DECIMALS = 6;

/**
 * The model file's text: fixed key order, numbers rounded to {@link MODEL_DECIMALS} places, one centroid and one
 * term per line, so that retraining shows as a readable diff. The same model always gives the same bytes.
 */
export function toKmeansModelJson(model: KmeansModel): string {
  const round = (x: number): number => {
    const r = Math.round(x * 10 ** MODEL_DECIMALS) / 10 ** MODEL_DECIMALS;
    return r === 0 ? 0 : r; // no "-0"
  };
  const { documents, df } = model.documentFrequencies;
  const terms = Object.keys(df).sort();
  const t = model.trainedOn;
  return [
    '{',
    `  "version": ${model.version},`,
    `  "dims": ${model.dims},`,
    `  "k": ${model.k},`,
    `  "trainedOn": ${JSON.stringify({ captures: t.captures, alerts: t.alerts, seed: t.seed, iterations: t.iterations })},`,
    '  "centroids": [',
    model.centroids.map((c) => `    ${JSON.stringify(c.map(round))}`).join(',\n'),
    '  ],',
    '  "documentFrequencies": {',
    `    "documents": ${documents},`,
    terms.length === 0 ? '    "df": {}' : '    "df": {',
    ...(terms.length === 0 ? [] : [terms.map((term) => `      ${JSON.stringify(term)}: ${df[term] as number}`).join(',\n'), '    }']),
    '  }',
    '}',
    '',
  ].join('\n');
}
