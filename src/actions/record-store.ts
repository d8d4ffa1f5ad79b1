/**
 * Where the outbox keeps its records: an append-only sequence of JSON values, read back whole at open and replaced
 * whole by compaction. The embedded mode keeps them in a file (OutboxFile); the scale-out mode in a Redis list, so
 * that whichever instance owns a partition next can open the same records.
 *
 * Type-only on purpose: the outbox's crash test transpiles the outbox's files one by one and runs them in a child.
 */

/** What opening found: every record, parsed, and how many bytes of a torn tail were cut (0 where writes are atomic). */
export interface RecordStoreContents {
  readonly records: unknown[];
  readonly truncatedBytes: number;
}

/**
 * A durable record sequence for one owner at a time. `open` is called once, before any other method. After a failed
 * write the store is failed: every later append and rewrite rejects with that error until the store is opened
 * again, because the store no longer knows what the medium holds.
 */
export interface RecordStore {
  /** The file path or key the records live at, for logs and error messages. */
  readonly location: string;
  /** Reads every record (creating the store if there is none); a damaged record before the tail throws. */
  open(): Promise<RecordStoreContents>;
  /** Appends one record and resolves once it is durable, grouped with the appends queued alongside it. */
  append(record: unknown): Promise<void>;
  /**
   * Replaces the records with `records` atomically, after every append queued before this call; appends queued after
   * it land after the new records. `records` must be the state the earlier appends produced, captured at the call.
   */
  rewrite(records: readonly unknown[]): Promise<void>;
  /** Bytes held, one JSON text plus one separator per record, counting appends once durable (compaction's gauge). */
  readonly size: number;
  /** The error that broke the store, if any. */
  readonly failed: Error | null;
  /** Waits for queued writes, then releases the store. Idempotent. */
  close(): Promise<void>;
}
