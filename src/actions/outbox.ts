/**
 * The outbox: the one place notifications are retried (STYLE §B, as Alertmanager's `RetryStage`). Notifications are
 * persisted before they are sent and every attempt's outcome is recorded, in `<dir>/outbox.log` (see OutboxFile) or
 * another {@link RecordStore}, so that after a crash, or on the next owner of the store, everything not yet `sent` or
 * dead-lettered is resumed and nothing recorded `sent` goes out again.
 *
 * Delivery is at least once per idempotency key, exactly once in effect where the remote deduplicates: a crash
 * between a remote's acceptance and our record of it sends that notification again, with the same
 * `Idempotency-Key` header / PagerDuty `dedup_key` / Grafana ref. Nothing is ever sent twice once recorded `sent`.
 *
 * Order: notifications of one incident to one receiver integration form a lane and go out one at a time, in enqueue
 * order, so a resolve never overtakes its firing and a later send sees the `ref` an earlier one returned.
 *
 * Memory bound: every pending entry, plus every `sent` and dead entry for `retentionMs` after its outcome (its
 * notification body is dropped once sent; each entry keeps at most `maxAttempts` history items). Idempotency keys are
 * remembered exactly as long: a caller must not re-enqueue a key older than `retentionMs` (the engine re-produces
 * notifications only for the log it replays since its last snapshot, far shorter than the 7-day default).
 *
 * This file imports nothing from src/ but types, so a test can transpile it and run it in a child process.
 */
import type { Instant } from '../model/index.js';
import type { Logger } from '../obs/index.js';
import { CircuitBreaker, type BreakerOptions, type BreakerState } from './circuit-breaker.js';
import { OutboxFile } from './outbox-file.js';
import { OutboxState, type DeadLetter, type EnqueuedItem, type Entry, type HistoryItem, type OutboxRecord, type PendingItem } from './outbox-state.js';
import type { Action, Notification, SendResult } from './plugin.js';
import type { RecordStore } from './record-store.js';

/** A timer handle as the injected `setTimer` returns it. */
export type TimerHandle = unknown;

/** What the outbox needs; everything that reads time or randomness is injected so tests control it. */
export interface OutboxOptions {
  /** The Action of a receiver integration; undefined when the config no longer has it (the entry is dead-lettered). */
  readonly actions: (receiver: string, integration: string) => Action | undefined;
  readonly logger: Logger;
  readonly now: () => Instant;
  /** In [0, 1): the full jitter of backoffs. Default Math.random. */
  readonly random?: () => number;
  /** Default setTimeout, unref'd so a pending retry does not keep the process alive. */
  readonly setTimer?: (fn: () => void, ms: number) => TimerHandle;
  readonly clearTimer?: (handle: TimerHandle) => void;
  /** Attempts per notification, the first included, before it is dead-lettered. Default 20. */
  readonly maxAttempts?: number;
  /** Backoff before attempt k+1 is uniform in [0, min(maxBackoffMs, baseBackoffMs·2^(k-1))). Default 1 s. */
  readonly baseBackoffMs?: number;
  /** Default 5 min. */
  readonly maxBackoffMs?: number;
  /** A `Retry-After` is honoured exactly, up to this. Default 1 h. */
  readonly maxRetryAfterMs?: number;
  /** Per attempt, enforced with an AbortSignal. Default 10 s. */
  readonly timeoutMs?: number;
  /** Per receiver integration. Default 5 failures, 30 s cooldown. */
  readonly breaker?: BreakerOptions;
  /** How long `sent` and dead entries (and their keys) are kept after their outcome. Default 7 days. */
  readonly retentionMs?: number;
  /** Attempts under way at once, across all lanes. Default 32. */
  readonly maxInFlight?: number;
  /** The store is compacted once it is larger than this and twice its live size. Default 4 MiB. */
  readonly compactMinBytes?: number;
}

/** Counters since open (for metrics) and current state, per receiver integration. */
export interface IntegrationStats {
  readonly receiver: string;
  readonly integration: string;
  readonly sent: number;
  /** Non-retryable answers (dead-lettered). */
  readonly failed: number;
  /** Retryable attempts (each one that will be or was retried, or exhausted). */
  readonly retried: number;
  readonly deadLettered: number;
  readonly pending: number;
  readonly breaker: BreakerState;
}

