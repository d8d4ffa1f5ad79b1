/** The vocabulary of stormcell and pure helpers over it. Imports nothing else from src/. */
export * from './labels.js';
export * from './fingerprint.js';
export * from './time.js';
export * from './event.js';
export * from './incident.js';
export * from './topology.js';
