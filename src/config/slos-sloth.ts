import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { compileSchema } from '../model/schema.js';
import { DurationString } from './durations.js';
import type { SloEntry, SloIndicator } from './slos-config.js';
import { ENTITY_ANNOTATION, kubernetesMetadata } from './slos-pyrra.js';
import { checkYamlValue } from './yaml-file.js';

/**
 * Sloth's SLO period. Sloth takes it from the CLI (`--default-slo-period`, default 30d), not from the spec, so a
 * Sloth document here always has this window.
 */
export const SLOTH_SLO_PERIOD = '30d';

const StringMap = Type.Record(Type.String({ minLength: 1 }), Type.String());
const strict = { additionalProperties: false } as const;

/** `slo_plugins` / `plugins` (`sloPlugins` / `plugins` in the CRD): accepted and ignored, they shape Sloth's rules. */
const SloPlugins = Type.Object(
  {
    overridePrevious: Type.Optional(Type.Boolean()),
    chain: Type.Array(
      Type.Object(
        { id: Type.String({ minLength: 1 }), config: Type.Optional(Type.Unknown()), priority: Type.Optional(Type.Integer()) },
        strict,
      ),
    ),
  },
  strict,
);

function alert(extra: Record<string, TSchema>) {
  return Type.Object(
    { disable: Type.Optional(Type.Boolean()), labels: Type.Optional(StringMap), annotations: Type.Optional(StringMap), ...extra },
    strict,
  );
}

const SliPlugin = Type.Object({ id: Type.String({ minLength: 1 }), options: Type.Optional(StringMap) }, strict);

/**
 * A Sloth `prometheus/v1` spec, as Sloth's `pkg/prometheus/api/v1` declares it: snake_case keys. Also accepted
 * from Sloth's examples and plugins: an SLO's `infoLabels` and `interval`, an alert's `for` (alert_for plugin).
 */
export const SlothSpecSchema = Type.Object(
  {
    version: Type.Literal('prometheus/v1'),
    service: Type.String({ minLength: 1 }),
    labels: Type.Optional(StringMap),
    slo_plugins: Type.Optional(SloPlugins),
    slos: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          description: Type.Optional(Type.String()),
          objective: Type.Number(),
          labels: Type.Optional(StringMap),
          infoLabels: Type.Optional(StringMap),
          plugins: Type.Optional(SloPlugins),
          sli: Type.Object(
            {
              events: Type.Optional(
                Type.Object({ error_query: Type.String({ minLength: 1 }), total_query: Type.String({ minLength: 1 }) }, strict),
              ),
              raw: Type.Optional(Type.Object({ error_ratio_query: Type.String({ minLength: 1 }) }, strict)),
              plugin: Type.Optional(SliPlugin),
            },
            strict,
          ),
          alerting: Type.Object(
            {
              name: Type.Optional(Type.String()),
              labels: Type.Optional(StringMap),
              annotations: Type.Optional(StringMap),
              page_alert: Type.Optional(alert({ for: Type.Optional(DurationString) })),
              ticket_alert: Type.Optional(alert({ for: Type.Optional(DurationString) })),
            },
            strict,
          ),
          interval: Type.Optional(
            Type.Object(
              {
                all: Type.Optional(DurationString),
                slierror: Type.Optional(DurationString),
                metadata: Type.Optional(DurationString),
                alert: Type.Optional(DurationString),
              },
              strict,
            ),
          ),
        },
        strict,
      ),
      { minItems: 1 },
    ),
  },
  strict,
);
export type SlothSpec = Static<typeof SlothSpecSchema>;
const checkSlothSpec = compileSchema(SlothSpecSchema);

/**
 * A Sloth `PrometheusServiceLevel` (sloth.slok.dev/v1), as Sloth's `pkg/kubernetes/api/sloth/v1` declares it:
 * the spec of {@link SlothSpecSchema} without `version`, with camelCase keys (`errorQuery`, `pageAlert`, …).
 */
export const SlothCrdSchema = Type.Object(
  {
    apiVersion: Type.Literal('sloth.slok.dev/v1'),
    kind: Type.Literal('PrometheusServiceLevel'),
    metadata: Type.Optional(kubernetesMetadata(Type.Optional(Type.String()))),
    spec: Type.Object(
      {
        service: Type.String({ minLength: 1 }),
        labels: Type.Optional(StringMap),
        sloPlugins: Type.Optional(SloPlugins),
        slos: Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 128 }),
              description: Type.Optional(Type.String()),
              objective: Type.Number(),
              labels: Type.Optional(StringMap),
              plugins: Type.Optional(SloPlugins),
              sli: Type.Object(
                {
                  events: Type.Optional(
                    Type.Object({ errorQuery: Type.String({ minLength: 1 }), totalQuery: Type.String({ minLength: 1 }) }, strict),
                  ),
                  raw: Type.Optional(Type.Object({ errorRatioQuery: Type.String({ minLength: 1 }) }, strict)),
                  plugin: Type.Optional(SliPlugin),
                },
                strict,
              ),
              alerting: Type.Object(
                {
                  name: Type.Optional(Type.String()),
                  labels: Type.Optional(StringMap),
                  annotations: Type.Optional(StringMap),
                  pageAlert: Type.Optional(alert({})),
                  ticketAlert: Type.Optional(alert({})),
                },
                strict,
              ),
            },
            strict,
          ),
          { minItems: 1 },
        ),
      },
      strict,
    ),
    status: Type.Optional(Type.Unknown()),
  },
  strict,
);
export type SlothCrd = Static<typeof SlothCrdSchema>;
const checkSlothCrd = compileSchema(SlothCrdSchema);

