import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { parseRoute, type MatchedRoute, type RouteTree } from '../../../src/route/index.js';

const tree = (yaml: string): RouteTree => parseRoute(parse(yaml));

const S = 1000;
const M = 60 * S;
const H = 60 * M;
/** Alertmanager's DefaultRouteOpts timers. */
const DEF = { groupWaitMs: 30 * S, groupIntervalMs: 5 * M, repeatIntervalMs: 4 * H };

type Opts = Pick<MatchedRoute, 'receiver' | 'groupBy' | 'groupByAll' | 'groupWaitMs' | 'groupIntervalMs' | 'repeatIntervalMs' | 'routeKey'>;
const opts = (r: MatchedRoute): Opts => ({
  receiver: r.receiver,
  groupBy: r.groupBy,
  groupByAll: r.groupByAll,
  groupWaitMs: r.groupWaitMs,
  groupIntervalMs: r.groupIntervalMs,
  repeatIntervalMs: r.repeatIntervalMs,
  routeKey: r.routeKey,
});
const row = (receiver: string, routeKey: string, o: Partial<Opts> = {}): Opts => ({ receiver, groupBy: [], groupByAll: false, ...DEF, routeKey, ...o });

/** dispatch/route_test.go TestRouteMatch: the legacy match/match_re tree. */
const LEGACY = tree(`
receiver: 'notify-def'
routes:
- match:
    owner: 'team-A'
  receiver: 'notify-A'
  routes:
  - match:
      env: 'testing'
    receiver: 'notify-testing'
    group_by: [...]
  - match:
      env: "production"
    receiver: 'notify-productionA'
    group_wait: 1m
    continue: true
  - match_re:
      env: "produ.*"
      job: ".*"
    receiver: 'notify-productionB'
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 1h
    group_by: ['job']
- match_re:
    owner: 'team-(B|C)'
  group_by: ['foo', 'bar']
  group_wait: 2m
  receiver: 'notify-BC'
- match:
    group_by: 'role'
  group_by: ['role']
  routes:
  - match:
      env: 'testing'
    receiver: 'notify-testing'
    routes:
    - match:
        wait: 'long'
      group_wait: 2m
`);

/** dispatch/route_test.go TestRouteMatchers: the same tree with `matchers:` strings. */
const MATCHERS = tree(`
receiver: 'notify-def'
routes:
- matchers: ['{owner="team-A"}', '{level!="critical"}']
  receiver: 'notify-A'
  routes:
  - matchers: ['{env="testing"}', '{baz!~".*quux"}']
    receiver: 'notify-testing'
    group_by: [...]
  - matchers: ['{env="production"}']
    receiver: 'notify-productionA'
    group_wait: 1m
    continue: true
  - matchers: [ env=~"produ.*", job=~".*"]
    receiver: 'notify-productionB'
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 1h
    group_by: ['job']
- matchers: [owner=~"team-(B|C)"]
  group_by: ['foo', 'bar']
  group_wait: 2m
  receiver: 'notify-BC'
- matchers: [group_by="role"]
  group_by: ['role']
  routes:
  - matchers: ['{env="testing"}']
    receiver: 'notify-testing'
    routes:
    - matchers: [wait="long"]
      group_wait: 2m
`);

