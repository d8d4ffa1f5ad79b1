/**
 * The fold: stage one's dedup in Kafka mode. Prometheus re-sends every active alert every minute, so most alert
 * items repeat what stage two already knows. The fold owns the alerts of its partition (partitioned by
 * fingerprint) and sends on only what stage two's engine needs to reach the state one replay of all the traffic
 * reaches: every send that changes an alert's status, start, annotations, source or the kind of its end, and, for
 * the re-sends it folds, an extension of the alert's end just before stage two would let it expire.
 *
 * For each alert it keeps two lifetimes merged by the engine's own rules (engine/lifetime.ts): what was received
 * (`got`) and what it has told stage two (`told`). They differ at most in `told` ending earlier while both fire,
 * which is what folding re-sends means. When stage two's clock would reach `told`'s end (a deadline), the fold
 * sends an extension to `got`'s end, stamped just before it, or, when they agree, lets the alert expire in both.
 *
 * A resolved alert is forgotten on the engine's retention grid once it may be (engine/retention.ts), never later
 * than stage two forgets it, so a send that stage two would take as a new alert is never folded.
 *
 * SLI samples are counted here too (partitioned by SLO): stage two gets the burns they decide, not the samples. A
 * burn the clock decides (a grid point passed) is queued in stage two's engine until its clock passes the grid
 * point; a burn a request's samples decide is placed after that request's events, as one engine places them.
 *
 * Pure and deterministic: it reads only the items it is given, in the order given.
 */
import { createHash } from 'node:crypto';
import { activeAt, endIsTimeout, mergeSend, pastRetention, pruneGridPoint, sendEndsAt, SloCounter, type Burn, type EngineSlo, type Lifetime } from '../engine/index.js';
import type { SloBookState } from '../engine/slo/index.js';
import type { AlertEvent, Event, Instant } from '../model/index.js';

/** What the fold sends on: events of one request, or extensions due at a deadline. */
export interface FoldOutput {
  /** The request's time; for extensions alone, one millisecond before the deadline they meet. */
  readonly ts: Instant;
  /** The request's ingest partition and offset, so stage two can put its pieces back together; null for extensions alone. */
  readonly origin: readonly [number, number] | null;
  readonly ev: readonly Event[];
  /** Each event's index in its request. */
  readonly ix: readonly number[];
  /** Alerts whose end moves later, applied before `ev`: [fingerprint, endsAt, stage-two partition]. */
  readonly x: ReadonlyArray<Extension>;
  /** Burns the clock decided, for stage two to queue (with extensions alone only). */
  readonly q?: readonly RoutedBurn[];
  /** Burns this request's SLI samples decided, placed after its events. */
  readonly ba?: readonly RoutedBurn[];
}

/** A burn and the stage-two partition of its SLO. */
export interface RoutedBurn {
  readonly burn: Burn;
  readonly part: number;
}

export interface FoldOptions {
  readonly resolveTimeoutMs: number;
  readonly retentionMs: number;
  readonly slos: readonly EngineSlo[];
  /** The stage-two partition of an alert, kept for the extensions that stand in for its sends. */
  alertPartition(ev: AlertEvent): number;
  /** The stage-two partition of an SLO (its SLI samples' and its burns'). */
  sloPartition(slo: string): number;
}

/** One request's events for this partition, each with its index in the request. */
export interface FoldInput {
  readonly src: number;
  readonly off: number;
  readonly ts: Instant;
  readonly events: readonly Event[];
  readonly ix: readonly number[];
}

export interface FoldCounts {
  /** Alert items received. */
  received: number;
  /** Alert items sent on. */
  forwarded: number;
  /** Extensions sent in place of folded re-sends. */
  extended: number;
  /** Resolved alerts forgotten. */
  forgotten: number;
  /** SLI samples counted, and burns sent on in their place. */
  sliSamples: number;
  burns: number;
}

export type Extension = readonly [fingerprint: string, endsAt: Instant, partition: number];

interface FoldRecord {
  /** The stage-two partition the alert's events go to (its correlation domain's). */
  readonly part: number;
  readonly got: Lifetime;
  readonly told: Lifetime;
  /** What stage two was told of the alert besides its lifetime: annotations, generator URL, source. */
  sig: string;
}

export interface FoldState {
  readonly clock: Instant | null;
  readonly lastGrid: Instant | null;
  /** [fingerprint, got, told, sig, partition] */
  readonly alerts: ReadonlyArray<readonly [string, Lifetime, Lifetime, string, number]>;
  readonly counts: FoldCounts;
  readonly slo: SloBookState;
}

