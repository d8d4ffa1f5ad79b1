import type { Workload } from './capture-world.js';

/**
 * Who evaluates a rule: the cluster's HA Prometheus pair (kube-prometheus), the cluster's Loki ruler (LogQL), or
 * the platform team's Prometheus, whose alerts reach stormcell through their own Alertmanager's webhook.
 */
export type AlertSource = 'prometheus' | 'loki' | 'platform';

/** One alert a rule produces for one series: what the ruler knows before external labels are added. */
export interface AlertTemplate {
  readonly source: AlertSource;
  /** The rule group: rules of a group are evaluated, and their alerts sent, together. */
  readonly group: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Re-renders annotations whose text carries `$value`, as each evaluation does; `elapsedMs` is since activation. */
  readonly annotationsAt?: (elapsedMs: number) => Readonly<Record<string, string>>;
  readonly forMs: number;
  /** PromQL or LogQL, for the generatorURL. */
  readonly expr: string;
}

const MIN = 60_000;
const RUNBOOK = 'https://runbooks.prometheus-operator.dev/runbooks';

/** A stable fake pod IP per cluster and exporter, so the `instance` label does not change between alerts. */
function podIp(cluster: string, salt: string): string {
  let h = 2166136261;
  for (const ch of cluster + salt) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  const u = h >>> 0;
  return `10.${(u >>> 24) % 64}.${(u >>> 16) & 255}.${(u >>> 8) & 255 || 1}`;
}

/** The target labels kube-state-metrics series carry into kube-prometheus alerts. */
function ksm(cluster: string): Record<string, string> {
  return {
    container: 'kube-rbac-proxy-main', endpoint: 'https-main', instance: `${podIp(cluster, 'ksm')}:8443`,
    job: 'kube-state-metrics', service: 'kube-state-metrics',
  };
}

function pct(v: number): string {
  return `${v.toFixed(2).replace(/\.?0+$/, '')}%`;
}

/** kube-prometheus `KubePodCrashLooping` (kubernetes-apps, for 15m). */
export function kubePodCrashLooping(w: Workload, pod: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-apps', forMs: 15 * MIN,
    labels: { alertname: 'KubePodCrashLooping', ...ksm(w.cluster), container: w.container, namespace: w.namespace, pod, reason: 'CrashLoopBackOff', severity: 'warning' },
    annotations: {
      description: `Pod ${w.namespace}/${pod} (${w.container}) is in waiting state (reason: "CrashLoopBackOff").`,
      runbook_url: `${RUNBOOK}/kubernetes/kubepodcrashlooping`, summary: 'Pod is crash looping.',
    },
    expr: 'max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",reason="CrashLoopBackOff"}[5m]) >= 1',
  };
}

/** kube-prometheus `KubePodNotReady` (for 15m): aggregated by namespace and pod, so no target labels. */
export function kubePodNotReady(w: Workload, pod: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-apps', forMs: 15 * MIN,
    labels: { alertname: 'KubePodNotReady', namespace: w.namespace, pod, severity: 'warning' },
    annotations: {
      description: `Pod ${w.namespace}/${pod} has been in a non-ready state for longer than 15 minutes on cluster ${w.cluster}.`,
      runbook_url: `${RUNBOOK}/kubernetes/kubepodnotready`, summary: 'Pod has been in a non-ready state for more than 15 minutes.',
    },
    expr: 'sum by (namespace, pod, cluster) (max by (namespace, pod, cluster) (kube_pod_status_phase{job="kube-state-metrics",phase=~"Pending|Unknown|Failed"})) > 0',
  };
}

/** kube-prometheus `KubeContainerWaiting` (for 1h). */
export function kubeContainerWaiting(w: Workload, pod: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-apps', forMs: 60 * MIN,
    labels: { alertname: 'KubeContainerWaiting', container: w.container, namespace: w.namespace, pod, severity: 'warning' },
    annotations: {
      description: `pod/${pod} in namespace ${w.namespace} on container ${w.container} has been in waiting state for longer than 1 hour.`,
      runbook_url: `${RUNBOOK}/kubernetes/kubecontainerwaiting`, summary: 'Pod container waiting longer than 1 hour',
    },
    expr: 'sum by (namespace, pod, container, cluster) (kube_pod_container_status_waiting_reason{job="kube-state-metrics"}) > 0',
  };
}

