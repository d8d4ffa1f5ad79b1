import type { LabelSet, Severity, Topology } from '../model/index.js';
import type { SloSpec } from './slo/index.js';
import type { KmeansModel } from './cluster/index.js';
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

/** One correlator of a pipeline with its settings (`pipelines/*.yaml`), durations in milliseconds. */
export type CorrelatorSpec =
  | {
      readonly type: 'topology';
      /** A related entity counts only if one of its alerts started this recently. */
      readonly windowMs: number;
      /** Scores: same entity; alert's entity depends on a failing one (caller, user, runs on); the reverse. */
      readonly sameEntity: number;
      readonly dependsOnFailing: number;
      readonly failingDependsOn: number;
      /** Joins through a relation only while the incident is younger than this: symptoms follow causes quickly. */
      readonly maxAgeMs: number;
    }
  | {
      readonly type: 'burst';
      /** Alerts on this many distinct entities of one cluster starting within the window are one fault. */
      readonly minEntities: number;
      readonly windowMs: number;
      readonly score: number;
    }
  | {
      readonly type: 'text';
      /** The least TF-IDF cosine between the alert and an incident's alerts that counts. */
      readonly threshold: number;
      readonly score: number;
      /** Joins only incidents younger than this. */
      readonly maxAgeMs: number;
    }
  | {
      readonly type: 'kmeans';
      /** The trained model (models/kmeans.json), read by the config loader. */
      readonly model: KmeansModel;
      /** Alerts of the same k-means cluster whose starts are this close are one fault... */
      readonly windowMs: number;
      readonly score: number;
      readonly maxAgeMs: number;
    }
  | {
      readonly type: 'labels';
      /** Alerts bound to no entity group by these labels, within the window. */
      readonly groupBy: readonly string[];
      readonly windowMs: number;
      readonly score: number;
      /** Joins only while the incident is younger than this, so a busy namespace does not chain faults. */
      readonly maxAgeMs: number;
    };

/** The correlation pipeline: which correlators run, in which order, and the thresholds that decide. */
export interface PipelineOptions {
  readonly name: string;
  readonly correlators: readonly CorrelatorSpec[];
  /** The least score that puts an alert into an existing incident. */
  readonly joinThreshold: number;
  /** How far before an incident opened a deploy of an involved service is still a suspect. */
  readonly deployLookbackMs: number;
  /** How far apart in time a ticket and an incident may be and still be linked. */
  readonly ticketWindowMs: number;
}

/** Everything the engine needs; it reads nothing else. All durations in milliseconds. */
export interface EngineOptions {
  /** Alertmanager's `resolve_timeout`: an API alert without `endsAt` resolves this long after it was last received. */
  readonly resolveTimeoutMs: number;
  readonly pipeline: PipelineOptions;
  readonly severity: SeverityOptions;
  readonly topology: Topology;
  /** Timeline entries kept per incident; older ones are dropped (counted) so a flapping alert cannot grow memory. */
  readonly maxTimelineEntries: number;
  /** Resolved incidents (and their alerts) are forgotten this long after they resolved, bounding memory. */
  readonly retentionMs: number;
  /** The SLOs whose burn rates the engine computes from SLI samples (`slos.yaml`). */
  readonly slos: readonly EngineSlo[];
}

/** An SLO as the engine needs it: the burn-rate spec, and what its burn alerts bind to. */
export interface EngineSlo extends SloSpec {
  /** The topology entity its burn alerts are about; without one they bind by `labels`. */
  readonly entity?: string;
  /** Labels its burn alerts carry (a Sloth service, Pyrra labels, native `labels`). */
  readonly labels: LabelSet;
}

/** The built-in pipeline; `pipelines/default.yaml` spells out the same (a test keeps them equal). */
export const DEFAULT_PIPELINE: PipelineOptions = Object.freeze({
  name: 'default',
  correlators: Object.freeze([
    Object.freeze({ type: 'topology', windowMs: 20 * 60_000, sameEntity: 1, dependsOnFailing: 0.9, failingDependsOn: 0.8, maxAgeMs: 30 * 60_000 }),
    Object.freeze({ type: 'burst', minEntities: 6, windowMs: 60_000, score: 0.7 }),
    Object.freeze({ type: 'text', threshold: 0.8, score: 0.55, maxAgeMs: 30 * 60_000 }),
    Object.freeze({ type: 'labels', groupBy: Object.freeze(['cluster', 'namespace']), windowMs: 5 * 60_000, score: 0.5, maxAgeMs: 30 * 60_000 }),
  ]) as readonly CorrelatorSpec[],
  joinThreshold: 0.5,
  deployLookbackMs: 20 * 60_000,
  ticketWindowMs: 60 * 60_000,
});

/** The defaults every missing config key falls back to. */
export const DEFAULT_ENGINE_OPTIONS: EngineOptions = Object.freeze({
  resolveTimeoutMs: 5 * 60_000,
  pipeline: DEFAULT_PIPELINE,
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
  slos: Object.freeze([]) as readonly EngineSlo[],
});
