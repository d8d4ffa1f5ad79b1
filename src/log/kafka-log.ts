/**
 * The EventLog on Kafka (issue #6, scale-out): one partition of one topic holds the log, and Kafka's offsets are
 * the log's offsets, for one process that embeds the App with Kafka as its log (AppOptions.log). `serve --kafka`
 * does not use it: many instances share work through consumer groups there (src/scaleout). kafkajs is imported only
 * here, in kafka-read.ts and in src/scaleout's Kafka files; the rest of stormcell sees an EventLog.
 *
 * Offsets: dense and from 0 on a fresh topic, because every record comes from a non-transactional idempotent
 * producer (no control records) and the topic must not be compacted (checked at open). Retention deletes whole
 * segments from the front (when all of them expired, Kafka rolls an empty one first, so offsets never restart):
 * the partition's low watermark moves up, `firstOffset()` is the low watermark last seen (at open and at the start
 * of each read), and a read that reaches a deleted range throws a RangeError instead of skipping it.
 *
 * Durability: an append is acknowledged after every in-sync replica has it (idempotent producer, acks=-1, one
 * request in flight). That is replication, not fsync: with Kafka's default flush policy an acknowledged entry
 * survives a broker process crash (tested with SIGKILL) but on a single broker not a power loss, which the WAL's
 * fdatasync does survive. Production topics want replication factor 3 and min.insync.replicas 2.
 *
 * Failure model as in wal.ts: a failed send rejects that batch and every later append until the log is closed and
 * opened again, which also gets a fresh producer id. So retries are bounded on purpose (kafkajs's idempotent
 * default retries forever, and warns when limited): a failed batch may still have reached the broker, the client's
 * retry can then write it twice, at least once, never lost once acknowledged.
 *
 * kafkajs 2.2.4 is unmaintained upstream; tested against Apache Kafka 3.9.1 (KRaft), see .ci/kafka.sh and
 * test/integration/kafka-log.test.ts.
 */
