import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { compileSchema, describeValue } from '../model/schema.js';
import { parseDuration, type Topology } from '../model/index.js';
import { DurationString } from './durations.js';
import { toPyrraSlo } from './slos-pyrra.js';
import { toSlothCrdSlos, toSlothSpecSlos } from './slos-sloth.js';
import { checkYamlValue, type YamlDocument } from './yaml-file.js';

/** Defaults of `slos.yaml` fields (STYLE §E). Sloth's fixed period is `SLOTH_SLO_PERIOD` in slos-sloth.ts. */
export const SLO_DEFAULTS = { semantics: 'prometheus' } as const;

/**
 * A native `slos.yaml` document (CONTRACT §4), with two extensions per SLO: `labels`, which bind its burn alerts
 * to a topology entity when `entity` is absent, and `semantics` (default prometheus).
 */
export const NativeSlosDocumentSchema = Type.Object(
  {
    slos: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            objective: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100 }),
            window: DurationString,
            entity: Type.Optional(Type.String({ minLength: 1 })),
            labels: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String())),
            semantics: Type.Optional(Type.Union([Type.Literal('prometheus'), Type.Literal('exact')])),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type NativeSlosDocument = Static<typeof NativeSlosDocumentSchema>;
const checkNativeSlosDocument = compileSchema(NativeSlosDocumentSchema);

/**
 * One SLO definition in code units, whichever form `slos.yaml` gave it in. Its SLI always comes from the
 * `POST /api/v1/sli` counters that carry `name` in `slo`; for Pyrra and Sloth SLOs, `indicator` keeps their
 * queries for display only.
 */
export interface SloDefinition {
  readonly name: string;
  /** Percent of good events, in (0, 100). */
  readonly objective: number;
  readonly windowMs: number;
  /** The period as configured, a Prometheus duration string (`30d`, `4w`). */
  readonly window: string;
  readonly entity?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly semantics: 'prometheus' | 'exact';
  readonly pageAlerts: boolean;
  readonly ticketAlerts: boolean;
  readonly source: 'native' | 'pyrra' | 'sloth';
  readonly description?: string;
  readonly indicator?: SloIndicator;
}

/** The SLI as a Pyrra indicator or a Sloth `sli` spells it, kept for display: stormcell never runs these queries. */
export type SloIndicator =
  | { readonly type: 'ratio'; readonly errors: string; readonly total: string; readonly grouping?: readonly string[] }
  | { readonly type: 'latency'; readonly success: string; readonly total: string; readonly grouping?: readonly string[] }
  | { readonly type: 'latencyNative'; readonly total: string; readonly latency: string; readonly grouping?: readonly string[] }
  | { readonly type: 'bool_gauge'; readonly metric: string; readonly grouping?: readonly string[] }
  | { readonly type: 'events'; readonly errorQuery: string; readonly totalQuery: string }
  | { readonly type: 'raw'; readonly errorRatioQuery: string }
  | { readonly type: 'plugin'; readonly id: string; readonly options: Readonly<Record<string, string>> };

/** One SLO as a document gives it, before the cross-checks, with what messages about it need. */
export interface SloEntry {
  readonly slo: Omit<SloDefinition, 'windowMs'>;
  /** The message prefix: the file, then `document <n>` when the file holds several documents. */
  readonly where: string;
  /** Where in its document each checked field is, as message paths. */
  readonly paths: { readonly name: string; readonly objective: string; readonly window: string; readonly entity: string };
  /** The objective as written (Pyrra's is a string), for messages. */
  readonly given: { readonly objective: unknown };
}

/** `slos.yaml` after the per-document checks: each non-empty document, by its position in the file, and its SLOs. */
export interface SlosFile {
  readonly documents: ReadonlyArray<{ readonly index: number; readonly entries: readonly SloEntry[] }>;
}

const FORMS =
  'the native form (slos: [...]), a Pyrra ServiceLevelObjective (apiVersion: pyrra.dev/v1alpha1), ' +
  'a Sloth spec (version: prometheus/v1) or a Sloth PrometheusServiceLevel (apiVersion: sloth.slok.dev/v1)';

/**
 * Checks each document of `slos.yaml` (named `file` in messages) against the schema of its form: native, Pyrra
 * `ServiceLevelObjective`, Sloth `prometheus/v1` or Sloth `PrometheusServiceLevel`. Empty documents are skipped.
 * Throws ConfigError naming the file, the document when there are several, and the path.
 */
export function parseSlosDocuments(docs: readonly YamlDocument[], file: string): SlosFile {
  const several = docs.length > 1;
  return {
    documents: docs
      .filter((d) => d.value !== null)
      .map((d) => ({ index: d.index, entries: toEntries(d.value, several ? `${file}: document ${d.index}` : file) })),
  };
}

