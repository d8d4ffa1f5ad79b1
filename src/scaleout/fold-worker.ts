/**
 * One fold partition in the hands of this instance: its fold, its reorder buffer (sources: the ingest partitions),
 * its checkpoints, and the output it owes stage two.
 *
 * Output leaves only after the state that made it is saved: a flush saves the fold, the input offset and the
 * output not yet sent in one fenced write, then sends that output. A new owner resends what the checkpoint says was
 * not sent, and stage two drops what it already has by the output's sequence number. So nothing is lost or applied
 * twice, even where a second pass over the same input would release it differently (live traffic, where idle
 * partitions and the wall clock decide when requests are released).
 */
import type { Message } from 'kafkajs';
import type { EngineSlo } from '../engine/index.js';
import type { Instant, SloDoc } from '../model/index.js';
import type { Logger } from '../obs/index.js';
import { CheckpointStore, serializeCheckpoint } from './checkpoint-store.js';
import type { DomainRouter } from './domain.js';
import { sloFoldPartition, splitForStageTwo } from './fold-keys.js';
import { Fold, type FoldCounts, type FoldOptions, type FoldOutput, type FoldState } from './fold.js';
import { Reorder, type ReorderState } from './reorder.js';
import { encodeStageMessage, type DataMessage, type StageMessage } from './wire.js';

/** A message owed to stage two: its events partition, value and trace headers. */
interface Owed {
  readonly p: number;
  readonly v: string;
  readonly h?: Readonly<Record<string, string>>;
}

interface FoldPartitionState {
  readonly fold: FoldState;
  readonly reorder: ReorderState;
  /** The next output sequence number. */
  readonly seq: number;
  /** The watermark last sent to stage two. */
  readonly wm: Instant | null;
  readonly owed: readonly Owed[];
}

export interface FoldWorkerDeps {
  readonly checkpoints: CheckpointStore;
  readonly router: DomainRouter;
  /** The ingest topic's partition count: the sources the fold waits for. */
  readonly sources: number;
  readonly resolveTimeoutMs: number;
  readonly retentionMs: number;
  readonly slos: readonly EngineSlo[];
  /** The keyed topic's partition count (which fold partition counts which SLO). */
  readonly folds: number;
  readonly logger: Logger;
}

export class FoldWorker {
  /** The keyed-topic offset of the next message to take. */
  nextOffset: number;
  savedAt: number;
  /** How long the last save took (serializing and writing), in ms. */
  lastSaveMs = 0;
  private savedOffset: number | null;
  private lost = false;
  private owed: Owed[];
  private seq: number;
  private wm: Instant | null;
  /** Fold counts already reported to metrics. */
  private reported: FoldCounts;

  private constructor(
    readonly partition: number,
    readonly epoch: number,
    private readonly fold: Fold,
    private readonly reorder: Reorder,
    nextOffset: number,
    savedOffset: number | null,
    savedAt: number,
    saved: Pick<FoldPartitionState, 'seq' | 'wm' | 'owed'>,
    private readonly deps: FoldWorkerDeps,
  ) {
    this.nextOffset = nextOffset;
    this.savedOffset = savedOffset;
    this.savedAt = savedAt;
    this.seq = saved.seq;
    this.wm = saved.wm;
    this.owed = [...saved.owed];
    this.reported = { ...fold.counts };
  }

  static async open(partition: number, lowOffset: number, deps: FoldWorkerDeps): Promise<FoldWorker> {
    const epoch = await deps.checkpoints.claim(partition);
    const cp = await deps.checkpoints.load<FoldPartitionState>(partition);
    const log = deps.logger.child({ stage: 'fold', partition });
    const opts: FoldOptions = {
      resolveTimeoutMs: deps.resolveTimeoutMs,
      retentionMs: deps.retentionMs,
      slos: deps.slos,
      alertPartition: (ev) => deps.router.partitionOf(ev),
      sloPartition: (slo) => deps.router.partitionOfSlo(slo),
    };
    if (cp === null) {
      log.info({ epoch, offset: lowOffset }, 'fold partition opened without a checkpoint: from the start of the topic');
      const fold = new Fold(opts);
      return new FoldWorker(partition, epoch, fold, new Reorder(deps.sources), lowOffset, null, 0, { seq: 0, wm: null, owed: [] }, deps);
    }
    let next = cp.offset;
    if (next < lowOffset) {
      log.error({ checkpointOffset: next, lowOffset }, 'fold checkpoint is older than the topic retention: messages in between are lost');
      next = lowOffset;
    }
    log.info({ epoch, offset: next, owed: cp.state.owed.length }, 'fold partition restored from its checkpoint');
    const fold = Fold.restore(cp.state.fold, opts);
    return new FoldWorker(partition, epoch, fold, Reorder.restore(cp.state.reorder), next, cp.offset, cp.savedAt, cp.state, deps);
  }

