import { formatInstant, parseRfc3339, type AlertStateDoc, type IncidentDoc, type Instant, type SloDoc, type TimelineEntry } from '../model/index.js';

/**
 * What the read API reads: the engine's views, behind the app. One incident may come from another process (Kafka
 * mode reads it from Redis), so that answer may be a promise.
 */
export interface ReadModel {
  incidents(): IncidentDoc[];
  incident(id: string): IncidentWithTimeline | undefined | Promise<IncidentWithTimeline | undefined>;
  slos(): SloDoc[];
  /**
   * One SLO's burn rates every 5 minutes in [from, to] (`to` defaulting to the engine clock, `from` to 24 h before
   * it), or null for an unknown SLO. Absent where no engine is local (Kafka mode).
   */
  sloHistory?(name: string, from: Instant | undefined, to: Instant | undefined): SloHistoryDoc | null;
  /** Notifications given up on (refused, or retries exhausted), oldest first. */
  deadLetters(): unknown[];
}

/** One incident with its timeline and, where the engine is local, where each of its alerts stands. */
export type IncidentWithTimeline = IncidentDoc & { timeline: TimelineEntry[]; alertStates?: AlertStateDoc[] };

/** A slice of an SLO's burn-rate history as the engine keeps it (instants as epoch ms). */
export interface SloHistoryDoc {
  readonly step: number;
  readonly points: ReadonlyArray<{ readonly at: Instant; readonly burnRates: Readonly<Record<string, number | null>> }>;
}

/** A response as data; the server writes it. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The read API of CONTRACT §8 as a pure function of path and query: `GET /api/v1/incidents` newest first with
 * `?status=open|resolved`, `GET /api/v1/incidents/{id}` with its timeline, `GET /api/v1/slos`, and
 * `GET /api/v1/slos/{name}/history?from=&to=` (RFC 3339) with the SLO's burn rates every 5 minutes.
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
  if (path.startsWith('/api/v1/slos/') && path.endsWith('/history')) return sloHistory(model, path, query);
  if (path === '/api/v1/dead-letters') return { status: 200, body: model.deadLetters() };
  return null;
}

function sloHistory(model: ReadModel, path: string, query: URLSearchParams): ApiResponse {
  const name = decodeURIComponent(path.slice('/api/v1/slos/'.length, -'/history'.length));
  if (model.sloHistory === undefined) return { status: 404, body: { error: 'SLO history is not available in Kafka mode' } };
  const times: Partial<Record<'from' | 'to', Instant>> = {};
  for (const key of ['from', 'to'] as const) {
    const raw = query.get(key);
    if (raw === null) continue;
    const at = parseRfc3339(raw);
    if (at === null) return { status: 400, body: { error: `${key}: expected an RFC 3339 time, got ${JSON.stringify(raw)}` } };
    times[key] = at;
  }
  if (times.from !== undefined && times.to !== undefined && times.from > times.to) {
    return { status: 400, body: { error: `from: must not be after to, got ${JSON.stringify(query.get('from'))}` } };
  }
  const history = model.sloHistory(name, times.from, times.to);
  if (history === null) return { status: 404, body: { error: `SLO ${JSON.stringify(name)} not found` } };
  return { status: 200, body: { slo: name, step: history.step, points: history.points.map((p) => ({ at: formatInstant(p.at), burnRates: p.burnRates })) } };
}
