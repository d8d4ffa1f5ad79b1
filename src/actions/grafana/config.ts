import { Type } from '@sinclair/typebox';
import { ConfigError } from '../../errors.js';
import { compileSchema } from '../../model/schema.js';
import { checkHeaderValue, checkUrl, parseConfigObject, UrlString } from '../http-config.js';

/**
 * `grafana_configs` (stormcell's own): annotations through Grafana's HTTP API. `url` is Grafana's base URL,
 * `api_key` a service account token sent as `Authorization: Bearer`. Without `dashboard_uid` the annotation is an
 * organization annotation, shown wherever a dashboard queries the `stormcell` tag; `panel_id` needs `dashboard_uid`.
 */
export const GrafanaConfigSchema = Type.Object(
  {
    url: UrlString,
    api_key: Type.String({ minLength: 1 }),
    dashboard_uid: Type.Optional(Type.String({ minLength: 1 })),
    panel_id: Type.Optional(Type.Integer({ minimum: 0 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    deploy_annotations: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const checkGrafanaConfig = compileSchema(GrafanaConfigSchema);

/** A parsed `grafana_configs` entry. */
export interface GrafanaConfig {
  readonly url: string;
  readonly apiKey: string;
  readonly dashboardUid: string | undefined;
  readonly panelId: number | undefined;
  /** Added after stormcell's own tags. */
  readonly tags: readonly string[];
  /** Whether deploys are marked too (default true). */
  readonly deployAnnotations: boolean;
}

/** Validates one `grafana_configs` entry; throws ConfigError naming `at`. */
export function parseGrafanaConfig(raw: unknown, at: string): GrafanaConfig {
  const c = parseConfigObject<typeof GrafanaConfigSchema>(checkGrafanaConfig, raw, at);
  checkUrl(c.url, `${at}.url`);
  checkHeaderValue(c.api_key, `${at}.api_key`);
  if (c.panel_id !== undefined && c.dashboard_uid === undefined) throw new ConfigError(`${at}.panel_id: needs dashboard_uid, the dashboard the panel is on`);
  return Object.freeze({ url: c.url, apiKey: c.api_key, dashboardUid: c.dashboard_uid, panelId: c.panel_id, tags: Object.freeze([...(c.tags ?? [])]), deployAnnotations: c.deploy_annotations ?? true });
}
