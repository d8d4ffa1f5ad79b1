/**
 * Publishes capture lines to `stormcell.ingest` the way other systems would: with whatever keys they like. Here,
 * random keys (kafkajs's default partitioner spreads them over every partition), so nothing about the result may
 * depend on them.
 */
import kafkajs from 'kafkajs';

export interface ProduceOptions {
  readonly brokers: string;
  readonly topic: string;
  /** Lines per produce request. */
  readonly batch?: number;
  /** Called after each request with the number of lines sent so far (e.g. to kill an instance mid-stream). */
  readonly onProgress?: (sent: number) => Promise<void> | void;
  /** Seed of the keys, so a run can be repeated. */
  readonly seed?: number;
}

export async function produceCapture(lines: readonly string[], opts: ProduceOptions): Promise<void> {
  const kafka = new kafkajs.Kafka({ clientId: 'test-producer', brokers: [opts.brokers], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  let state = opts.seed ?? 1;
  const key = (): string => {
    // xorshift32: arbitrary keys, repeatable per seed
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return `k${(state >>> 0).toString(36)}`;
  };
  try {
    const size = opts.batch ?? 100;
    for (let i = 0; i < lines.length; i += size) {
      const chunk = lines.slice(i, i + size).filter((l) => l.trim() !== '');
      await producer.send({ topic: opts.topic, acks: -1, messages: chunk.map((value) => ({ key: key(), value })) });
      await opts.onProgress?.(Math.min(lines.length, i + size));
    }
  } finally {
    await producer.disconnect();
  }
}

/** Creates the ingest topic with `partitions` partitions, as an operator would before pointing producers at it. */
export async function createTopic(brokers: string, topic: string, partitions: number): Promise<void> {
  const kafka = new kafkajs.Kafka({ clientId: 'test-admin', brokers: [brokers], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  } finally {
    await admin.disconnect();
  }
}
