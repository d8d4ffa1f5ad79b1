/**
 * A sparse vector over terms: `terms` strictly ascending (UTF-16 code-unit order), `weights[i]` the weight of
 * `terms[i]`. Plain data, so it can go into a snapshot as is; the fixed order makes every sum over it deterministic.
 */
export interface SparseVector {
  readonly terms: readonly string[];
  readonly weights: readonly number[];
}

/** Document frequencies learnt elsewhere (a trained model): how many documents, and how many held each term. */
export interface DocumentFrequencies {
  readonly documents: number;
  readonly df: Readonly<Record<string, number>>;
}

/** Options of a {@link TextIndex}. */
export interface TextIndexOptions {
  /** Most distinct terms the index counts (default {@link DEFAULT_MAX_TERMS}); later new terms are not counted. */
  readonly maxTerms?: number;
  /** Starting counts, so that the first alerts after a cold start already get sensible idf. */
  readonly prior?: DocumentFrequencies;
}

/** A {@link TextIndex} as plain data, for engine snapshots. `terms` ascending, `df[i]` belongs to `terms[i]`. */
export interface TextIndexJSON {
  readonly version: 1;
  readonly maxTerms: number;
  readonly documents: number;
  readonly terms: readonly string[];
  readonly df: readonly number[];
}

/** Default vocabulary cap: 50k terms of ~10 characters is a few MB, whatever the alert volume. */
export const DEFAULT_MAX_TERMS = 50_000;

/**
 * Incremental TF-IDF over alert and ticket texts. Each `add` counts one document; `vector` weighs a document's
 * terms by the counts so far:
 *
 *   tf(t)  = occurrences of t in the document (raw count)
 *   idf(t) = ln((1 + N) / (1 + df(t))) + 1        (N documents added, df(t) of them held t; smoothed as in
 *                                                 scikit-learn, so an unseen term gets the largest idf, never ∞)
 *   w(t)   = tf(t) · idf(t), then the vector is L2-normalised.
 *
 * Memory is bounded: once `maxTerms` distinct terms are counted, new terms are not added (terms already counted
 * keep counting). A term left out weighs as an unseen one. Stopping, rather than evicting, keeps the rule trivially
 * deterministic and keeps the terms that came first, which for alerts are the recurring alert names.
 *
 * Deterministic: the same sequence of `add`s gives the same vectors, and so does `fromJSON(toJSON())`.
 */
export class TextIndex {
  readonly maxTerms: number;
  #documents: number;
  readonly #df: Map<string, number>;

  constructor(options: TextIndexOptions = {}) {
    const maxTerms = options.maxTerms ?? DEFAULT_MAX_TERMS;
    if (!Number.isInteger(maxTerms) || maxTerms < 0) throw new RangeError(`maxTerms: expected an integer >= 0, got ${maxTerms}`);
    this.maxTerms = maxTerms;
    this.#documents = 0;
    this.#df = new Map();
    if (options.prior !== undefined) this.#seed(options.prior);
  }

  /** How many documents were added (including the prior's). */
  get documents(): number {
    return this.#documents;
  }

  /** How many distinct terms are counted; at most `maxTerms`. */
  get vocabularySize(): number {
    return this.#df.size;
  }

