import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IncidentDoc } from '../model/index.js';
import type { Logger } from '../obs/index.js';

/**
 * One row of the console's incident list: what the list shows and filters on, without the alerts themselves, so a
 * storm of thousands of alerts costs the feed a few hundred bytes per incident.
 */
export interface IncidentSummary {
  id: string;
  title: string;
  severity: IncidentDoc['severity'];
  status: IncidentDoc['status'];
  openedAt: string;
  resolvedAt: string | null;
  alertCount: number;
  /** The `cluster` labels of its alerts, sorted. */
  clusters: string[];
  rootCause: IncidentDoc['rootCause'];
  tickets: number;
  topSuspect: { service: string; version: string; score: number } | null;
  acknowledged?: { by: string; at: string };
  resolvedBy?: { by: string; at: string };
}

/** The list row of an incident. Pure. */
export function toIncidentSummary(doc: IncidentDoc): IncidentSummary {
  const clusters = new Set<string>();
  for (const a of doc.alerts) {
    const c = a.labels['cluster'];
    if (c !== undefined) clusters.add(c);
  }
  const top = doc.suspectedDeploys[0];
  return {
    id: doc.id,
    title: doc.title,
    severity: doc.severity,
    status: doc.status,
    openedAt: doc.openedAt,
    resolvedAt: doc.resolvedAt,
    alertCount: doc.alerts.length,
    clusters: [...clusters].sort(),
    rootCause: doc.rootCause,
    tickets: doc.tickets.length,
    topSuspect: top === undefined ? null : { service: top.service, version: top.version, score: top.score },
    ...(doc.acknowledged === undefined ? {} : { acknowledged: doc.acknowledged }),
    ...(doc.resolvedBy === undefined ? {} : { resolvedBy: doc.resolvedBy }),
  };
}

/** What the feed reads: the incidents as the engine holds them now. */
export interface IncidentSource {
  incidents(): IncidentDoc[];
  /** One incident, or undefined once it is gone (merged into another, or past retention). */
  incident(id: string): IncidentDoc | undefined;
}

export interface IncidentFeedOptions {
  readonly source: IncidentSource;
  readonly logger: Logger;
  /** A comment line this often keeps proxies and load balancers from closing an idle stream. */
  readonly heartbeatMs?: number;
  /** Changes are gathered this long and each changed incident is rendered once per flush, however often it changed. */
  readonly flushMs?: number;
  /** A client whose socket holds more unsent bytes than this is too slow to follow and is dropped. */
  readonly maxBufferedBytes?: number;
}

interface Client {
  readonly res: ServerResponse;
}

/**
 * `GET /api/v1/events`: server-sent events for the console. A new client gets `snapshot` (every incident's
 * summary, newest first), then `incident` for each incident that changed (`{change, incident}`) and `removed`
 * (`{id, change}`) for one that merged away or aged out. Changes are coalesced per flush; a client that
 * cannot keep up is dropped (its EventSource reconnects and starts again from a snapshot), so one slow browser
 * never holds memory for everyone.
 */
export class IncidentFeed {
  private readonly clients = new Set<Client>();
  /** Incident id → its latest change since the last flush. */
  private pending = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly heartbeatMs: number;
  private readonly flushMs: number;
  private readonly maxBufferedBytes: number;

  constructor(private readonly opts: IncidentFeedOptions) {
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.flushMs = opts.flushMs ?? 200;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 1024 * 1024;
  }

  /** How many clients are connected now. */
  clientCount(): number {
    return this.clients.size;
  }

  /** Takes over the response: headers, the snapshot, then changes until the client goes or the feed closes. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // nginx would otherwise buffer the stream
    });
    const summaries = this.opts.source.incidents().map(toIncidentSummary);
    summaries.sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0));
    res.write(`retry: 2000\n${frame('snapshot', { incidents: summaries })}`);
    const client: Client = { res };
    this.clients.add(client);
    req.socket.setNoDelay(true);
    res.on('close', () => this.clients.delete(client));
    this.heartbeat ??= setInterval(() => this.broadcast(': heartbeat\n\n'), this.heartbeatMs).unref();
  }

  /** Notes what the engine reported; nothing is rendered while no client listens. */
  changed(effects: ReadonlyArray<{ readonly id: string; readonly change: string }>): void {
    if (this.clients.size === 0) return;
    for (const e of effects) this.pending.set(e.id, e.change);
    this.flushTimer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Ends every stream (the server is stopping); clients reconnect to whatever serves next. */
  close(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.flushTimer = null;
    this.heartbeat = null;
    this.pending.clear();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private flush(): void {
    this.flushTimer = null;
    const pending = this.pending;
    this.pending = new Map();
    let out = '';
    for (const [id, change] of pending) {
      const doc = this.opts.source.incident(id);
      out += doc === undefined ? frame('removed', { id, change }) : frame('incident', { change, incident: toIncidentSummary(doc) });
    }
    if (out !== '') this.broadcast(out);
  }

  private broadcast(text: string): void {
    for (const c of this.clients) {
      if (c.res.writableLength > this.maxBufferedBytes) {
        this.opts.logger.warn({ buffered: c.res.writableLength, limit: this.maxBufferedBytes }, 'event stream client too slow, dropped');
        this.clients.delete(c);
        c.res.destroy();
        continue;
      }
      c.res.write(text);
    }
    if (this.clients.size === 0 && this.heartbeat !== null) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }
}

/** One SSE event; JSON never holds a raw newline, so `data` is one line. */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
