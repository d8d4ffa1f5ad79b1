/**
 * One stage-two partition in the hands of this instance: its engine, its reorder buffer, its checkpoints and the
 * view it publishes. Opening claims the partition (a new epoch) and restores the last checkpoint; messages are
 * taken in offset order from `nextOffset` on, each exactly once; `step` releases what is in order and applies it.
 */
import type { EngineOptions, EngineState } from '../engine/index.js';
import { Engine, type EngineEffect } from '../engine/index.js';
import type { DeployEvent, Instant } from '../model/index.js';
import type { Logger } from '../obs/index.js';
import { applyReleased } from './assemble.js';
import { CheckpointStore, serializeCheckpoint } from './checkpoint-store.js';
import { Reorder, type ReorderState } from './reorder.js';
import type { IncidentWithTimeline, SharedView } from './shared-view.js';
import type { StageMessage } from './wire.js';

interface PartitionState {
  readonly engine: EngineState;
  readonly reorder: ReorderState;
}

export interface PartitionWorkerDeps {
  readonly engine: EngineOptions;
  readonly checkpoints: CheckpointStore;
  readonly view: SharedView;
  /** The keyed topic's partition count: the fold partitions stage two waits for. */
  readonly sources: number;
  readonly logger: Logger;
}

export class PartitionWorker {
  /** The events-topic offset of the next message to take. */
  nextOffset: number;
  savedAt: number;
  /** Incidents changed since the last publish. */
  private readonly dirty = new Set<string>();
  private viewDirty = true;
  private published = new Set<string>();
  private lost = false;
  /** Offset the last successful checkpoint reflects. */
  private savedOffset: number | null;

  private constructor(
    readonly partition: number,
    /** This owner's epoch of the partition (see CheckpointStore.claim). */
    readonly epoch: number,
    readonly engine: Engine,
    private readonly reorder: Reorder,
    nextOffset: number,
    savedOffset: number | null,
    savedAt: number,
    private readonly deps: PartitionWorkerDeps,
  ) {
    this.nextOffset = nextOffset;
    this.savedOffset = savedOffset;
    this.savedAt = savedAt;
  }

  /** Claims `partition` and restores its checkpoint; `lowOffset` is the first offset the topic still holds. */
  static async open(partition: number, lowOffset: number, deps: PartitionWorkerDeps): Promise<PartitionWorker> {
    const epoch = await deps.checkpoints.claim(partition);
    const cp = await deps.checkpoints.load<PartitionState>(partition);
    const log = deps.logger.child({ stage: 'correlate', partition });
    if (cp === null) {
      log.info({ epoch, offset: lowOffset }, 'partition opened without a checkpoint: from the start of the topic');
      return new PartitionWorker(partition, epoch, new Engine(deps.engine), new Reorder(deps.sources), lowOffset, null, 0, deps);
    }
    let next = cp.offset;
    if (next < lowOffset) {
      // Retention deleted messages the checkpoint has not seen: they are gone, say so and go on from what is left.
      log.error({ checkpointOffset: next, lowOffset }, 'checkpoint is older than the topic retention: messages in between are lost');
      next = lowOffset;
    }
    log.info({ epoch, offset: next }, 'partition restored from its checkpoint');
    const engine = Engine.restore(deps.engine, cp.state.engine);
    return new PartitionWorker(partition, epoch, engine, Reorder.restore(cp.state.reorder), next, cp.offset, cp.savedAt, deps);
  }

  /** Takes the message at `offset`: false when it was taken before (a redelivery), and true otherwise. */
  take(offset: number, msg: StageMessage, wallNow: number): boolean {
    if (offset < this.nextOffset) return false;
    if (msg.k === 'd') {
      const origin = msg.os === undefined || msg.oo === undefined ? null : ([msg.os, msg.oo] as const);
      this.reorder.offer(msg.s, msg.o, msg.ts, msg.ev, wallNow, { origin, ix: msg.ix, x: msg.x, q: msg.q, ba: msg.ba });
    }
    else this.reorder.mark(msg.s, msg.wm, msg.idle, wallNow);
    this.nextOffset = offset + 1;
    return true;
  }

  /** Applies what the reorder buffer releases, then moves the clock; returns the engine's changes and the deploys applied. */
  step(wallNow: Instant): { effects: EngineEffect[]; deploys: DeployEvent[] } {
    const { items, clock } = this.reorder.release(wallNow);
    const { effects, deploys } = applyReleased(this.engine, items);
    if (clock !== null && (this.engine.now() ?? -Infinity) < clock) for (const e of this.engine.advance(clock)) effects.push(e);
    for (const e of effects) this.dirty.add(e.id);
    if (items.length > 0 || effects.length > 0) this.viewDirty = true;
    return { effects, deploys };
  }

  pending(): number {
    return this.reorder.pending();
  }

  late(): number {
    return this.reorder.late();
  }

  /** Whether a checkpoint would record progress. */
  unsaved(): boolean {
    return this.nextOffset !== this.savedOffset;
  }

  /** True once a save found the partition claimed by another owner: the worker must be dropped. */
  isLost(): boolean {
    return this.lost;
  }

  /**
   * Saves state and offset together; resolves with the saved offset, or null when the partition has a new owner.
   * The state is serialized synchronously, so it cannot change while it is taken.
   */
  async checkpoint(wallNow: number): Promise<number | null> {
    const offset = this.nextOffset;
    if (this.lost) return null;
    const json = serializeCheckpoint(offset, wallNow, { engine: this.engine.state(), reorder: this.reorder.state() });
    const ok = await this.deps.checkpoints.save(this.partition, this.epoch, json);
    if (!ok) {
      this.lost = true;
      this.deps.logger.warn({ partition: this.partition, epoch: this.epoch }, 'partition claimed by another instance; dropping it');
      return null;
    }
    this.savedOffset = offset;
    this.savedAt = wallNow;
    return offset;
  }

  /** Publishes the incidents and SLOs for every instance's read API, if anything changed since the last time. */
  async publish(wallNow: number, notifications: (id: string) => IncidentWithTimeline['timeline']): Promise<void> {
    if (!this.viewDirty && this.dirty.size === 0) return;
    const incidents = this.engine.incidentDocs();
    const ids = new Set(incidents.map((i) => i.id));
    const removed = [...this.published].filter((id) => !ids.has(id));
    const changed: IncidentWithTimeline[] = [];
    for (const id of this.dirty) {
      const inc = this.engine.incidentWithTimeline(id);
      if (inc === undefined) continue;
      const extra = notifications(id);
      const timeline = extra.length === 0 ? inc.timeline : [...inc.timeline, ...extra].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      changed.push({ ...inc, timeline });
    }
    const dirty = [...this.dirty];
    this.dirty.clear();
    this.viewDirty = false;
    try {
      // The SLOs are counted, and published, by the fold partitions.
      await this.deps.view.publish({ partition: this.partition, publishedAt: wallNow, incidents, slos: [] }, changed, removed);
      this.published = ids;
    } catch (err) {
      for (const id of dirty) this.dirty.add(id);
      this.viewDirty = true;
      throw err;
    }
  }

  /** Marks an incident's published timeline stale (a notification was recorded on it). */
  touch(id: string): void {
    this.dirty.add(id);
  }
}
