import type { Context } from '@opentelemetry/api';
import type { EventLog } from '../log/index.js';
import { currentContext, inSpan, SpanKind } from '../obs/index.js';
import type { CaptureRecord, Event, Instant, ReceiverPath } from '../model/index.js';
import { normalize } from '../normalize/index.js';
import { toCaptureLine } from './capture.js';

/** Where acknowledged events go, in log order: the engine, behind the app. */
export interface EventSink {
  apply(events: readonly Event[], ts: Instant, offset: number): void;
}

/** Observers of acknowledged requests (recording, metrics); called in log order after `apply`. */
export type AckListener = (line: Buffer, path: ReceiverPath, events: readonly Event[]) => void;

interface Pending {
  readonly ts: Instant;
  readonly events: readonly Event[];
  readonly line: Buffer;
  readonly path: ReceiverPath;
  state: 'waiting' | 'durable' | 'failed';
  offset: number;
  /** The request's trace context: its engine span is a child of its receive span, whichever request drains it. */
  readonly ctx: Context;
}

/**
 * The ingest path shared by every transport: normalize (all or nothing) → append to the durable log → apply to
 * the sink in log order → acknowledge. Receive times are stamped here, monotonically, in the order requests enter
 * the log, so the log replays to exactly the state the live process had.
 */
export class Ingestor {
  private lastTs: Instant = 0;
  /** Requests in log order; those before `head` are applied and cleared to null. */
  private readonly queue: Array<Pending | null> = [];
  private head = 0;

  constructor(
    private readonly log: Pick<EventLog, 'append'>,
    private readonly sink: EventSink,
    private readonly wallClock: () => Instant,
    private readonly onAck: AckListener = () => {},
    private readonly onLogFailure: (err: Error) => void = () => {},
  ) {}

  /**
   * Validates and durably logs one request; resolves with its events once they are on disk and applied.
   * Throws InputError for bad input, having written nothing.
   */
  async accept(path: ReceiverPath, raw: Uint8Array, body: unknown): Promise<readonly Event[]> {
    const ts = this.stamp();
    const events = normalize(path, body, ts);
    const line = toCaptureLine(ts, path, raw, body);
    const p: Pending = { ts, events, line, path, state: 'waiting', offset: -1, ctx: currentContext() };
    this.queue.push(p);
    try {
      p.offset = await inSpan('stormcell.log.append', SpanKind.INTERNAL, { 'stormcell.receiver': path }, () => this.log.append([line]));
      p.state = 'durable';
    } catch (err) {
      p.state = 'failed';
      this.onLogFailure(err as Error);
      throw err;
    } finally {
      this.drain();
    }
    return events;
  }

  /**
   * The latest instant the engine may be advanced to by a timer: now, but never past a request that is stamped yet
   * not applied, or replay would apply that request at a different clock than the live process did.
   */
  safeNow(): Instant {
    const oldest = this.queue[this.head];
    const now = Math.max(this.wallClock(), this.lastTs);
    return oldest == null ? now : Math.min(now, oldest.ts);
  }

  /** Requests stamped but not yet applied. */
  inFlight(): number {
    return this.queue.length - this.head;
  }

  private stamp(): Instant {
    const now = this.wallClock();
    this.lastTs = now > this.lastTs ? now : this.lastTs;
    return this.lastTs;
  }

  private drain(): void {
    while (this.head < this.queue.length) {
      const p = this.queue[this.head] as Pending;
      if (p.state === 'waiting') break;
      // Let go of the request now, not at the next compaction of the queue: its parsed body would otherwise stay
      // reachable for hundreds of requests, survive young-generation collections and be promoted wholesale.
      this.queue[this.head] = null;
      this.head++;
      if (p.state === 'durable') {
        inSpan('stormcell.engine.apply', SpanKind.INTERNAL, { 'stormcell.events': p.events.length, 'stormcell.log.offset': p.offset }, () => this.sink.apply(p.events, p.ts, p.offset), p.ctx);
        this.onAck(p.line, p.path, p.events);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Replays one logged or captured request into a sink (recovery, replay, Kafka consumers). */
export function applyRecord(sink: EventSink, rec: CaptureRecord, offset: number): readonly Event[] {
  const events = normalize(rec.path, rec.body, rec.ts);
  sink.apply(events, rec.ts, offset);
  return events;
}
