import type { LabelSet } from './labels.js';

/** One topology entity (CONTRACT §3): an alert binds to the entity whose labels it carries. */
export interface Entity {
  readonly id: string;
  readonly kind: string;
  readonly labels: LabelSet;
}

/** `from` depends on `to` (`calls`, `uses`, `runs_on`, …): trouble flows from `to` up to `from`. */
export interface Relation {
  readonly from: string;
  readonly to: string;
  readonly type: string;
}

/** The topology as loaded from `topology.yaml`; empty when the file is missing. */
export interface Topology {
  readonly entities: readonly Entity[];
  readonly relations: readonly Relation[];
}

export const EMPTY_TOPOLOGY: Topology = Object.freeze({ entities: Object.freeze([]), relations: Object.freeze([]) });