import kafkajs, {
  type Admin,
  type Kafka,
  type LogEntry as KafkajsLogEntry,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import { createLogger, type Logger } from '../obs/index.js';
import type { EventLog, LogEntry, LogRecovery } from './event-log.js';
import { type ActiveRead, readPartition, toOffset } from './kafka-read.js';
import { errMessage } from './wal-segment.js';

/** kafkajs's retry settings in our units. Defaults are kafkajs's own production defaults. */
export interface KafkaRetryOptions {
  /** Attempts after the first (default 5). */
  readonly retries?: number;
  readonly initialRetryTimeMs?: number;
  readonly maxRetryTimeMs?: number;
}

/** Options of `createKafkaLog`. One KafkaLog appends to a partition at a time: it is the partition's only writer. */
export interface KafkaLogOptions {
  /** `host:port` of the brokers' PLAINTEXT listeners (the controller listener serves no Produce or Fetch). */
  readonly brokers: readonly string[];
  readonly topic: string;
  /** The partition that holds the log (default 0). */
  readonly partition?: number;
  readonly clientId: string;
  /** kafkajs's own log lines go here too, its info as debug. Default: silent. */
  readonly logger?: Logger;
  /** When set, `open()` creates a missing topic with these settings (each default 1); when absent it fails. */
  readonly createTopic?: { readonly partitions?: number; readonly replicationFactor?: number };
  readonly retry?: KafkaRetryOptions;
  /** TCP connect timeout per broker (kafkajs default 1000). */
  readonly connectionTimeoutMs?: number;
  /**
   * Upper bound for one produce request's record batch, estimated from entry sizes plus record overhead (default
   * 1,000,000). Must stay below the topic's `max.message.bytes` (broker default 1,048,588); larger group commits
   * are sent as several requests in a row.
   */
  readonly maxBatchBytes?: number;
}

/** Creates the EventLog on a Kafka partition. Call `open()` before anything else. */
export function createKafkaLog(opts: KafkaLogOptions): EventLog {
  return new KafkaLog(opts);
}

const DEFAULT_MAX_BATCH_BYTES = 1_000_000;
/** Record batch header (61 bytes) and the worst-case per-record framing (varints, attributes, no key/headers). */
const BATCH_OVERHEAD_BYTES = 61;
const RECORD_OVERHEAD_BYTES = 24;
/** How long a produce request may wait for the in-sync replicas before the broker answers with an error. */
const ACK_TIMEOUT_MS = 30_000;

interface PendingAppend {
  readonly entries: readonly Uint8Array[];
  readonly resolve: (first: number) => void;
  readonly reject: (err: Error) => void;
}

type State = 'new' | 'opening' | 'open' | 'closing' | 'closed';

class KafkaLog implements EventLog {
  private readonly topic: string;
  private readonly partition: number;
  private readonly where: string;
  private readonly logger: Logger;
  private readonly retry: RetryOptions;
  private readonly maxBatchBytes: number;
  private state: State = 'new';
  private kafka: Kafka | null = null;
  private producer: Producer | null = null;
  private low = 0;
  private next = 0;
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private failure: Error | null = null;
  private readonly readers = new Set<ActiveRead>();

  constructor(private readonly opts: KafkaLogOptions) {
    this.topic = opts.topic;
    this.partition = opts.partition ?? 0;
    this.where = `kafka log ${opts.topic}/${this.partition} on ${opts.brokers.join(',')}`;
    const logger = opts.logger ?? createLogger({ level: 'silent', destination: { write: () => undefined } });
    this.logger = logger.child({ topic: opts.topic, partition: this.partition });
    this.maxBatchBytes = opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    // Every field explicit: kafkajs picks much shorter defaults when NODE_ENV=test (its isTestMode), and tests
    // must exercise the retries production gets.
    this.retry = {
      retries: opts.retry?.retries ?? 5,
      initialRetryTime: opts.retry?.initialRetryTimeMs ?? 300,
      maxRetryTime: opts.retry?.maxRetryTimeMs ?? 30_000,
      factor: 0.2,
      multiplier: 2,
    };
    if (opts.brokers.length === 0) throw new RangeError(`${this.where}: brokers must name at least one host:port`);
    if (!Number.isSafeInteger(this.partition) || this.partition < 0) {
      throw new RangeError(`${this.where}: partition must be a non-negative integer, got ${this.partition}`);
    }
    if (!Number.isSafeInteger(this.maxBatchBytes) || this.maxBatchBytes <= BATCH_OVERHEAD_BYTES + RECORD_OVERHEAD_BYTES) {
      throw new RangeError(`${this.where}: maxBatchBytes must be an integer above 85, got ${this.maxBatchBytes}`);
    }
  }

  async open(): Promise<LogRecovery> {
    if (this.state !== 'new' && this.state !== 'closed') throw new Error(`${this.where}: open() while ${this.state}`);
    this.state = 'opening';
    this.failure = null;
    this.queue = [];
    const kafka = new kafkajs.Kafka({
      clientId: this.opts.clientId,
      brokers: [...this.opts.brokers],
      retry: this.retry,
      connectionTimeout: this.opts.connectionTimeoutMs ?? 1_000,
      logLevel: this.logger.isLevelEnabled('trace') ? kafkajs.logLevel.DEBUG : kafkajs.logLevel.INFO,
      logCreator: () => (entry) => forwardKafkajsLog(this.logger, entry),
    });
    const admin = kafka.admin();
    let producer: Producer | null = null;
    let step = 'connecting the admin client';
    try {
      await admin.connect();
      step = 'checking the topic';
      await this.ensureTopic(admin);
      step = 'reading the partition watermarks';
      const offsets = await admin.fetchTopicOffsets(this.topic);
      const mine = offsets.find((o) => o.partition === this.partition);
      if (mine === undefined) {
        throw new Error(`the topic has partitions ${offsets.map((o) => o.partition).join(',')}, not ${this.partition}`);
      }
      this.low = toOffset(mine.low, 'low watermark');
      this.next = toOffset(mine.high, 'high watermark');
      step = 'connecting the producer';
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: this.retry,
        // Every message names its partition; this only silences kafkajs's warning about its v2 default partitioner.
        createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      });
      await producer.connect();
    } catch (err) {
      await producer?.disconnect().catch(() => undefined); // the open error is the one worth reporting
      await admin.disconnect().catch(() => undefined);
      this.state = 'closed';
      throw new Error(`${this.where}: open failed while ${step}: ${errMessage(err)}`, { cause: err });
    }
    await admin.disconnect();
    this.kafka = kafka;
    this.producer = producer;
    this.state = 'open';
    this.logger.info({ firstOffset: this.low, nextOffset: this.next }, 'kafka log opened');
    return { entries: this.next - this.low, truncatedBytes: 0 };
  }

  append(entries: readonly Uint8Array[]): Promise<number> {
    if (this.state !== 'open') {
      return Promise.reject(new Error(`${this.where}: append while ${this.state}; appends need an open log`));
    }
    if (this.failure !== null) return Promise.reject(this.failedError());
    for (let i = 0; i < entries.length; i++) {
      const n = (entries[i] as Uint8Array).byteLength;
      const max = this.maxBatchBytes - BATCH_OVERHEAD_BYTES - RECORD_OVERHEAD_BYTES;
      if (n === 0 || n > max) {
        return Promise.reject(
          new RangeError(`${this.where}: entries[${i}] is ${n} bytes; entries must be 1..${max} bytes`),
        );
      }
    }
    if (entries.length === 0) return Promise.resolve(this.next);
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      this.scheduleFlush();
    });
  }

  read(fromOffset: number): AsyncIterable<LogEntry> {
    if (this.state !== 'open' && this.state !== 'closing') throw new Error(`${this.where}: read while ${this.state}`);
    if (!Number.isSafeInteger(fromOffset) || fromOffset < this.low || fromOffset > this.next) {
      throw new RangeError(
        `${this.where}: cannot read from offset ${fromOffset}; readable offsets start at ${this.low} and end before ${this.next}`,
      );
    }
    return readPartition(
      {
        kafka: this.kafka as Kafka,
        topic: this.topic,
        partition: this.partition,
        clientId: this.opts.clientId,
        retry: this.retry,
        where: this.where,
        readers: this.readers,
        onLowWatermark: (low) => {
          this.low = Math.max(this.low, low);
        },
      },
      fromOffset,
      this.next,
    );
  }

  /** After the last acknowledged entry: Kafka assigns offsets when it acknowledges, so appends in flight don't count. */
  nextOffset(): number {
    return this.next;
  }

  /** The partition's low watermark as last seen, at `open()` or at the start of a read; retention moves it up. */
  firstOffset(): number {
    return this.low;
  }

  /**
   * Deletes nothing: Kafka's retention (`retention.ms`/`retention.bytes` on the topic) owns deletion, and other
   * readers of the topic may still need entries this process's snapshot covers. Deleting records through the
   * admin API would make one consumer's checkpoint everyone's data loss.
   */
  truncateBefore(offset: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`${this.where}: truncateBefore while ${this.state}`));
    this.logger.debug({ offset }, 'kafka log truncate skipped: topic retention deletes old segments');
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    while (this.flushing !== null) await this.flushing;
    for (const reader of this.readers) reader.fail(new Error(`${this.where}: the log was closed during the read`));
    const producer = this.producer as Producer;
    this.producer = null;
    this.kafka = null;
    this.state = 'closed';
    await producer.disconnect();
    this.logger.info({ nextOffset: this.next }, 'kafka log closed');
  }

  private async ensureTopic(admin: Admin): Promise<void> {
    const exists = (await admin.listTopics()).includes(this.topic);
    if (!exists) {
      const create = this.opts.createTopic;
      if (create === undefined) throw new Error('the topic does not exist, and createTopic is not set');
      const numPartitions = create.partitions ?? 1;
      const replicationFactor = create.replicationFactor ?? 1;
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.topic,
            numPartitions,
            replicationFactor,
            configEntries: [{ name: 'cleanup.policy', value: 'delete' }],
          },
        ],
      });
      // false: another process created it between our listTopics and createTopics, which is fine.
      this.logger.info({ numPartitions, replicationFactor, created }, 'kafka log topic created');
      return;
    }
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: this.topic, configNames: ['cleanup.policy'] }],
    });
    const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    if (policy !== undefined && policy.includes('compact')) {
      // Compaction removes records from the middle: offsets would no longer be dense and replay would skip events.
      throw new Error(`the topic has cleanup.policy=${policy}; the log needs cleanup.policy=delete`);
    }
  }

  private scheduleFlush(): void {
    if (this.flushing !== null || this.queue.length === 0) return;
    // Not a delay: appends issued in this same turn join this send instead of waiting for the next one.
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Sends everything queued as one produce request (several if it exceeds maxBatchBytes), in append order. */
  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const entries = batch.flatMap((p) => p.entries);
    const expected = this.next;
    let first: number | null = null;
    let acked = 0;
    try {
      for (const chunk of this.chunks(entries)) {
        const base = await this.send(chunk);
        if (first === null) first = base;
        else if (base !== first + acked) {
          throw new Error(
            `the broker put entries ${acked}.. at offset ${base}, not ${first + acked}: ` +
              'another producer writes to this partition',
          );
        }
        acked += chunk.length;
      }
    } catch (err) {
      const done = acked > 0 ? `; the first ${acked} were acknowledged from offset ${first}` : '';
      const offsets = `${expected}..${expected + entries.length - 1}${done}`;
      this.failure = new Error(
        `${this.where}: sending ${entries.length} entries (expected at offsets ${offsets}) failed: ${errMessage(err)}`,
        { cause: err },
      );
      for (const p of batch) p.reject(this.failure);
      const queued = this.queue;
      this.queue = [];
      for (const p of queued) p.reject(this.failedError());
      this.flushing = null;
      return;
    }
    const start = first as number;
    if (start !== expected) {
      this.logger.warn({ expected, got: start }, 'kafka log offsets moved: another producer appends to this partition');
    }
    this.next = start + entries.length;
    let offset = start;
    for (const p of batch) {
      p.resolve(offset);
      offset += p.entries.length;
    }
    this.flushing = null;
    this.scheduleFlush();
  }

  private *chunks(entries: readonly Uint8Array[]): Generator<Uint8Array[]> {
    let chunk: Uint8Array[] = [];
    let bytes = BATCH_OVERHEAD_BYTES;
    for (const entry of entries) {
      const size = entry.byteLength + RECORD_OVERHEAD_BYTES;
      if (chunk.length > 0 && bytes + size > this.maxBatchBytes) {
        yield chunk;
        chunk = [];
        bytes = BATCH_OVERHEAD_BYTES;
      }
      chunk.push(entry);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  /** One produce request; resolves with the offset the broker gave the first record. */
  private async send(chunk: readonly Uint8Array[]): Promise<number> {
    const metadata = await (this.producer as Producer).send({
      topic: this.topic,
      acks: -1,
      timeout: ACK_TIMEOUT_MS,
      // A Buffer view of the caller's bytes, no copy: kafkajs encodes them into the request before send resolves.
      messages: chunk.map((e) => ({
        partition: this.partition,
        value: Buffer.from(e.buffer, e.byteOffset, e.byteLength),
      })),
    });
    const mine = metadata.find((m) => m.topicName === this.topic && m.partition === this.partition);
    if (mine?.baseOffset === undefined) {
      throw new Error(`the broker's answer has no base offset for this partition: ${JSON.stringify(metadata)}`);
    }
    return toOffset(mine.baseOffset, 'base offset');
  }

  private failedError(): Error {
    const cause = this.failure as Error;
    return new Error(`${this.where}: the log failed earlier and accepts no appends until reopened: ${cause.message}`, {
      cause,
    });
  }
}

/** kafkajs log lines in our logger: a fixed message, kafkajs's text and fields as data, its info demoted to debug. */
function forwardKafkajsLog(logger: Logger, { namespace, level, log }: KafkajsLogEntry): void {
  const { message, timestamp: _timestamp, ...extra } = log;
  const fields = { kafkajs: namespace, text: message, ...extra };
  switch (level) {
    case kafkajs.logLevel.ERROR:
      logger.error(fields, 'kafkajs');
      break;
    case kafkajs.logLevel.WARN:
      logger.warn(fields, 'kafkajs');
      break;
    case kafkajs.logLevel.INFO:
      logger.debug(fields, 'kafkajs');
      break;
    default:
      logger.trace(fields, 'kafkajs');
  }
}
