import type { Instant } from '../model/index.js';

/** One alert that started firing: when, in which incident, on what. */
export interface BurstStart {
  readonly at: Instant;
  incident: string;
  readonly entity: string;
}

/**
 * Recent alert starts (`startsAt`) per cluster, for spotting a burst: a dead node or a network fault makes many
 * unrelated entities of one cluster start failing within a minute or two, which no topology relation connects.
 * Plain data, kept in engine snapshots; starts older than the retention before the clock are dropped.
 */
export class BurstTracker {
  private starts: Record<string, BurstStart[]> = {};
  /** Per cluster, the incident gathering the latest burst and when a burst alert last joined it. */
  private gathering: Record<string, { incident: string; at: Instant }> = {};

  /** `keepMs`: how long before the clock a start may still matter (the window plus delivery delays). */
  constructor(private readonly keepMs: number) {}

  add(cluster: string, start: BurstStart, now: Instant): void {
    const list = (this.starts[cluster] ??= []);
    list.push(start);
    this.prune(cluster, now);
  }

  /** The starts in `cluster` within `windowMs` of `at` (either side: alerts arrive out of start order). */
  around(cluster: string, at: Instant, windowMs: number): BurstStart[] {
    return (this.starts[cluster] ?? []).filter((s) => Math.abs(s.at - at) <= windowMs);
  }

  /** Follows a merge: starts of `from` now belong to `into`. */
  rename(from: string, into: string): void {
    for (const list of Object.values(this.starts)) for (const s of list) if (s.incident === from) s.incident = into;
    for (const g of Object.values(this.gathering)) if (g.incident === from) g.incident = into;
  }

  /** Records that `incident` gathers the burst going on in `cluster`. */
  gather(cluster: string, incident: string, at: Instant): void {
    this.gathering[cluster] = { incident, at };
  }

  /**
   * The incident that gathered a burst in `cluster` no longer than `withinMs` before `at`: a fault that comes in
   * waves (a flapping network) is one incident, not one per wave.
   */
  gatherer(cluster: string, at: Instant, withinMs: number): string | null {
    const g = this.gathering[cluster];
    return g !== undefined && at - g.at <= withinMs ? g.incident : null;
  }

  toJSON(): { starts: Record<string, BurstStart[]>; gathering: Record<string, { incident: string; at: Instant }> } {
    return { starts: this.starts, gathering: this.gathering };
  }

  restore(state: { starts: Record<string, BurstStart[]>; gathering: Record<string, { incident: string; at: Instant }> }): void {
    this.starts = state.starts;
    this.gathering = state.gathering;
  }

  private prune(cluster: string, now: Instant): void {
    const list = this.starts[cluster];
    if (list === undefined) return;
    const kept = list.filter((s) => now - s.at <= this.keepMs);
    if (kept.length === 0) delete this.starts[cluster];
    else if (kept.length !== list.length) this.starts[cluster] = kept;
  }
}
