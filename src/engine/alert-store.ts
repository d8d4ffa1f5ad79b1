import type { AlertEvent, Instant, LabelSet } from '../model/index.js';
import { sameLabelSet } from '../model/index.js';
import { activeAt, endIsTimeout, mergeSend, sendEndsAt } from './lifetime.js';

/** One alert (one fingerprint) with its state history: re-sends, HA duplicates and flaps all fold into it. */
export interface AlertRecord {
  readonly fingerprint: string;
  readonly labels: LabelSet;
  annotations: LabelSet;
  /** The latest send's; shown nowhere, and Kafka mode's fold stage does not forward a send for it alone. */
  generatorURL: string | undefined;
  source: AlertEvent['source'];
  startsAt: Instant;
  /** null: firing until an explicit resolve arrives (webhook alerts). */
  endsAt: Instant | null;
  /** `endsAt` came from `resolve_timeout`, so any explicit end that arrives later overrides it (Alertmanager's Merge). */
  timeout: boolean;
  status: 'firing' | 'resolved';
  firstReceivedAt: Instant;
  lastReceivedAt: Instant;
  receivedCount: number;
  /** Every firing↔resolved change, oldest first; bounded to MAX_HISTORY, `transitions` counts them all. */
  history: Array<{ at: Instant; status: 'firing' | 'resolved' }>;
  transitions: number;
  incidentId: string | null;
  entity: string | null;
}

/** What receiving or expiring an alert changed. `unchanged` covers re-sends, the bulk of all traffic. */
export type AlertChange = 'new-firing' | 'new-resolved' | 'refired' | 'resolved' | 'unchanged';

const MAX_HISTORY = 20;

/**
 * Dedup and lifetimes of alerts, with Alertmanager's semantics (provider/mem Put + types.Alert.Merge): overlapping
 * sends merge (earliest `startsAt`, an explicit end beats a timeout), a send after resolution starts the alert
 * again (a flap), and an alert that is not re-sent resolves at its `endsAt`.
 *
 * Expiry uses one-second buckets keyed by `endsAt` rather than a heap. An alert has at most one bucket entry: a
 * re-send that pushes `endsAt` later leaves it where it is, and when that second comes the entry moves on to the
 * alert's current `endsAt`. A Prometheus re-send, the bulk of all traffic, so costs no allocation here.
 */
export class AlertStore {
  readonly alerts = new Map<string, AlertRecord>();
  private readonly buckets = new Map<number, string[]>();
  /** The second of each alert's one bucket entry (derived state, rebuilt on restore). */
  private readonly scheduled = new Map<string, number>();
  /** Reused result of `receive`, valid until the next call: re-sends are too frequent to allocate one each. */
  private readonly result: { record: AlertRecord; change: AlertChange } = { record: null as unknown as AlertRecord, change: 'unchanged' };
  /** The first second whose bucket has not been fully processed. */
  private nextSecond: number | null = null;

  constructor(private readonly resolveTimeoutMs: number) {}

  get(fp: string): AlertRecord | undefined {
    return this.alerts.get(fp);
  }

  /**
   * Folds one received alert into its record. `now` is the engine clock (≥ the event's receive time).
   * The returned object is reused by the next call.
   */
  receive(ev: AlertEvent, now: Instant): { readonly record: AlertRecord; readonly change: AlertChange } {
    const endsAt = sendEndsAt(ev, this.resolveTimeoutMs);
    const timeout = endIsTimeout(ev);
    const old = this.alerts.get(ev.fingerprint);
    if (old === undefined) {
      const active = activeAt(endsAt, now);
      const status = active ? 'firing' : 'resolved';
      const record: AlertRecord = {
        fingerprint: ev.fingerprint,
        labels: ev.labels,
        annotations: ev.annotations,
        generatorURL: ev.generatorURL,
        source: ev.source,
        startsAt: ev.startsAt,
        endsAt,
        timeout,
        status,
        firstReceivedAt: ev.at,
        lastReceivedAt: ev.at,
        receivedCount: 1,
        history: [{ at: status === 'firing' ? ev.startsAt : (endsAt as number), status }],
        transitions: 1,
        incidentId: null,
        entity: null,
      };
      this.alerts.set(ev.fingerprint, record);
      this.schedule(record);
      return this.answer(record, active ? 'new-firing' : 'new-resolved');
    }

    const endsBefore = old.endsAt;
    // A re-send nearly always carries what the record holds already. Keeping the record's own copies lets the
    // request's objects die young: storing each re-send's would promote them all to the old generation, and the
    // collector then spends more time on ingest than the parser does.
    if (!sameLabelSet(old.annotations, ev.annotations)) old.annotations = ev.annotations;
    if (old.generatorURL !== ev.generatorURL) old.generatorURL = ev.generatorURL;
    old.source = ev.source;
    old.lastReceivedAt = ev.at;
    old.receivedCount++;
    const changedAt = mergeSend(old, ev, endsAt, timeout, now);
    let change: AlertChange = 'unchanged';
    if (changedAt !== null) {
      change = old.status === 'firing' ? 'refired' : 'resolved';
      this.noteTransition(old, changedAt);
    }
    // The alert's one bucket entry is at or before its old end; only an earlier end (or a new firing) moves it.
    if (change !== 'unchanged' || (old.endsAt !== null && (endsBefore === null || old.endsAt < endsBefore))) this.schedule(old);
    return this.answer(old, change);
  }

