import type { IncidentSummary } from './types.js';

/** Whether the event stream is up: `live` once a snapshot arrived, `reconnecting` after a drop until the next. */
export type FeedState = 'connecting' | 'live' | 'reconnecting';

/**
 * The incident list as the server streams it (`GET /api/v1/events`): a snapshot, then one event per change. The
 * browser's EventSource reconnects by itself and every connection starts with a fresh snapshot, so nothing is
 * missed across a drop. Listeners are called at most once per animation frame, however many events arrived.
 */
export class LiveIncidents {
  private readonly byId = new Map<string, IncidentSummary>();
  private sorted: IncidentSummary[] | null = null;
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  private source: EventSource | null = null;
  state: FeedState = 'connecting';
  /** Bumped on every change: views compare it to know whether to redraw. */
  version = 0;

  /** Opens the stream; EventSource keeps it open (or reopening) until `close`. */
  connect(url = '/api/v1/events'): void {
    const es = new EventSource(url);
    this.source = es;
    es.addEventListener('snapshot', (ev) => {
      const { incidents } = JSON.parse((ev as MessageEvent<string>).data) as { incidents: IncidentSummary[] };
      this.byId.clear();
      for (const inc of incidents) this.byId.set(inc.id, inc);
      this.state = 'live';
      this.touch();
    });
    es.addEventListener('incident', (ev) => {
      const { incident } = JSON.parse((ev as MessageEvent<string>).data) as { incident: IncidentSummary };
      this.byId.set(incident.id, incident);
      this.touch();
    });
    es.addEventListener('removed', (ev) => {
      const { id } = JSON.parse((ev as MessageEvent<string>).data) as { id: string };
      this.byId.delete(id);
      this.touch();
    });
    es.addEventListener('error', () => {
      this.state = 'reconnecting'; // EventSource retries by itself; the next snapshot makes it live again
      this.touch();
    });
  }

  close(): void {
    this.source?.close();
  }

  /** Every incident, newest first (as `GET /api/v1/incidents` lists them). */
  all(): readonly IncidentSummary[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : a.id < b.id ? 1 : -1));
    return this.sorted;
  }

  get(id: string): IncidentSummary | undefined {
    return this.byId.get(id);
  }

  /** Calls `fn` after changes; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private touch(): void {
    this.sorted = null;
    this.version++;
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const fn of this.listeners) fn();
    });
  }
}
