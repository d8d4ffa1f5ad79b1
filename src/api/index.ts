/** The read API (CONTRACT §8), the silences API, the console's event stream, topology and assets. */
export { handleRead } from './read-api.js';
export type { ReadModel, ApiResponse, IncidentWithTimeline, SloHistoryDoc } from './read-api.js';
export { handleSilences } from './silences-api.js';
export type { SilenceDoc, SilenceModel } from './silences-api.js';
export { IncidentFeed, toIncidentSummary } from './incident-feed.js';
export type { IncidentFeedOptions, IncidentSource, IncidentSummary } from './incident-feed.js';
export { handleTopology } from './topology-api.js';
export type { Neighbourhood } from './topology-api.js';
export { CONSOLE_HEADERS, DEFAULT_CONSOLE_DIR, loadConsoleAssets } from './console-assets.js';
export type { ConsoleAsset, ConsoleAssets } from './console-assets.js';
