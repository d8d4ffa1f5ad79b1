/**
 * The outbox's in-memory state and its one transition function, `apply(record)`, used alike for records as they are
 * written and for records replayed at open: what `outbox.log` holds is exactly what this state was built from.
 * Pure: no I/O, no clock. Imports nothing from src/ but types (the crash test transpiles it alone).
 */
import type { Instant } from '../model/index.js';
import type { Notification } from './plugin.js';

/** Why an entry was dead-lettered: a non-retryable answer, retries used up, a bug (a throw), or no such integration. */
export type DeadReason = 'failed' | 'exhausted' | 'bug' | 'no_action';

/** One attempt (or decision) in a notification's life, for incident timelines. */
export interface HistoryItem {
  readonly at: Instant;
  readonly key: string;
  readonly receiver: string;
  readonly integration: string;
  readonly status: 'firing' | 'resolved';
  readonly version: number;
  /** 0 for a decision without an attempt (no_action). */
  readonly attempt: number;
  readonly result: 'sent' | 'retryable' | DeadReason;
  readonly error?: string;
  readonly ref?: string;
  /** When the next attempt is due, after a retryable result. */
  readonly retryAt?: Instant;
}

/** A dead letter: a notification given up on, with the notification itself so it can be inspected or re-sent. */
export interface DeadLetter {
  readonly key: string;
  readonly receiver: string;
  readonly integration: string;
  readonly incidentId: string;
  readonly enqueuedAt: Instant;
  readonly deadAt: Instant;
  readonly reason: DeadReason;
  readonly error: string;
  readonly attempts: number;
  readonly notification: Notification;
}

/** A notification the outbox holds in any state, without its body: what a restarted router needs. */
export interface EnqueuedItem {
  readonly key: string;
  readonly receiver: string;
  readonly integration: string;
  readonly incidentId: string;
  readonly status: 'firing' | 'resolved';
  readonly version: number;
  readonly enqueuedAt: Instant;
  readonly state: 'pending' | 'sent' | 'dead';
  readonly digest?: string;
}

/** A notification not yet sent or dead. */
export interface PendingItem {
  readonly key: string;
  readonly receiver: string;
  readonly integration: string;
  readonly incidentId: string;
  readonly attempts: number;
  readonly nextAt: Instant;
  readonly inFlight: boolean;
}

interface Attempt {
  at: Instant;
  attempt: number;
  result: HistoryItem['result'];
  error?: string;
  ref?: string;
  retryAt?: Instant;
}

/** One notification and what became of it. */
export interface Entry {
  key: string;
  receiver: string;
  integration: string;
  incidentId: string;
  status: 'firing' | 'resolved';
  version: number;
  /** Dropped once sent: a sent entry is kept for its key, ref, digest and history only. */
  n: Notification | undefined;
  /** The router's digest of the notification (see Notification.digest). */
  digest?: string;
  enqueuedAt: Instant;
  state: 'pending' | 'sent' | 'dead';
  attempts: number;
  nextAt: Instant;
  doneAt?: Instant;
  ref?: string;
  reason?: DeadReason;
  error?: string;
  /** At most one item per attempt. */
  history: Attempt[];
  /** False until the entry's enqueue record is on disk: it is not sent before. Not persisted. */
  durable: boolean;
  /** Not persisted. */
  inFlight: boolean;
}

/** One line of outbox.log. `entry` is a whole entry, written by compaction. */
export type OutboxRecord =
  | { t: 'enq'; at: Instant; n: Notification }
  | { t: 'retry'; k: string; at: Instant; attempt: number; error: string; retryAt: Instant }
  | { t: 'sent'; k: string; at: Instant; attempt: number; ref?: string }
  | { t: 'dead'; k: string; at: Instant; attempt: number; reason: DeadReason; error: string }
  | { t: 'entry'; e: Omit<Entry, 'durable' | 'inFlight'> };

