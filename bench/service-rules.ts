import type { AlertTemplate } from './alert-rules.js';
import type { Workload } from './capture-world.js';

const MIN = 60_000;

function pct(v: number): string {
  return `${v.toFixed(2).replace(/\.?0+$/, '')}%`;
}

/** The team's own RED rule `HighErrorRate` (app-slo, for 5m), with the `service` label of the service monitor. */
export function highErrorRate(w: Workload, severity: 'warning' | 'critical', errorPct: number): AlertTemplate {
  return {
    source: 'prometheus', group: 'app-slo', forMs: 5 * MIN,
    labels: { alertname: 'HighErrorRate', namespace: w.namespace, service: w.name, severity, team: w.team },
    annotations: {
      description: `${pct(errorPct)} of requests to ${w.name} in ${w.namespace} failed with 5xx over the last 5 minutes.`,
      summary: `High HTTP 5xx error rate on ${w.name}`,
    },
    expr: `sum by (namespace, service) (rate(http_requests_total{service="${w.name}",code=~"5.."}[5m])) / sum by (namespace, service) (rate(http_requests_total{service="${w.name}"}[5m])) > 0.0${severity === 'critical' ? 5 : 1}`,
  };
}

/** The team's own RED rule `HighLatency` (app-slo, for 5m). */
export function highLatency(w: Workload, severity: 'warning' | 'critical', p99Ms: number): AlertTemplate {
  return {
    source: 'prometheus', group: 'app-slo', forMs: 5 * MIN,
    labels: { alertname: 'HighLatency', namespace: w.namespace, quantile: '0.99', service: w.name, severity, team: w.team },
    annotations: {
      description: `p99 latency of ${w.name} is ${(p99Ms / 1000).toFixed(3)}s (threshold ${severity === 'critical' ? '2' : '0.5'}s).`,
      summary: `High request latency on ${w.name}`,
    },
    expr: `histogram_quantile(0.99, sum by (le, namespace, service) (rate(http_request_duration_seconds_bucket{service="${w.name}"}[5m]))) > ${severity === 'critical' ? 2 : 0.5}`,
  };
}

/** Loki ruler rule: error log lines per app (for 5m). Labels come from the stream selector (`app`, `namespace`). */
export function logErrorRate(w: Workload, perSec: number): AlertTemplate {
  return {
    source: 'loki', group: 'app-logs', forMs: 5 * MIN,
    labels: { alertname: 'HighLogErrorRate', app: w.name, namespace: w.namespace, severity: 'warning' },
    annotations: {
      description: `${w.name} is logging ${perSec.toFixed(1)} error lines per second.`,
      summary: `${w.name} error logs are increasing`,
    },
    expr: `sum by (app, namespace) (rate({namespace="${w.namespace}", app="${w.name}"} |= "level=error" [5m])) > 1`,
  };
}

/** Loki ruler rule: panics or fatal errors in an app's logs (no `for`: one line is enough). */
export function panicInLogs(w: Workload): AlertTemplate {
  return {
    source: 'loki', group: 'app-logs', forMs: 0,
    labels: { alertname: 'PanicInLogs', app: w.name, namespace: w.namespace, severity: 'critical' },
    annotations: {
      description: `${w.name} logged a panic or fatal error in the last 5 minutes.`,
      summary: `${w.name} is panicking`,
    },
    expr: `sum by (app, namespace) (count_over_time({namespace="${w.namespace}", app="${w.name}"} |~ "panic:|level=fatal" [5m])) > 0`,
  };
}

/**
 * Loki ruler rule: connection errors to dependencies in one pod's logs (for 2m). Grouped by pod, as log rules often
 * are, so a network fault raises one alert per affected pod.
 */
export function connectionErrorsInLogs(w: Workload, pod: string, target: string): AlertTemplate {
  return {
    source: 'loki', group: 'app-logs', forMs: 2 * MIN,
    labels: { alertname: 'UpstreamConnectionErrors', app: w.name, namespace: w.namespace, pod, severity: 'warning' },
    annotations: {
      description: `${pod} logs "dial tcp: i/o timeout" or "connection refused" towards ${target}.`,
      summary: `${w.name} cannot reach its dependencies`,
    },
    expr: `sum by (app, namespace, pod) (rate({namespace="${w.namespace}", app="${w.name}"} |~ "connection refused|i/o timeout" [2m])) > 0.5`,
  };
}

