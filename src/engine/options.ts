import type { Severity, Topology } from '../model/index.js';
import { EMPTY_TOPOLOGY } from '../model/index.js';

/** How alert severities map onto incident severities. */
export interface SeverityOptions {
  /** The alert label that carries severity (`severity` in kube-prometheus and most rule sets). */
  readonly label: string;
  /** Label value → incident severity. Values are matched case-sensitively, as Alertmanager matchers are. */
  readonly map: Readonly<Record<string, Severity>>;
  /** For alerts without the label or with a value not in `map`. */
  readonly default: Severity;
}

/** Everything the engine needs; it reads nothing else. All durations in milliseconds. */
export interface EngineOptions {
  /** Alertmanager's `resolve_timeout`: an API alert without `endsAt` resolves this long after it was last received. */
  readonly resolveTimeoutMs: number;
  /** An alert joins an open incident only if the incident saw a firing alert within this window. */
  readonly correlationWindowMs: number;
  /** How far before an incident opened a deploy of an involved service is still a suspect. */
  readonly deployLookbackMs: number;
  /** How far apart in time a ticket and an incident may be and still be linked. */
  readonly ticketWindowMs: number;
  /** The grouping labels used when an alert binds to no topology entity (Alertmanager `group_by` style). */
  readonly fallbackGroupBy: readonly string[];
  readonly severity: SeverityOptions;
  readonly topology: Topology;
  /** Timeline entries kept per incident; older ones are dropped (counted) so a flapping alert cannot grow memory. */
  readonly maxTimelineEntries: number;
  /** Resolved incidents (and their alerts) are forgotten this long after they resolved, bounding memory. */
  readonly retentionMs: number;
}

/** The defaults every missing config key falls back to. */
export const DEFAULT_ENGINE_OPTIONS: EngineOptions = Object.freeze({
  resolveTimeoutMs: 5 * 60_000,
  correlationWindowMs: 15 * 60_000,
  deployLookbackMs: 30 * 60_000,
  ticketWindowMs: 60 * 60_000,
  fallbackGroupBy: Object.freeze(['cluster', 'namespace']),
  severity: Object.freeze({
    label: 'severity',
    map: Object.freeze({
      critical: 'sev1', page: 'sev1', sev1: 'sev1', p1: 'sev1', P1: 'sev1',
      error: 'sev2', high: 'sev2', major: 'sev2', sev2: 'sev2', p2: 'sev2', P2: 'sev2',
      warning: 'sev3', warn: 'sev3', medium: 'sev3', minor: 'sev3', sev3: 'sev3', p3: 'sev3', P3: 'sev3',
      info: 'sev4', low: 'sev4', none: 'sev4', sev4: 'sev4', p4: 'sev4', P4: 'sev4', p5: 'sev4', P5: 'sev4',
    } as Record<string, Severity>),
    default: 'sev3' as Severity,
  }),
  topology: EMPTY_TOPOLOGY,
  maxTimelineEntries: 500,
  retentionMs: 7 * 86_400_000,
});
