import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { compileSchema, describeValue, formatPath } from '../model/schema.js';
import { parseDuration } from '../model/index.js';
import type { InhibitRule } from './inhibit.js';
import { matchersFromMaps, parseMatchers, sortMatchers, type Matcher } from './matchers.js';
import { RouteTree, type RouteSpec } from './route-tree.js';
import { TimeInterval, TimeIntervalSchema, type TimeIntervals } from './time-intervals.js';

/**
 * A Prometheus duration in config (`30s`, `5m`, `1h30m`), the same pattern and message as config/durations.ts.
 * Declared here because route/ sits below config/ in the import order (STYLE §A) and config/ will load this file.
 */
const DurationString = Type.String({
  pattern: '^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$',
  minLength: 1,
  expected: 'a duration like 30s',
});

/** `match`/`match_re` values: strings, or the integers and booleans YAML reads unquoted (`code: 500`), as Go's YAML reads them into strings. */
const LabelValueMap = Type.Record(Type.String(), Type.Union([Type.String(), Type.Integer(), Type.Boolean()], { expected: 'a string' }));

/** One route of the tree, as Alertmanager's config.Route. Unknown keys are errors (Alertmanager's UnmarshalStrict). */
export const RouteSchema = Type.Recursive(
  (This) =>
    Type.Object(
      {
        receiver: Type.Optional(Type.String()),
        group_by: Type.Optional(Type.Array(Type.String())),
        match: Type.Optional(LabelValueMap),
        match_re: Type.Optional(LabelValueMap),
        matchers: Type.Optional(Type.Array(Type.String())),
        mute_time_intervals: Type.Optional(Type.Array(Type.String())),
        active_time_intervals: Type.Optional(Type.Array(Type.String())),
        continue: Type.Optional(Type.Boolean()),
        routes: Type.Optional(Type.Array(This)),
        group_wait: Type.Optional(DurationString),
        group_interval: Type.Optional(DurationString),
        repeat_interval: Type.Optional(DurationString),
      },
      { additionalProperties: false },
    ),
  { $id: 'Route' },
);
/** A `route:` value once it passed {@link RouteSchema}. */
export type RouteFile = Static<typeof RouteSchema>;

const InhibitRuleSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    source_match: Type.Optional(LabelValueMap),
    source_match_re: Type.Optional(LabelValueMap),
    source_matchers: Type.Optional(Type.Array(Type.String())),
    target_match: Type.Optional(LabelValueMap),
    target_match_re: Type.Optional(LabelValueMap),
    target_matchers: Type.Optional(Type.Array(Type.String())),
    equal: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

const NamedTimeIntervalSchema = Type.Object(
  { name: Type.String({ minLength: 1 }), time_intervals: Type.Optional(Type.Array(TimeIntervalSchema)) },
  { additionalProperties: false },
);

/** A receiver: its name and any `<type>_configs` lists, whose items the integration's own parser checks. */
const ReceiverSchema = Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: Type.Unknown() });

/**
 * `routing.yaml`: the routing part of an `alertmanager.yml`, which loads unchanged. Alertmanager's `global` and
 * `templates` are accepted and ignored (stormcell's integrations take their settings per receiver and render
 * their own payloads), so a whole `alertmanager.yml` can be copied in; any other unknown key is an error.
 */
