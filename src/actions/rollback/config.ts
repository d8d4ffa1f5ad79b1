import { Type } from '@sinclair/typebox';
import { ConfigError } from '../../errors.js';
import { compileSchema, describeValue, formatPath } from '../../model/schema.js';
import { checkUrl, parseConfigObject, UrlString } from '../http-config.js';

/**
 * `rollback_configs` (stormcell's own): a runbook endpoint that rolls a suspected deploy back. `headers` carry its
 * credentials; `dry_run` records the decision without calling.
 */
export const RollbackConfigSchema = Type.Object(
  {
    url: UrlString,
    method: Type.Optional(Type.Union([Type.Literal('POST'), Type.Literal('PUT')])),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    min_score: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    allow_services: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    dry_run: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const checkRollbackConfig = compileSchema(RollbackConfigSchema);
/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A parsed `rollback_configs` entry with defaults applied. */
export interface RollbackConfig {
  readonly url: string;
  /** Default POST. */
  readonly method: 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  /** Default 0.8: the top suspected deploy needs at least this score. */
  readonly minScore: number;
  /** When set, only these services are rolled back. */
  readonly allowServices: readonly string[] | undefined;
  /** Default false. */
  readonly dryRun: boolean;
}

/** Validates one `rollback_configs` entry; throws ConfigError naming `at`. */
export function parseRollbackConfig(raw: unknown, at: string): RollbackConfig {
  const c = parseConfigObject<typeof RollbackConfigSchema>(checkRollbackConfig, raw, at);
  checkUrl(c.url, `${at}.url`);
  for (const [name, value] of Object.entries(c.headers ?? {})) {
    // fetch throws a TypeError for these at send time, which would dead-letter every rollback as a bug.
    if (!HEADER_NAME.test(name)) throw new ConfigError(`${formatPath(`${at}.headers`, [name])}: expected an HTTP header name`);
    if (!HEADER_VALUE.test(value)) throw new ConfigError(`${formatPath(`${at}.headers`, [name])}: expected a header value without line breaks, got ${describeValue(value)}`);
  }
  return Object.freeze({
    url: c.url,
    method: c.method ?? 'POST',
    headers: Object.freeze({ ...c.headers }),
    minScore: c.min_score ?? 0.8,
    allowServices: c.allow_services === undefined ? undefined : Object.freeze([...c.allow_services]),
    dryRun: c.dry_run ?? false,
  });
}
