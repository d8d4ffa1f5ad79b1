/**
 * Config pieces shared by the plugins that read Alertmanager's keys: `http_config` (the subset of Prometheus'
 * `HTTPClientConfig` that sets credentials), URL fields, and the check that refuses Go templates, which stormcell
 * does not execute.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { compileSchema, describeValue } from '../model/schema.js';

/** A string config field holding an http(s) URL; the pattern gives the message, {@link checkUrl} the real parse. */
export const UrlString = Type.String({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://.+', expected: 'a URL' });

/**
 * Prometheus `http_config`, only its credential keys: `authorization` (`type` defaults to `Bearer`),
 * `basic_auth` and the deprecated `bearer_token`. TLS, proxy and OAuth2 keys are not supported and are rejected as
 * unknown, so a config that relies on them fails at load instead of sending without them.
 */
export const HttpConfigSchema = Type.Object(
  {
    authorization: Type.Optional(
      Type.Object(
        { type: Type.Optional(Type.String({ minLength: 1 })), credentials: Type.String({ minLength: 1 }) },
        { additionalProperties: false },
      ),
    ),
    basic_auth: Type.Optional(
      Type.Object({ username: Type.String({ minLength: 1 }), password: Type.Optional(Type.String()) }, { additionalProperties: false }),
    ),
    bearer_token: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
/** A parsed `http_config`. */
export type HttpConfig = Static<typeof HttpConfigSchema>;

/**
 * Checks `raw` against a compiled plugin schema and returns it typed, or throws `ConfigError` whose message starts
 * with `at` (`routing.yaml: receivers[1].slack_configs[0].api_url: expected a URL, got "x"`).
 */
export function parseConfigObject<T extends TSchema>(check: ReturnType<typeof compileSchema>, raw: unknown, at: string): Static<T> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${at}: expected an object, got ${describeValue(raw)}`);
  }
  const problem = check(raw, at);
  if (problem !== null) throw new ConfigError(problem);
  return raw as Static<T>;
}

/** Throws unless `value` parses as an http or https URL; returns it unchanged. */
export function checkUrl(value: string, at: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (err) {
    throw new ConfigError(`${at}: expected a URL, got ${describeValue(value)}`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${at}: expected an http or https URL, got ${describeValue(value)}`);
  return value;
}

/** Throws when a plain-text override holds a Go template: Alertmanager would expand it, stormcell would send it raw. */
/**
 * A presentation field (a title, a text, a description) as plain text, or undefined when it is a Go template: an
 * existing alertmanager.yml must load unchanged, and where it templates what a message says, stormcell says it its
 * own way (the incident's title, severity, cause). Fields that name a destination still refuse templates.
 */
export function plainOrDefault(value: string | undefined): string | undefined {
  return value !== undefined && value.includes('{{') ? undefined : value;
}

export function rejectTemplate(value: string | undefined, at: string): void {
  if (value !== undefined && value.includes('{{')) {
    throw new ConfigError(`${at}: Go templates are not supported, use plain text, got ${describeValue(value)}`);
  }
}

/** Checks the combination rules Prometheus' config enforces (at most one way to send credentials) and header safety. */
export function checkHttpConfig(c: HttpConfig | undefined, at: string): void {
  if (c === undefined) return;
  const ways = [c.authorization, c.basic_auth, c.bearer_token].filter((v) => v !== undefined).length;
  if (ways > 1) throw new ConfigError(`${at}: at most one of authorization, basic_auth and bearer_token may be configured`);
  checkHeaderValue(c.authorization?.type, `${at}.authorization.type`);
  checkHeaderValue(c.authorization?.credentials, `${at}.authorization.credentials`);
  checkHeaderValue(c.bearer_token, `${at}.bearer_token`);
}

/**
 * Throws when a value that goes into a header holds a line break or control character: fetch would throw a TypeError
 * for it at send time, which the outbox treats as a bug and dead-letters. The value is not echoed: it is a secret.
 */
export function checkHeaderValue(value: string | undefined, at: string): void {
  if (value !== undefined && !/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) throw new ConfigError(`${at}: must not contain line breaks or control characters`);
}

/** The `Authorization` header an `http_config` asks for, if any. */
export function authHeaders(c: HttpConfig | undefined): Record<string, string> {
  if (c === undefined) return {};
  if (c.authorization !== undefined) return { Authorization: `${c.authorization.type ?? 'Bearer'} ${c.authorization.credentials}` };
  if (c.basic_auth !== undefined) return { Authorization: basicAuth(c.basic_auth.username, c.basic_auth.password ?? '') };
  if (c.bearer_token !== undefined) return { Authorization: `Bearer ${c.bearer_token}` };
  return {};
}

/** RFC 7617 Basic credentials. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** `${base}${path}` with exactly one `/` between them, for API bases configured with or without a trailing slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The console link of an incident: `<externalURL>/incidents/<id>`. */
export function incidentUrl(externalURL: string, incidentId: string): string {
  return joinUrl(externalURL, `incidents/${encodeURIComponent(incidentId)}`);
}
