/**
 * What every instance's read API shows, in Redis: each stage-two partition's owner publishes its incidents, each
 * fold partition's owner the SLOs it counts (one key per partition, replaced whole) and the timelines of incidents that changed (one hash for all), and any
 * instance reads all partitions back. Incident ids are unique across partitions (they hash the first alert and
 * the opening time), so the union needs no renaming.
 */
import type { Redis } from 'ioredis';
import type { IncidentDoc, SloDoc, TimelineEntry } from '../model/index.js';

export interface PartitionView {
  readonly partition: number;
  readonly publishedAt: number;
  readonly incidents: readonly IncidentDoc[];
  readonly slos: readonly SloDoc[];
}

export type IncidentWithTimeline = IncidentDoc & { timeline: TimelineEntry[] };

export class SharedView {
  private cache: { texts: Array<string | null>; views: PartitionView[] } = { texts: [], views: [] };

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly partitions: number,
  ) {}

  /**
   * Replaces a partition's view and the timelines of `changed` incidents, and drops those of `removed` ones (past
   * retention), in one transaction.
   */
  async publish(view: PartitionView, changed: readonly IncidentWithTimeline[], removed: readonly string[]): Promise<void> {
    const tx = this.redis.multi().set(this.viewKey(view.partition), JSON.stringify(view));
    if (removed.length > 0) tx.hdel(this.timelineKey(), ...removed);
    if (changed.length > 0) {
      const fields: string[] = [];
      for (const inc of changed) fields.push(inc.id, JSON.stringify(inc));
      tx.hset(this.timelineKey(), ...fields);
    }
    const res = await tx.exec();
    const failed = res?.find(([err]) => err !== null);
    if (res === null || failed !== undefined) {
      throw new Error(`publishing partition ${view.partition}'s view to Redis failed: ${failed?.[0]?.message ?? 'transaction aborted'}`);
    }
  }

  /** Reads every partition's view; unchanged ones are not parsed again. */
  async refresh(): Promise<readonly PartitionView[]> {
    const keys = Array.from({ length: this.partitions }, (_, p) => this.viewKey(p));
    const texts = await this.redis.mget(...keys);
    const views: PartitionView[] = [];
    texts.forEach((text, p) => {
      if (text === null) return;
      const old = this.cache.texts[p] === text ? this.cache.views.find((v) => v.partition === p) : undefined;
      views.push(old ?? (JSON.parse(text) as PartitionView));
    });
    this.cache = { texts, views };
    return views;
  }

  /** The last views `refresh` read. */
  views(): readonly PartitionView[] {
    return this.cache.views;
  }

  /** One incident with its timeline, as its partition's owner last published it. */
  async incident(id: string): Promise<IncidentWithTimeline | undefined> {
    const text = await this.redis.hget(this.timelineKey(), id);
    return text === null ? undefined : (JSON.parse(text) as IncidentWithTimeline);
  }

  private viewKey(p: number): string {
    return `${this.prefix}view:${p}`;
  }

  private timelineKey(): string {
    return `${this.prefix}timelines`;
  }
}
