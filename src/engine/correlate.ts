import type { Instant } from '../model/index.js';
import type { AlertRecord } from './alert-store.js';
import type { IncidentRecord, IncidentStore } from './incident-store.js';
import type { TopologyIndex } from './topology-index.js';

/** An alert with what binding found for it: the correlators' input. */
export interface BoundAlert {
  readonly record: AlertRecord;
  readonly entity: string | null;
  /** The fallback grouping key, e.g. `{cluster="eu-1", namespace="shop"}`. */
  readonly group: string;
}

/** Why an alert belongs to an incident, and how strongly (0–1). Goes on the timeline verbatim. */
export interface Score {
  readonly score: number;
  readonly reason: string;
}

/**
 * A Correlator proposes which open incident an alert belongs to. Pure, synchronous, deterministic.
 * `candidates` narrows the search through the store's indexes so that scoring never scans every incident.
 */
export interface Correlator {
  readonly name: string;
  candidates(alert: BoundAlert, incidents: IncidentStore): readonly IncidentRecord[];
  score(alert: BoundAlert, incident: IncidentRecord, now: Instant): Score | null;
}

/** Groups alerts whose entities are the same or directly related (CONTRACT §3 relations), within a time window. */
export function createTopologyCorrelator(topology: TopologyIndex, windowMs: number): Correlator {
  return {
    name: 'topology',
    candidates(alert, incidents) {
      if (alert.entity === null) return [];
      const out = incidents.openWithEntity(alert.entity);
      for (const r of topology.dependencies(alert.entity)) out.push(...incidents.openWithEntity(r.to));
      for (const r of topology.dependents(alert.entity)) out.push(...incidents.openWithEntity(r.from));
      return out;
    },
    score(alert, incident, now) {
      if (alert.entity === null || now - incident.lastFiringAt > windowMs) return null;
      if (incident.entities.includes(alert.entity)) {
        return { score: 1, reason: `same entity ${alert.entity}` };
      }
      for (const e of incident.entities) {
        const r = topology.relationBetween(alert.entity, e);
        if (r !== undefined) return { score: 0.8, reason: `${r.from} ${r.type} ${r.to}` };
      }
      return null;
    },
  };
}

/** The fallback for alerts bound to no entity: same grouping labels (cluster and namespace by default) within a time window. */
export function createGroupCorrelator(windowMs: number): Correlator {
  return {
    name: 'group',
    candidates(alert, incidents) {
      // An alert bound to an entity is topology's to place: unrelated services sharing a namespace stay apart.
      if (alert.entity !== null) return [];
      return incidents.openWithGroup(alert.group);
    },
    score(alert, incident, now) {
      if (alert.entity !== null || now - incident.lastFiringAt > windowMs) return null;
      if (!incident.groups.includes(alert.group)) return null;
      return { score: 0.5, reason: `same labels ${alert.group}` };
    },
  };
}

/**
 * Runs the correlators and returns the best incident for the alert, or null for "open a new one".
 * Ties go to the older incident, so the choice never depends on iteration order.
 */
export function chooseIncident(
  correlators: readonly Correlator[],
  alert: BoundAlert,
  incidents: IncidentStore,
  now: Instant,
): { incident: IncidentRecord; score: Score; correlator: string } | null {
  let best: { incident: IncidentRecord; score: Score; correlator: string } | null = null;
  for (const c of correlators) {
    for (const inc of c.candidates(alert, incidents)) {
      const s = c.score(alert, inc, now);
      if (s === null) continue;
      if (
        best === null ||
        s.score > best.score.score ||
        (s.score === best.score.score && inc.seq < best.incident.seq)
      ) {
        best = { incident: inc, score: s, correlator: c.name };
      }
    }
  }
  return best;
}
