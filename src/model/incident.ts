import type { LabelSet } from './labels.js';

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
/** sev1 is the worst. */
export type Severity = (typeof SEVERITIES)[number];

/** Ranks severities so that a smaller number is worse (sev1 → 1). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s) + 1;
}

/** An incident as CONTRACT §5 prints it (replay output, read API). Times are RFC 3339. */
export interface IncidentDoc {
  id: string;
  title: string;
  severity: Severity;
  status: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  /** `origin: "slo"` marks a burn-rate alert stormcell raised itself; received alerts have no `origin`. */
  alerts: Array<{ fingerprint: string; labels: LabelSet; origin?: 'slo' }>;
  tickets: string[];
  suspectedDeploys: Array<{ service: string; version: string; at: string; score: number; reason?: string }>;
  rootCause: { entity: string; score: number } | null;
  /** Who acknowledged the open incident, and when (absent when nobody has). */
  acknowledged?: { by: string; at: string };
  /** Who resolved the incident by hand, and when (absent when its alerts resolved it, and once it reopens). */
  resolvedBy?: { by: string; at: string };
}

/**
 * Where one of an incident's alerts stands, beside the incident document (which CONTRACT §5 fixes): the entity it
 * bound to (null: none), firing or resolved, since when, and its summary annotation when it has one.
 */
export interface AlertStateDoc {
  fingerprint: string;
  entity: string | null;
  status: 'firing' | 'resolved';
  startsAt: string;
  endsAt: string | null;
  summary?: string;
}

/** One entry of an incident's timeline: what happened, when, and why. */
export interface TimelineEntry {
  at: string;
  type: string;
  message: string;
  fingerprint?: string;
  reason?: string;
  score?: number;
}

/** An SLO as CONTRACT §5 prints it. */
export interface SloDoc {
  name: string;
  objective: number;
  burnRates: Record<string, number | null>;
  errorBudgetRemaining: number | null;
  alerts: Array<{ severity: 'page' | 'ticket'; longWindow: string; shortWindow: string; firedAt: string; resolvedAt: string | null }>;
}
