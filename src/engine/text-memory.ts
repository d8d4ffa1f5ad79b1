import type { LabelSet } from '../model/index.js';
import { Centroid, TextIndex, Tokenizer, alertText, type CentroidJSON, type SparseVector, type TextIndexJSON } from './text/index.js';

/** TextMemory's snapshot. `index` alone is the older form: one index for every cluster. */
export interface TextMemoryState {
  readonly index?: TextIndexJSON;
  /** Per k8s cluster ('' for alerts without one), its document frequencies. */
  readonly indexes?: Record<string, TextIndexJSON>;
  readonly centroids: Record<string, CentroidJSON>;
}

/**
 * What the incidents say, as TF-IDF: one document per alert (alertname, summary, description) and, per incident,
 * the sum of its alerts' vectors. Tickets and new alerts are compared against those sums. Document frequencies
 * grow in event order, so replays compute the same numbers; the stem cache is derived and not saved.
 *
 * Document frequencies are counted per k8s cluster: text never correlates across clusters, and with counts of its
 * own a cluster's vectors are the same whether one engine sees every cluster or each has its own (Kafka mode).
 */
export class TextMemory {
  private readonly tokenizer = new Tokenizer();
  private readonly indexes = new Map<string, TextIndex>();
  /** An older snapshot's single index: each cluster starts from a copy of it. */
  private legacy: TextIndexJSON | null = null;
  private readonly centroids = new Map<string, Centroid>();

  /** Tokenizes and vectorizes an alert's text, counting it as a document of its cluster. */
  observeAlert(labels: LabelSet, annotations: LabelSet): { tokens: string[]; vector: SparseVector } {
    const tokens = this.tokenizer.tokenize(alertText(labels, annotations));
    const index = this.index(labels['cluster'] ?? '');
    index.add(tokens);
    return { tokens, vector: index.vector(tokens) };
  }

  /** An alert's tokens, without counting it as a document (an alert placed before, read again). */
  tokensOf(labels: LabelSet, annotations: LabelSet): string[] {
    return this.tokenizer.tokenize(alertText(labels, annotations));
  }

  /** Vectorizes any text (a ticket) with a cluster's document frequencies, without counting it as a document. */
  vector(text: string, cluster: string): SparseVector {
    return this.index(cluster).vector(this.tokenizer.tokenize(text));
  }

  addToIncident(incident: string, v: SparseVector): void {
    let c = this.centroids.get(incident);
    if (c === undefined) {
      c = new Centroid();
      this.centroids.set(incident, c);
    }
    c.add(v);
  }

  /** Cosine of `v` against the incident's alerts; 0 for an incident without text. */
  similarity(incident: string, v: SparseVector): number {
    return this.centroids.get(incident)?.cosine(v) ?? 0;
  }

  /** Follows a merge: `from`'s sum is added to `into`'s. */
  merge(into: string, from: string): void {
    const f = this.centroids.get(from);
    if (f === undefined) return;
    const json = f.toJSON();
    this.addToIncident(into, { terms: json.terms, weights: json.sums });
    this.centroids.delete(from);
  }

  /**
   * Recomputes an incident's sum from its alerts (after a split moved some away), vectorized with today's
   * document frequencies and without counting them as documents again.
   */
  rebuild(incident: string, alerts: ReadonlyArray<{ readonly labels: LabelSet; readonly annotations: LabelSet }>): void {
    const c = new Centroid();
    for (const a of alerts) c.add(this.index(a.labels['cluster'] ?? '').vector(this.tokensOf(a.labels, a.annotations)));
    this.centroids.set(incident, c);
  }

  forget(incident: string): void {
    this.centroids.delete(incident);
  }

  toJSON(): TextMemoryState {
    const centroids: Record<string, CentroidJSON> = {};
    for (const [id, c] of this.centroids) centroids[id] = c.toJSON();
    const indexes: Record<string, TextIndexJSON> = {};
    for (const k of [...this.indexes.keys()].sort()) indexes[k] = (this.indexes.get(k) as TextIndex).toJSON();
    return { ...(this.legacy === null ? {} : { index: this.legacy }), indexes, centroids };
  }

  restore(state: TextMemoryState): void {
    this.indexes.clear();
    this.legacy = state.index ?? null;
    for (const [k, json] of Object.entries(state.indexes ?? {})) this.indexes.set(k, TextIndex.fromJSON(json));
    this.centroids.clear();
    for (const [id, c] of Object.entries(state.centroids)) this.centroids.set(id, Centroid.fromJSON(c));
  }

  private index(cluster: string): TextIndex {
    let index = this.indexes.get(cluster);
    if (index === undefined) {
      index = this.legacy === null ? new TextIndex() : TextIndex.fromJSON(this.legacy);
      this.indexes.set(cluster, index);
    }
    return index;
  }
}
