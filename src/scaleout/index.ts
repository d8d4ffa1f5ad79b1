/** Kafka mode: the stages (route, fold, correlate), their wire format, checkpoints and the shared view in Redis. */
export { CheckpointStore, epochKey } from './checkpoint-store.js';
export { createDomainRouter, domainPartition, splitByPartition, BROADCAST, type DomainRouter } from './domain.js';
export { IngestProducer } from './ingest-producer.js';
export { createKafkaClient, ensureTopics, STARTUP_RETRY } from './kafka-client.js';
export { PartitionWorker } from './partition-worker.js';
export { Reorder, type ReorderItem, type ReorderState } from './reorder.js';
export { SharedView, type PartitionView, type IncidentWithTimeline } from './shared-view.js';
export { StageOne } from './stage-one.js';
export { StageTwo, type PartitionHooks } from './stage-two.js';
export { decodeStageMessage, encodeStageMessage, type StageMessage } from './wire.js';
export { createRedisRecordStore, redisOutboxKey, RedisSilenceSync, type OwnerFence, type RedisSilenceSyncOptions } from './redis-notify-store.js';
export { PartitionNotify } from './partition-notify.js';
export { FoldStage } from './fold-stage.js';
export { Fold, type FoldOutput, type FoldState, type Extension } from './fold.js';
export { splitForFold, splitForStageTwo, foldPartition, sloFoldPartition } from './fold-keys.js';
export { applyReleased } from './assemble.js';