const RECORD_TYPES = new Set(['enq', 'retry', 'sent', 'dead', 'entry']);

/**
 * Entries by idempotency key, indexed by incident (history, lastRef) and by lane: the pending entries of one
 * incident to one receiver integration, in enqueue order, whose head is the only one that may be sent.
 */
export class OutboxState {
  private readonly entries = new Map<string, Entry>();
  private readonly byIncident = new Map<string, string[]>();
  private readonly laneMap = new Map<string, Entry[]>();

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  /** The lanes, each its pending entries in order. Safe to iterate while entries leave lanes. */
  lanes(): IterableIterator<Entry[]> {
    return this.laneMap.values();
  }

  /** Checks that a replayed value is a record at all; the file is our own, so the shape is trusted beyond that. */
  static checkRecord(value: unknown, line: number): OutboxRecord {
    const t = value !== null && typeof value === 'object' ? (value as { t?: unknown }).t : undefined;
    if (typeof t !== 'string' || !RECORD_TYPES.has(t)) throw new Error(`outbox: line ${line} is not an outbox record`);
    return value as OutboxRecord;
  }

  /** The one state transition, for live records and replay alike. Returns the entry the record is about. */
  apply(rec: OutboxRecord): Entry {
    if (rec.t === 'enq' || rec.t === 'entry') return this.add(rec);
    const e = this.entries.get(rec.k);
    if (e === undefined) throw new Error(`outbox: ${rec.t} record for unknown key ${rec.k}`);
    e.attempts = Math.max(e.attempts, rec.attempt);
    switch (rec.t) {
      case 'retry':
        e.nextAt = rec.retryAt;
        e.history.push({ at: rec.at, attempt: rec.attempt, result: 'retryable', error: rec.error, retryAt: rec.retryAt });
        break;
      case 'sent':
        e.state = 'sent';
        e.doneAt = rec.at;
        e.n = undefined;
        if (rec.ref !== undefined) e.ref = rec.ref;
        e.history.push(rec.ref === undefined ? { at: rec.at, attempt: rec.attempt, result: 'sent' } : { at: rec.at, attempt: rec.attempt, result: 'sent', ref: rec.ref });
        this.leaveLane(e);
        break;
      case 'dead':
        e.state = 'dead';
        e.doneAt = rec.at;
        e.reason = rec.reason;
        e.error = rec.error;
        e.history.push({ at: rec.at, attempt: rec.attempt, result: rec.reason, error: rec.error });
        this.leaveLane(e);
        break;
    }
    return e;
  }

  /** Drops sent and dead entries whose outcome is older than `horizon`, keys included. */
  prune(horizon: Instant): void {
    const old: string[] = [];
    for (const e of this.entries.values()) if (e.state !== 'pending' && (e.doneAt ?? e.enqueuedAt) < horizon) old.push(e.key);
    for (const key of old) this.forget(key);
  }

  /** The state as records, one per entry, in enqueue order: what compaction writes. */
  liveRecords(): OutboxRecord[] {
    const out: OutboxRecord[] = [];
    for (const e of this.entries.values()) {
      const { durable: _durable, inFlight: _inFlight, ...rest } = e;
      out.push({ t: 'entry', e: rest });
    }
    return out;
  }

  deadLetters(): DeadLetter[] {
    const out: DeadLetter[] = [];
    for (const e of this.entries.values()) {
      if (e.state !== 'dead' || e.n === undefined) continue;
      out.push({
        key: e.key,
        receiver: e.receiver,
        integration: e.integration,
        incidentId: e.incidentId,
        enqueuedAt: e.enqueuedAt,
        deadAt: e.doneAt ?? e.enqueuedAt,
        reason: e.reason ?? 'failed',
        error: e.error ?? '',
        attempts: e.attempts,
        notification: e.n,
      });
    }
    return out.sort((a, b) => a.deadAt - b.deadAt);
  }