  /**
   * Moves a firing alert's end later without a send (Kafka mode's fold stage folded the sends that did it). False,
   * changing nothing, when the alert is unknown, not firing, has no end, or would end no later.
   */
  extend(fp: string, endsAt: Instant): boolean {
    const a = this.alerts.get(fp);
    if (a === undefined || a.status !== 'firing' || a.endsAt === null || endsAt <= a.endsAt) return false;
    a.endsAt = endsAt; // its bucket entry stays at the earlier second and moves on when that second comes
    return true;
  }

  /**
   * Resolves every firing alert whose `endsAt` is at or before `now`, in (endsAt, fingerprint) order so the result
   * does not depend on when buckets were filled (live versus restored from a snapshot).
   */
  expire(now: Instant): AlertRecord[] {
    const nowSecond = Math.floor(now / 1000);
    const due = new Set<AlertRecord>();
    // Walk second by second when that is shorter than the bucket list; after a long jump, walk the buckets instead.
    const seconds =
      this.nextSecond === null || nowSecond - this.nextSecond > this.buckets.size
        ? [...this.buckets.keys()].filter((s) => s <= nowSecond).sort((a, b) => a - b)
        : range(this.nextSecond, nowSecond);
    for (const s of seconds) {
      const fps = this.buckets.get(s);
      if (fps === undefined) continue;
      const keep: string[] = [];
      for (const fp of fps) {
        if (this.scheduled.get(fp) !== s) continue; // moved on earlier
        const a = this.alerts.get(fp);
        if (a === undefined || a.status !== 'firing' || a.endsAt === null) {
          this.scheduled.delete(fp);
          continue;
        }
        const at = Math.floor(a.endsAt / 1000);
        if (a.endsAt <= now) {
          this.scheduled.delete(fp);
          due.add(a);
        } else if (at === s) keep.push(fp);
        else this.put(fp, at); // re-sent since: its end moved later
      }
      if (keep.length === 0) this.buckets.delete(s);
      else this.buckets.set(s, keep);
    }
    this.nextSecond = nowSecond;
    const sorted = [...due].sort(
      (x, y) => (x.endsAt as number) - (y.endsAt as number) || (x.fingerprint < y.fingerprint ? -1 : 1),
    );
    for (const a of sorted) {
      a.status = 'resolved';
      this.noteTransition(a, a.endsAt as number);
    }
    return sorted;
  }

  /** Forgets a resolved alert (retention); stale bucket entries are skipped when their second passes. */
  remove(fp: string): void {
    this.alerts.delete(fp);
    this.scheduled.delete(fp);
  }

  /** Rebuilds the store from snapshot records (buckets are derived, not saved). */
  restore(records: AlertRecord[], nextSecond: number | null): void {
    this.alerts.clear();
    this.buckets.clear();
    this.scheduled.clear();
    this.nextSecond = nextSecond;
    for (const r of records) {
      this.alerts.set(r.fingerprint, r);
      this.schedule(r);
    }
  }

  cursor(): number | null {
    return this.nextSecond;
  }

  /** Makes sure a firing alert's bucket entry is at or before its `endsAt` second. */
  private schedule(a: AlertRecord): void {
    if (a.status !== 'firing' || a.endsAt === null) return;
    const s = Math.floor(a.endsAt / 1000);
    const current = this.scheduled.get(a.fingerprint);
    if (current === undefined || s < current) this.put(a.fingerprint, s);
  }

  private put(fp: string, s: number): void {
    this.scheduled.set(fp, s);
    const arr = this.buckets.get(s);
    if (arr === undefined) this.buckets.set(s, [fp]);
    else arr.push(fp);
  }

  private answer(record: AlertRecord, change: AlertChange): { readonly record: AlertRecord; readonly change: AlertChange } {
    this.result.record = record;
    this.result.change = change;
    return this.result;
  }

  private noteTransition(a: AlertRecord, at: Instant): void {
    a.transitions++;
    a.history.push({ at, status: a.status });
    if (a.history.length > MAX_HISTORY) a.history.shift();
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to; s++) out.push(s);
  return out;
}