function platformTarget(w: Workload, pod: string, port: number, job: string): Record<string, string> {
  return { instance: `${pod}.${w.name}.${w.namespace}.svc:${port}`, job, namespace: w.namespace, team: 'platform' };
}

/** postgres-exporter rule `PostgresTooManyConnections` (for 5m), from the platform Prometheus. */
export function postgresTooManyConnections(w: Workload, pod: string, severity: 'warning' | 'critical', usedPct: number): AlertTemplate {
  return {
    source: 'platform', group: 'postgres', forMs: 5 * MIN,
    labels: { alertname: 'PostgresTooManyConnections', ...platformTarget(w, pod, 9187, 'postgres-exporter'), server: w.name, severity },
    annotations: {
      description: `PostgreSQL instance ${pod} of ${w.name} is using ${pct(usedPct)} of max_connections.`,
      summary: 'PostgreSQL has too many connections',
    },
    expr: 'sum by (cluster, namespace, server, instance) (pg_stat_activity_count) > on (cluster, namespace, server, instance) pg_settings_max_connections * 0.8',
  };
}

/** postgres-exporter rule `PostgresSlowQueries` (for 5m). */
export function postgresSlowQueries(w: Workload, pod: string): AlertTemplate {
  return {
    source: 'platform', group: 'postgres', forMs: 5 * MIN,
    labels: { alertname: 'PostgresSlowQueries', ...platformTarget(w, pod, 9187, 'postgres-exporter'), datname: w.name.replace(/-db$/, ''), server: w.name, severity: 'warning' },
    annotations: { description: `Queries on ${w.name} take longer than 2s on average.`, summary: 'PostgreSQL queries are slow' },
    expr: 'avg by (cluster, namespace, server, instance, datname) (rate(pg_stat_statements_mean_time_seconds[5m])) > 2',
  };
}

/** redis-exporter rule `RedisRejectedConnections` (no `for`). */
export function redisRejectedConnections(w: Workload, pod: string): AlertTemplate {
  return {
    source: 'platform', group: 'redis', forMs: 0,
    labels: { alertname: 'RedisRejectedConnections', ...platformTarget(w, pod, 9121, 'redis-exporter'), severity: 'warning' },
    annotations: { description: `Some connections to Redis ${pod} (${w.name}) have been rejected.`, summary: 'Redis rejected connections' },
    expr: 'increase(redis_rejected_connections_total[1m]) > 0',
  };
}

/** kafka-exporter rule `KafkaConsumerGroupLag` (for 5m); the lag in the description grows between evaluations. */
export function kafkaConsumerGroupLag(w: Workload, consumergroup: string, topic: string, startLag: number): AlertTemplate {
  const describe = (lag: number): Record<string, string> => ({
    description: `Consumer group ${consumergroup} lags ${Math.round(lag)} messages behind on topic ${topic}.`,
    summary: 'Kafka consumer group is lagging',
  });
  return {
    source: 'platform', group: 'kafka', forMs: 5 * MIN,
    labels: { alertname: 'KafkaConsumerGroupLag', consumergroup, instance: `kafka-exporter.${w.namespace}.svc:9308`, job: 'kafka-exporter', namespace: w.namespace, severity: 'warning', team: 'platform', topic },
    annotations: describe(startLag),
    annotationsAt: (elapsed) => describe(startLag * (1 + elapsed / (5 * MIN))),
    expr: 'sum by (cluster, namespace, consumergroup, topic) (kafka_consumergroup_lag) > 5000',
  };
}

/** blackbox-exporter rule `CertificateExpiringSoon` (for 10m), probing a public endpoint. */
export function certificateExpiringSoon(host: string, severity: 'warning' | 'critical', days: number): AlertTemplate {
  return {
    source: 'platform', group: 'blackbox', forMs: 10 * MIN,
    labels: { alertname: 'CertificateExpiringSoon', instance: `https://${host}`, job: 'blackbox', module: 'http_2xx', severity, team: 'platform' },
    annotations: {
      description: `The TLS certificate of https://${host} expires in ${days} days.`,
      summary: 'TLS certificate will expire soon',
    },
    expr: `(probe_ssl_earliest_cert_expiry - time()) / 86400 < ${severity === 'critical' ? 3 : 14}`,
  };
}
