/** The durable log: the EventLog interface, the embedded WAL and the snapshot store. */
export type { EventLog, LogEntry, LogRecovery, Snapshot, SnapshotStore } from './event-log.js';
export { createWal, MAX_ENTRY_BYTES, type WalOptions } from './wal.js';
export { createSnapshotStore } from './snapshot.js';
export { createKafkaLog, type KafkaLogOptions, type KafkaRetryOptions } from './kafka-log.js';
