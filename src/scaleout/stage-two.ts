/**
 * Stage two of Kafka mode: consumes `stormcell.events` in the consumer group `<group>.correlate`. Each partition
 * this instance is assigned gets a PartitionWorker (engine, reorder buffer, checkpoints); the partition's Kafka
 * offset is committed only after a checkpoint holding it was saved, and a worker always resumes from its
 * checkpoint's offset, seeking back if the group's committed offset is ahead of it (a Redis restored from an older
 * append-only file), so the engine sees every message exactly once.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { EngineEffect, EngineOptions } from '../engine/index.js';
import type { DeployEvent } from '../model/index.js';
import { inSpan, SpanKind, type Logger, type ScaleOutMetrics } from '../obs/index.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { groupConsumer } from './kafka-client.js';
import { OwnedPartitions, type Owned as OwnedState } from './owned-partitions.js';
import { PartitionWorker } from './partition-worker.js';
import { Repeat } from './repeat.js';
import type { IncidentWithTimeline, SharedView } from './shared-view.js';
import { extractContext, type KafkaHeaders } from './trace-headers.js';
import { decodeStageMessage } from './wire.js';

/** What the app does around a partition: notifications. All optional hooks; errors are the hook's to log. */
export interface PartitionHooks {
  /** A worker was opened (restored); the app attaches its notification stage. */
  opened(worker: PartitionWorker): Promise<void>;
  /** The worker's engine changed incidents. */
  changed(worker: PartitionWorker, effects: readonly EngineEffect[]): void;
  /** The worker's engine applied a deploy (a deploy without a cluster reaches every partition). */
  deployed(worker: PartitionWorker, deploy: DeployEvent): void;
  /** Called on the timer for every open worker. */
  tick(worker: PartitionWorker): void;
  /** The worker is being dropped (revoked, lost, or the app stops). */
  closed(worker: PartitionWorker): Promise<void>;
  /** Notification entries to add to a published timeline. */
  notifications(worker: PartitionWorker, id: string): IncidentWithTimeline['timeline'];
}

export interface StageTwoOptions {
  readonly kafka: Kafka;
  readonly group: string;
  readonly eventsTopic: string;
  readonly sources: number;
  readonly engine: EngineOptions;
  readonly checkpoints: CheckpointStore;
  readonly view: SharedView;
  readonly checkpointIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: ScaleOutMetrics;
  readonly wallClock: () => number;
  readonly hooks: PartitionHooks;
}

const TICK_MS = 500;

/** Late requests already counted in the metric. */
type Owned = OwnedState<PartitionWorker, { lateSeen: number }>;

export class StageTwo {
  private consumer: Consumer | null = null;
  private admin: Admin | null = null;
  private readonly owned: OwnedPartitions<PartitionWorker, { lateSeen: number }>;
  private readonly ticker: Repeat;
  private checkpointing: Promise<void> | null = null;
  private lastCheckpoint = 0;

  constructor(private readonly opts: StageTwoOptions) {
    this.ticker = new Repeat(() => this.tick(), TICK_MS, (err) => opts.logger.warn({ err }, 'stage two tick failed; next one in 500 ms'));
    this.owned = new OwnedPartitions({
      stage: 'correlate',
      topic: opts.eventsTopic,
      logger: opts.logger,
      admin: () => this.admin as Admin,
      open: async (p, low) => {
        const worker = await PartitionWorker.open(p, low, opts);
        await opts.hooks.opened(worker);
        return worker;
      },
      fresh: () => ({ lateSeen: 0 }),
      close: (worker, _o, save) => this.close(worker, save),
    });
  }

  async start(): Promise<void> {
    const { kafka, group, metrics } = this.opts;
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = groupConsumer(kafka, `${group}.correlate`, this.opts.sessionTimeoutMs);
    this.consumer = consumer;
    await this.owned.consume(consumer, metrics, (b) => this.onBatch(b));
    this.ticker.start();
  }

  /** True once assigned and every owned partition was at its end within the last few seconds. */
  caughtUp(): boolean {
    return this.owned.caughtUp(this.opts.wallClock());
  }

  /** The open workers (for the read API's own partitions and notifications). */
  workers(): PartitionWorker[] {
    return this.owned.workers();
  }

  /** Saves a last checkpoint of every partition, then leaves the group. */
  async stop(): Promise<void> {
    await this.ticker.stop();
    await this.consumer?.stop();
    await this.checkpointing;
    await this.owned.closeAll();
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
  }

