import * as rules from './alert-rules.js';
import { nextVersion } from './capture-faults.js';
import type { ScenarioSink } from './capture-scenario.js';
import { appServices, type Cluster, type Workload, type World } from './capture-world.js';
import type { Rng } from './rng.js';

/** A step of the simulation that reads or changes the world at one instant (pods change on deploys). */
export interface Action {
  readonly at: number;
  run(): void;
}

/** What background noise may touch. */
export interface BackgroundContext {
  readonly world: World;
  readonly rng: Rng;
  readonly sink: ScenarioSink;
  /** True while a fault owns the workload's pods (no background deploys or pod noise on it). */
  isLocked(w: Workload, at: number): boolean;
  /** Rate of the alert noise relative to the default estate's (1 when absent); deploys keep their rate. */
  readonly noise?: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const CRON_JOBS: ReadonlyArray<readonly [namespace: string, name: string]> = [
  ['data', 'db-backup'], ['analytics', 'report-generator'], ['shop', 'search-reindex'], ['backoffice', 'invoice-export'],
  ['marketplace', 'price-sync'],
];

/**
 * Schedules the estate's everyday noise for [start, end): benign deploys (and a few failed ones), CPU throttling
 * on random pods, short latency and log blips, failed CronJob runs, a disk filling up, exporter blips on the
 * platform side, and the always-firing Watchdog. None of it belongs to a fault (`fault: null`).
 */
export function scheduleBackground(ctx: BackgroundContext, start: number, end: number): Action[] {
  const actions: Action[] = [];
  // x / 1 and x * 1 are exact, so the default rate reproduces the original draws bit for bit.
  const rate = ctx.noise ?? 1;
  for (const cluster of ctx.world.clusters) {
    const rng = ctx.rng.fork(cluster.name.length * 31 + cluster.nodes.length);
    const noise = (template: rules.AlertTemplate, from: number, to: number): void =>
      ctx.sink.condition({ cluster: cluster.name, template, start: from, end: to, fault: null });
    noise(rules.watchdog(), start - 30 * 24 * HOUR, Infinity);
    const apps = appServices(cluster);
    const pods = apps.reduce((n, w) => n + w.pods.length, 0);
    poisson(rng, start - 2 * HOUR, end, 22 * MIN, (at) => actions.push({ at, run: () => deploy(ctx, rng, cluster, at) }));
    // Throttling scales with pod count: roughly one new throttled container a minute in a 200-pod cluster, most of it short.
    poisson(rng, start - 3 * HOUR, end, ((200 / pods) * 0.9 * MIN) / rate, (at) =>
      actions.push({ at, run: () => podNoise(ctx, rng, apps, at, (w, pod) => rules.cpuThrottlingHigh(w, pod, rng.between(25.5, 68)), 10 * MIN + rng.exponential(22 * MIN)) }));
    poisson(rng, start - HOUR, end, (110 * MIN) / rate, (at) =>
      actions.push({ at, run: () => podNoise(ctx, rng, apps, at, (w, pod) => rules.kubePodCrashLooping(w, pod), rng.int(25, 80) * MIN) }));
    poisson(rng, start, end, (24 * MIN) / rate, (at) => {
      const w = rng.pick(apps);
      noise(rules.highLatency(w, 'warning', rng.int(520, 900)), at, at + rng.int(3, 14) * MIN);
    });
    poisson(rng, start, end, (30 * MIN) / rate, (at) => {
      const w = rng.pick(apps);
      noise(rules.logErrorRate(w, rng.between(1.2, 6)), at, at + rng.int(3, 20) * MIN);
    });
    poisson(rng, start, end, (60 * MIN) / rate, (at) => {
      const w = rng.pick(apps);
      noise(rules.targetDown(w.name, w.namespace, w.name, 100 / w.pods.length), at, at + rng.int(4, 16) * MIN);
    });
    poisson(rng, start, end, (70 * MIN) / rate, (at) => {
      const redis = rng.pick([...cluster.workloads.values()].filter((w) => w.engine === 'redis'));
      noise(rules.redisRejectedConnections(redis, rng.pick(redis.pods).name), at, at + rng.int(1, 4) * MIN);
    });
    poisson(rng, start, end, (150 * MIN) / rate, (at) => {
      const kafka = cluster.workloads.get('kafka') as Workload;
      const group = rng.pick([...cluster.workloads.values()].flatMap((w) => w.consumerGroups));
      noise(rules.kafkaConsumerGroupLag(kafka, group, `${group.split('-')[0]}-events`, rng.int(5_200, 9_000)), at, at + rng.int(5, 20) * MIN);
    });
    // CronJobs run hourly; a failed Job stays (and alerts) until its TTL cleans it up hours later.
    for (let h = Math.ceil((start - 4 * HOUR) / HOUR) * HOUR; h < end; h += HOUR) {
      for (const [namespace, name] of CRON_JOBS) {
        if (!rng.chance(0.1 * rate)) continue;
        const failedAt = h + rng.int(2, 25) * MIN;
        noise(rules.kubeJobFailed(cluster.name, namespace, `${name}-${Math.floor(h / MIN)}`), failedAt, failedAt + rng.int(90, 300) * MIN);
      }
    }
    const node = rng.pick(cluster.nodes);
    const fsFrom = start + rng.int(0, Math.max(1, Math.floor((end - start) / MIN) - 60)) * MIN;
    noise(rules.nodeFilesystemSpaceFillingUp(cluster.name, node, nodeExporterPod(cluster, node), 'warning', 14.2), fsFrom - HOUR, fsFrom + rng.int(60, 180) * MIN);
  }
  const busiest = ctx.world.clusters[1] ?? ctx.world.clusters[0];
  if (busiest !== undefined) {
    ctx.sink.condition({ cluster: busiest.name, template: rules.kubeCpuOvercommit(busiest.name), start: start - 3 * HOUR, end: start + 90 * MIN, fault: null });
    const frontend = busiest.workloads.get('frontend') as Workload;
    ctx.sink.condition({ cluster: busiest.name, template: rules.kubeHpaMaxedOut(frontend), start: start + HOUR, end: start + 150 * MIN, fault: null });
  }
  return actions;
}

/** Calls `f` at Poisson arrival times with the given mean gap over [from, to). */
function poisson(rng: Rng, from: number, to: number, meanGapMs: number, f: (at: number) => void): void {
  for (let t = from + rng.exponential(meanGapMs); t < to; t += rng.exponential(meanGapMs)) f(Math.round(t));
}

function deploy(ctx: BackgroundContext, rng: Rng, cluster: Cluster, at: number): void {
  const candidates = appServices(cluster).filter((w) => !ctx.isLocked(w, at));
  if (candidates.length === 0) return;
  const w = rng.pick(candidates);
  const version = nextVersion(w.version, rng);
  const failed = rng.chance(0.07);
  ctx.sink.deploy({
    cluster: cluster.name, namespace: w.namespace, service: w.name, version, previousVersion: w.version,
    status: failed ? 'failed' : 'succeeded', at, fault: null,
  });
  if (!failed) ctx.world.rollout(w, version);
}

function podNoise(
  ctx: BackgroundContext, rng: Rng, apps: readonly Workload[], at: number,
  template: (w: Workload, pod: string) => rules.AlertTemplate, durationMs: number,
): void {
  const w = rng.pick(apps);
  if (ctx.isLocked(w, at)) return;
  ctx.sink.condition({ cluster: w.cluster, template: template(w, rng.pick(w.pods).name), start: at, end: at + durationMs, fault: null });
}

function nodeExporterPod(cluster: Cluster, node: string): string {
  const ds = cluster.workloads.get('node-exporter');
  return ds?.pods.find((p) => p.node === node)?.name ?? 'node-exporter';
}
