/**
 * The notification stage's durable state in Redis, for scale-out: each stage-two partition's outbox records in a
 * list ({@link createRedisRecordStore}), so whichever instance owns the partition next resumes them, and the
 * silences of every instance in one hash ({@link RedisSilenceSync}), so a silence made through any instance's API
 * mutes on every instance and every partition.
 *
 * Both assume a Redis that keeps what it acknowledged (`appendonly yes`, `appendfsync always`, as the integration
 * tests run it): an acknowledged append is then as durable as an fdatasync'd line of `outbox.log`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RecordStore, RecordStoreContents } from '../actions/index.js';
import type { SilenceModel } from '../api/index.js';
import type { Instant } from '../model/index.js';
import type { SharedSilences } from '../notify/index.js';
import { Silencer } from '../route/index.js';

/** The outbox list of stage-two partition `partition`: `<prefix>outbox:<partition>`. */
export function redisOutboxKey(prefix: string, partition: number): string {
  return `${prefix}outbox:${partition}`;
}

/**
 * A {@link RecordStore} on the Redis list at `key`, one JSON text per element. Appends queued while a write is under
 * way go out together in the next single RPUSH (group commit, as OutboxFile's); a rewrite is one MULTI of DEL and
 * RPUSH, so a reader sees the old records or the new ones, never a mix. A failed command puts the store in a failed
 * state (every later write rejects) until it is opened again: whether a failed RPUSH landed is unknown.
 *
 * One owner at a time: with an {@link OwnerFence} (Kafka mode passes the partition's epoch), a previous owner that
 * has not noticed it lost the partition can write nothing more; without one, nothing fences it. How long a
 * write waits for a Redis that is down is the client's policy (ioredis `maxRetriesPerRequest`); a write the client
 * resends after a reconnect (`autoResendUnfulfilledCommands`) may land twice, back to back, which the outbox's
 * replay absorbs (an `enq` seen twice is one entry; an outcome seen twice, one extra history line).
 */
export function createRedisRecordStore(redis: Redis, key: string, fence?: OwnerFence): RecordStore {
  return new RedisRecordStore(redis, key, fence ?? null);
}

/**
 * Ownership of the list: writes succeed only while the Redis key `key` holds `epoch` (a missing key, after Redis
 * lost it, is taken back). A new owner of the partition takes the next epoch, so an instance that lost the partition
 * without noticing yet can no longer add records, and its outbox, which persists before it sends, sends nothing more.
 */
export interface OwnerFence {
  readonly key: string;
  readonly epoch: number;
}

/** RPUSH of ARGV[2..] only while KEYS[1] holds ARGV[1]; -1 when another owner took over. */
const APPEND_IF_OWNER = `
local e = redis.call('GET', KEYS[1])
if e ~= false and e ~= ARGV[1] then return -1 end
if e == false then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('RPUSH', KEYS[2], unpack(ARGV, 2))
`;

/** DEL, then RPUSH of ARGV[2..] in chunks, only while KEYS[1] holds ARGV[1]; one script, so atomic. */
const REPLACE_IF_OWNER = `
local e = redis.call('GET', KEYS[1])
if e ~= false and e ~= ARGV[1] then return -1 end
if e == false then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('DEL', KEYS[2])
local n = #ARGV
local i = 2
while i <= n do
  local j = math.min(i + 999, n)
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, j))
  i = j + 1
end
return n - 1
`;

interface Batch {
  readonly texts: string[];
  bytes: number;
  readonly waiters: Array<{ resolve: () => void; reject: (e: Error) => void }>;
}

/** Elements per RPUSH in a rewrite: keeps each command of a large compaction to a modest size. */
const REWRITE_CHUNK = 1_000;

