/**
 * Reading a Kafka partition for the KafkaLog (kafka-log.ts): a range [from, end) of records in offset order, pulled
 * at the caller's pace, with a RangeError wherever retention deleted what was asked for.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage, RetryOptions } from 'kafkajs';
import type { LogEntry } from './event-log.js';
import { errMessage } from './wal-segment.js';

/** A record-less read checks this often whether retention deleted what it waits for. */
const READ_IDLE_CHECK_MS = 2_000;

/** A read in progress, as the log sees it: `close()` fails it so its consumer lets go. */
export interface ActiveRead {
  fail(err: Error): void;
}

/** What a read needs from the log that starts it. */
export interface PartitionReader {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly partition: number;
  /** Prefix of each read's group id. */
  readonly clientId: string;
  readonly retry: RetryOptions;
  /** Starts every error message: which log on which brokers. */
  readonly where: string;
  /** Reads in progress; a read adds itself while it runs. */
  readonly readers: Set<ActiveRead>;
  /** Each low watermark a read sees, so the log's `firstOffset()` follows retention. */
  onLowWatermark(low: number): void;
}

/**
 * Reads [from, end) with a consumer of its own: a fresh group id, no offset commits, a seek to `from`. kafkajs
 * has no public fetch without a group, so each read joins a one-member group.
 *
 * Retention may have deleted entries since `open()`. Asked for a deleted offset, the broker answers
 * OFFSET_OUT_OF_RANGE and kafkajs silently restarts at the low watermark (committing "earliest" for the group,
 * autoCommit or not); if the whole range was gone, no record would ever arrive. So the low watermark is read
 * first (a RangeError when `from` is below it), a jump in the offsets fetched is a RangeError (retention ran
 * during the read), and a read that waits long for records checks the low watermark again.
 */
export async function* readPartition(ctx: PartitionReader, from: number, end: number): AsyncGenerator<LogEntry> {
  const { kafka, topic, partition, where } = ctx;
  if (from >= end) return;
  const low = await fetchLowWatermark(kafka, topic, partition).catch((err: unknown) => {
    throw new Error(`${where}: read from offset ${from}: reading the low watermark failed: ${errMessage(err)}`, {
      cause: err,
    });
  });
  ctx.onLowWatermark(low);
  if (from < low) {
    throw new RangeError(`${where}: cannot read from offset ${from}; retention deleted the entries before ${low}`);
  }
  const handoff = new Handoff();
  ctx.readers.add(handoff);
  const consumer: Consumer = kafka.consumer({
    groupId: `${ctx.clientId}.read.${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    // A read that cannot fetch fails instead of kafkajs restarting the consumer behind our back.
    retry: { ...ctx.retry, restartOnFailure: async () => false },
  });
  const readError = (expected: number, detail: string, cause?: unknown): Error =>
    new Error(`${where}: read from offset ${from} failed at offset ${expected}: ${detail}`, { cause });
  const off = consumer.on(consumer.events.CRASH, (event) => {
    const cause = event.payload.error;
    handoff.fail(new Error(`the consumer crashed: ${errMessage(cause)}`, { cause }));
  });
  let expected = from;
  try {
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition === partition) await handoff.put(batch.messages);
        },
      });
      consumer.seek({ topic, partition, offset: String(from) });
    } catch (err) {
      throw readError(expected, `starting the consumer: ${errMessage(err)}`, err);
    }
    while (expected < end) {
      let messages: KafkaMessage[] | null;
      try {
        messages = await handoff.take(READ_IDLE_CHECK_MS);
        if (messages === null) {
          const lowNow = await fetchLowWatermark(kafka, topic, partition);
          if (lowNow > expected) {
            throw new RangeError(`offsets ${expected}..${lowNow - 1} are gone (deleted by retention during the read)`);
          }
          continue;
        }
      } catch (err) {
        if (err instanceof RangeError) throw new RangeError(`${where}: read from offset ${from}: ${err.message}`);
        throw readError(expected, errMessage(err), err);
      }
      for (const message of messages) {
        const offset = Number(message.offset);
        if (offset < expected) continue; // fetched before the seek took effect
        if (offset > expected) {
          // The broker reset us to its low watermark: retention deleted what we asked for after open().
          throw new RangeError(
            `${where}: read from offset ${from}: offsets ${expected}..${offset - 1} are gone (deleted by retention?)`,
          );
        }
        if (message.value === null) throw readError(expected, 'the record has no value; stormcell did not write it');
        yield { offset, data: message.value };
        if (++expected >= end) break;
      }
    }
  } finally {
    ctx.readers.delete(handoff);
    handoff.end();
    off();
    await consumer.disconnect();
  }
}

/** The partition's low watermark now: its oldest offset still stored (Kafka's log start offset). */
export async function fetchLowWatermark(kafka: Kafka, topic: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const mine = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
    if (mine === undefined) throw new Error(`the topic has no partition ${partition}`);
    return toOffset(mine.low, 'low watermark');
  } finally {
    await admin.disconnect();
  }
}

/** A broker-sent offset (kafkajs passes int64 as strings) as a number; offsets stay far below 2^53. */
export function toOffset(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`the broker sent ${what} ${JSON.stringify(value)}, not an offset`);
  return n;
}

/**
 * Hands the batches kafkajs's eachBatch receives to the reading generator one at a time: eachBatch does not return
 * until the reader asks for the next batch, so kafkajs fetches no faster than the caller iterates.
 */
class Handoff implements ActiveRead {
  private batch: KafkaMessage[] | null = null;
  private release: (() => void) | null = null;
  private wake: (() => void) | null = null;
  private error: Error | null = null;
  private ended = false;

  put(messages: KafkaMessage[]): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.batch = messages;
      this.release = resolve;
      this.notify();
    });
  }

  /** The next batch, or null when none came within `idleMs`; rejects once `fail` was called. */
  async take(idleMs: number): Promise<KafkaMessage[] | null> {
    this.releaseBatch();
    let timer: NodeJS.Timeout | undefined;
    let idle = false;
    try {
      for (;;) {
        if (this.error !== null) throw this.error;
        const batch = this.batch;
        if (batch !== null) {
          this.batch = null;
          return batch;
        }
        if (idle) return null;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          timer = setTimeout(() => {
            idle = true;
            this.notify();
          }, idleMs);
        });
        clearTimeout(timer);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  fail(err: Error): void {
    this.error ??= err;
    this.notify();
  }

  /** No more takes: lets a waiting eachBatch return so the consumer can disconnect. */
  end(): void {
    this.ended = true;
    this.releaseBatch();
  }

  private releaseBatch(): void {
    const release = this.release;
    this.release = null;
    release?.();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