export class Fold {
  private readonly records = new Map<string, FoldRecord>();
  private readonly deadlines = new DeadlineHeap();
  private clock: Instant | null = null;
  private lastGrid: Instant | null = null;
  private readonly slo: SloCounter;
  readonly counts: FoldCounts = { received: 0, forwarded: 0, extended: 0, forgotten: 0, sliSamples: 0, burns: 0 };

  constructor(private readonly opts: FoldOptions) {
    this.slo = new SloCounter(opts.slos);
  }

  static restore(state: FoldState, opts: FoldOptions): Fold {
    const f = new Fold(opts);
    f.slo.restore(state.slo);
    f.clock = state.clock;
    f.lastGrid = state.lastGrid;
    Object.assign(f.counts, state.counts);
    for (const [fp, got, told, sig, part] of state.alerts) {
      const r: FoldRecord = { part, got: { ...got }, told: { ...told }, sig };
      f.records.set(fp, r);
      f.schedule(fp, r);
    }
    return f;
  }

  /** Alerts held (firing or not yet forgotten). */
  size(): number {
    return this.records.size;
  }

  /**
   * Folds one request's events; returns what to send on: extensions and burns that fell due first, then its own
   * output.
   */
  apply(item: FoldInput): FoldOutput[] {
    const now = this.clock === null || item.ts > this.clock ? item.ts : this.clock;
    const out = this.advance(now);
    const ev: Event[] = [];
    const ix: number[] = [];
    const x: Extension[] = [];
    let sli = false;
    item.events.forEach((e, i) => {
      if (e.kind === 'sli') {
        this.counts.sliSamples++;
        this.slo.addSample(e);
        sli = true;
      } else if (e.kind !== 'alert' || this.fold(e, now, x)) {
        ev.push(e);
        ix.push(item.ix[i] as number);
      }
    });
    // As the engine does after a request's samples: late ones complete grid points the clock has passed.
    const ba = sli ? this.route(this.slo.evaluate(now - 1)) : [];
    if (ev.length > 0 || ba.length > 0) {
      out.push({ ts: now, origin: [item.src, item.off], ev, ix, x, ...(ba.length === 0 ? {} : { ba }) });
    }
    return out;
  }

  /**
   * Moves the clock to `now`: extensions for the deadlines it passes, burns for the grid points before it (as the
   * engine's clock decides them), and forgetting on the retention grid.
   */
  advance(now: Instant): FoldOutput[] {
    const out: FoldOutput[] = [];
    if (this.clock !== null && now < this.clock) return out;
    this.clock = now;
    for (let d = this.deadlines.peek(); d !== undefined && d.at <= now; d = this.deadlines.peek()) {
      this.deadlines.pop();
      const r = this.records.get(d.fp);
      if (r === undefined || r.told.status !== 'firing' || r.told.endsAt !== d.at) continue; // superseded
      const got = r.got.endsAt as number;
      if (got > d.at) {
        // Stage two's engine would let it expire at `d.at`: the sends folded since say it fires on.
        r.told.endsAt = got;
        const last = out[out.length - 1];
        const ext: Extension = [d.fp, got, r.part];
        if (last !== undefined && last.ts === d.at - 1) (last.x as Extension[]).push(ext);
        else out.push({ ts: d.at - 1, origin: null, ev: [], ix: [], x: [ext] });
        this.counts.extended++;
        this.deadlines.push(got, d.fp);
      } else {
        // Both end here; stage two's engine expires it on its own clock.
        r.got.status = 'resolved';
        r.told.status = 'resolved';
      }
    }
    const grid = pruneGridPoint(now);
    if (this.lastGrid === null || grid > this.lastGrid) {
      this.lastGrid = grid;
      for (const [fp, r] of this.records) {
        if (r.got.status === 'resolved' && r.told.status === 'resolved' && r.got.endsAt !== null && pastRetention(r.got.endsAt, grid, this.opts.retentionMs)) {
          this.records.delete(fp);
          this.counts.forgotten++;
        }
      }
    }
    // Stamped just after their grid point, so stage two has them before its clock passes it. The grid points are
    // those since the last call, so the stamps never go back before what was sent (stage two's reorder buffer
    // would hold a source to its latest time anyway).
    for (const rb of this.route(this.slo.evaluate(now - 1))) {
      const ts = rb.burn.transition.at + 1;
      const last = out[out.length - 1];
      if (last !== undefined && last.ts === ts && last.q !== undefined) (last.q as RoutedBurn[]).push(rb);
      else out.push({ ts, origin: null, ev: [], ix: [], x: [], q: [rb] });
    }
    return out.sort((a, b) => a.ts - b.ts);
  }

