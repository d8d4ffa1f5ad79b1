/**
 * The fold stage of Kafka mode (stage one's dedup): consumes `stormcell.keyed` in the consumer group
 * `<group>.fold`. Each partition this instance is assigned gets a FoldWorker; what the folds send on goes to
 * `stormcell.events`, split by correlation domain, once the state that made it is saved (fold-worker.ts). The
 * group's committed offset follows the checkpoints, and a worker resumes from its checkpoint's offset, seeking
 * back if the committed offset is ahead of it.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { inSpan, SpanKind, type Logger, type ScaleOutMetrics } from '../obs/index.js';
import type { EngineSlo } from '../engine/index.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { DomainRouter } from './domain.js';
import { FoldWorker } from './fold-worker.js';
import { groupConsumer, KAFKA_RETRY } from './kafka-client.js';
import { OwnedPartitions, type Owned as OwnedState } from './owned-partitions.js';
import { Repeat } from './repeat.js';
import type { SharedView } from './shared-view.js';
import { extractContext, injectContext, type KafkaHeaders } from './trace-headers.js';
import { decodeStageMessage } from './wire.js';

export interface FoldStageOptions {
  readonly kafka: Kafka;
  readonly group: string;
  readonly keyedTopic: string;
  readonly eventsTopic: string;
  readonly sources: number;
  /** The keyed topic's partition count. */
  readonly folds: number;
  readonly router: DomainRouter;
  readonly slos: readonly EngineSlo[];
  /** Where each fold partition publishes the SLOs it counts, for every instance's read API. */
  readonly view: SharedView;
  readonly resolveTimeoutMs: number;
  readonly retentionMs: number;
  readonly checkpoints: CheckpointStore;
  readonly checkpointIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: ScaleOutMetrics;
  readonly wallClock: () => number;
}

/** How often owed output is flushed (saved, then sent): the latency the fold adds. */
const FLUSH_MS = 250;
/**
 * Each flush saves the fold's whole state, whose size grows with the alerts it holds: flushes are spaced at least
 * this many times the last save's duration, so saving takes at most 1/SAVE_SHARE of the time (a partition holding
 * 20,000 alerts flushes about twice a second).
 */
const SAVE_SHARE = 20;
/** How often a partition's SLO docs are published (when they changed). */
const PUBLISH_MS = 1_000;
/** Produce requests stay well under the broker's default 1 MiB `message.max.bytes` per partition batch. */
const MAX_SEND_MESSAGES = 500;

/** A fold partition's bookkeeping: its flush under way, late requests counted, its SLOs as last published. */
interface FoldBooks {
  flushing: Promise<void> | null;
  lateSeen: number;
  publishedAt: number;
  published: string | null;
}

type Owned = OwnedState<FoldWorker, FoldBooks>;

export class FoldStage {
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private readonly owned: OwnedPartitions<FoldWorker, FoldBooks>;
  private readonly ticker: Repeat;

  constructor(private readonly opts: FoldStageOptions) {
    this.ticker = new Repeat(() => this.tick(), FLUSH_MS, (err) => opts.logger.warn({ err }, 'fold stage tick failed; next one in 250 ms'));
    this.owned = new OwnedPartitions({
      stage: 'fold',
      topic: opts.keyedTopic,
      logger: opts.logger,
      admin: () => this.admin as Admin,
      open: (p, low) => FoldWorker.open(p, low, opts),
      fresh: () => ({ flushing: null, lateSeen: 0, publishedAt: 0, published: null }),
      close: (worker, o, save) => this.close(worker, o, save),
    });
  }

