/**
 * Spans for the path of a request: receive → log → engine → notify, through `@opentelemetry/api` only. Without a
 * registered SDK every call here is a no-op (the API's own no-op tracer), so code never asks whether tracing is on;
 * with one (see README "Traces"), an incoming `traceparent` makes stormcell's spans children of the sender's.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('stormcell');

/** The context an incoming HTTP request carries (`traceparent`), or the root context. */
export function requestContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** The context active now, to carry a span's parent across a queue (the ingest queue, for one). */
export function currentContext(): Context {
  return context.active();
}

/**
 * Runs `fn` in a new span named `name` (child of `parent`, default the active context), ends it when `fn` settles,
 * and marks it failed when `fn` throws. `fn` also gets the span's context, to pass on explicitly (into message
 * headers) where no context manager carries it.
 */
export function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, fn: (span: Span, ctx: Context) => T, parent: Context = context.active()): T {
  return tracer.startActiveSpan(name, { kind, attributes }, parent, (span) => {
    const fail = (err: unknown): never => {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      span.end();
      throw err;
    };
    let out: T;
    try {
      out = fn(span, trace.setSpan(parent, span));
    } catch (err) {
      return fail(err);
    }
    if (out instanceof Promise) {
      return out.then(
        (v: unknown) => {
          span.end();
          return v;
        },
        fail,
      ) as T;
    }
    span.end();
    return out;
  });
}

export { SpanKind };
