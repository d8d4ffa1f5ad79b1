import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import { compileSchema, formatPath } from '../model/schema.js';
import type { Instant, LabelSet } from '../model/index.js';
import { matchesAll, Matcher } from './matchers.js';

/**
 * Silences as Alertmanager models them (its API v2 `matchers: [{name, value, isRegex, isEqual}]`, `startsAt`,
 * `endsAt`, `createdBy`, `comment`) held by a pure {@link Silencer}: instants are passed in, ids come from the
 * caller's generator, and the state is plain JSON the caller persists.
 */

/** A silence matcher in Alertmanager's API form; `isEqual: false` negates (`!=`, `!~`). */
export interface SilenceMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual: boolean;
}

/** A stored silence. Immutable: expiring one replaces it. */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAt: Instant;
  readonly endsAt: Instant;
  readonly createdBy: string;
  readonly comment: string;
  readonly updatedAt: Instant;
}

/** Alertmanager's silence states. */
export type SilenceState = 'active' | 'pending' | 'expired';

const MatcherSchema = Type.Object(
  {
    name: Type.String(),
    value: Type.String(),
    isRegex: Type.Boolean(),
    isEqual: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** What `add` takes: a silence without id and update time. `startsAt` defaults to now; `isEqual` to true. */
export const SilenceSpecSchema = Type.Object(
  {
    matchers: Type.Array(MatcherSchema, { minItems: 1 }),
    startsAt: Type.Optional(Type.Integer({ expected: 'an instant in epoch milliseconds' })),
    endsAt: Type.Integer({ expected: 'an instant in epoch milliseconds' }),
    createdBy: Type.String(),
    comment: Type.String(),
  },
  { additionalProperties: false },
);
/** A silence to add, once it passed {@link SilenceSpecSchema}; matcher rules are checked by `add`. */
export type SilenceSpec = Static<typeof SilenceSpecSchema>;
const checkSpec = compileSchema(SilenceSpecSchema);

const SilenceSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    matchers: Type.Array(Type.Object({ name: Type.String(), value: Type.String(), isRegex: Type.Boolean(), isEqual: Type.Boolean() }, { additionalProperties: false }), { minItems: 1 }),
    startsAt: Type.Integer(),
    endsAt: Type.Integer(),
    createdBy: Type.String(),
    comment: Type.String(),
    updatedAt: Type.Integer(),
  },
  { additionalProperties: false },
);
/** The persisted form of a Silencer, as `toJSON` writes it. */
export const SilencesSnapshotSchema = Type.Object({ silences: Type.Array(SilenceSchema) }, { additionalProperties: false });
/** What `toJSON` returns and `restore` reads: plain JSON, no class instances. */
export type SilencesSnapshot = Static<typeof SilencesSnapshotSchema>;
const checkSnapshot = compileSchema(SilencesSnapshotSchema);

/** A silence with its state at the instant `list` was asked for. */
export interface ListedSilence extends Silence {
  readonly state: SilenceState;
}

/**
 * A silence's state at `now`. Active on [startsAt, endsAt): Alertmanager counts `endsAt` itself as active, but its
 * clock has nanoseconds and never reads the same instant twice; stormcell replays millisecond instants, and
 * `expire(id, now)` must stop the silence at that very `now`.
 */
export function silenceState(s: Pick<Silence, 'startsAt' | 'endsAt'>, now: Instant): SilenceState {
  if (now < s.startsAt) return 'pending';
  if (now >= s.endsAt) return 'expired';
  return 'active';
}

interface Entry {
  readonly silence: Silence;
  readonly matchers: readonly Matcher[];
}

/**
 * Holds silences and answers which of them mute a label set. Pure and deterministic: no clock, no random ids
 * (`nextId` is the caller's, a counter or a hash of the request). Validation throws InputError with the path.
 */
export class Silencer {
  readonly #nextId: () => string;
  readonly #entries = new Map<string, Entry>();

  constructor(nextId: () => string) {
    this.#nextId = nextId;
  }

