import { alertmanagerWebhook, type UpstreamRoute } from './alertmanager-sim.js';
import { scheduleBackground, type Action } from './capture-background.js';
import { injectFault, type FaultKind, type FaultPlan } from './capture-faults.js';
import type {
  AlertTruth, CaptureTruth, Condition, DeploySpec, Emission, FaultTruth, ScenarioSink, TicketSpec,
} from './capture-scenario.js';
import { World, type Workload } from './capture-world.js';
import { evaluate, notify, type Episode, type RulerSpec } from './ruler-sim.js';
import { Rng } from './rng.js';
import { deployEmission, sliEmissions, ticketEmissions, unrelatedTickets } from './side-channels.js';

/** Options of {@link generateCapture}. */
export interface CaptureOptions {
  readonly seed: number;
  readonly hours: number;
  /** Cluster names, or how many of the default `eu-1`, `us-1`, `ap-1` (then `eu-2`, …). Default 3. */
  readonly clusters?: readonly string[] | number;
  /** RFC 3339 start of the capture (default Monday 2026-03-02T08:00:00Z); never the wall clock. */
  readonly start?: string;
  /**
   * Which faults to inject: true (the default) injects {@link DEFAULT_FAULTS}, false none (background traffic only),
   * a list exactly those, numbered `f1-<kind>`, `f2-<kind>`, … in list order.
   */
  readonly faults?: boolean | readonly FaultSpec[];
  /**
   * Rate of the background alert noise (throttling, blips, failed Jobs, …) relative to the default estate's, which
   * is 1: a small capture for a test corpus keeps the storms and thins the chatter. Benign deploys keep their rate.
   */
  readonly noise?: number;
  /**
   * Multiplies every Deployment's replica count (default 1): fewer pods per service, so per-pod storms and the
   * noise that scales with pods shrink while services, nodes and the topology stay as they are.
   */
  readonly replicaScale?: number;
  /** How many tickets about nothing in the capture (questions, feature requests) users file over the window (default 0). */
  readonly unrelatedTickets?: number;
}

/** One fault to inject: its kind, where in the window it starts and in which cluster. */
export interface FaultSpec {
  readonly kind: FaultKind;
  /** Start as a fraction of the window; the generator adds up to ±3 minutes of jitter. */
  readonly at: number;
  /** Index into the capture's clusters (modulo their count). */
  readonly cluster: number;
  /** The service a bad deploy ships, or the saturated datastore (see {@link FaultPlan}). */
  readonly service?: string;
  /** How long until a bad deploy is rolled back. */
  readonly rollbackAfterMs?: number;
  /** How long a network partition lasts. */
  readonly partitionMs?: number;
}

/** Capture lines (CONTRACT §2) in delivery order, carrying the ground truth beside them (never in the lines). */
export type GeneratedCapture = string[] & { readonly truth: CaptureTruth };

const MIN = 60_000;
const DEFAULT_CLUSTERS = ['eu-1', 'us-1', 'ap-1', 'eu-2', 'us-2', 'ap-2'];

/** The faults a capture gets by default: where in the window each starts and in which cluster (index). */
export const DEFAULT_FAULTS: readonly FaultSpec[] = [
  { kind: 'cert-expiry', at: 0.06, cluster: 0 },
  { kind: 'bad-deploy', at: 0.15, cluster: 0, service: 'checkout', rollbackAfterMs: 40 * MIN },
  { kind: 'datastore-saturation', at: 0.3, cluster: 1 },
  { kind: 'flapping-alert', at: 0.43, cluster: 1 },
  { kind: 'node-failure', at: 0.55, cluster: 2 },
  { kind: 'bad-deploy', at: 0.68, cluster: 2, service: 'fraud-check', rollbackAfterMs: 16 * MIN },
  { kind: 'network-fault', at: 0.8, cluster: 1 },
  { kind: 'datastore-saturation', at: 0.9, cluster: 0, service: 'session-cache' },
];

/** The upstream Alertmanager that forwards the platform team's alerts (datastores, certificates) by webhook. */
export const UPSTREAM: UpstreamRoute = {
  receiver: 'stormcell', externalURL: 'http://alertmanager.platform.example.com:9093', matchers: '{team="platform"}',
  groupBy: ['alertname', 'cluster'], groupWaitMs: 30_000, groupIntervalMs: 5 * MIN, repeatIntervalMs: 60 * MIN,
};

/**
 * Generates recorded traffic of a kube-prometheus estate: per cluster an HA Prometheus pair and a Loki ruler posting
 * to `/api/v2/alerts`, an upstream Alertmanager's webhook, Jira and generic tickets, deploys and SLI samples, with
 * faults injected over the hours. Constraint: a pure function of its options — the same seed gives the same bytes.
 */
