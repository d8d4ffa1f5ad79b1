/**
 * Actions: the plugins that tell the outside world about incidents, their registry, and the outbox that delivers
 * their notifications durably, with retry, backoff, a breaker per receiver integration, and idempotency keys.
 */
export { BUILTIN_PLUGINS, configKey, createRegistry, loadExternalPlugin } from './registry.js';
export type { Integration, Registry } from './registry.js';
export { classifyFetchError, classifyResponse, classifyStatus, idempotencyKey, integrationName, parseRetryAfter } from './plugin.js';
export type { Action, ActionDeps, ActionPlugin, DeployNote, Notification, SendResult } from './plugin.js';
export { Outbox } from './outbox.js';
export { tracedAction } from './traced-action.js';
export type { IntegrationStats, OutboxOptions, OutboxStats, TimerHandle } from './outbox.js';
export type { RecordStore, RecordStoreContents } from './record-store.js';
export type { DeadLetter, DeadReason, EnqueuedItem, HistoryItem, PendingItem } from './outbox-state.js';
export type { BreakerOptions, BreakerState } from './circuit-breaker.js';
