import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import type { Event, Instant, SliSample } from '../model/index.js';
import { parseRfc3339 } from '../model/index.js';
import { compileSchema, describeValue, formatPath } from '../model/schema.js';

/** One SLI sample on the wire: cumulative good and total counters of one SLO at `at`. Strict. */
export const WireSliSample = Type.Object(
  {
    slo: Type.String({ minLength: 1 }),
    at: Type.String({ expected: 'an RFC 3339 time' }),
    good: Type.Number({ minimum: 0 }),
    total: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
type WireSliSample = Static<typeof WireSliSample>;

/** `POST /api/v1/sli` as a batch; an empty array is valid and yields no events, as `/api/v2/alerts` does. */
export const WireSliSamples = Type.Array(WireSliSample);

const checkSample = compileSchema(WireSliSample);
const checkSamples = compileSchema(WireSliSamples);

/**
 * Parses `POST /api/v1/sli` (one sample object, or an array of them) into SLI samples received at `ts`.
 * Throws {@link InputError} on the first problem, named from `samples[i]` for an array. Counters must be
 * finite, non-negative, and `good` must not exceed `total`; resets between samples are the engine's business.
 */
export function parseSli(body: unknown, ts: Instant): Event[] {
  if (Array.isArray(body)) {
    const problem = checkSamples(body, 'samples');
    if (problem !== null) throw new InputError(problem);
    const samples = body as WireSliSample[];
    const events: SliSample[] = new Array(samples.length);
    for (let i = 0; i < samples.length; i++) events[i] = toSliSample(samples[i] as WireSliSample, ts, 'samples', i);
    return events;
  }
  if (body === null || typeof body !== 'object') {
    throw new InputError(`body: expected an object or an array, got ${describeValue(body)}`);
  }
  const problem = checkSample(body, '');
  if (problem !== null) throw new InputError(problem);
  return [toSliSample(body as WireSliSample, ts, '', null)];
}

/** `index` is null for a single-sample body, whose fields are named from the body root. */
function toSliSample(s: WireSliSample, ts: Instant, root: string, index: number | null): SliSample {
  const sampleAt = parseRfc3339(s.at);
  if (sampleAt === null) throw new InputError(`${fieldPath(root, index, 'at')}: expected an RFC 3339 time, got ${describeValue(s.at)}`);
  if (s.good > s.total) throw new InputError(`${fieldPath(root, index, 'good')}: must not exceed total, got ${s.good} > ${s.total}`);
  return { kind: 'sli', at: ts, slo: s.slo, sampleAt, good: s.good, total: s.total };
}

function fieldPath(root: string, index: number | null, field: string): string {
  return formatPath(root, index === null ? [field] : [index, field]);
}
