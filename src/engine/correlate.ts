import type { Instant } from '../model/index.js';
import type { AlertRecord } from './alert-store.js';
import type { IncidentRecord, IncidentStore } from './incident-store.js';
import type { CorrelatorSpec, PipelineOptions } from './options.js';
import type { TopologyIndex } from './topology-index.js';
import type { BurstTracker } from './burst-tracker.js';
import type { TextMemory } from './text-memory.js';
import type { SparseVector } from './text/index.js';
import { alertFeatures, assignCluster } from './cluster/index.js';
import { INFO_RANK } from './severity.js';
import { PLACEMENT_KINDS, entityKind } from './cause.js';

/** An alert with what binding found for it: the correlators' input. */
export interface BoundAlert {
  readonly record: AlertRecord;
  /** A topology entity id, a label-derived identity, or null. */
  readonly entity: string | null;
  /** True when `entity` is a topology entity, so relations apply. */
  readonly inTopology: boolean;
  /** The labels correlator's grouping key, e.g. `{cluster="eu-1", namespace="shop"}`. */
  readonly group: string;
  /** The alert is about a node (a topology entity of kind node, or a node named by its labels). */
  readonly nodeLevel: boolean;
  /** Its text (alertname, summary, description) as a TF-IDF vector, and the tokens it came from. */
  readonly text: SparseVector;
  readonly tokens: readonly string[];
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
  /**
   * `at` is when the alert started firing (its `startsAt`, never later than the engine clock): alerts that a
   * restarted ruler re-sends all at once started at different times and must not look simultaneous.
   */
  score(alert: BoundAlert, incident: IncidentRecord, at: Instant): Score | null;
}

/** What correlators may read besides the incident store: engine-owned, snapshotted state. */
export interface CorrelatorContext {
  readonly topology: TopologyIndex;
  readonly bursts: BurstTracker;
  readonly text: TextMemory;
}

/** Builds the correlators of a pipeline, in its order. */
export function createCorrelators(pipeline: PipelineOptions, ctx: CorrelatorContext): Correlator[] {
  return pipeline.correlators.map((spec) => createCorrelator(spec, ctx));
}

function createCorrelator(spec: CorrelatorSpec, ctx: CorrelatorContext): Correlator {
  switch (spec.type) {
    case 'topology':
      return createTopologyCorrelator(spec, ctx.topology);
    case 'burst':
      return createBurstCorrelator(spec, ctx.bursts);
    case 'text':
      return createTextCorrelator(spec, ctx.text);
    case 'kmeans':
      return createKmeansCorrelator(spec);
    case 'labels':
      return createLabelsCorrelator(spec);
  }
}

/** How many of the newest open incidents of an alertname the text correlator compares an alert with. */
const TEXT_CANDIDATES = 32;

/** A burst this soon after the previous one in the same cluster is another wave of the same fault. */
const WAVE_GAP_MS = 30 * 60_000;

/** The cluster an alert is in, for bursts: its `cluster` label, or '' for alerts without one. */
export function clusterOf(alert: BoundAlert): string {
  return alert.record.labels['cluster'] ?? '';
}

/**
 * A burst: alerts on `minEntities` distinct entities of one cluster (this alert's included) started within the
 * window. The incidents those alerts opened are one fault (a dead node, a network partition); incidents that were
 * already open before the burst are left alone, so a fault in progress is not swallowed.
 */
