/**
 * Stage one's router in Kafka mode: consumes `stormcell.ingest` (capture lines from our receivers and from other
 * systems, keyed however they like), validates each as the HTTP receivers would, splits its events by what the fold
 * keeps state for (fold-keys.ts: alerts by fingerprint, SLI samples by SLO) and forwards them to
 * `stormcell.keyed`, with heartbeats that tell the fold how far each ingest partition has got (see reorder.ts).
 * Stateless apart from Kafka's committed offsets: a restart or rebalance forwards some requests again, and the fold
 * drops them by their ingest offset.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { InputError } from '../errors.js';
import { parseCaptureLine } from '../ingest/index.js';
import type { Instant } from '../model/index.js';
import { normalize } from '../normalize/index.js';
import { inSpan, SpanKind, type Logger, type ScaleOutMetrics } from '../obs/index.js';
import { splitForFold } from './fold-keys.js';
import { groupConsumer, KAFKA_RETRY } from './kafka-client.js';
import { Repeat } from './repeat.js';
import { extractContext, injectContext, type KafkaHeaders } from './trace-headers.js';
import { encodeStageMessage, type StageMessage } from './wire.js';

export interface StageOneOptions {
  readonly kafka: Kafka;
  readonly group: string;
  readonly ingestTopic: string;
  readonly keyedTopic: string;
  readonly keyedPartitions: number;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: ScaleOutMetrics;
  readonly wallClock: () => number;
}

/** Quiet this long (and caught up) before an ingest partition is reported idle. */
const IDLE_AFTER_MS = 1_000;
const HEARTBEAT_EVERY_MS = 500;
/** Produce requests stay well under the broker's default 1 MiB `message.max.bytes` per partition batch. */
const MAX_SEND_BYTES = 512 * 1024;

interface SourceProgress {
  lastTs: Instant | null;
  /** The next offset to process, once known. */
  position: number | null;
  lastMessageAt: number;
  high: number | null;
}

export class StageOne {
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private assigned: number[] = [];
  private readonly progress = new Map<number, SourceProgress>();
  private readonly beat: Repeat;
  private joined = false;

  constructor(private readonly opts: StageOneOptions) {
    this.beat = new Repeat(() => this.heartbeat(), HEARTBEAT_EVERY_MS, (err) => opts.logger.warn({ err }, 'stage one heartbeat failed; next one in 500 ms'));
  }