/** kube-prometheus `CPUThrottlingHigh` (kubernetes-resources, info, for 15m): the usual background noise. */
export function cpuThrottlingHigh(w: Workload, pod: string, throttled: number): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-resources', forMs: 15 * MIN,
    labels: { alertname: 'CPUThrottlingHigh', container: w.container, namespace: w.namespace, pod, severity: 'info' },
    annotations: {
      description: `${pct(throttled)} throttling of CPU in namespace ${w.namespace} for container ${w.container} in pod ${pod}.`,
      runbook_url: `${RUNBOOK}/kubernetes/cputhrottlinghigh`, summary: 'Processes experience elevated CPU throttling.',
    },
    expr: 'sum(increase(container_cpu_cfs_throttled_periods_total{container!="", job="kubelet", metrics_path="/metrics/cadvisor", }[5m])) by (cluster, container, pod, namespace) / sum(increase(container_cpu_cfs_periods_total{job="kubelet", metrics_path="/metrics/cadvisor", }[5m])) by (cluster, container, pod, namespace) > ( 25 / 100 )',
  };
}

/** kube-prometheus `KubeDeploymentReplicasMismatch` or `KubeStatefulSetReplicasMismatch` (for 15m). */
export function kubeReplicasMismatch(w: Workload): AlertTemplate {
  const sts = w.kind === 'StatefulSet';
  const kind = sts ? 'StatefulSet' : 'Deployment';
  return {
    source: 'prometheus', group: 'kubernetes-apps', forMs: 15 * MIN,
    labels: {
      alertname: `Kube${kind}ReplicasMismatch`, ...ksm(w.cluster), [sts ? 'statefulset' : 'deployment']: w.name,
      namespace: w.namespace, severity: 'warning',
    },
    annotations: {
      description: `${kind} ${w.namespace}/${w.name} has not matched the expected number of replicas for longer than 15 minutes.`,
      runbook_url: `${RUNBOOK}/kubernetes/kube${kind.toLowerCase()}replicasmismatch`,
      summary: `${kind} has not matched the expected number of replicas.`,
    },
    expr: sts
      ? '(kube_statefulset_status_replicas_ready{job="kube-state-metrics"} != kube_statefulset_status_replicas{job="kube-state-metrics"}) and (changes(kube_statefulset_status_replicas_updated{job="kube-state-metrics"}[10m]) == 0)'
      : '(kube_deployment_spec_replicas{job="kube-state-metrics"} > kube_deployment_status_replicas_available{job="kube-state-metrics"}) and (changes(kube_deployment_status_replicas_updated{job="kube-state-metrics"}[10m]) == 0)',
  };
}

/** kube-prometheus `KubeDeploymentRolloutStuck` (for 15m). */
export function kubeDeploymentRolloutStuck(w: Workload): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-apps', forMs: 15 * MIN,
    labels: { alertname: 'KubeDeploymentRolloutStuck', ...ksm(w.cluster), condition: 'Progressing', deployment: w.name, namespace: w.namespace, severity: 'warning', status: 'false' },
    annotations: {
      description: `Rollout of deployment ${w.namespace}/${w.name} is not progressing for longer than 15 minutes.`,
      runbook_url: `${RUNBOOK}/kubernetes/kubedeploymentrolloutstuck`, summary: 'Deployment rollout is not progressing.',
    },
    expr: 'kube_deployment_status_condition{condition="Progressing", status="false",job="kube-state-metrics"} != 0',
  };
}

/** kube-prometheus `KubeHpaMaxedOut` (for 15m). */
export function kubeHpaMaxedOut(w: Workload): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-apps', forMs: 15 * MIN,
    labels: { alertname: 'KubeHpaMaxedOut', ...ksm(w.cluster), horizontalpodautoscaler: w.name, namespace: w.namespace, severity: 'warning' },
    annotations: {
      description: `HPA ${w.namespace}/${w.name} has been running at max replicas for longer than 15 minutes.`,
      runbook_url: `${RUNBOOK}/kubernetes/kubehpamaxedout`, summary: 'HPA is running at max replicas',
    },
    expr: 'kube_horizontalpodautoscaler_status_current_replicas{job="kube-state-metrics"} == kube_horizontalpodautoscaler_spec_max_replicas{job="kube-state-metrics"}',
  };
}