export function generateCapture(opts: CaptureOptions): GeneratedCapture {
  const start = Date.parse(opts.start ?? '2026-03-02T08:00:00.000Z');
  if (Number.isNaN(start)) throw new RangeError(`start: not an RFC 3339 time: ${opts.start}`);
  if (!(opts.hours > 0)) throw new RangeError(`hours: must be positive, got ${opts.hours}`);
  const end = start + Math.round(opts.hours * 60 * MIN);
  const clusterNames = clusterNamesOf(opts);

  const rng = new Rng(opts.seed);
  const replicaScale = opts.replicaScale ?? 1;
  if (!(replicaScale > 0)) throw new RangeError(`replicaScale: must be positive, got ${opts.replicaScale}`);
  const world = new World(clusterNames, rng.fork(1), replicaScale);
  const conditions: Condition[] = [];
  const deploys: DeploySpec[] = [];
  const tickets: TicketSpec[] = [];
  const sink: ScenarioSink = { condition: (c) => conditions.push(c), deploy: (d) => deploys.push(d), ticket: (t) => tickets.push(t) };
  const locks = new Map<Workload, number>();
  const isLocked = (w: Workload, at: number): boolean => at < (locks.get(w) ?? -Infinity);

  const noise = opts.noise ?? 1;
  if (!(noise >= 0)) throw new RangeError(`noise: must be a non-negative rate, got ${opts.noise}`);
  const actions: Action[] = scheduleBackground({ world, rng: rng.fork(2), sink, isLocked, ...(noise === 1 ? {} : { noise }) }, start, end);
  const faults: FaultTruth[] = [];
  const faultSpecs = opts.faults === false ? [] : opts.faults === true || opts.faults === undefined ? DEFAULT_FAULTS : opts.faults;
  if (faultSpecs.length > 0) {
    const faultRng = rng.fork(3);
    const counters = { jira: 1400, generic: 48_200 };
    const ctx = {
      world, rng: faultRng, sink,
      nextTicketId: (source: 'jira' | 'generic') => (source === 'jira' ? `OPS-${++counters.jira}` : `ZD-${++counters.generic}`),
      lock: (w: Workload, until: number) => locks.set(w, Math.max(until, locks.get(w) ?? -Infinity)),
    };
    faultSpecs.forEach((f, i) => {
      const plan: FaultPlan = {
        id: `f${i + 1}-${f.kind}`, kind: f.kind, cluster: clusterNames[f.cluster % clusterNames.length] as string,
        at: Math.round(start + f.at * (end - start) + faultRng.int(-3, 3) * MIN),
        ...(f.service === undefined ? {} : { service: f.service }),
        ...(f.rollbackAfterMs === undefined ? {} : { rollbackAfterMs: f.rollbackAfterMs }),
        ...(f.partitionMs === undefined ? {} : { partitionMs: f.partitionMs }),
      };
      actions.push({ at: plan.at, run: () => faults.push(injectFault(ctx, plan)) });
    });
  }
  // Stable by time, so pods a deploy replaces are the pods later noise and faults see.
  actions.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).forEach(({ a }) => a.run());

  const simRng = rng.fork(4);
  const apiEpisodes: Episode[] = [];
  for (const cluster of clusterNames) {
    for (const replica of [0, 1]) {
      apiEpisodes.push(...evaluate(conditions, prometheusReplica(cluster, replica), simRng.fork(replica + 1)));
    }
    apiEpisodes.push(...evaluate(conditions, lokiRuler(cluster), simRng.fork(7)));
  }
  const api = notify(apiEpisodes, start, end, simRng.fork(8));
  const platformEpisodes = evaluate(conditions, PLATFORM_PROMETHEUS, simRng.fork(9));
  const webhook = alertmanagerWebhook(platformEpisodes, UPSTREAM, start, end, simRng.fork(10));

  const sideRng = rng.fork(5);
  const emissions: Emission[] = [
    ...api.emissions,
    ...webhook.emissions,
    ...deploys.filter((d) => d.at >= start - 2 * MIN).map((d) => deployEmission(d, sideRng)),
    ...tickets.flatMap((t) => ticketEmissions(t, sideRng)),
    ...sliEmissions(world, conditions, start, end, sideRng),
  ];
  // Forked after every other part, and only when asked for, so captures without them keep their bytes.
  const unrelated = opts.unrelatedTickets ?? 0;
  if (unrelated > 0) {
    const ticketRng = rng.fork(6);
    for (const t of unrelatedTickets(clusterNames, unrelated, start, end, ticketRng)) {
      tickets.push(t);
      emissions.push(...ticketEmissions(t, ticketRng));
    }
  }
  const inWindow = emissions.filter((e) => e.at >= start && e.at < end);
  const ordered = inWindow.map((e, i) => ({ e, i })).sort((x, y) => x.e.at - y.e.at || x.i - y.i);
  const lines = ordered.map(({ e }) => `{"ts":"${new Date(e.at).toISOString()}","path":"${e.path}","body":${e.bodyJson}}`);

  const truth: CaptureTruth = {
    faults,
    alerts: alertTruth(api.sent, webhook.notified.map((n) => n.episode)),
    deploys: deploys
      .filter((d) => d.at >= start && d.at < end)
      .map((d) => ({ service: d.service, cluster: d.cluster, version: d.version, status: d.status, at: new Date(d.at).toISOString(), fault: d.fault })),
    tickets: tickets
      .filter((t) => t.createdAt >= start && t.createdAt < end)
      .map((t) => ({ id: t.id, source: t.source, fault: t.fault, createdAt: new Date(t.createdAt).toISOString() })),
  };
  return Object.assign(lines, { truth });
}