  /** SLO docs of the SLOs this fold counts (`own`: those whose samples come here). */
  sloDocs(own: (slo: string) => boolean): ReturnType<SloCounter['docs']> {
    return this.slo.docs().filter((d) => own(d.name));
  }

  state(): FoldState {
    return {
      clock: this.clock,
      lastGrid: this.lastGrid,
      alerts: [...this.records].map(([fp, r]) => [fp, r.got, r.told, r.sig, r.part] as const),
      counts: { ...this.counts },
      slo: this.slo.toJSON(),
    };
  }

  private route(burns: readonly Burn[]): RoutedBurn[] {
    this.counts.burns += burns.length;
    return burns.map((burn) => ({ burn, part: this.opts.sloPartition(burn.transition.slo) }));
  }

  /** Takes one alert send; true when stage two must see it (an extension to apply first may be added to `x`). */
  private fold(ev: AlertEvent, now: Instant, x: Extension[]): boolean {
    this.counts.received++;
    const endsAt = sendEndsAt(ev, this.opts.resolveTimeoutMs);
    const timeout = endIsTimeout(ev);
    const sig = signature(ev);
    const r = this.records.get(ev.fingerprint);
    if (r === undefined) {
      const got: Lifetime = { status: activeAt(endsAt, now) ? 'firing' : 'resolved', startsAt: ev.startsAt, endsAt, timeout };
      const rec: FoldRecord = { part: this.opts.alertPartition(ev), got, told: { ...got }, sig };
      this.records.set(ev.fingerprint, rec);
      this.schedule(ev.fingerprint, rec);
      this.counts.forwarded++;
      return true;
    }
    const gotEnd = r.got.endsAt;
    mergeSend(r.got, ev, endsAt, timeout, now);
    if (sig === r.sig && onlyLater(r.got, r.told)) return false;
    // Stage two is told this send; first bring its end to what the folded sends before it said, so that it
    // merges the send into exactly what was received, as one replay would.
    if (r.told.status === 'firing' && gotEnd !== null && r.told.endsAt !== null && gotEnd > r.told.endsAt) {
      x.push([ev.fingerprint, gotEnd, r.part]);
      r.told.endsAt = gotEnd;
      this.counts.extended++;
    }
    mergeSend(r.told, ev, endsAt, timeout, now);
    r.sig = sig;
    this.schedule(ev.fingerprint, r);
    this.counts.forwarded++;
    return true;
  }

  private schedule(fp: string, r: FoldRecord): void {
    if (r.told.status === 'firing' && r.told.endsAt !== null) this.deadlines.push(r.told.endsAt, fp);
  }
}

/** True when `got` and `told` agree but for `got` ending later while both fire: nothing stage two needs yet. */
function onlyLater(got: Lifetime, told: Lifetime): boolean {
  if (got.status !== told.status || got.startsAt !== told.startsAt || got.timeout !== told.timeout) return false;
  if (got.endsAt === told.endsAt) return true;
  return got.status === 'firing' && got.endsAt !== null && told.endsAt !== null && got.endsAt > told.endsAt;
}

/**
 * What stage two's alert record takes from each send besides its lifetime and shows: annotations (the summary) and
 * the source (whether an end is a timeout). Not the generator URL, which the record keeps but nothing reads: the
 * two rulers of an HA pair each send their own, so it changes with every other send.
 */
function signature(ev: AlertEvent): string {
  return createHash('sha1').update(JSON.stringify([ev.annotations, ev.source])).digest('base64');
}

/** A binary min-heap of (instant, fingerprint), ordered by both so that equal instants pop in a fixed order. */
class DeadlineHeap {
  private readonly items: Array<{ at: Instant; fp: string }> = [];

  peek(): { at: Instant; fp: string } | undefined {
    return this.items[0];
  }

  push(at: Instant, fp: string): void {
    const a = this.items;
    a.push({ at, fp });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i] as { at: Instant; fp: string }, a[p] as { at: Instant; fp: string })) break;
      [a[i], a[p]] = [a[p] as { at: Instant; fp: string }, a[i] as { at: Instant; fp: string }];
      i = p;
    }
  }

  pop(): void {
    const a = this.items;
    const last = a.pop();
    if (last === undefined || a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && less(a[l] as { at: Instant; fp: string }, a[m] as { at: Instant; fp: string })) m = l;
      if (r < a.length && less(a[r] as { at: Instant; fp: string }, a[m] as { at: Instant; fp: string })) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m] as { at: Instant; fp: string }, a[i] as { at: Instant; fp: string }];
      i = m;
    }
  }
}

function less(x: { at: Instant; fp: string }, y: { at: Instant; fp: string }): boolean {
  return x.at < y.at || (x.at === y.at && x.fp < y.fp);
}
