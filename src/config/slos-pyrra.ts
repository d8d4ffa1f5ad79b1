import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { compileSchema, describeValue } from '../model/schema.js';
import { DurationString } from './durations.js';
import type { SloEntry, SloIndicator } from './slos-config.js';
import { checkYamlValue } from './yaml-file.js';

/** The annotation of a Kubernetes-style SLO document (Pyrra, Sloth's CRD) naming the topology entity its burn alerts bind to. */
export const ENTITY_ANNOTATION = 'stormcell.io/entity';

const StringMap = Type.Record(Type.String({ minLength: 1 }), Type.String());

/**
 * Kubernetes `metadata` (ObjectMeta) as `kubectl get -o yaml` writes it. stormcell reads `name`, `labels` and
 * `annotations`; the fields the API server sets are accepted so that an exported object loads unchanged.
 */
export function kubernetesMetadata<N extends TSchema>(name: N) {
  return Type.Object(
    {
      name,
      namespace: Type.Optional(Type.String()),
      labels: Type.Optional(StringMap),
      annotations: Type.Optional(StringMap),
      generateName: Type.Optional(Type.String()),
      uid: Type.Optional(Type.Unknown()),
      resourceVersion: Type.Optional(Type.Unknown()),
      generation: Type.Optional(Type.Unknown()),
      creationTimestamp: Type.Optional(Type.Unknown()),
      deletionTimestamp: Type.Optional(Type.Unknown()),
      deletionGracePeriodSeconds: Type.Optional(Type.Unknown()),
      finalizers: Type.Optional(Type.Unknown()),
      ownerReferences: Type.Optional(Type.Unknown()),
      managedFields: Type.Optional(Type.Unknown()),
      selfLink: Type.Optional(Type.Unknown()),
      clusterName: Type.Optional(Type.Unknown()),
    },
    { additionalProperties: false },
  );
}

const Query = Type.Object({ metric: Type.String({ minLength: 1 }) }, { additionalProperties: false });
// Pyrra's own generated YAML writes an unset grouping as `grouping: null`.
const Grouping = Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1 })), Type.Null()]));

/**
 * A Pyrra `ServiceLevelObjective` (pyrra.dev/v1alpha1), field for field as Pyrra's CRD types
 * (`kubernetes/api/v1alpha1/servicelevelobjective_types.go`) and its generated CRD accept them. Pyrra's
 * filesystem mode unmarshals strictly too, so an unknown key is an error here as it is there.
 * `target` may also be a YAML number, which Pyrra itself would refuse.
 */
