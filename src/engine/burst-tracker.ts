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
/** How many of the latest arrivals a burst check reads. */
const MAX_SCAN = 256;

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

  /**
   * The starts in `cluster` within `windowMs` of `at` (either side: alerts arrive out of start order), looking at
   * the latest MAX_SCAN arrivals only: enough to see a burst, and a storm of 100,000 alerts stays linear.
   */
  around(cluster: string, at: Instant, windowMs: number): BurstStart[] {
    const list = this.starts[cluster] ?? [];
    const out: BurstStart[] = [];
    for (let i = list.length - 1; i >= 0 && i >= list.length - MAX_SCAN; i--) {
      const s = list[i] as BurstStart;
      if (Math.abs(s.at - at) <= windowMs) out.push(s);
    }
    return out.reverse();
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

  /** Drops old starts from the front (arrival order): O(1) per arrival; the odd late-arriving old start waits. */
  private prune(cluster: string, now: Instant): void {
    const list = this.starts[cluster];
    if (list === undefined) return;
    let drop = 0;
    while (drop < list.length && now - (list[drop] as BurstStart).at > this.keepMs) drop++;
    if (drop === list.length) delete this.starts[cluster];
    else if (drop > 0) list.splice(0, drop);
    // A storm can hold more starts than a burst check ever reads; keep the latest.
    if (list.length > 2 * MAX_SCAN) list.splice(0, list.length - MAX_SCAN);
  }
}
