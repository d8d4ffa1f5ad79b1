import { fingerprint } from '../src/model/fingerprint.js';
import { KUBE_ALPHABET, Rng } from './rng.js';

/** One alert as a Prometheus ruler posts it to `/api/v2/alerts`, minus `endsAt`, which changes on every re-send. */
export interface PoolAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly generatorURL: string;
}

interface PodRule {
  readonly alertname: string;
  readonly severity: string;
  readonly job: string;
  readonly summary: string;
  describe(ns: string, pod: string, container: string): string;
  /** A short query, already URL-encoded: the real rule expressions would double the alert's size on the wire. */
  readonly expr: string;
}

// kube-prometheus's per-pod rules: the ones that make up most of a storm's distinct label sets.
const RULES: readonly PodRule[] = [
  {
    alertname: 'KubePodCrashLooping', severity: 'warning', job: 'kube-state-metrics',
    summary: 'Pod is crash looping.',
    describe: (ns, pod, c) => `Pod ${ns}/${pod} (${c}) is in waiting state (reason: "CrashLoopBackOff").`,
    expr: 'kube_pod_container_status_waiting_reason%3E0',
  },
  {
    alertname: 'KubePodNotReady', severity: 'warning', job: 'kube-state-metrics',
    summary: 'Pod has been in a non-ready state for more than 15 minutes.',
    describe: (ns, pod) => `Pod ${ns}/${pod} has been in a non-ready state for longer than 15 minutes.`,
    expr: 'kube_pod_status_phase%3E0',
  },
  {
    alertname: 'CPUThrottlingHigh', severity: 'info', job: 'kubelet',
    summary: 'Processes experience elevated CPU throttling.',
    describe: (_ns, pod, c) => `42.7% throttling of CPU for container ${c} in pod ${pod}.`,
    expr: 'container_cpu_cfs_throttled_periods_total%3E0',
  },
  {
    alertname: 'KubeContainerWaiting', severity: 'warning', job: 'kube-state-metrics',
    summary: 'Pod container waiting longer than 1 hour',
    describe: (ns, pod, c) => `pod/${pod} in namespace ${ns} on container ${c} has been waiting for over 1 hour.`,
    expr: 'kube_pod_container_status_waiting%3E0',
  },
  {
    alertname: 'KubeContainerOOMKilled', severity: 'warning', job: 'kube-state-metrics',
    summary: 'Container was OOM killed.',
    describe: (ns, pod, c) => `Container ${c} in pod ${ns}/${pod} was OOMKilled 3 times in 10 minutes.`,
    expr: 'kube_pod_container_status_last_terminated_reason%3E0',
  },
];

const CLUSTERS = ['eu-1', 'us-1', 'ap-1', 'eu-2', 'us-2'];
const WORKLOADS: ReadonlyArray<readonly [string, string]> = [
  ['shop', 'checkout'], ['shop', 'cart'], ['shop', 'frontend'], ['shop', 'catalog'], ['shop', 'search'],
  ['shop', 'recommendations'], ['shop', 'shipping'], ['shop', 'orders'], ['payments', 'payments-api'],
  ['payments', 'fraud-check'], ['payments', 'ledger'], ['identity', 'auth'], ['identity', 'sessions'],
  ['monitoring', 'grafana'], ['kube-system', 'coredns'], ['ingress-nginx', 'ingress-nginx-controller'],
];

/**
 * Builds `count` distinct active alerts (8 labels, 2 annotations, ~580 bytes of JSON each with endsAt) as a kube-prometheus
 * stack across several clusters would fire them: the pool the load generator and the heap benchmark re-send.
 * Constraint: deterministic for a seed, and the first n alerts of a larger pool equal a pool of size n.
 */
export function createAlertPool(count: number, seed = 1): PoolAlert[] {
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const pool: PoolAlert[] = [];
  const base = Date.UTC(2026, 2, 2, 8, 0, 0);
  while (pool.length < count) {
    const rule = rng.pick(RULES);
    const cluster = rng.pick(CLUSTERS);
    const [namespace, workload] = rng.pick(WORKLOADS);
    const pod = `${workload}-${rng.chars(10, KUBE_ALPHABET)}-${rng.chars(5, KUBE_ALPHABET)}`;
    const labels = {
      alertname: rule.alertname,
      cluster,
      container: workload,
      job: rule.job,
      namespace,
      pod,
      prometheus: 'monitoring/k8s',
      severity: rule.severity,
    };
    const startsAt = new Date(base - rng.int(0, 6 * 3600_000)).toISOString();
    const fp = fingerprint(labels);
    if (seen.has(fp)) continue;
    seen.add(fp);
    pool.push({
      labels,
      annotations: { description: rule.describe(namespace, pod, workload), summary: rule.summary },
      startsAt,
      generatorURL: `http://prometheus-k8s-0:9090/graph?g0.expr=${rule.expr}&g0.tab=1`,
    });
  }
  return pool;
}

/**
 * An alert pre-serialized around its `endsAt`, so a sender can re-send it with a fresh `endsAt` (now + 4m, as
 * Prometheus does) by concatenation instead of JSON.stringify on the load generator's hot path.
 */
export interface SerializedAlert {
  readonly head: string;
  readonly tail: string;
}

/** Splits each alert's JSON around `endsAt`; join as `head + JSON.stringify(endsAt) + tail`. */
export function serializePool(pool: readonly PoolAlert[]): SerializedAlert[] {
  return pool.map((a) => ({
    head: `{"labels":${JSON.stringify(a.labels)},"annotations":${JSON.stringify(a.annotations)},"startsAt":"${a.startsAt}","endsAt":`,
    tail: `,"generatorURL":${JSON.stringify(a.generatorURL)}}`,
  }));
}
