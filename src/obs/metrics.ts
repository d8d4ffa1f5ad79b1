import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's metrics, on a registry of its own (no prom-client global), so that tests can embed several apps.
 * Names follow `stormcell_<what>_<unit>`; label values come from bounded sets.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly received: Counter<'source'>;
  readonly rejected: Counter<'path' | 'reason'>;
  readonly requests: Counter<'path' | 'code'>;
  readonly incidentsOpen: Gauge;
  readonly alertsFiring: Gauge;
  readonly engineLag: Gauge;
  readonly fsyncSeconds: Histogram;
  readonly logEntries: Counter;
  readonly snapshotSeconds: Histogram;
  readonly logRecoveryTruncatedBytes: Counter;
}

/** Creates the metrics with Node's default process metrics under the `stormcell_` prefix. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'stormcell_' });
  const registers = [registry];
  return {
    registry,
    received: new Counter({
      name: 'stormcell_received_total',
      help: 'Items accepted by the receivers (alerts, tickets, deploys, SLI samples), by source.',
      labelNames: ['source'],
      registers,
    }),
    rejected: new Counter({
      name: 'stormcell_requests_rejected_total',
      help: 'Requests refused with a 4xx, by receiver path and reason.',
      labelNames: ['path', 'reason'],
      registers,
    }),
    requests: new Counter({
      name: 'stormcell_http_requests_total',
      help: 'HTTP requests answered, by route and status code.',
      labelNames: ['path', 'code'],
      registers,
    }),
    incidentsOpen: new Gauge({ name: 'stormcell_incidents_open', help: 'Incidents currently open.', registers }),
    alertsFiring: new Gauge({ name: 'stormcell_alerts_firing', help: 'Alerts currently firing.', registers }),
    engineLag: new Gauge({
      name: 'stormcell_engine_lag_seconds',
      help: 'How far the engine clock trails the wall clock: acknowledged work not yet applied.',
      registers,
    }),
    fsyncSeconds: new Histogram({
      name: 'stormcell_log_fsync_seconds',
      help: 'Latency of one durable-log commit (write + fdatasync).',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    logEntries: new Counter({ name: 'stormcell_log_entries_total', help: 'Entries appended to the durable log.', registers }),
    snapshotSeconds: new Histogram({
      name: 'stormcell_snapshot_seconds',
      help: 'Time to serialize and save one engine snapshot.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    logRecoveryTruncatedBytes: new Counter({
      name: 'stormcell_log_recovery_truncated_bytes_total',
      help: 'Bytes of torn or corrupt log tail cut off at start-up.',
      registers,
    }),
  };
}
