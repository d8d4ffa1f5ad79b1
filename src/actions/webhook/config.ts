import { Type } from '@sinclair/typebox';
import { compileSchema } from '../../model/schema.js';
import { checkHttpConfig, checkUrl, HttpConfigSchema, parseConfigObject, UrlString, type HttpConfig } from '../http-config.js';

/** Alertmanager's `webhook_configs` entry; `url_file` and `timeout` are not supported (the outbox owns timeouts). */
export const WebhookConfigSchema = Type.Object(
  {
    url: UrlString,
    send_resolved: Type.Optional(Type.Boolean()),
    max_alerts: Type.Optional(Type.Integer({ minimum: 0 })),
    http_config: Type.Optional(HttpConfigSchema),
  },
  { additionalProperties: false },
);
const checkWebhookConfig = compileSchema(WebhookConfigSchema);

/** A parsed `webhook_configs` entry with Alertmanager's defaults applied. */
export interface WebhookConfig {
  readonly url: string;
  /** Default true, as in Alertmanager. */
  readonly sendResolved: boolean;
  /** At most this many alerts per message; 0 means all, as in Alertmanager. */
  readonly maxAlerts: number;
  readonly httpConfig: HttpConfig | undefined;
}

/** Validates one `webhook_configs` entry; throws ConfigError naming `at`. */
export function parseWebhookConfig(raw: unknown, at: string): WebhookConfig {
  const c = parseConfigObject<typeof WebhookConfigSchema>(checkWebhookConfig, raw, at);
  checkUrl(c.url, `${at}.url`);
  checkHttpConfig(c.http_config, `${at}.http_config`);
  return Object.freeze({ url: c.url, sendResolved: c.send_resolved ?? true, maxAlerts: c.max_alerts ?? 0, httpConfig: c.http_config });
}