class RedisRecordStore implements RecordStore {
  private bytes = 0;
  private batch: Batch | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private opened = false;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    readonly location: string,
    private readonly fence: OwnerFence | null,
  ) {}

  get size(): number {
    return this.bytes;
  }

  get failed(): Error | null {
    return this.failure;
  }

  /**
   * Reads every element (LRANGE 0 -1). RPUSH is atomic, so there is no torn tail to cut: an element that is not
   * JSON is corruption, wherever it is, and throws naming the key and the index.
   */
  async open(): Promise<RecordStoreContents> {
    if (this.closed) throw new Error(`outbox store ${this.location}: open after close`);
    await this.chain;
    let texts: string[];
    try {
      texts = await this.redis.lrange(this.location, 0, -1);
    } catch (err) {
      throw new Error(`outbox store ${this.location}: reading the Redis list failed: ${messageOf(err)}`, { cause: err });
    }
    let bytes = 0;
    const records = texts.map((text, i) => {
      bytes += Buffer.byteLength(text) + 1;
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new Error(`outbox store ${this.location}: record ${i} is corrupt (not JSON): ${messageOf(err)}`, { cause: err });
      }
    });
    this.bytes = bytes;
    this.failure = null;
    this.opened = true;
    return { records, truncatedBytes: 0 };
  }

  append(record: unknown): Promise<void> {
    const refused = this.refusal('append');
    if (refused !== null) return Promise.reject(refused);
    const text = JSON.stringify(record) as string | undefined;
    if (text === undefined) return Promise.reject(new TypeError(`outbox store ${this.location}: a record must be JSON, got ${typeof record}`));
    let batch = this.batch;
    if (batch === null) {
      const fresh: Batch = { texts: [], bytes: 0, waiters: [] };
      this.batch = batch = fresh;
      this.chain = this.chain.then(() => this.flush(fresh));
    }
    batch.texts.push(text);
    batch.bytes += Buffer.byteLength(text) + 1;
    return new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
  }

  rewrite(records: readonly unknown[]): Promise<void> {
    const refused = this.refusal('rewrite');
    if (refused !== null) return Promise.reject(refused);
    const texts = records.map((r) => JSON.stringify(r));
    this.batch = null; // appends from now on go after the rewrite
    const done = this.chain.then(() => this.replace(texts));
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Waits for queued writes; the connection is the caller's and stays open. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
  }

  private refusal(what: string): Error | null {
    if (this.failure !== null) return this.failure;
    if (this.closed) return new Error(`outbox store ${this.location}: ${what} after close`);
    if (!this.opened) return new Error(`outbox store ${this.location}: ${what} before open`);
    return null;
  }

  private async flush(batch: Batch): Promise<void> {
    if (this.batch === batch) this.batch = null;
    try {
      if (this.failure !== null) throw this.failure;
      if (this.fence === null) await this.redis.rpush(this.location, ...batch.texts);
      else {
        for (let i = 0; i < batch.texts.length; i += REWRITE_CHUNK) {
          const done = await this.redis.eval(APPEND_IF_OWNER, 2, this.fence.key, this.location, String(this.fence.epoch), ...batch.texts.slice(i, i + REWRITE_CHUNK));
          if (done === -1) throw new Error(`another instance owns it now (epoch ${this.fence.epoch} is stale)`);
        }
      }
      this.bytes += batch.bytes;
      for (const w of batch.waiters) w.resolve();
    } catch (err) {
      this.failure ??= new Error(`outbox store ${this.location}: append to the Redis list failed: ${messageOf(err)}`, { cause: err });
      for (const w of batch.waiters) w.reject(this.failure);
    }
  }

  private async replace(texts: string[]): Promise<void> {
    if (this.failure !== null) throw this.failure;
    try {
      if (this.fence === null) {
        const tx = this.redis.multi().del(this.location);
        for (let i = 0; i < texts.length; i += REWRITE_CHUNK) tx.rpush(this.location, ...texts.slice(i, i + REWRITE_CHUNK));
        checkExec(await tx.exec());
      } else {
        const done = await this.redis.eval(REPLACE_IF_OWNER, 2, this.fence.key, this.location, String(this.fence.epoch), ...texts);
        if (done === -1) throw new Error(`another instance owns it now (epoch ${this.fence.epoch} is stale)`);
      }
      this.bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t) + 1, 0);
    } catch (err) {
      this.failure ??= new Error(`outbox store ${this.location}: rewriting the Redis list failed: ${messageOf(err)}`, { cause: err });
      throw this.failure;
    }
  }
}

/** What {@link RedisSilenceSync.open} needs. */
export interface RedisSilenceSyncOptions {
  /** The key prefix every instance shares: silences live in the hash `<prefix>silences`, its version at `<prefix>silences:version`. */
  readonly prefix: string;
  /** The wall clock, for the silences API and to space out {@link RedisSilenceSync.sync}'s reads. */
  readonly now: () => Instant;
  /** Ids of new silences; they must be unique across instances. Default randomUUID. */
  readonly nextId?: () => string;
  /** `sync()` reads Redis at most this often. Default 1000 ms. */
  readonly minSyncIntervalMs?: number;
}

/**
 * The process's one Silencer, shared through Redis with every other instance: a {@link SharedSilences} to give
 * every partition's NotifyStage, and the silences API's model.
 *
 * Each silence is one field of a hash, keyed by its id, so changes made at once on two instances to different
 * silences both survive (a whole-snapshot key would keep only the last writer's); silences are never deleted, only
 * expired, so a field is only ever added or replaced. Every write also increments a version counter.
 *
 * Changes from other instances arrive by polling that counter from {@link sync}, which the app calls on its timer,
 * rather than by pub/sub: a message published while a subscriber reconnects is simply lost, so pub/sub would still
 * need this version check after every reconnect, plus a second connection in subscriber mode; one GET a second per
 * instance costs nothing, and a silence taking a second to reach every instance is well inside group_wait.
 */
