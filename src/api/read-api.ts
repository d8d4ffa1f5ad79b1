import type { AlertStateDoc, IncidentDoc, SloDoc, TimelineEntry } from '../model/index.js';

/**
 * What the read API reads: the engine's views, behind the app. One incident may come from another process (Kafka
 * mode reads it from Redis), so that answer may be a promise.
 */
export interface ReadModel {
  incidents(): IncidentDoc[];
  incident(id: string): IncidentWithTimeline | undefined | Promise<IncidentWithTimeline | undefined>;
  slos(): SloDoc[];
  /** Notifications given up on (refused, or retries exhausted), oldest first. */
  deadLetters(): unknown[];
}

/** One incident with its timeline and, where the engine is local, where each of its alerts stands. */
export type IncidentWithTimeline = IncidentDoc & { timeline: TimelineEntry[]; alertStates?: AlertStateDoc[] };

/** A response as data; the server writes it. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The read API of CONTRACT §8 as a pure function of path and query: `GET /api/v1/incidents` newest first with
 * `?status=open|resolved`, `GET /api/v1/incidents/{id}` with its timeline, `GET /api/v1/slos`.
 * Returns null for paths it does not serve.
 */
export async function handleRead(model: ReadModel, path: string, query: URLSearchParams): Promise<ApiResponse | null> {
  if (path === '/api/v1/incidents') {
    const status = query.get('status');
    if (status !== null && status !== 'open' && status !== 'resolved') {
      return { status: 400, body: { error: `status: expected "open" or "resolved", got ${JSON.stringify(status)}` } };
    }
    const all = model.incidents();
    const out: IncidentDoc[] = [];
    // The engine lists oldest first; newest first is that order reversed (ties keep creation order reversed).
    for (let i = all.length - 1; i >= 0; i--) {
      const inc = all[i] as IncidentDoc;
      if (status === null || inc.status === status) out.push(inc);
    }
    out.sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0));
    return { status: 200, body: out };
  }
  if (path.startsWith('/api/v1/incidents/')) {
    const id = decodeURIComponent(path.slice('/api/v1/incidents/'.length));
    const inc = await model.incident(id);
    if (inc === undefined) return { status: 404, body: { error: `incident ${JSON.stringify(id)} not found` } };
    return { status: 200, body: inc };
  }
  if (path === '/api/v1/slos') return { status: 200, body: model.slos() };
  if (path === '/api/v1/dead-letters') return { status: 200, body: model.deadLetters() };
  return null;
}