  async start(): Promise<void> {
    const { kafka, group, ingestTopic, logger, metrics } = this.opts;
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: KAFKA_RETRY });
    await this.producer.connect();
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = groupConsumer(kafka, `${group}.route`, this.opts.sessionTimeoutMs, 256 * 1024);
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.assigned = [...(e.payload.memberAssignment[ingestTopic] ?? [])].sort((a, b) => a - b);
      this.joined = true;
      metrics.rebalances.inc({ stage: 'route' });
      metrics.assignedPartitions.set({ stage: 'route' }, this.assigned.length);
      logger.info({ stage: 'route', partitions: this.assigned }, 'kafka partitions assigned');
    });
    consumer.on(consumer.events.REBALANCING, () => {
      // Until the new assignment arrives, this instance speaks for no partition: a heartbeat sent now could call a
      // partition idle that another instance is already busy with.
      for (const s of this.assigned) metrics.consumerLag.remove({ stage: 'route', partition: String(s) });
      this.assigned = [];
      // kafkajs's eager protocol revokes everything and resumes from committed offsets: what we knew is stale.
      this.progress.clear();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [ingestTopic], fromBeginning: true });
    await consumer.run({ autoCommit: true, autoCommitInterval: 1_000, eachBatchAutoResolve: false, eachBatch: (b) => this.onBatch(b) });
    this.beat.start();
  }

  /** True once the group has assigned partitions and each is processed up to its end as last seen. */
  caughtUp(): boolean {
    if (!this.joined) return false;
    return this.assigned.every((s) => {
      const p = this.progress.get(s);
      return p !== undefined && p.high !== null && p.position !== null && p.position >= p.high;
    });
  }

  async stop(): Promise<void> {
    await this.beat.stop();
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { keyedTopic, keyedPartitions, logger, metrics } = this.opts;
    const src = batch.partition;
    const progress = this.progress.get(src) ?? { lastTs: null, position: null, lastMessageAt: 0, high: null };
    this.progress.set(src, progress);
    progress.high = Number(batch.highWatermark);
    const out: Message[] = [];
    let bytes = 0;
    let lastOffset: string | null = null;
    const flush = async (): Promise<void> => {
      if (out.length === 0) return;
      await (this.producer as Producer).send({ topic: keyedTopic, acks: -1, messages: out.splice(0) });
      bytes = 0;
      if (lastOffset !== null) resolveOffset(lastOffset);
      await heartbeat();
    };
    for (const m of batch.messages) {
      if (!isRunning() || isStale()) break;
      const offset = Number(m.offset);
      const where = `${batch.topic}/${src}@${m.offset}`;
      let forwarded: Message[] = [];
      try {
        forwarded = this.route(src, offset, m.value, m.headers as KafkaHeaders | undefined, where, progress);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        // Nobody waits for an answer on this path: the log line and the counter are the refusal.
        metrics.ingestRejected.inc({ reason: /not JSON|capture line|expected an object|ts:|path:|body: missing/.test(err.message) ? 'capture_line' : 'body' });
        logger.warn({ err: err.message, where }, 'ingest message refused');
      }
      for (const f of forwarded) {
        out.push(f);
        bytes += (f.value as Buffer).length + 64;
      }
      lastOffset = m.offset;
      progress.position = offset + 1;
      progress.lastMessageAt = this.opts.wallClock();
      if (bytes >= MAX_SEND_BYTES) await flush();
    }
    // Every partition hears how far this source got, including those that got none of its events.
    if (progress.lastTs !== null) {
      for (let q = 0; q < keyedPartitions; q++) out.push({ partition: q, value: encodeStageMessage({ k: 'h', s: src, wm: progress.lastTs, idle: false }) });
    }
    await flush();
    if (lastOffset !== null) resolveOffset(lastOffset);
    metrics.consumerLag.set({ stage: 'route', partition: String(src) }, Math.max(0, (progress.high ?? 0) - (progress.position ?? 0)));
  }

  /** One ingest message → the stage messages it becomes. Throws InputError for a message that is no valid request. */
  private route(src: number, off: number, value: Buffer | null, headers: KafkaHeaders | undefined, where: string, progress: SourceProgress): Message[] {
    if (value === null) throw new InputError(`${where}: empty message, expected a capture line`);
    const rec = parseCaptureLine(value.toString('utf8'), where);
    const events = normalize(rec.path, rec.body, rec.ts);
    const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': this.opts.ingestTopic, 'messaging.kafka.partition': src, 'messaging.kafka.offset': off };
    return inSpan('stormcell.route', SpanKind.CONSUMER, attributes, (_span, ctx) => {
      const traceHeaders = injectContext(ctx);
      const out: Message[] = [];
      for (const [q, { ev, ix }] of splitForFold(events, src, this.opts.keyedPartitions)) {
        const msg: StageMessage = { k: 'd', s: src, o: off, ts: rec.ts, ev, ix };
        out.push({ partition: q, value: encodeStageMessage(msg), headers: traceHeaders });
      }
      progress.lastTs = progress.lastTs === null || rec.ts > progress.lastTs ? rec.ts : progress.lastTs;
      this.opts.metrics.forwarded.inc();
      return out;
    }, extractContext(headers));
  }

  /** Tells every fold partition which of this instance's ingest partitions are idle, and refreshes lag. */
  private async heartbeat(): Promise<void> {
    const { ingestTopic, keyedTopic, keyedPartitions, group, metrics } = this.opts;
    const admin = this.admin as Admin;
    const assigned = this.assigned;
    if (assigned.length === 0) return;
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(ingestTopic),
      admin.fetchOffsets({ groupId: `${group}.route`, topics: [ingestTopic] }),
    ]);
    const committedOf = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const lowOf = new Map(ends.map((e) => [e.partition, Number(e.low)]));
    const now = this.opts.wallClock();
    const out: Message[] = [];
    for (const s of assigned) {
      const end = ends.find((e) => e.partition === s);
      if (end === undefined) continue;
      let p = this.progress.get(s);
      if (p === undefined) {
        p = { lastTs: null, position: null, lastMessageAt: 0, high: null };
        this.progress.set(s, p);
      }
      p.high = Number(end.high);
      if (p.position === null) {
        // Nothing consumed here yet: the group's committed offset (or the start, fromBeginning) is where it stands.
        const c = committedOf.get(s) ?? -1;
        p.position = c >= 0 ? c : (lowOf.get(s) ?? 0);
        if (p.position < p.high) p.position = null;
      }
      metrics.consumerLag.set({ stage: 'route', partition: String(s) }, p.position === null ? p.high : Math.max(0, p.high - p.position));
      const idle = p.position !== null && p.position >= p.high && now - p.lastMessageAt >= IDLE_AFTER_MS;
      if (!idle) continue;
      for (let q = 0; q < keyedPartitions; q++) out.push({ partition: q, value: encodeStageMessage({ k: 'h', s, wm: p.lastTs, idle: true }) });
    }
    if (out.length > 0 && this.assigned === assigned) await (this.producer as Producer).send({ topic: keyedTopic, acks: -1, messages: out });
  }
}