/** One Sloth SLO in the shape both Sloth forms share. */
interface SlothSlo {
  readonly name: string;
  readonly description: string | undefined;
  readonly objective: number;
  readonly labels: Record<string, string> | undefined;
  readonly indicator: SloIndicator | undefined;
  readonly pageDisabled: boolean;
  readonly ticketDisabled: boolean;
}

/**
 * Maps a Sloth `prometheus/v1` spec to its SLOs. Throws ConfigError prefixed by `where`.
 * See {@link toSlothSlos} for the mapping.
 */
export function toSlothSpecSlos(value: unknown, where: string): SloEntry[] {
  checkYamlValue(value, where, checkSlothSpec);
  const spec = value as SlothSpec;
  const slos = spec.slos.map((s): SlothSlo => {
    const { events, raw, plugin } = s.sli;
    return {
      name: s.name,
      description: s.description,
      objective: s.objective,
      labels: s.labels,
      indicator: oneIndicator([
        events && { type: 'events', errorQuery: events.error_query, totalQuery: events.total_query },
        raw && { type: 'raw', errorRatioQuery: raw.error_ratio_query },
        plugin && { type: 'plugin', id: plugin.id, options: { ...plugin.options } },
      ]),
      pageDisabled: s.alerting.page_alert?.disable === true,
      ticketDisabled: s.alerting.ticket_alert?.disable === true,
    };
  });
  return toSlothSlos(spec.service, spec.labels, slos, where, 'slos', undefined);
}

/**
 * Maps a Sloth `PrometheusServiceLevel` to its SLOs; the `stormcell.io/entity` annotation of its metadata binds
 * all of them. Throws ConfigError prefixed by `where`. See {@link toSlothSlos} for the mapping.
 */
export function toSlothCrdSlos(value: unknown, where: string): SloEntry[] {
  checkYamlValue(value, where, checkSlothCrd);
  const doc = value as SlothCrd;
  const slos = doc.spec.slos.map((s): SlothSlo => {
    const { events, raw, plugin } = s.sli;
    return {
      name: s.name,
      description: s.description,
      objective: s.objective,
      labels: s.labels,
      indicator: oneIndicator([
        events && { type: 'events', errorQuery: events.errorQuery, totalQuery: events.totalQuery },
        raw && { type: 'raw', errorRatioQuery: raw.errorRatioQuery },
        plugin && { type: 'plugin', id: plugin.id, options: { ...plugin.options } },
      ]),
      pageDisabled: s.alerting.pageAlert?.disable === true,
      ticketDisabled: s.alerting.ticketAlert?.disable === true,
    };
  });
  return toSlothSlos(doc.spec.service, doc.spec.labels, slos, where, 'spec.slos', doc.metadata?.annotations?.[ENTITY_ANNOTATION]);
}

/**
 * The Sloth mapping: the SLO's name is Sloth's SLO id `<service>-<slo name>`, its window Sloth's period
 * ({@link SLOTH_SLO_PERIOD}), its labels the spec's labels, then the SLO's, then `service`; `disable` on the page
 * or ticket alert turns that alert off. The SLI queries are kept for display only: stormcell takes the SLI from the
 * `POST /api/v1/sli` counters that carry the SLO's name, never from Prometheus.
 */
function toSlothSlos(
  service: string,
  labels: Record<string, string> | undefined,
  slos: readonly SlothSlo[],
  where: string,
  root: string,
  entity: string | undefined,
): SloEntry[] {
  return slos.map((s, i) => {
    if (s.indicator === undefined) throw new ConfigError(`${where}: ${root}[${i}].sli: expected exactly one of events, raw, plugin`);
    return {
      where,
      given: { objective: s.objective },
      paths: {
        name: `${root}[${i}].name`,
        objective: `${root}[${i}].objective`,
        window: `${root}[${i}]`,
        entity: `metadata.annotations[${JSON.stringify(ENTITY_ANNOTATION)}]`,
      },
      slo: {
        name: `${service}-${s.name}`,
        objective: s.objective,
        window: SLOTH_SLO_PERIOD,
        ...(entity === undefined ? {} : { entity }),
        labels: { ...labels, ...s.labels, service },
        semantics: 'prometheus',
        pageAlerts: !s.pageDisabled,
        ticketAlerts: !s.ticketDisabled,
        source: 'sloth',
        ...(s.description === undefined || s.description === '' ? {} : { description: s.description }),
        indicator: s.indicator,
      },
    };
  });
}

/** The one SLI type set, or undefined when none or several are: Sloth allows exactly one. */
function oneIndicator(candidates: ReadonlyArray<SloIndicator | undefined>): SloIndicator | undefined {
  const set = candidates.filter((c): c is SloIndicator => c !== undefined);
  return set.length === 1 ? set[0] : undefined;
}