export const RoutingFileSchema = Type.Object(
  {
    route: RouteSchema,
    receivers: Type.Optional(Type.Array(ReceiverSchema)),
    inhibit_rules: Type.Optional(Type.Array(InhibitRuleSchema)),
    time_intervals: Type.Optional(Type.Array(NamedTimeIntervalSchema)),
    mute_time_intervals: Type.Optional(Type.Array(NamedTimeIntervalSchema)),
    global: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    templates: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
/** A `routing.yaml` value once it passed {@link RoutingFileSchema}; cross-checks not yet run. */
export type RoutingFile = Static<typeof RoutingFileSchema>;
const checkRoutingFile = compileSchema(RoutingFileSchema);
const checkRoute = compileSchema(RouteSchema);

/**
 * Parses one integration config (an item of a receiver's `<type>_configs`, `type` being e.g. `webhook` for
 * `webhook_configs`), implemented by the action plugins, which validate their own configs. It throws a
 * ConfigError whose message starts with `path` (`receivers[0].webhook_configs[1].url: …`), also for a `type` no
 * plugin knows; parseRoutingConfig prefixes the file name.
 */
export type ParseIntegration = (type: string, raw: unknown, path: string) => unknown;

/** One integration of a receiver: its type, the plugin's parsed config, and its index in `<type>_configs`. */
export interface ReceiverIntegration {
  readonly type: string;
  readonly config: unknown;
  readonly index: number;
}

/** A checked `routing.yaml` in code form. */
export interface RoutingConfig {
  readonly route: RouteTree;
  /** Receivers by name, each with its integrations in file order (an empty list is a receiver that drops). */
  readonly receivers: Map<string, ReceiverIntegration[]>;
  readonly inhibitRules: readonly InhibitRule[];
  /** `time_intervals` and the deprecated `mute_time_intervals` together, by name. */
  readonly timeIntervals: TimeIntervals;
}

/**
 * Checks a parsed `routing.yaml` value (from the YAML parser) and builds the routing config, or throws
 * ConfigError `<file>: <path>: <problem>`. Per-field checks come first (schema, durations, matchers, time
 * intervals, integrations); then the cross-checks Alertmanager makes: the root route names a receiver and has
 * no matchers, `continue` or time intervals; receiver and time interval names are unique; every receiver and
 * time interval a route names exists. A YAML null (`inhibit_rules:` left empty) counts as the key being absent,
 * as it does for Alertmanager.
 */
export function parseRoutingConfig(raw: unknown, file: string, parseIntegration: ParseIntegration): RoutingConfig {
  const value = withoutNulls(raw ?? {});
  const problem = checkRoutingFile(value, '');
  if (problem !== null) throw new ConfigError(`${file}: ${problem.startsWith('body: ') ? problem.slice(6) : problem}`);
  const f = value as RoutingFile;
  const at = (...segments: (string | number)[]): string => `${file}: ${formatPath('', segments)}`;

  const timeIntervals = new Map<string, readonly TimeInterval[]>();
  const intervalFirstAt = new Map<string, string>();
  for (const key of ['mute_time_intervals', 'time_intervals'] as const) {
    (f[key] ?? []).forEach((ti, i) => {
      const first = intervalFirstAt.get(ti.name);
      if (first !== undefined) throw new ConfigError(`${at(key, i, 'name')}: duplicate time interval "${ti.name}" (first at ${first})`);
      intervalFirstAt.set(ti.name, formatPath('', [key, i]));
      timeIntervals.set(ti.name, Object.freeze((ti.time_intervals ?? []).map((spec, j) => TimeInterval.parse(spec, at(key, i, 'time_intervals', j)))));
    });
  }

  const receivers = new Map<string, ReceiverIntegration[]>();
  const receiverFirstAt = new Map<string, string>();
  (f.receivers ?? []).forEach((r, i) => {
    const first = receiverFirstAt.get(r.name);
    if (first !== undefined) throw new ConfigError(`${at('receivers', i, 'name')}: duplicate receiver "${r.name}" (first at ${first})`);
    receiverFirstAt.set(r.name, formatPath('', ['receivers', i]));
    receivers.set(r.name, parseReceiver(r as Record<string, unknown>, i, file, parseIntegration));
  });

  const rootSpec = toRouteSpec(f.route, `${file}: route`);
  checkRoot(f.route, file);
  checkRouteNames(f.route, formatPath('', ['route']), file, receivers, timeIntervals);

  return Object.freeze({
    route: new RouteTree(rootSpec),
    receivers,
    inhibitRules: Object.freeze((f.inhibit_rules ?? []).map((r, i) => toInhibitRule(r, at('inhibit_rules', i)))),
    timeIntervals,
  });
}

/**
 * Parses a `route:` value alone (schema and per-route checks, no cross-checks): for tools and tests that hold a
 * route tree without receivers. Throws ConfigError `<where>.<path>: <problem>`.
 */
export function parseRoute(raw: unknown, where = 'route'): RouteTree {
  const value = withoutNulls(raw ?? {});
  const problem = checkRoute(value, where);
  if (problem !== null) throw new ConfigError(problem.startsWith('body: ') ? `${where}: ${problem.slice(6)}` : problem);
  return new RouteTree(toRouteSpec(value as RouteFile, where));
}

function parseReceiver(r: Record<string, unknown>, i: number, file: string, parseIntegration: ParseIntegration): ReceiverIntegration[] {
  const out: ReceiverIntegration[] = [];
  for (const [key, list] of Object.entries(r)) {
    if (key === 'name') continue;
    const path = formatPath('', ['receivers', i, key]);
    if (!key.endsWith('_configs') || key === '_configs') throw new ConfigError(`${file}: ${path}: unknown field`);
    if (!Array.isArray(list)) throw new ConfigError(`${file}: ${path}: expected an array, got ${describeValue(list)}`);
    const type = key.slice(0, -'_configs'.length);
    list.forEach((item: unknown, index) => {
      try {
        out.push(Object.freeze({ type, config: parseIntegration(type, item, `${path}[${index}]`), index }));
      } catch (err) {
        if (err instanceof ConfigError) throw new ConfigError(`${file}: ${err.message}`, { cause: err });
        throw err;
      }
    });
  }
  return out;
}

/** One route to a RouteSpec with its own checks: matchers, group_by, durations, zero intervals. */
function toRouteSpec(r: RouteFile, where: string): RouteSpec {
  const matchers: Matcher[] = [
    ...matchersFromMaps(stringMap(r.match), stringMap(r.match_re), (map, name) => formatPath(where, [map, name])),
  ];
  (r.matchers ?? []).forEach((line, i) => matchers.push(...parseMatchers(line, `${where}.matchers[${i}]`)));
  const groupBy = parseGroupBy(r.group_by, `${where}.group_by`);
  const ms = (key: 'group_wait' | 'group_interval' | 'repeat_interval'): number | undefined => {
    const s = r[key];
    if (s === undefined) return undefined;
    const v = parseDuration(s) as number;
    if (v === 0 && key !== 'group_wait') throw new ConfigError(`${where}.${key}: must not be zero`);
    return v;
  };
  return {
    receiver: r.receiver,
    groupBy: groupBy.labels,
    groupByAll: groupBy.all,
    matchers: sortMatchers(matchers),
    continue: r.continue ?? false,
    groupWaitMs: ms('group_wait'),
    groupIntervalMs: ms('group_interval'),
    repeatIntervalMs: ms('repeat_interval'),
    muteTimeIntervals: r.mute_time_intervals ?? [],
    activeTimeIntervals: r.active_time_intervals ?? [],
    routes: (r.routes ?? []).map((c, i) => toRouteSpec(c as RouteFile, `${where}.routes[${i}]`)),
  };
}

/**
 * `group_by` as Alertmanager reads it: `...` alone means all labels, names must be non-empty (Alertmanager's
 * default UTF-8 mode allows any other name) and appear once.
 */
function parseGroupBy(list: readonly string[] | undefined, where: string): { labels: readonly string[] | undefined; all: boolean | undefined } {
  if (list === undefined) return { labels: undefined, all: undefined };
  const seen = new Set<string>();
  let all = false;
  list.forEach((name, i) => {
    if (name === '...') {
      all = true;
      return;
    }
    if (name === '') throw new ConfigError(`${where}[${i}]: invalid label name ""`);
    if (seen.has(name)) throw new ConfigError(`${where}[${i}]: duplicated label "${name}"`);
    seen.add(name);
  });
  if (all && seen.size > 0) throw new ConfigError(`${where}: cannot have wildcard group_by (\`...\`) and other labels at the same time`);
  return all ? { labels: undefined, all: true } : { labels: [...seen], all: undefined };
}

function checkRoot(r: RouteFile, file: string): void {
  if (r.receiver === undefined || r.receiver === '') throw new ConfigError(`${file}: route.receiver: the root route must name a default receiver`);
  for (const key of ['match', 'match_re', 'matchers'] as const) {
    const v = r[key];
    if (v !== undefined && Object.keys(v).length > 0) throw new ConfigError(`${file}: route.${key}: the root route must not have matchers`);
  }
  if (r.continue === true) throw new ConfigError(`${file}: route.continue: the root route must not have continue`);
  for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
    if ((r[key] ?? []).length > 0) throw new ConfigError(`${file}: route.${key}: the root route must not have time intervals`);
  }
}

/** Every receiver and time interval a route names must exist (Alertmanager's checkReceiver, checkTimeInterval). */
function checkRouteNames(r: RouteFile, where: string, file: string, receivers: ReadonlyMap<string, unknown>, intervals: TimeIntervals): void {
  if (r.receiver !== undefined && r.receiver !== '' && !receivers.has(r.receiver)) {
    throw new ConfigError(`${file}: ${where}.receiver: undefined receiver "${r.receiver}"`);
  }
  for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
    (r[key] ?? []).forEach((name, i) => {
      if (!intervals.has(name)) throw new ConfigError(`${file}: ${where}.${key}[${i}]: undefined time interval "${name}"`);
    });
  }
  (r.routes ?? []).forEach((c, i) => checkRouteNames(c as RouteFile, `${where}.routes[${i}]`, file, receivers, intervals));
}

