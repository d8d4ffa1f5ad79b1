import * as rules from './alert-rules.js';
import type { AlertTemplate } from './alert-rules.js';
import { appServices, callersOf, entityId, type Workload, type World } from './capture-world.js';
import type { FaultTruth, ScenarioSink } from './capture-scenario.js';
import type { Rng } from './rng.js';

/** The kinds of fault the generator injects; each produces a storm of symptoms with its own shape. */
export type FaultKind = FaultTruth['kind'];

/** What a fault builder may touch. */
export interface FaultContext {
  readonly world: World;
  readonly rng: Rng;
  readonly sink: ScenarioSink;
  /** Next Jira key (`OPS-1401`) or generic ticket id (`ZD-48211`). */
  nextTicketId(source: 'jira' | 'generic'): string;
  /** Keeps background deploys and pod noise off a workload until `until`, so the fault owns its pods. */
  lock(w: Workload, until: number): void;
}

/** Where and when one fault starts. */
export interface FaultPlan {
  readonly id: string;
  readonly kind: FaultKind;
  readonly cluster: string;
  readonly at: number;
  /** The service a bad deploy ships (default checkout), or the saturated datastore (default payments-db). */
  readonly service?: string;
  /** How long until a bad deploy is rolled back (default 40 minutes); a short one also pages on latency. */
  readonly rollbackAfterMs?: number;
  /** How long a network partition lasts (default 27 minutes); one under 16 minutes raises no KubePodNotReady. */
  readonly partitionMs?: number;
}

const MIN = 60_000;