  /** Takes the message at `offset`: false when it was taken before (a redelivery). */
  take(offset: number, msg: StageMessage, wallNow: number, trace?: Readonly<Record<string, string>>): boolean {
    if (offset < this.nextOffset) return false;
    if (msg.k === 'd') this.reorder.offer(msg.s, msg.o, msg.ts, msg.ev, wallNow, { origin: [msg.s, msg.o], ix: msg.ix, tr: trace });
    else this.reorder.mark(msg.s, msg.wm, msg.idle, wallNow);
    this.nextOffset = offset + 1;
    return true;
  }

  /** Folds what the reorder buffer releases and moves the clock; the output joins what is owed to stage two. */
  step(wallNow: number): void {
    const { items, clock } = this.reorder.release(wallNow);
    for (const it of items) {
      const ix = it.ix ?? it.events.map((_, i) => i);
      for (const o of this.fold.apply({ src: it.src, off: it.off, ts: it.ts, events: it.events, ix })) {
        this.owe(o, o.origin !== null && o.origin[0] === it.src && o.origin[1] === it.off ? it.tr : undefined);
      }
    }
    if (clock === null) return;
    for (const o of this.fold.advance(clock)) this.owe(o, undefined);
    if (this.wm === null || clock > this.wm) {
      // Stage two may move past `clock` once every fold partition has: everything up to it has been owed.
      this.wm = clock;
      const v = encodeStageMessage({ k: 'h', s: this.partition, wm: clock, idle: false }).toString('utf8');
      for (let p = 0; p < this.deps.router.partitions; p++) this.owed.push({ p, v });
    }
  }

  /** Messages owed to stage two. */
  owing(): number {
    return this.owed.length;
  }

  pending(): number {
    return this.reorder.pending();
  }

  late(): number {
    return this.reorder.late();
  }

  /** Alerts held by the fold. */
  alerts(): number {
    return this.fold.size();
  }

  /** What the fold counted since the last call. */
  countsSinceLast(): FoldCounts {
    const now = this.fold.counts;
    const d: FoldCounts = {
      received: now.received - this.reported.received,
      forwarded: now.forwarded - this.reported.forwarded,
      extended: now.extended - this.reported.extended,
      forgotten: now.forgotten - this.reported.forgotten,
      sliSamples: now.sliSamples - this.reported.sliSamples,
      burns: now.burns - this.reported.burns,
    };
    this.reported = { ...now };
    return d;
  }

  /** The SLOs this partition counts, for every instance's read API. */
  sloDocs(): SloDoc[] {
    return this.fold.sloDocs((slo) => sloFoldPartition(slo, this.deps.folds) === this.partition);
  }

  unsaved(): boolean {
    return this.nextOffset !== this.savedOffset || this.owed.length > 0;
  }

  isLost(): boolean {
    return this.lost;
  }

  /**
   * Saves the state with the output owed, then sends that output through `send`. Resolves with the saved offset,
   * or null when the partition has a new owner (nothing is sent then). A failed send keeps the output owed.
   */
  async flush(wallNow: number, send: (messages: Message[]) => Promise<void>): Promise<number | null> {
    if (this.lost) return null;
    const offset = this.nextOffset;
    // Taken now, with the state serialized at once: output made while the save is under way waits for the next.
    const owed = this.owed;
    this.owed = [];
    const started = performance.now();
    const state: FoldPartitionState = { fold: this.fold.state(), reorder: this.reorder.state(), seq: this.seq, wm: this.wm, owed };
    let ok: boolean;
    try {
      ok = await this.deps.checkpoints.save(this.partition, this.epoch, serializeCheckpoint(offset, wallNow, state));
    } catch (err) {
      this.owed = [...owed, ...this.owed];
      throw err;
    }
    this.lastSaveMs = performance.now() - started;
    if (!ok) {
      this.lost = true;
      this.deps.logger.warn({ stage: 'fold', partition: this.partition, epoch: this.epoch }, 'fold partition claimed by another instance; dropping it');
      return null;
    }
    this.savedOffset = offset;
    this.savedAt = wallNow;
    if (owed.length === 0) return offset;
    try {
      await send(owed.map((m) => ({ partition: m.p, value: m.v, ...(m.h === undefined ? {} : { headers: { ...m.h } }) })));
    } catch (err) {
      this.owed = [...owed, ...this.owed];
      throw err;
    }
    return offset;
  }

  private owe(o: FoldOutput, trace: Readonly<Record<string, string>> | undefined): void {
    for (const [p, pc] of splitForStageTwo(this.deps.router, o)) {
      const msg: DataMessage = {
        k: 'd',
        s: this.partition,
        o: this.seq++,
        ts: o.ts,
        ev: pc.ev,
        ix: pc.ix,
        ...(o.origin === null ? {} : { os: o.origin[0], oo: o.origin[1] }),
        ...(pc.x.length === 0 ? {} : { x: pc.x }),
        ...(pc.q.length === 0 ? {} : { q: pc.q }),
        ...(pc.ba.length === 0 ? {} : { ba: pc.ba }),
      };
      this.owed.push({ p, v: encodeStageMessage(msg).toString('utf8'), ...(trace === undefined || Object.keys(trace).length === 0 ? {} : { h: trace }) });
    }
  }
}
