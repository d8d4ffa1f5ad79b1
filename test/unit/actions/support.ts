/**
 * Shared fakes for the action tests: a recording HTTP server on port 0, an incident and notification builder, plugin
 * deps with a silent logger, and manual timers so the outbox's time is the test's.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { ActionDeps, Notification } from '../../../src/actions/index.js';
import type { IncidentDoc } from '../../../src/model/index.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string | object; delayMs?: number } | 'hang' | 'destroy';

/** A server that records every request and answers what `reply` says for it (by index and request). */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  private server: http.Server | null = null;
  private readonly hung: http.ServerResponse[] = [];
  url = '';

  constructor(public reply: (req: RecordedRequest, index: number) => Reply = () => ({ status: 200, body: 'ok' })) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, text, json };
        const index = this.requests.push(rec) - 1;
        const r = this.reply(rec, index);
        if (r === 'hang') {
          this.hung.push(res);
          return;
        }
        if (r === 'destroy') {
          req.socket.destroy();
          return;
        }
        const send = (): void => {
          const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
          const headers = { ...(typeof r.body === 'object' ? { 'Content-Type': 'application/json' } : { 'Content-Type': 'text/plain' }), ...r.headers };
          res.writeHead(r.status, headers).end(body);
        };
        if (r.delayMs === undefined) send();
        else setTimeout(send, r.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hung.splice(0)) res.destroy();
    const s = this.server;
    if (s === null) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    this.server = null;
  }
}

export function incident(overrides: Partial<IncidentDoc> = {}): IncidentDoc {
  return {
    id: 'inc-20260301-0001',
    title: 'checkout: HighErrorRate',
    severity: 'sev2',
    status: 'open',
    openedAt: '2026-03-01T10:00:00.000Z',
    resolvedAt: null,
    alerts: [
      { fingerprint: 'a1b2c3d4e5f60718', labels: { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1' } },
      { fingerprint: '0f1e2d3c4b5a6978', labels: { alertname: 'HighLatency', service: 'payments', cluster: 'eu-1' } },
    ],
    tickets: [],
    suspectedDeploys: [{ service: 'checkout', version: 'v1.4.2', at: '2026-03-01T09:58:00.000Z', score: 0.91, reason: 'deployed 2m before the first alert' }],
    rootCause: { entity: 'svc/checkout', score: 0.87 },
    ...overrides,
  };
}

export const NOW = Date.parse('2026-03-01T10:01:00.000Z');

export function notification(overrides: Partial<Notification> = {}): Notification {
  const inc = overrides.incident ?? incident();
  const receiver = overrides.receiver ?? 'team-checkout';
  const integration = overrides.integration ?? 'webhook/0';
  const version = overrides.version ?? 1;
  return {
    receiver,
    integration,
    incident: inc,
    status: 'firing',
    version,
    idempotencyKey: `${inc.id}:${version}:${receiver}:${integration}`,
    groupLabels: { service: 'checkout' },
    commonLabels: { cluster: 'eu-1', severity: inc.severity, status: 'firing' },
    externalURL: 'http://stormcell.example:9097',
    now: NOW,
    ...overrides,
  };
}

export const silentLogger = pino({ level: 'silent' });

export function deps(now: () => number = () => NOW): ActionDeps {
  return { logger: silentLogger, fetch: globalThis.fetch, now };
}

/** A signal that never aborts. */
export const NEVER = new AbortController().signal;

/** Timers driven by the test: `advance(ms)` fires what falls due, in time order. */
export class ManualTimers {
  now = NOW;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  readonly set = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  };

  readonly clear = (id: unknown): void => {
    this.timers.delete(id as number);
  };

  /** When the earliest timer is due, if any. */
  next(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers.values()) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
    }
    this.now = target;
  }
}