/** Injects one fault: emits its conditions, deploys and tickets into the sink and returns its ground truth. */
export function injectFault(ctx: FaultContext, plan: FaultPlan): FaultTruth {
  switch (plan.kind) {
    case 'bad-deploy':
      return badDeploy(ctx, plan);
    case 'datastore-saturation':
      return datastoreSaturation(ctx, plan);
    case 'node-failure':
      return nodeFailure(ctx, plan);
    case 'flapping-alert':
      return flappingAlert(ctx, plan);
    case 'cert-expiry':
      return certExpiry(ctx, plan);
    case 'network-fault':
      return networkFault(ctx, plan);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Emits a condition with a little jitter on both edges, as real symptoms never start on the same second. */
function symptom(ctx: FaultContext, plan: FaultPlan, t: AlertTemplate, start: number, end: number): void {
  const j = (): number => ctx.rng.int(0, 40_000);
  ctx.sink.condition({ cluster: plan.cluster, template: t, start: start + j(), end: end + j(), fault: plan.id });
}

/** The next version a CD pipeline would ship: mostly a minor bump, sometimes a patch. */
export function nextVersion(v: string, rng: Rng): string {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (m === null) return `${v}-1`;
  return rng.chance(0.7) ? `v${m[1]}.${Number(m[2]) + 1}.0` : `v${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}

function ticket(ctx: FaultContext, plan: FaultPlan, source: 'jira' | 'generic', spec: {
  title: string; body: string; at: number; priority: 'Highest' | 'High' | 'Medium' | 'Low'; services: string[];
  updates: Array<{ at: number; status: string }>;
}): string {
  const id = ctx.nextTicketId(source);
  ctx.sink.ticket({
    id, source, title: spec.title, body: spec.body, createdAt: spec.at, priority: spec.priority, cluster: plan.cluster,
    services: spec.services, updates: spec.updates, fault: plan.id,
  });
  return id;
}

/**
 * A release that crash-loops: deploy → new pods crash → error rate on the service and its callers, panics in its
 * logs, an SLO burn (driven by the SLI samples) and a support ticket, then a rollback to the previous ReplicaSet.
 */
function badDeploy(ctx: FaultContext, plan: FaultPlan): FaultTruth {
  const cluster = ctx.world.cluster(plan.cluster);
  const service = plan.service ?? 'checkout';
  const w = ctx.world.workload(plan.cluster, service);
  const t0 = plan.at;
  const tRollback = t0 + (plan.rollbackAfterMs ?? 40 * MIN);
  const quick = tRollback - t0 < 20 * MIN;
  ctx.lock(w, tRollback + 5 * MIN);
  const prev = w.version;
  const bad = nextVersion(prev, ctx.rng);
  ctx.sink.deploy({ cluster: plan.cluster, namespace: w.namespace, service, version: bad, previousVersion: prev, status: 'succeeded', at: t0, fault: plan.id });
  ctx.world.rollout(w, bad);
  for (const pod of w.pods) {
    symptom(ctx, plan, rules.kubePodCrashLooping(w, pod.name), t0 + 2 * MIN, tRollback + MIN);
    symptom(ctx, plan, rules.kubePodNotReady(w, pod.name), t0 + MIN, tRollback + MIN);
  }
  symptom(ctx, plan, rules.kubeReplicasMismatch(w), t0 + 2 * MIN, tRollback + 3 * MIN);
  symptom(ctx, plan, rules.kubeDeploymentRolloutStuck(w), t0 + 10 * MIN, tRollback);
  symptom(ctx, plan, rules.highErrorRate(w, 'critical', 23.4), t0 + MIN, tRollback + 2 * MIN);
  symptom(ctx, plan, rules.highLatency(w, quick ? 'critical' : 'warning', 2840), t0 + 2 * MIN, tRollback + 2 * MIN);
  symptom(ctx, plan, rules.panicInLogs(w), t0 + MIN, tRollback);
  symptom(ctx, plan, rules.logErrorRate(w, 57.2), t0 + MIN, tRollback + MIN);
  for (const caller of callersOf(cluster, service)) {
    symptom(ctx, plan, rules.highErrorRate(caller, 'warning', 4.2), t0 + 3 * MIN, tRollback + 2 * MIN);
    symptom(ctx, plan, rules.logErrorRate(caller, 12.5), t0 + 3 * MIN, tRollback + MIN);
  }
  const tickets: string[] = [];
  if (!quick) {
    tickets.push(ticket(ctx, plan, 'jira', {
      title: `Customers cannot complete checkout in ${plan.cluster}`,
      body: `Support reports a spike of failed orders since ${iso(t0 + 5 * MIN).slice(11, 16)} UTC: "Something went wrong" on the payment step. checkout pods restarting?`,
      at: t0 + 12 * MIN, priority: 'Highest', services: [service, 'frontend'],
      updates: [{ at: t0 + 18 * MIN, status: 'In Progress' }, { at: tRollback + 15 * MIN, status: 'Done' }],
    }));
  }
  ctx.sink.deploy({ cluster: plan.cluster, namespace: w.namespace, service, version: bad, previousVersion: prev, status: 'rolled_back', at: tRollback, fault: plan.id });
  ctx.world.rollout(w, prev);
  return {
    id: plan.id, kind: plan.kind, title: `Bad deploy of ${service} ${bad} in ${plan.cluster}`, cluster: plan.cluster,
    cause: entityId(w), startedAt: iso(t0), endedAt: iso(tRollback + 3 * MIN),
    deploy: { service, version: bad, at: iso(t0) }, tickets,
  };
}

/** A saturated datastore: Postgres (the default, `payments-db`) or Redis (`plan.service` naming a Redis). */
function datastoreSaturation(ctx: FaultContext, plan: FaultPlan): FaultTruth {
  const store = ctx.world.workload(plan.cluster, plan.service ?? 'payments-db');
  return store.engine === 'redis' ? redisSaturation(ctx, plan, store) : postgresSaturation(ctx, plan);
}

/** Redis out of memory and rejecting clients: every client pod logs it, its services error, logins fail. */
function redisSaturation(ctx: FaultContext, plan: FaultPlan, redis: Workload): FaultTruth {
  const cluster = ctx.world.cluster(plan.cluster);
  const t0 = plan.at;
  const tEnd = t0 + 24 * MIN;
  for (const p of redis.pods) symptom(ctx, plan, rules.redisRejectedConnections(redis, p.name), t0, tEnd);
  for (const w of callersOf(cluster, redis.name)) {
    ctx.lock(w, tEnd);
    symptom(ctx, plan, rules.highErrorRate(w, w.name === 'auth' ? 'critical' : 'warning', 7.5), t0 + MIN, tEnd);
    symptom(ctx, plan, rules.highLatency(w, 'warning', 1200), t0 + MIN, tEnd);
    for (const p of w.pods) symptom(ctx, plan, rules.connectionErrorsInLogs(w, p.name, redis.name), t0, tEnd - 2 * MIN);
  }
  const tickets = [ticket(ctx, plan, 'jira', {
    title: `Users are logged out and cannot sign in (${plan.cluster})`, at: t0 + 7 * MIN, priority: 'Highest',
    services: ['auth', 'frontend'],
    body: 'Sessions are lost on every page load; sign-in returns 503 for a large share of users.',
    updates: [{ at: t0 + 9 * MIN, status: 'In Progress' }, { at: tEnd + 15 * MIN, status: 'Done' }],
  })];
  return {
    id: plan.id, kind: plan.kind, title: `${redis.name} saturated in ${plan.cluster}`, cluster: plan.cluster,
    cause: entityId(redis), startedAt: iso(t0), endedAt: iso(tEnd), deploy: null, tickets,
  };
}

/** Postgres connection exhaustion: the database first, then its clients' latency and errors, consumer lag behind. */
function postgresSaturation(ctx: FaultContext, plan: FaultPlan): FaultTruth {
  const cluster = ctx.world.cluster(plan.cluster);
  const db = ctx.world.workload(plan.cluster, 'payments-db');
  const api = ctx.world.workload(plan.cluster, 'payments-api');
  const ledger = ctx.world.workload(plan.cluster, 'ledger');
  const kafka = ctx.world.workload(plan.cluster, 'kafka');
  const t0 = plan.at;
  const tEnd = t0 + 50 * MIN;
  ctx.lock(api, tEnd);
  symptom(ctx, plan, rules.postgresTooManyConnections(db, 'payments-db-0', 'warning', 86), t0, tEnd);
  symptom(ctx, plan, rules.postgresTooManyConnections(db, 'payments-db-0', 'critical', 97.5), t0 + 8 * MIN, tEnd - 10 * MIN);
  symptom(ctx, plan, rules.postgresSlowQueries(db, 'payments-db-0'), t0 + 2 * MIN, tEnd - 5 * MIN);
  symptom(ctx, plan, rules.highLatency(api, 'warning', 1900), t0 + MIN, tEnd - 2 * MIN);
  symptom(ctx, plan, rules.highLatency(api, 'critical', 4100), t0 + 6 * MIN, tEnd - 12 * MIN);
  symptom(ctx, plan, rules.highErrorRate(api, 'critical', 11.8), t0 + 7 * MIN, tEnd - 10 * MIN);
  symptom(ctx, plan, rules.kubeHpaMaxedOut(api), t0 + 2 * MIN, tEnd);
  for (const pod of api.pods) symptom(ctx, plan, rules.connectionErrorsInLogs(api, pod.name, 'payments-db'), t0 + 2 * MIN, tEnd - 5 * MIN);
  symptom(ctx, plan, rules.highLatency(ledger, 'warning', 1300), t0 + 3 * MIN, tEnd - 5 * MIN);
  symptom(ctx, plan, rules.kafkaConsumerGroupLag(kafka, 'ledger-writer', 'payments-events', 12_000), t0 + 6 * MIN, tEnd + 5 * MIN);
  for (const caller of callersOf(cluster, 'payments-api')) {
    symptom(ctx, plan, rules.highLatency(caller, 'warning', 1450), t0 + 4 * MIN, tEnd - 8 * MIN);
    symptom(ctx, plan, rules.highErrorRate(caller, 'warning', 3.1), t0 + 9 * MIN, tEnd - 14 * MIN);
  }
  for (const pod of api.pods.slice(0, 2)) symptom(ctx, plan, rules.kubePodNotReady(api, pod.name), t0 + 5 * MIN, t0 + 30 * MIN);
  const tickets = [
    // Customers notice before the `for:` of any rule has passed: this ticket precedes every alert of the fault.
    ticket(ctx, plan, 'generic', {
      title: 'Payments take forever / time out at the last step', at: t0 + 3 * MIN, priority: 'High', services: ['payments-api'],
      body: 'Several customers report that paying takes more than 30 seconds and sometimes fails with a timeout.',
      updates: [{ at: tEnd + 20 * MIN, status: 'resolved' }],
    }),
    ticket(ctx, plan, 'jira', {
      title: `payments-db connection pool exhausted in ${plan.cluster}`, at: t0 + 11 * MIN, priority: 'High',
      services: ['payments-api', 'payments-db'],
      body: 'PostgresTooManyConnections on payments-db-0, payments-api latency p99 > 4s. Investigating long-running transactions from ledger.',
      updates: [{ at: t0 + 14 * MIN, status: 'In Progress' }, { at: tEnd + 30 * MIN, status: 'Done' }],
    }),
  ];
  return {
    id: plan.id, kind: plan.kind, title: `payments-db saturated in ${plan.cluster}`, cluster: plan.cluster,
    cause: entityId(db), startedAt: iso(t0), endedAt: iso(tEnd), deploy: null, tickets,
  };
}

/** A node lost: kubelet and node-exporter targets down, pods stuck or evicted, replacements pending for capacity. */
function nodeFailure(ctx: FaultContext, plan: FaultPlan): FaultTruth {
  const cluster = ctx.world.cluster(plan.cluster);
  const t0 = plan.at;
  const tEnd = t0 + 50 * MIN;
  const onNode = (n: string): number => [...cluster.workloads.values()].reduce((k, w) => k + w.pods.filter((p) => p.node === n).length, 0);
  const node = cluster.nodes.slice().sort((a, b) => onNode(b) - onNode(a) || a.localeCompare(b))[0] as string;
  const downPct = 100 / cluster.nodes.length;
  symptom(ctx, plan, rules.kubeNodeNotReady(plan.cluster, node), t0, tEnd);
  symptom(ctx, plan, rules.kubeNodeUnreachable(plan.cluster, node), t0 + MIN, tEnd);
  symptom(ctx, plan, rules.targetDown('node-exporter', 'monitoring', 'node-exporter', downPct), t0, tEnd);
  symptom(ctx, plan, rules.targetDown('kubelet', 'kube-system', 'kubelet', downPct), t0, tEnd);
  symptom(ctx, plan, rules.kubeCpuOvercommit(plan.cluster), t0 + 2 * MIN, tEnd);
  for (const w of cluster.workloads.values()) {
    const stuck = w.pods.filter((p) => p.node === node);
    if (stuck.length === 0) continue;
    ctx.lock(w, tEnd);
    for (const p of stuck) symptom(ctx, plan, rules.kubePodNotReady(w, p.name), t0 + MIN, tEnd);
    if (w.kind === 'StatefulSet') {
      symptom(ctx, plan, rules.kubeReplicasMismatch(w), t0 + MIN, tEnd);
      if (w.engine === 'kafka') {
        for (const g of [...cluster.workloads.values()].flatMap((x) => x.consumerGroups)) {
          symptom(ctx, plan, rules.kafkaConsumerGroupLag(w, g, `${g.split('-')[0]}-events`, 6_500), t0 + 4 * MIN, tEnd + 6 * MIN);
        }
      }
      continue;
    }
    if (w.kind !== 'Deployment') continue;
    const before = new Set(w.pods.map((p) => p.name));
    ctx.world.evict(w, node);
    // Taint-based eviction after 5 minutes; a third of the replacements wait for the autoscaler's new node.
    const pending = w.pods.filter((p) => !before.has(p.name) && ctx.rng.chance(0.35));
    for (const p of pending) symptom(ctx, plan, rules.kubePodNotReady(w, p.name), t0 + 5 * MIN, t0 + 31 * MIN);
    if (pending.length > 0) symptom(ctx, plan, rules.kubeReplicasMismatch(w), t0 + 5 * MIN, t0 + 31 * MIN);
    if (appServices(cluster).includes(w) && ctx.rng.chance(0.3)) {
      symptom(ctx, plan, rules.highLatency(w, 'warning', 900), t0 + MIN, t0 + 14 * MIN);
    }
  }
  return {
    id: plan.id, kind: plan.kind, title: `Node ${node} lost in ${plan.cluster}`, cluster: plan.cluster,
    cause: entityId({ node }), startedAt: iso(t0), endedAt: iso(tEnd), deploy: null, tickets: [],
  };
}

/** One alert that fires and resolves again and again (GC pauses on search): one label set, many episodes. */
function flappingAlert(ctx: FaultContext, plan: FaultPlan): FaultTruth {
  const w = ctx.world.workload(plan.cluster, 'search');
  const t0 = plan.at;
  let t = t0;
  const tEnd = t0 + 100 * MIN;
  while (t < tEnd) {
    const on = ctx.rng.int(6, 12) * MIN;
    ctx.sink.condition({ cluster: plan.cluster, template: rules.highLatency(w, 'warning', 730), start: t, end: t + on, fault: plan.id });
    t += on + ctx.rng.int(2, 5) * MIN;
  }
  return {
    id: plan.id, kind: plan.kind, title: `search latency flapping in ${plan.cluster}`, cluster: plan.cluster,
    cause: entityId(w), startedAt: iso(t0), endedAt: iso(t), deploy: null, tickets: [],
  };
}

/** A certificate nobody renewed: a warning firing for days, escalated to critical, resolved by the renewal. */
function certExpiry(ctx: FaultContext, plan: FaultPlan): FaultTruth {
  const host = `api.shop.${plan.cluster}.example.com`;
  const t0 = plan.at;
  const tRenew = t0 + 28 * MIN;
  ctx.sink.condition({ cluster: plan.cluster, template: rules.certificateExpiringSoon(host, 'warning', 12), start: t0 - 11 * 24 * 60 * MIN, end: tRenew, fault: plan.id });
  ctx.sink.condition({ cluster: plan.cluster, template: rules.certificateExpiringSoon(host, 'critical', 2), start: t0 - 10 * MIN, end: tRenew, fault: plan.id });
  const tickets = [ticket(ctx, plan, 'generic', {
    title: `TLS certificate for ${host} expires in 2 days`, at: t0 + 4 * MIN, priority: 'High', services: ['ingress-nginx-controller'],
    body: 'Automated check: the certificate served on :443 expires soon and cert-manager has not renewed it (ACME order pending).',
    updates: [{ at: tRenew + 20 * MIN, status: 'resolved' }],
  })];
  return {
    id: plan.id, kind: plan.kind, title: `Certificate of ${host} about to expire`, cluster: plan.cluster,
    cause: `cert/${host}`, startedAt: iso(t0 - 11 * 24 * 60 * MIN), endedAt: iso(tRenew), deploy: null, tickets,
  };
}

/** A zone partitioned from the rest: the storm — every service with pods there degrades at once. */
function networkFault(ctx: FaultContext, plan: FaultPlan): FaultTruth {
  const cluster = ctx.world.cluster(plan.cluster);
  const t0 = plan.at;
  const tEnd = t0 + (plan.partitionMs ?? 27 * MIN);
  const zone = new Set(cluster.nodes.slice(Math.floor(cluster.nodes.length * 0.55)));
  symptom(ctx, plan, rules.coreDnsErrorsHigh('critical'), t0, tEnd);
  symptom(ctx, plan, rules.targetDown('kubelet', 'kube-system', 'kubelet', (100 * zone.size) / cluster.nodes.length), t0, tEnd);
  symptom(ctx, plan, rules.targetDown('node-exporter', 'monitoring', 'node-exporter', (100 * zone.size) / cluster.nodes.length), t0, tEnd);
  for (const node of zone) symptom(ctx, plan, rules.kubeNodeNotReady(plan.cluster, node), t0 + MIN, tEnd);
  for (const w of cluster.workloads.values()) {
    const inZone = w.pods.filter((p) => zone.has(p.node));
    if (inZone.length === 0) continue;
    ctx.lock(w, tEnd);
    for (const p of inZone) symptom(ctx, plan, rules.kubePodNotReady(w, p.name), t0 + MIN, tEnd);
    if (w.kind === 'DaemonSet') continue;
    const share = (100 * inZone.length) / w.pods.length;
    if (share > 10) symptom(ctx, plan, rules.targetDown(w.name, w.namespace, w.name, share), t0, tEnd);
    if (!appServices(cluster).includes(w)) continue;
    symptom(ctx, plan, rules.highErrorRate(w, share > 40 ? 'critical' : 'warning', share / 3), t0 + MIN, tEnd + 2 * MIN);
    symptom(ctx, plan, rules.highLatency(w, 'warning', 2200), t0 + MIN, tEnd + 2 * MIN);
    const target = w.calls[0] ?? w.uses[0] ?? 'kube-dns';
    for (const p of w.pods) {
      // Every pod talks to something in the zone; most of them log it.
      if (ctx.rng.chance(0.85)) symptom(ctx, plan, rules.connectionErrorsInLogs(w, p.name, target), t0, tEnd);
      // Deep readiness probes check dependencies, so pods outside the zone flip to not ready too.
      if (!zone.has(p.node) && ctx.rng.chance(0.25)) symptom(ctx, plan, rules.kubePodNotReady(w, p.name), t0 + 2 * MIN, tEnd);
    }
  }
  const kafka = ctx.world.workload(plan.cluster, 'kafka');
  for (const g of [...cluster.workloads.values()].flatMap((x) => x.consumerGroups)) {
    symptom(ctx, plan, rules.kafkaConsumerGroupLag(kafka, g, `${g.split('-')[0]}-events`, 25_000), t0 + 3 * MIN, tEnd + 8 * MIN);
  }
  const tickets = [ticket(ctx, plan, 'jira', {
    title: `Site-wide errors for ${plan.cluster} customers`, at: t0 + 6 * MIN, priority: 'Highest',
    services: ['frontend', 'checkout', 'search'],
    body: 'Pages fail to load or load partially; status page shows degraded. Many services timing out talking to each other.',
    updates: [{ at: t0 + 8 * MIN, status: 'In Progress' }, { at: tEnd + 25 * MIN, status: 'Done' }],
  })];
  return {
    id: plan.id, kind: plan.kind, title: `Network partition of ${zone.size} nodes in ${plan.cluster}`, cluster: plan.cluster,
    cause: `zone/${plan.cluster}-c`, startedAt: iso(t0), endedAt: iso(tEnd), deploy: null, tickets,
  };
}