export class RedisSilenceSync implements SharedSilences {
  readonly silencer: Silencer;
  /** Each silence's JSON as Redis holds it, as far as this instance knows (last read or written). */
  private known = new Map<string, string>();
  private knownVersion = -1;
  private lastPollAt = Number.NEGATIVE_INFINITY;
  /** Reads and writes one at a time, so a reload never interleaves with a save. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private readonly hashKey: string;
  private readonly versionKey: string;
  private readonly minSyncIntervalMs: number;

  private constructor(
    private readonly redis: Redis,
    private readonly opts: RedisSilenceSyncOptions,
  ) {
    this.silencer = new Silencer(opts.nextId ?? (() => randomUUID()));
    this.hashKey = `${opts.prefix}silences`;
    this.versionKey = `${opts.prefix}silences:version`;
    this.minSyncIntervalMs = opts.minSyncIntervalMs ?? 1000;
    if (!Number.isFinite(this.minSyncIntervalMs) || this.minSyncIntervalMs < 0) {
      throw new RangeError(`silences ${this.hashKey}: minSyncIntervalMs must be a number >= 0, got ${this.minSyncIntervalMs}`);
    }
  }

  /** Loads the silences every instance shares; a damaged one throws naming the key and the silence. */
  static async open(redis: Redis, opts: RedisSilenceSyncOptions): Promise<RedisSilenceSync> {
    const sync = new RedisSilenceSync(redis, opts);
    await sync.serially(() => sync.reload());
    return sync;
  }

  /**
   * Writes every silence that changed here since the last read or write (HSET) and bumps the version, in one
   * MULTI, then tells the listeners. The silences API answers a change only after this resolved.
   */
  async persist(): Promise<void> {
    await this.serially(() => this.save());
    this.emit();
  }

  /**
   * Reloads the silences if another instance changed them: reads the version at most once per
   * `minSyncIntervalMs` and everything only when it moved. True when something was reloaded (the listeners heard
   * of it). Changes made here and not yet persisted are kept.
   */
  async sync(): Promise<boolean> {
    const now = this.opts.now();
    if (now - this.lastPollAt < this.minSyncIntervalMs) return false;
    this.lastPollAt = now;
    const changed = await this.serially(async () => {
      let text: string | null;
      try {
        text = await this.redis.get(this.versionKey);
      } catch (err) {
        throw new Error(`silences ${this.versionKey}: reading the version from Redis failed: ${messageOf(err)}`, { cause: err });
      }
      if (toVersion(text, this.versionKey) === this.knownVersion) return false;
      return this.reload();
    });
    if (changed) this.emit();
    return changed;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The silences API's model: a change is answered once it is in Redis, and this instance's stages heard of it. */
  silenceModel(): SilenceModel {
    return { silencer: this.silencer, now: this.opts.now, persist: () => this.persist() };
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async save(): Promise<void> {
    const fields: string[] = [];
    for (const s of this.silencer.toJSON().silences) {
      const text = JSON.stringify(s);
      if (this.known.get(s.id) !== text) fields.push(s.id, text);
    }
    if (fields.length === 0) return;
    let version: number;
    try {
      const res = checkExec(await this.redis.multi().hset(this.hashKey, ...fields).incr(this.versionKey).exec());
      version = res[1] as number;
    } catch (err) {
      throw new Error(`silences ${this.hashKey}: saving to Redis failed: ${messageOf(err)}`, { cause: err });
    }
    for (let i = 0; i < fields.length; i += 2) this.known.set(fields[i] as string, fields[i + 1] as string);
    // Only when no other instance wrote in between is what we know the whole of it; else the next sync reloads.
    if (version === this.knownVersion + 1) this.knownVersion = version;
  }

  /** Reads version and silences in one MULTI and restores them, over any change made here and not yet saved. */
  private async reload(): Promise<boolean> {
    let res: unknown[];
    try {
      res = checkExec(await this.redis.multi().get(this.versionKey).hgetall(this.hashKey).exec());
    } catch (err) {
      throw new Error(`silences ${this.hashKey}: reading from Redis failed: ${messageOf(err)}`, { cause: err });
    }
    const version = toVersion(res[0] as string | null, this.versionKey);
    const remote = new Map(Object.entries(res[1] as Record<string, string>));
    const merged = new Map<string, unknown>();
    for (const [id, text] of remote) {
      try {
        merged.set(id, JSON.parse(text));
      } catch (err) {
        throw new Error(`silences ${this.hashKey}: field ${id} is corrupt (not JSON): ${messageOf(err)}`, { cause: err });
      }
    }
    for (const s of this.silencer.toJSON().silences) {
      if (this.known.get(s.id) !== JSON.stringify(s)) merged.set(s.id, s); // made here, its save still to come
    }
    try {
      this.silencer.restore({ silences: [...merged.values()] });
    } catch (err) {
      throw new Error(`silences ${this.hashKey}: ${messageOf(err)}`, { cause: err });
    }
    this.known = remote;
    this.knownVersion = version;
    return true;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

/** The results of a MULTI's commands, or a throw naming the first that failed (null: the transaction was aborted). */
function checkExec(res: Array<[Error | null, unknown]> | null): unknown[] {
  if (res === null) throw new Error('the transaction was aborted');
  const failed = res.find(([err]) => err !== null);
  if (failed !== undefined) throw failed[0] as Error;
  return res.map(([, value]) => value);
}

function toVersion(text: string | null, key: string): number {
  if (text === null) return 0;
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`silences ${key}: version ${JSON.stringify(text)} is not a counter`);
  return v;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