/** The cluster names a capture with these options simulates (`clusters` as names, or a count of the defaults). */
export function clusterNamesOf(opts: Pick<CaptureOptions, 'clusters'>): string[] {
  const names = typeof opts.clusters === 'object' ? [...opts.clusters] : DEFAULT_CLUSTERS.slice(0, opts.clusters ?? 3);
  if (names.length === 0) throw new RangeError('clusters: need at least one');
  return names;
}

/** Replica 0 or 1 of a cluster's kube-prometheus HA pair: 30 s rule evaluation, 1 m resend delay. */
export function prometheusReplica(cluster: string, replica: number): RulerSpec {
  return {
    name: `${cluster}/prometheus-k8s-${replica}`, source: 'prometheus', cluster, intervalMs: 30_000, resendDelayMs: 60_000,
    // prometheus_replica is an external label too, dropped by alert_relabel_configs so both replicas send the same set.
    externalLabels: { cluster, prometheus: 'monitoring/k8s' },
    url: `http://prometheus-k8s-${replica}.${cluster}.example.com:9090`,
  };
}

/** A cluster's Loki ruler: 1 m rule evaluation, posting to /api/v2/alerts as Prometheus does. */
export function lokiRuler(cluster: string): RulerSpec {
  return {
    name: `${cluster}/loki-ruler`, source: 'loki', cluster, intervalMs: 60_000, resendDelayMs: 60_000,
    externalLabels: { cluster }, url: `http://loki-ruler.monitoring.${cluster}.example.com:3100`,
  };
}

/** The platform team's Prometheus (every cluster's datastores and endpoints), whose alerts go to {@link UPSTREAM}. */
export const PLATFORM_PROMETHEUS: RulerSpec = {
  name: 'platform', source: 'platform', cluster: null, intervalMs: 30_000, resendDelayMs: 60_000,
  externalLabels: { prometheus: 'platform/db-monitoring' }, url: 'http://prometheus.platform.example.com:9090',
};

/** One truth entry per fingerprint; the two replicas' episodes of one condition count as one episode. */
export function alertTruth(apiSent: readonly Episode[], webhookSent: readonly Episode[]): AlertTruth[] {
  const byFingerprint = new Map<string, AlertTruth & { seen: Map<Condition, { startsAt: number; resolvedAt: number }> }>();
  const add = (e: Episode, source: 'api' | 'webhook'): void => {
    let t = byFingerprint.get(e.fingerprint);
    if (t === undefined) {
      t = { fingerprint: e.fingerprint, labels: e.labels, fault: e.condition.fault, episodes: [], source, seen: new Map() };
      byFingerprint.set(e.fingerprint, t);
    }
    const prev = t.seen.get(e.condition);
    t.seen.set(e.condition, {
      startsAt: Math.min(prev?.startsAt ?? Infinity, e.firedAt),
      resolvedAt: Math.max(prev?.resolvedAt ?? -Infinity, e.resolvedAt),
    });
  };
  for (const e of apiSent) add(e, 'api');
  for (const e of webhookSent) add(e, 'webhook');
  return [...byFingerprint.values()].map(({ seen, ...t }) => {
    const episodes = [...seen]
      .sort((a, b) => a[1].startsAt - b[1].startsAt)
      .map(([c, span]) => ({
        fault: c.fault,
        startsAt: new Date(span.startsAt).toISOString(),
        resolvedAt: Number.isFinite(span.resolvedAt) ? new Date(span.resolvedAt).toISOString() : null,
      }));
    return { ...t, fault: episodes[0]?.fault ?? t.fault, episodes };
  });
}