export function createBurstCorrelator(spec: Extract<CorrelatorSpec, { type: 'burst' }>, bursts: BurstTracker): Correlator {
  // candidates() and score() of one alert read the same window; the tracker does not change in between, so the
  // window is read once per alert (a storm would otherwise read 256 starts per candidate incident).
  let memo: { record: AlertRecord; at: Instant; size: number; incidents: string[] } | null = null;
  const window = (alert: BoundAlert, at: Instant): { size: number; incidents: string[] } => {
    if (memo !== null && memo.record === alert.record && memo.at === at) return memo;
    const entities = new Set<string>([alert.entity ?? alert.record.fingerprint]);
    const incidents = new Set<string>();
    for (const s of bursts.around(clusterOf(alert), at, spec.windowMs)) {
      entities.add(s.entity);
      incidents.add(s.incident);
    }
    memo = { record: alert.record, at, size: entities.size, incidents: [...incidents] };
    return memo;
  };
  return {
    name: 'burst',
    bridges: true,
    candidates(alert, incidents) {
      const at = Math.min(alert.record.startsAt, alert.record.lastReceivedAt);
      const w = window(alert, at);
      if (w.size < spec.minEntities && !alert.nodeLevel) return [];
      const ids = w.size >= spec.minEntities ? [...w.incidents] : [];
      const gatherer = bursts.gatherer(clusterOf(alert), at, WAVE_GAP_MS);
      if (gatherer !== null) ids.unshift(gatherer);
      const out: IncidentRecord[] = [];
      const seen = new Set<string>();
      for (const id of ids) {
        const inc = incidents.get(id);
        if (inc !== undefined && inc.status === 'open' && !seen.has(id)) {
          seen.add(id);
          out.push(inc);
        }
      }
      return out;
    },
    score(alert, incident, at) {
      // Incidents born in this burst, or gathering it already; an older incident is a fault in progress.
      const cluster = clusterOf(alert);
      if (incident.openedAt < at - 2 * spec.windowMs && incident.burst !== cluster) return null;
      const w = window(alert, at);
      if (w.size < spec.minEntities) {
        // A node's own alerts (NotReady after its grace period) trail the burst its death caused.
        if (alert.nodeLevel && incident.burst === cluster && bursts.gatherer(cluster, at, WAVE_GAP_MS) === incident.id) {
          return { score: spec.score, reason: `node alert during the burst in cluster ${cluster}` };
        }
        return null;
      }
      return { score: spec.score, reason: `burst: ${w.size} entities${cluster === '' ? '' : ` of cluster ${cluster}`} started within the window` };
    },
  };
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
    score(alert, incident, at) {
      const e = alert.entity;
      if (e === null) return null;
      // An incident older than max_age takes no new alerts, not even on its own entities: what still fires there
      // re-fires into it, but new trouble is a new incident, and a busy entity cannot chain faults hours apart.
      // Unless it is still spreading: a new entity started failing in it within the window, as a slow degradation
      // reaches one service after another for an hour.
      // (Not a node's or a cluster's incident: those spread as pods are rescheduled, not along calls.)
      const spreading = Math.abs(at - (incident.grewAt ?? incident.openedAt)) <= spec.windowMs && incident.burst === null &&
        !PLACEMENT_KINDS.has(entityKind(incident.rootCause?.entity ?? '', topology));
      if (Math.abs(at - incident.openedAt) > spec.maxAgeMs && !spreading) return null;
      const inWindow = (x: string): boolean => Math.abs(at - (incident.entityStarts[x] ?? -Infinity)) <= spec.windowMs;
      if (incident.entityStarts[e] !== undefined && inWindow(e)) return { score: spec.sameEntity, reason: `same entity ${e}` };
      // A related entity counts while its latest alert started within the window, or, in a spreading incident,
      // while it still fires and failed as part of this incident (not a background alert from before it opened).
      const recent = (x: string): boolean =>
        inWindow(x) ||
        (spreading && (incident.entityFiring?.[x] ?? 0) > 0 && (incident.entityStarts[x] as number) >= incident.openedAt - spec.windowMs);
      if (!alert.inTopology) return null;
      // An entity that only has informational alerts (CPU throttling, a job that failed once) is not "failing":
      // it explains no one's trouble, and relating to it chains background noise into faults.
      const failing = (x: string): boolean => recent(x) && (incident.entitySeverity[x] ?? INFO_RANK) < INFO_RANK;
      let best: Score | null = null;
      for (const r of topology.dependencies(e)) {
        if (spec.dependsOnFailing > (best?.score ?? 0) && incident.entityStarts[r.to] !== undefined && failing(r.to)) {
          best = { score: spec.dependsOnFailing, reason: `${e} ${r.type} failing ${r.to}` };
        }
      }
      for (const r of topology.dependents(e)) {
        // A failing caller whose trouble another failing dependency already explains says nothing about this
        // entity: two faults meeting at a shared caller stay two incidents.
        const explained = (x: string): boolean =>
          topology.dependencies(x).some((d) => d.to !== e && incident.entityStarts[d.to] !== undefined && failing(d.to));
        if (spec.failingDependsOn > (best?.score ?? 0) && incident.entityStarts[r.from] !== undefined && failing(r.from) && !explained(r.from)) {
          best = { score: spec.failingDependsOn, reason: `failing ${r.from} ${r.type} ${e}` };
        }
      }
      return best;
    },
  };
}

