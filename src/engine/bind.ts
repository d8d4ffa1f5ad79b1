import type { Entity, LabelSet } from '../model/index.js';
import { renderLabels } from '../model/index.js';
import type { TopologyIndex } from './topology-index.js';

/** What an alert is about: a topology entity, or, without one, a workload or node named from its labels. */
export interface Binding {
  /** A topology entity id, or a rendered label set (`{cluster="eu-1", namespace="shop", workload="checkout"}`). */
  readonly entity: string | null;
  /** True when `entity` is a topology entity (relations apply); false for a label-derived identity. */
  readonly inTopology: boolean;
  /** How it was bound, for the timeline: `service=checkout`, `pod=checkout-7d9f8b6c5d-x2x9z`, `labels`. */
  readonly via: string;
  /** The entity's kind (`service`, `node`, …); `workload` or `node` for label-derived identities. */
  readonly kind: string | null;
}

/** Labels that scope an entity rather than name it: an entity's scope must not contradict the alert's. */
const SCOPE_LABELS = new Set(['cluster', 'namespace', 'region', 'zone', 'env', 'environment', 'datacenter', 'dc']);

/**
 * Labels that name what an alert is about, most specific first. `pod` and `instance` are handled apart: pods map to
 * their workload by Kubernetes naming, instances to node names.
 */
const IDENTITY_LABELS = [
  'service', 'deployment', 'statefulset', 'daemonset', 'app', 'app_kubernetes_io_name', 'k8s_app', 'job_name',
  'consumergroup', 'consumer_group', 'queue', 'topic', 'database', 'datname', 'db',
] as const;
const NODE_LABELS = ['node', 'kubernetes_node', 'nodename', 'hostname'] as const;

/** A Kubernetes label value that names the scraping exporter, not the thing the alert is about. */
const EXPORTER = /(^|[-_])(exporter|kube-state-metrics|cadvisor|kubelet|blackbox|prometheus|alertmanager|promtail)([-_]|$)/;

/**
 * Binds alerts to entities the way an SRE reads them: by `service`, `deployment`, `app` (Loki), `consumergroup`,
 * `node`, an `instance` that is a node name, or a pod's workload (`<deployment>-<pod-template-hash>-<suffix>`,
 * `<statefulset>-<ordinal>`, `<daemonset>-<suffix>`). Labels that name the exporter (`job`, the exporter's
 * `service`/`pod`, `namespace=monitoring` on node alerts) never bind. An entity whose labels the alert carries in
 * full wins first, as CONTRACT §3 says; scope-only entities (a cluster) bind only alerts about nothing narrower.
 */
export class Binder {
  /** identity value → entities naming it (by an identity label or the last segment of their id). */
  private readonly byName = new Map<string, number[]>();
  private readonly entities: readonly Entity[];

  constructor(private readonly topology: TopologyIndex, entities: readonly Entity[]) {
    this.entities = entities;
    entities.forEach((e, i) => {
      const names = new Set<string>();
      for (const [k, v] of Object.entries(e.labels)) if (!SCOPE_LABELS.has(k)) names.add(v);
      const tail = e.id.slice(e.id.lastIndexOf('/') + 1);
      if (tail !== '') names.add(tail);
      for (const n of names) {
        const arr = this.byName.get(n);
        if (arr === undefined) this.byName.set(n, [i]);
        else arr.push(i);
      }
    });
  }

  bind(labels: LabelSet): Binding {
    const exact = this.topology.bind(labels);
    const exactEntity = exact === null ? undefined : this.topology.entity(exact);
    if (exactEntity !== undefined && !isScopeOnly(exactEntity)) return { entity: exact, inTopology: true, via: 'labels', kind: exactEntity.kind };
    const candidates = identities(labels);
    for (const c of candidates) {
      const found = this.lookup(c.value, labels);
      if (found !== null) return { entity: found.id, inTopology: true, via: `${c.label}=${c.value}`, kind: found.kind };
    }
    if (exactEntity !== undefined) return { entity: exactEntity.id, inTopology: true, via: 'labels', kind: exactEntity.kind };
    const first = candidates[0];
    if (first === undefined) return { entity: null, inTopology: false, via: 'none', kind: null };
    return { entity: pseudoEntity(labels, first), inTopology: false, via: `${first.label}=${first.value}`, kind: first.kind };
  }

  /** The topology entity a deploy of `service` (in `scope`: cluster, namespace) changed, or null. */
  entityNamed(service: string, scope: LabelSet): string | null {
    return this.lookup(service, scope)?.id ?? null;
  }

