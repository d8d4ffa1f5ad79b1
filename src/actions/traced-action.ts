import { ROOT_CONTEXT } from '@opentelemetry/api';
import { inSpan, SpanKind } from '../obs/index.js';
import type { Action, Notification, SendResult } from './plugin.js';

/**
 * An Action whose every send is a `stormcell.notify.send` span (incident, receiver, integration, idempotency key,
 * outcome), as OpenTelemetry wraps a transport: a decorator, so neither plugins nor the outbox know of tracing.
 * Each send starts its own trace: it happens long after, and for many, of the requests that caused it.
 */
export function tracedAction(action: Action, receiver: string, integration: string): Action {
  return {
    send(n: Notification, signal: AbortSignal): Promise<SendResult> {
      const attributes = { 'stormcell.incident': n.incident.id, 'stormcell.receiver': receiver, 'stormcell.integration': integration, 'stormcell.idempotency_key': n.idempotencyKey };
      return inSpan('stormcell.notify.send', SpanKind.CLIENT, attributes, async (span) => {
        const r = await action.send(n, signal);
        span.setAttribute('stormcell.result', r.status);
        return r;
      }, ROOT_CONTEXT);
    },
    close: () => action.close(),
  };
}