/** kube-prometheus `KubeJobFailed` (for 15m): a CronJob's Job, whose name carries the schedule's minute. */
export function kubeJobFailed(cluster: string, namespace: string, jobName: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-apps', forMs: 15 * MIN,
    labels: { alertname: 'KubeJobFailed', ...ksm(cluster), job_name: jobName, namespace, severity: 'warning' },
    annotations: {
      description: `Job ${namespace}/${jobName} failed to complete. Removing failed job after investigation should clear this alert.`,
      runbook_url: `${RUNBOOK}/kubernetes/kubejobfailed`, summary: 'Job failed to complete.',
    },
    expr: 'kube_job_failed{job="kube-state-metrics"}  > 0',
  };
}

/** kube-prometheus `KubeNodeNotReady` (kubernetes-system-kubelet, for 15m). */
export function kubeNodeNotReady(cluster: string, node: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-system-kubelet', forMs: 15 * MIN,
    labels: { alertname: 'KubeNodeNotReady', ...ksm(cluster), condition: 'Ready', node, severity: 'warning', status: 'true' },
    annotations: {
      description: `${node} has been unready for more than 15 minutes.`,
      runbook_url: `${RUNBOOK}/kubernetes/kubenodenotready`, summary: 'Node is not ready.',
    },
    expr: 'kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0',
  };
}

/** kube-prometheus `KubeNodeUnreachable` (for 15m). */
export function kubeNodeUnreachable(cluster: string, node: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-system-kubelet', forMs: 15 * MIN,
    labels: { alertname: 'KubeNodeUnreachable', ...ksm(cluster), effect: 'NoSchedule', key: 'node.kubernetes.io/unreachable', node, severity: 'warning' },
    annotations: {
      description: `${node} is unreachable and some workloads may be rescheduled.`,
      runbook_url: `${RUNBOOK}/kubernetes/kubenodeunreachable`, summary: 'Node is unreachable.',
    },
    expr: '(kube_node_spec_taint{job="kube-state-metrics",key="node.kubernetes.io/unreachable",effect="NoSchedule"} unless ignoring(key,value) kube_node_spec_taint{job="kube-state-metrics",key=~"ToBeDeletedByClusterAutoscaler|cloud.google.com/impending-node-termination|aws-node-termination-handler/spot-itn"}) == 1',
  };
}

function nodeExporter(cluster: string, node: string, pod: string): Record<string, string> {
  return { container: 'kube-rbac-proxy', endpoint: 'https', instance: node, job: 'node-exporter', namespace: 'monitoring', pod, service: 'node-exporter' };
}

/** node-mixin `NodeFilesystemSpaceFillingUp` (warning for 1h, critical for 1h): `instance` is the node name. */
export function nodeFilesystemSpaceFillingUp(cluster: string, node: string, pod: string, severity: 'warning' | 'critical', startPct: number): AlertTemplate {
  const describe = (left: number): Record<string, string> => ({
    description: `Filesystem on /dev/nvme0n1p1 at ${node} has only ${left.toFixed(2)}% available space left and is filling up.`,
    runbook_url: `${RUNBOOK}/node/nodefilesystemspacefillingup`,
    summary: `Filesystem is predicted to run out of space within the next ${severity === 'critical' ? '4' : '24'} hours.`,
  });
  return {
    source: 'prometheus', group: 'node-exporter', forMs: 60 * MIN,
    labels: { alertname: 'NodeFilesystemSpaceFillingUp', ...nodeExporter(cluster, node, pod), device: '/dev/nvme0n1p1', fstype: 'xfs', mountpoint: '/var/lib/containerd', severity },
    annotations: describe(startPct),
    annotationsAt: (elapsed) => describe(Math.max(0.5, startPct - elapsed / (40 * MIN))),
    expr: '(node_filesystem_avail_bytes{job="node-exporter",fstype!="",mountpoint!=""} / node_filesystem_size_bytes{job="node-exporter",fstype!="",mountpoint!=""} * 100 < 15 and predict_linear(node_filesystem_avail_bytes{job="node-exporter",fstype!="",mountpoint!=""}[6h], 24*60*60) < 0 and node_filesystem_readonly{job="node-exporter",fstype!="",mountpoint!=""} == 0)',
  };
}

