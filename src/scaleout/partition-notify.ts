/**
 * Notifications in Kafka mode: each stage-two partition an instance owns gets its own NotifyStage over that
 * partition's engine, with its outbox in Redis (`<group>:outbox:<p>`), so the next owner of the partition resumes
 * what was pending and rebuilds what every receiver was told: a rebalance or a crash never pages twice for the same
 * incident state. Silences are one set for all instances (RedisSilenceSync), applied by every partition's stage.
 */
import type { Redis } from 'ioredis';
import type { DeadLetter } from '../actions/index.js';
import type { Config } from '../config/index.js';
import type { Instant } from '../model/index.js';
import { NotifyStage } from '../notify/index.js';
import type { Logger, NotificationStats } from '../obs/index.js';
import { epochKey } from './checkpoint-store.js';
import { domainPartition } from './domain.js';
import type { PartitionWorker } from './partition-worker.js';
import { createRedisRecordStore, redisOutboxKey, RedisSilenceSync } from './redis-notify-store.js';
import type { PartitionHooks } from './stage-two.js';

export interface PartitionNotifyOptions {
  readonly config: Config;
  /** A client that waits for Redis instead of failing: an outbox append during an outage is delayed, not lost. */
  readonly redis: Redis;
  readonly prefix: string;
  readonly partitions: number;
  readonly logger: Logger;
  readonly now: () => Instant;
  readonly externalURL: () => string;
  /** Outbox retry settings for tests. */
  readonly outbox?: { baseBackoffMs?: number; maxBackoffMs?: number; timeoutMs?: number };
}

export class PartitionNotify {
  private readonly stages = new Map<number, NotifyStage>();
  /** Per partition, how many notification entries each incident's published timeline holds. */
  private readonly shown = new Map<number, Map<string, number>>();

  private constructor(
    private readonly opts: PartitionNotifyOptions,
    readonly silences: RedisSilenceSync,
  ) {}

  static async open(opts: PartitionNotifyOptions): Promise<PartitionNotify> {
    const silences = await RedisSilenceSync.open(opts.redis, { prefix: opts.prefix, now: opts.now });
    return new PartitionNotify(opts, silences);
  }

  /** The hooks stage two calls around each partition. */
  hooks(): PartitionHooks {
    return {
      opened: async (w) => {
        const stage = await NotifyStage.open({
          routing: this.opts.config.routing,
          incidents: {
            incident: (id) => w.engine.incidentDoc(id),
            openIncidents: () => w.engine.openIncidentDocs(),
            openIncidentIds: () => w.engine.openIncidentIds(),
            foldTarget: (id) => w.engine.foldTarget(id),
          },
          logger: this.opts.logger.child({ partition: w.partition }),
          now: this.opts.now,
          externalURL: this.opts.externalURL(),
          stores: {
            // Fenced by the partition's epoch: once another instance owns it, this one can queue, and so send, nothing.
            outbox: createRedisRecordStore(this.opts.redis, redisOutboxKey(this.opts.prefix, w.partition), { key: epochKey(this.opts.prefix, w.partition), epoch: w.epoch }),
            silences: this.silences,
          },
          ...(this.opts.outbox === undefined ? {} : { outbox: this.opts.outbox }),
        });
        this.stages.set(w.partition, stage);
        this.shown.set(w.partition, new Map());
      },
      changed: (w, effects) => {
        this.stages.get(w.partition)?.observe(effects).catch((err: unknown) => this.opts.logger.error({ err, partition: w.partition }, 'notification of a change not queued'));
      },
      deployed: (w, d) => {
        // A deploy without a cluster reaches every partition; one of them marks the dashboards.
        if (domainPartition(d.cluster ?? '', this.opts.partitions) !== w.partition) return;
        this.stages.get(w.partition)?.deployed(d).catch((err: unknown) => this.opts.logger.error({ err, service: d.service }, 'deploy annotation not queued'));
      },
      tick: (w) => this.tick(w),
      closed: async (w) => {
        const stage = this.stages.get(w.partition);
        this.stages.delete(w.partition);
        this.shown.delete(w.partition);
        await stage?.close();
      },
      notifications: (w, id) => this.stages.get(w.partition)?.timeline(id) ?? [],
    };
  }

  /** Reloads silences another instance changed (at most one Redis read a second). */
  sync(): Promise<boolean> {
    return this.silences.sync();
  }

  /** Dead letters of the partitions this instance owns. */
  deadLetters(): DeadLetter[] {
    return [...this.stages.values()].flatMap((s) => s.deadLetters());
  }

  /** The outbox counters of every partition this instance owns, summed per receiver integration. */
  stats(): NotificationStats | null {
    if (this.opts.config.routing === null) return null;
    const by = new Map<string, { receiver: string; integration: string; sent: number; failed: number; retried: number; deadLettered: number; pending: number; breaker: string }>();
    let pending = 0;
    let deadLetters = 0;
    for (const stage of this.stages.values()) {
      const s = stage.stats();
      if (s === null) continue;
      pending += s.pending;
      deadLetters += s.deadLetters;
      for (const i of s.integrations) {
        const k = `${i.receiver}\n${i.integration}`;
        const t = by.get(k);
        if (t === undefined) by.set(k, { ...i });
        else {
          t.sent += i.sent;
          t.failed += i.failed;
          t.retried += i.retried;
          t.deadLettered += i.deadLettered;
          t.pending += i.pending;
          if (i.breaker !== 'closed') t.breaker = i.breaker;
        }
      }
    }
    return { integrations: [...by.values()], pending, deadLetters };
  }

  private tick(w: PartitionWorker): void {
    const stage = this.stages.get(w.partition);
    if (stage === undefined) return;
    stage.tick().catch((err: unknown) => this.opts.logger.error({ err, partition: w.partition }, 'notifications not queued, will retry at the next tick'));
    // Deliveries finish after the engine's change was published: republish timelines that gained entries.
    const shown = this.shown.get(w.partition) as Map<string, number>;
    for (const id of new Set([...w.engine.openIncidentIds(), ...shown.keys()])) {
      if (w.engine.incidentDoc(id) === undefined) {
        shown.delete(id); // past retention
        continue;
      }
      const n = stage.timeline(id).length;
      if (n !== (shown.get(id) ?? 0)) {
        shown.set(id, n);
        w.touch(id);
      }
    }
  }
}
