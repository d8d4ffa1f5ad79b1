import { Type } from '@sinclair/typebox';
import { compileSchema } from '../../model/schema.js';
import { checkHttpConfig, checkUrl, HttpConfigSchema, parseConfigObject, plainOrDefault, rejectTemplate, UrlString, type HttpConfig } from '../http-config.js';

/**
 * Alertmanager's `slack_configs` entry, the part that makes sense without Go templates: an incoming webhook
 * `api_url`, `channel`, `username`, icons, and plain-text `title`/`text` overrides. `api_url_file`, `fields`,
 * `actions` and the other template-driven keys are not supported (rejected as unknown).
 */
export const SlackConfigSchema = Type.Object(
  {
    api_url: UrlString,
    channel: Type.Optional(Type.String({ minLength: 1 })),
    username: Type.Optional(Type.String({ minLength: 1 })),
    icon_emoji: Type.Optional(Type.String({ minLength: 1 })),
    icon_url: Type.Optional(UrlString),
    title: Type.Optional(Type.String({ minLength: 1 })),
    text: Type.Optional(Type.String({ minLength: 1 })),
    send_resolved: Type.Optional(Type.Boolean()),
    http_config: Type.Optional(HttpConfigSchema),
  },
  { additionalProperties: false },
);
const checkSlackConfig = compileSchema(SlackConfigSchema);

/** A parsed `slack_configs` entry with Alertmanager's defaults applied. */
export interface SlackConfig {
  readonly apiUrl: string;
  readonly channel: string | undefined;
  readonly username: string | undefined;
  readonly iconEmoji: string | undefined;
  readonly iconUrl: string | undefined;
  /** Replaces the generated attachment title (`[FIRING] <incident title>`). */
  readonly title: string | undefined;
  /** Replaces the generated attachment text. */
  readonly text: string | undefined;
  /** Default false, as in Alertmanager's `slack_configs`. */
  readonly sendResolved: boolean;
  readonly httpConfig: HttpConfig | undefined;
}

/** Validates one `slack_configs` entry; throws ConfigError naming `at`. */
export function parseSlackConfig(raw: unknown, at: string): SlackConfig {
  const c = parseConfigObject<typeof SlackConfigSchema>(checkSlackConfig, raw, at);
  checkUrl(c.api_url, `${at}.api_url`);
  if (c.icon_url !== undefined) checkUrl(c.icon_url, `${at}.icon_url`);
  for (const key of ['channel', 'username'] as const) rejectTemplate(c[key], `${at}.${key}`);
  checkHttpConfig(c.http_config, `${at}.http_config`);
  return Object.freeze({
    apiUrl: c.api_url,
    channel: c.channel,
    username: c.username,
    iconEmoji: c.icon_emoji,
    iconUrl: c.icon_url,
    title: plainOrDefault(c.title),
    text: plainOrDefault(c.text),
    sendResolved: c.send_resolved ?? false,
    httpConfig: c.http_config,
  });
}
