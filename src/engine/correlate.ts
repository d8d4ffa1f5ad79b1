import type { Instant } from '../model/index.js';
import type { AlertRecord } from './alert-store.js';
import type { IncidentRecord, IncidentStore } from './incident-store.js';
import type { CorrelatorSpec, PipelineOptions } from './options.js';
import type { TopologyIndex } from './topology-index.js';

/** An alert with what binding found for it: the correlators' input. */
export interface BoundAlert {
  readonly record: AlertRecord;
  /** A topology entity id, a label-derived identity, or null. */
  readonly entity: string | null;
  /** True when `entity` is a topology entity, so relations apply. */
  readonly inTopology: boolean;
  /** The labels correlator's grouping key, e.g. `{cluster="eu-1", namespace="shop"}`. */
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
  /** A proposal this strong from this correlator may bridge (merge) two incidents. */
  readonly bridges: boolean;
  candidates(alert: BoundAlert, incidents: IncidentStore): readonly IncidentRecord[];
  score(alert: BoundAlert, incident: IncidentRecord, now: Instant): Score | null;
}

/** Builds the correlators of a pipeline, in its order. */
export function createCorrelators(pipeline: PipelineOptions, topology: TopologyIndex): Correlator[] {
  return pipeline.correlators.map((spec) => createCorrelator(spec, topology));
}

function createCorrelator(spec: CorrelatorSpec, topology: TopologyIndex): Correlator {
  switch (spec.type) {
    case 'topology':
      return createTopologyCorrelator(spec, topology);
    case 'labels':
      return createLabelsCorrelator(spec);
  }
}

/**
 * Proximity in the topology, with direction: an alert joins an incident holding the same entity, an entity its own
 * depends on (a caller of a failing service, a user of a saturated datastore, a service on a dead node), or one that
 * depends on it. Only entities whose latest alert started within the window count, so a long-lived background
 * alert cannot pull later, unrelated trouble into its incident.
 */
export function createTopologyCorrelator(
  spec: Extract<CorrelatorSpec, { type: 'topology' }>,
  topology: TopologyIndex,
): Correlator {
  return {
    name: 'topology',
    bridges: true,
    candidates(alert, incidents) {
      if (alert.entity === null) return [];
      const out = incidents.openWithEntity(alert.entity);
      if (!alert.inTopology) return out;
      for (const r of topology.dependencies(alert.entity)) out.push(...incidents.openWithEntity(r.to));
      for (const r of topology.dependents(alert.entity)) out.push(...incidents.openWithEntity(r.from));
      return out;
    },
    score(alert, incident, now) {
      const e = alert.entity;
      if (e === null) return null;
      const recent = (x: string): boolean => now - (incident.entityStarts[x] ?? -Infinity) <= spec.windowMs;
      if (incident.entities.includes(e) && recent(e)) return { score: spec.sameEntity, reason: `same entity ${e}` };
      if (!alert.inTopology) return null;
      let best: Score | null = null;
      for (const r of topology.dependencies(e)) {
        if (spec.dependsOnFailing > (best?.score ?? 0) && incident.entities.includes(r.to) && recent(r.to)) {
          best = { score: spec.dependsOnFailing, reason: `${e} ${r.type} failing ${r.to}` };
        }
      }
      for (const r of topology.dependents(e)) {
        if (spec.failingDependsOn > (best?.score ?? 0) && incident.entities.includes(r.from) && recent(r.from)) {
          best = { score: spec.failingDependsOn, reason: `failing ${r.from} ${r.type} ${e}` };
        }
      }
      return best;
    },
  };
}

/**
 * The fallback for alerts that no topology entity names: the same grouping labels (cluster and namespace by
 * default) as an alert of the incident that started within the window.
 */
export function createLabelsCorrelator(spec: Extract<CorrelatorSpec, { type: 'labels' }>): Correlator {
  return {
    name: 'labels',
    bridges: false,
    candidates(alert, incidents) {
      if (alert.inTopology) return [];
      return incidents.openWithGroup(alert.group);
    },
    score(alert, incident, now) {
      if (alert.inTopology) return null;
      const started = incident.groupStarts[alert.group];
      if (started === undefined || now - started > spec.windowMs) return null;
      return { score: spec.score, reason: `same ${alert.group}` };
    },
  };
}

/** One correlator's proposal for one incident. */
export interface Proposal {
  readonly incident: IncidentRecord;
  readonly score: Score;
  readonly correlator: string;
  readonly bridges: boolean;
}

/**
 * Runs the correlators and returns every incident proposed at or above the threshold, best first (ties: the older
 * incident), each with its best proposal. The first is where the alert goes; others that a bridging correlator
 * proposed are merged into it.
 */
export function propose(
  correlators: readonly Correlator[],
  alert: BoundAlert,
  incidents: IncidentStore,
  now: Instant,
  threshold: number,
): Proposal[] {
  const best = new Map<string, Proposal>();
  for (const c of correlators) {
    for (const inc of c.candidates(alert, incidents)) {
      const s = c.score(alert, inc, now);
      if (s === null || s.score < threshold) continue;
      const prev = best.get(inc.id);
      if (prev === undefined || s.score > prev.score.score) {
        best.set(inc.id, { incident: inc, score: s, correlator: c.name, bridges: c.bridges });
      }
    }
  }
  return [...best.values()].sort((a, b) => b.score.score - a.score.score || a.incident.seq - b.incident.seq);
}
