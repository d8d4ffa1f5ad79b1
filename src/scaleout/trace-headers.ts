/**
 * Trace context across Kafka: W3C `traceparent`/`tracestate` (or whatever propagator the process registered) in
 * message headers, through `@opentelemetry/api` only, so it is a no-op until an SDK is registered.
 */
import { context, propagation, trace, type Context, type Span, type TextMapGetter, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';

export type KafkaHeaders = Record<string, Buffer | string | Array<Buffer | string> | undefined>;

const getter: TextMapGetter<KafkaHeaders | undefined> = {
  keys: (carrier) => (carrier === undefined ? [] : Object.keys(carrier)),
  get: (carrier, key) => {
    const v = carrier?.[key];
    if (v === undefined) return undefined;
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined ? undefined : one.toString();
  },
};

const tracer = trace.getTracer('stormcell');

/** The context a message's headers carry (the root context when they carry none). */
export function extractContext(headers: KafkaHeaders | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}

/** Headers that carry `ctx` on to the next hop; empty while no propagator is registered. */
export function injectContext(ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  propagation.inject(ctx, out);
  return out;
}

/** Starts a span for one hop of a message, child of what its headers carried. */
export function startHopSpan(name: string, parent: Context, kind: SpanKind, attributes: Record<string, string | number>): { span: Span; ctx: Context } {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** The active context: a receiver's request span, when the HTTP layer runs inside one. */
export function activeContext(): Context {
  return context.active();
}

export { SpanKind };
