/** The read API (CONTRACT §8). */
export { handleRead } from './read-api.js';
export type { ReadModel, ApiResponse } from './read-api.js';
export { handleSilences } from './silences-api.js';
export type { SilenceDoc, SilenceModel } from './silences-api.js';
