/** The library entry: embed stormcell in another program (tests, benchmarks) without the CLI. */
export { App } from './app.js';
export type { AppOptions } from './app.js';
export { loadConfig } from './config/index.js';
export { replayCapture, toReplayDocument } from './replay.js';
