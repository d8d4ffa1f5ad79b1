import { InputError } from '../errors.js';
import type { Instant } from '../model/index.js';
import { formatInstant, parseRfc3339 } from '../model/index.js';
import { describeValue } from '../model/schema.js';
import { tryParseMatchers, type ListedSilence, type Silencer } from '../route/index.js';

/** What the silences API works on: the silencer, the wall clock, and how a change is made durable. */
export interface SilenceModel {
  readonly silencer: Silencer;
  now(): Instant;
  /** Persists the silencer; a change is answered only after this resolved. */
  persist(): Promise<void>;
}

/** A silence as the API shows it: Alertmanager API v2's fields, times in RFC 3339, its state now. */
export interface SilenceDoc {
  id: string;
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  createdBy: string;
  comment: string;
  status: { state: ListedSilence['state'] };
}

/**
 * `GET /api/v1/silences`, `POST /api/v1/silences` and `DELETE /api/v1/silences/{id}`. A new silence is Alertmanager
 * API v2's `PostableSilence` (`matchers` as `[{name, value, isRegex, isEqual}]`, RFC 3339 `startsAt`/`endsAt`,
 * `createdBy`, `comment`), or with `matchers` in Alertmanager's matcher syntax (`'service="checkout",env=~"prod.*"'`,
 * as amtool takes them). Null when the path is not the silences API; bad input throws InputError naming the field.
 */
export async function handleSilences(
  model: SilenceModel,
  method: string,
  path: string,
  body: () => Promise<unknown>,
): Promise<{ status: number; body: unknown } | null> {
  if (path === '/api/v1/silences') {
    if (method === 'GET' || method === 'HEAD') return { status: 200, body: model.silencer.list(model.now()).map(toSilenceDoc) };
    if (method !== 'POST') return { status: 405, body: { error: `${path}: method ${method} not allowed, use GET or POST` } };
    const now = model.now();
    const id = model.silencer.add(toSilenceSpec(await body(), now), now);
    await model.persist();
    return { status: 200, body: { silenceID: id } };
  }
  if (!path.startsWith('/api/v1/silences/')) return null;
  const id = decodeURIComponent(path.slice('/api/v1/silences/'.length));
  const silence = model.silencer.get(id);
  if (silence === undefined) return { status: 404, body: { error: `silence ${id}: not found` } };
  if (method === 'GET' || method === 'HEAD') return { status: 200, body: toSilenceDoc({ ...silence, state: stateOf(model, id) }) };
  if (method !== 'DELETE') return { status: 405, body: { error: `${path}: method ${method} not allowed, use GET or DELETE` } };
  model.silencer.expire(id, model.now());
  await model.persist();
  return { status: 200, body: { silenceID: id, status: { state: 'expired' } } };
}

function stateOf(model: SilenceModel, id: string): ListedSilence['state'] {
  return model.silencer.list(model.now()).find((s) => s.id === id)?.state ?? 'expired';
}

/** The API body as the Silencer's spec: times to epoch ms, a matcher string to Alertmanager's matcher objects. */
function toSilenceSpec(raw: unknown, now: Instant): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`body: expected a silence object, got ${describeValue(raw)}`);
  const o = { ...(raw as Record<string, unknown>) };
  if (typeof o['matchers'] === 'string') {
    const parsed = tryParseMatchers(o['matchers']);
    if (!Array.isArray(parsed)) throw new InputError(`matchers: column ${parsed.column}: ${parsed.message}`);
    o['matchers'] = parsed.map((m) => ({ name: m.name, value: m.value, isRegex: m.type === '=~' || m.type === '!~', isEqual: m.type === '=' || m.type === '=~' }));
  }
  for (const field of ['startsAt', 'endsAt'] as const) {
    const v = o[field];
    if (v === undefined) continue;
    const t = typeof v === 'string' ? parseRfc3339(v) : null;
    if (t === null) throw new InputError(`${field}: expected an RFC 3339 time, got ${describeValue(v)}`);
    o[field] = t;
  }
  if (o['startsAt'] === undefined) o['startsAt'] = now;
  return o;
}

function toSilenceDoc(s: ListedSilence): SilenceDoc {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
    startsAt: formatInstant(s.startsAt),
    endsAt: formatInstant(s.endsAt),
    updatedAt: formatInstant(s.updatedAt),
    createdBy: s.createdBy,
    comment: s.comment,
    status: { state: s.state },
  };
}
