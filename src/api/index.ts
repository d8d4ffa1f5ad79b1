/** The read API (CONTRACT §8). */
export { handleRead } from './read-api.js';
export type { ReadModel, ApiResponse } from './read-api.js';
