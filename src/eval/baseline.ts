import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { parseCaptureLine } from '../ingest/index.js';
import type { AlertEvent, Event, Instant } from '../model/index.js';
import { normalize } from '../normalize/index.js';

/** Alertmanager's default `group_by` in most shipped configs, and the baseline's unless told otherwise. */
export const DEFAULT_BASELINE_GROUP_BY: readonly string[] = Object.freeze(['alertname', 'cluster']);

/** The baseline's settings. */
export interface BaselineOptions {
  /** Label names to group by; `['...']` groups by all labels, as in Alertmanager. */
  readonly groupBy: readonly string[];
  /** Alertmanager's `resolve_timeout` for API alerts sent without `endsAt`. */
  readonly resolveTimeoutMs: number;
}

/** The baseline's answer: each alert's notification group (numbered from 0 in order of creation) and the count. */
export interface BaselineGroups {
  readonly groupOf: ReadonlyMap<string, number>;
  readonly groups: number;
}

interface AlertState {
  /** null: firing until an explicit resolve (webhook alerts). */
  endsAt: Instant | null;
  firing: boolean;
  /** The notification group it counts toward while firing. */
  group: number;
}

/**
 * What Alertmanager would page with `group_by` alone: the baseline `stormcell eval` scores beside the engine.
 *
 * A notification group (one group key: the values of the `group_by` labels) lives while any of its alerts fires;
 * an alert that arrives for a key whose group has gone empty starts a new group, as a new page would. Each alert
 * (fingerprint) belongs to the first group it appeared in. Firing follows Alertmanager simply: an alert fires from
 * receipt until its `endsAt` (an API alert without one until `resolve_timeout` after its latest send; a webhook
 * alert until a resolved notification), and a send with an `endsAt` in the past resolves it. Deliberately left out:
 * `group_wait`/`group_interval` batching and the flush delay before an empty group is deleted; they shift pages in
 * time but rarely change which alerts share one. An alert that arrives already resolved joins its key's live group,
 * or else starts a group that is empty from birth.
 *
 * Pure and deterministic: time is each record's `ts` (never earlier than the one before), as in replay.
 */
export class AlertmanagerBaseline {
  private readonly alerts = new Map<string, AlertState>();
  private readonly groupOf = new Map<string, number>();
  /** Per group key, its live group and how many of its alerts fire now. */
  private readonly live = new Map<string, { group: number; firing: number }>();
  private readonly groupKeyOf: (a: AlertEvent) => string;
  /** Pending timeouts, a binary min-heap on `endsAt`; entries made stale by a re-send are skipped when popped. */
  private readonly heap: Array<{ at: Instant; fp: string }> = [];
  private readonly keyOfGroup: string[] = [];
  private now: Instant = -Infinity;

  constructor(private readonly opts: BaselineOptions) {
    const byAll = opts.groupBy.includes('...');
    const names = [...opts.groupBy];
    // Missing and empty labels are one thing in Prometheus (empty ones are dropped at receipt), hence `?? ''`.
    this.groupKeyOf = byAll ? (a) => a.fingerprint : (a) => JSON.stringify(names.map((n) => a.labels[n] ?? ''));
  }

  /** Folds one request's events in at its receive time `ts`; non-alert events are ignored. */
  receive(events: readonly Event[], ts: Instant): void {
    this.advance(ts);
    for (const ev of events) if (ev.kind === 'alert') this.receiveAlert(ev);
  }

  /** The grouping so far. */
  result(): BaselineGroups {
    return { groupOf: this.groupOf, groups: this.keyOfGroup.length };
  }

  private advance(ts: Instant): void {
    if (ts > this.now) this.now = ts;
    for (let top = this.heap[0]; top !== undefined && top.at <= this.now; top = this.heap[0]) {
      this.pop();
      const a = this.alerts.get(top.fp);
      if (a !== undefined && a.firing && a.endsAt === top.at) this.resolve(a);
    }
  }

  private receiveAlert(ev: AlertEvent): void {
    const endsAt = ev.endsAt ?? (ev.source === 'api' ? this.now + this.opts.resolveTimeoutMs : null);
    const active = endsAt === null || endsAt > this.now;
    const key = this.groupKeyOf(ev);
    let a = this.alerts.get(ev.fingerprint);
    if (a === undefined) {
      a = { endsAt, firing: false, group: -1 };
      this.alerts.set(ev.fingerprint, a);
    }
    a.endsAt = endsAt;
    if (active && !a.firing) {
      // A refiring alert counts toward its key's live group now, which may be newer than the one it first joined.
      a.group = this.liveGroup(key);
      a.firing = true;
      (this.live.get(key) as { firing: number }).firing++;
    } else if (!active && a.firing) {
      this.resolve(a);
    }
    if (!this.groupOf.has(ev.fingerprint)) this.groupOf.set(ev.fingerprint, a.firing ? a.group : this.liveGroup(key));
    if (a.firing && a.endsAt !== null) this.push(a.endsAt, ev.fingerprint);
  }

  /** The live group of a key, starting a new one when the key has none or its group went empty. */
  private liveGroup(key: string): number {
    const g = this.live.get(key);
    if (g !== undefined && g.firing > 0) return g.group;
    const group = this.keyOfGroup.length;
    this.keyOfGroup.push(key);
    this.live.set(key, { group, firing: 0 });
    return group;
  }

  private resolve(a: AlertState): void {
    a.firing = false;
    const g = this.live.get(this.keyOfGroup[a.group] as string);
    if (g !== undefined && g.group === a.group) g.firing--;
  }

  private push(at: Instant, fp: string): void {
    const h = this.heap;
    h.push({ at, fp });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as { at: Instant }).at <= at) break;
      [h[i], h[parent]] = [h[parent] as { at: Instant; fp: string }, h[i] as { at: Instant; fp: string }];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && (h[l] as { at: Instant }).at < (h[m] as { at: Instant }).at) m = l;
      if (r < h.length && (h[r] as { at: Instant }).at < (h[m] as { at: Instant }).at) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as { at: Instant; fp: string }, h[i] as { at: Instant; fp: string }];
      i = m;
    }
  }
}

/**
 * Runs a capture file through the same parse and normalize path as replay and returns the baseline's groups.
 * Requests the receivers would refuse are skipped, as replay skips them; an unusable line throws InputError.
 */
export async function alertmanagerBaseline(file: string, opts: BaselineOptions): Promise<BaselineGroups> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${file}: no such file`);
    throw new InputError(`${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  return baselineOfLines(text.split('\n'), file, opts);
}

/** {@link alertmanagerBaseline} over capture lines already in memory; `file` names them in messages. */
export function baselineOfLines(lines: readonly string[], file: string, opts: BaselineOptions): BaselineGroups {
  const baseline = new AlertmanagerBaseline(opts);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const rec = parseCaptureLine(line, `${file}:${i + 1}`);
    let events;
    try {
      events = normalize(rec.path, rec.body, rec.ts);
    } catch (err) {
      if (err instanceof InputError) return;
      throw err;
    }
    baseline.receive(events, rec.ts);
  });
  return baseline.result();
}