  async start(): Promise<void> {
    const { kafka, group, metrics } = this.opts;
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: KAFKA_RETRY });
    await this.producer.connect();
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = groupConsumer(kafka, `${group}.fold`, this.opts.sessionTimeoutMs, 256 * 1024);
    this.consumer = consumer;
    await this.owned.consume(consumer, metrics, (b) => this.onBatch(b));
    this.ticker.start();
  }

  /** True once assigned and every owned partition was at its end, with nothing owed, within the last few seconds. */
  caughtUp(): boolean {
    return this.owned.caughtUp(this.opts.wallClock());
  }

  /** Flushes every partition a last time, then leaves the group. */
  async stop(): Promise<void> {
    await this.ticker.stop();
    await this.consumer?.stop();
    await this.owned.closeAll();
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }

  private async close(worker: FoldWorker, o: Owned, save: boolean): Promise<void> {
    const p = worker.partition;
    await o.s.flushing;
    if (save && worker.unsaved()) {
      await this.flush(o, worker).catch((err: unknown) => this.opts.logger.warn({ err, partition: p }, 'last fold flush before dropping the partition failed'));
    }
    for (const m of [this.opts.metrics.foldCheckpointAge, this.opts.metrics.foldOwed]) m.remove({ partition: String(p) });
    this.opts.metrics.consumerLag.remove({ stage: 'fold', partition: String(p) });
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    const taken = await this.owned.forBatch(batch, this.consumer as Consumer);
    if (taken === null) return;
    const { owned: o, worker } = taken;
    let redelivered = 0;
    for (const m of batch.messages) {
      if (!isRunning() || isStale()) break;
      const offset = Number(m.offset);
      const msg = decodeStageMessage(m.value, `${batch.topic}/${p}@${m.offset}`);
      let trace: Record<string, string> | undefined;
      if (msg.k === 'd' && m.headers !== undefined && Object.keys(m.headers).length > 0) {
        const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': batch.topic, 'messaging.kafka.partition': p, 'messaging.kafka.offset': offset };
        trace = inSpan('stormcell.fold', SpanKind.CONSUMER, attributes, (_span, ctx) => injectContext(ctx), extractContext(m.headers as KafkaHeaders));
      }
      if (!worker.take(offset, msg, this.opts.wallClock(), trace)) redelivered++;
      resolveOffset(m.offset);
    }
    if (redelivered > 0) this.opts.metrics.redeliveries.inc({ stage: 'fold' }, redelivered);
    o.high = Number(batch.highWatermark);
    this.stepWorker(o, worker);
    await heartbeat();
    // Owed output waits for a save; a long backlog flushes as it goes, so memory and latency stay bounded.
    if (worker.owing() >= MAX_SEND_MESSAGES * 4) await this.flushOwned(o, worker);
  }

  private stepWorker(o: Owned, worker: FoldWorker): void {
    const { metrics, wallClock } = this.opts;
    worker.step(wallClock());
    const part = String(worker.partition);
    const lag = o.high === null ? 0 : Math.max(0, o.high - worker.nextOffset);
    if (o.high !== null && lag === 0 && worker.owing() === 0) o.caughtUpAt = wallClock();
    metrics.consumerLag.set({ stage: 'fold', partition: part }, lag);
    metrics.foldOwed.set({ partition: part }, worker.owing());
    const c = worker.countsSinceLast();
    if (c.forwarded > 0) metrics.foldAlertItems.inc({ outcome: 'forwarded' }, c.forwarded);
    if (c.received > c.forwarded) metrics.foldAlertItems.inc({ outcome: 'folded' }, c.received - c.forwarded);
    if (c.extended > 0) metrics.foldExtensions.inc(c.extended);
    const late = worker.late();
    if (late > o.s.lateSeen) metrics.foldLateRequests.inc({ partition: part }, late - o.s.lateSeen);
    o.s.lateSeen = late;
  }

  private async tick(): Promise<void> {
    const { keyedTopic, metrics, wallClock } = this.opts;
    const owned = this.owned.entries();
    if (owned.length === 0) return;
    const ends = await (this.admin as Admin).fetchTopicOffsets(keyedTopic);
    const now = wallClock();
    let alerts = 0;
    for (const [p, o] of owned) {
      const w = o.worker;
      if (w === null) continue;
      if (w.isLost()) {
        void this.owned.drop(p, false);
        continue;
      }
      o.high = Number(ends.find((e) => e.partition === p)?.high ?? o.high ?? 0);
      this.stepWorker(o, w);
      alerts += w.alerts();
      metrics.foldCheckpointAge.set({ partition: String(p) }, w.savedAt === 0 ? 0 : Math.max(0, (now - w.savedAt) / 1000));
      if (now - o.s.publishedAt >= PUBLISH_MS) await this.publish(o, w, now);
      const since = now - w.savedAt;
      if ((w.owing() > 0 && since >= SAVE_SHARE * w.lastSaveMs) || (w.unsaved() && since >= this.opts.checkpointIntervalMs)) await this.flushOwned(o, w);
    }
    metrics.foldAlerts.set(alerts);
  }

  private async publish(o: Owned, w: FoldWorker, now: number): Promise<void> {
    o.s.publishedAt = now;
    const slos = w.sloDocs();
    const text = JSON.stringify(slos);
    if (text === o.s.published) return;
    try {
      await this.opts.view.publish({ partition: w.partition, publishedAt: now, incidents: [], slos }, [], []);
      o.s.published = text;
    } catch (err) {
      this.opts.logger.warn({ err, partition: w.partition }, 'publishing the fold partition\'s SLOs failed; retrying in a second');
    }
  }

  /** One flush at a time per partition; errors are logged and counted, and the output stays owed. */
  private flushOwned(o: Owned, w: FoldWorker): Promise<void> {
    if (o.s.flushing === null) {
      o.s.flushing = this.flush(o, w)
        .catch((err: unknown) => {
          this.opts.metrics.foldCheckpointFailures.inc({ partition: String(w.partition) });
          this.opts.logger.warn({ err, partition: w.partition }, 'fold flush failed; the next tick tries again');
        })
        .finally(() => (o.s.flushing = null));
    }
    return o.s.flushing;
  }

  private async flush(o: Owned, w: FoldWorker): Promise<void> {
    const producer = this.producer as Producer;
    const offset = await w.flush(this.opts.wallClock(), async (messages: Message[]) => {
      for (let i = 0; i < messages.length; i += MAX_SEND_MESSAGES) {
        await producer.send({ topic: this.opts.eventsTopic, acks: -1, messages: messages.slice(i, i + MAX_SEND_MESSAGES) });
      }
    });
    if (offset === null) {
      this.opts.metrics.foldCheckpointFailures.inc({ partition: String(w.partition) });
      return;
    }
    if (o.high !== null && offset >= o.high && w.owing() === 0) o.caughtUpAt = this.opts.wallClock();
    await this.consumer?.commitOffsets([{ topic: this.opts.keyedTopic, partition: w.partition, offset: String(offset) }]).catch((err: unknown) =>
      this.opts.logger.debug({ err, partition: w.partition }, 'committing the fold group offset failed (the checkpoint holds it)'),
    );
  }
}
