import { KUBE_ALPHABET, Rng } from './rng.js';

/** What a workload is, which decides the alerts it can raise. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/** A datastore engine, for the exporter alerts it raises. */
export type DatastoreEngine = 'postgres' | 'redis' | 'kafka';

/** A Kubernetes workload in one cluster, with the pods it runs now. Mutated as the simulated hours pass. */
export interface Workload {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly replicas: number;
  /** The application container's name (the `container` label of pod alerts). */
  readonly container: string;
  /** Other workloads of the same cluster it calls over HTTP/gRPC (`calls` relations). */
  readonly calls: readonly string[];
  /** Datastores it uses (`uses` relations). */
  readonly uses: readonly string[];
  /** Set for datastores. */
  readonly engine?: DatastoreEngine;
  /** Kafka consumer groups it runs (KafkaConsumerGroupLag's `consumergroup`). */
  readonly consumerGroups: readonly string[];
  /** The team that owns it (the `team` label of app alerts). */
  readonly team: string;
  version: string;
  /** The pod-template hash of the current ReplicaSet (Deployments only). */
  templateHash: string;
  /** Template hash of each version this Deployment ran, so a rollback reuses the old ReplicaSet as Kubernetes does. */
  readonly hashByVersion: Map<string, string>;
  /** Current pods and the node each runs on. */
  pods: Array<{ name: string; node: string }>;
}

/** One simulated cluster. */
export interface Cluster {
  readonly name: string;
  /** e.g. `eu-1` → `eu-west-1`, for node DNS names and URLs. */
  readonly region: string;
  readonly nodes: readonly string[];
  readonly workloads: ReadonlyMap<string, Workload>;
}

type Spec = readonly [namespace: string, name: string, kind: WorkloadKind, replicas: number, team: string,
  calls: readonly string[], uses: readonly string[], extra?: { engine?: DatastoreEngine; groups?: readonly string[] }];

// The shop every cluster runs: who calls whom and which datastores back them. Replica counts are eu-1's.
const CATALOG: readonly Spec[] = [
  ['shop', 'frontend', 'Deployment', 8, 'storefront', ['checkout', 'cart', 'catalog', 'search', 'recommendations', 'auth', 'ads'], ['session-cache']],
  ['shop', 'checkout', 'Deployment', 5, 'checkout', ['payments-api', 'cart', 'shipping', 'orders', 'currency'], ['orders-db']],
  ['shop', 'cart', 'Deployment', 5, 'checkout', [], ['cart-cache']],
  ['shop', 'catalog', 'Deployment', 4, 'storefront', [], ['catalog-db']],
  ['shop', 'search', 'Deployment', 4, 'storefront', ['catalog'], ['kafka'], { groups: ['search-indexer'] }],
  ['shop', 'recommendations', 'Deployment', 4, 'storefront', ['catalog'], ['session-cache']],
  ['shop', 'shipping', 'Deployment', 3, 'fulfilment', ['currency'], []],
  ['shop', 'currency', 'Deployment', 3, 'checkout', [], []],
  ['shop', 'orders', 'Deployment', 4, 'fulfilment', [], ['orders-db', 'kafka']],
  ['shop', 'ads', 'Deployment', 3, 'storefront', [], []],
  ['shop', 'notifications', 'Deployment', 3, 'fulfilment', ['email'], ['kafka'], { groups: ['order-notifications'] }],
  ['shop', 'email', 'Deployment', 2, 'fulfilment', [], []],
  ['shop', 'image-resizer', 'Deployment', 3, 'storefront', [], []],
  ['payments', 'payments-api', 'Deployment', 5, 'payments', ['fraud-check', 'ledger'], ['payments-db', 'kafka']],
  ['payments', 'fraud-check', 'Deployment', 4, 'payments', [], ['session-cache']],
  ['payments', 'ledger', 'Deployment', 3, 'payments', [], ['payments-db', 'kafka'], { groups: ['ledger-writer'] }],
  ['payments', 'refunds', 'Deployment', 2, 'payments', ['payments-api'], []],
  ['identity', 'auth', 'Deployment', 4, 'identity', ['user-profile'], ['session-cache']],
  ['identity', 'user-profile', 'Deployment', 3, 'identity', [], ['users-db']],
  ['data', 'orders-db', 'StatefulSet', 2, 'platform', [], [], { engine: 'postgres' }],
  ['data', 'payments-db', 'StatefulSet', 2, 'platform', [], [], { engine: 'postgres' }],
  ['data', 'catalog-db', 'StatefulSet', 2, 'platform', [], [], { engine: 'postgres' }],
  ['data', 'users-db', 'StatefulSet', 2, 'platform', [], [], { engine: 'postgres' }],
  ['data', 'cart-cache', 'StatefulSet', 3, 'platform', [], [], { engine: 'redis' }],
  ['data', 'session-cache', 'StatefulSet', 3, 'platform', [], [], { engine: 'redis' }],
  ['data', 'kafka', 'StatefulSet', 3, 'platform', [], [], { engine: 'kafka' }],
  ['monitoring', 'prometheus-k8s', 'StatefulSet', 2, 'observability', [], []],
  ['monitoring', 'alertmanager-main', 'StatefulSet', 3, 'observability', [], []],
  ['monitoring', 'grafana', 'Deployment', 1, 'observability', [], []],
  ['monitoring', 'kube-state-metrics', 'Deployment', 1, 'observability', [], []],
  ['monitoring', 'prometheus-operator', 'Deployment', 1, 'observability', [], []],
  ['monitoring', 'blackbox-exporter', 'Deployment', 1, 'observability', [], []],
  ['monitoring', 'loki', 'StatefulSet', 3, 'observability', [], []],
  ['monitoring', 'node-exporter', 'DaemonSet', 0, 'observability', [], []],
  ['kube-system', 'coredns', 'Deployment', 2, 'platform', [], []],
  ['kube-system', 'metrics-server', 'Deployment', 1, 'platform', [], []],
  ['kube-system', 'cluster-autoscaler', 'Deployment', 1, 'platform', [], []],
  ['kube-system', 'kube-proxy', 'DaemonSet', 0, 'platform', [], []],
  ['ingress-nginx', 'ingress-nginx-controller', 'Deployment', 3, 'platform', ['frontend'], []],
  ['cert-manager', 'cert-manager', 'Deployment', 1, 'platform', [], []],
  ...lineOfBusiness('marketplace', 'marketplace', ['seller-portal', 'listings', 'pricing', 'promotions', 'reviews', 'wishlist', 'inventory', 'bundles', 'coupons', 'gift-cards', 'loyalty', 'affiliates'], 'catalog-db'),
  ...lineOfBusiness('logistics', 'fulfilment', ['warehouse', 'picking', 'packing', 'carrier-gateway', 'tracking', 'returns', 'label-printer', 'dock-scheduler'], 'orders-db'),
  ...lineOfBusiness('analytics', 'data', ['clickstream', 'sessionizer', 'feature-store', 'ab-testing', 'reporting', 'exports'], 'kafka'),
  ...lineOfBusiness('backoffice', 'internal-tools', ['admin-ui', 'cms', 'support-console', 'feature-flags', 'audit-log'], 'users-db'),
];