  /** The entity named `value` whose scope labels agree with the alert's; the most scope labels matched wins. */
  private lookup(value: string, labels: LabelSet): Entity | null {
    const idx = this.byName.get(value);
    if (idx === undefined) return null;
    let best: Entity | null = null;
    let bestScore = -1;
    for (const i of idx) {
      const e = this.entities[i] as Entity;
      let score = 0;
      let ok = true;
      for (const [k, v] of Object.entries(e.labels)) {
        if (!SCOPE_LABELS.has(k)) continue;
        const mine = labels[k];
        if (mine === undefined) continue;
        if (mine !== v) {
          ok = false;
          break;
        }
        score++;
      }
      if (ok && score > bestScore) {
        best = e;
        bestScore = score;
      }
    }
    return best;
  }
}

interface Identity {
  readonly label: string;
  readonly value: string;
  readonly kind: 'workload' | 'node';
}

/** What the alert's labels name, most specific first, without the exporter's own names. */
export function identities(labels: LabelSet): Identity[] {
  const out: Identity[] = [];
  // `job` is not an identity: for application targets it repeats the service, for exporters it names the exporter.
  const add = (label: string, value: string | undefined, kind: Identity['kind']): void => {
    if (value === undefined || value === '' || EXPORTER.test(value)) return;
    if (!out.some((o) => o.value === value)) out.push({ label, value, kind });
  };
  for (const l of IDENTITY_LABELS) add(l, labels[l], 'workload');
  const pod = labels['pod'] ?? labels['pod_name'];
  // An exporter's own pod (node-exporter-x7k2p) is excluded by the name test in `add`.
  if (pod !== undefined && !EXPORTER.test(pod)) add('pod', workloadOfPod(pod), 'workload');
  for (const l of NODE_LABELS) add(l, labels[l], 'node');
  const instance = labels['instance'];
  // kube-state-metrics reports on Kubernetes objects named by other labels; its `instance` is itself.
  if (instance !== undefined && labels['job'] !== 'kube-state-metrics') {
    if (instance.includes('://')) {
      // A probed endpoint (blackbox): what the alert is about, but no node.
      add('instance', endpointOf(instance), 'workload');
    } else {
      const host = hostOf(instance);
      const service = serviceOfClusterDns(host, labels['namespace']);
      if (service !== null) add('instance', service, 'workload');
      else add('instance', host, 'node');
    }
  }
  return out;
}

/**
 * The workload a pod belongs to, by the names Kubernetes gives pods: `<deployment>-<pod-template-hash>-<suffix>`
 * (hash of 5–10 and suffix of 5 characters from Kubernetes' safe alphabet), `<statefulset>-<ordinal>`,
 * `<daemonset or job>-<suffix>`. A name that fits none is its own workload.
 */
export function workloadOfPod(pod: string): string {
  const deployment = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/.exec(pod);
  if (deployment !== null) return deployment[1] as string;
  const statefulset = /^(.+)-\d+$/.exec(pod);
  if (statefulset !== null) return statefulset[1] as string;
  const daemonset = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$/.exec(pod);
  if (daemonset !== null) return daemonset[1] as string;
  return pod;
}


/**
 * The Kubernetes Service a target's cluster DNS name points at: `<svc>.<ns>.svc[.cluster.local]`, or a StatefulSet
 * pod behind its headless Service, `<pod>.<svc>.<ns>.svc[…]` (how exporters of Redis, Kafka or Postgres pods are
 * scraped). Null for other hosts, and when the name's namespace contradicts the alert's `namespace` label.
 */
export function serviceOfClusterDns(host: string, namespace: string | undefined): string | null {
  const m = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\.)?([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.[a-z0-9.-]+)?$/.exec(host);
  if (m === null) return null;
  if (namespace !== undefined && m[3] !== namespace) return null;
  return m[2] as string;
}

/** `https://api.shop.example.com/health` → `api.shop.example.com`: the host a blackbox probe targets. */
function endpointOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(url);
  return m === null ? url : (m[1] as string);
}

/** `ip-10-0-1-12.ec2.internal:9100` → `ip-10-0-1-12.ec2.internal`; bracketed IPv6 keeps its address. */
function hostOf(instance: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(instance);
  if (v6 !== null) return v6[1] as string;
  const i = instance.lastIndexOf(':');
  return i > 0 && /^\d+$/.test(instance.slice(i + 1)) ? instance.slice(0, i) : instance;
}

function isScopeOnly(e: Entity): boolean {
  return Object.keys(e.labels).every((k) => SCOPE_LABELS.has(k));
}

/** A label-derived identity: the workload or node within its cluster (and namespace, for workloads). */
function pseudoEntity(labels: LabelSet, id: Identity): string {
  const scope: Record<string, string> = {};
  const cluster = labels['cluster'];
  if (cluster !== undefined) scope['cluster'] = cluster;
  if (id.kind === 'workload') {
    const ns = labels['namespace'];
    if (ns !== undefined) scope['namespace'] = ns;
    scope['workload'] = id.value;
  } else scope['node'] = id.value;
  return renderLabels(scope);
}
