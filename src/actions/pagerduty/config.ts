import { Type } from '@sinclair/typebox';
import type { Severity } from '../../model/index.js';
import { compileSchema } from '../../model/schema.js';
import { checkHttpConfig, checkUrl, HttpConfigSchema, parseConfigObject, plainOrDefault, rejectTemplate, UrlString, type HttpConfig } from '../http-config.js';

/** The four severities of PagerDuty's Common Event Format. */
export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
/** A PagerDuty `payload.severity`. */
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

const PdSeverity = Type.Union(PAGERDUTY_SEVERITIES.map((s) => Type.Literal(s)));

/** The default mapping of stormcell severities to PagerDuty's. */
export const DEFAULT_SEVERITY_MAP: Readonly<Record<Severity, PagerDutySeverity>> = Object.freeze({
  sev1: 'critical',
  sev2: 'error',
  sev3: 'warning',
  sev4: 'info',
});

/**
 * Alertmanager's `pagerduty_configs` entry for the Events API v2. `severity` is either one PagerDuty severity for
 * every incident (what a plain Alertmanager value means) or a map from `sev1`…`sev4`, merged over the default.
 * `service_key` (Events API v1), `routing_key_file`, `images` and template-driven values are not supported.
 */
export const PagerDutyConfigSchema = Type.Object(
  {
    routing_key: Type.String({ minLength: 1 }),
    url: Type.Optional(UrlString),
    severity: Type.Optional(
      Type.Union([
        PdSeverity,
        // A template (`{{ .CommonLabels.severity }}`) as Alertmanager configs have it: stormcell maps sev1–sev4 itself.
        Type.String({ pattern: '\\{\\{', expected: 'one of "critical", "error", "warning", "info", a Go template or an object' }),
        Type.Object(
          { sev1: Type.Optional(PdSeverity), sev2: Type.Optional(PdSeverity), sev3: Type.Optional(PdSeverity), sev4: Type.Optional(PdSeverity) },
          { additionalProperties: false },
        ),
      ]),
    ),
    description: Type.Optional(Type.String({ minLength: 1 })),
    client: Type.Optional(Type.String({ minLength: 1 })),
    client_url: Type.Optional(UrlString),
    source: Type.Optional(Type.String({ minLength: 1 })),
    component: Type.Optional(Type.String({ minLength: 1 })),
    group: Type.Optional(Type.String({ minLength: 1 })),
    class: Type.Optional(Type.String({ minLength: 1 })),
    details: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String())),
    links: Type.Optional(
      Type.Array(Type.Object({ href: UrlString, text: Type.Optional(Type.String()) }, { additionalProperties: false })),
    ),
    send_resolved: Type.Optional(Type.Boolean()),
    http_config: Type.Optional(HttpConfigSchema),
  },
  { additionalProperties: false },
);
const checkPagerDutyConfig = compileSchema(PagerDutyConfigSchema);

/** A parsed `pagerduty_configs` entry with defaults applied. */
export interface PagerDutyConfig {
  readonly routingKey: string;
  /** Default `https://events.pagerduty.com/v2/enqueue`. */
  readonly url: string;
  readonly severity: Readonly<Record<Severity, PagerDutySeverity>>;
  /** Replaces the generated summary (`[sev1] <title>`). */
  readonly description: string | undefined;
  /** Default `stormcell`. */
  readonly client: string;
  readonly clientUrl: string | undefined;
  readonly source: string | undefined;
  readonly component: string | undefined;
  readonly group: string | undefined;
  readonly class: string | undefined;
  readonly details: Readonly<Record<string, string>>;
  readonly links: ReadonlyArray<{ href: string; text?: string }>;
  /** Default true, as in Alertmanager. */
  readonly sendResolved: boolean;
  readonly httpConfig: HttpConfig | undefined;
}

/** The Events API v2 endpoint, as Alertmanager's default `url`. */
export const DEFAULT_PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Validates one `pagerduty_configs` entry; throws ConfigError naming `at`. */
export function parsePagerDutyConfig(raw: unknown, at: string): PagerDutyConfig {
  const c = parseConfigObject<typeof PagerDutyConfigSchema>(checkPagerDutyConfig, raw, at);
  if (c.url !== undefined) checkUrl(c.url, `${at}.url`);
  if (c.client_url !== undefined) checkUrl(c.client_url, `${at}.client_url`);
  c.links?.forEach((l, i) => checkUrl(l.href, `${at}.links[${i}].href`));
  rejectTemplate(c.routing_key, `${at}.routing_key`);
  checkHttpConfig(c.http_config, `${at}.http_config`);
  const fixed = typeof c.severity === 'string' ? (plainOrDefault(c.severity) as PagerDutySeverity | undefined) : undefined;
  const severity = fixed !== undefined ? { sev1: fixed, sev2: fixed, sev3: fixed, sev4: fixed } : { ...DEFAULT_SEVERITY_MAP, ...(typeof c.severity === 'object' ? c.severity : {}) };
  return Object.freeze({
    routingKey: c.routing_key,
    url: c.url ?? DEFAULT_PAGERDUTY_URL,
    severity: Object.freeze(severity),
    description: plainOrDefault(c.description),
    client: plainOrDefault(c.client) ?? 'stormcell',
    clientUrl: c.client_url,
    source: plainOrDefault(c.source),
    component: plainOrDefault(c.component),
    group: plainOrDefault(c.group),
    class: plainOrDefault(c.class),
    // Templated details say what stormcell's own details (incident, cause, deploys) say better.
    details: Object.freeze(Object.fromEntries(Object.entries(c.details ?? {}).filter(([, v]) => plainOrDefault(v) !== undefined))),
    links: Object.freeze([...(c.links ?? [])]),
    sendResolved: c.send_resolved ?? true,
    httpConfig: c.http_config,
  });
}