/**
 * A namespace of services that form a chain (each calls the next) behind the shop's frontend-facing APIs: the bulk
 * of an estate's workloads, which few people watch but whose pods raise most of a storm's per-pod alerts.
 */
function lineOfBusiness(namespace: string, team: string, names: readonly string[], datastore: string): Spec[] {
  return names.map((name, i) => {
    const nextName = names[i + 1];
    const replicas = 2 + ((name.length * 7 + i) % 5);
    return [namespace, name, 'Deployment', replicas, team, nextName === undefined ? [] : [nextName], i % 3 === 0 ? [datastore] : []] as const;
  });
}

const REGIONS: Readonly<Record<string, string>> = { eu: 'eu-west-1', us: 'us-east-1', ap: 'ap-southeast-1' };
/** Relative cluster sizes: us-1 carries the most traffic, ap-1 the least. */
const SCALE: readonly number[] = [1.5, 2.5, 1];
const NODES: readonly number[] = [18, 30, 12];

/** The simulated estate: clusters with nodes and workloads, all derived from a seed. */
export class World {
  readonly clusters: readonly Cluster[];

  /**
   * `replicaScale` multiplies every Deployment's replica count (default 1, the estate as sized above): a smaller
   * estate for a test corpus keeps its nodes, services and topology and has fewer pods, so storms are smaller.
   */
  constructor(clusterNames: readonly string[], private readonly rng: Rng, private readonly replicaScale = 1) {
    this.clusters = clusterNames.map((name, i) => this.buildCluster(name, i));
  }

  /** The cluster with this name; throws on a name the world does not have (a generator bug). */
  cluster(name: string): Cluster {
    const c = this.clusters.find((x) => x.name === name);
    if (c === undefined) throw new RangeError(`no cluster ${name}`);
    return c;
  }