  history(incidentId: string): HistoryItem[] {
    const out: HistoryItem[] = [];
    for (const key of this.byIncident.get(incidentId) ?? []) {
      const e = this.entries.get(key);
      if (e === undefined) continue;
      for (const a of e.history) out.push({ ...a, key: e.key, receiver: e.receiver, integration: e.integration, status: e.status, version: e.version });
    }
    return out.sort((a, b) => a.at - b.at);
  }

  lastRef(incidentId: string, receiver: string, integration: string): string | undefined {
    let best: Entry | undefined;
    for (const key of this.byIncident.get(incidentId) ?? []) {
      const e = this.entries.get(key);
      if (e === undefined || e.state !== 'sent' || e.ref === undefined || e.receiver !== receiver || e.integration !== integration) continue;
      if (best === undefined || (e.doneAt ?? 0) >= (best.doneAt ?? 0)) best = e;
    }
    return best?.ref;
  }

  enqueued(): EnqueuedItem[] {
    const out: EnqueuedItem[] = [];
    for (const e of this.entries.values()) {
      out.push({
        key: e.key, receiver: e.receiver, integration: e.integration, incidentId: e.incidentId, status: e.status,
        version: e.version, enqueuedAt: e.enqueuedAt, state: e.state, ...(e.digest === undefined ? {} : { digest: e.digest }),
      });
    }
    return out;
  }

  pending(): PendingItem[] {
    const out: PendingItem[] = [];
    for (const lane of this.laneMap.values()) {
      for (const e of lane) {
        out.push({ key: e.key, receiver: e.receiver, integration: e.integration, incidentId: e.incidentId, attempts: e.attempts, nextAt: e.nextAt, inFlight: e.inFlight });
      }
    }
    return out;
  }

  deadCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.state === 'dead') n++;
    return n;
  }

  private add(rec: Extract<OutboxRecord, { t: 'enq' | 'entry' }>): Entry {
    const e: Entry =
      rec.t === 'enq'
        ? {
            key: rec.n.idempotencyKey,
            receiver: rec.n.receiver,
            integration: rec.n.integration,
            incidentId: rec.n.incident.id,
            status: rec.n.status,
            version: rec.n.version,
            n: rec.n,
            ...(rec.n.digest === undefined ? {} : { digest: rec.n.digest }),
            enqueuedAt: rec.at,
            state: 'pending',
            attempts: 0,
            nextAt: rec.at,
            history: [],
            durable: true,
            inFlight: false,
          }
        : { ...rec.e, history: [...rec.e.history], durable: true, inFlight: false };
    // A key seen again was pruned before it was re-enqueued: the new entry replaces the old one.
    if (this.entries.has(e.key)) this.forget(e.key);
    this.entries.set(e.key, e);
    const keys = this.byIncident.get(e.incidentId);
    if (keys === undefined) this.byIncident.set(e.incidentId, [e.key]);
    else keys.push(e.key);
    if (e.state === 'pending') {
      const lk = laneKey(e);
      const lane = this.laneMap.get(lk);
      if (lane === undefined) this.laneMap.set(lk, [e]);
      else lane.push(e);
    }
    return e;
  }

  private leaveLane(e: Entry): void {
    const lk = laneKey(e);
    const lane = this.laneMap.get(lk);
    if (lane === undefined) return;
    const i = lane.indexOf(e);
    if (i >= 0) lane.splice(i, 1);
    if (lane.length === 0) this.laneMap.delete(lk);
  }

  private forget(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.leaveLane(e);
    const keys = this.byIncident.get(e.incidentId);
    if (keys === undefined) return;
    const rest = keys.filter((k) => k !== key);
    if (rest.length === 0) this.byIncident.delete(e.incidentId);
    else this.byIncident.set(e.incidentId, rest);
  }
}

function laneKey(e: { incidentId: string; receiver: string; integration: string }): string {
  return `${e.incidentId}\n${e.receiver}\n${e.integration}`;
}