/**
 * Text similarity: an alert whose words (TF-IDF over alertname, summary and description) resemble an open
 * incident's alerts joins it, e.g. many unrelated services whose certificates from one issuer expire together.
 * Never across clusters.
 */
export function createTextCorrelator(spec: Extract<CorrelatorSpec, { type: 'text' }>, text: TextMemory): Correlator {
  return {
    name: 'text',
    bridges: false,
    candidates(alert, incidents) {
      // Text this alike nearly always shares the alert name; looking only there keeps a storm linear.
      const name = alert.record.labels['alertname'];
      return name === undefined ? [] : incidents.openWithName(name, TEXT_CANDIDATES, alert.record.labels['cluster']);
    },
    score(alert, incident, at) {
      if (!youngInSameCluster(alert, incident, at, spec.maxAgeMs)) return null;
      const sim = text.similarity(incident.id, alert.text);
      if (sim < spec.threshold) return null;
      return { score: spec.score, reason: `text like its alerts (cosine ${sim.toFixed(2)})` };
    },
  };
}

/** For the correlators that look at every open incident: a young incident, not in another k8s cluster. */
function youngInSameCluster(alert: BoundAlert, incident: IncidentRecord, at: Instant, maxAgeMs: number): boolean {
  if (Math.abs(at - incident.openedAt) > maxAgeMs) return false;
  const cluster = alert.record.labels['cluster'];
  return cluster === undefined || incident.clusters.length === 0 || incident.clusters.includes(cluster);
}

/** The k-means cluster of an alert, under a model. */
export function kmeansClusterOf(alert: Pick<BoundAlert, 'record' | 'tokens'>, spec: Extract<CorrelatorSpec, { type: 'kmeans' }>): number {
  return assignCluster(spec.model, alertFeatures(alert.tokens, alert.record.labels, spec.model.dims));
}

/**
 * k-means, where topology and text say nothing: alerts that a model trained on past captures puts in the same
 * cluster (the same kind of trouble) and that start close together in one k8s cluster join. Its kinds are kept on
 * each incident (`kinds`) by the engine.
 */
export function createKmeansCorrelator(spec: Extract<CorrelatorSpec, { type: 'kmeans' }>): Correlator {
  return {
    name: 'kmeans',
    bridges: false,
    candidates(alert, incidents) {
      return incidents.openIncidents();
    },
    score(alert, incident, at) {
      if (!youngInSameCluster(alert, incident, at, spec.maxAgeMs)) return null;
      const kind = String(kmeansClusterOf(alert, spec));
      const last = incident.kinds[kind];
      if (last === undefined || Math.abs(at - last) > spec.windowMs) return null;
      return { score: spec.score, reason: `same k-means cluster ${kind}` };
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
    score(alert, incident, at) {
      if (alert.inTopology || Math.abs(at - incident.openedAt) > spec.maxAgeMs) return null;
      const started = incident.groupStarts[alert.group];
      if (started === undefined || Math.abs(at - started) > spec.windowMs) return null;
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