function toEntries(value: unknown, where: string): SloEntry[] {
  switch (formOf(value)) {
    case 'native':
      return toNativeSlos(value, where);
    case 'pyrra':
      return [toPyrraSlo(value, where)];
    case 'sloth':
      return toSlothSpecSlos(value, where);
    case 'sloth-crd':
      return toSlothCrdSlos(value, where);
    case undefined:
      throw new ConfigError(`${where}: expected ${FORMS}, got ${describeDocument(value)}`);
  }
}

/** Tells the form of a document by its discriminating keys only, so that the form's schema reports everything else. */
function formOf(value: unknown): 'native' | 'pyrra' | 'sloth' | 'sloth-crd' | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const doc = value as Record<string, unknown>;
  if ('apiVersion' in doc || 'kind' in doc) {
    if (doc.apiVersion === 'pyrra.dev/v1alpha1' && doc.kind === 'ServiceLevelObjective') return 'pyrra';
    if (doc.apiVersion === 'sloth.slok.dev/v1' && doc.kind === 'PrometheusServiceLevel') return 'sloth-crd';
    return undefined;
  }
  if ('version' in doc) return doc.version === 'prometheus/v1' ? 'sloth' : undefined;
  // A Sloth spec without its `version`: its schema then says `version: missing`.
  if ('service' in doc) return 'sloth';
  if ('slos' in doc || Object.keys(doc).length === 0) return 'native';
  return undefined;
}

function describeDocument(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return describeValue(value);
  const doc = value as Record<string, unknown>;
  if ('apiVersion' in doc || 'kind' in doc) return `apiVersion ${describeValue(doc.apiVersion)}, kind ${describeValue(doc.kind)}`;
  if ('version' in doc) return `version ${describeValue(doc.version)}`;
  const keys = Object.keys(doc);
  const shown = keys.slice(0, 3).map((k) => JSON.stringify(k)).join(', ');
  return `an object with keys ${shown}${keys.length > 3 ? ', …' : ''}`;
}

function toNativeSlos(value: unknown, where: string): SloEntry[] {
  checkYamlValue(value, where, checkNativeSlosDocument);
  return ((value as NativeSlosDocument).slos ?? []).map((s, i) => ({
    where,
    given: { objective: s.objective },
    paths: { name: `slos[${i}].name`, objective: `slos[${i}].objective`, window: `slos[${i}].window`, entity: `slos[${i}].entity` },
    slo: {
      name: s.name,
      objective: s.objective,
      window: s.window,
      ...(s.entity === undefined ? {} : { entity: s.entity }),
      labels: { ...s.labels },
      semantics: s.semantics ?? SLO_DEFAULTS.semantics,
      pageAlerts: true,
      ticketAlerts: true,
      source: 'native',
    },
  }));
}

/**
 * Cross-checks the SLOs of all documents, in file order: names unique across documents, non-zero windows,
 * objectives in (0, 100), entities that exist in the topology. Returns the definitions in code units.
 */
export function toSlos(f: SlosFile, topology: Topology): SloDefinition[] {
  const firstIn = new Map<string, number>();
  const entityIds = new Set(topology.entities.map((e) => e.id));
  const out: SloDefinition[] = [];
  for (const doc of f.documents) {
    for (const { slo, where, paths, given } of doc.entries) {
      const prev = firstIn.get(slo.name);
      if (prev !== undefined) {
        const first = prev === doc.index ? '' : ` (first in document ${prev})`;
        throw new ConfigError(`${where}: ${paths.name}: duplicate SLO ${JSON.stringify(slo.name)}${first}`);
      }
      firstIn.set(slo.name, doc.index);
      // Every form's window passed DurationString, or is Sloth's fixed period.
      const windowMs = parseDuration(slo.window) as number;
      if (windowMs === 0) throw new ConfigError(`${where}: ${paths.window}: must be longer than 0`);
      // Burn-rate windows start on the evaluation grid (whole minutes), which is what keeps them exact.
      if (windowMs % 60_000 !== 0) throw new ConfigError(`${where}: ${paths.window}: must be a whole number of minutes, got ${slo.window}`);
      if (!(slo.objective > 0 && slo.objective < 100)) {
        throw new ConfigError(`${where}: ${paths.objective}: expected a percentage between 0 and 100, got ${describeObjective(given.objective)}`);
      }
      if (slo.entity !== undefined && !entityIds.has(slo.entity)) {
        throw new ConfigError(`${where}: ${paths.entity}: ${JSON.stringify(slo.entity)} is not an entity of topology.yaml`);
      }
      out.push({ ...slo, windowMs });
    }
  }
  return out;
}

function describeObjective(v: unknown): string {
  return typeof v === 'number' ? String(v) : describeValue(v);
}