export const PyrraDocumentSchema = Type.Object(
  {
    apiVersion: Type.Literal('pyrra.dev/v1alpha1'),
    kind: Type.Literal('ServiceLevelObjective'),
    metadata: kubernetesMetadata(Type.String({ minLength: 1 })),
    spec: Type.Object(
      {
        description: Type.Optional(Type.String()),
        target: Type.Union([Type.String(), Type.Number()]),
        window: DurationString,
        indicator: Type.Object(
          {
            ratio: Type.Optional(Type.Object({ errors: Query, total: Query, grouping: Grouping }, { additionalProperties: false })),
            latency: Type.Optional(Type.Object({ success: Query, total: Query, grouping: Grouping }, { additionalProperties: false })),
            latencyNative: Type.Optional(
              Type.Object({ total: Query, latency: DurationString, grouping: Grouping }, { additionalProperties: false }),
            ),
            bool_gauge: Type.Optional(
              Type.Object({ metric: Type.String({ minLength: 1 }), grouping: Grouping }, { additionalProperties: false }),
            ),
          },
          { additionalProperties: false },
        ),
        alerting: Type.Optional(
          Type.Object(
            {
              disabled: Type.Optional(Type.Boolean()),
              burnrates: Type.Optional(Type.Boolean()),
              absent: Type.Optional(Type.Boolean()),
              name: Type.Optional(Type.String()),
              absentName: Type.Optional(Type.String()),
              // In Pyrra's examples for dynamic burn rates (examples/dynamic-burn-rate-*.yaml).
              burnRateType: Type.Optional(Type.Union([Type.Literal('static'), Type.Literal('dynamic')])),
            },
            { additionalProperties: false },
          ),
        ),
        partial_response_strategy: Type.Optional(Type.Union([Type.Literal('abort'), Type.Literal('warn'), Type.Literal('')])),
        // In Pyrra's generated CRD (examples/kubernetes/manifests/setup/pyrra-slo-CustomResourceDefinition.yaml).
        rulenamespace: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    status: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type PyrraDocument = Static<typeof PyrraDocumentSchema>;
const checkPyrraDocument = compileSchema(PyrraDocumentSchema);

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Maps one Pyrra document to its SLO. The name is `metadata.name`, the labels `metadata.labels`, the entity the
 * `stormcell.io/entity` annotation; `alerting.disabled: true` or `burnrates: false` turns off both page and ticket
 * alerts. The indicator's metrics are kept for display only: stormcell takes this SLO's SLI from the
 * `POST /api/v1/sli` counters that carry its name, never from Prometheus. Throws ConfigError prefixed by `where`.
 */
export function toPyrraSlo(value: unknown, where: string): SloEntry {
  checkYamlValue(value, where, checkPyrraDocument);
  const doc = value as PyrraDocument;
  const { spec, metadata } = doc;
  const objective = typeof spec.target === 'number' ? spec.target : DECIMAL.test(spec.target.trim()) ? Number(spec.target) : NaN;
  if (!Number.isFinite(objective)) {
    throw new ConfigError(`${where}: spec.target: expected a percentage between 0 and 100, got ${describeValue(spec.target)}`);
  }
  const entity = metadata.annotations?.[ENTITY_ANNOTATION];
  const alertsOn = spec.alerting?.disabled !== true && spec.alerting?.burnrates !== false;
  return {
    where,
    given: { objective: spec.target },
    paths: {
      name: 'metadata.name',
      objective: 'spec.target',
      window: 'spec.window',
      entity: `metadata.annotations[${JSON.stringify(ENTITY_ANNOTATION)}]`,
    },
    slo: {
      name: metadata.name,
      objective,
      window: spec.window,
      ...(entity === undefined ? {} : { entity }),
      labels: { ...metadata.labels },
      semantics: 'prometheus',
      pageAlerts: alertsOn,
      ticketAlerts: alertsOn,
      source: 'pyrra',
      ...(spec.description === undefined || spec.description === '' ? {} : { description: spec.description }),
      indicator: toIndicator(spec.indicator, where),
    },
  };
}

function toIndicator(ind: PyrraDocument['spec']['indicator'], where: string): SloIndicator {
  const set = (['ratio', 'latency', 'latencyNative', 'bool_gauge'] as const).filter((k) => ind[k] !== undefined);
  if (set.length !== 1) {
    const got = set.length === 0 ? 'none' : set.join(', ');
    throw new ConfigError(`${where}: spec.indicator: expected exactly one of ratio, latency, latencyNative, bool_gauge, got ${got}`);
  }
  const grouping = (g: readonly string[] | null | undefined) => (g === undefined || g === null ? {} : { grouping: [...g] });
  if (ind.ratio !== undefined) return { type: 'ratio', errors: ind.ratio.errors.metric, total: ind.ratio.total.metric, ...grouping(ind.ratio.grouping) };
  if (ind.latency !== undefined) {
    return { type: 'latency', success: ind.latency.success.metric, total: ind.latency.total.metric, ...grouping(ind.latency.grouping) };
  }
  if (ind.latencyNative !== undefined) {
    const n = ind.latencyNative;
    return { type: 'latencyNative', total: n.total.metric, latency: n.latency, ...grouping(n.grouping) };
  }
  const b = ind.bool_gauge as NonNullable<typeof ind.bool_gauge>; // exactly one is set, checked above
  return { type: 'bool_gauge', metric: b.metric, ...grouping(b.grouping) };
}