describe('RouteTree.match', () => {
  it.each<[string, Record<string, string>, Opts[]]>([
    ['first match ends the search', { owner: 'team-A' }, [row('notify-A', '{}/{owner="team-A"}')]],
    ['no child matches: the parent is the match', { owner: 'team-A', env: 'unset' }, [row('notify-A', '{}/{owner="team-A"}')]],
    ['match_re is anchored; group_by and group_wait set here', { owner: 'team-C' },
      [row('notify-BC', '{}/{owner=~"^(?:team-(B|C))$"}', { groupBy: ['bar', 'foo'], groupWaitMs: 2 * M })]],
    ["group_by: [...] groups by all labels", { owner: 'team-A', env: 'testing' },
      [row('notify-testing', '{}/{owner="team-A"}/{env="testing"}', { groupByAll: true })]],
    ['continue: true tries the next sibling too', { owner: 'team-A', env: 'production' }, [
      row('notify-productionA', '{}/{owner="team-A"}/{env="production"}', { groupWaitMs: 1 * M }),
      row('notify-productionB', '{}/{owner="team-A"}/{env=~"^(?:produ.*)$",job=~"^(?:.*)$"}', {
        groupBy: ['job'], groupWaitMs: 30 * S, groupIntervalMs: 5 * M, repeatIntervalMs: 1 * H,
      }),
    ]],
    ['a route without receiver inherits the root one', { group_by: 'role' }, [row('notify-def', '{}/{group_by="role"}', { groupBy: ['role'] })]],
    ['group_by is inherited', { env: 'testing', group_by: 'role' }, [row('notify-testing', '{}/{group_by="role"}/{env="testing"}', { groupBy: ['role'] })]],
    ['receiver and group_by inherited two levels down', { env: 'testing', group_by: 'role', wait: 'long' },
      [row('notify-testing', '{}/{group_by="role"}/{env="testing"}/{wait="long"}', { groupBy: ['role'], groupWaitMs: 2 * M })]],
    ['nothing matches: the root', { foo: 'bar' }, [row('notify-def', '{}')]],
  ])('legacy match: %s', (_name, labels, expected) => {
    expect(LEGACY.match(labels).map(opts)).toEqual(expected);
  });

  it.each<[Record<string, string>, string[], string[]]>([
    [{ owner: 'team-A' }, ['notify-A'], ['{}/{level!="critical",owner="team-A"}']],
    [{ owner: 'team-A', env: 'unset' }, ['notify-A'], ['{}/{level!="critical",owner="team-A"}']],
    [{ owner: 'team-A', level: 'critical' }, ['notify-def'], ['{}']],
    [{ owner: 'team-C' }, ['notify-BC'], ['{}/{owner=~"team-(B|C)"}']],
    [{ owner: 'team-A', env: 'testing' }, ['notify-testing'], ['{}/{level!="critical",owner="team-A"}/{baz!~".*quux",env="testing"}']],
    [{ owner: 'team-A', env: 'testing', baz: 'xquux' }, ['notify-A'], ['{}/{level!="critical",owner="team-A"}']],
    [{ owner: 'team-A', env: 'production' }, ['notify-productionA', 'notify-productionB'], [
      '{}/{level!="critical",owner="team-A"}/{env="production"}',
      '{}/{level!="critical",owner="team-A"}/{env=~"produ.*",job=~".*"}',
    ]],
    [{ group_by: 'role' }, ['notify-def'], ['{}/{group_by="role"}']],
    [{ env: 'testing', group_by: 'role' }, ['notify-testing'], ['{}/{group_by="role"}/{env="testing"}']],
    [{ env: 'testing', group_by: 'role', wait: 'long' }, ['notify-testing'], ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']],
  ])('matchers: %j routes to %j', (labels, receivers, keys) => {
    const matched = MATCHERS.match(labels);
    expect(matched.map((r) => r.receiver)).toEqual(receivers);
    expect(matched.map((r) => r.routeKey)).toEqual(keys);
  });

  it('gives the same options for the same route in both spellings', () => {
    const labels = { owner: 'team-A', env: 'production' };
    const strip = (r: MatchedRoute): Omit<Opts, 'routeKey'> => {
      const { routeKey: _k, ...rest } = opts(r);
      return rest;
    };
    expect(MATCHERS.match(labels).map(strip)).toEqual(LEGACY.match(labels).map(strip));
  });

  it('a child of a group_by: [...] route inherits it, a child with group_by does not (TestInheritParentGroupByAll)', () => {
    const t = tree(`
receiver: r
routes:
- matchers: [env="parent"]
  group_by: ['...']
  routes:
  - matchers: [child="1"]
  - matchers: [child="2"]
    group_by: ['foo']
`);
    expect(t.match({ env: 'parent' }).map((r) => [r.groupByAll, r.groupBy])).toEqual([[true, []]]);
    expect(t.match({ env: 'parent', child: '1' }).map((r) => [r.groupByAll, r.groupBy])).toEqual([[true, []]]);
    expect(t.match({ env: 'parent', child: '2' }).map((r) => [r.groupByAll, r.groupBy])).toEqual([[false, ['foo']]]);
  });

  it('does not inherit time intervals, as Alertmanager (prometheus/alertmanager#3211)', () => {
    const t = tree(`
receiver: r
routes:
- matchers: [env="parent"]
  mute_time_intervals: [weekends]
  active_time_intervals: [business]
  routes:
  - matchers: [child="1"]
  - matchers: [child="2"]
    mute_time_intervals: [nights]
`);
    const pick = (labels: Record<string, string>): unknown => t.match(labels).map((r) => [r.muteTimeIntervals, r.activeTimeIntervals]);
    expect(pick({ env: 'parent' })).toEqual([[['weekends'], ['business']]]);
    expect(pick({ env: 'parent', child: '1' })).toEqual([[[], []]]);
    expect(pick({ env: 'parent', child: '2' })).toEqual([[['nights'], []]]);
  });

  it('group_by: [] groups everything together, overriding the parent', () => {
    const t = tree(`
receiver: r
group_by: [alertname]
routes:
- matchers: [a="1"]
  group_by: []
`);
    expect(t.match({ a: '1' })[0]!.groupBy).toEqual([]);
    expect(t.match({ a: '2' })[0]!.groupBy).toEqual(['alertname']);
  });

  it('continue on the last matching sibling does not fall back to the parent', () => {
    const t = tree(`
receiver: root
routes:
- matchers: [a="1"]
  receiver: x
  continue: true
- matchers: [b="1"]
  receiver: y
  continue: true
- receiver: catch-all
`);
    expect(t.match({ a: '1' }).map((r) => r.receiver)).toEqual(['x', 'catch-all']);
    expect(t.match({ a: '1', b: '1' }).map((r) => r.receiver)).toEqual(['x', 'y', 'catch-all']);
    expect(t.match({}).map((r) => r.receiver)).toEqual(['catch-all']);
  });

  it('returns the same frozen object for a route on every match', () => {
    const [a] = LEGACY.match({ owner: 'team-C' });
    const [b] = LEGACY.match({ owner: 'team-B', other: 'x' });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('RouteTree.walk', () => {
  it('visits parents before children, left to right (TestRouteWalk)', () => {
    const got: string[] = [];
    LEGACY.walk((r) => got.push(r.receiver));
    expect(got).toEqual([
      'notify-def', 'notify-A', 'notify-testing', 'notify-productionA', 'notify-productionB',
      'notify-BC', 'notify-def', 'notify-testing', 'notify-testing',
    ]);
  });

  it('gives each route a unique id with its sibling position (TestRouteID)', () => {
    const t = tree(`
receiver: default
routes:
- continue: true
  matchers:
  - foo=bar
  receiver: test1
  routes:
  - matchers:
    - bar=baz
- continue: true
  matchers:
  - foo=bar
  receiver: test1
  routes:
  - matchers:
    - bar=baz
- continue: true
  matchers:
  - foo=bar
  receiver: test2
  routes:
  - matchers:
    - bar=baz
- continue: true
  matchers:
  - bar=baz
  receiver: test3
  routes:
  - matchers:
    - baz=qux
  - matchers:
    - qux=corge
- continue: true
  matchers:
  - qux=~"[a-zA-Z0-9]+"
- continue: true
  matchers:
  - corge!~"[0-9]+"
`);
    const ids: string[] = [];
    t.walk((r) => ids.push(r.routeId));
    expect(ids).toEqual([
      '{}',
      '{}/{foo="bar"}/0',
      '{}/{foo="bar"}/0/{bar="baz"}/0',
      '{}/{foo="bar"}/1',
      '{}/{foo="bar"}/1/{bar="baz"}/0',
      '{}/{foo="bar"}/2',
      '{}/{foo="bar"}/2/{bar="baz"}/0',
      '{}/{bar="baz"}/3',
      '{}/{bar="baz"}/3/{baz="qux"}/0',
      '{}/{bar="baz"}/3/{qux="corge"}/1',
      '{}/{qux=~"[a-zA-Z0-9]+"}/4',
      '{}/{corge!~"[0-9]+"}/5',
    ]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('RouteTree.describe and render (amtool config routes)', () => {
  const t = tree(`
receiver: default
routes:
- matchers: [severity="critical"]
  receiver: pager
  continue: true
- matchers: [team=~"db|storage"]
  receiver: db
  routes:
  - matchers: [env!="prod"]
    receiver: db-nonprod
`);

  it.each<[Record<string, string>, string[], string]>([
    [{ severity: 'critical', team: 'db', env: 'prod' }, ['pager', 'db'], [
      '.',
      '└── default-route',
      '    ├── {severity="critical"}  receiver: pager',
      '    └── {team=~"db|storage"}  receiver: db',
    ].join('\n')],
    [{ team: 'storage', env: 'dev' }, ['db-nonprod'], [
      '.',
      '└── default-route',
      '    └── {team=~"db|storage"}',
      '        └── {env!="prod"}  receiver: db-nonprod',
    ].join('\n')],
    [{ team: 'web' }, ['default'], ['.', '└── default-route  receiver: default'].join('\n')],
  ])('%j', (labels, receivers, text) => {
    expect(t.describe(labels)).toEqual({ receivers, tree: text });
  });

  it('renders the whole tree with continue and receivers', () => {
    expect(t.render()).toBe([
      '.',
      '└── default-route  receiver: default',
      '    ├── {severity="critical"}  continue: true  receiver: pager',
      '    └── {team=~"db|storage"}  receiver: db',
      '        └── {env!="prod"}  receiver: db-nonprod',
    ].join('\n'));
  });
});

describe('parseRoute', () => {
  it.each([
    ['group_wait: soon', 'route.group_wait: expected a duration like 30s, got "soon"'],
    ['routes: [{group_interval: 0s}]', 'route.routes[0].group_interval: must not be zero'],
    ['repeat_interval: 0', 'route.repeat_interval: must not be zero'],
    ['routes: [{matchers: ["a=b"], recevier: x}]', 'route.routes[0].recevier: unknown field'],
    ['group_by: [a, "...", b]', "route.group_by: cannot have wildcard group_by (`...`) and other labels at the same time"],
    ['group_by: [a, b, a]', 'route.group_by[2]: duplicated label "a"'],
    ['group_by: [""]', 'route.group_by[0]: invalid label name ""'],
    ['routes: [{routes: [{matchers: ["a~b"]}]}]', 'route.routes[0].routes[0].matchers[0]: column 2: bad matcher format, expected one of =, !=, =~, !~: a~b'],
    ['routes: [{match: {"bad-name": x}}]', 'route.routes[0].match["bad-name"]: invalid label name "bad-name"'],
    ['routes: [{match_re: {env: "(prod"}}]', 'route.routes[0].match_re.env: invalid regular expression "(prod": Unterminated group'],
    ['continue: "yes"', 'route.continue: expected a boolean, got "yes"'],
    ['[]', 'route: expected an object, got array'],
  ])('%s is refused', (yaml, message) => {
    expect(() => tree(yaml)).toThrow(new ConfigError(message));
  });

  it('takes group_wait: 0 and empty YAML keys as absent', () => {
    const t = tree('receiver: r\ngroup_wait: 0s\nroutes:\nmatchers:\n');
    expect(t.root.groupWaitMs).toBe(0);
    expect(t.match({}).map((r) => r.receiver)).toEqual(['r']);
  });

  it('reads unquoted integers and booleans of match maps as Go reads them into strings', () => {
    const t = tree('receiver: r\nroutes: [{match: {code: 500, page: true}, receiver: x}]');
    expect(t.match({ code: '500', page: 'true' }).map((r) => r.receiver)).toEqual(['x']);
  });
});
