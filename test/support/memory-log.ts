/**
 * An in-memory EventLog for tests of the layers above the log (ingest, app): the WAL's semantics without disk.
 * Entries survive `close()` + `open()`, so a test can simulate a restart on the same instance.
 */
import type { EventLog, LogEntry, LogRecovery } from '../../src/log/index.js';
import { MAX_ENTRY_BYTES } from '../../src/log/index.js';

/** The memory log plus what only a fake can do. Like the WAL, a failure is sticky until close() + open(). */
export interface MemoryLog extends EventLog {
  /** Makes the next append reject with `error` (as a failed fsync would) and every later one until reopened. */
  failNextAppend(error: Error): void;
}

/** Creates an empty MemoryLog. Appends resolve asynchronously, in order, and store copies of the entries. */
export function createMemoryLog(): MemoryLog {
  let entries: Uint8Array[] = []; // entries[i] has offset first + i
  let first = 0;
  let isOpen = false;
  let failure: Error | null = null;
  let pendingFailure: Error | null = null;
  let acked = 0; // end of the acknowledged entries: read() stops there, as the WAL stops at what is fsynced
  let tail: Promise<unknown> = Promise.resolve();

  const next = (): number => first + entries.length;
  const requireOpen = (what: string): void => {
    if (!isOpen) throw new Error(`memory log: ${what} while not open`);
  };

  return {
    async open(): Promise<LogRecovery> {
      if (isOpen) throw new Error('memory log: open() while open');
      isOpen = true;
      failure = null;
      return { entries: entries.length, truncatedBytes: 0 };
    },

    append(batch: readonly Uint8Array[]): Promise<number> {
      if (!isOpen) return Promise.reject(new Error('memory log: append while not open'));
      if (failure !== null) return Promise.reject(new Error(`memory log: failed earlier: ${failure.message}`, { cause: failure }));
      for (let i = 0; i < batch.length; i++) {
        const n = (batch[i] as Uint8Array).byteLength;
        if (n === 0 || n > MAX_ENTRY_BYTES) {
          return Promise.reject(new RangeError(`memory log: entries[${i}] is ${n} bytes; entries must be 1..${MAX_ENTRY_BYTES} bytes`));
        }
      }
      if (pendingFailure !== null) {
        failure = pendingFailure;
        pendingFailure = null;
        return Promise.reject(failure);
      }
      const offset = next();
      if (batch.length === 0) return Promise.resolve(offset);
      // Copy now, as the WAL frames the bytes at call time: a caller reusing its buffer must not change the log.
      entries.push(...batch.map((e) => e.slice()));
      const done = tail.then(() => {
        acked = offset + batch.length;
        return offset;
      });
      tail = done;
      return done;
    },

    read(fromOffset: number): AsyncIterable<LogEntry> {
      requireOpen('read');
      if (!Number.isSafeInteger(fromOffset) || fromOffset < first || fromOffset > next()) {
        throw new RangeError(`memory log: cannot read from offset ${fromOffset}; readable offsets start at ${first} and end before ${next()}`);
      }
      const slice = entries.slice(fromOffset - first, Math.max(acked, fromOffset) - first);
      return (async function* () {
        for (let i = 0; i < slice.length; i++) yield { offset: fromOffset + i, data: slice[i] as Uint8Array };
      })();
    },

    nextOffset: next,
    firstOffset: () => first,

    async truncateBefore(offset: number): Promise<void> {
      requireOpen('truncateBefore');
      // The WAL drops only whole segments; dropping every covered entry is the strictest legal behaviour.
      const drop = Math.max(0, Math.min(offset, next()) - first);
      entries = entries.slice(drop);
      first += drop;
    },

    async close(): Promise<void> {
      await tail;
      isOpen = false;
    },

    failNextAppend(error: Error): void {
      pendingFailure = error;
    },
  };
}
