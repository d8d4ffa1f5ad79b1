import { Engine, DEFAULT_ENGINE_OPTIONS, type EngineOptions } from '../../src/engine/index.js';
import { fingerprint, type AlertEvent, type DeployEvent, type Event, type LabelSet, type TicketEvent, type Topology } from '../../src/model/index.js';

/** Instants on one test day: at('10:00:05') → epoch ms of 2026-03-01T10:00:05Z. */
export function at(hms: string): number {
  return Date.parse(`2026-03-01T${hms}Z`);
}

/** An API v2 alert as Prometheus would send it, received at `ts`. */
export function alert(ts: number, labels: LabelSet, opts: { startsAt?: number; endsAt?: number | null; source?: 'api' | 'webhook'; annotations?: LabelSet } = {}): AlertEvent {
  return {
    kind: 'alert',
    at: ts,
    source: opts.source ?? 'api',
    fingerprint: fingerprint(labels),
    labels,
    annotations: opts.annotations ?? {},
    startsAt: opts.startsAt ?? ts,
    endsAt: opts.endsAt === undefined ? null : opts.endsAt,
  };
}

export function deploy(ts: number, service: string, version: string, status: DeployEvent['status'] = 'succeeded'): DeployEvent {
  return { kind: 'deploy', at: ts, service, version, deployedAt: ts, status };
}

export function ticket(ts: number, id: string, title: string, services: string[] = [], body = ''): TicketEvent {
  return { kind: 'ticket', at: ts, source: 'generic', id, title, body, createdAt: ts, status: 'open', services, labels: {} };
}

export function engineWith(overrides: Partial<EngineOptions> = {}, topology?: Topology): Engine {
  return new Engine({ ...DEFAULT_ENGINE_OPTIONS, ...overrides, ...(topology === undefined ? {} : { topology }) });
}

/** Pushes each event as its own request at its receive time. */
export function push(engine: Engine, ...events: Event[]): void {
  for (const e of events) engine.apply([e], e.at);
}

/** Incidents as sets of alertnames, for compact expectations. */
export function groups(engine: Engine): string[][] {
  return engine.incidentDocs().map((i) => i.alerts.map((a) => a.labels['alertname'] ?? '?'));
}
