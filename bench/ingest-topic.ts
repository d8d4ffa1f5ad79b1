import kafkajs from 'kafkajs';

/** Options of {@link produceCapture}. */
export interface ProduceOptions {
  readonly brokers: string;
  readonly topic: string;
  /** Seed of the random message keys, so a run can be repeated. */
  readonly seed: number;
  /**
   * Lines per second to hold to, in sends of about a tenth of a second each; absent: as fast as the broker takes
   * them, in sends of up to 100 lines or 256 KiB.
   */
  readonly perSecond?: number;
  /** Called after each send with the number of lines sent so far (e.g. to kill an instance mid-stream). */
  readonly onProgress?: (sent: number) => Promise<void> | void;
}

/** Bytes per send: a partition's share stays far below the broker's 1 MiB `message.max.bytes`. */
const MAX_SEND_BYTES = 256 * 1024;

/**
 * Publishes capture lines (CONTRACT §2) to an ingest topic as other systems would: one line per message, random
 * keys (kafkajs's default partitioner spreads them over every partition), acks from all replicas. Resolves once the
 * broker acknowledged the last line. Constraint: with `perSecond` it never runs ahead of the schedule, and when the
 * broker is slower it sends what is due at once instead of dropping lines.
 */
export async function produceCapture(lines: readonly string[], opts: ProduceOptions): Promise<void> {
  const kafka = new kafkajs.Kafka({ clientId: 'stormcell-bench-producer', brokers: [opts.brokers], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  let state = opts.seed | 0 || 1;
  const key = (): string => {
    // xorshift32: arbitrary keys, repeatable per seed
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return `k${(state >>> 0).toString(36)}`;
  };
  const started = performance.now();
  try {
    let i = 0;
    while (i < lines.length) {
      let due = lines.length;
      const rate = opts.perSecond;
      if (rate !== undefined) {
        const elapsedMs = performance.now() - started;
        due = Math.min(lines.length, Math.floor(((elapsedMs + 100) * rate) / 1000));
        if (due <= i) {
          await new Promise((resolve) => setTimeout(resolve, Math.max(1, ((i + 1) * 1000) / rate - elapsedMs)));
          continue;
        }
      }
      const messages: Array<{ key: string; value: string }> = [];
      let bytes = 0;
      while (i < due && messages.length < 100 && bytes < MAX_SEND_BYTES) {
        const value = lines[i++] as string;
        if (value.trim() === '') continue;
        messages.push({ key: key(), value });
        bytes += value.length;
      }
      if (messages.length > 0) await producer.send({ topic: opts.topic, acks: -1, messages });
      await opts.onProgress?.(i);
    }
  } finally {
    await producer.disconnect();
  }
}

/** Creates a topic with `partitions` partitions and one replica, as an operator would before pointing producers at it. */
export async function createTopic(brokers: string, topic: string, partitions: number): Promise<void> {
  const kafka = new kafkajs.Kafka({ clientId: 'stormcell-bench-admin', brokers: [brokers], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
    if (!created) throw new Error(`topic ${topic} exists already: a run needs a fresh one`);
  } finally {
    await admin.disconnect();
  }
}
