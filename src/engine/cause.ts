import type { DeployEvent, Entity, Instant, LabelSet } from '../model/index.js';
import { formatDuration, renderLabels } from '../model/index.js';
import type { AlertRecord } from './alert-store.js';
import type { IncidentRecord, SuspectDeploy } from './incident-store.js';
import type { TopologyIndex } from './topology-index.js';

/** Labels that name the workload an alert is about (kube-prometheus, Loki rulers, custom rules). */
const SERVICE_LABELS = ['service', 'app', 'deployment'] as const;

/** The service names an alert and its entity speak of, for deploy and ticket matching. */
export function servicesOf(labels: LabelSet, entity: Entity | undefined): string[] {
  const out: string[] = [];
  for (const l of SERVICE_LABELS) {
    const v = labels[l];
    if (v !== undefined && v !== '' && !out.includes(v)) out.push(v);
  }
  if (entity !== undefined) {
    const v = entity.labels['service'] ?? entity.labels['app'];
    if (v !== undefined && !out.includes(v)) out.push(v);
    if (entity.kind === 'service') {
      const name = entity.id.slice(entity.id.lastIndexOf('/') + 1);
      if (name !== '' && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

/**
 * The most upstream failing entity: one that depends on no other entity of the incident (directly or through
 * entities of the incident), ranked by how many of the incident's entities depend on it.
 * Without entities, the labels all alerts share on `service`-like labels, else null.
 */
export function findRootCause(
  inc: IncidentRecord,
  alerts: ReadonlyMap<string, AlertRecord>,
  topology: TopologyIndex,
): { entity: string; score: number } | null {
  if (inc.entities.length > 0) {
    const inIncident = new Set(inc.entities);
    let best: { entity: string; reach: number; weight: number } | null = null;
    // Entities are in the order they first failed here, so on ties the first to fail wins.
    for (const e of inc.entities) {
      if (topology.dependencies(e).some((r) => inIncident.has(r.to) && r.to !== e)) continue;
      const reach = countDependents(e, inIncident, topology);
      // What tends to take others down (a node, a datastore) outweighs a service that a few callers depend on.
      const weight = reach + (KIND_WEIGHT[kindPriority(e, topology)] as number);
      if (best === null || weight > best.weight) best = { entity: e, reach, weight };
    }
    if (best === null) return { entity: inc.entities[0] as string, score: round(1 / inc.entities.length) };
    return { entity: best.entity, score: round((best.reach + 1) / inc.entities.length) };
  }
  for (const l of SERVICE_LABELS) {
    let value: string | undefined;
    let shared = true;
    for (const fp of inc.alerts) {
      const v = alerts.get(fp)?.labels[l];
      if (v === undefined || (value !== undefined && v !== value)) {
        shared = false;
        break;
      }
      value = v;
    }
    if (shared && value !== undefined) return { entity: renderLabels({ [l]: value }), score: 0.5 };
  }
  return null;
}

/**
 * Among entities nothing else in the incident explains, what tends to take others down comes first: a node, then
 * a cluster, a datastore, a queue, then services. Label-derived node identities count as nodes.
 */
function kindPriority(e: string, topology: TopologyIndex): number {
  return KIND_PRIORITY[entityKind(e, topology)] ?? (KIND_PRIORITY['service'] as number);
}

/**
 * Kinds whose failure takes down whatever is scheduled on or routed through them (a node, a zone, a cluster):
 * who suffers is decided by placement, which the call graph does not describe.
 */
export const PLACEMENT_KINDS: ReadonlySet<string> = new Set(['node', 'host', 'cluster', 'zone', 'region', 'network']);

/** An entity's kind: its topology kind, `node` for a label-derived node identity, else `service`. */
export function entityKind(e: string, topology: TopologyIndex): string {
  return topology.entity(e)?.kind ?? (e.includes('node="') ? 'node' : 'service');
}

/** Weight by kind priority (index): node 3, cluster 2.5, datastore 2, queue 1.5, service 0. */
const KIND_WEIGHT = [3, 2.5, 2, 1.5, 0];

const KIND_PRIORITY: Record<string, number> = {
  node: 0, host: 0, cluster: 1, zone: 1, network: 1, datastore: 2, database: 2, db: 2, cache: 2, queue: 3, topic: 3, service: 4,
};

function countDependents(e: string, inIncident: ReadonlySet<string>, topology: TopologyIndex): number {
  const seen = new Set<string>([e]);
  const queue = [e];
  while (queue.length > 0) {
    const cur = queue.shift() as string;
    for (const r of topology.dependents(cur)) {
      if (inIncident.has(r.from) && !seen.has(r.from)) {
        seen.add(r.from);
        queue.push(r.from);
      }
    }
  }
  return seen.size - 1;
}

/** Below this a deploy is too old or too far away to name: a wrong suspect costs the on-call more than none. */
const MIN_SUSPECT_SCORE = 0.35;

/** A deployed service that got into trouble this long after the incident opened is a bystander, not the cause. */
const TROUBLE_LAG_MS = 5 * 60_000;
const BURST_TROUBLE_LAG_MS = 60_000;

/** How long after an incident opened a deploy may land and still be suspected (delivery and rollout lag). */
const DEPLOY_GRACE_MS = 2 * 60_000;

/**
 * Scores a deploy as a suspect for an incident, or null: recency (newer is likelier) times proximity (the deployed
 * service itself is affected, or only its callers are). A rollback is a mitigation, not a cause; a failed deploy
 * counts less because it may not have rolled out.
 */
export function suspectDeploy(
  inc: IncidentRecord,
  d: DeployEvent,
  lookbackMs: number,
  proximity: { factor: number; how: string; troubleAt: Instant },
): SuspectDeploy | null {
  if (d.status === 'rolled_back') return null;
  // Judged against when the deployed service (or its caller) got into trouble, not when the incident opened: in
  // a large incident an unrelated service's deploy can land just before it joins, long after the fault began.
  // In a burst (a dead node, a network fault) many services fail at once; a deploy explains it only if its service
  // failed first.
  const lag = inc.burst === null ? TROUBLE_LAG_MS : BURST_TROUBLE_LAG_MS;
  if (proximity.troubleAt - inc.openedAt > lag) return null;
  const lead = proximity.troubleAt - d.deployedAt;
  if (lead > lookbackMs || lead < -DEPLOY_GRACE_MS) return null;
  let score = (0.1 + 0.9 * (1 - Math.max(lead, 0) / lookbackMs)) * proximity.factor;
  if (d.status === 'failed') score *= 0.7;
  if (score < MIN_SUSPECT_SCORE) return null;
  const when = lead >= 0 ? `${formatDuration(lead)} before its trouble began` : `${formatDuration(-lead)} after its trouble began`;
  return {
    service: d.service,
    version: d.version,
    at: d.deployedAt,
    score: round(score),
    reason: `${d.status === 'failed' ? 'failed deploy' : 'deploy'} of ${d.service} ${d.version} ${when}, ${proximity.how}`,
  };
}

/** Inserts a suspect keeping the list best first (ties: the later deploy first), at most five. */
export function addSuspect(list: SuspectDeploy[], s: SuspectDeploy): boolean {
  if (list.some((x) => x.service === s.service && x.version === s.version && x.at === s.at)) return false;
  list.push(s);
  list.sort((a, b) => b.score - a.score || b.at - a.at || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  if (list.length > 5) list.length = 5;
  return list.includes(s);
}

/** Scores are printed; rounding keeps the replay document free of float noise. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