/** node-mixin `NodeNetworkReceiveErrs` (for 1h). */
export function nodeNetworkReceiveErrs(cluster: string, node: string, pod: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'node-exporter', forMs: 60 * MIN,
    labels: { alertname: 'NodeNetworkReceiveErrs', ...nodeExporter(cluster, node, pod), device: 'ens5', severity: 'warning' },
    annotations: {
      description: `${node} interface ens5 has encountered 412 receive errors in the last two minutes.`,
      runbook_url: `${RUNBOOK}/node/nodenetworkreceiveerrs`, summary: 'Network interface is reporting many receive errors.',
    },
    expr: 'rate(node_network_receive_errs_total{job="node-exporter"}[2m]) / rate(node_network_receive_packets_total{job="node-exporter"}[2m]) > 0.01',
  };
}

/** kube-prometheus `TargetDown` (general.rules, for 10m): one per job, namespace and service. */
export function targetDown(job: string, namespace: string, service: string, downPct: number): AlertTemplate {
  return {
    source: 'prometheus', group: 'general.rules', forMs: 10 * MIN,
    labels: { alertname: 'TargetDown', job, namespace, service, severity: 'warning' },
    annotations: {
      description: `${downPct.toPrecision(4).replace(/\.?0+$/, '')}% of the ${job}/${service} targets in ${namespace} namespace are down.`,
      runbook_url: `${RUNBOOK}/general/targetdown`, summary: 'One or more targets are unreachable.',
    },
    expr: '100 * (count(up == 0) BY (cluster, job, namespace, service) / count(up) BY (cluster, job, namespace, service)) > 10',
  };
}

/** kube-prometheus `Watchdog`: always firing, to prove the pipeline works. */
export function watchdog(): AlertTemplate {
  return {
    source: 'prometheus', group: 'general.rules', forMs: 0,
    labels: { alertname: 'Watchdog', severity: 'none' },
    annotations: {
      description: 'This is an alert meant to ensure that the entire alerting pipeline is functional.\nThis alert is always firing, therefore it should always be firing in Alertmanager\nand always fire against a receiver. There are integrations with various notification\nmechanisms that send a notification when this alert is not firing. For example the\n"DeadMansSnitch" integration in PagerDuty.\n',
      runbook_url: `${RUNBOOK}/general/watchdog`, summary: 'An alert that should always be firing to certify that Alertmanager is working properly.',
    },
    expr: 'vector(1)',
  };
}

/** kube-prometheus `KubeCPUOvercommit` (kubernetes-resources, for 10m): cluster-wide, no workload labels. */
export function kubeCpuOvercommit(cluster: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'kubernetes-resources', forMs: 10 * MIN,
    labels: { alertname: 'KubeCPUOvercommit', resource: 'cpu', severity: 'warning' },
    annotations: {
      description: `Cluster ${cluster} has overcommitted CPU resource requests for Pods by 3.2 CPU shares and cannot tolerate node failure.`,
      runbook_url: `${RUNBOOK}/kubernetes/kubecpuovercommit`, summary: 'Cluster has overcommitted CPU resource requests.',
    },
    expr: 'sum(namespace_cpu:kube_pod_container_resource_requests:sum{}) by (cluster) - (sum(kube_node_status_allocatable{job="kube-state-metrics",resource="cpu"}) by (cluster) - max(kube_node_status_allocatable{job="kube-state-metrics",resource="cpu"}) by (cluster)) > 0',
  };
}

/** coredns-mixin `CoreDNSErrorsHigh` (for 5m). */
export function coreDnsErrorsHigh(severity: 'warning' | 'critical'): AlertTemplate {
  return {
    source: 'prometheus', group: 'coredns', forMs: 5 * MIN,
    labels: { alertname: 'CoreDNSErrorsHigh', severity },
    annotations: {
      description: `CoreDNS is returning SERVFAIL for ${severity === 'critical' ? '7.41' : '2.13'}% of requests.`,
      runbook_url: 'https://github.com/povilasv/coredns-mixin/tree/master/runbook.md#alert-name-corednserrorshigh',
      summary: 'CoreDNS is returning SERVFAIL.',
    },
    expr: 'sum without (pod, instance, server, zone, view, rcode, plugin) (rate(coredns_dns_responses_total{job="coredns",rcode="SERVFAIL"}[5m])) / sum without (pod, instance, server, zone, view, rcode, plugin) (rate(coredns_dns_responses_total{job="coredns"}[5m])) > 0.01',
  };
}

// The teams' own rules (RED, Loki) and the platform team's exporter rules live beside these.
export * from './service-rules.js';
