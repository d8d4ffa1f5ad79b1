import type { Instant } from '../model/index.js';
import type { IncidentRecord } from './incident-store.js';
import { PLACEMENT_KINDS, entityKind } from './cause.js';
import type { Proposal } from './correlate.js';
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

/**
 * Whether `inc` opened before a deploy of `entity` at `deployedAt` and holds no ongoing trouble of that entity of its
 * own from before it (none at all, none firing, or only as part of a node's or cluster's incident): trouble on the
 * entity now is the deploy's, not this incident's.
 */
export function predatesDeploy(inc: IncidentRecord, entity: string, deployedAt: Instant, topology: TopologyIndex): boolean {
  if (inc.openedAt >= deployedAt) return false;
  const before = inc.entityStarts[entity];
  if (before === undefined) return true;
  if (before >= deployedAt) return false;
  const placed = inc.burst !== null || PLACEMENT_KINDS.has(entityKind(inc.rootCause?.entity ?? '', topology));
  return placed || (inc.entityFiring?.[entity] ?? 0) === 0;
}

/**
 * Whether only the topology relates an alert to two incidents whose root causes are topology entities neither of
 * which can have caused the other, even through the alert's own entity: it is then a shared caller of two faults,
 * and must not merge them.
 */
export function sharedCallerOnly(
  a: Proposal,
  b: Proposal,
  alertEntity: string | null,
  topology: TopologyIndex,
  failing: (entity: string) => boolean,
): boolean {
  if (a.correlator !== 'topology' || b.correlator !== 'topology') return false;
  const x = a.incident.rootCause?.entity;
  const y = b.incident.rootCause?.entity;
  if (x === undefined || y === undefined || x === y) return false;
  if (topology.entity(x) === undefined || topology.entity(y) === undefined) return false;
  // The alert's own entity is failing too: it may be the link between the two (a caller of one, a user of the other).
  const viaAlert = (e: string): boolean => e === alertEntity || failing(e);
  return !dependsOn(x, y, topology, viaAlert) && !dependsOn(y, x, topology, viaAlert);
}
