import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SloDoc } from '../model/index.js';

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
  readonly pipelineReloads: Counter<'result'>;
  /** Where `stormcell_slo_burn_rate` and `stormcell_slo_error_budget_remaining` are read from at each scrape. */
  observeSlos(source: () => readonly SloDoc[]): void;
  /** Where the notification metrics are read from at each scrape (the outbox's counters), null without routing. */
  observeNotifications(source: () => NotificationStats | null): void;
  /** Where `stormcell_slo_input_lag_seconds` is read from: the engine clock and each SLO's latest sample time. */
  observeSloInput(source: () => { now: number | null; samples: ReadonlyArray<{ slo: string; at: number | null }> }): void;
}

/** What the notification metrics read: per receiver integration, counters since start and the breaker's state. */
export interface NotificationStats {
  readonly integrations: ReadonlyArray<{
    readonly receiver: string;
    readonly integration: string;
    readonly sent: number;
    readonly failed: number;
    readonly retried: number;
    readonly deadLettered: number;
    readonly pending: number;
    readonly breaker: string;
  }>;
  readonly pending: number;
  readonly deadLetters: number;
}

/** Creates the metrics with Node's default process metrics under the `stormcell_` prefix. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'stormcell_' });
  const registers = [registry];
  // Read at scrape time rather than set on every evaluation: thousands of SLOs times eight windows would otherwise
  // be written each minute whether anyone scrapes or not.
  let slos: () => readonly SloDoc[] = () => [];
  new Gauge({
    name: 'stormcell_slo_burn_rate',
    help: 'Burn rate of an SLO over a window as of its last evaluation (absent where Prometheus has no value or NaN).',
    labelNames: ['slo', 'window'],
    registers,
    collect() {
      this.reset();
      for (const s of slos()) for (const [window, v] of Object.entries(s.burnRates)) if (v !== null) this.set({ slo: s.name, window }, v);
    },
  });
  new Gauge({
    name: 'stormcell_slo_error_budget_remaining',
    help: 'Fraction of an SLO error budget left over its period (negative once overspent).',
    labelNames: ['slo'],
    registers,
    collect() {
      this.reset();
      for (const s of slos()) if (s.errorBudgetRemaining !== null) this.set({ slo: s.name }, s.errorBudgetRemaining);
    },
  });
  let sloInput: () => { now: number | null; samples: ReadonlyArray<{ slo: string; at: number | null }> } = () => ({ now: null, samples: [] });
  new Gauge({
    name: 'stormcell_slo_input_lag_seconds',
    help: 'How far each SLO\'s latest SLI sample trails the engine clock: its burn rates are that old.',
    labelNames: ['slo'],
    registers,
    collect() {
      this.reset();
      const { now, samples } = sloInput();
      if (now === null) return;
      for (const s of samples) if (s.at !== null) this.set({ slo: s.slo }, Math.max(0, now - s.at) / 1000);
    },
  });
  let notifications: () => NotificationStats | null = () => null;
  new Counter({
    name: 'stormcell_notifications_total',
    help: 'Notification attempts by outcome since start: sent, failed (refused, dead-lettered), retried, dead_lettered.',
    labelNames: ['receiver', 'integration', 'result'],
    registers,
    collect() {
      this.reset();
      for (const i of notifications()?.integrations ?? []) {
        const l = { receiver: i.receiver, integration: i.integration };
        this.inc({ ...l, result: 'sent' }, i.sent);
        this.inc({ ...l, result: 'failed' }, i.failed);
        this.inc({ ...l, result: 'retried' }, i.retried);
        this.inc({ ...l, result: 'dead_lettered' }, i.deadLettered);
      }
    },
  });
  new Gauge({
    name: 'stormcell_notifications_pending',
    help: 'Notifications persisted and not yet delivered, per receiver integration.',
    labelNames: ['receiver', 'integration'],
    registers,
    collect() {
      this.reset();
      for (const i of notifications()?.integrations ?? []) this.set({ receiver: i.receiver, integration: i.integration }, i.pending);
    },
  });
  new Gauge({
    name: 'stormcell_notifications_dead_letters',
    help: 'Notifications given up on (refused, or retries exhausted) within retention: GET /api/v1/dead-letters lists them.',
    registers,
    collect() {
      this.set(notifications()?.deadLetters ?? 0);
    },
  });
  new Gauge({
    name: 'stormcell_notification_breaker_open',
    help: 'Whether the circuit breaker of a receiver integration is open (1) or half-open/closed (0).',
    labelNames: ['receiver', 'integration'],
    registers,
    collect() {
      this.reset();
      for (const i of notifications()?.integrations ?? []) this.set({ receiver: i.receiver, integration: i.integration }, i.breaker === 'open' ? 1 : 0);
    },
  });
  return {
    observeSlos(source) {
      slos = source;
    },
    observeNotifications(source) {
      notifications = source;
    },
    observeSloInput(source) {
      sloInput = source;
    },
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
    pipelineReloads: new Counter({
      name: 'stormcell_pipeline_reloads_total',
      help: 'Pipeline reloads (SIGHUP or POST /api/v1/pipeline/reload), by result: accepted, refused by the canary, invalid.',
      labelNames: ['result'],
      registers,
    }),
    logRecoveryTruncatedBytes: new Counter({
      name: 'stormcell_log_recovery_truncated_bytes_total',
      help: 'Bytes of torn or corrupt log tail cut off at start-up.',
      registers,
    }),
  };
}