/** What {@link Outbox.stats} reports, for the metrics endpoint. */
export interface OutboxStats {
  readonly integrations: readonly IntegrationStats[];
  readonly pending: number;
  readonly deadLetters: number;
  /** Entries held in memory: pending, sent and dead within retention. */
  readonly entries: number;
  readonly fileBytes: number;
  readonly compactions: number;
}

type Outcome = SendResult | { status: 'bug'; error: Error } | { status: 'abandoned' };

interface Counters {
  sent: number;
  failed: number;
  retried: number;
  deadLettered: number;
}

const DAY_MS = 86_400_000;
const PRUNE_INTERVAL_MS = 60_000;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The durable notification queue and its delivery worker. Create with {@link Outbox.open}. */
export class Outbox {
  private readonly state = new OutboxState();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly counters = new Map<string, Counters>();
  private readonly running = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  /** Enqueue writes not yet on disk, so that a duplicate enqueue can wait for the first one's. */
  private readonly writes = new Map<Entry, Promise<void>>();
  private timer: { handle: TimerHandle; at: Instant } | null = null;
  private closing = false;
  private compacting = false;
  private compactions = 0;
  private liveBytes = 0;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  private readonly random: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => TimerHandle;
  private readonly clearTimer: (handle: TimerHandle) => void;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly breakerOptions: BreakerOptions;
  private readonly retentionMs: number;
  private readonly maxInFlight: number;
  private readonly compactMinBytes: number;

  private constructor(
    private readonly file: RecordStore,
    private readonly opts: OutboxOptions,
  ) {
    this.random = opts.random ?? Math.random;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.maxAttempts = atLeast(opts.maxAttempts ?? 20, 1, 'maxAttempts');
    this.baseBackoffMs = atLeast(opts.baseBackoffMs ?? 1000, 0, 'baseBackoffMs');
    this.maxBackoffMs = atLeast(opts.maxBackoffMs ?? 300_000, 0, 'maxBackoffMs');
    this.maxRetryAfterMs = atLeast(opts.maxRetryAfterMs ?? 3_600_000, 0, 'maxRetryAfterMs');
    this.timeoutMs = atLeast(opts.timeoutMs ?? 10_000, 1, 'timeoutMs');
    this.breakerOptions = opts.breaker ?? { failureThreshold: 5, cooldownMs: 30_000 };
    atLeast(this.breakerOptions.failureThreshold, 1, 'breaker.failureThreshold');
    atLeast(this.breakerOptions.cooldownMs, 0, 'breaker.cooldownMs');
    this.retentionMs = atLeast(opts.retentionMs ?? 7 * DAY_MS, 0, 'retentionMs');
    this.maxInFlight = atLeast(opts.maxInFlight ?? 32, 1, 'maxInFlight');
    this.compactMinBytes = atLeast(opts.compactMinBytes ?? 4 * 1024 * 1024, 0, 'compactMinBytes');
  }

  /**
   * Opens the outbox in `dir` (creating it), or on an unopened `store`, replays its records, prunes what retention
   * allows, compacts when the store is mostly dead weight, and starts delivering whatever is pending. One process
   * owns a directory or store at a time.
   */
  static async open(dirOrStore: string | RecordStore, opts: OutboxOptions): Promise<Outbox> {
    const file = typeof dirOrStore === 'string' ? new OutboxFile(dirOrStore) : dirOrStore;
    const contents = await file.open();
    const store = file.location;
    const outbox = new Outbox(file, opts);
    contents.records.forEach((r, i) => outbox.state.apply(OutboxState.checkRecord(r, i + 1)));
    if (contents.truncatedBytes > 0) opts.logger.warn({ store, truncatedBytes: contents.truncatedBytes }, 'outbox torn tail cut');
    outbox.prune(opts.now());
    const live = outbox.state.liveRecords();
    outbox.liveBytes = live.reduce((sum, r) => sum + JSON.stringify(r).length + 1, 0);
    if (file.size > outbox.compactMinBytes && file.size > 2 * outbox.liveBytes) await outbox.compact(live);
    const pending = outbox.state.pending().length;
    if (pending > 0) opts.logger.info({ store, pending }, 'outbox resumed');
    outbox.tick();
    return outbox;
  }

