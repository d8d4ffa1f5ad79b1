/**
 * Trace context across Kafka: W3C `traceparent`/`tracestate` (or whatever propagator the process registered) in
 * message headers, through `@opentelemetry/api` only, so it is a no-op until an SDK is registered.
 */
import { propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';

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
