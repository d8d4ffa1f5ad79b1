/**
 * Stage-two checkpoints in Redis: a partition's engine state and the offset of the first `stormcell.events` message
 * it does not reflect, in one key written by one command, so a new owner resumes exactly where the state was taken.
 *
 * Ownership is fenced by an epoch per partition: an owner takes the next epoch when it opens the partition and a
 * write succeeds only while the epoch is still its own, so an instance that lost the partition in a rebalance it
 * has not noticed yet can no longer overwrite the new owner's progress. The write and the check run as one Lua
 * script, which Redis executes atomically.
 */
import type { Redis } from 'ioredis';

export interface Checkpoint<S> {
  /** The first events-topic offset the state does not include. */
  readonly offset: number;
  readonly state: S;
  /** Wall-clock time of the save (for `stormcell_checkpoint_age_seconds`). */
  readonly savedAt: number;
}

/** Sets the checkpoint only if the epoch is still ours; a missing epoch (Redis lost it) is taken back. */
const SAVE_IF_OWNER = `
local e = redis.call('GET', KEYS[1])
if e == false or e == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0
`;

export class CheckpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Takes ownership of `partition`: the new epoch, after which the previous owner's saves fail. */
  async claim(partition: number): Promise<number> {
    return this.redis.incr(this.epochKey(partition));
  }

  /** The partition's checkpoint, or null when none was ever saved. Throws naming the key when it is damaged. */
  async load<S>(partition: number): Promise<Checkpoint<S> | null> {
    const key = this.key(partition);
    const text = await this.redis.get(key);
    if (text === null) return null;
    let v: Checkpoint<S>;
    try {
      v = JSON.parse(text) as Checkpoint<S>;
    } catch (err) {
      throw new Error(`checkpoint ${key} in Redis is not JSON: ${(err as Error).message}`, { cause: err });
    }
    if (typeof v.offset !== 'number' || !Number.isSafeInteger(v.offset) || v.offset < 0 || v.state === undefined) {
      throw new Error(`checkpoint ${key} in Redis has no valid offset and state`);
    }
    return v;
  }

  /**
   * Saves a checkpoint serialized by the caller (`{"offset":…,"savedAt":…,"state":…}`); false when another owner
   * has claimed the partition since `epoch`.
   */
  async save(partition: number, epoch: number, json: string): Promise<boolean> {
    const done = await this.redis.eval(SAVE_IF_OWNER, 2, this.epochKey(partition), this.key(partition), String(epoch), json);
    return done === 1;
  }

  private key(partition: number): string {
    return `${this.prefix}checkpoint:${partition}`;
  }

  private epochKey(partition: number): string {
    return epochKey(this.prefix, partition);
  }
}

/** Where a partition's ownership epoch lives; other writers of the partition's state (its outbox) are fenced by it. */
export function epochKey(prefix: string, partition: number): string {
  return `${prefix}epoch:${partition}`;
}

/** The JSON text of a checkpoint, with the (large) state serialized once, synchronously, at the call. */
export function serializeCheckpoint(offset: number, savedAt: number, state: unknown): string {
  return `{"offset":${offset},"savedAt":${savedAt},"state":${JSON.stringify(state)}}`;
}