  /**
   * Persists notifications and resolves once they are on disk; only then may they be sent. A notification whose
   * idempotency key the outbox already holds, in any state, is ignored (and waited for if its own write is still
   * under way), so re-running the caller after a crash never enqueues twice.
   */
  async enqueue(ns: readonly Notification[]): Promise<{ enqueued: number; duplicates: number }> {
    if (this.closing) throw new Error('outbox: enqueue after close');
    const broken = this.file.failed;
    if (broken !== null) throw broken;
    ns.forEach(checkNotification); // all or nothing: a bad notification is a caller bug and enqueues none
    const at = this.opts.now();
    const writes: Promise<void>[] = [];
    let enqueued = 0;
    for (const n of ns) {
      const existing = this.state.get(n.idempotencyKey);
      if (existing !== undefined) {
        if (!existing.durable) writes.push(this.durableOf(existing));
        continue;
      }
      const rec: OutboxRecord = { t: 'enq', at, n };
      const e = this.state.apply(rec);
      e.durable = false;
      const write = this.file.append(rec);
      this.writes.set(e, write);
      write.then(
        () => {
          e.durable = true;
          this.writes.delete(e);
        },
        () => this.writes.delete(e),
      );
      writes.push(write);
      enqueued++;
    }
    this.maintain();
    await Promise.all(writes);
    this.tick();
    return { enqueued, duplicates: ns.length - enqueued };
  }

  /** Dead letters within retention, oldest first. */
  deadLetters(): DeadLetter[] {
    return this.state.deadLetters();
  }

  /** Every attempt and outcome for an incident's notifications within retention, by time. */
  history(incidentId: string): HistoryItem[] {
    return this.state.history(incidentId);
  }

  /** The `ref` the latest `sent` notification of this incident to this receiver integration returned, within retention. */
  lastRef(incidentId: string, receiver: string, integration: string): string | undefined {
    return this.state.lastRef(incidentId, receiver, integration);
  }

  /** Every notification held within retention, in any state, without bodies: what a restarted router rebuilds from. */
  enqueued(): EnqueuedItem[] {
    return this.state.enqueued();
  }

  /** Notifications not yet sent or dead, by lane and in order. */
  pending(): PendingItem[] {
    return this.state.pending();
  }

  /** Counters since open and breaker states, per receiver integration (every one that was used or has pending entries). */
  stats(): OutboxStats {
    const pendingBy = new Map<string, number>();
    let pending = 0;
    for (const e of this.state.pending()) {
      const k = integrationKey(e.receiver, e.integration);
      pendingBy.set(k, (pendingBy.get(k) ?? 0) + 1);
      pending++;
    }
    const keys = new Set([...this.counters.keys(), ...pendingBy.keys(), ...this.breakers.keys()]);
    const integrations = [...keys].sort().map((k) => {
      const [receiver, integration] = k.split('\n') as [string, string];
      const c = this.counters.get(k) ?? { sent: 0, failed: 0, retried: 0, deadLettered: 0 };
      return { receiver, integration, ...c, pending: pendingBy.get(k) ?? 0, breaker: this.breakers.get(k)?.state ?? 'closed' };
    });
    return { integrations, pending, deadLetters: this.state.deadCount(), entries: this.state.size, fileBytes: this.file.size, compactions: this.compactions };
  }

  /** Resolves once no attempt is under way (attempts that start meanwhile included). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Stops delivering: no new attempt starts, attempts under way are aborted and left pending (they go out again after
   * the next open, with the same idempotency key), and queued writes finish. The Actions are the caller's to close.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.timer !== null) this.clearTimer(this.timer.handle);
    this.timer = null;
    for (const c of this.controllers) c.abort(new Error('outbox closing'));
    await this.whenIdle();
    await this.file.close();
  }

  // ---- delivery ----

  /** Starts every due lane head that its breaker and the in-flight limit allow, and sets the timer for the next. */
  private tick(): void {
    if (this.closing || this.file.failed !== null) return;
    const now = this.opts.now();
    let wake = Number.POSITIVE_INFINITY;
    for (const lane of this.state.lanes()) {
      if (this.running.size >= this.maxInFlight) break; // an attempt's end ticks again
      const e = lane[0];
      if (e === undefined || e.inFlight || !e.durable) continue;
      if (e.nextAt > now) {
        wake = Math.min(wake, e.nextAt);
        continue;
      }
      const action = this.opts.actions(e.receiver, e.integration);
      if (action === undefined) {
        this.countersOf(e.receiver, e.integration).deadLettered++;
        const error = `no integration ${e.integration} in receiver ${e.receiver}`;
        this.opts.logger.error({ receiver: e.receiver, integration: e.integration, key: e.key }, 'notification for an unknown integration, dead-lettered');
        this.record(e, { t: 'dead', k: e.key, at: now, attempt: e.attempts, reason: 'no_action', error }).catch((err: unknown) => {
          // The loop boundary: the file is failed now; the next open resumes from what is on disk.
          this.opts.logger.error({ err, key: e.key }, 'outbox record failed');
        });
        wake = now; // the lane's next entry is due too
        continue;
      }
      const breaker = this.breakerOf(e.receiver, e.integration);
      if (!breaker.canAttempt(now)) {
        wake = Math.min(wake, breaker.wakeAt());
        continue;
      }
      breaker.onAttempt();
      this.start(e, action, breaker);
    }
    this.schedule(wake, now);
  }