  private async close(worker: PartitionWorker, save: boolean): Promise<void> {
    const p = worker.partition;
    if (save && worker.unsaved()) {
      await this.save(worker).catch((err: unknown) => this.opts.logger.warn({ err, partition: p }, 'last checkpoint before dropping the partition failed'));
    }
    await this.opts.hooks.closed(worker);
    this.opts.metrics.checkpointAge.remove({ partition: String(p) });
    this.opts.metrics.reorderPending.remove({ partition: String(p) });
    this.opts.metrics.consumerLag.remove({ stage: 'correlate', partition: String(p) });
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    const taken = await this.owned.forBatch(batch, this.consumer as Consumer);
    if (taken === null) return;
    const { owned: o, worker } = taken;
    let redelivered = 0;
    for (const m of batch.messages) {
      if (!isRunning() || isStale()) break;
      const where = `${batch.topic}/${p}@${m.offset}`;
      const msg = decodeStageMessage(m.value, where);
      if (msg.k === 'd' && m.headers !== undefined && Object.keys(m.headers).length > 0) {
        const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': batch.topic, 'messaging.kafka.partition': p, 'messaging.kafka.offset': Number(m.offset) };
        inSpan('stormcell.correlate', SpanKind.CONSUMER, attributes, () => undefined, extractContext(m.headers as KafkaHeaders));
      }
      if (!worker.take(Number(m.offset), msg, this.opts.wallClock())) redelivered++;
      resolveOffset(m.offset);
    }
    if (redelivered > 0) this.opts.metrics.redeliveries.inc({ stage: 'correlate' }, redelivered);
    o.high = Number(batch.highWatermark);
    this.stepWorker(o, worker);
    await heartbeat();
    if (this.opts.wallClock() - this.lastCheckpoint >= this.opts.checkpointIntervalMs) await this.checkpointAll();
  }

  private stepWorker(o: Owned, worker: PartitionWorker): void {
    const { effects, deploys } = worker.step(this.opts.wallClock());
    if (effects.length > 0) this.opts.hooks.changed(worker, effects);
    for (const d of deploys) this.opts.hooks.deployed(worker, d);
    const part = String(worker.partition);
    const lag = o.high === null ? 0 : Math.max(0, o.high - worker.nextOffset);
    if (o.high !== null && lag === 0) o.caughtUpAt = this.opts.wallClock();
    this.opts.metrics.consumerLag.set({ stage: 'correlate', partition: part }, lag);
    this.opts.metrics.reorderPending.set({ partition: part }, worker.pending());
    const late = worker.late();
    if (late > o.s.lateSeen) this.opts.metrics.lateRequests.inc({ partition: part }, late - o.s.lateSeen);
    o.s.lateSeen = late;
  }

  private async tick(): Promise<void> {
    const { eventsTopic, metrics, wallClock } = this.opts;
    const owned = this.owned.entries();
    if (owned.length === 0) return;
    const ends = await (this.admin as Admin).fetchTopicOffsets(eventsTopic);
    const now = wallClock();
    for (const [p, o] of owned) {
      const w = o.worker;
      if (w === null) continue;
      if (w.isLost()) {
        void this.owned.drop(p, false);
        continue;
      }
      o.high = Number(ends.find((e) => e.partition === p)?.high ?? o.high ?? 0);
      this.stepWorker(o, w);
      this.opts.hooks.tick(w);
      metrics.checkpointAge.set({ partition: String(p) }, w.savedAt === 0 ? 0 : Math.max(0, (now - w.savedAt) / 1000));
      await w.publish(now, (id) => this.opts.hooks.notifications(w, id)).catch((err: unknown) =>
        this.opts.logger.warn({ err, partition: p }, 'publishing the partition view failed; retrying at the next tick'),
      );
    }
    if (now - this.lastCheckpoint >= this.opts.checkpointIntervalMs) await this.checkpointAll();
  }

  private checkpointAll(): Promise<void> {
    if (this.checkpointing === null) {
      this.lastCheckpoint = this.opts.wallClock();
      this.checkpointing = (async () => {
        for (const w of this.workers()) {
          if (!w.unsaved() || w.isLost()) continue;
          await this.save(w).catch((err: unknown) => {
            this.opts.metrics.checkpointFailures.inc({ partition: String(w.partition) });
            this.opts.logger.warn({ err, partition: w.partition }, 'checkpoint failed; the next interval tries again');
          });
        }
      })().finally(() => (this.checkpointing = null));
    }
    return this.checkpointing;
  }

  /** One checkpoint, then the group's committed offset follows it (only for lag reporting and fresh members). */
  private async save(w: PartitionWorker): Promise<void> {
    const started = performance.now();
    const offset = await w.checkpoint(this.opts.wallClock());
    if (offset === null) {
      this.opts.metrics.checkpointFailures.inc({ partition: String(w.partition) });
      return;
    }
    this.opts.metrics.checkpointSeconds.observe((performance.now() - started) / 1000);
    await this.consumer?.commitOffsets([{ topic: this.opts.eventsTopic, partition: w.partition, offset: String(offset) }]).catch((err: unknown) =>
      this.opts.logger.debug({ err, partition: w.partition }, 'committing the group offset failed (the checkpoint holds it)'),
    );
  }
}
