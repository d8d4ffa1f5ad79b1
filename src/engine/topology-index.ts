import type { Entity, LabelSet, Relation, Topology } from '../model/index.js';

/**
 * A topology compiled for lookups on the hot path: which entity an alert's labels bind to, and which entities
 * are directly related. Built once per configuration; immutable.
 */
export class TopologyIndex {
  readonly size: number;
  private readonly entities = new Map<string, Entity>();
  /** `name\0value` → indexes of entities that require that label. */
  private readonly byLabel = new Map<string, number[]>();
  private readonly list: readonly Entity[];
  private readonly labelCounts: readonly number[];
  private readonly out = new Map<string, Relation[]>();
  private readonly in = new Map<string, Relation[]>();

  constructor(topology: Topology) {
    this.list = topology.entities;
    this.size = topology.entities.length;
    const counts: number[] = [];
    topology.entities.forEach((e, i) => {
      this.entities.set(e.id, e);
      const names = Object.keys(e.labels);
      counts.push(names.length);
      for (const n of names) {
        const key = `${n}\0${e.labels[n]}`;
        const arr = this.byLabel.get(key);
        if (arr === undefined) this.byLabel.set(key, [i]);
        else arr.push(i);
      }
    });
    this.labelCounts = counts;
    for (const r of topology.relations) {
      push(this.out, r.from, r);
      push(this.in, r.to, r);
    }
  }

  entity(id: string): Entity | undefined {
    return this.entities.get(id);
  }

  /**
   * The entity whose labels the alert carries, most labels matched winning (CONTRACT §3); the earlier entity in
   * `topology.yaml` wins a tie, so binding never depends on map iteration order. Null when none matches.
   */
  bind(labels: LabelSet): string | null {
    if (this.size === 0) return null;
    const hits = new Map<number, number>();
    for (const n in labels) {
      const arr = this.byLabel.get(`${n}\0${labels[n]}`);
      if (arr === undefined) continue;
      for (const i of arr) hits.set(i, (hits.get(i) ?? 0) + 1);
    }
    let best = -1;
    let bestCount = 0;
    for (const [i, count] of hits) {
      if (count !== this.labelCounts[i]) continue; // the entity needs all of its labels
      if (count > bestCount || (count === bestCount && i < best)) {
        best = i;
        bestCount = count;
      }
    }
    return best < 0 ? null : (this.list[best] as Entity).id;
  }

  /** Relations where `id` depends on something. */
  dependencies(id: string): readonly Relation[] {
    return this.out.get(id) ?? [];
  }

  /** Relations where something depends on `id`. */
  dependents(id: string): readonly Relation[] {
    return this.in.get(id) ?? [];
  }


}

function push(m: Map<string, Relation[]>, k: string, r: Relation): void {
  const arr = m.get(k);
  if (arr === undefined) m.set(k, [r]);
  else arr.push(r);
}
