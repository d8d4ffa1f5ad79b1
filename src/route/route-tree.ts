import type { LabelSet } from '../model/index.js';
import { formatMatchers, matchesAll, type Matcher } from './matchers.js';

/**
 * One route of `routing.yaml` after parsing, before inheritance: what Alertmanager's config.Route holds once
 * unmarshalled. An undefined field is "not set here", which inherits from the parent.
 */
export interface RouteSpec {
  readonly receiver?: string;
  /** Label names to group by; undefined inherits. `[]` groups everything into one group. */
  readonly groupBy?: readonly string[];
  /** `group_by: ['...']`: group by all labels. Set only when given; a child without group_by inherits it. */
  readonly groupByAll?: boolean;
  /** All of the route's matchers (`matchers`, `match`, `match_re`), sorted as Alertmanager sorts them. */
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly groupWaitMs?: number;
  readonly groupIntervalMs?: number;
  readonly repeatIntervalMs?: number;
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
  readonly routes: readonly RouteSpec[];
}

/**
 * A route an incident's labels end at, with the options inheritance gave it (Alertmanager's RouteOpts).
 * Immutable; the same object is returned for every match of that route.
 */
export interface MatchedRoute {
  /** The route's path as Alertmanager's `Route.Key()`: `{}/{owner="team-A"}/{env="testing"}`. Not unique. */
  readonly routeKey: string;
  /** Alertmanager's `Route.ID()`: the path with each route's position among its siblings, unique in the tree. */
  readonly routeId: string;
  readonly receiver: string;
  /** Sorted label names to group by; empty when `groupByAll` or when the tree groups everything together. */
  readonly groupBy: readonly string[];
  /** `group_by: ['...']`: every label of the incident groups. */
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  /**
   * Interval names that mute this route. Not inherited: Alertmanager sets them from the route itself only
   * (dispatch/route.go; prometheus/alertmanager#3211), so a parent's mute does not reach its children.
   */
  readonly muteTimeIntervals: readonly string[];
  /** Interval names outside which this route is muted; not inherited either. */
  readonly activeTimeIntervals: readonly string[];
  readonly continue: boolean;
  /** This route's own matchers, sorted. */
  readonly matchers: readonly Matcher[];
}

/** Alertmanager's `DefaultRouteOpts`: what the root inherits. */
export const ROUTE_DEFAULTS = Object.freeze({
  groupWaitMs: 30_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3_600_000,
});

/** What `describe` tells a CLI (`amtool config routes test`): receivers in match order and the matching tree. */
export interface RouteDescription {
  readonly receivers: readonly string[];
  /** The routes walked for these labels, rendered like `amtool config routes test --tree`. */
  readonly tree: string;
}

interface Node {
  readonly opts: MatchedRoute;
  readonly children: readonly Node[];
}

/**
 * Alertmanager's routing tree, applied to an incident's labels. Built once from the parsed `route:`; matching
 * is pure and allocates only the result array.
 */
export class RouteTree {
  readonly #root: Node;

  constructor(root: RouteSpec) {
    this.#root = build(root, null, 0);
  }

  /** The root route's options. */
  get root(): MatchedRoute {
    return this.#root.opts;
  }