  /** Counts one document: N + 1, and df + 1 for each distinct term in it. */
  add(docTokens: readonly string[]): void {
    this.#documents++;
    const seen = new Set<string>();
    for (const t of docTokens) {
      if (seen.has(t)) continue;
      seen.add(t);
      const df = this.#df.get(t);
      if (df !== undefined) this.#df.set(t, df + 1);
      else if (this.#df.size < this.maxTerms) this.#df.set(t, 1);
    }
  }

  /** How many added documents held `term` (0 when unseen or left out by the cap). */
  documentFrequency(term: string): number {
    return this.#df.get(term) ?? 0;
  }

  /** ln((1 + N) / (1 + df(term))) + 1. */
  idf(term: string): number {
    return Math.log((1 + this.#documents) / (1 + (this.#df.get(term) ?? 0))) + 1;
  }

  /** The L2-normalised tf-idf vector of a document's terms; empty for no terms. Does not add the document. */
  vector(tokens: readonly string[]): SparseVector {
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    const terms = [...tf.keys()].sort();
    const weights = terms.map((t) => (tf.get(t) as number) * this.idf(t));
    let sq = 0;
    for (const w of weights) sq += w * w;
    const norm = Math.sqrt(sq);
    for (let i = 0; i < weights.length; i++) weights[i] = (weights[i] as number) / norm;
    return { terms, weights };
  }

  /** The counts as a prior for another index (what a trained model stores). Keys ascending. */
  documentFrequencies(): DocumentFrequencies {
    const df: Record<string, number> = {};
    for (const t of [...this.#df.keys()].sort()) df[t] = this.#df.get(t) as number;
    return { documents: this.#documents, df };
  }

  /** The index as plain data; `fromJSON` restores it exactly. */
  toJSON(): TextIndexJSON {
    const terms = [...this.#df.keys()].sort();
    return { version: 1, maxTerms: this.maxTerms, documents: this.#documents, terms, df: terms.map((t) => this.#df.get(t) as number) };
  }

  /** Restores an index from `toJSON()` output. Throws on data no `toJSON()` could have written (a bug). */
  static fromJSON(json: TextIndexJSON): TextIndex {
    if (json.version !== 1) throw new Error(`TextIndex snapshot: unknown version ${String(json.version)}`);
    if (json.terms.length !== json.df.length) throw new Error('TextIndex snapshot: terms and df differ in length');
    if (json.terms.length > json.maxTerms) throw new Error('TextIndex snapshot: more terms than maxTerms');
    const index = new TextIndex({ maxTerms: json.maxTerms });
    index.#documents = checkCount(json.documents, 'documents');
    for (let i = 0; i < json.terms.length; i++) {
      index.#df.set(json.terms[i] as string, checkCount(json.df[i] as number, 'df'));
    }
    return index;
  }

  /** Loads a prior. Past the cap, the terms with the highest df win; ties go to the lower term, so it is stable. */
  #seed(prior: DocumentFrequencies): void {
    this.#documents = checkCount(prior.documents, 'prior.documents');
    const entries = Object.entries(prior.df);
    for (const [t, df] of entries) {
      if (checkCount(df, `prior.df[${JSON.stringify(t)}]`) > prior.documents) {
        throw new RangeError(`prior.df[${JSON.stringify(t)}]: ${df} exceeds prior.documents ${prior.documents}`);
      }
    }
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [t, df] of entries.slice(0, this.maxTerms)) this.#df.set(t, df);
  }
}

function checkCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: expected an integer >= 0, got ${n}`);
  return n;
}

/** Cosine similarity of two sparse vectors (any norms): 1 for the same direction, 0 when they share no term or one is empty. */
export function cosine(a: SparseVector, b: SparseVector): number {
  let dot = 0;
  let i = 0;
  let j = 0;
  while (i < a.terms.length && j < b.terms.length) {
    const ta = a.terms[i] as string;
    const tb = b.terms[j] as string;
    if (ta === tb) dot += (a.weights[i++] as number) * (b.weights[j++] as number);
    else if (ta < tb) i++;
    else j++;
  }
  if (dot === 0) return 0;
  return dot / (norm(a) * norm(b));
}

function norm(v: SparseVector): number {
  let sq = 0;
  for (const w of v.weights) sq += w * w;
  return Math.sqrt(sq);
}

/** A {@link Centroid} as plain data: `terms` ascending, `sums[i]` the summed weight of `terms[i]`. */
export interface CentroidJSON {
  readonly count: number;
  /** Kept, not recomputed, so that a restored centroid scores bit for bit like the original. */
  readonly normSq: number;
  readonly terms: readonly string[];
  readonly sums: readonly number[];
}

/**
 * The running sum of the vectors of one group (an incident's alerts): add a vector, score a vector against the
 * sum. Cosine against the sum equals cosine against the mean, so no division is needed. Cost per call is the size
 * of the vector, not of the group; its memory is one number per distinct term of the group.
 */
export class Centroid {
  #count = 0;
  #normSq = 0;
  readonly #sums = new Map<string, number>();

  /** How many vectors were added. */
  get count(): number {
    return this.#count;
  }

  /** Adds a vector to the sum. */
  add(v: SparseVector): void {
    this.#count++;
    for (let i = 0; i < v.terms.length; i++) {
      const t = v.terms[i] as string;
      const prev = this.#sums.get(t) ?? 0;
      const next = prev + (v.weights[i] as number);
      // Updated in the vector's (sorted) order, never by walking the map, so insertion order never matters.
      this.#normSq += next * next - prev * prev;
      this.#sums.set(t, next);
    }
  }

  /** Cosine of `v` against the sum; 0 while the centroid is empty or shares no term with `v`. */
  cosine(v: SparseVector): number {
    let dot = 0;
    for (let i = 0; i < v.terms.length; i++) {
      const s = this.#sums.get(v.terms[i] as string);
      if (s !== undefined) dot += (v.weights[i] as number) * s;
    }
    if (dot === 0 || this.#normSq <= 0) return 0;
    return dot / (norm(v) * Math.sqrt(this.#normSq));
  }

  /** The centroid as plain data; `fromJSON` restores it exactly. */
  toJSON(): CentroidJSON {
    const terms = [...this.#sums.keys()].sort();
    return { count: this.#count, normSq: this.#normSq, terms, sums: terms.map((t) => this.#sums.get(t) as number) };
  }

  /** Restores a centroid from `toJSON()` output. */
  static fromJSON(json: CentroidJSON): Centroid {
    if (json.terms.length !== json.sums.length) throw new Error('Centroid snapshot: terms and sums differ in length');
    const c = new Centroid();
    c.#count = json.count;
    c.#normSq = json.normSq;
    for (let i = 0; i < json.terms.length; i++) c.#sums.set(json.terms[i] as string, json.sums[i] as number);
    return c;
  }
}