  private schedule(wake: Instant, now: Instant): void {
    if (this.timer !== null && this.timer.at <= wake && this.timer.at >= now) return;
    if (this.timer !== null) this.clearTimer(this.timer.handle);
    this.timer = null;
    if (wake === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, wake - now));
    const handle = this.setTimer(() => {
      this.timer = null;
      this.tick();
    }, delay);
    this.timer = { handle, at: wake };
  }

  private start(e: Entry, action: Action, breaker: CircuitBreaker): void {
    e.inFlight = true;
    const attempt = e.attempts + 1;
    const run: Promise<void> = this.attempt(e, action, attempt)
      .then((outcome) => this.settle(e, breaker, attempt, outcome))
      .catch((err: unknown) => {
        // The loop boundary (STYLE §D): a failed record write broke the file; log it, the next open resumes.
        this.opts.logger.error({ err, receiver: e.receiver, integration: e.integration, key: e.key }, 'outbox record failed');
      })
      .finally(() => {
        e.inFlight = false;
        this.running.delete(run);
        this.tick();
      });
    this.running.add(run);
  }

  /** Runs one attempt under the per-attempt timeout; never rejects. */
  private async attempt(e: Entry, action: Action, attempt: number): Promise<Outcome> {
    const n = e.n;
    if (n === undefined) return { status: 'bug', error: new Error(`outbox: pending entry ${e.key} lost its notification`) };
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = this.setTimer(() => controller.abort(timeoutError(this.timeoutMs)), this.timeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    const ref = this.state.lastRef(e.incidentId, e.receiver, e.integration) ?? n.previousRef;
    const toSend: Notification = ref === n.previousRef ? n : { ...n, previousRef: ref };
    const sending = Promise.resolve().then(() => action.send(toSend, controller.signal));
    try {
      const result = await Promise.race([sending, aborted]);
      return isSendResult(result) ? result : { status: 'bug', error: new Error(`action ${e.integration} returned no SendResult`) };
    } catch (err) {
      if (controller.signal.aborted) {
        if (this.closing) return { status: 'abandoned' };
        return { status: 'retryable', error: timeoutError(this.timeoutMs) };
      }
      return { status: 'bug', error: err instanceof Error ? err : new Error(String(err)) };
    } finally {
      this.clearTimer(timeout);
      this.controllers.delete(controller);
      // A send that outlived its timeout may still settle; its outcome is not ours to record any more.
      sending.catch((err: unknown) => this.opts.logger.debug({ err, key: e.key }, 'late send failure ignored'));
    }
  }

  /** Records an attempt's outcome durably and updates breaker and counters. */
  private async settle(e: Entry, breaker: CircuitBreaker, attempt: number, outcome: Outcome): Promise<void> {
    const now = this.opts.now();
    const log = this.opts.logger;
    const c = this.countersOf(e.receiver, e.integration);
    const where = { receiver: e.receiver, integration: e.integration, key: e.key, attempt };
    switch (outcome.status) {
      case 'abandoned':
        breaker.onNeutral();
        return;
      case 'sent':
        breaker.onSuccess();
        c.sent++;
        return this.record(e, outcome.ref === undefined ? { t: 'sent', k: e.key, at: now, attempt } : { t: 'sent', k: e.key, at: now, attempt, ref: outcome.ref });
      case 'failed':
        breaker.onSuccess();
        c.failed++;
        c.deadLettered++;
        log.error({ ...where, err: outcome.error }, 'notification failed, dead-lettered');
        return this.record(e, { t: 'dead', k: e.key, at: now, attempt, reason: 'failed', error: outcome.error.message });
      case 'bug':
        breaker.onNeutral();
        c.deadLettered++;
        log.error({ ...where, err: outcome.error }, 'action threw, notification dead-lettered');
        return this.record(e, { t: 'dead', k: e.key, at: now, attempt, reason: 'bug', error: outcome.error.message });
      case 'retryable': {
        breaker.onFailure(now);
        c.retried++;
        if (attempt >= this.maxAttempts) {
          c.deadLettered++;
          log.error({ ...where, err: outcome.error }, 'notification retries exhausted, dead-lettered');
          return this.record(e, { t: 'dead', k: e.key, at: now, attempt, reason: 'exhausted', error: outcome.error.message });
        }
        const retryAt = now + this.backoffMs(attempt, outcome.retryAfterMs);
        log.warn({ ...where, retryAt, err: outcome.error }, 'notify attempt failed, will retry');
        return this.record(e, { t: 'retry', k: e.key, at: now, attempt, error: outcome.error.message, retryAt });
      }
    }
  }

  /** Full jitter (uniform in [0, min(max, base·2^(attempt-1)))), or exactly the remote's Retry-After (capped). */
  private backoffMs(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, this.maxRetryAfterMs);
    const ceiling = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.min(attempt - 1, 52));
    return Math.floor(this.random() * ceiling);
  }

  // ---- state ----

  private durableOf(e: Entry): Promise<void> {
    return this.writes.get(e) ?? Promise.resolve();
  }

  /** Applies a record to memory and appends it; resolves once it is on disk. */
  private record(e: Entry, rec: OutboxRecord): Promise<void> {
    this.state.apply(rec);
    const write = this.file.append(rec);
    this.maintain();
    return write.then(() => {
      if (e.state !== 'pending') this.opts.logger.debug({ key: e.key, state: e.state }, 'notification done');
    });
  }

  /** Prunes now and then and compacts the file once it is more than twice its live size. */
  private maintain(): void {
    const now = this.opts.now();
    if (now - this.lastPruneAt >= PRUNE_INTERVAL_MS) this.prune(now);
    if (this.compacting || this.file.size <= this.compactMinBytes || this.file.size <= 2 * this.liveBytes) return;
    this.compact(this.state.liveRecords()).catch((err: unknown) => {
      // The loop boundary: the file is now failed and every later write rejects; say why once.
      this.opts.logger.error({ err }, 'outbox compaction failed');
    });
  }

  /** Rewrites the file as `live`, which must be the state of every record applied so far. */
  private async compact(live: OutboxRecord[]): Promise<void> {
    this.compacting = true;
    try {
      const before = this.file.size;
      await this.file.rewrite(live);
      this.liveBytes = this.file.size;
      this.compactions++;
      this.opts.logger.info({ before, after: this.file.size, entries: live.length }, 'outbox compacted');
    } finally {
      this.compacting = false;
    }
  }

  /** Drops sent and dead entries whose outcome is older than the retention. */
  private prune(now: Instant): void {
    this.lastPruneAt = now;
    this.state.prune(now - this.retentionMs);
  }

  private breakerOf(receiver: string, integration: string): CircuitBreaker {
    const k = integrationKey(receiver, integration);
    let b = this.breakers.get(k);
    if (b === undefined) this.breakers.set(k, (b = new CircuitBreaker(this.breakerOptions)));
    return b;
  }

  private countersOf(receiver: string, integration: string): Counters {
    const k = integrationKey(receiver, integration);
    let c = this.counters.get(k);
    if (c === undefined) this.counters.set(k, (c = { sent: 0, failed: 0, retried: 0, deadLettered: 0 }));
    return c;
  }
}

function integrationKey(receiver: string, integration: string): string {
  return `${receiver}\n${integration}`;
}

function timeoutError(ms: number): Error {
  const err = new Error(`attempt timed out after ${ms} ms`);
  err.name = 'TimeoutError';
  return err;
}

function isSendResult(r: unknown): r is SendResult {
  if (r === null || typeof r !== 'object') return false;
  const s = (r as { status?: unknown }).status;
  if (s === 'sent') return true;
  return (s === 'retryable' || s === 'failed') && (r as { error?: unknown }).error instanceof Error;
}

function checkNotification(n: Notification): void {
  for (const field of ['receiver', 'integration', 'idempotencyKey'] as const) {
    if (typeof n[field] !== 'string' || n[field] === '') throw new Error(`outbox: notification ${field} must be a non-empty string`);
  }
  if (n.status !== 'firing' && n.status !== 'resolved') throw new Error(`outbox: notification status must be firing or resolved`);
}

function atLeast(v: number, min: number, name: string): number {
  if (!Number.isFinite(v) || v < min) throw new Error(`outbox: ${name} must be a number >= ${min}, got ${v}`);
  return v;
}
