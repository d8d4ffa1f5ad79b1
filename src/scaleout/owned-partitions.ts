/**
 * The partitions of one consumer group that this instance owns, for the stateful stages (fold and correlate): each
 * gets a worker, opened (claimed and restored from its checkpoint) in the background as the group assigns it and
 * closed as the group takes it away. Workers consume from their checkpoint's offset: a batch starting later (the
 * group's committed offset ran ahead of the checkpoint) seeks back to it.
 */
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger, ScaleOutMetrics } from '../obs/index.js';

/** What ownership needs of a worker. */
export interface OwnedWorker {
  readonly partition: number;
  /** The offset of the next message the worker takes. */
  readonly nextOffset: number;
  /** True once a save found the partition claimed by another owner. */
  isLost(): boolean;
}

export interface Owned<W extends OwnedWorker, S> {
  readonly opening: Promise<W>;
  worker: W | null;
  /** The partition's end as last seen. */
  high: number | null;
  /** When the worker was last at the partition's end with nothing left to do. */
  caughtUpAt: number | null;
  /** The stage's own bookkeeping for the partition. */
  readonly s: S;
}

export interface OwnedPartitionsOptions<W extends OwnedWorker, S> {
  readonly stage: string;
  readonly topic: string;
  readonly logger: Logger;
  readonly admin: () => Admin;
  /** Claims and restores partition `p`; `low` is the first offset the topic still holds. */
  open(p: number, low: number): Promise<W>;
  /** Fresh bookkeeping for a partition. */
  fresh(): S;
  /** Lets a worker go: a last save when `save`, then whatever the stage attached to it. */
  close(worker: W, owned: Owned<W, S>, save: boolean): Promise<void>;
}

/** A partition counts as caught up for this long after it was last at its end. */
const CAUGHT_UP_GRACE_MS = 10_000;

export class OwnedPartitions<W extends OwnedWorker, S> {
  private readonly owned = new Map<number, Owned<W, S>>();
  private joined = false;

  constructor(private readonly opts: OwnedPartitionsOptions<W, S>) {}

  /**
   * Consumes the topic from the group's committed offsets (from the start for a new group), following the group's
   * assignments. Offsets are resolved and committed by the stage, after its checkpoints.
   */
  async consume(consumer: Consumer, metrics: ScaleOutMetrics, eachBatch: (b: EachBatchPayload) => Promise<void>): Promise<void> {
    this.follow(consumer, metrics);
    await consumer.connect();
    await consumer.subscribe({ topics: [this.opts.topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  }

  /** Follows the group's assignments as `consumer` joins and rebalances, counting them in `metrics`. */
  private follow(consumer: Consumer, metrics: ScaleOutMetrics): void {
    const { stage, topic, logger } = this.opts;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      metrics.rebalances.inc({ stage });
      metrics.assignedPartitions.set({ stage }, assigned.length);
      logger.info({ stage, partitions: assigned }, 'kafka partitions assigned');
      this.assign(assigned);
    });
    consumer.on(consumer.events.REBALANCING, () => this.rebalancing());
  }

  /** The group's new assignment: partitions no longer ours are closed (with a last save), new ones opened. */
  assign(partitions: readonly number[]): void {
    const assigned = new Set(partitions);
    for (const p of [...this.owned.keys()]) if (!assigned.has(p)) void this.drop(p, true);
    for (const p of assigned) if (!this.owned.has(p)) this.own(p);
    this.joined = true;
  }

  /** A rebalance began: until the next assignment, nothing counts as caught up. */
  rebalancing(): void {
    this.joined = false;
  }

  /** True once assigned and every owned partition was at its end within the last few seconds. */
  caughtUp(now: number): boolean {
    if (!this.joined) return false;
    for (const o of this.owned.values()) {
      if (o.worker === null || o.caughtUpAt === null || now - o.caughtUpAt > CAUGHT_UP_GRACE_MS) return false;
    }
    return true;
  }

  /** The open partitions. */
  entries(): Array<[number, Owned<W, S>]> {
    return [...this.owned];
  }

  workers(): W[] {
    return [...this.owned.values()].flatMap((o) => (o.worker === null ? [] : [o.worker]));
  }

  /**
   * The owned partition and its worker for a batch, opening it if the batch came first; null when the batch is
   * not to be taken: the worker lost the partition, the batch is empty, or it starts past the worker's offset (a
   * seek back to it was requested).
   */
  async forBatch(batch: EachBatchPayload['batch'], consumer: Consumer): Promise<{ owned: Owned<W, S>; worker: W } | null> {
    const p = batch.partition;
    if (!this.owned.has(p)) this.own(p);
    const owned = this.owned.get(p) as Owned<W, S>;
    const worker = await owned.opening;
    if (worker.isLost() || batch.messages.length === 0) return null;
    const first = Number(batch.messages[0]?.offset);
    if (first > worker.nextOffset) {
      // The group's committed offset is ahead of our checkpoint: go back to where the state was taken.
      this.opts.logger.warn({ stage: this.opts.stage, partition: p, committed: first, checkpoint: worker.nextOffset }, 'seeking back to the checkpoint offset');
      consumer.seek({ topic: batch.topic, partition: p, offset: String(worker.nextOffset) });
      return null;
    }
    return { owned, worker };
  }

  /** Closes every partition, with a last save (the app stops). */
  async closeAll(): Promise<void> {
    for (const p of [...this.owned.keys()]) await this.drop(p, true);
  }

  /** Closes partition `p`; `save`: a last save first (not when it was lost to another owner). */
  async drop(p: number, save: boolean): Promise<void> {
    const o = this.owned.get(p);
    if (o === undefined) return;
    this.owned.delete(p);
    const worker = await o.opening.catch(() => null);
    if (worker !== null) await this.opts.close(worker, o, save && !worker.isLost());
  }

  private own(p: number): void {
    const { topic, stage, logger } = this.opts;
    const opening = (async () => {
      const ends = await this.opts.admin().fetchTopicOffsets(topic);
      const low = Number(ends.find((e) => e.partition === p)?.low ?? 0);
      return this.opts.open(p, low);
    })();
    const o: Owned<W, S> = { opening, worker: null, high: null, caughtUpAt: null, s: this.opts.fresh() };
    this.owned.set(p, o);
    opening.then(
      (w) => {
        if (this.owned.get(p) === o) o.worker = w;
      },
      (err: unknown) => {
        logger.error({ err, stage, partition: p }, 'could not open partition; the next batch tries again');
        if (this.owned.get(p) === o) this.owned.delete(p);
      },
    );
  }
}