  /**
   * The routes the labels end at, in Alertmanager's order: depth-first, left to right; after a matching child,
   * later siblings are tried only when that child has `continue: true`; a route none of whose children match is
   * itself the match. Empty only when the root's own matchers fail, which a valid config rules out.
   */
  match(labels: LabelSet): MatchedRoute[] {
    const out: MatchedRoute[] = [];
    matchInto(this.#root, labels, out);
    return out;
  }

  /** Every route, depth-first, parents before children (Alertmanager's `Route.Walk`). */
  walk(visit: (route: MatchedRoute, depth: number) => void): void {
    const go = (n: Node, depth: number): void => {
      visit(n.opts, depth);
      for (const c of n.children) go(c, depth + 1);
    };
    go(this.#root, 0);
  }

  /** Receivers for the labels and the matching part of the tree, as `amtool config routes test [--tree]` prints them. */
  describe(labels: LabelSet): RouteDescription {
    const lines = ['.'];
    const walkMatching = (n: Node, prefix: string, last: boolean): void => {
      const matching: Node[] = [];
      for (const c of n.children) {
        if (!matchesAll(c.opts.matchers, labels)) continue;
        matching.push(c);
        if (!c.opts.continue) break;
      }
      lines.push(`${prefix}${last ? '└── ' : '├── '}${slug(n.opts, false, matching.length === 0)}`);
      const inner = prefix + (last ? '    ' : '│   ');
      matching.forEach((c, i) => walkMatching(c, inner, i === matching.length - 1));
    };
    walkMatching(this.#root, '', true);
    return { receivers: this.match(labels).map((r) => r.receiver), tree: lines.join('\n') };
  }

  /** The whole tree as `amtool config routes show` prints it, with `continue` and receivers. */
  render(): string {
    const lines = ['.'];
    const go = (n: Node, prefix: string, last: boolean): void => {
      lines.push(`${prefix}${last ? '└── ' : '├── '}${slug(n.opts, true, true)}`);
      const inner = prefix + (last ? '    ' : '│   ');
      n.children.forEach((c, i) => go(c, inner, i === n.children.length - 1));
    };
    go(this.#root, '', true);
    return lines.join('\n');
  }
}

/** A route's line in amtool's tree: its matchers (`default-route` for none), `continue`, the receiver. */
function slug(r: MatchedRoute, showContinue: boolean, showReceiver: boolean): string {
  let s = r.matchers.length === 0 ? 'default-route' : formatMatchers(r.matchers);
  if (showContinue && r.continue) s += '  continue: true';
  if (showReceiver) s += `  receiver: ${r.receiver}`;
  return s;
}

function matchInto(n: Node, labels: LabelSet, out: MatchedRoute[]): boolean {
  if (!matchesAll(n.opts.matchers, labels)) return false;
  const before = out.length;
  for (const c of n.children) {
    if (matchInto(c, labels, out) && !c.opts.continue) break;
  }
  if (out.length === before) out.push(n.opts);
  return true;
}

/** Alertmanager's NewRoute: start from the parent's options (or the defaults), override what this route sets. */
function build(spec: RouteSpec, parent: MatchedRoute | null, position: number): Node {
  const inherited = parent ?? { receiver: '', groupBy: [], groupByAll: false, ...ROUTE_DEFAULTS };
  let groupBy = inherited.groupBy;
  let groupByAll = inherited.groupByAll;
  if (spec.groupBy !== undefined && !spec.groupByAll) {
    groupBy = Object.freeze([...new Set(spec.groupBy)].sort());
    groupByAll = false;
  } else if (spec.groupByAll === true) {
    groupByAll = true;
  }
  if (groupByAll) groupBy = Object.freeze([]);
  const matcherText = formatMatchers(spec.matchers);
  const opts: MatchedRoute = Object.freeze({
    routeKey: parent === null ? matcherText : `${parent.routeKey}/${matcherText}`,
    routeId: parent === null ? matcherText : `${parent.routeId}/${matcherText}/${position}`,
    receiver: spec.receiver !== undefined && spec.receiver !== '' ? spec.receiver : inherited.receiver,
    groupBy,
    groupByAll,
    groupWaitMs: spec.groupWaitMs ?? inherited.groupWaitMs,
    groupIntervalMs: spec.groupIntervalMs ?? inherited.groupIntervalMs,
    repeatIntervalMs: spec.repeatIntervalMs ?? inherited.repeatIntervalMs,
    muteTimeIntervals: Object.freeze([...spec.muteTimeIntervals]),
    activeTimeIntervals: Object.freeze([...spec.activeTimeIntervals]),
    continue: spec.continue,
    matchers: Object.freeze([...spec.matchers]),
  });
  return { opts, children: spec.routes.map((c, i) => build(c, opts, i)) };
}
