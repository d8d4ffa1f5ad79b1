/** Transports into the durable log: the shared ingest path, HTTP body handling and capture lines. */
export { Ingestor, applyRecord } from './ingestor.js';
export type { EventSink, AckListener } from './ingestor.js';
export { toCaptureLine, parseCaptureLine } from './capture.js';
export { readBody, parseJsonBody } from './http-body.js';
