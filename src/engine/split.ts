import type { Instant } from '../model/index.js';
import type { IncidentRecord } from './incident-store.js';
import { PLACEMENT_KINDS } from './cause.js';
import type { TopologyIndex } from './topology-index.js';

/** Part of an open incident that a newly failing entity explains better than the incident's own cause does. */
export interface Split {
  /** The incident's entities whose alerts move to the new cause's incident. */
  readonly entities: readonly string[];
  /** The incident's cause, which those entities do not depend on. */
  readonly keptCause: string;
  readonly reason: string;
}

/** How deep dependency chains are followed: caller → service → datastore → node is three hops. */
const MAX_HOPS = 4;

/**
 * Decides whether `cause`, a topology entity that just started failing at `startedAt`, splits `inc`: two faults
 * that overlap in time. It does when the incident's root cause and `cause` are independent (neither depends on the
 * other, so one cannot explain the other) and some of the incident's entities depend on `cause` but not on the
 * incident's root cause: their trouble is `cause`'s, and they only sit here because they failed first (a symptom's
 * alert often fires before its cause's). Callers of both stay, as do entities that started failing more than
 * `windowMs` before `cause` did, which `cause` cannot have caused. Pure: reads the incident and the topology only.
 */
export function findSplit(
  inc: IncidentRecord,
  cause: string,
  startedAt: Instant,
  windowMs: number,
  topology: TopologyIndex,
  failing: (entity: string) => boolean,
): Split | null {
  const kept = inc.rootCause?.entity;
  const keptKind = kept === undefined ? undefined : topology.entity(kept)?.kind;
  if (kept === undefined || kept === cause || keptKind === undefined) return null;
  // A node, zone or cluster takes down whatever was scheduled on it, which topology's call graph does not say
  // (runs_on is often missing or stale): "does not depend on it" cannot be told, so its incidents do not split.
  if (PLACEMENT_KINDS.has(keptKind)) return null;
  // While a burst goes on, many entities failing at once is one fault whatever the call graph says.
  if (inc.burst !== null) return null;
  if (inc.entityStarts[cause] !== undefined) return null;
  if (dependsOn(kept, cause, topology, failing) || dependsOn(cause, kept, topology, failing)) return null;
  const entities = inc.entities.filter(
    (e) =>
      e !== kept &&
      (inc.entityStarts[e] as number) >= startedAt - windowMs &&
      dependsOn(e, cause, topology, failing) &&
      !dependsOn(e, kept, topology, failing),
  );
  if (entities.length === 0) return null;
  return {
    entities,
    keptCause: kept,
    reason: `${entities.join(', ')} depend on ${cause}, which started failing, and not on ${kept}, this incident's cause`,
  };
}

/**
 * Whether trouble at `to` can reach `from` through relations (calls, uses, runs_on, …): directly, or through
 * intermediate entities that are `failing` themselves, at most {@link MAX_HOPS} deep. A healthy service in between
 * stops the path: in a dense call graph nearly everything depends on everything, but faults travel only through
 * what is failing.
 */
export function dependsOn(from: string, to: string, topology: TopologyIndex, failing: (entity: string) => boolean): boolean {
  let frontier = [from];
  const seen = new Set(frontier);
  for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const e of frontier) {
      for (const r of topology.dependencies(e)) {
        if (r.to === to) return true;
        if (!seen.has(r.to) && failing(r.to)) {
          seen.add(r.to);
          next.push(r.to);
        }
      }
    }
    frontier = next;
  }
  return false;
}

/** The entities that depend on `cause`, at most {@link MAX_HOPS} deep: where its symptoms show. */
export function dependentsOf(cause: string, topology: TopologyIndex): string[] {
  let frontier = [cause];
  const seen = new Set(frontier);
  for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const e of frontier) {
      for (const r of topology.dependents(e)) {
        if (!seen.has(r.from)) {
          seen.add(r.from);
          next.push(r.from);
        }
      }
    }
    frontier = next;
  }
  seen.delete(cause);
  return [...seen];
}