  /**
   * Validates and stores a new silence, returning its id. As Alertmanager's API: at least one matcher, names not
   * empty, regexes valid, at least one matcher that doesn't match the empty string (only `=` and `=~` can; a
   * negative matcher never counts as matching it, as in silence.go), `endsAt` after `startsAt` and not in the past;
   * a `startsAt` in the past becomes `now`.
   */
  add(spec: unknown, now: Instant): string {
    const problem = checkSpec(spec, '');
    if (problem !== null) throw new InputError(problem);
    const s = spec as SilenceSpec;
    const matchers = s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true }));
    const compiled = compileMatchers(matchers, 'matchers');
    const startsAt = s.startsAt ?? now;
    if (s.endsAt <= startsAt) throw new InputError('endsAt: must be after startsAt');
    if (s.endsAt < now) throw new InputError('endsAt: must not be in the past');
    const id = this.#nextId();
    if (this.#entries.has(id)) throw new Error(`silence id generator returned ${JSON.stringify(id)} twice`);
    const silence: Silence = Object.freeze({
      id,
      matchers: Object.freeze(matchers.map((m) => Object.freeze(m))),
      startsAt: Math.max(startsAt, now),
      endsAt: s.endsAt,
      createdBy: s.createdBy,
      comment: s.comment,
      updatedAt: now,
    });
    this.#entries.set(id, { silence, matchers: compiled });
    return id;
  }

  /**
   * Ends a silence at `now`, as Alertmanager's Expire: an active one gets `endsAt = now`, a pending one both
   * times `now`; an expired one is left as it is. An unknown id is an InputError (404).
   */
  expire(id: string, now: Instant): void {
    const e = this.#entries.get(id);
    if (e === undefined) throw new InputError(`silence ${JSON.stringify(id)} not found`, { status: 404, reason: 'not_found' });
    const state = silenceState(e.silence, now);
    if (state === 'expired') return;
    const silence = Object.freeze({ ...e.silence, startsAt: state === 'pending' ? now : e.silence.startsAt, endsAt: now, updatedAt: now });
    this.#entries.set(id, { silence, matchers: e.matchers });
  }

  /** The silence with this id, or undefined. */
  get(id: string): Silence | undefined {
    return this.#entries.get(id)?.silence;
  }

  /**
   * All silences with their state at `now`, sorted as Alertmanager's API sorts them: active (soonest end first),
   * then pending (soonest start first), then expired (latest end first); ties by id.
   */
  list(now: Instant): ListedSilence[] {
    const rank: Record<SilenceState, number> = { active: 0, pending: 1, expired: 2 };
    const out = [...this.#entries.values()].map(({ silence }) => ({ ...silence, state: silenceState(silence, now) }));
    return out.sort((a, b) => {
      if (a.state !== b.state) return rank[a.state] - rank[b.state];
      const by = a.state === 'active' ? a.endsAt - b.endsAt : a.state === 'pending' ? a.startsAt - b.startsAt : b.endsAt - a.endsAt;
      return by !== 0 ? by : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }

  /** Ids of the silences active at `now` whose matchers all match the labels, sorted (the Silencer's Muter answer). */
  silencing(labels: LabelSet, now: Instant): string[] {
    const ids: string[] = [];
    for (const { silence, matchers } of this.#entries.values()) {
      if (silenceState(silence, now) === 'active' && matchesAll(matchers, labels)) ids.push(silence.id);
    }
    return ids.sort();
  }

  /** Drops silences that ended at least `retentionMs` before `now` (Alertmanager's GC); returns how many. */
  gc(now: Instant, retentionMs: number): number {
    let n = 0;
    for (const [id, { silence }] of this.#entries) {
      if (silence.endsAt + retentionMs <= now) {
        this.#entries.delete(id);
        n++;
      }
    }
    return n;
  }

  /** The state as plain JSON for the caller to persist; {@link Silencer.restore} reads it back. */
  toJSON(): SilencesSnapshot {
    return { silences: [...this.#entries.values()].map(({ silence }) => ({ ...silence, matchers: silence.matchers.map((m) => ({ ...m })) })) };
  }

  /**
   * Replaces the state with a snapshot from {@link Silencer.toJSON}, checking it first: a bad snapshot throws
   * InputError `silences[2].endsAt: …` and leaves the current state as it was.
   */
  restore(snapshot: unknown): void {
    const problem = checkSnapshot(snapshot, '');
    if (problem !== null) throw new InputError(problem);
    const next = new Map<string, Entry>();
    (snapshot as SilencesSnapshot).silences.forEach((raw, i) => {
      const where = formatPath('', ['silences', i]);
      if (next.has(raw.id)) throw new InputError(`${where}.id: duplicate id ${JSON.stringify(raw.id)}`);
      const matchers = compileMatchers(raw.matchers, `${where}.matchers`);
      const silence: Silence = Object.freeze({ ...raw, matchers: Object.freeze(raw.matchers.map((m) => Object.freeze({ ...m }))) });
      next.set(raw.id, { silence, matchers });
    });
    this.#entries.clear();
    for (const [id, e] of next) this.#entries.set(id, e);
  }
}

/** Compiles API matchers, enforcing Alertmanager's matcher rules with paths under `where`. */
function compileMatchers(matchers: readonly SilenceMatcher[], where: string): Matcher[] {
  let allMatchEmpty = true;
  const out = matchers.map((m, i) => {
    const at = `${where}[${i}]`;
    if (m.name === '') throw new InputError(`${at}.name: must not be empty`);
    const type = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
    const compiled = Matcher.create(type, m.name, m.value, `${at}.value`, 'input');
    if (!m.isEqual || !compiled.matches('')) allMatchEmpty = false;
    return compiled;
  });
  if (allMatchEmpty) throw new InputError(`${where}: at least one matcher must not match the empty string`);
  return out;
}
