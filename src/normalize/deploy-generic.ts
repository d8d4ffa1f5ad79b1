import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import type { DeployEvent, Event, Instant } from '../model/index.js';
import { parseRfc3339 } from '../model/index.js';
import { compileSchema, describeValue } from '../model/schema.js';

const OptionalText = Type.Optional(Type.String({ minLength: 1 }));

/** `POST /webhook/deploys/generic` (CONTRACT §1). Our own format, so strict: an unknown field is an error. */
export const GenericDeploy = Type.Object(
  {
    service: Type.String({ minLength: 1 }),
    version: Type.String({ minLength: 1 }),
    previousVersion: OptionalText,
    environment: OptionalText,
    cluster: OptionalText,
    namespace: OptionalText,
    at: Type.String({ expected: 'an RFC 3339 time' }),
    status: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('rolled_back')])),
    commit: OptionalText,
    author: OptionalText,
    url: OptionalText,
  },
  { additionalProperties: false },
);
type GenericDeploy = Static<typeof GenericDeploy>;

const checkGenericDeploy = compileSchema(GenericDeploy);

/** The optional text fields, copied only when present so an event never carries `undefined` values. */
const OPTIONAL_FIELDS = ['previousVersion', 'environment', 'cluster', 'namespace', 'commit', 'author', 'url'] as const;

/**
 * Parses a generic deploy (`POST /webhook/deploys/generic`) into one deploy event received at `ts`, with
 * `deployedAt` the payload's `at`. Throws {@link InputError} on the first problem. A missing `status` is `succeeded`.
 */
export function parseDeployGeneric(body: unknown, ts: Instant): Event[] {
  const problem = checkGenericDeploy(body, '');
  if (problem !== null) throw new InputError(problem);
  const d = body as GenericDeploy;

  const deployedAt = parseRfc3339(d.at);
  if (deployedAt === null) throw new InputError(`at: expected an RFC 3339 time, got ${describeValue(d.at)}`);

  const event: { -readonly [K in keyof DeployEvent]: DeployEvent[K] } = {
    kind: 'deploy',
    at: ts,
    service: d.service,
    version: d.version,
    deployedAt,
    status: d.status ?? 'succeeded',
  };
  for (const field of OPTIONAL_FIELDS) {
    const value = d[field];
    if (value !== undefined) event[field] = value;
  }
  return [event];
}