function toInhibitRule(r: Static<typeof InhibitRuleSchema>, where: string): InhibitRule {
  const side = (prefix: 'source' | 'target'): Matcher[] => {
    const list = matchersFromMaps(stringMap(r[`${prefix}_match`]), stringMap(r[`${prefix}_match_re`]), (map, name) => formatPath(where, [`${prefix}_${map}`, name]));
    (r[`${prefix}_matchers`] ?? []).forEach((line, i) => list.push(...parseMatchers(line, `${where}.${prefix}_matchers[${i}]`)));
    return sortMatchers(list);
  };
  const equal = r.equal ?? [];
  equal.forEach((name, i) => {
    if (name === '') throw new ConfigError(`${where}.equal[${i}]: invalid label name ""`);
  });
  const rule: InhibitRule = { sourceMatchers: Object.freeze(side('source')), targetMatchers: Object.freeze(side('target')), equal: Object.freeze([...equal]) };
  return Object.freeze(r.name === undefined ? rule : { name: r.name, ...rule });
}

function stringMap(m: Readonly<Record<string, string | number | boolean>> | undefined): Record<string, string> | undefined {
  return m === undefined ? undefined : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
}

/**
 * A copy without null-valued object keys, so an empty YAML key (`routes:`) reads as absent, and with an unquoted
 * `0` duration read as the string `"0"`: both as Go's YAML decoding gives them to Alertmanager. Integration
 * configs (`<type>_configs`) and `global` are copied as they are: their own parsers decide what they mean.
 */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null) continue;
    if (x === 0 && DURATION_KEYS.has(k)) out[k] = '0';
    else out[k] = k === 'global' || k.endsWith('_configs') ? x : withoutNulls(x);
  }
  return out;
}

const DURATION_KEYS = new Set(['group_wait', 'group_interval', 'repeat_interval']);
