/** The deterministic engine: events and instants in, incidents out. Imports only model/ and its own files. */
export { Engine } from './engine.js';
export type { EngineEffect, EngineState, EngineStats } from './engine.js';
export type { SloHistory } from './slo/index.js';
export { DEFAULT_ENGINE_OPTIONS, DEFAULT_PIPELINE } from './options.js';
export type { CorrelatorSpec, EngineOptions, EngineSlo, PipelineOptions, SeverityOptions } from './options.js';
export { activeAt, endIsTimeout, mergeSend, sendEndsAt, type Lifetime } from './lifetime.js';
export { pastRetention, pruneGridPoint, PRUNE_EVERY_MS } from './retention.js';
export { SloCounter, type Burn } from './slo-counter.js';
