/**
 * The kafkajs client of Kafka mode and the topics it needs. kafkajs 2.2.4 is unmaintained upstream: it is pinned,
 * and only src/log/kafka-*.ts and src/scaleout/kafka-*.ts and stage files import it. Tested against Apache Kafka
 * 3.9.1 in KRaft mode (.ci/kafka.sh).
 */
import kafkajs, { type Admin, type Consumer, type Kafka, type LogEntry as KafkajsLogEntry } from 'kafkajs';
import type { Logger } from '../obs/index.js';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Default KAFKA_RETRY; start-up checks use STARTUP_RETRY, so that wrong brokers fail in seconds, not minutes. */
  readonly retry?: typeof KAFKA_RETRY;
}

/** Retries explicit: kafkajs picks much shorter defaults when NODE_ENV=test, and tests must see production's. */
export const KAFKA_RETRY = { retries: 8, initialRetryTime: 300, maxRetryTime: 30_000, factor: 0.2, multiplier: 2 };
export const STARTUP_RETRY = { retries: 3, initialRetryTime: 300, maxRetryTime: 2_000, factor: 0.2, multiplier: 2 };

export function createKafkaClient(opts: KafkaClientOptions): Kafka {
  return new kafkajs.Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    retry: opts.retry ?? KAFKA_RETRY,
    connectionTimeout: 3_000,
    logLevel: opts.logger.isLevelEnabled('trace') ? kafkajs.logLevel.DEBUG : kafkajs.logLevel.INFO,
    logCreator: () => (entry) => forwardLog(opts.logger, entry),
  });
}

/**
 * A member of one of Kafka mode's consumer groups. Heartbeats go five times per session timeout (at most every 3 s),
 * so a live instance is never taken for dead and a dead one is noticed within the timeout.
 */
export function groupConsumer(kafka: Kafka, groupId: string, sessionTimeoutMs: number, maxBytesPerPartition?: number): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeoutMs / 5)),
    allowAutoTopicCreation: false,
    retry: KAFKA_RETRY,
    ...(maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition }),
  });
}

/**
 * Creates the topics that are missing (when allowed) and returns each topic's partition count. A topic that exists
 * keeps its partitions: stormcell never repartitions, since that would move domains between partitions mid-stream.
 */
export async function ensureTopics(
  admin: Admin,
  topics: ReadonlyArray<{ topic: string; partitions: number }>,
  create: { allowed: boolean; replicationFactor: number },
  logger: Logger,
): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    if (!create.allowed) {
      throw new Error(`topics ${missing.map((t) => t.topic).join(', ')} do not exist and scale_out.create_topics is false`);
    }
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: create.replicationFactor,
        configEntries: [{ name: 'cleanup.policy', value: 'delete' }],
      })),
    });
    logger.info({ topics: missing, replicationFactor: create.replicationFactor }, 'kafka topics created');
  }
  const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
  const counts = new Map<string, number>();
  for (const t of meta.topics) counts.set(t.name, t.partitions.length);
  for (const t of topics) {
    if (!counts.has(t.topic)) throw new Error(`topic ${t.topic}: no metadata after creation`);
  }
  return counts;
}

function forwardLog(logger: Logger, { namespace, level, log }: KafkajsLogEntry): void {
  const { message, timestamp: _timestamp, ...extra } = log;
  const fields = { kafkajs: namespace, text: message, ...extra };
  if (level === kafkajs.logLevel.ERROR) logger.error(fields, 'kafkajs');
  else if (level === kafkajs.logLevel.WARN) logger.warn(fields, 'kafkajs');
  else if (level === kafkajs.logLevel.INFO) logger.debug(fields, 'kafkajs');
  else logger.trace(fields, 'kafkajs');
}
