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
const CAUGHT_UP_GRACE_MS = 10_000;
/** How often a partition's SLO docs are published (when they changed). */
const PUBLISH_MS = 1_000;
/** Produce requests stay well under the broker's default 1 MiB `message.max.bytes` per partition batch. */
const MAX_SEND_MESSAGES = 500;

interface Owned {
  readonly opening: Promise<FoldWorker>;
  worker: FoldWorker | null;
  high: number | null;
  caughtUpAt: number | null;
  flushing: Promise<void> | null;
  lateSeen: number;
  publishedAt: number;
  published: string | null;
}

export class FoldStage {
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private readonly owned = new Map<number, Owned>();
  private joined = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(private readonly opts: FoldStageOptions) {}

  async start(): Promise<void> {
    const { kafka, group, keyedTopic, logger, metrics } = this.opts;
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: KAFKA_RETRY });
    await this.producer.connect();
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = groupConsumer(kafka, `${group}.fold`, this.opts.sessionTimeoutMs, 256 * 1024);
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned = new Set(e.payload.memberAssignment[keyedTopic] ?? []);
      metrics.rebalances.inc({ stage: 'fold' });
      metrics.assignedPartitions.set({ stage: 'fold' }, assigned.size);
      logger.info({ stage: 'fold', partitions: [...assigned].sort((a, b) => a - b) }, 'kafka partitions assigned');
      for (const p of [...this.owned.keys()]) if (!assigned.has(p)) void this.drop(p, true);
      for (const p of assigned) if (!this.owned.has(p)) this.own(p);
      this.joined = true;
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.joined = false;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [keyedTopic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (b) => this.onBatch(b) });
    this.timer = setInterval(() => {
      if (this.ticking === null) {
        this.ticking = this.tick()
          .catch((err: unknown) => logger.warn({ err }, 'fold stage tick failed; next one in 250 ms'))
          .finally(() => (this.ticking = null));
      }
    }, FLUSH_MS);
    this.timer.unref();
  }

  /** True once assigned and every owned partition was at its end, with nothing owed, within the last few seconds. */
  caughtUp(): boolean {
    if (!this.joined) return false;
    const now = this.opts.wallClock();
    for (const o of this.owned.values()) {
      if (o.worker === null || o.caughtUpAt === null || now - o.caughtUpAt > CAUGHT_UP_GRACE_MS) return false;
    }
    return true;
  }

  /** Flushes every partition a last time, then leaves the group. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await this.consumer?.stop();
    for (const p of [...this.owned.keys()]) await this.drop(p, true);
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }

  private own(p: number): void {
    const { keyedTopic, logger } = this.opts;
    const opening = (async () => {
      const ends = await (this.admin as Admin).fetchTopicOffsets(keyedTopic);
      const low = Number(ends.find((e) => e.partition === p)?.low ?? 0);
      return FoldWorker.open(p, low, this.opts);
    })();
    const o: Owned = { opening, worker: null, high: null, caughtUpAt: null, flushing: null, lateSeen: 0, publishedAt: 0, published: null };
    this.owned.set(p, o);
    opening.then(
      (w) => {
        if (this.owned.get(p) === o) o.worker = w;
      },
      (err: unknown) => {
        logger.error({ err, partition: p }, 'could not open fold partition; the next batch tries again');
        if (this.owned.get(p) === o) this.owned.delete(p);
      },
    );
  }

  private async drop(p: number, save: boolean): Promise<void> {
    const o = this.owned.get(p);
    if (o === undefined) return;
    this.owned.delete(p);
    const worker = await o.opening.catch(() => null);
    if (worker === null) return;
    await o.flushing;
    if (save && !worker.isLost() && worker.unsaved()) {
      await this.flush(o, worker).catch((err: unknown) => this.opts.logger.warn({ err, partition: p }, 'last fold flush before dropping the partition failed'));
    }
    for (const m of [this.opts.metrics.foldCheckpointAge, this.opts.metrics.foldOwed]) m.remove({ partition: String(p) });
    this.opts.metrics.consumerLag.remove({ stage: 'fold', partition: String(p) });
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    if (!this.owned.has(p)) this.own(p);
    const o = this.owned.get(p) as Owned;
    const worker = await o.opening;
    if (worker.isLost() || batch.messages.length === 0) return;
    const first = Number(batch.messages[0]?.offset);
    if (first > worker.nextOffset) {
      this.opts.logger.warn({ stage: 'fold', partition: p, committed: first, checkpoint: worker.nextOffset }, 'seeking back to the checkpoint offset');
      (this.consumer as Consumer).seek({ topic: batch.topic, partition: p, offset: String(worker.nextOffset) });
      return;
    }
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
    if (late > o.lateSeen) metrics.foldLateRequests.inc({ partition: part }, late - o.lateSeen);
    o.lateSeen = late;
  }

  private async tick(): Promise<void> {
    const { keyedTopic, metrics, wallClock } = this.opts;
    if (this.owned.size === 0) return;
    const ends = await (this.admin as Admin).fetchTopicOffsets(keyedTopic);
    const now = wallClock();
    let alerts = 0;
    for (const [p, o] of this.owned) {
      const w = o.worker;
      if (w === null) continue;
      if (w.isLost()) {
        void this.drop(p, false);
        continue;
      }
      o.high = Number(ends.find((e) => e.partition === p)?.high ?? o.high ?? 0);
      this.stepWorker(o, w);
      alerts += w.alerts();
      metrics.foldCheckpointAge.set({ partition: String(p) }, w.savedAt === 0 ? 0 : Math.max(0, (now - w.savedAt) / 1000));
      if (now - o.publishedAt >= PUBLISH_MS) await this.publish(o, w, now);
      const since = now - w.savedAt;
      if ((w.owing() > 0 && since >= SAVE_SHARE * w.lastSaveMs) || (w.unsaved() && since >= this.opts.checkpointIntervalMs)) await this.flushOwned(o, w);
    }
    metrics.foldAlerts.set(alerts);
  }

  private async publish(o: Owned, w: FoldWorker, now: number): Promise<void> {
    o.publishedAt = now;
    const slos = w.sloDocs();
    const text = JSON.stringify(slos);
    if (text === o.published) return;
    try {
      await this.opts.view.publish({ partition: w.partition, publishedAt: now, incidents: [], slos }, [], []);
      o.published = text;
    } catch (err) {
      this.opts.logger.warn({ err, partition: w.partition }, 'publishing the fold partition\'s SLOs failed; retrying in a second');
    }
  }

  /** One flush at a time per partition; errors are logged and counted, and the output stays owed. */
  private flushOwned(o: Owned, w: FoldWorker): Promise<void> {
    if (o.flushing === null) {
      o.flushing = this.flush(o, w)
        .catch((err: unknown) => {
          this.opts.metrics.foldCheckpointFailures.inc({ partition: String(w.partition) });
          this.opts.logger.warn({ err, partition: w.partition }, 'fold flush failed; the next tick tries again');
        })
        .finally(() => (o.flushing = null));
    }
    return o.flushing;
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
