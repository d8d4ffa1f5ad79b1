import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The metrics of Kafka mode, on the app's registry. Partition labels are bounded by the topics' partition counts. */
export interface ScaleOutMetrics {
  /** Messages between a consumer's position and the partition's end, per stage and partition it owns. */
  readonly consumerLag: Gauge<'stage' | 'partition'>;
  readonly rebalances: Counter<'stage'>;
  readonly assignedPartitions: Gauge<'stage'>;
  readonly checkpointAge: Gauge<'partition'>;
  readonly checkpointSeconds: Histogram;
  readonly checkpointFailures: Counter<'partition'>;
  /** Requests waiting in stage two for a slower fold partition. */
  readonly reorderPending: Gauge<'partition'>;
  readonly lateRequests: Counter<'partition'>;
  readonly redeliveries: Counter<'stage'>;
  readonly ingestRejected: Counter<'reason'>;
  readonly forwarded: Counter;
  /** Alert items the fold stage sent on to stage two, or folded (re-sends stage two needs nothing of). */
  readonly foldAlertItems: Counter<'outcome'>;
  readonly foldExtensions: Counter;
  readonly foldAlerts: Gauge;
  /** Messages the fold owes stage two (made, not yet saved and sent). */
  readonly foldOwed: Gauge<'partition'>;
  readonly foldCheckpointAge: Gauge<'partition'>;
  readonly foldCheckpointFailures: Counter<'partition'>;
  readonly foldLateRequests: Counter<'partition'>;
}

export function createScaleOutMetrics(registry: Registry): ScaleOutMetrics {
  const registers = [registry];
  return {
    consumerLag: new Gauge({
      name: 'stormcell_kafka_consumer_lag_messages',
      help: 'Messages between the consumer position and the end of each partition this instance owns, by stage.',
      labelNames: ['stage', 'partition'],
      registers,
    }),
    rebalances: new Counter({
      name: 'stormcell_kafka_rebalances_total',
      help: 'Consumer group joins (each rebalance this instance took part in), by stage.',
      labelNames: ['stage'],
      registers,
    }),
    assignedPartitions: new Gauge({
      name: 'stormcell_kafka_assigned_partitions',
      help: 'Partitions this instance owns, by stage.',
      labelNames: ['stage'],
      registers,
    }),
    checkpointAge: new Gauge({
      name: 'stormcell_checkpoint_age_seconds',
      help: 'Seconds since the last checkpoint of each stage-two partition this instance owns was saved to Redis.',
      labelNames: ['partition'],
      registers,
    }),
    checkpointSeconds: new Histogram({
      name: 'stormcell_checkpoint_seconds',
      help: 'Time to serialize and save one stage-two checkpoint to Redis.',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    checkpointFailures: new Counter({
      name: 'stormcell_checkpoint_failures_total',
      help: 'Checkpoints that could not be saved (Redis unreachable, or the partition moved to another owner).',
      labelNames: ['partition'],
      registers,
    }),
    reorderPending: new Gauge({
      name: 'stormcell_reorder_pending_requests',
      help: 'Requests held in stage two until every fold partition has passed their time.',
      labelNames: ['partition'],
      registers,
    }),
    lateRequests: new Counter({
      name: 'stormcell_reorder_late_requests_total',
      help: 'Requests that reached stage two after their time was passed, applied at the current clock instead.',
      labelNames: ['partition'],
      registers,
    }),
    redeliveries: new Counter({
      name: 'stormcell_kafka_redelivered_total',
      help: 'Messages consumed again after a restart or rebalance and skipped, by stage.',
      labelNames: ['stage'],
      registers,
    }),
    ingestRejected: new Counter({
      name: 'stormcell_ingest_topic_rejected_total',
      help: 'Messages of the ingest topic that are not valid capture lines or requests, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    forwarded: new Counter({
      name: 'stormcell_kafka_forwarded_requests_total',
      help: 'Requests of the ingest topic that stage one validated and forwarded to the fold stage.',
      registers,
    }),
    foldAlertItems: new Counter({
      name: 'stormcell_fold_alert_items_total',
      help: 'Alert items the fold stage sent on to stage two (outcome="forwarded") or folded as re-sends (outcome="folded").',
      labelNames: ['outcome'],
      registers,
    }),
    foldExtensions: new Counter({
      name: 'stormcell_fold_extensions_total',
      help: 'Alert end extensions the fold stage sent in place of the re-sends it folded.',
      registers,
    }),
    foldAlerts: new Gauge({
      name: 'stormcell_fold_alerts',
      help: 'Alerts the fold partitions of this instance hold (firing, or resolved within the retention).',
      registers,
    }),
    foldOwed: new Gauge({
      name: 'stormcell_fold_owed_messages',
      help: 'Messages a fold partition has made for stage two and not yet saved and sent.',
      labelNames: ['partition'],
      registers,
    }),
    foldCheckpointAge: new Gauge({
      name: 'stormcell_fold_checkpoint_age_seconds',
      help: 'Seconds since the last checkpoint of each fold partition this instance owns was saved to Redis.',
      labelNames: ['partition'],
      registers,
    }),
    foldCheckpointFailures: new Counter({
      name: 'stormcell_fold_checkpoint_failures_total',
      help: 'Fold flushes that could not save or send (Redis or Kafka unreachable, or the partition moved to another owner).',
      labelNames: ['partition'],
      registers,
    }),
    foldLateRequests: new Counter({
      name: 'stormcell_fold_late_requests_total',
      help: 'Requests that reached the fold after their time was passed, applied at the current clock instead.',
      labelNames: ['partition'],
      registers,
    }),
  };
}
