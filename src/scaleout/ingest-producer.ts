/**
 * Where the HTTP receivers of Kafka mode put acknowledged requests: capture lines on `stormcell.ingest`, the same
 * topic other systems publish to, so stage one treats both alike. A request is acknowledged once the broker has it
 * (idempotent producer, acks from every in-sync replica). Each instance writes to one partition, picked from its
 * id, so its requests stay in the order it stamped them.
 */
import type { Kafka, Producer } from 'kafkajs';
import { domainPartition } from './domain.js';
import { KAFKA_RETRY } from './kafka-client.js';
import { currentContext } from '../obs/index.js';
import { injectContext } from './trace-headers.js';

export class IngestProducer {
  private producer: Producer | null = null;
  readonly partition: number;
  private queue: Array<{ entries: readonly Uint8Array[]; headers: Record<string, string>; resolve: (o: number) => void; reject: (e: Error) => void }> = [];
  private sending = false;
  private idle: (() => void) | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    partitions: number,
    instanceId: string,
  ) {
    this.partition = domainPartition(instanceId, partitions);
  }

  async connect(): Promise<void> {
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: KAFKA_RETRY });
    await this.producer.connect();
  }

  /**
   * Queues the lines and resolves once the broker acknowledged them, with the offset of the first. Appends made
   * while a send is under way go out together in the next one (group commit), one send at a time, so the partition
   * holds requests in the order they were stamped.
   */
  append(entries: readonly Uint8Array[]): Promise<number> {
    if (this.producer === null) return Promise.reject(new Error(`ingest producer for ${this.topic} is not connected`));
    const headers = injectContext(currentContext());
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ entries, headers, resolve, reject });
      if (!this.sending) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0 && this.producer !== null) {
      const batch = this.queue.splice(0, 500);
      const messages = batch.flatMap((b) =>
        b.entries.map((e) => ({ partition: this.partition, value: Buffer.from(e.buffer, e.byteOffset, e.byteLength), headers: b.headers })),
      );
      try {
        const res = await this.producer.send({ topic: this.topic, acks: -1, messages });
        let offset = Number(res[0]?.baseOffset ?? -1);
        for (const b of batch) {
          b.resolve(offset);
          if (offset >= 0) offset += b.entries.length;
        }
      } catch (err) {
        const e = new Error(`${this.topic}/${this.partition}: the broker did not acknowledge: ${(err as Error).message}`, { cause: err });
        for (const b of batch) b.reject(e);
      }
    }
    this.sending = false;
    this.idle?.();
  }

  async close(): Promise<void> {
    if (this.sending) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.producer?.disconnect();
    this.producer = null;
  }
}
