/**
 * The documents the console reads, as the server's API writes them (src/model/incident.ts, src/api/*). Kept by
 * hand: the browser build compiles this folder alone.
 */
export type Severity = 'sev1' | 'sev2' | 'sev3' | 'sev4';

/** One row of the live list (`GET /api/v1/events`). */
export interface IncidentSummary {
  id: string;
  title: string;
  severity: Severity;
  status: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  alertCount: number;
  clusters: string[];
  rootCause: { entity: string; score: number } | null;
  tickets: number;
  topSuspect: { service: string; version: string; score: number } | null;
  acknowledged?: { by: string; at: string };
  resolvedBy?: { by: string; at: string };
}

export interface TimelineEntry {
  at: string;
  type: string;
  message: string;
  fingerprint?: string;
  reason?: string;
  score?: number;
}

export interface AlertState {
  fingerprint: string;
  entity: string | null;
  status: 'firing' | 'resolved';
  startsAt: string;
  endsAt: string | null;
  summary?: string;
}

/** `GET /api/v1/incidents/{id}`. */
export interface IncidentDetail {
  id: string;
  title: string;
  severity: Severity;
  status: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  alerts: Array<{ fingerprint: string; labels: Record<string, string>; origin?: 'slo' }>;
  tickets: string[];
  suspectedDeploys: Array<{ service: string; version: string; at: string; score: number; reason?: string }>;
  rootCause: { entity: string; score: number } | null;
  acknowledged?: { by: string; at: string };
  resolvedBy?: { by: string; at: string };
  timeline: TimelineEntry[];
  timelineDropped?: number;
  alertStates?: AlertState[];
}

/** `GET /api/v1/slos`. */
export interface SloDoc {
  name: string;
  objective: number;
  burnRates: Record<string, number | null>;
  errorBudgetRemaining: number | null;
  alerts: Array<{ severity: 'page' | 'ticket'; longWindow: string; shortWindow: string; firedAt: string; resolvedAt: string | null }>;
}

/** `GET /api/v1/slos/{name}/history`: burn rates of the 5m, 1h and 6h windows every `step` ms; null for no value. */
export interface SloHistory {
  slo: string;
  step: number;
  points: Array<{ at: string; burnRates: Record<string, number | null> }>;
}

/** `GET /api/v1/silences`. */
export interface SilenceDoc {
  id: string;
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

export interface Entity {
  id: string;
  kind: string;
  labels: Record<string, string>;
}

/** `GET /api/v1/topology/neighbourhood?entity=ID`. */
export interface Neighbourhood {
  entity: Entity;
  entities: Entity[];
  relations: Array<{ from: string; to: string; type: string }>;
  truncated: boolean;
}