  /** The workload `name` of `cluster`; throws on an unknown name (a generator bug). */
  workload(cluster: string, name: string): Workload {
    const w = this.cluster(cluster).workloads.get(name);
    if (w === undefined) throw new RangeError(`no workload ${name} in ${cluster}`);
    return w;
  }

  /**
   * Rolls a Deployment out to `version`: every pod is replaced by one of the new ReplicaSet, whose hash is reused
   * if that version ran before (a rollback). Returns the pods that were replaced.
   */
  rollout(w: Workload, version: string): Array<{ name: string; node: string }> {
    const old = w.pods;
    let hash = w.hashByVersion.get(version);
    if (hash === undefined) {
      hash = this.rng.chars(10, KUBE_ALPHABET);
      w.hashByVersion.set(version, hash);
    }
    w.version = version;
    w.templateHash = hash;
    const nodes = this.cluster(w.cluster).nodes;
    w.pods = old.map(() => ({ name: `${w.name}-${hash}-${this.rng.chars(5, KUBE_ALPHABET)}`, node: this.rng.pick(nodes) }));
    return old;
  }

  /** Replaces the pods on `node` by new ones on other nodes (eviction after a node failure). Returns the evicted. */
  evict(w: Workload, node: string): Array<{ name: string; node: string }> {
    const others = this.cluster(w.cluster).nodes.filter((n) => n !== node);
    const evicted = w.pods.filter((p) => p.node === node);
    if (w.kind !== 'Deployment' || evicted.length === 0) return [];
    w.pods = w.pods.map((p) =>
      p.node === node ? { name: `${w.name}-${w.templateHash}-${this.rng.chars(5, KUBE_ALPHABET)}`, node: this.rng.pick(others) } : p,
    );
    return evicted;
  }

  private buildCluster(name: string, index: number): Cluster {
    const region = REGIONS[name.slice(0, 2)] ?? `${name}-region`;
    const nodeCount = NODES[index % NODES.length] as number;
    const nodes = Array.from({ length: nodeCount }, (_, i) => `${name}-n${i + 1}`);
    const scale = SCALE[index % SCALE.length] as number;
    const workloads = new Map<string, Workload>();
    for (const [namespace, wname, kind, replicas, team, calls, uses, extra] of CATALOG) {
      const n = kind === 'DaemonSet' ? nodes.length : kind === 'StatefulSet' ? replicas : Math.max(1, Math.round(replicas * scale * this.replicaScale));
      const version = `v${this.rng.int(1, 4)}.${this.rng.int(0, 30)}.${this.rng.int(0, 9)}`;
      const hash = this.rng.chars(10, KUBE_ALPHABET);
      const pods = Array.from({ length: n }, (_, i) => ({
        name:
          kind === 'StatefulSet' ? `${wname}-${i}` : kind === 'DaemonSet' ? `${wname}-${this.rng.chars(5, KUBE_ALPHABET)}` : `${wname}-${hash}-${this.rng.chars(5, KUBE_ALPHABET)}`,
        node: kind === 'DaemonSet' ? (nodes[i] as string) : this.rng.pick(nodes),
      }));
      workloads.set(wname, {
        cluster: name, namespace, name: wname, kind, replicas: n, team, calls, uses,
        container: wname === 'kafka' ? 'kafka' : wname.replace(/-controller$/, ''),
        consumerGroups: extra?.groups ?? [],
        ...(extra?.engine === undefined ? {} : { engine: extra.engine }),
        version, templateHash: hash, hashByVersion: new Map([[version, hash]]), pods,
      });
    }
    return { name, region, nodes, workloads };
  }
}

/** The workloads that call `target` (directly), for symptoms that spread upstream. */
export function callersOf(cluster: Cluster, target: string): Workload[] {
  return [...cluster.workloads.values()].filter((w) => w.calls.includes(target) || w.uses.includes(target));
}

const APP_NAMESPACES = new Set(['shop', 'payments', 'identity', 'marketplace', 'logistics', 'analytics', 'backoffice']);

/** Application services: the Deployments of the business namespaces, which deploy often and have RED alerts. */
export function appServices(cluster: Cluster): Workload[] {
  return [...cluster.workloads.values()].filter((w) => APP_NAMESPACES.has(w.namespace));
}

/**
 * The topology id of a workload or node, shared by the generated topology.yaml and the ground truth's `cause`:
 * `svc/eu-1/checkout`, `db/us-1/payments-db`, `node/ap-1-n4` (node names already carry their cluster).
 */
export function entityId(w: Workload | { node: string }): string {
  if ('node' in w) return `node/${w.node}`;
  return `${w.engine === undefined ? 'svc' : 'db'}/${w.cluster}/${w.name}`;
}
