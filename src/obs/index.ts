/** Observability: logs (pino) and metrics (prom-client). Only the edges import it. */
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { createMetrics } from './metrics.js';
export type { Metrics, NotificationStats } from './metrics.js';
export { createScaleOutMetrics } from './scale-out-metrics.js';
export type { ScaleOutMetrics } from './scale-out-metrics.js';
export { currentContext, inSpan, requestContext, SpanKind } from './tracing.js';
